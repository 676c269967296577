"""Hourly and daily rollups of tool calls, kept exact by marking hours dirty.

The ingest writer marks ``(organization, hour)`` dirty after its commit (a Redis sorted set
per organization, scored by mark time, plus a set of organizations with marks).  The
rollup job rebuilds each dirty hour whole from raw rows (one row per user and tool, and one
per tool for the whole organization), re-merges that hour's day from the hourly rows, and
only then clears the mark unless it was re-marked meanwhile.  A window is read as

* whole days inside it from day rows (unless the day holds a dirty hour),
* whole hours at its ends (and the hours of such days) from hour rows,
* the partial hours at its edges and every still-dirty hour from raw rows (on PostgreSQL
  summed in SQL to one row per tool, sketch buckets included, so no raw row reaches Python),

so an answer is always what the raw rows say, and percentiles come from merged sketches.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import orjson
from tortoise import connections
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.prompts import RollupLevel
from models.tools import ToolExecution, ToolRollup
from services.core import cache_stats
from services.core.config import get_settings
from services.core.redis_client import get_redis, key
from services.rollups import (  # the same marks and buckets as prompt rollups
    CLEAR_IF_OLDER,
    MIN_VALUE,
    Sketch,
    day_floor,
    hour_floor,
    key_of,
    sql_key,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
SKETCH_COLUMNS = ("sketch_zeros", "sketch_lo", "sketch_counts")
DIRTY_ORGS = ("tools", "dirty")  # zset: organization id -> last mark time


def _ceil(when: datetime, floor: datetime, step: timedelta) -> datetime:
    return floor if floor == when else floor + step


def _org_key(organization_id: int) -> str:
    return key("tools", "dirty", organization_id)


# --------------------------------------------------------------------------- accumulating


@dataclass
class ToolAccumulator:
    """Counts, duration sum, error types and a sketch of one tool's calls in some slice."""

    calls: int = 0
    errors: int = 0
    duration_sum: float = 0.0
    error_types: dict[str, int] = field(default_factory=dict)
    sketch: Sketch = field(default_factory=Sketch)

    def add_call(self, status: str, error_type: str | None, duration: float) -> None:
        self.calls += 1
        self.duration_sum += duration
        self.sketch.add(duration)
        if status == "error":
            self.errors += 1
            name = error_type or "unknown"
            self.error_types[name] = self.error_types.get(name, 0) + 1

    def add_counts(self, calls: int, errors: int, duration_sum: float, error_types: dict[str, int]) -> None:
        self.calls += calls
        self.errors += errors
        self.duration_sum += duration_sum
        for name, n in error_types.items():
            self.error_types[name] = self.error_types.get(name, 0) + int(n)

    def merge(self, other: ToolAccumulator) -> None:
        self.add_counts(other.calls, other.errors, other.duration_sum, other.error_types)
        self.sketch.merge(other.sketch)


def _sketch_key(duration: float) -> int | None:
    return None if duration < MIN_VALUE else key_of(duration)


_U32_MAX = 2**32 - 1


def encode_sketch(sketch: Sketch) -> tuple[int, int, bytes | None]:
    """(zeros, first bucket key, counts) of a sketch for the binary rollup columns."""
    counts = sketch.to_json()["b"]
    if not counts:
        return sketch.zeros, 0, None
    keys = [int(k) for k in counts]
    lo = min(keys)
    dense = np.zeros(max(keys) - lo + 1, dtype=np.int64)
    for k, n in counts.items():
        dense[int(k) - lo] = n
    if dense.max() <= _U32_MAX:
        return sketch.zeros, lo, b"\x04" + dense.astype("<u4").tobytes()
    return sketch.zeros, lo, b"\x08" + dense.astype("<i8").tobytes()


def decode_sketch(zeros: int, lo: int, counts: bytes | None) -> Sketch:
    """The dense sketch stored by :func:`encode_sketch` (merges into it are vector adds)."""
    sketch = Sketch()
    sketch.zeros = int(zeros)
    if counts:
        raw = bytes(counts)
        dense = np.frombuffer(raw, dtype="<u4" if raw[0] == 4 else "<i8", offset=1).astype(np.int64)
        sketch.set_dense(int(lo), dense)
        sketch.count = sketch.zeros + int(dense.sum())
    else:
        sketch.count = sketch.zeros
    return sketch


# --------------------------------------------------------------------------- dirty marks


async def mark_dirty(events: Iterable[tuple[int, datetime]]) -> None:
    """Mark the hours of ``(organization id, started_at)`` for rebuilding (after the rows are committed)."""
    hours: dict[int, set[int]] = {}
    for org, started in events:
        hours.setdefault(org, set()).add(int(hour_floor(started).timestamp()))
    if not hours:
        return
    now = time.time()
    async with get_redis().pipeline(transaction=True) as pipe:
        for org, marks in hours.items():
            pipe.zadd(_org_key(org), {str(h): now for h in marks})
            pipe.zadd(key(*DIRTY_ORGS), {str(org): now})
        await pipe.execute()


async def dirty_hours(organization_id: int) -> set[datetime]:
    marks = await get_redis().zrange(_org_key(organization_id), 0, -1)
    return {datetime.fromtimestamp(int(h), UTC) for h in marks}


async def rebuild_dirty(max_hours: int = 2000) -> int:
    """Rebuild up to ``max_hours`` dirty hours (and their days); returns how many hours were rebuilt."""
    redis = get_redis()
    clear = redis.register_script(CLEAR_IF_OLDER)
    done = 0
    for raw_org, _score in await redis.zrange(key(*DIRTY_ORGS), 0, -1, withscores=True):
        org = int(raw_org)
        started = time.time()
        marks = await redis.zrange(_org_key(org), 0, max_hours - done - 1, withscores=True)
        days: set[datetime] = set()
        for raw_hour, mark_score in marks:
            hour = datetime.fromtimestamp(int(raw_hour), UTC)
            await rebuild_hour(org, hour)
            days.add(day_floor(hour))
            await clear(keys=[_org_key(org)], args=[raw_hour, mark_score])
            done += 1
        for day in days:
            await rebuild_day(org, day)
        if not await redis.zcard(_org_key(org)):
            await clear(keys=[key(*DIRTY_ORGS)], args=[raw_org, started])
        if done >= max_hours:
            break
    return done


async def rebuild_hour(organization_id: int, hour: datetime) -> int:
    """Replace the hour's rollup rows with what its raw rows say; returns rows written.

    On PostgreSQL the hour is grouped in SQL down to (user, tool, server, status, error type,
    sketch bucket), so a busy hour costs one aggregate and a few hundred rows, not every call in Python.
    """
    slices: dict[_Slice, ToolAccumulator] = {}
    if get_settings().is_postgres:
        _, rows = await connections.get("default").execute_query(_HOUR_PG, [organization_id, hour, hour + HOUR])
        for user_id, tool, server, status, error_type, k, n, total in rows:
            for who in (user_id, None) if user_id is not None else (None,):
                _add_group(_slice(slices, (who, tool, server)), status, error_type, k, int(n), float(total))
        return await _replace(organization_id, "hour", hour, slices)
    rows = await ToolExecution.filter(
        organization_id=organization_id, started_at__gte=hour, started_at__lt=hour + HOUR
    ).values_list("user_id", "tool_name", "mcp_server", "status", "error_type", "duration_ms")
    for user_id, tool, server, status, error_type, duration in rows:
        for who in (user_id, None) if user_id is not None else (None,):
            _slice(slices, (who, tool, server)).add_call(status, error_type, duration)
    return await _replace(organization_id, "hour", hour, slices)


_Slice = tuple[int | None, str, str | None]  # a rollup row's (user or None for the organization, tool, MCP server)


def _slice(slices: dict[Any, ToolAccumulator], name: Any) -> ToolAccumulator:
    acc = slices.get(name)
    if acc is None:
        acc = slices[name] = ToolAccumulator()
    return acc


def _add_group(acc: ToolAccumulator, status: str, error_type: str | None, k: int | None, n: int, total: float) -> None:
    """Add ``n`` calls that share status, error type and sketch bucket ``k`` (None: below the sketch's minimum)."""
    failed = status == "error"
    acc.add_counts(n, n if failed else 0, total, {error_type or "unknown": n} if failed else {})
    sketch = acc.sketch
    sketch._answers = sketch._cumulative = None
    if k is None:
        sketch.zeros += n
    else:
        sketch.bins[k] = sketch.bins.get(k, 0) + n
    sketch.count += n


async def rebuild_day(organization_id: int, day: datetime) -> int:
    """Re-merge one day's rows from its hour rows."""
    slices: dict[_Slice, ToolAccumulator] = {}
    rows = await ToolRollup.filter(
        organization_id=organization_id, granularity="hour", bucket_start__gte=day, bucket_start__lt=day + DAY
    ).values_list(
        "user_id", "tool_name", "mcp_server", "calls", "errors", "duration_sum", "error_types", *SKETCH_COLUMNS
    )
    for user_id, tool, server, calls, errors, duration_sum, error_types, zeros, lo, counts in rows:
        acc = _slice(slices, (user_id, tool, server))
        acc.add_counts(calls, errors, duration_sum, _json(error_types))
        acc.sketch.merge(decode_sketch(zeros, lo, counts))
    return await _replace(organization_id, "day", day, slices)


async def _replace(
    organization_id: int, granularity: str, bucket: datetime, slices: dict[_Slice, ToolAccumulator]
) -> int:
    encoded = {name: encode_sketch(acc.sketch) for name, acc in slices.items()}  # (zeros, lo, counts)
    async with in_transaction():
        await ToolRollup.filter(organization_id=organization_id, granularity=granularity, bucket_start=bucket).delete()
        await ToolRollup.bulk_create(
            [
                ToolRollup(
                    organization_id=organization_id,
                    user_id=user_id,
                    tool_name=tool,
                    mcp_server=server,
                    granularity=granularity,
                    bucket_start=bucket,
                    calls=acc.calls,
                    errors=acc.errors,
                    duration_sum=acc.duration_sum,
                    error_types=acc.error_types,
                    sketch_zeros=encoded[(user_id, tool, server)][0],
                    sketch_lo=encoded[(user_id, tool, server)][1],
                    sketch_counts=encoded[(user_id, tool, server)][2],
                )
                for (user_id, tool, server), acc in slices.items()
            ],
            batch_size=1000,
        )
    return len(slices)


async def rebuild_all(organization_id: int) -> int:
    """Rebuild every hour and day of an organization from its raw rows (operators, benchmarks)."""
    hours = (
        {
            hour_floor(t)
            for (t,) in await ToolExecution.filter(organization_id=organization_id).values_list("started_at")
        }
        if not get_settings().is_postgres
        else await _pg_hours(organization_id)
    )
    for hour in sorted(hours):
        await rebuild_hour(organization_id, hour)
    for day in sorted({day_floor(h) for h in hours}):
        await rebuild_day(organization_id, day)
    return len(hours)


async def _pg_hours(organization_id: int) -> set[datetime]:
    """PostgreSQL buys: the distinct hours computed by the database, not every call's start time shipped."""
    _, rows = await connections.get("default").execute_query(
        "SELECT DISTINCT date_trunc('hour', started_at) FROM tool_executions WHERE organization_id = $1",
        [organization_id],
    )
    return {r[0].astimezone(UTC) for r in rows}


# --------------------------------------------------------------------------- reading a window


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else (value or {})


@dataclass
class _Plan:
    days: list[datetime]
    hours: list[datetime]
    raw: list[tuple[datetime, datetime]]


def plan(start: datetime, end: datetime, dirty: set[datetime]) -> _Plan:
    """Split ``[start, end)`` into clean whole days, clean whole hours and raw ranges."""
    h0, h1 = _ceil(start, hour_floor(start), HOUR), hour_floor(end)
    if h0 >= h1:
        return _Plan([], [], [(start, end)])
    raw: list[tuple[datetime, datetime]] = []
    if start < h0:
        raw.append((start, h0))
    if h1 < end:
        raw.append((h1, end))
    d0, d1 = _ceil(h0, day_floor(h0), DAY), day_floor(h1)
    dirty_days = {day_floor(h) for h in dirty}
    days: list[datetime] = []
    hour_ranges: list[tuple[datetime, datetime]] = []
    if d0 < d1:
        hour_ranges += [(h0, d0), (d1, h1)]
        day = d0
        while day < d1:
            if day in dirty_days:
                hour_ranges.append((day, day + DAY))
            else:
                days.append(day)
            day += DAY
    else:
        hour_ranges.append((h0, h1))
    hours: list[datetime] = []
    for lo, hi in hour_ranges:
        hour = lo
        while hour < hi:
            if hour in dirty:
                raw.append((hour, hour + HOUR))
            else:
                hours.append(hour)
            hour += HOUR
    return _Plan(days, hours, raw)


async def window_by_tool(
    organization_id: int,
    user_id: int | None,
    start: datetime,
    end: datetime,
    tool_name: str | None = None,
    with_sketches: bool = True,
) -> dict[str, ToolAccumulator]:
    """Per-tool accumulators of ``[start, end)`` for one user (or the organization when ``user_id`` is None).

    Sketch parts (stored rollup arrays, raw-edge buckets) are collected per tool and summed into one
    dense array at the end: one slice add per part instead of a Sketch object per rollup row.
    PostgreSQL buys: the rollups and the raw ranges are read side by side on pooled connections;
    SQLite reads everything in turn.
    """
    dirty = await dirty_hours(organization_id)
    p = plan(start, end, dirty)
    out: dict[str, ToolAccumulator] = {}
    parts: dict[str, list[_Part]] = {}
    raw = _coalesce(p.raw)
    if get_settings().is_postgres:  # the rollups and every raw range side by side, a pooled connection each
        await asyncio.gather(
            _read_rollups(out, parts, organization_id, user_id, p, tool_name, with_sketches),
            *(_read_raw(out, parts, organization_id, user_id, lo, hi, tool_name) for lo, hi in raw),
        )
    else:
        await _read_rollups(out, parts, organization_id, user_id, p, tool_name, with_sketches)
        for lo, hi in raw:
            await _read_raw(out, parts, organization_id, user_id, lo, hi, tool_name)
    if with_sketches:
        for tool, acc in out.items():
            if tool in parts:
                acc.sketch.merge(_merged(parts[tool]))
            if acc.sketch.bins:  # SQLite's raw edges add calls one by one: make it one dense array too
                acc.sketch = decode_sketch(*encode_sketch(acc.sketch))
    return out


_Part = tuple[int, int, "np.ndarray | None"]  # (zeros, first bucket key, counts)


def _merged(parts: list[_Part]) -> Sketch:
    zeros = sum(z for z, _, _ in parts)
    arrays = [(lo, a) for _, lo, a in parts if a is not None and len(a)]
    sketch = Sketch()
    sketch.zeros = zeros
    if not arrays:
        sketch.count = zeros
        return sketch
    first = min(lo for lo, _ in arrays)
    dense = np.zeros(max(lo + len(a) for lo, a in arrays) - first, dtype=np.int64)
    for lo, a in arrays:
        dense[lo - first : lo - first + len(a)] += a
    sketch.set_dense(first, dense)
    sketch.count = zeros + int(dense.sum())
    return sketch


def _counts_array(raw: bytes | None) -> np.ndarray | None:
    if not raw:
        return None
    data = bytes(raw)
    return np.frombuffer(data, dtype="<u4" if data[0] == 4 else "<i8", offset=1)


def _coalesce(ranges: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(ranges):
        if out and out[-1][1] >= lo:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _slot(out: dict[str, ToolAccumulator], tool: str) -> ToolAccumulator:
    acc = out.get(tool)
    if acc is None:
        acc = out[tool] = ToolAccumulator()
    return acc


MERGED_WINDOWS = 512
_MERGED: OrderedDict[tuple[Any, ...], tuple[tuple[int, Any], dict[str, tuple[ToolAccumulator, _Part]]]] = OrderedDict()
ROLLUP_MERGES = cache_stats.register(
    "tool_rollup_merges",
    "Per-tool merges of a window's day or hour rollup rows per process (size: levels held)",
    lambda: len(_MERGED),
    lambda: MERGED_WINDOWS,
)


def _merge_rows(rows: Iterable[Sequence[Any]], with_sketches: bool) -> dict[str, tuple[ToolAccumulator, _Part]]:
    """Rollup rows (tool, calls, errors, duration sum, error types[, zeros, lo, counts]) merged per tool."""
    mine: dict[str, ToolAccumulator] = {}
    my_parts: dict[str, list[_Part]] = {}
    for row in rows:
        _slot(mine, row[0]).add_counts(row[1], row[2], row[3], _json(row[4]) if row[2] else {})
        if with_sketches:
            my_parts.setdefault(row[0], []).append((int(row[5]), int(row[6]), _counts_array(row[7])))
    merged: dict[str, tuple[ToolAccumulator, _Part]] = {}
    for tool_row, acc in mine.items():
        sketch = _merged(my_parts[tool_row]) if with_sketches else Sketch()
        merged[tool_row] = (acc, (sketch.zeros, sketch._lo, sketch._dense))
    return merged


def _fold(
    out: dict[str, ToolAccumulator],
    parts: dict[str, list[_Part]],
    merged: dict[str, tuple[ToolAccumulator, _Part]],
    with_sketches: bool,
) -> None:
    for tool_row, (acc, part) in merged.items():
        _slot(out, tool_row).add_counts(acc.calls, acc.errors, acc.duration_sum, acc.error_types)
        if with_sketches:
            parts.setdefault(tool_row, []).append(part)


async def _read_rollups(
    out: dict[str, ToolAccumulator],
    parts: dict[str, list[_Part]],
    organization_id: int,
    user_id: int | None,
    p: _Plan,
    tool_name: str | None,
    with_sketches: bool,
) -> None:
    """The planned days' and hours' rollup rows folded into ``out``/``parts``.

    PostgreSQL buys: hand-written SQL (one index range per granularity, cheaper than the ORM's filter
    building) and a per-process cache of each level's merged rows keyed by their count and largest
    id, so a repeated window fetches no rows; SQLite reads the rows through the ORM every time.
    """
    if not p.days and not p.hours:
        return
    columns = ["tool_name", "calls", "errors", "duration_sum", "error_types"]
    columns += list(SKETCH_COLUMNS) if with_sketches else []
    rows: Any
    if get_settings().is_postgres:
        # Written out rather than built by the ORM: resolving the filters cost more than running them.
        extra: list[Any] = [v for v in (user_id, tool_name) if v is not None]

        def level(name: str, slot: int, select: str) -> str:
            """One granularity's rows (an index range on organization, granularity, user, bucket; OR-ed
            with the other level, PostgreSQL scanned every row of the organization and filtered).
            ``slot``: the bucket array's placeholder; the user and tool follow it."""
            n = slot
            who = "user_id IS NULL"
            if user_id is not None:
                n += 1
                who = f"user_id = ${n}"
            tool = f"AND tool_name = ${n + 1}" if tool_name is not None else ""
            return (
                f"SELECT {select} FROM tool_rollups WHERE organization_id = $1 AND granularity = '{name}' "
                f"AND {who} {tool} AND bucket_start = ANY(${slot}::timestamptz[])"
            )

        wanted = [(name, starts) for name, starts in (("day", p.days), ("hour", p.hours)) if starts]
        client = connections.get("default")
        # Each level's rows are named by their count and largest id (a rebuild re-inserts under new
        # ids): a level asked before reuses its merged accumulators instead of fetching and merging
        # every row again.  Cached per level, so "the last 30 days" keeps its days all day long while
        # its hours move, and a window that differs only in its hours refetches only those.
        signatures = await asyncio.gather(
            *(
                client.execute_query(
                    f"SELECT count(*), max(id) FROM ({level(name, 2, 'id')}) AS x", [organization_id, b, *extra]
                )
                for name, b in wanted
            )
        )
        named = {name: (int(rows[0][0]), rows[0][1]) for (name, _), (_, rows) in zip(wanted, signatures, strict=True)}
        missing: list[tuple[tuple[Any, ...], tuple[int, Any], str, list[Any]]] = []
        for name, starts in wanted:
            cache_key = (organization_id, user_id, tool_name, name, tuple(starts), with_sketches)
            hit = _MERGED.get(cache_key)
            if hit is not None and hit[0] == named[name]:
                _MERGED.move_to_end(cache_key)
                ROLLUP_MERGES.hits += 1
                _fold(out, parts, hit[1], with_sketches)
            else:
                ROLLUP_MERGES.misses += 1
                sql = level(name, 2, ", ".join(columns))
                missing.append((cache_key, named[name], sql, [organization_id, starts, *extra]))
        fetched = await asyncio.gather(*(client.execute_query(sql, args) for _, _, sql, args in missing))
        for (cache_key, signature, _, _), (_, rows) in zip(missing, fetched, strict=True):
            merged = _merge_rows(rows, with_sketches)
            _MERGED[cache_key] = (signature, merged)
            while len(_MERGED) > MERGED_WINDOWS:
                _MERGED.popitem(last=False)
                ROLLUP_MERGES.evictions += 1
            _fold(out, parts, merged, with_sketches)
        return
    else:
        buckets = Q()
        if p.days:
            buckets |= Q(granularity="day", bucket_start__in=p.days)
        if p.hours:
            buckets |= Q(granularity="hour", bucket_start__in=p.hours)
        query = ToolRollup.filter(buckets, organization_id=organization_id)
        query = query.filter(user_id=user_id) if user_id is not None else query.filter(user_id__isnull=True)
        if tool_name is not None:
            query = query.filter(tool_name=tool_name)
        rows = await query.values_list(*columns)
    for row in rows:
        acc = _slot(out, row[0])
        acc.add_counts(row[1], row[2], row[3], _json(row[4]) if row[2] else {})
        if with_sketches:
            parts.setdefault(row[0], []).append((int(row[5]), int(row[6]), _counts_array(row[7])))


_SKETCH_KEY = sql_key("duration_ms")
_HOUR_PG = f"""
SELECT user_id, tool_name, mcp_server, status, error_type, {_SKETCH_KEY} AS k, count(*), sum(duration_ms)
FROM tool_executions
WHERE organization_id = $1 AND started_at >= $2 AND started_at < $3
GROUP BY 1, 2, 3, 4, 5, 6
"""
# One row per tool: the per-bucket counts come back as two arrays and the error types as JSON, so a
# raw range ships as many rows as tools (an hour of 14k calls used to be ~5,700 grouped rows, each
# turned into a numpy part in Python).  ``c`` is read three times, so PostgreSQL computes it once.
_RAW_PG = f"""
WITH c AS (
    SELECT tool_name, status = 'error' AS failed, coalesce(error_type, 'unknown') AS error_type,
           {_SKETCH_KEY} AS k, duration_ms
    FROM tool_executions
    WHERE organization_id = $1 AND started_at >= $2 AND started_at < $3 {{user}} {{tool}}
), t AS (
    SELECT tool_name, count(*) AS n, count(*) FILTER (WHERE failed) AS e, sum(duration_ms) AS d,
           count(*) FILTER (WHERE k IS NULL) AS z
    FROM c GROUP BY 1
), b AS (
    SELECT tool_name, array_agg(k ORDER BY k) AS ks, array_agg(n ORDER BY k) AS ns
    FROM (SELECT tool_name, k, count(*) AS n FROM c WHERE k IS NOT NULL GROUP BY 1, 2) AS x GROUP BY 1
), e AS (
    SELECT tool_name, jsonb_object_agg(error_type, n)::text AS errors
    FROM (SELECT tool_name, error_type, count(*) AS n FROM c WHERE failed GROUP BY 1, 2) AS y GROUP BY 1
)
SELECT t.tool_name, t.n, t.e, t.d, t.z, b.ks, b.ns, e.errors
FROM t LEFT JOIN b USING (tool_name) LEFT JOIN e USING (tool_name)
"""


async def _read_raw(
    out: dict[str, ToolAccumulator],
    parts: dict[str, list[_Part]],
    organization_id: int,
    user_id: int | None,
    lo: datetime,
    hi: datetime,
    tool_name: str | None,
) -> None:
    """Raw calls of ``[lo, hi)`` folded into ``out``/``parts``.

    PostgreSQL buys: summed in SQL to one row per tool (counts, sketch buckets as arrays, error types),
    so a raw range ships as many rows as tools instead of every call; SQLite folds the calls one by one.
    """
    if get_settings().is_postgres:
        params: list[Any] = [organization_id, lo, hi]
        user = tool = ""
        if user_id is not None:
            params.append(user_id)
            user = f"AND user_id = ${len(params)}"
        if tool_name is not None:
            params.append(tool_name)
            tool = f"AND tool_name = ${len(params)}"
        _, rows = await connections.get("default").execute_query(_RAW_PG.format(user=user, tool=tool), params)
        for tool_row, n, errors, total, zeros, keys, counts, error_types in rows:
            _slot(out, tool_row).add_counts(int(n), int(errors), float(total), _json(error_types) if errors else {})
            dense = None
            if keys:
                first = keys[0]
                dense = np.zeros(keys[-1] - first + 1, dtype=np.int64)
                dense[np.asarray(keys, dtype=np.int64) - first] = counts
            parts.setdefault(tool_row, []).append((int(zeros), keys[0] if keys else 0, dense))
        return
    query = ToolExecution.filter(organization_id=organization_id, started_at__gte=lo, started_at__lt=hi)
    if user_id is not None:
        query = query.filter(user_id=user_id)
    if tool_name is not None:
        query = query.filter(tool_name=tool_name)
    for tool_row, status, error_type, duration in await query.values_list(
        "tool_name", "status", "error_type", "duration_ms"
    ):
        _slot(out, tool_row).add_call(status, error_type, duration)


# --------------------------------------------------------------------------- calls per time bucket


async def calls_per_bucket(
    organization_id: int, since: datetime, until: datetime, step: timedelta
) -> dict[datetime, tuple[int, int, float]]:
    """The organization's tool calls, errors and duration sum (ms) per ``step`` bucket of ``[since, until)``,
    buckets starting at multiples of ``step`` since the epoch; only buckets holding calls are present.

    Whole clean hours come from the organization-wide hourly rollup rows (one per tool and hour); the
    rest -- dirty hours, the hour still open at ``until``, edges, a step under an hour -- from raw calls,
    so the answer equals the raw rows without reading a 90-day window of them.
    PostgreSQL buys: both parts summed per bucket in SQL; SQLite folds rows in Python.
    """
    seconds = int(step.total_seconds())
    out: dict[int, list[float]] = {}

    def fold(bucket: int, calls: int, errors: int, duration: float) -> None:
        acc = out.setdefault(bucket, [0, 0, 0.0])
        acc[0] += calls
        acc[1] += errors
        acc[2] += duration

    raw: list[tuple[datetime, datetime]] = [(since, until)]
    pg = get_settings().is_postgres
    if seconds % 3600 == 0:
        h0, h1 = _ceil(since, hour_floor(since), HOUR), hour_floor(until)
        if h0 < h1:
            dirty = sorted(h for h in await dirty_hours(organization_id) if h0 <= h < h1)
            raw = [(since, h0), *((h, h + HOUR) for h in dirty), (h1, until)]
            rows: Any
            if pg:
                _, rows = await connections.get("default").execute_query(
                    "SELECT floor(extract(epoch FROM bucket_start) / $4)::bigint, sum(calls), sum(errors), "
                    "sum(duration_sum) FROM tool_rollups WHERE organization_id = $1 AND granularity = 'hour' "
                    "AND user_id IS NULL AND bucket_start >= $2 AND bucket_start < $3 "
                    "AND NOT bucket_start = ANY($5::timestamptz[]) GROUP BY 1",
                    [organization_id, h0, h1, seconds, dirty],
                )
            else:
                found = await ToolRollup.filter(
                    organization_id=organization_id,
                    granularity="hour",
                    user_id__isnull=True,
                    bucket_start__gte=h0,
                    bucket_start__lt=h1,
                ).values_list("bucket_start", "calls", "errors", "duration_sum")
                skip = set(dirty)
                rows = [(int(b.timestamp()) // seconds, *r) for b, *r in found if b.astimezone(UTC) not in skip]
            for b, calls, errors, duration in rows:
                fold(int(b), int(calls), int(errors), float(duration or 0.0))
    for lo, hi in _coalesce([(lo, hi) for lo, hi in raw if lo < hi]):
        if pg:
            _, rows = await connections.get("default").execute_query(
                "SELECT floor(extract(epoch FROM started_at) / $4)::bigint, count(*), "
                "count(*) FILTER (WHERE status = 'error'), coalesce(sum(duration_ms), 0) FROM tool_executions "
                "WHERE organization_id = $1 AND started_at >= $2 AND started_at < $3 GROUP BY 1",
                [organization_id, lo, hi, seconds],
            )
            for b, calls, errors, duration in rows:
                fold(int(b), int(calls), int(errors), float(duration))
        else:
            for started, status, duration in await ToolExecution.filter(
                organization_id=organization_id, started_at__gte=lo, started_at__lt=hi
            ).values_list("started_at", "status", "duration_ms"):
                fold(int(started.timestamp()) // seconds, 1, int(status == "error"), float(duration or 0.0))
    return {datetime.fromtimestamp(b * seconds, UTC): (int(c), int(e), float(d)) for b, (c, e, d) in out.items()}


# --------------------------------------------------------------------------- calls per MCP server


@dataclass
class ServerTotals:
    calls: int = 0
    errors: int = 0
    duration_ms: float = 0.0


@dataclass
class ServerCalls:
    """A window's tool calls as the gateway's billing counts them."""

    servers: dict[str | None, ServerTotals] = field(default_factory=dict)  # None: calls that named no server
    users: set[int] = field(default_factory=set)  # the callers (calls without a user are not counted)
    hours_of_day: dict[int, int] = field(default_factory=dict)  # UTC hour of day -> calls

    def add(self, server: str | None, calls: int, errors: int, duration: float) -> None:
        totals = self.servers.setdefault(server, ServerTotals())
        totals.calls += int(calls)
        totals.errors += int(errors)
        totals.duration_ms += float(duration or 0.0)

    def peak_hours(self, n: int = 3) -> list[tuple[int, int]]:
        """The ``n`` busiest UTC hours of day as (hour, calls), busiest first, the earlier hour on ties."""
        return sorted(self.hours_of_day.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    def add_hour(self, hour: int, calls: int) -> None:
        self.hours_of_day[hour] = self.hours_of_day.get(hour, 0) + int(calls)


_SERVERS_PG = """
SELECT mcp_server, sum(calls), sum(errors), sum(duration_sum) FROM (
    SELECT mcp_server, calls, errors, duration_sum FROM tool_rollups WHERE organization_id = $1
        AND granularity = 'day' AND user_id IS NULL AND bucket_start = ANY($2::timestamptz[])
    UNION ALL
    SELECT mcp_server, calls, errors, duration_sum FROM tool_rollups WHERE organization_id = $1
        AND granularity = 'hour' AND user_id IS NULL AND bucket_start = ANY($3::timestamptz[])
) AS r GROUP BY 1
"""
_USERS_PG = """
SELECT user_id FROM tool_rollups WHERE organization_id = $1 AND granularity = 'day'
    AND user_id IS NOT NULL AND bucket_start = ANY($2::timestamptz[])
UNION  -- deduplicates across both branches
SELECT user_id FROM tool_rollups WHERE organization_id = $1 AND granularity = 'hour'
    AND user_id IS NOT NULL AND bucket_start = ANY($3::timestamptz[])
"""
# hour rows also under the whole days (day rows cannot say which hour of the day)
_HOURS_OF_DAY_PG = """
SELECT extract(hour FROM bucket_start AT TIME ZONE 'UTC')::int, sum(calls) FROM tool_rollups
WHERE organization_id = $1 AND granularity = 'hour' AND user_id IS NULL AND bucket_start = ANY($2::timestamptz[])
GROUP BY 1
"""
_RAW_SERVERS_PG = """
SELECT mcp_server, user_id, extract(hour FROM started_at AT TIME ZONE 'UTC')::int, count(*),
       count(*) FILTER (WHERE status = 'error'), sum(duration_ms)
FROM tool_executions WHERE organization_id = $1 AND started_at >= $2 AND started_at < $3
GROUP BY 1, 2, 3
"""


async def calls_by_server(organization_id: int, since: datetime, until: datetime) -> ServerCalls:
    """Tool calls of ``[since, until)`` per MCP server, their callers and their UTC hours of day.

    Planned like every tool window (:func:`plan`): clean whole days and hours from the rollup rows,
    the edges and dirty hours from raw calls, so the answer equals the raw rows.  A 30-day billing
    window over 10M calls read those rows whole (four scans, ~5 s); the rollups hold it in
    thousands of rows.
    """
    p = plan(since, until, await dirty_hours(organization_id))
    clean_hours = sorted({*p.hours, *(d + HOUR * i for d in p.days for i in range(24))})
    out = ServerCalls()
    if get_settings().is_postgres:
        client = connections.get("default")
        args = [organization_id, p.days, p.hours]
        (_, servers), (_, users), (_, hours), *raw = await asyncio.gather(
            client.execute_query(_SERVERS_PG, args),
            client.execute_query(_USERS_PG, args),
            client.execute_query(_HOURS_OF_DAY_PG, [organization_id, clean_hours]),
            *(client.execute_query(_RAW_SERVERS_PG, [organization_id, lo, hi]) for lo, hi in _coalesce(p.raw)),
        )
        for server, calls, errors, duration in servers:
            out.add(server, calls, errors, duration)
        out.users.update(int(u) for (u,) in users)
        for hour, calls in hours:
            out.add_hour(int(hour), calls)
        for _, rows in raw:
            for server, user, hour, calls, errors, duration in rows:
                out.add(server, calls, errors, duration)
                out.add_hour(int(hour), calls)
                if user is not None:
                    out.users.add(int(user))
        return out
    levels = Q(granularity="day", bucket_start__in=p.days) | Q(granularity="hour", bucket_start__in=p.hours)
    for server, user, calls, errors, duration in await ToolRollup.filter(
        levels, organization_id=organization_id
    ).values_list("mcp_server", "user_id", "calls", "errors", "duration_sum"):
        if user is None:
            out.add(server, calls, errors, duration)
        else:
            out.users.add(int(user))
    for bucket, calls in await ToolRollup.filter(
        organization_id=organization_id, granularity="hour", user_id__isnull=True, bucket_start__in=clean_hours
    ).values_list("bucket_start", "calls"):
        out.add_hour(bucket.astimezone(UTC).hour, calls)
    for lo, hi in _coalesce(p.raw):
        for server, user, started, status, duration in await ToolExecution.filter(
            organization_id=organization_id, started_at__gte=lo, started_at__lt=hi
        ).values_list("mcp_server", "user_id", "started_at", "status", "duration_ms"):
            out.add(server, 1, int(status == "error"), duration)
            out.add_hour(started.astimezone(UTC).hour, 1)
            if user is not None:
                out.users.add(int(user))
    return out


# --------------------------------------------------------------------------- the upgrade that added servers

SERVERS_LEVEL = "tool_servers"  # rollup_levels row: hours rolled up before it have no server (migration 22)
_SERVERS_SINCE_ALWAYS = datetime(2000, 1, 1, tzinfo=UTC)


async def upgrade_servers() -> int:
    """Once after the upgrade that added servers to the rollups: mark every hour rolled up before it
    dirty (rebuilt with servers; read from raw calls meanwhile, so no answer is wrong on the way).
    Returns the hours marked."""
    level = await RollupLevel.get_or_none(name=SERVERS_LEVEL)
    if level is None or level.complete_from <= _SERVERS_SINCE_ALWAYS:
        return 0
    rows = (
        await ToolRollup.filter(granularity="hour", bucket_start__lt=level.complete_from + HOUR)
        .distinct()
        .values_list("organization_id", "bucket_start")
    )
    hours = {(int(org), bucket.astimezone(UTC)) for org, bucket in rows}
    await mark_dirty(hours)
    level.complete_from = _SERVERS_SINCE_ALWAYS
    await level.save(update_fields=["complete_from"])
    return len(hours)
