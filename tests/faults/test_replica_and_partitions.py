"""Two web processes reading history from a streaming replica, two workers, late events, partitions.

The scale-out layout of docs/scaling.md on one machine: a private primary and a real streaming
replica of it (``pg_basebackup -R`` and a second cluster on another port), both web processes
with ``DATABASE_READ_URL`` pointing at the replica, two workers.  Events are spread over both
web processes, a share of them backfilled 400 days into the past (no partition exists there:
they land in the DEFAULT partition until maintenance gives their week a partition).  Then:

* every acknowledged event is stored exactly once, and the rollups equal the raw events;
* both workers ran partition maintenance at start-up (the advisory lock lets one do it) and a
  run afterwards moves the late events out of the default partition, which ends empty;
* the history pages (GraphQL ``executions``, served by ``read_db()``) from both web processes
  list every stored event of a prompt, and the replica's pg_stat_activity shows the read pool's
  role (``reader``, used only by DATABASE_READ_URL) ran those reads there and never connected to
  the primary; the replica refuses writes, so none of the web processes' writes went there.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from services.core import partitions
from tests.faults.harness import ROOT, SCALE, Ledger, PrivatePostgres, event, post_batch, postgres_bin, until

QUERY = """query($id: ID!, $after: String) { prompt(id: $id) {
  executions(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id occurredAt } } } } }"""


async def _history(http: httpx.AsyncClient, base: str, token: str, prompt: str) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        r = await http.post(
            f"{base}/graphql",
            json={"query": QUERY, "variables": {"id": prompt, "after": after}},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200 and "errors" not in r.json(), r.text
        page = r.json()["data"]["prompt"]["executions"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


async def _reader_backends(conn: asyncpg.Connection) -> int:
    """Backends of the ``reader`` role: only DATABASE_READ_URL's pool (opened on first use) logs in as it."""
    value = await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = 'app' AND usename = 'reader'")
    return int(value)


async def test_history_from_a_streaming_replica_with_late_events_in_partitions(stack, figures):
    s = stack("replica")
    bin_dir = postgres_bin()
    assert bin_dir is not None
    # the replica is reached as its own role, so each server's pg_stat_activity tells who read where
    setup = await s.pg.connect()
    try:
        await setup.execute("CREATE ROLE reader LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    finally:
        await setup.close()
    replica = PrivatePostgres(s.root / "replica", bin_dir)
    base_backup = [
        "pg_basebackup",
        "-h",
        "127.0.0.1",
        "-p",
        str(s.pg.port),
        "-U",
        "postgres",
        "-D",
        str(replica.data),
        "-R",
        "-X",
        "stream",
        "-c",
        "fast",  # checkpoint now, not spread over minutes
    ]
    replica._run(*base_backup)
    replica.start()
    read_url = f"postgres://reader@127.0.0.1:{replica.port}/app"
    try:
        webs = [s.web(DATABASE_READ_URL=read_url), s.web(DATABASE_READ_URL=read_url)]
        workers = [s.worker(), s.worker()]
        bases = [s.base(w) for w in webs]
        prompts = [uuid.uuid4() for _ in range(2)]
        ledger = Ledger()
        # Wednesday noon of a week 400 days back: the late events' two hours stay inside one week
        week = partitions.period_start(datetime.now(UTC) - timedelta(days=400), "week")
        late_time = week + timedelta(days=2, hours=12)
        async with httpx.AsyncClient(timeout=30) as http:

            async def client(n: int) -> None:
                for i in range(int(5 * SCALE)):
                    batch = [
                        event(prompts[(n + k) % 2], late_time + timedelta(minutes=k) if k % 5 == 0 else None)
                        for k in range(100)
                    ]
                    r = await post_batch(http, bases[(n + i) % 2], s.api_key, batch, ledger)
                    assert r is not None and r.status_code == 202, r.text if r is not None else r

            await asyncio.gather(*(client(n) for n in range(4)))
            drained_in = await s.drained(ledger, within=90)
            rolled_in = await s.rolled_up(within=90)

            primary = await s.pg.connect()
            standby = await replica.connect()
            try:
                assert await standby.fetchval("SELECT pg_is_in_recovery()")
                in_default = await primary.fetchval("SELECT count(*) FROM prompt_executions_default")
                report = await _maintain(s)  # the worker cron's next run, now
                moved = report["moved_rows"]
                assert await primary.fetchval("SELECT count(*) FROM prompt_executions_default") == 0
                late_parts = await primary.fetchval(
                    "SELECT count(DISTINCT tableoid) FROM prompt_executions "
                    "WHERE occurred_at < now() - interval '300 days'"
                )
                lsn = await primary.fetchval("SELECT pg_current_wal_lsn()::text")
                await until(lambda: _replayed(standby, lsn), within=30, what="the replica to replay the primary's WAL")
                ids = await s.prompt_ids()
                stored = await s.stored_ids()
                per_prompt = {
                    str(p): await primary.fetchval(
                        "SELECT count(*) FROM prompt_executions WHERE prompt_id = $1", ids[str(p)]
                    )
                    for p in prompts
                }
                replica_before = await _reader_backends(standby)
                answers = []
                for base in bases:
                    answers.append({str(p): await _history(http, base, s.token, str(p)) for p in prompts})
                on_replica = await _reader_backends(standby)
                on_primary = await _reader_backends(primary)
            finally:
                await primary.close()
                await standby.close()

        verdict = await s.verify(ledger)
        figures(
            "two web processes reading from a streaming replica + two workers, late events",
            **verdict.figures(),
            drained_after_s=round(drained_in, 2),
            rollups_equal_after_s=round(rolled_in, 2),
            late_events_in_default_after_drain=in_default,
            moved_out_of_default=moved,
            late_partitions=late_parts,
            reader_backends_on_replica_before_history=replica_before,
            reader_backends_on_replica=on_replica,
            reader_backends_on_primary=on_primary,
        )
        verdict.assert_exact()
        assert len(stored) == len(ledger.acked) == 4 * 100 * int(5 * SCALE)
        for answer in answers:
            for p in prompts:
                assert len(answer[str(p)]) == per_prompt[str(p)] == len(set(answer[str(p)])), p
        assert answers[0] == answers[1]
        assert late_parts == 1
        assert replica_before == 0 and on_replica >= 1 and on_primary == 0, (replica_before, on_replica, on_primary)
        assert all(p.alive for p in [*webs, *workers]), s.logs()
    finally:
        replica.stop("immediate")
        shutil.rmtree(replica.folder, ignore_errors=True)


async def _replayed(standby: asyncpg.Connection, lsn: str) -> bool:
    return bool(await standby.fetchval("SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn", lsn))


async def _maintain(s) -> dict:
    """Run the worker's partition job once against the scenario's database, in a subprocess."""
    import json
    import subprocess
    import sys

    code = (
        "import asyncio, json\n"
        "from tortoise import Tortoise\n"
        "from services.core.database import tortoise_config\n"
        "from workers.core import maintain_partitions\n"
        "async def main():\n"
        "    await Tortoise.init(config=tortoise_config())\n"
        "    try:\n"
        "        print(json.dumps(await maintain_partitions({})))\n"
        "    finally:\n"
        "        await Tortoise.close_connections()\n"
        "asyncio.run(main())\n"
    )
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", code], cwd=ROOT, env=s.env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return result
