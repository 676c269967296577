"""Rollups kept current by the drain: reads equal raw events while two drains run concurrently.

Random scenarios (Hypothesis): batches of events over three prompts, three versions, every
status, spread over 50 hours (hour and day boundaries), some of them late (into hours
already rolled up) and some re-sent (an SDK retry: same event id and time, in the same or a
later batch).  They are posted to the batch ingest route and drained by two consumers at
once (on PostgreSQL two connections and two transactions; SQLite serializes them), while a
reader reads random windows -- and, now and then, a repair rebuilds a random hour from raw
events under the prompt lock.  Checked:

* during the drains: every slice's count lies between the raw counts before and after them
  (nothing counted twice, nothing committed before the drains missed);
* between batches (quiescent) and at the end: every field of every slice -- counts by
  status, sums, sums of squares, latency sketch, data sources, schemas, latest time --
  equals the same slice aggregated from the raw rows, through the service and over HTTP;
* at the end: every hourly and daily rollup row equals what ``rebuild_bucket`` and
  ``rebuild_day`` write from raw events, and nothing is marked dirty.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.prompts import Prompt, PromptExecution, PromptRollupDaily, PromptRollupHourly
from services.core.redis_client import get_redis, key
from services.ingest import pipeline as prompt_ingest
from services.rollups import build as rollups
from services.rollups.build import RAW_FIELDS, ROLLUP_COLUMNS, Accumulator, day_floor, hour_floor
from services.rollups.query import accumulate_slices

HOURS = 50
BASE = hour_floor(datetime.now(UTC)) - timedelta(hours=HOURS)  # the last event hour is the one before now's
VERSIONS = ("a", "b", "c")
STATUSES = ("completed", "failed", "processing")


@dataclass
class Scenario:
    batches: list[list[dict[str, Any]]] = field(default_factory=list)
    reads: list[tuple[int, int, str, bool]] = field(default_factory=list)  # start s, length s, bucket, by version


_event = st.fixed_dictionaries(
    {
        "p": st.integers(0, 2),
        "version_hash": st.sampled_from(VERSIONS),
        "status": st.sampled_from(STATUSES),
        "at": st.integers(0, HOURS * 3600 - 1),
        "latency_ms": st.one_of(st.none(), st.just(0.0), st.floats(0.5, 5000).map(lambda v: round(v, 3))),
        "cost_usd": st.one_of(st.none(), st.integers(0, 10_000).map(lambda v: v / 1e6)),
        "score": st.one_of(st.none(), st.integers(0, 100).map(float)),
        "data_source_ids": st.lists(st.integers(1, 4), max_size=2, unique=True),
        "schema_names": st.lists(st.sampled_from(["orders", "users", "ünï"]), max_size=2, unique=True),
        "resend": st.integers(-1, 30),  # >= 0: instead, re-send the event sent that many events ago
    }
)
_read = st.tuples(
    st.integers(-3600, HOURS * 3600),
    st.integers(0, HOURS * 3600),
    st.sampled_from(["none", "hour", "6h", "day"]),
    st.booleans(),
)


def _scenarios(n: int) -> list[Scenario]:
    out: list[Scenario] = []

    @settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(st.lists(_event, min_size=1, max_size=25), min_size=2, max_size=5), st.lists(_read, max_size=6))
    def draw(batches: list[list[dict[str, Any]]], reads: list[tuple[int, int, str, bool]]) -> None:
        out.append(Scenario(batches, reads))

    draw()
    return out


def _bucketed(start_s: int, bucket: str) -> tuple[datetime, timedelta | None]:
    start = BASE + timedelta(seconds=start_s)
    if bucket == "none":
        return start, None
    if bucket == "day":
        return day_floor(start), timedelta(days=1)
    return hour_floor(start), timedelta(hours=1 if bucket == "hour" else 6)


async def _raw(ids: list[int], start: datetime, end: datetime, bucket: timedelta | None, by_version: bool) -> dict:
    """The slices ``accumulate_slices`` should return, aggregated from the raw rows."""
    want: dict = defaultdict(Accumulator)
    query = PromptExecution.filter(prompt_id__in=ids, occurred_at__gte=start, occurred_at__lte=end)
    for row in await query.values("prompt_id", *RAW_FIELDS):
        t = row["occurred_at"].astimezone(UTC)
        slot = start + ((t - start) // bucket) * bucket if bucket else None
        want[(row["prompt_id"], (row["version_hash"] or "") if by_version else None, slot)].add_row(row)
    return want


def _same(got: Accumulator, want: Accumulator, where: Any) -> None:
    assert (got.count, got.success, got.failure) == (want.count, want.success, want.failure), where
    assert set(got.totals) == set(want.totals), where
    for m, (total, n, squares) in want.totals.items():
        g = got.totals[m]
        assert g[1] == n and abs(g[0] - total) <= 1e-7 * max(1.0, abs(total)), (where, m)
        assert abs(g[2] - squares) <= 1e-7 * max(1.0, abs(squares)), (where, m)
    assert (got.latency.count, got.latency.zeros) == (want.latency.count, want.latency.zeros), where
    assert got.latency.to_json() == want.latency.to_json(), where
    assert got.data_sources == want.data_sources and got.schemas == want.schemas, where
    assert got.max_occurred_at == want.max_occurred_at, where


async def _compare(ids: list[int], start: datetime, end: datetime, bucket: timedelta | None, by_version: bool) -> None:
    got = await accumulate_slices(ids, start, end, bucket=bucket, by_version=by_version)
    want = await _raw(ids, start, end, bucket, by_version)
    assert {k for k, a in got.items() if a.count} == set(want), (start, end, bucket, by_version)
    for k, acc in want.items():
        _same(got[k], acc, (k, start, end, bucket))


async def _counts(ids: list[int], start: datetime, end: datetime, bucket: timedelta | None, by_version: bool) -> dict:
    return {k: a.count for k, a in (await _raw(ids, start, end, bucket, by_version)).items()}


async def _rollup_rows(model: Any, ids: list[int]) -> dict:
    rows = await model.filter(prompt_id__in=ids).values(*ROLLUP_COLUMNS)
    out = {}
    for r in rows:
        out[(r["prompt_id"], r["bucket_start"].astimezone(UTC), r["version_hash"], r["status"])] = (
            Accumulator.of_rollup(r)
        )
    return out


async def _drainer(name: str, rng: random.Random) -> None:
    """Drain until the stream is empty, in small reads: a batch becomes many transactions,
    interleaved between the two consumers."""
    redis = get_redis()
    while True:
        result = await prompt_ingest.drain_once(name, count=rng.randint(1, 6))
        if result.read == 0 and not await redis.xlen(key(prompt_ingest.STREAM)):
            return


async def _drain_while_reading(
    organization_id: int,
    ids: list[int],
    batch: list[dict[str, Any]],
    window: tuple[datetime, datetime, timedelta | None, bool],
    rng: random.Random,
) -> None:
    """Two consumers drain the stream while a reader reads ``window`` at random moments (and now and
    then rebuilds an hour the batch writes into, as a repair would); every read lies between the
    raw counts before the drains and at the time of the read."""
    start, end, bucket, by_version = window
    before = await _counts(ids, start, end, bucket, by_version)
    done = asyncio.Event()

    async def reader() -> None:
        while not done.is_set():
            got = await accumulate_slices(ids, start, end, bucket=bucket, by_version=by_version)
            now = await _counts(ids, start, end, bucket, by_version)
            for k, acc in got.items():
                assert before.get(k, 0) <= acc.count <= now.get(k, 0), (k, start, end, bucket)
            if rng.random() < 0.5:  # an hour (and day) the drains are writing into, rebuilt meanwhile
                e = rng.choice(batch)
                hour = hour_floor(BASE + timedelta(seconds=e["at"]))
                await rollups.rebuild_bucket(organization_id, ids[e["p"]], hour)
                await rollups.rebuild_day(organization_id, ids[e["p"]], day_floor(hour))
            await asyncio.sleep(rng.random() * 0.01)

    async def drains() -> None:
        try:
            await asyncio.gather(_drainer("h1-one", rng), _drainer("h1-two", rng))
        finally:
            done.set()

    await asyncio.gather(drains(), reader())


async def test_reads_equal_raw_events_while_two_drains_run(client, make_tenant):
    tenant = await make_tenant("member")
    prompts = [
        await Prompt.create(organization_id=tenant.organization_id, uuid=uuid.uuid4(), name=f"p{i}") for i in range(3)
    ]
    ids = [p.id for p in prompts]
    sent: list[dict[str, Any]] = []
    rng = random.Random(17)
    await prompt_ingest.ensure_group()

    async def post(batch: list[dict[str, Any]]) -> None:
        events = []
        for e in batch:
            if e["resend"] >= 0 and sent:
                events.append(sent[max(0, len(sent) - 1 - e["resend"])])  # same event id, same time
                continue
            body = {k: v for k, v in e.items() if k not in ("p", "at", "resend") and v is not None}
            body["prompt_id"] = ids[e["p"]]
            body["event_id"] = str(uuid.uuid4())
            body["timestamp"] = (BASE + timedelta(seconds=e["at"], microseconds=rng.randint(0, 999_999))).isoformat()
            sent.append(body)
            events.append(body)
        r = await client.post("/api/v1/prompts/analytics/batch", json={"events": events}, headers=tenant.key_headers)
        assert r.status_code == 202, r.text

    for scenario in _scenarios(12):
        for batch in scenario.batches:
            await post(batch)
            reads = scenario.reads or [(0, HOURS * 3600, "none", True)]
            start_s, length, bucket_name, by_version = reads[len(sent) % len(reads)]
            start, bucket = _bucketed(start_s, bucket_name)
            end = start + timedelta(seconds=length)
            await _drain_while_reading(tenant.organization_id, ids, batch, (start, end, bucket, by_version), rng)
            await _compare(ids, start, end, bucket, by_version)  # quiescent: exact
        for start_s, length, bucket_name, by_version in scenario.reads:
            start, bucket = _bucketed(start_s, bucket_name)
            await _compare(ids, start, start + timedelta(seconds=length), bucket, by_version)

    # everything, through the public HTTP route, against a raw count
    whole = {"period_start": BASE.isoformat(), "period_end": (BASE + timedelta(hours=HOURS)).isoformat()}
    for pid in ids:
        data = (await client.get(f"/api/v1/prompts/{pid}/analytics", params=whole, headers=tenant.headers)).json()
        assert data["data"]["execution_count"] == await PromptExecution.filter(prompt_id=pid).count()
    assert sum(1 for _ in {e["event_id"] for e in sent}) == await PromptExecution.filter(prompt_id__in=ids).count()

    # the rows the drains kept equal what a rebuild from raw events writes; nothing was marked dirty
    assert await rollups.dirty_hours(*ids) == {pid: set() for pid in ids}
    hourly, daily = await _rollup_rows(PromptRollupHourly, ids), await _rollup_rows(PromptRollupDaily, ids)
    for pid in ids:
        for h in range(HOURS):
            await rollups.rebuild_bucket(tenant.organization_id, pid, BASE + timedelta(hours=h))
        for d in sorted({day_floor(BASE + timedelta(hours=h)) for h in range(HOURS)}):
            await rollups.rebuild_day(tenant.organization_id, pid, d)
    rebuilt_hourly, rebuilt_daily = (
        await _rollup_rows(PromptRollupHourly, ids),
        await _rollup_rows(PromptRollupDaily, ids),
    )
    assert {k for k, a in hourly.items() if a.count} == set(rebuilt_hourly)
    assert {k for k, a in daily.items() if a.count} == set(rebuilt_daily)
    for k, acc in rebuilt_hourly.items():
        _same(hourly[k], acc, ("hourly", k))
    for k, acc in rebuilt_daily.items():
        _same(daily[k], acc, ("daily", k))


async def test_legacy_dirty_marks_are_still_read_raw_and_rebuilt(client, make_tenant):
    """Events stored without their rollups (an older drain, a repair) and marked dirty: reads go raw
    for that hour, and the job rebuilds it (and its day) and clears the mark."""
    from workers import jobs

    tenant = await make_tenant("member")
    pid_uuid = uuid.uuid4()
    hour = BASE + timedelta(hours=30)
    first = {"prompt_id": str(pid_uuid), "version_hash": "a", "latency_ms": 10.0, "timestamp": hour.isoformat()}
    r = await client.post("/api/v1/prompts/analytics/batch", json={"events": [first]}, headers=tenant.key_headers)
    assert r.status_code == 202
    await jobs.drain_ingest({"worker_id": "h1-legacy"})
    prompt = await Prompt.get(uuid=pid_uuid)
    # what an older version's drain did: raw rows only, then a mark after the commit
    await PromptExecution.bulk_create(
        [
            PromptExecution(
                event_id=uuid.uuid4(),
                organization_id=tenant.organization_id,
                prompt_id=prompt.id,
                version_hash="b",
                status="failed",
                latency_ms=float(20 + i),
                occurred_at=hour + timedelta(minutes=i),
            )
            for i in range(5)
        ]
    )
    await rollups.mark_dirty([(tenant.organization_id, prompt.id, hour)])
    windows = [
        (BASE, BASE + timedelta(hours=HOURS), None, True),
        (hour + timedelta(minutes=2, seconds=30), BASE + timedelta(hours=HOURS), None, False),
        (day_floor(BASE), day_floor(BASE) + timedelta(days=4), timedelta(days=1), True),
    ]
    for start, end, bucket, by_version in windows:
        await _compare([prompt.id], start, end, bucket, by_version)
    assert (await jobs.refresh_rollups({"worker_id": "h1-legacy"}))["buckets"] >= 1
    assert await rollups.dirty_hours(prompt.id) == {prompt.id: set()}
    for start, end, bucket, by_version in windows:
        await _compare([prompt.id], start, end, bucket, by_version)
