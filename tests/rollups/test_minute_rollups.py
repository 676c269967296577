"""Minute rollups: written by the drain with the hourly and daily rows, read for what whole hours do
not answer (sub-hour windows, ragged edges), trusted only inside their coverage and for clean hours,
pruned past their horizon."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from models.prompts import Prompt, PromptExecution, PromptRollupMinute, RollupLevel
from services.rollups import build
from services.rollups.build import RAW_FIELDS, Accumulator, minute_floor
from services.rollups.query import accumulate_slices
from tests.rollups.test_rollup_query import _post, _same
from workers import jobs

CTX = {"worker_id": "test-minute-rollups"}  # for the rollup job


def _event(rng: random.Random, pid: uuid.UUID, when: datetime) -> dict:
    e = {
        "prompt_id": str(pid),
        "version_hash": rng.choice(["a", "b"]),
        "status": rng.choice(["completed", "completed", "failed"]),
        "latency_ms": rng.choice([None, 0.0, round(rng.uniform(1, 900), 3)]),
        "cost_usd": round(rng.uniform(0, 0.01), 6),
        "score": rng.choice([None, round(rng.uniform(0, 100), 2)]),
        "data_source_ids": rng.sample([1, 2, 3], rng.randint(0, 2)),
        "schema_names": rng.sample(["orders", "users"], rng.randint(0, 2)),
        "timestamp": when.isoformat(),
    }
    if e["latency_ms"] is None:
        del e["latency_ms"]
    return e


async def _raw(ids: list[int], start: datetime, end: datetime) -> dict:
    want: dict = defaultdict(Accumulator)
    query = PromptExecution.filter(prompt_id__in=ids, occurred_at__gte=start, occurred_at__lte=end)
    for row in await query.values("prompt_id", *RAW_FIELDS):
        want[(row["prompt_id"], row["version_hash"], None)].add_row(row)
    return want


async def _check(ids: list[int], start: datetime, end: datetime) -> None:
    want = await _raw(ids, start, end)
    got = await accumulate_slices(ids, start, end, by_version=True)
    assert {k for k, acc in got.items() if acc.count} == set(want), (start, end)
    for k, acc in want.items():
        _same(got[k], acc, (k, start, end))


async def test_minute_rows_equal_the_raw_events_and_answer_sub_hour_windows(client, make_tenant):
    rng = random.Random(3)
    tenant = await make_tenant("member")
    uuids = [uuid.uuid4(), uuid.uuid4()]
    now = datetime.now(UTC)
    events = [_event(rng, rng.choice(uuids), now - timedelta(seconds=rng.uniform(0, 7200))) for _ in range(900)]
    await _post(client, tenant, events)
    ids = [(await Prompt.get(uuid=u)).id for u in uuids]

    # every minute row is the sum of its minute's raw events
    rows = await PromptRollupMinute.filter(prompt_id__in=ids).values(*build.ROLLUP_COLUMNS)
    assert rows
    stored: dict = defaultdict(Accumulator)
    for r in await PromptExecution.filter(prompt_id__in=ids).values("prompt_id", *RAW_FIELDS):
        stored[(r["prompt_id"], minute_floor(r["occurred_at"]), r["version_hash"], r["status"])].add_row(r)
    assert len(rows) == len(stored)
    for r in rows:
        k = (r["prompt_id"], r["bucket_start"].astimezone(UTC), r["version_hash"], r["status"])
        _same(Accumulator.of_rollup(r), stored[k], k)

    # windows that whole hours do not answer, ending now or earlier, with ragged minutes
    end = datetime.now(UTC)
    cases = [(end - timedelta(minutes=m), end) for m in (1, 5, 17, 60, 90)]
    for _ in range(8):
        a, b = sorted(rng.uniform(0, 7300) for _ in range(2))
        cases.append((end - timedelta(seconds=b), end - timedelta(seconds=a)))
    cases.append((minute_floor(end) - timedelta(minutes=30), minute_floor(end)))  # whole minutes
    for start, stop in cases:
        await _check(ids, start, stop)

    # the answer comes from the minute rows: with the raw events of the window's whole minutes
    # gone behind the rollups' back, a 5-minute window still counts them ...
    start = minute_floor(end) - timedelta(minutes=5)
    before = await accumulate_slices(ids, start, minute_floor(end) - timedelta(microseconds=1))
    whole = PromptExecution.filter(prompt_id__in=ids, occurred_at__gte=start, occurred_at__lt=minute_floor(end))
    gone = await whole.count()
    assert gone > 0
    await whole.delete()
    after = await accumulate_slices(ids, start, minute_floor(end) - timedelta(microseconds=1))
    assert sum(a.count for a in after.values()) == sum(a.count for a in before.values()) >= gone
    # ... until the hour is marked dirty (a repair): then raw events answer, and the rebuild makes
    # the minute rows agree with them again
    await build.mark_dirty([(tenant.organization_id, pid, start) for pid in ids])
    await build.mark_dirty([(tenant.organization_id, pid, end) for pid in ids])
    await _check(ids, start, minute_floor(end) - timedelta(microseconds=1))
    await jobs.refresh_rollups(CTX)
    assert await build.dirty_hours(*ids) == {pid: set() for pid in ids}
    after = await accumulate_slices(ids, start, minute_floor(end) - timedelta(microseconds=1))
    assert sum(a.count for a in after.values()) == sum(a.count for a in before.values()) - gone
    await _check(ids, start, end)


async def test_charts_of_sub_hour_buckets_equal_the_raw_events(client, make_tenant):
    """Buckets of whole minutes from a whole minute (the 1h/6h/12h charts: 5, 15, 30 minutes) read
    minute rows; every slice equals the raw events', as does a read whose origin is not a whole
    minute (raw)."""
    from services.analytics.windows import buckets_for

    rng = random.Random(4)
    tenant = await make_tenant("member")
    uuids = [uuid.uuid4(), uuid.uuid4()]
    now = datetime.now(UTC)
    events = [_event(rng, rng.choice(uuids), now - timedelta(seconds=rng.uniform(0, 13 * 3600))) for _ in range(800)]
    await _post(client, tenant, events)
    ids = [(await Prompt.get(uuid=u)).id for u in uuids]
    cases = [(b.start, b.end - timedelta(microseconds=1), b.size) for b in map(buckets_for, ("1h", "6h", "12h"))]
    cases.append((now - timedelta(hours=2, seconds=7), now, timedelta(minutes=10)))  # origin inside a minute
    for start, end, size in cases:
        want: dict = defaultdict(Accumulator)
        query = PromptExecution.filter(prompt_id__in=ids, occurred_at__gte=start, occurred_at__lte=end)
        for row in await query.values("prompt_id", *RAW_FIELDS):
            slot = start + ((row["occurred_at"].astimezone(UTC) - start) // size) * size
            want[(row["prompt_id"], row["version_hash"], slot)].add_row(row)
        got = await accumulate_slices(ids, start, end, by_version=True, bucket=size)
        assert {k for k, acc in got.items() if acc.count} == set(want), (start, size)
        for k, acc in want.items():
            _same(got[k], acc, (k, size))
    # the 12-hour chart comes from the minute rows: raw events of its whole minutes gone, same counts
    b = buckets_for("12h")
    before = await accumulate_slices(ids, b.start, b.end - timedelta(microseconds=1), bucket=b.size)
    await PromptExecution.filter(
        prompt_id__in=ids, occurred_at__gte=b.start, occurred_at__lt=minute_floor(now)
    ).delete()
    after = await accumulate_slices(ids, b.start, b.end - timedelta(microseconds=1), bucket=b.size)
    assert {k: a.count for k, a in after.items()} == {k: a.count for k, a in before.items()}


async def test_the_last_minute_holding_later_events_is_read_raw(client, make_tenant):
    """A window ending inside a minute whose row holds events after its end: that minute comes from raw
    events, the minutes before it from their rows."""
    rng = random.Random(8)
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    m = minute_floor(datetime.now(UTC)) - timedelta(minutes=3)
    times = [m - timedelta(minutes=2, seconds=5), m + timedelta(seconds=10), m + timedelta(seconds=40)]
    await _post(client, tenant, [_event(rng, pid, t) for t in times for _ in range(5)])
    ids = [(await Prompt.get(uuid=pid)).id]
    got = await accumulate_slices(ids, m - timedelta(minutes=4), m + timedelta(seconds=20))
    assert sum(a.count for a in got.values()) == 10
    await _check(ids, m - timedelta(minutes=4), m + timedelta(seconds=20))
    await _check(ids, m - timedelta(minutes=2, seconds=5), m + timedelta(seconds=40))


async def test_minute_rows_are_trusted_from_their_migration_and_pruned_past_the_horizon(client, make_tenant):
    """On a database that already held executions, the migration that added the minute rows records
    that they are complete from EVENT_MAX_FUTURE and a clock margin after it (a drain of the previous
    version may still store events that far ahead); reads before that minute do not use them. (On an
    empty database they are complete from the start: tests/operations/test_migrations.py.) The
    rollup job prunes rows past the horizon."""
    import glob
    from pathlib import Path

    from tortoise import connections

    dialect = "postgres" if build.get_settings().is_postgres else "sqlite"
    [migration] = glob.glob(str(Path(__file__).parents[2] / f"migrations/{dialect}/models/*_minute_rollups.py"))
    with open(migration) as f:  # noqa: ASYNC230 (a small local file, read once)
        text = f.read()
    insert = text[text.index('INSERT INTO "rollup_levels"') :].split(";")[0]
    level = await RollupLevel.get(name=build.MINUTE_LEVEL)
    rng = random.Random(2)
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    before = datetime.now(UTC)
    await _post(client, tenant, [_event(rng, pid, before - timedelta(minutes=30))])
    ids = [(await Prompt.get(uuid=pid)).id]
    try:
        await RollupLevel.filter(name=build.MINUTE_LEVEL).delete()
        build._MINUTE_LEVEL_SEEN.clear()
        assert await build.minute_rows_from() is None
        await connections.get("default").execute_script(insert)  # this database holds executions
        written = (await RollupLevel.get(name=build.MINUTE_LEVEL)).complete_from.astimezone(UTC)
        margin = build.MINUTE + build.MINUTE_LEVEL_MARGIN
        assert minute_floor(before) + margin <= written <= minute_floor(datetime.now(UTC)) + margin
        assert await build.minute_rows_from() == written
        # the raw event is the only witness: the minute row, before the coverage, is not read
        await PromptRollupMinute.filter(prompt_id__in=ids).delete()
        await _check(ids, before - timedelta(minutes=45), before)
    finally:
        await RollupLevel.filter(name=build.MINUTE_LEVEL).delete()
        await RollupLevel.create(name=build.MINUTE_LEVEL, complete_from=level.complete_from)
        build._MINUTE_LEVEL_SEEN.clear()

    old = datetime.now(UTC) - timedelta(hours=build.get_settings().minute_rollup_hours, minutes=3)
    await _post(client, tenant, [_event(rng, pid, old)])
    assert not await PromptRollupMinute.filter(prompt_id__in=ids, bucket_start__lt=old).exists()  # not written
    stale = await PromptRollupMinute.create(
        organization_id=tenant.organization_id, prompt_id=ids[0], status="completed", bucket_start=minute_floor(old)
    )
    pruned = await jobs.refresh_rollups(CTX)
    assert pruned["minutes_pruned"] >= 1 and not await PromptRollupMinute.filter(id=stale.id).exists()
    await _check(ids, old - timedelta(minutes=1), datetime.now(UTC))


async def test_cached_minute_rows_leave_when_unused_and_hourly_rows_stay(client, make_tenant):
    """A process's parsed-row cache drops a minute row unused for MINUTE_ROW_IDLE: the minutes
    that slid out of every reader's window would otherwise stay until the cache is full."""
    from models.prompts import PromptRollupHourly
    from services.rollups.query import MINUTE_ROW_IDLE, _ParsedRows

    rng = random.Random(5)
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    now = datetime.now(UTC)
    await _post(client, tenant, [_event(rng, pid, now - timedelta(minutes=rng.uniform(10, 40))) for _ in range(200)])
    prompt = await Prompt.get(uuid=pid)
    minutes = await PromptRollupMinute.filter(prompt_id=prompt.id).order_by("bucket_start").values_list("id", flat=True)
    hours = await PromptRollupHourly.filter(prompt_id=prompt.id).values_list("id", flat=True)
    assert len(minutes) > 10 and hours

    clock = [1000.0]
    cache = _ParsedRows(10_000, clock=lambda: clock[0])
    await cache.get(PromptRollupMinute, list(minutes))
    await cache.get(PromptRollupHourly, list(hours))
    assert len(cache.rows) == len(minutes) + len(hours)
    read_again = list(minutes[-5:])  # a window that still covers the newest minutes
    clock[0] += MINUTE_ROW_IDLE - 1
    got = await cache.get(PromptRollupMinute, read_again)
    assert set(got) == set(read_again)
    clock[0] += 2  # past the idle time of the minutes not read again
    await cache.get(PromptRollupHourly, [])
    assert {i for t, i in cache.rows if t == PromptRollupMinute._meta.db_table} == set(read_again)
    assert {i for t, i in cache.rows if t == PromptRollupHourly._meta.db_table} == set(hours)
    clock[0] += 10 * MINUTE_ROW_IDLE
    await cache.get(PromptRollupMinute, [])
    assert len(cache.rows) == len(hours) and not cache.minutes_used
