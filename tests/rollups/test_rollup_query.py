"""Rollup reads equal raw answers for any window, slicing (prompt, version, bucket) and dirtiness mix."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from models.prompts import Prompt, PromptRollupDaily
from services.metrics import builtin as builtin_metrics
from services.rollups.query import accumulate_slices
from workers import jobs

CTX = {"worker_id": "test-rollup-query"}
BASE = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=4)


async def _post(client, tenant, events: list[dict]) -> None:
    for i in range(0, len(events), 500):
        r = await client.post(
            "/api/v1/prompts/analytics/batch", json={"events": events[i : i + 500]}, headers=tenant.key_headers
        )
        assert r.status_code == 202, r.text
    await jobs.drain_ingest(CTX)


def _event(rng: random.Random, pid: uuid.UUID, when: datetime) -> dict:
    return {
        "prompt_id": str(pid),
        "version_hash": rng.choice(["a", "b", "c"]),
        "status": rng.choice(["completed", "completed", "failed"]),
        "latency_ms": round(rng.uniform(1, 900), 3),
        "cost_usd": round(rng.uniform(0, 0.01), 6),
        "timestamp": when.isoformat(),
    }


async def test_slices_equal_raw_with_one_prompt_dirty(client, make_tenant):
    rng = random.Random(11)
    tenant = await make_tenant("member")
    uuids = [uuid.uuid4(), uuid.uuid4()]
    events = [
        _event(rng, rng.choice(uuids), BASE + timedelta(seconds=rng.randint(0, 4 * 86400 - 1))) for _ in range(600)
    ]
    await _post(client, tenant, events)
    await jobs.refresh_rollups(CTX)
    ids = {u: (await Prompt.get(uuid=u)).id for u in uuids}
    assert await PromptRollupDaily.filter(prompt_id__in=list(ids.values())).count() > 0
    # a late event for the first prompt only: the drain adds it to that hour's and day's rows at once
    late = [_event(rng, uuids[0], BASE + timedelta(days=1, hours=5, minutes=30)) for _ in range(3)]
    await _post(client, tenant, late)
    events += late

    def raw(start: datetime, end: datetime, bucket: timedelta | None, by_version: bool) -> dict:
        want: dict = defaultdict(lambda: [0, 0, 0.0])
        for e in events:
            t = datetime.fromisoformat(e["timestamp"])
            if start <= t <= end:
                slot = start + ((t - start) // bucket) * bucket if bucket else None
                k = (ids[uuid.UUID(e["prompt_id"])], e["version_hash"] if by_version else None, slot)
                want[k][0] += 1
                want[k][1] += e["status"] == "failed"
                want[k][2] += e["cost_usd"]
        return want

    cases = [
        (BASE, BASE + timedelta(days=4), None, False),
        (BASE + timedelta(hours=3, minutes=7), BASE + timedelta(days=3, hours=1, minutes=2), None, True),
        (BASE, BASE + timedelta(days=4), timedelta(days=1), False),
        (BASE + timedelta(hours=2), BASE + timedelta(days=2, hours=7), timedelta(hours=6), True),
        (BASE + timedelta(minutes=13), BASE + timedelta(hours=9), timedelta(minutes=45), False),
    ]
    for _ in range(6):
        a, b = sorted(rng.randint(0, 4 * 86400) for _ in range(2))
        cases.append((BASE + timedelta(seconds=a), BASE + timedelta(seconds=b), None, rng.random() < 0.5))
    for start, end, bucket, by_version in cases:
        got = await accumulate_slices(list(ids.values()), start, end, bucket=bucket, by_version=by_version)
        want = raw(start, end, bucket, by_version)
        assert {k for k, acc in got.items() if acc.count} == set(want), (start, end, bucket)
        for k, (n, failed, cost) in want.items():
            assert (got[k].count, got[k].failure) == (n, failed), (k, start, end, bucket)
            assert abs(got[k].total("cost_usd") - cost) < 1e-6

    # built-in metrics are computed from the same slices
    day = await builtin_metrics.series(
        "executions", list(ids.values()), BASE, BASE + timedelta(days=4), timedelta(days=1)
    )
    for pid in ids.values():
        assert sum(v for _, v in day[pid]) == sum(1 for e in events if ids[uuid.UUID(e["prompt_id"])] == pid)
    await jobs.refresh_rollups(CTX)  # leave nothing dirty for other tests


def _same(got, want, where) -> None:
    """Two accumulators hold the same executions (float sums to rounding)."""
    assert (got.count, got.success, got.failure) == (want.count, want.success, want.failure), where
    assert set(got.totals) == set(want.totals), where
    for m, (total, n, squares) in want.totals.items():
        g = got.totals[m]
        assert g[1] == n and abs(g[0] - total) < 1e-6 * max(1.0, abs(total)), (where, m)
        assert abs(g[2] - squares) < 1e-6 * max(1.0, abs(squares)), (where, m)
    assert (got.latency.count, got.latency.zeros) == (want.latency.count, want.latency.zeros), where
    for q in (0.5, 0.95, 0.99):
        assert got.latency.quantile(q) == want.latency.quantile(q), (where, q)
    assert got.data_sources == want.data_sources and got.schemas == want.schemas, where
    assert got.max_occurred_at == want.max_occurred_at, where


async def test_window_first_hour_from_cached_events_follows_late_events(client, make_tenant):
    """The ragged first hour of a window is summed by the database when first asked, then comes from
    a per-process copy of that (clean) hour's events; every field equals the raw answer, cold, when
    the copy is made and warm, and a late event in that hour is seen at once
    (the drain rewrites the hour's rollup rows under new ids, which invalidates the copy) and after
    a rebuild."""
    from models.prompts import PromptExecution
    from services.rollups import edge_hours
    from services.rollups.build import RAW_FIELDS, Accumulator

    rng = random.Random(5)
    tenant = await make_tenant("member")
    uuids = [uuid.uuid4(), uuid.uuid4()]
    hour = BASE + timedelta(days=1, hours=9)

    def event(pid: uuid.UUID, when: datetime) -> dict:
        e = _event(rng, pid, when)
        e["latency_ms"] = rng.choice([None, 0.0, e["latency_ms"]])
        e["score"] = rng.choice([None, round(rng.uniform(0, 100), 2)])
        e["data_source_ids"] = rng.sample([1, 2, 3, 4], rng.randint(0, 2))
        e["schema_names"] = rng.sample(["orders", "users"], rng.randint(0, 2))
        if e["latency_ms"] is None:
            del e["latency_ms"]
        return e

    events = [event(rng.choice(uuids), hour + timedelta(seconds=rng.randint(-7200, 3 * 3600))) for _ in range(400)]
    await _post(client, tenant, events)
    await jobs.refresh_rollups(CTX)
    ids = [(await Prompt.get(uuid=u)).id for u in uuids]

    async def check(start: datetime, end: datetime, versions=None) -> None:
        want: dict = defaultdict(Accumulator)
        query = PromptExecution.filter(prompt_id__in=ids, occurred_at__gte=start, occurred_at__lte=end)
        for row in await query.values("prompt_id", *RAW_FIELDS):
            if versions is None or row["version_hash"] in versions:
                want[(row["prompt_id"], row["version_hash"], None)].add_row(row)
        got = await accumulate_slices(ids, start, end, by_version=True, version_hashes=versions)
        assert {k for k, acc in got.items() if acc.count} == set(want), (start, versions)
        for k, acc in want.items():
            _same(got[k], acc, (k, start))

    end = hour + timedelta(hours=2, minutes=40)
    starts = [hour + timedelta(minutes=m, seconds=s) for m, s in ((0, 1), (17, 31), (59, 59))]
    for start in starts:
        await check(start, end)  # cold for the first, then warm
        await check(start, end)
    await check(starts[1], end, versions={"a", "c"})
    assert any(key[1] == hour for key in edge_hours.EDGE_HOURS.hours)

    # a late event in the cached hour: its rows get new ids (the copy is refetched), then rebuilt
    late = [event(uuids[0], hour + timedelta(minutes=50)) for _ in range(5)]
    await _post(client, tenant, late)
    await check(starts[1], end)
    await jobs.refresh_rollups(CTX)
    await check(starts[1], end)
    await check(starts[0], end)


async def test_large_reads_merged_by_the_database_equal_merges_in_python(client, make_tenant, monkeypatch):
    """Reads of many rollup rows are merged by PostgreSQL; every field equals the in-process merge.

    (On SQLite both reads take the in-process path.)
    """
    from services.rollups import query as rollup_query

    rng = random.Random(9)
    tenant = await make_tenant("member")
    uuids = [uuid.uuid4() for _ in range(3)]
    events = []
    for _ in range(500):
        e = _event(rng, rng.choice(uuids), BASE + timedelta(seconds=rng.randint(0, 4 * 86400 - 1)))
        e["score"] = rng.choice([None, round(rng.uniform(0, 100), 2)])
        e["latency_ms"] = rng.choice([0.0, e["latency_ms"]])
        e["data_source_ids"] = rng.sample([1, 2, 3], rng.randint(0, 2))
        e["schema_names"] = rng.sample(["orders", "users"], rng.randint(0, 2))
        events.append(e)
    await _post(client, tenant, events)
    await jobs.refresh_rollups(CTX)
    ids = [(await Prompt.get(uuid=u)).id for u in uuids]
    cases = [
        (BASE, BASE + timedelta(days=4), None, True),
        (BASE + timedelta(hours=5, minutes=3), BASE + timedelta(days=3, hours=2), None, False),
        (BASE, BASE + timedelta(days=4) - timedelta(microseconds=1), timedelta(days=1), True),
        (BASE + timedelta(hours=6), BASE + timedelta(days=2, hours=18), timedelta(hours=6), False),
    ]
    for start, end, bucket, by_version in cases:
        in_python = await accumulate_slices(ids, start, end, bucket=bucket, by_version=by_version)
        monkeypatch.setattr(rollup_query, "SQL_MERGE_ROWS", 1)
        in_sql = await accumulate_slices(ids, start, end, bucket=bucket, by_version=by_version)
        monkeypatch.setattr(rollup_query, "SQL_MERGE_ROWS", 50_000)
        assert {k for k, a in in_sql.items() if a.count} == {k for k, a in in_python.items() if a.count}
        for k, acc in in_python.items():
            if acc.count:
                _same(in_sql[k], acc, (k, start, end, bucket))
