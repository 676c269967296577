"""What a drained batch adds to the rollups is exactly its stored rows, whichever way it was summed.

A batch of fresh ids is summed in Python from the rows the drain holds; a batch that meets stored
ids (a redelivery) or holds ids that need the retry-time look-up is summed by the insert statement
(PostgreSQL).  Each minute row is compared with the same minute aggregated from the stored rows,
field by field and exactly: every group here holds one event, so a sum is the stored value itself.
The events are the awkward ones: costs the ``DECIMAL(18,8)`` column rounds (ties, tiny, large,
a float that is not what it prints as), latencies on a sketch bucket's edge, below its minimum and
zero, times with a non-UTC offset, lists that repeat an element, absent measures.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from models.prompts import Prompt, PromptExecution, PromptRollupMinute
from services.rollups.build import RAW_FIELDS, ROLLUP_COLUMNS, Accumulator, minute_floor
from services.rollups.sketch import LOG_GAMMA
from workers import jobs

CTX = {"worker_id": "test-drain-delta"}
COSTS = [0.123456785, 1e-9, 0.1 + 0.2, 999_999.999999995, 2.675e-7, 0.000000015, None, 0.0, 12.3456789012345]
LATENCIES = [1.0, 2.0**0.5, 1e-10, 0.0, None, 5000.0, round(2.718281828 ** (LOG_GAMMA * 37), 9), 0.5]
LISTS = [([], []), ([3, 3], ["orders"]), ([1, 2], ["users", "ünï"]), ([4], ["orders", "orders"])]


def _events(prompt: str, start: datetime, n: int, offset: int) -> list[dict]:
    """One event per minute (so each minute row holds one event), cycling through the awkward values."""
    india = timezone(timedelta(hours=5, minutes=30))
    out = []
    for i in range(n):
        j = i + offset
        sources, schemas = LISTS[j % len(LISTS)]
        e = {
            "prompt_id": prompt,
            "event_id": str(uuid.uuid4()),
            "version_hash": ["a", "b", "c"][j % 3],
            "status": ["completed", "failed", "processing"][j % 3],
            "latency_ms": LATENCIES[j % len(LATENCIES)],
            "cost_usd": COSTS[j % len(COSTS)],
            "score": None if j % 4 == 0 else j / 7,
            "total_duration_ms": None if j % 5 == 0 else 100.0 + j / 3,
            "data_source_ids": sources,
            "schema_names": schemas,
            "timestamp": (start + timedelta(minutes=i, seconds=59, microseconds=999_999)).astimezone(india).isoformat(),
        }
        out.append({k: v for k, v in e.items() if v is not None})
    return out


async def _post_and_drain(client, tenant, events: list[dict]) -> None:
    r = await client.post("/api/v1/prompts/analytics/batch", json={"events": events}, headers=tenant.key_headers)
    assert r.status_code == 202, r.text
    await jobs.drain_ingest(CTX)


async def _minute_rows_equal_stored_rows(prompt_id: int) -> int:
    stored: dict = defaultdict(Accumulator)
    for r in await PromptExecution.filter(prompt_id=prompt_id).values(*RAW_FIELDS):
        stored[(minute_floor(r["occurred_at"]), r["version_hash"] or "", r["status"])].add_row(r)
    rows = await PromptRollupMinute.filter(prompt_id=prompt_id).values(*ROLLUP_COLUMNS)
    got = {(r["bucket_start"].astimezone(UTC), r["version_hash"], r["status"]): Accumulator.of_rollup(r) for r in rows}
    assert set(got) == set(stored)
    for k, want in stored.items():
        acc = got[k]
        assert (acc.count, acc.success, acc.failure) == (want.count, want.success, want.failure), k
        assert acc.totals == {m: [s, n, q] for m, (s, n, q) in want.totals.items()}, k  # exact
        assert acc.latency.to_json() == want.latency.to_json(), k
        assert (acc.latency.zeros, acc.latency.count) == (want.latency.zeros, want.latency.count), k
        assert (acc.data_sources, acc.schemas) == (want.data_sources, want.schemas), k
        assert acc.max_occurred_at == want.max_occurred_at, k
    return len(stored)


async def test_each_way_of_summing_a_batch_adds_exactly_its_stored_rows(client, make_tenant):
    tenant = await make_tenant("member")
    prompt = str(uuid.uuid4())
    start = minute_floor(datetime.now(UTC) - timedelta(hours=2))

    fresh = _events(prompt, start, 36, 0)
    await _post_and_drain(client, tenant, fresh)
    prompt_id = (await Prompt.get(organization_id=tenant.organization_id, uuid=prompt)).id
    assert await _minute_rows_equal_stored_rows(prompt_id) == 36
    stored = await PromptExecution.filter(prompt_id=prompt_id).values_list("cost_usd", flat=True)
    rounded = {Decimal("0.12345679"), Decimal(0), Decimal("0.3"), Decimal("0.00000002"), Decimal("1000000")}
    assert rounded <= set(stored)  # half away from zero, at 8 places, from the float's 15 digits

    # a redelivery: stored ids again, with fresh ones
    await _post_and_drain(client, tenant, fresh[::3] + _events(prompt, start + timedelta(minutes=36), 18, 36))
    assert await _minute_rows_equal_stored_rows(prompt_id) == 54

    # ids without a time: the look-up decides (and a second send of the same is skipped)
    probing = [{k: v for k, v in e.items() if k != "timestamp"} for e in _events(prompt, start, 9, 54)]
    await _post_and_drain(client, tenant, probing)
    await _post_and_drain(client, tenant, probing[:4])
    assert await PromptExecution.filter(prompt_id=prompt_id).count() == 63
    assert await _minute_rows_equal_stored_rows(prompt_id) > 54
