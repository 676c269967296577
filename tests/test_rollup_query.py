"""Rollup reads equal raw answers for any window, slicing (prompt, version, bucket) and dirtiness mix."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from models.prompts import Prompt, PromptRollupDaily
from services import builtin_metrics
from services.rollup_query import accumulate_slices
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
    # a late event for the first prompt only: its hour (and day) is dirty, the other prompt's are clean
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
