"""Hourly and daily rollups of prompt executions, kept fresh by marking buckets dirty.

The drain marks ``(prompt, hour)`` dirty after its events are committed (a Redis
sorted set per prompt, scored by mark time).  The rollup job rebuilds each dirty
hour whole from raw events, then re-merges the days those hours belong to from
their hourly rows, and only then clears the mark (unless it was re-marked while
rebuilding).  Queries treat still-dirty hours as raw and days holding a dirty hour
as hourly, so answers are always exactly what the raw events say.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from models.prompts import Prompt, PromptExecution, PromptRollupDaily, PromptRollupHourly, RollupFields
from services.core.config import get_settings
from services.core.redis_client import get_redis, key
from services.rollups.sketch import Sketch

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
DIRTY_PROMPTS = "rollup:dirty"  # zset: "org:prompt" -> last mark time
MEASURES = ("total_duration_ms", "ai_response_time_ms", "query_execution_time_ms", "latency_ms", "cost_usd", "score")
RAW_FIELDS = ("version_hash", "status", *MEASURES, "data_source_ids", "schema_names", "occurred_at")
ROLLUP_COLUMNS = (
    "prompt_id",
    "version_hash",
    "status",
    "bucket_start",
    "count",
    "totals",
    "data_sources",
    "schemas",
    "sketches",
    "max_occurred_at",
)

# Remove a member only if it was not re-marked after the rebuild started.
CLEAR_IF_OLDER = """
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) <= tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
"""


# Every member of each key (one round trip instead of a pipeline of ZRANGEs).
_ALL_MEMBERS = """
local out = {}
for i, k in ipairs(KEYS) do out[i] = redis.call('ZRANGE', k, 0, -1) end
return out
"""


def hour_floor(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day_floor(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _dirty_key(prompt_id: int) -> str:
    return key("rollup", "dirty", prompt_id)


async def mark_dirty(events: Iterable[tuple[int, int, datetime]]) -> None:
    buckets: dict[tuple[int, int], set[int]] = {}
    for org, prompt_id, occurred in events:
        buckets.setdefault((org, prompt_id), set()).add(int(hour_floor(occurred).timestamp()))
    if not buckets:
        return
    now = time.time()
    async with get_redis().pipeline(transaction=True) as pipe:
        for (org, prompt_id), hours in buckets.items():
            pipe.zadd(_dirty_key(prompt_id), {str(h): now for h in hours})
            pipe.zadd(key(DIRTY_PROMPTS), {f"{org}:{prompt_id}": now})
        await pipe.execute()


async def dirty_hours(*prompt_ids: int) -> dict[int, set[datetime]]:
    """Hours still marked dirty, per prompt: one script call however many prompts."""
    if not prompt_ids:
        return {}
    redis = get_redis()
    replies = await redis.register_script(_ALL_MEMBERS)(keys=[_dirty_key(pid) for pid in prompt_ids])
    return {
        pid: {datetime.fromtimestamp(int(h), UTC) for h in hours}
        for pid, hours in zip(prompt_ids, replies, strict=True)
    }


def _three(values: list[float]) -> list[float]:
    """``[sum, n, sum of squares]`` (rows written before sums of squares have two)."""
    out = list(values[:3])
    return out + [0.0] * (3 - len(out))


@dataclass
class Accumulator:
    """Counts, sums and sketches for one slice of executions (a bucket, a window, a version)."""

    count: int = 0
    success: int = 0
    failure: int = 0
    totals: dict[str, list[float]] = field(default_factory=dict)  # measure -> [sum, n, sum of squares]
    data_sources: dict[str, int] = field(default_factory=dict)
    schemas: dict[str, int] = field(default_factory=dict)
    latency: Sketch = field(default_factory=Sketch)
    max_occurred_at: datetime | None = None
    # Set on accumulators a cache hands out to many readers: merging into one is a bug.
    shared: bool = field(default=False, compare=False, repr=False)

    def add_row(self, row: dict[str, Any]) -> None:
        self.count += 1
        if row["status"] == "completed":
            self.success += 1
        elif row["status"] == "failed":
            self.failure += 1
        for m in MEASURES:
            v = row.get(m)
            if v is not None:
                t = self.totals.setdefault(m, [0.0, 0, 0.0])
                t[0] += float(v)
                t[1] += 1
                t[2] += float(v) * float(v)
        if row.get("latency_ms") is not None:
            self.latency.add(float(row["latency_ms"]))
        for ds in row.get("data_source_ids") or []:
            self.data_sources[str(ds)] = self.data_sources.get(str(ds), 0) + 1
        for sc in row.get("schema_names") or []:
            self.schemas[sc] = self.schemas.get(sc, 0) + 1
        occurred = row.get("occurred_at")
        if occurred is not None and (self.max_occurred_at is None or occurred > self.max_occurred_at):
            self.max_occurred_at = occurred

    @classmethod
    def of_rollup(cls, r: Mapping[str, Any]) -> Accumulator:
        """One rollup row, as read with ``.values(*ROLLUP_COLUMNS)``, as an accumulator of its own."""
        n = r["count"]
        acc = cls(
            count=n,
            success=n if r["status"] == "completed" else 0,
            failure=n if r["status"] == "failed" else 0,
            totals={m: list(values) if len(values) == 3 else _three(values) for m, values in r["totals"].items()},
            data_sources=dict(r["data_sources"]),
            schemas=dict(r["schemas"]),
            max_occurred_at=r["max_occurred_at"],
        )
        acc.latency = Sketch.dense_from_json(r["sketches"].get("latency_ms"))
        return acc

    def add_rollup(self, r: Mapping[str, Any]) -> None:
        self.merge(Accumulator.of_rollup(r))

    def merge(self, other: Accumulator) -> Accumulator:
        """Fold another slice into this one (e.g. many prompts into an organization total)."""
        if self.shared:
            raise RuntimeError("this accumulator is shared by a cache: merge it into a new one instead")
        self.count += other.count
        self.success += other.success
        self.failure += other.failure
        totals = self.totals
        for m, values in other.totals.items():
            t = totals.get(m)
            if t is None:
                totals[m] = [values[0], values[1], values[2]]
            else:
                t[0] += values[0]
                t[1] += values[1]
                t[2] += values[2]
        for k, n in other.data_sources.items():
            self.data_sources[k] = self.data_sources.get(k, 0) + n
        for k, n in other.schemas.items():
            self.schemas[k] = self.schemas.get(k, 0) + n
        self.latency.merge(other.latency)
        if other.max_occurred_at and (self.max_occurred_at is None or other.max_occurred_at > self.max_occurred_at):
            self.max_occurred_at = other.max_occurred_at
        return self

    def n(self, measure: str) -> int:
        return int(self.totals.get(measure, (0.0, 0))[1])

    def avg(self, measure: str) -> float | None:
        s, n = self.totals.get(measure, (0.0, 0))[:2]
        return s / n if n else None

    def total(self, measure: str) -> float:
        return self.totals.get(measure, (0.0, 0))[0]

    def variance(self, measure: str) -> float | None:
        """Sample variance (n - 1), from the running sums; None below two values."""
        t = self.totals.get(measure)
        if not t or len(t) < 3 or t[1] < 2:
            return None
        s, n, sq = t[0], t[1], t[2]
        return max(0.0, (sq - s * s / n) / (n - 1))

    def as_row_fields(self) -> dict[str, Any]:
        """The columns a rollup row stores for this accumulator."""
        return {
            "count": self.count,
            "totals": self.totals,
            "data_sources": self.data_sources,
            "schemas": self.schemas,
            "sketches": {"latency_ms": self.latency.to_json()},
            "max_occurred_at": self.max_occurred_at,
        }


async def rebuild_bucket(organization_id: int, prompt_id: int, bucket: datetime) -> int:
    """Recompute one prompt-hour from raw events (idempotent). Returns rollup rows written."""
    rows = await PromptExecution.filter(
        prompt_id=prompt_id, occurred_at__gte=bucket, occurred_at__lt=bucket + HOUR
    ).values(*RAW_FIELDS)
    groups: dict[tuple[str, str], Accumulator] = {}
    for row in rows:
        groups.setdefault((row["version_hash"] or "", row["status"]), Accumulator()).add_row(row)
    await _replace(PromptRollupHourly, organization_id, prompt_id, bucket, groups)
    return len(groups)


async def rebuild_day(organization_id: int, prompt_id: int, day: datetime) -> int:
    """Re-merge one prompt-day from its hourly rows (idempotent). Returns rollup rows written."""
    hourly = PromptRollupHourly.filter(prompt_id=prompt_id, bucket_start__gte=day, bucket_start__lt=day + DAY)
    groups: dict[tuple[str, str], Accumulator] = {}
    for r in await hourly.values(*ROLLUP_COLUMNS):
        groups.setdefault((r["version_hash"], r["status"]), Accumulator()).add_rollup(r)
    await _replace(PromptRollupDaily, organization_id, prompt_id, day, groups)
    return len(groups)


async def _replace(
    model: type[RollupFields],
    organization_id: int,
    prompt_id: int,
    bucket: datetime,
    groups: dict[tuple[str, str], Accumulator],
) -> None:
    rows = [
        model(
            organization_id=organization_id,
            prompt_id=prompt_id,
            version_hash=vhash,
            status=status,
            bucket_start=bucket,
            **acc.as_row_fields(),
        )
        for (vhash, status), acc in groups.items()
    ]
    async with in_transaction():
        await model.filter(prompt_id=prompt_id, bucket_start=bucket).delete()
        if rows:
            await model.bulk_create(rows)


async def rebuild_dirty(max_prompts: int = 500) -> int:
    """Rebuild every dirty hour (then its day) of up to ``max_prompts`` prompts. Returns hours rebuilt."""
    redis = get_redis()
    clear = redis.register_script(CLEAR_IF_OLDER)
    rebuilt = 0
    for member in await redis.zrange(key(DIRTY_PROMPTS), 0, max_prompts - 1):
        started = time.time()
        org, prompt_id = (int(x) for x in member.split(":"))
        hours = await redis.zrange(_dirty_key(prompt_id), 0, -1)
        days: set[datetime] = set()
        for hour in hours:
            start = datetime.fromtimestamp(int(hour), UTC)
            await rebuild_bucket(org, prompt_id, start)
            days.add(day_floor(start))
            rebuilt += 1
        for day in sorted(days):
            await rebuild_day(org, prompt_id, day)
        # Only now may readers trust the rollups of these hours (and of their days).
        for hour in hours:
            await clear(keys=[_dirty_key(prompt_id)], args=[hour, started])
        await clear(keys=[key(DIRTY_PROMPTS)], args=[member, started])
    return rebuilt


async def rebuild_all(organization_id: int | None = None) -> int:
    """Recompute every rollup from raw events (CLI ``rebuild-rollups``, ``seed-demo``).

    One streaming pass per prompt in ``occurred_at`` order (two prompts at a time on
    PostgreSQL): an hour's groups are finished as soon as the stream leaves that hour and
    are bulk-written, so memory stays bounded and millions of events cost one query per
    prompt, not one per hour.  Each prompt is replaced in one transaction (readers see the
    old rows until it commits).  The rows equal what ``rebuild_bucket`` writes for each
    hour.  Returns prompt-hours written.
    """
    prompts = Prompt.all()
    if organization_id is not None:
        prompts = prompts.filter(organization_id=organization_id)
    todo = iter(await prompts.order_by("id").values_list("organization_id", "id"))

    async def worker() -> int:
        return sum([await _rebuild_prompt(org, prompt_id) for org, prompt_id in todo])

    # PostgreSQL: two prompts at a time, so one's server-side scan overlaps the other's
    # accumulation in Python.  SQLite has one connection: one transaction at a time.
    buckets = sum(await asyncio.gather(*(worker() for _ in range(2 if get_settings().is_postgres else 1))))
    # rollups whose prompt is gone (deleted prompts cascade their events, not their rollups)
    stale = PromptRollupHourly.exclude(prompt_id__in=Subquery(Prompt.all().values("id")))
    if organization_id is not None:
        stale = stale.filter(organization_id=organization_id)
    await stale.delete()
    await rebuild_all_days(organization_id)
    return buckets


async def rebuild_all_days(organization_id: int | None = None) -> int:
    """Re-merge every daily rollup from the hourly ones, one prompt at a time. Returns rows written."""
    query = PromptRollupHourly.all()
    if organization_id is not None:
        query = query.filter(organization_id=organization_id)
    pairs = await query.distinct().values_list("organization_id", "prompt_id")
    stale = PromptRollupDaily.exclude(prompt_id__in=Subquery(Prompt.all().values("id")))
    if organization_id is not None:
        stale = stale.filter(organization_id=organization_id)
    await stale.delete()
    written = 0
    for org, prompt_id in pairs:
        groups: dict[datetime, dict[tuple[str, str], Accumulator]] = {}
        for r in await PromptRollupHourly.filter(prompt_id=prompt_id).values(*ROLLUP_COLUMNS):
            day = groups.setdefault(day_floor(r["bucket_start"]), {})
            day.setdefault((r["version_hash"], r["status"]), Accumulator()).add_rollup(r)
        rows = [
            PromptRollupDaily(
                organization_id=org,
                prompt_id=prompt_id,
                version_hash=v,
                status=st,
                bucket_start=d,
                **acc.as_row_fields(),
            )
            for d, by_key in groups.items()
            for (v, st), acc in by_key.items()
        ]
        async with in_transaction():
            await PromptRollupDaily.filter(prompt_id=prompt_id).delete()
            await PromptRollupDaily.bulk_create(rows, batch_size=1000)
        written += len(rows)
    return written


STREAM_CHUNK = 5000  # raw rows fetched, and rollup rows written, per round trip


def rollup_row(
    organization_id: int, prompt_id: int, version_hash: str, status: str, bucket: datetime, acc: Accumulator
) -> PromptRollupHourly:
    """The rollup row ``rebuild_bucket`` writes for one group of one hour."""
    return PromptRollupHourly(
        organization_id=organization_id,
        prompt_id=prompt_id,
        version_hash=version_hash,
        status=status,
        bucket_start=bucket,
        **acc.as_row_fields(),
    )


async def _rebuild_prompt(organization_id: int, prompt_id: int) -> int:
    buckets = 0
    pending: list[PromptRollupHourly] = []
    groups: dict[tuple[str, str], Accumulator] = {}
    bucket: datetime | None = None
    bucket_end: datetime | None = None
    async with in_transaction() as tx:

        async def finish_hour() -> None:
            nonlocal buckets, pending
            if bucket is None or not groups:
                return
            buckets += 1
            pending.extend(rollup_row(organization_id, prompt_id, v, s, bucket, acc) for (v, s), acc in groups.items())
            groups.clear()
            if len(pending) >= STREAM_CHUNK:
                await PromptRollupHourly.bulk_create(pending, batch_size=1000, using_db=tx)
                pending = []

        await PromptRollupHourly.filter(prompt_id=prompt_id).using_db(tx).delete()
        async for row in _stream_executions(tx, prompt_id):
            occurred = row["occurred_at"]
            if bucket_end is None or occurred >= bucket_end:
                await finish_hour()
                bucket = hour_floor(occurred)
                bucket_end = bucket + HOUR
            vhash = row["version_hash"] or ""
            acc = groups.get((vhash, row["status"]))
            if acc is None:
                acc = groups[(vhash, row["status"])] = Accumulator()
            acc.add_row(row)
        await finish_hour()
        if pending:
            await PromptRollupHourly.bulk_create(pending, batch_size=1000, using_db=tx)
    return buckets


async def _stream_executions(tx: Any, prompt_id: int) -> AsyncIterator[dict[str, Any]]:
    """A prompt's raw rows in ``occurred_at`` order, as ``rebuild_bucket`` reads them, in chunks.

    PostgreSQL: a server-side cursor on the transaction's connection, JSON columns read as
    text and parsed once per distinct value (runs repeat a handful of source/schema lists);
    the parsed lists are shared between rows, which ``add_row`` only reads.
    SQLite: keyset pages over the ``(prompt_id, occurred_at)`` index.
    """
    if get_settings().is_postgres:
        json_fields = ("data_source_ids", "schema_names")
        columns = ", ".join(f"{f}::text" if f in json_fields else f for f in RAW_FIELDS)
        # occurred_at alone: the (prompt_id, occurred_at) index delivers that order, no sort
        sql = f"SELECT {columns} FROM prompt_executions WHERE prompt_id = $1 ORDER BY occurred_at"
        parsed: dict[str, Any] = {}
        async with tx.acquire_connection() as conn:
            await conn.execute("SET LOCAL jit = off")  # compiling costs more than it saves on a cursor
            cursor = await conn.cursor(sql, prompt_id)

        async def fetch() -> list[Any]:
            async with tx.acquire_connection():  # the lock only: rollup writes share this connection
                rows: list[Any] = await cursor.fetch(STREAM_CHUNK)
                return rows

        # double-buffered: the server reads the next chunk while this one is accumulated
        ahead = asyncio.ensure_future(fetch())
        try:
            while records := await ahead:
                ahead = asyncio.ensure_future(fetch())
                await asyncio.sleep(0)  # let the prefetch send its request
                for record in records:
                    row = dict(zip(RAW_FIELDS, record, strict=True))
                    for k in json_fields:
                        text = row[k]
                        if text not in parsed:
                            parsed[text] = json.loads(text)
                        row[k] = parsed[text]
                    yield row
        finally:
            if not ahead.done():
                ahead.cancel()
        return
    last: tuple[datetime, int] | None = None
    while True:
        page = PromptExecution.filter(prompt_id=prompt_id).using_db(tx)
        if last is not None:
            page = page.filter(Q(occurred_at__gt=last[0]) | Q(occurred_at=last[0], id__gt=last[1]))
        rows = await page.order_by("occurred_at", "id").limit(STREAM_CHUNK).values("id", *RAW_FIELDS)
        for row in rows:
            yield row
        if len(rows) < STREAM_CHUNK:
            return
        last = (rows[-1]["occurred_at"], rows[-1]["id"])
