"""PostgreSQL: prompt_executions partitioned by time, its maintenance job, retention, and the migration.

Old events are ingested through the public API and drained by the worker job; maintenance runs
through the worker job too.  The retention case uses a cutoff eight years back, so it cannot
touch another test's events.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise import connections

from models.prompts import Prompt, PromptExecution, PromptRollupHourly
from services.core import partitions
from services.core.config import get_settings
from tests.conftest import BASE_DATABASE_URL, IS_POSTGRES, _pg_admin, _with_db_name, run_cli
from workers import jobs

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="partitioning is PostgreSQL's (SQLite has one table)")
CTX = {"worker_id": "test-partitions"}


async def _partitions() -> list[partitions.Partition]:
    client = connections.get("default")
    async with client.acquire_connection() as conn:  # type: ignore[attr-defined]
        return await partitions.list_partitions(conn)


async def _where(event_id: str) -> str:
    rows = await connections.get("default").execute_query_dict(
        "SELECT tableoid::regclass::text AS part FROM prompt_executions WHERE event_id = $1", [event_id]
    )
    assert len(rows) == 1, rows
    return str(rows[0]["part"])


async def _ingest(client, tenant, pid: uuid.UUID, when: datetime, event_id: str | None = None) -> str:
    event_id = event_id or str(uuid.uuid4())
    body = {"prompt_id": str(pid), "version_hash": "v1", "latency_ms": 50.0, "event_id": event_id}
    body["timestamp"] = when.isoformat()
    r = await client.post("/api/v1/prompts/analytics", json=body, headers=tenant.key_headers)
    assert r.status_code == 204, r.text
    return event_id


async def test_partitions_exist_ahead_and_late_events_move_out_of_the_default_partition(client, make_tenant):
    settings = get_settings()
    await jobs.maintain_partitions(CTX)
    now = datetime.now(UTC)
    current = partitions.period_start(now, settings.executions_partition_period)
    starts = {p.start for p in await _partitions()}
    ahead = current
    for _ in range(settings.executions_partitions_ahead + 1):
        assert ahead in starts, (ahead, sorted(s for s in starts if s))
        ahead = partitions.next_start(ahead, settings.executions_partition_period)
    assert None in starts  # the DEFAULT partition

    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    fresh = await _ingest(client, tenant, pid, now - timedelta(minutes=1))
    old_time = now - timedelta(days=400)
    late = await _ingest(client, tenant, pid, old_time)
    await jobs.drain_ingest(CTX)
    assert await _where(fresh) == partitions.partition_name("prompt_executions", current)
    assert await _where(late) == "prompt_executions_default"

    report = await jobs.maintain_partitions(CTX)
    old_start = partitions.period_start(old_time, settings.executions_partition_period)
    name = partitions.partition_name("prompt_executions", old_start)
    assert name in report["created"] and report["moved_rows"] >= 1
    assert await _where(late) == name

    # the same event re-sent (an SDK retry with its time) is still stored once
    await _ingest(client, tenant, pid, old_time, event_id=late)
    await jobs.drain_ingest(CTX)
    prompt = await Prompt.get(uuid=pid)
    assert await PromptExecution.filter(prompt_id=prompt.id).count() == 2

    # a window over the last day scans only the current period's partition: the old one and the
    # default one are pruned (an open-ended window would keep the default partition, which takes
    # any time past the last partition)
    plan = await connections.get("default").execute_query_dict(
        "EXPLAIN (FORMAT JSON) SELECT count(*) FROM prompt_executions "
        "WHERE prompt_id = $1 AND occurred_at >= $2 AND occurred_at < $3",
        [prompt.id, max(current, now - timedelta(days=1)), now + timedelta(minutes=1)],
    )
    scanned = set(re.findall(r'"Relation Name": "([a-z0-9_]+)"', str(plan[0]["QUERY PLAN"])))
    assert scanned == {partitions.partition_name("prompt_executions", current)}, scanned


async def test_moving_late_rows_waits_for_a_drain_that_read_the_default_partition(client, make_tenant):
    """A drain's transaction that has read the default partition and then inserts into it is
    waited for: a weaker lock upgraded at the attach deadlocked with it (one of them aborted)."""
    await jobs.maintain_partitions(CTX)  # the partitions ahead exist
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    old_time = datetime.now(UTC) - timedelta(days=500)
    late = await _ingest(client, tenant, pid, old_time)
    await jobs.drain_ingest(CTX)
    assert await _where(late) == "prompt_executions_default"
    prompt = await Prompt.get(uuid=pid)

    db = connections.get("default")
    async with db.acquire_connection() as conn:  # type: ignore[attr-defined]
        tx = conn.transaction()
        await tx.start()
        # as a drain does: through the table, so every partition (the default one too) is read
        assert await conn.fetchval("SELECT count(*) FROM prompt_executions WHERE prompt_id = $1", prompt.id) == 1
        maintaining = asyncio.create_task(partitions.maintain())
        await asyncio.sleep(0.5)  # the maintenance now waits for this transaction's lock
        await conn.execute(
            "INSERT INTO prompt_executions (event_id, organization_id, prompt_id, status, data_source_ids,"
            " schema_names, occurred_at, received_at)"
            " VALUES (gen_random_uuid(), $1, $2, 'completed', '[]', '[]', $3, now())",
            prompt.organization_id,
            prompt.id,
            old_time + timedelta(minutes=1),
        )
        await tx.commit()
    report = await asyncio.wait_for(maintaining, 30)
    name = partitions.partition_name(
        "prompt_executions", partitions.period_start(old_time, get_settings().executions_partition_period)
    )
    assert report.created == [name] and report.moved_rows == 2, report
    assert await _where(late) == name
    assert await PromptExecution.filter(prompt_id=prompt.id).count() == 2


async def test_a_query_started_while_late_rows_move_still_counts_them(client, make_tenant):
    """Moving rows out of the default partition is a delete there and an insert into a table
    that is attached in the same transaction: a query planned before the attach committed would
    scan the default partition after it and miss them.  (A rollup rebuild did, and its hour stayed
    wrong.)  The move holds the whole table while it runs, so such a query plans after it."""
    await jobs.maintain_partitions(CTX)
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    old_time = datetime.now(UTC) - timedelta(days=600)
    await _ingest(client, tenant, pid, old_time)
    await _ingest(client, tenant, pid, old_time + timedelta(minutes=5))
    await jobs.drain_ingest(CTX)
    prompt = await Prompt.get(uuid=pid)

    db = connections.get("default")
    count = "SELECT count(*) FROM prompt_executions WHERE prompt_id = $1 AND occurred_at >= $2 AND occurred_at < $3"
    window = (prompt.id, old_time - timedelta(hours=1), old_time + timedelta(hours=1))
    async with db.acquire_connection() as holder, db.acquire_connection() as reader:  # type: ignore[attr-defined]
        tx = holder.transaction()
        await tx.start()
        # something reading the default partition itself keeps the move waiting part way
        await holder.fetchval("SELECT count(*) FROM prompt_executions_default")
        maintaining = asyncio.create_task(partitions.maintain())
        await asyncio.sleep(0.4)
        counting = asyncio.create_task(reader.fetchval(count, *window))
        await asyncio.sleep(0.4)
        await tx.commit()
        report = await asyncio.wait_for(maintaining, 30)
        counted = await asyncio.wait_for(counting, 30)
    assert report.moved_rows == 2, report
    assert counted == 2


async def test_retention_drops_whole_partitions_and_keeps_rollups(client, make_tenant):
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    now = datetime.now(UTC)
    ancient = now - timedelta(days=3300)
    kept = now - timedelta(days=2000)
    gone_id = await _ingest(client, tenant, pid, ancient)
    kept_id = await _ingest(client, tenant, pid, kept)
    await jobs.drain_ingest(CTX)
    await jobs.refresh_rollups(CTX)
    await jobs.maintain_partitions(CTX)
    prompt = await Prompt.get(uuid=pid)
    gone_part = await _where(gone_id)
    assert gone_part != "prompt_executions_default"
    rollups_before = await PromptRollupHourly.filter(prompt_id=prompt.id).count()
    assert rollups_before == 2

    settings = get_settings().with_overrides(executions_retention_days=3000)
    report = await partitions.maintain(settings)
    assert gone_part in report.dropped
    assert gone_part not in {p.name for p in await _partitions()}
    assert await PromptExecution.filter(event_id=gone_id).count() == 0
    assert await _where(kept_id) != "prompt_executions_default"
    assert await PromptRollupHourly.filter(prompt_id=prompt.id).count() == rollups_before

    # a late event older than retention lands in the default partition and is expired there
    again = await _ingest(client, tenant, pid, ancient + timedelta(hours=1))
    await jobs.drain_ingest(CTX)
    assert await _where(again) == "prompt_executions_default"
    report = await partitions.maintain(settings)
    assert report.expired_rows >= 1 and gone_part not in report.created
    assert await PromptExecution.filter(event_id=again).count() == 0


UPGRADE = """
import asyncio, sys
from aerich import Command
from tortoise import Tortoise
from services.core.config import get_settings
from services.core.database import tortoise_config

async def main():
    command = Command(tortoise_config(get_settings()), app="models", location=sys.argv[1])
    await command.init()
    print(await command.upgrade(run_in_transaction=True))
    await Tortoise.close_connections()

asyncio.run(main())
"""


async def test_migration_converts_a_populated_table_in_place(tmp_path: Path):
    """Migrations up to 15 on a new database, 5,000 events over six weeks, then ``migrate``."""
    import asyncpg

    from services.core.database import PROJECT_ROOT

    name = f"test_part_{uuid.uuid4().hex[:8]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    url = _with_db_name(BASE_DATABASE_URL, name)
    before = tmp_path / "postgres"
    shutil.copytree(PROJECT_ROOT / "migrations" / "postgres", before)
    for f in (before / "models").glob("*.py"):
        if int(f.name.split("_", 1)[0]) >= 16:
            f.unlink()
    env = {**os.environ, "DATABASE_URL": url}
    conn_url = url.replace("postgres://", "postgresql://", 1)
    try:
        await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", UPGRADE, str(before)], cwd=PROJECT_ROOT, env=env, check=True
        )
        conn = await asyncpg.connect(conn_url)
        try:
            await conn.execute("INSERT INTO organizations (name, created_at) VALUES ('o', now())")
            await conn.execute(
                "INSERT INTO prompts (uuid, name, text, status, last_data_source_ids, last_data_source_key, "
                "created_at, updated_at, organization_id) "
                "SELECT gen_random_uuid(), 'p' || g, 't', 'completed', '[]', '', now(), now(), 1 "
                "FROM generate_series(1, 3) g"
            )
            await conn.execute(
                "INSERT INTO prompt_executions (event_id, status, data_source_ids, schema_names, occurred_at, "
                "received_at, organization_id, prompt_id, latency_ms) "
                "SELECT gen_random_uuid(), 'completed', '[]', '[]', now() - g * interval '12 minutes', now(), 1, "
                "1 + g % 3, g FROM generate_series(1, 5000) g"
            )
            sums = await conn.fetchrow(
                "SELECT count(*), sum(latency_ms), min(id), max(id), min(occurred_at) AS first FROM prompt_executions"
            )
        finally:
            await conn.close()
        migrated = await asyncio.to_thread(run_cli, "migrate", env={"DATABASE_URL": url})
        assert '"applied": ["16_' in migrated.stdout, migrated.stdout
        conn = await asyncpg.connect(conn_url)
        try:
            assert (
                await conn.fetchval("SELECT relkind::text FROM pg_class WHERE oid = 'prompt_executions'::regclass")
                == "p"
            )
            after = await conn.fetchrow(
                "SELECT count(*), sum(latency_ms), min(id), max(id), min(occurred_at) AS first FROM prompt_executions"
            )
            assert tuple(after) == tuple(sums)
            parts = await partitions.list_partitions(conn)
            assert [p.name for p in parts if p.start is None] == ["prompt_executions_default"]
            # the old rows are one partition, from the Monday of the first event's week
            legacy = [p for p in parts if p.start is not None and p.start <= sums["first"]]
            assert len(legacy) == 1 and legacy[0].start is not None and legacy[0].end is not None
            assert legacy[0].start.weekday() == 0 and legacy[0].end - legacy[0].start >= timedelta(days=35)
            assert await conn.fetchval("SELECT count(*) FROM prompt_executions_default") == 0
            # `migrate` also created the partitions ahead
            assert max(p.end for p in parts if p.end is not None) > datetime.now(UTC) + timedelta(days=14)
            # new rows take the next id of the same sequence, and an event id is unique with its time
            new_id = await conn.fetchval(
                "INSERT INTO prompt_executions (event_id, status, data_source_ids, schema_names, occurred_at, "
                "received_at, organization_id, prompt_id) VALUES (gen_random_uuid(), 'completed', '[]', '[]', "
                "now(), now(), 1, 1) RETURNING id"
            )
            assert new_id > sums["max"]
            dup = await conn.fetchval(
                "INSERT INTO prompt_executions (event_id, status, data_source_ids, schema_names, occurred_at, "
                "received_at, organization_id, prompt_id) SELECT event_id, status, data_source_ids, schema_names, "
                "occurred_at, now(), organization_id, prompt_id FROM prompt_executions WHERE id = $1 "
                "ON CONFLICT (organization_id, event_id, occurred_at) DO NOTHING RETURNING id",
                new_id,
            )
            assert dup is None
        finally:
            await conn.close()
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_changing_the_period_fills_only_the_gaps():
    """Weekly partitions exist; a monthly setting adds partitions only where none is: the current
    month's days before the first weekly one, the rest of the month after the last, then months."""
    await jobs.maintain_partitions(CTX)
    weekly_end = max(p.end for p in await _partitions() if p.end is not None)
    report = await partitions.maintain(get_settings().with_overrides(executions_partition_period="month"))
    parts = sorted((p for p in await _partitions() if p.start is not None), key=lambda p: str(p.start))
    for a, b in itertools.pairwise(parts):
        assert a.end is not None and b.start is not None and a.end <= b.start  # never overlapping
    made = [p for p in parts if p.name in report.created]
    # the current month's part before the weekly ones, the rest of the last week's month, then months
    assert weekly_end in {p.start for p in made}
    assert all(p.start.day == 1 for p in made if p.start is not None and p.start != weekly_end)
    assert max(p.end for p in parts if p.end is not None) >= partitions.next_start(
        partitions.period_start(datetime.now(UTC), "month"), "month"
    )


async def _parent_statistics() -> tuple[datetime | None, int]:
    """The partitioned table's last ANALYZE and how many columns have inheritance statistics."""
    rows = await connections.get("default").execute_query_dict(
        "SELECT greatest(last_analyze, last_autoanalyze) AS at, "
        "(SELECT count(*) FROM pg_stats WHERE tablename = 'prompt_executions' AND inherited) AS columns "
        "FROM pg_stat_user_tables WHERE relname = 'prompt_executions'"
    )
    return rows[0]["at"], int(rows[0]["columns"])


async def test_the_partitioned_table_itself_is_analyzed_once_a_day(client, make_tenant):
    """Autovacuum never analyzes a partitioned parent: the job does, when its statistics are a day old."""
    tenant = await make_tenant()
    pid = uuid.uuid4()
    for _ in range(3):
        await _ingest(client, tenant, pid, datetime.now(UTC) - timedelta(minutes=5))
    await jobs.drain_ingest(CTX)
    await jobs.maintain_partitions(CTX)  # analyzes unless another test's run did within the day
    first, _ = await _parent_statistics()
    assert first is not None
    later = await partitions.maintain(now=datetime.now(UTC) + partitions.PARENT_ANALYZE_EVERY + timedelta(minutes=1))
    assert later.analyzed is True
    analyzed_at, columns = await _parent_statistics()
    assert analyzed_at is not None and analyzed_at > first
    assert columns >= 10  # per-column statistics across the partitions, the events above among them
    again = await partitions.maintain()
    assert again.analyzed is False and (await _parent_statistics())[0] == analyzed_at


def test_settings_refuse_an_unknown_period_and_a_replica_without_postgres():
    bad = run_cli("migrate", env={"EXECUTIONS_PARTITION_PERIOD": "year"}, check=False)
    assert bad.returncode != 0 and "EXECUTIONS_PARTITION_PERIOD must be day, week or month" in bad.stderr
    sqlite = f"sqlite://{Path(os.environ['DATA_DIR']) / 'replica-check.sqlite3'}"
    env = {"DATABASE_URL": sqlite, "DATABASE_READ_URL": "postgres://reader@127.0.0.1:5432/x"}
    refused = run_cli("migrate", env=env, check=False)
    assert refused.returncode != 0 and "DATABASE_READ_URL needs a PostgreSQL DATABASE_URL" in refused.stderr


async def test_with_a_retention_old_events_are_refused_and_a_rebuild_keeps_rollups_past_it(
    client, make_tenant, monkeypatch
):
    """Past the retention raw events may be gone while rollups stay: ingest refuses an event
    that the next maintenance would drop (400 naming ``timestamp``), and ``rebuild-rollups``
    rebuilds only the hours whose raw events are all kept, leaving older hours' rollups alone."""
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    now = datetime.now(UTC)
    old_id = await _ingest(client, tenant, pid, now - timedelta(days=400))
    await _ingest(client, tenant, pid, now - timedelta(days=2))
    await jobs.drain_ingest(CTX)
    prompt = await Prompt.get(uuid=pid)
    assert await PromptRollupHourly.filter(prompt_id=prompt.id).count() == 2

    monkeypatch.setenv("EXECUTIONS_RETENTION_DAYS", "300")
    get_settings.cache_clear()
    try:
        body = {"prompt_id": str(pid), "latency_ms": 5.0, "timestamp": (now - timedelta(days=301)).isoformat()}
        r = await client.post("/api/v1/prompts/analytics", json=body, headers=tenant.key_headers)
        assert r.status_code == 400 and "timestamp" in r.text and "300 days" in r.text, r.text
        # the old hour's raw event is gone (as after a dropped partition); its rollup must survive a rebuild
        await PromptExecution.filter(event_id=old_id).delete()
        run = await asyncio.to_thread(
            run_cli,
            "rebuild-rollups",
            "--org",
            str(tenant.organization_id),
            env={"EXECUTIONS_RETENTION_DAYS": "300"},
            check=False,
        )
        assert run.returncode == 0, run.stderr
        hours = await PromptRollupHourly.filter(prompt_id=prompt.id).order_by("bucket_start").values("count")
        assert [h["count"] for h in hours] == [1, 1]
    finally:
        monkeypatch.delenv("EXECUTIONS_RETENTION_DAYS")
        get_settings.cache_clear()
    # without the retention the same rebuild follows the raw events: the old hour's rollup goes
    run = await asyncio.to_thread(run_cli, "rebuild-rollups", "--org", str(tenant.organization_id), check=False)
    assert run.returncode == 0, run.stderr
    assert await PromptRollupHourly.filter(prompt_id=prompt.id).count() == 1
