"""Answer "aggregate these prompts' executions over [start, end]" from rollups plus raw edges.

A window is cut into the coarsest pieces that are exact:

* whole clean days come from daily rollups,
* whole clean hours outside those days (and the hours of a day that still holds a
  dirty hour) come from hourly rollups,
* what whole hours do not answer in an unbucketed read -- a window shorter than an hour, the
  ragged first hour, the current hour when its row holds later events -- comes from minute
  rollups inside their horizon and coverage (:class:`_MinuteParts`), a ragged first minute
  from raw events,
* the rest of the ragged first/last partial hours and every still-dirty hour come from raw events
  (a clean past edge hour from a per-process copy of its events, :mod:`services.rollups.edge_hours`).

The drain adds every batch to its hourly and daily rows in the transaction that stores it
(:func:`services.rollups.build.add_to_rollups`), so ingest dirties nothing: the current
hour and day answer from their rollup rows like any other, and under live ingest a read
costs what it costs on a quiet system plus re-parsing the few rows the drain rewrote.
Dirty hours (Redis marks) now come only from repairs and older versions; they are still
honoured.  The pieces are read by separate statements, each at its own moment: an event
committed meanwhile is counted at most once (the pieces cover disjoint times) and every
event committed before the read began is counted.

A handful of queries, whatever the window length, so a 30-day question over millions
of events reads a few hundred rollup rows.  A rollup row's content never changes under
its id (a rebuild deletes and re-inserts rows; the drain's update gives the row a new
id), so a row id always names the same content: each
process keeps parsed rows and their merges in a bounded LRU (:class:`_ParsedRows`) and
asks the database only for the ids of the rows a window needs, already grouped by slice
(:func:`_row_groups`), then for the JSON of the ones it has not parsed yet.  A read of
very many rows (a high-cardinality organization) is merged by PostgreSQL instead
(:func:`_merged_in_sql`).  Nothing depends on the caches for correctness.  Results can
be sliced by prompt, by version and by time bucket (for charts); a bucketed read uses a
rollup level only when its rows fall wholly inside one bucket (aligned origin, bucket a
multiple of the level), and otherwise drops to the finer level or to raw rows.
"""

from __future__ import annotations

import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from tortoise import connections
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.prompts import PromptExecution, PromptRollupDaily, PromptRollupHourly, PromptRollupMinute, RollupFields
from services.core import cache_stats
from services.core.config import get_settings
from services.rollups import build as rollups
from services.rollups import edge_hours
from services.rollups.build import (
    DAY,
    HOUR,
    MEASURES,
    MINUTE,
    RAW_FIELDS,
    ROLLUP_COLUMNS,
    Accumulator,
    day_floor,
    hour_floor,
    minute_floor,
    sketch_type,
)
from services.rollups.sketch import sql_key as sketch_sql_key

SliceKey = tuple[int, str | None, datetime | None]
"""(prompt id, version hash if sliced by version, bucket start if bucketed)."""

_ZERO = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


class RowsReplaced(Exception):
    """A rollup row listed by a read's grouping statement was gone when its content was fetched.

    A drain that adds to a row gives it a new id (so cached copies never go stale), and one may
    commit between the two statements; :func:`accumulate_slices` then reads again.
    """


READ_ATTEMPTS = 5


class _ParsedRows:
    """Parsed rollup rows by (table, id), and merges of row sets by their ids; both LRU-bounded.

    A window read merges the same rows into the same slices again and again (the 29 whole
    days of "the last 30 days" of one prompt version, say); a set of row ids names its
    merge exactly, so that merge is kept too and a repeated read merges once per slice.
    """

    CHUNK = 5000

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self.rows: OrderedDict[tuple[str, int], Accumulator] = OrderedDict()
        self.merges: OrderedDict[tuple[str, tuple[int, ...]], Accumulator] = OrderedDict()
        # The cached minute rows, least recently used first, with when each was last used: they
        # leave after MINUTE_ROW_IDLE unused (:meth:`_expire_minutes`).
        self.minutes_used: OrderedDict[tuple[str, int], float] = OrderedDict()

    async def merged(
        self, model: type[RollupFields], groups: Sequence[Sequence[int]], keep: bool = True
    ) -> list[Accumulator]:
        """Each group's rows merged into one accumulator, in order (shared: read, never merge into).

        ``keep=False`` (a bulk read such as an export) uses what is cached but adds nothing,
        so one export does not push every interactive read's rows out of the cache.
        """
        table = model._meta.db_table
        out: list[Accumulator | None] = [None] * len(groups)
        todo: list[tuple[int, tuple[int, ...]]] = []
        for n, ids in enumerate(groups):
            ident = tuple(sorted(ids))
            hit = self.merges.get((table, ident))
            if hit is None:
                todo.append((n, ident))
            else:
                self.merges.move_to_end((table, ident))
                out[n] = hit
        # Parse a chunk of rows, merge the groups it completes, let it go: a read of a huge
        # organization (hundreds of thousands of rows) never holds all its parsed rows at once.
        batch: list[tuple[int, tuple[int, ...]]] = []
        size = 0
        for done, (n, ident) in enumerate(todo, 1):
            batch.append((n, ident))
            size += len(ident)
            if size >= self.CHUNK or done == len(todo):
                parsed = await self.get(model, [i for _, group in batch for i in group], keep)
                if any(i not in parsed for _, group in batch for i in group):
                    raise RowsReplaced(table)
                for k, group in batch:
                    if len(group) == 1:
                        out[k] = parsed[group[0]]
                        continue
                    acc = Accumulator()
                    for i in group:
                        acc.merge(parsed[i])
                    acc.shared = True
                    out[k] = acc
                    if keep and _lasting(table, acc):
                        self.merges[(table, group)] = acc
                batch, size = [], 0
        while len(self.merges) > max(1, self.limit // 10):
            self.merges.popitem(last=False)
        return out  # type: ignore[return-value]

    async def get(self, model: type[RollupFields], ids: list[int], keep: bool = True) -> dict[int, Accumulator]:
        table = model._meta.db_table
        minute = table == _MINUTE_TABLE
        now = self.clock()
        found: dict[int, Accumulator] = {}
        missing = []
        for row_id in ids:
            hit = self.rows.get((table, row_id))
            if hit is None:
                ROW_CACHE.misses += 1
                missing.append(row_id)
            else:
                ROW_CACHE.hits += 1
                self.rows.move_to_end((table, row_id))
                if minute:
                    self.minutes_used[(table, row_id)] = now
                    self.minutes_used.move_to_end((table, row_id))
                found[row_id] = hit
        for i in range(0, len(missing), self.CHUNK):
            for r in await _rollup_rows(model, missing[i : i + self.CHUNK]):
                acc = Accumulator.of_rollup(r)
                acc.shared = True
                found[r["id"]] = acc
                if keep and _lasting(table, acc):
                    self.rows[(table, r["id"])] = acc
                    if minute:
                        self.minutes_used[(table, r["id"])] = now
        self._expire_minutes(now)
        while len(self.rows) > self.limit:
            gone, _ = self.rows.popitem(last=False)
            self.minutes_used.pop(gone, None)
            ROW_CACHE.evictions += 1
        return found

    def _expire_minutes(self, now: float) -> None:
        """Drop the minute rows unused for MINUTE_ROW_IDLE.

        A minute row is read while it lies in some window ending about now (an alert cycle's, a
        1-hour chart's), and a new minute's rows arrive every minute: left to the LRU, the rows
        that slid out of every window stayed until the cache was full (a worker running alert
        cycles grew by 72 rows, about 0.3 MB, a minute in the soak, for hours).
        """
        cutoff = now - MINUTE_ROW_IDLE
        while self.minutes_used:
            oldest, used = next(iter(self.minutes_used.items()))
            if used >= cutoff:
                return
            self.minutes_used.popitem(last=False)
            if self.rows.pop(oldest, None) is not None:
                ROW_CACHE.evictions += 1


_MINUTE_TABLE = PromptRollupMinute._meta.db_table
_SETTLED_AFTER = 2 * MINUTE
MINUTE_ROW_IDLE = 300.0  # seconds a cached minute row stays unused before it is dropped


def _lasting(table: str, acc: Accumulator) -> bool:
    """Whether a parsed row (or merge) is worth keeping: not a minute row still being written.

    The drain rewrites the current minute's rows under new ids with every batch, and merges that
    include them never repeat: kept, they only pushed settled rows out (the worker's RSS grew by
    1.4 MB/min in a 30,000 events/s soak while its alert cycles filled the cache with them).
    """
    if table != _MINUTE_TABLE:
        return True
    latest = acc.max_occurred_at
    return latest is None or latest < datetime.now(UTC) - _SETTLED_AFTER


_PARSED = _ParsedRows(get_settings().rollup_cache_rows)
ROW_CACHE = cache_stats.register(
    "rollup_rows", "Parsed prompt rollup rows per process", lambda: len(_PARSED.rows), lambda: _PARSED.limit
)


async def _rollup_rows(model: type[RollupFields], ids: list[int]) -> list[dict[str, Any]]:
    """Rows ``ids`` as ``{"id", *ROLLUP_COLUMNS}`` dicts.

    On PostgreSQL the statement runs directly and its JSON columns go through orjson: the
    ORM's per-value conversion was half the cost of a large read (an export).
    """
    if not get_settings().is_postgres:
        return await model.filter(id__in=ids).values("id", *ROLLUP_COLUMNS)
    # by hand: the ORM's builder takes ~40 ms to render an IN list of a few thousand ids
    columns = ", ".join(f'"{c}"' for c in ("id", *ROLLUP_COLUMNS))
    sql = f'SELECT {columns} FROM "{model._meta.db_table}" WHERE "id" = ANY($1::bigint[])'
    _, rows = await connections.get("default").execute_query(sql, [ids])
    out = []
    for r in rows:
        row = dict(r)
        for column in _JSON_COLUMNS:
            if isinstance(row[column], str):
                row[column] = orjson.loads(row[column])
        out.append(row)
    return out


_JSON_COLUMNS = ("totals", "data_sources", "schemas", "sketches")


def _ceil(when: datetime, floor: datetime, step: timedelta) -> datetime:
    return floor if when == floor else floor + step


def _ranges(starts: Iterable[datetime], step: timedelta) -> list[tuple[datetime, datetime]]:
    """Merge unit periods (hours or days) into contiguous [start, end) ranges: fewer OR terms."""
    merged: list[tuple[datetime, datetime]] = []
    for s in sorted(starts):
        if merged and merged[-1][1] == s:
            merged[-1] = (merged[-1][0], s + step)
        else:
            merged.append((s, s + step))
    return merged


def _between(column: str, lo: datetime | None, hi: datetime) -> Q:
    bounds: dict[str, Any] = {f"{column}__lt": hi}
    if lo is not None:
        bounds[f"{column}__gte"] = lo
    return Q(**bounds)


async def accumulate_slices(
    prompt_ids: Sequence[int],
    start: datetime | None,
    end: datetime,
    *,
    by_version: bool = False,
    bucket: timedelta | None = None,
    version_hashes: Collection[str] | None = None,
    keep: bool = True,
) -> dict[SliceKey, Accumulator]:
    """Aggregate executions of ``prompt_ids`` with ``start <= occurred_at <= end``.

    With ``bucket``, slices start at ``start + k * bucket`` (``start`` is required).
    ``version_hashes`` restricts the read to those versions.  ``keep=False``: a bulk read
    that should not fill the per-process caches.  The accumulators returned may be shared
    with those caches: read them, merge them into new ones, never merge into them.

    A read that met a row a concurrent drain replaced (:class:`RowsReplaced`, a window of one
    round trip) starts again: at most :data:`READ_ATTEMPTS` times, then the error propagates.
    """
    for attempt in range(1, READ_ATTEMPTS + 1):
        try:
            return await _accumulate_once(
                prompt_ids,
                start,
                end,
                by_version=by_version,
                bucket=bucket,
                version_hashes=version_hashes,
                keep=keep,
            )
        except RowsReplaced:
            if attempt == READ_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


async def _accumulate_once(
    prompt_ids: Sequence[int],
    start: datetime | None,
    end: datetime,
    *,
    by_version: bool,
    bucket: timedelta | None,
    version_hashes: Collection[str] | None,
    keep: bool,
) -> dict[SliceKey, Accumulator]:
    if bucket is not None and (start is None or bucket <= _ZERO):
        raise ValueError("a bucketed read needs a start and a positive bucket")
    results: dict[SliceKey, Accumulator] = defaultdict(Accumulator)
    if not prompt_ids:
        return results
    ids = list(dict.fromkeys(prompt_ids))

    def slot(t: datetime) -> datetime | None:
        if bucket is None:
            return None
        assert start is not None
        return start + ((t.astimezone(UTC) - start) // bucket) * bucket

    def key_of(prompt_id: int, version: str | None, t: datetime) -> SliceKey:
        return (prompt_id, (version or "") if by_version else None, slot(t))

    use_hourly = bucket is None or (bucket % HOUR == _ZERO and start == hour_floor(start))  # type: ignore[arg-type]
    use_daily = use_hourly and (bucket is None or (bucket % DAY == _ZERO and start == day_floor(start)))  # type: ignore[arg-type]

    h0 = _ceil(start, hour_floor(start), HOUR) if start is not None else None  # first whole hour
    h1: datetime | None = hour_floor(end)  # whole hours are [h0, h1)
    if not use_hourly or (h0 is not None and h1 is not None and h0 >= h1):
        h0 = h1 = None  # no whole hours: everything raw
    dirty = await rollups.dirty_hours(*ids)
    # The ragged first hour of an unbucketed window, and its ragged last one once that hour is
    # over, come from per-process copies of those hours' events where the hours are clean.
    edges: dict[datetime, tuple[datetime, datetime]] = {}  # hour -> the part of the window inside it
    if bucket is None and h0 is not None and h1 is not None:
        assert start is not None
        if start < h0:
            edges[h0 - HOUR] = (start, h0 - _MICROSECOND)
        if h1 + HOUR <= datetime.now(UTC):
            edges[h1] = (h1, end)

    version_filter = Q(version_hash__in=list(version_hashes)) if version_hashes is not None else Q()
    origin = start if bucket is not None else None

    def fold(key_: SliceKey, acc: Accumulator) -> None:
        """Merge into ``results``; a cached merge is handed out as is until something joins it."""
        held = results.get(key_)
        if held is None:
            results[key_] = acc
            return
        if held.shared:
            held = results[key_] = Accumulator().merge(held)
        held.merge(acc)

    hourly_q: list[Q] = []
    open_tail = ids  # prompts whose [h1, end] still comes from raw events
    if h1 is not None:
        d0 = d1 = None
        if use_daily:
            d0 = _ceil(h0, day_floor(h0), DAY) if h0 is not None else None
            d1 = day_floor(h1)
            if d0 is not None and d0 > d1:  # d0 == d1: no whole day before the tail day, which may still answer
                d0 = d1 = None
        if d1 is not None:
            dirty_days = {pid: {day_floor(h) for h in hours} for pid, hours in dirty.items()}
            # The day holding ``end`` is read too: where its (clean) daily rows hold nothing after
            # ``end`` -- the usual case, a window ending now -- they answer the whole tail
            # [d1, end] and neither its hours nor its raw events need reading.
            daily = PromptRollupDaily.filter(
                Q(prompt_id__in=ids) & _between("bucket_start", d0, d1 + DAY) & version_filter & _clean(dirty_days)
            )
            slicing = _Slicing(by_version, origin, bucket, [d1])
            groups = await _row_groups(daily, slicing, late_after=end)
            tail_ids = {g.prompt_id for g in groups if g.mark is not None}
            tail_ids -= {g.prompt_id for g in groups if g.mark is not None and g.late}
            wanted = [g for g in groups if g.mark is None or g.prompt_id in tail_ids]
            merged = await _merged(PromptRollupDaily, wanted, keep, daily, slicing)
            for g, acc in zip(wanted, merged, strict=True):
                fold(g.key, acc)
            open_tail = [pid for pid in ids if pid not in tail_ids]
            # hours before and after the whole days, and every hour of a day still holding a dirty hour
            if d0 is not None and h0 is not None and h0 < d0:
                hourly_q.append(_between("bucket_start", h0, d0))
            if d1 < h1 and open_tail:
                hourly_q.append(Q(prompt_id__in=open_tail) & _between("bucket_start", d1, h1))
            inner_days = {
                pid: [d for d in days if (d0 is None or d >= d0) and d < d1] for pid, days in dirty_days.items()
            }
            for days, pids in _shared(inner_days).items():
                for lo, hi in _ranges(days, DAY):
                    hourly_q.append(Q(prompt_id__in=pids) & _between("bucket_start", lo, hi))
        else:
            hourly_q.append(_between("bucket_start", h0, h1))
        if open_tail:
            # The hour holding ``end`` likewise, for the prompts no daily row answered: where its
            # clean rows hold nothing after ``end`` (a chart's current bucket, a window ending now)
            # they answer [h1, end], instead of a raw read of an hour that holds millions of events
            # under heavy ingest.
            tail_rows = PromptRollupHourly.filter(
                Q(prompt_id__in=open_tail) & Q(bucket_start=h1) & version_filter & _clean(dirty)
            )
            slicing = _Slicing(by_version, origin, bucket, [h1])
            groups = await _row_groups(tail_rows, slicing, late_after=end)
            hour_ids = {g.prompt_id for g in groups} - {g.prompt_id for g in groups if g.late}
            wanted = [g for g in groups if g.prompt_id in hour_ids]
            merged = await _merged(PromptRollupHourly, wanted, keep, tail_rows, slicing)
            for g, acc in zip(wanted, merged, strict=True):
                fold(g.key, acc)
            open_tail = [pid for pid in open_tail if pid not in hour_ids]
    # Minute rows answer what whole hours do not -- a window shorter than an hour, the ragged first
    # hour, the current hour when its hourly row holds events after the window, a chart of sub-hour
    # buckets -- inside their horizon, for prompts whose hours there are clean: a 5-minute alert
    # window or a 12-hour chart of 30-minute buckets reads rows instead of every event of its
    # minutes.  Only a ragged first minute (and a last one holding later events) stays raw.
    whole_raw, raw_lead, raw_tail = ids, ids, open_tail
    minute_raw: list[Q] = []
    by_minutes = bucket is None or (bucket % MINUTE == _ZERO and start is not None and start == minute_floor(start))
    cover = await rollups.minute_rows_from() if by_minutes else None
    if cover is not None:
        minutes = _MinuteParts(cover, _Slicing(by_version, origin, bucket, []), version_filter, keep, fold)
        if h1 is None and start is not None:
            first, last = hour_floor(start), hour_floor(end)
            clean = [pid for pid in ids if not any(first <= h <= last for h in dirty[pid])]
            answered = await minutes.answer(clean, start, end, True)
            whole_raw = [pid for pid in ids if pid not in answered]
        elif h1 is not None:
            if start is not None and h0 is not None and start < h0:
                answered = await minutes.answer([pid for pid in ids if h0 - HOUR not in dirty[pid]], start, h0, False)
                raw_lead = [pid for pid in ids if pid not in answered]
            answered = await minutes.answer([pid for pid in open_tail if h1 not in dirty[pid]], h1, end, True)
            raw_tail = [pid for pid in open_tail if pid not in answered]
        minute_raw = minutes.raw
    if h1 in edges and not raw_tail:
        del edges[h1]
    if h0 is not None and h0 - HOUR in edges and not raw_lead:
        del edges[h0 - HOUR]
    if edges:
        # only the ids of the edge hours' rows: they tell whether a cached copy is current
        hourly_q.append(Q(bucket_start__in=list(edges)))
    edge_rows: dict[tuple[int, datetime], list[int]] = defaultdict(list)
    edge_events: dict[tuple[int, datetime], int] = defaultdict(int)
    if hourly_q:
        where = hourly_q[0]
        for q in hourly_q[1:]:
            where |= q
        hourly = PromptRollupHourly.filter(Q(prompt_id__in=ids) & where & version_filter & _clean(dirty))
        slicing = _Slicing(by_version, origin, bucket, list(edges))
        groups = await _row_groups(hourly, slicing, late_after=None)
        wanted = []
        for g in groups:
            if g.mark is None:
                wanted.append(g)
            else:
                edge_rows[(g.prompt_id, g.mark)] += g.ids
                edge_events[(g.prompt_id, g.mark)] += g.events
        merged = await _merged(PromptRollupHourly, wanted, keep, hourly, slicing)
        for g, acc in zip(wanted, merged, strict=True):
            fold(g.key, acc)

    # raw events: everything when no rollup level applies; else the ragged edges and the dirty hours
    raw: list[Q] = minute_raw
    if h1 is None:
        if whole_raw:
            raw.append(Q() if whole_raw is ids else Q(prompt_id__in=whole_raw))
    else:
        uncached = {hour: list(raw_lead if hour != h1 else raw_tail) for hour in edges}
        for hour, (lo, hi) in edges.items():
            edge_wanted = {
                pid: rows_key
                for pid in uncached[hour]
                if hour not in dirty[pid]
                and edge_events[(pid, hour)] <= edge_hours.EDGE_HOUR_MAX_EVENTS
                and edge_hours.EDGE_HOURS.worth_copying(pid, hour, rows_key := tuple(sorted(edge_rows[(pid, hour)])))
            }
            if not edge_wanted:
                continue
            for pid, events in (await edge_hours.fetch_hours(hour, edge_wanted, _hour_rows)).items():
                for vhash, acc in events.between(lo, hi, version_hashes).items():
                    fold((pid, vhash if by_version else None, None), acc)
            uncached[hour] = [pid for pid in uncached[hour] if pid not in edge_wanted]
        tail = uncached.get(h1, raw_tail)
        if tail:
            raw.append(Q(prompt_id__in=tail, occurred_at__gte=h1))
        if start is not None and h0 is not None and start < h0:
            lead = uncached.get(h0 - HOUR, raw_lead)
            if lead:
                raw.append(Q(prompt_id__in=lead, occurred_at__lt=h0))
        inside = {pid: [h for h in hours if (h0 is None or h >= h0) and h < h1] for pid, hours in dirty.items()}
        for hours, pids in _shared(inside).items():
            for lo, hi in _ranges(hours, HOUR):
                raw.append(Q(prompt_id__in=pids) & _between("occurred_at", lo, hi))
    # One read per piece, each bounded by its own range.  ORed into one statement, the pieces let the
    # planner scan the window's whole range and filter: a cached generic plan did, 13-17 s for a
    # 64,000-row minute of a 60-minute alert window during a 30,000 events/s soak.
    within = Q(prompt_id__in=ids) & Q(occurred_at__lte=end) & version_filter
    if start is not None:
        within &= Q(occurred_at__gte=start)
    for piece in raw:
        query = PromptExecution.filter(within & piece)
        if get_settings().is_postgres:
            # Grouped in the database: an hour of raw events is thousands of rows, its groups dozens.
            for (pid, version, k), acc in (await raw_edge_aggregates(query, origin, bucket)).items():
                slot_start = (
                    origin + k * bucket if origin is not None and bucket is not None and k is not None else None
                )
                fold((pid, (version or "") if by_version else None, slot_start), acc)
            continue
        raw_slices: dict[SliceKey, Accumulator] = defaultdict(Accumulator)
        for row in await query.values("prompt_id", *RAW_FIELDS):
            raw_slices[key_of(row["prompt_id"], row["version_hash"], row["occurred_at"])].add_row(row)
        for key_, acc in raw_slices.items():
            fold(key_, acc)
    return results


class _MinuteParts:
    """Parts of a window answered from minute rows, and the raw rest of them.  Minute rows fall wholly
    inside the slices of an unbucketed read or of buckets that are whole minutes from a whole minute."""

    def __init__(
        self,
        cover: datetime,
        slicing: _Slicing,
        version_filter: Q,
        keep: bool,
        fold: Callable[[SliceKey, Accumulator], None],
    ) -> None:
        self.cover, self.slicing, self.version_filter, self.keep, self.fold = cover, slicing, version_filter, keep, fold
        self.raw: list[Q] = []  # what the answered parts still need from raw events

    async def answer(self, prompt_ids: list[int], lo: datetime, hi: datetime, hi_inclusive: bool) -> set[int]:
        """Fold ``prompt_ids``' minute rows of [lo, hi] (or [lo, hi)) into the read; returns the prompts
        answered.  The minutes must lie inside the rows' coverage; a ragged first minute [lo, m0) is
        left to raw events, and so is the last minute [mt, hi] where its row holds events after ``hi``."""
        m0 = minute_floor(lo)
        if m0 < lo:
            m0 += MINUTE
        if not prompt_ids or m0 < self.cover:
            return set()
        marks: list[datetime] = []
        if hi_inclusive:
            mt = minute_floor(hi)
            if m0 > mt:
                return set()  # no whole minute: raw, as before
            rows = PromptRollupMinute.filter(Q(prompt_id__in=prompt_ids) & _between("bucket_start", m0, mt + MINUTE))
            marks = [mt]
        else:
            rows = PromptRollupMinute.filter(Q(prompt_id__in=prompt_ids) & _between("bucket_start", m0, hi))
        rows = rows.filter(self.version_filter)
        slicing = _Slicing(self.slicing.by_version, self.slicing.origin, self.slicing.bucket, marks)
        groups = await _row_groups(rows, slicing, late_after=hi if hi_inclusive else None)
        late = {g.prompt_id for g in groups if g.mark is not None and g.late}
        wanted = [g for g in groups if g.mark is None or g.prompt_id not in late]
        for g, acc in zip(wanted, await _merged(PromptRollupMinute, wanted, self.keep, rows, slicing), strict=True):
            self.fold(g.key, acc)
        if lo < m0:
            self.raw.append(Q(prompt_id__in=prompt_ids, occurred_at__lt=m0))  # the read's own bounds: >= lo
        if late:
            self.raw.append(Q(prompt_id__in=sorted(late), occurred_at__gte=marks[0]))
        return set(prompt_ids)


@dataclass(frozen=True)
class _RowGroup:
    """Rollup rows of one slice: their ids, events, and whether one holds an event after the window."""

    key: SliceKey
    mark: datetime | None  # the row's bucket when it is one of the ``marks`` asked about
    ids: list[int]
    events: int
    late: bool

    @property
    def prompt_id(self) -> int:
        return self.key[0]


def _shared(per_prompt: Mapping[int, Iterable[datetime]]) -> dict[tuple[datetime, ...], list[int]]:
    """Prompts grouped by their (non-empty) set of buckets.

    Under live ingest every active prompt has the same dirty hour; one condition per
    distinct set keeps the SQL (and Tortoise's cost of building it) small.
    """
    groups: dict[tuple[datetime, ...], list[int]] = defaultdict(list)
    for pid, buckets in per_prompt.items():
        if key_ := tuple(sorted(set(buckets))):
            groups[key_].append(pid)
    return groups


def _clean(dirty: dict[int, set[datetime]]) -> Q:
    """Leave out the rows of dirty buckets (raw events answer for them)."""
    q = Q()
    for buckets, pids in _shared(dirty).items():
        q &= ~Q(prompt_id__in=pids, bucket_start__in=list(buckets))
    return q


async def _row_groups(query: Any, slicing: _Slicing, late_after: datetime | None) -> list[_RowGroup]:
    """The ids of ``query``'s rollup rows grouped by slice (and by bucket for those in ``marks``).

    On PostgreSQL the grouping is done by the database: a 30-day window of 20 prompts is
    thousands of rows but a few dozen groups, and shipping arrays of ids is far cheaper
    than shipping (and keying) every row in Python.
    """
    fields = ("id", "prompt_id", "version_hash", "bucket_start", "count", "max_occurred_at")
    if not get_settings().is_postgres:
        origin, bucket = slicing.origin, slicing.bucket
        grouped: dict[tuple[SliceKey, datetime | None], list[tuple[Any, ...]]] = defaultdict(list)
        marked = set(slicing.marks)
        for r in await _tuples(query, *fields):
            slot_start = origin + ((r[3] - origin) // bucket) * bucket if origin is not None and bucket else None
            k = (r[1], (r[2] or "") if slicing.by_version else None, slot_start)
            grouped[(k, r[3] if r[3] in marked else None)].append(r)
        return [
            _RowGroup(
                k,
                mark,
                [r[0] for r in rows],
                sum(r[4] for r in rows),
                late_after is not None and any(r[5] is not None and r[5] > late_after for r in rows),
            )
            for (k, mark), rows in grouped.items()
        ]
    cte, keys, params, late = slicing.statement(query, fields, late_after)
    grouping = (
        f"{cte} SELECT {keys}, array_agg(id ORDER BY id), sum(count)::bigint, "
        f"coalesce(bool_or(max_occurred_at > ${late}::timestamptz), false) FROM r GROUP BY 1, 2, 3, 4"
    )
    _, rows = await connections.get("default").execute_query(grouping, params)
    out = []
    for r in rows:
        key_, mark = slicing.group_of(r)
        out.append(_RowGroup(key_, mark, list(r[4]), r[5], r[6]))
    return out


SQL_MERGE_ROWS = 50_000
"""From this many rollup rows in one read (PostgreSQL), groups are merged by the database.

Parsing rows into accumulators costs tens of microseconds each in Python; a 30-day
summary of an organization with 12,000 prompt versions lists 360,000 daily rows per
window, which the database sums in seconds.  Such reads are not cached.
"""


async def _merged(
    model: type[RollupFields], wanted: list[_RowGroup], keep: bool, query: Any, slicing: _Slicing
) -> list[Accumulator]:
    """Each wanted group's rows merged into one accumulator, in order.

    PostgreSQL buys: from :data:`SQL_MERGE_ROWS` rows on, the database sums the groups (seconds
    for 360,000 daily rows) instead of Python parsing every row at tens of microseconds each.
    """
    if get_settings().is_postgres and sum(len(g.ids) for g in wanted) >= SQL_MERGE_ROWS:
        merged = await _merged_in_sql(query, slicing)
        return [merged[(g.key, g.mark)] for g in wanted]
    return await _PARSED.merged(model, [g.ids for g in wanted], keep)


async def _one_snapshot(params: list[Any], *statements: str) -> list[Sequence[Any]]:
    """Each statement's rows, all read from one snapshot (PostgreSQL).

    A slice is read as totals, sketch buckets and id lists in separate statements; under READ
    COMMITTED a drain committing between them would add groups or counts the totals never saw
    (a sketch row for a group the totals lack).  A read-only REPEATABLE READ transaction costs
    two more round trips and takes no locks.
    """
    async with in_transaction("default") as conn:
        await conn.execute_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return [(await conn.execute_query(sql, params))[1] for sql in statements]


async def _merged_in_sql(query: Any, slicing: _Slicing) -> dict[tuple[SliceKey, datetime | None], Accumulator]:
    """PostgreSQL: :meth:`Accumulator.merge` over each group of ``query``'s rows, done by the database.

    The groups are :func:`_row_groups`' (same key expressions): counts by status, each
    measure's summed ``[sum, n, sum of squares]``, the latest event time, sketch zeros and
    bucket counts, data-source and schema counts.
    """
    fields = ("prompt_id", "version_hash", "bucket_start", "status", "count", "max_occurred_at")
    cte, keys, params, _ = slicing.statement(query, (*fields, "totals", "sketches", "data_sources", "schemas"))
    measures = ", ".join(
        f"sum((totals->'{m}'->>0)::float8), sum((totals->'{m}'->>1)::float8), "
        f"sum(coalesce((totals->'{m}'->>2)::float8, 0))"
        for m in MEASURES
    )
    totals_sql = (
        f"{cte} SELECT {keys}, sum(count), coalesce(sum(count) FILTER (WHERE status = 'completed'), 0), "
        "coalesce(sum(count) FILTER (WHERE status = 'failed'), 0), max(max_occurred_at), "
        f"sum(coalesce((sketches->'latency_ms'->>'z')::bigint, 0)), {measures} FROM r GROUP BY 1, 2, 3, 4"
    )
    sketch_sql = (
        f"{cte} SELECT {keys}, b.key::int, sum(b.value::bigint) "
        f"FROM r, {sketch_type(query.model)}_each_text(r.sketches->'latency_ms'->'b') b GROUP BY 1, 2, 3, 4, 5"
    )
    lists_sql = (
        f"{cte} SELECT {keys}, 'd', x.key, sum(x.value::bigint) FROM r, jsonb_each_text(r.data_sources) x "
        f"GROUP BY 1, 2, 3, 4, 6 UNION ALL SELECT {keys}, 's', x.key, sum(x.value::bigint) "
        "FROM r, jsonb_each_text(r.schemas) x GROUP BY 1, 2, 3, 4, 6"
    )
    out: dict[tuple[SliceKey, datetime | None], Accumulator] = defaultdict(Accumulator)
    totals, sketches, lists = await _one_snapshot(params, totals_sql, sketch_sql, lists_sql)
    for r in totals:
        acc = out[slicing.group_of(r)]
        acc.count, acc.success, acc.failure, acc.max_occurred_at = int(r[4]), int(r[5]), int(r[6]), r[7]
        acc.latency.zeros = acc.latency.count = int(r[8])
        for i, m in enumerate(MEASURES):
            total, n, squares = r[9 + 3 * i], r[10 + 3 * i], r[11 + 3 * i]
            if n:
                acc.totals[m] = [total, int(n), squares]
    for r in sketches:
        sketch = out[slicing.group_of(r)].latency
        sketch.bins[r[4]] = int(r[5])
        sketch.count += int(r[5])
    for r in lists:
        acc = out[slicing.group_of(r)]
        (acc.data_sources if r[4] == "d" else acc.schemas)[r[5]] = int(r[6])
    return out


@dataclass(frozen=True)
class _Slicing:
    """How rollup rows are grouped into slices: the SQL (PostgreSQL) and its inverse."""

    by_version: bool
    origin: datetime | None
    bucket: timedelta | None
    marks: Sequence[datetime]

    def statement(self, query: Any, fields: Sequence[str], *extra: Any) -> tuple[str, str, list[Any], int]:
        """``WITH r(fields) AS (query)``, the four group-key expressions over ``r``, the parameters,
        and the ``$n`` of the first of the ``extra`` parameters (which follow the query's own)."""
        sql, params = _statement(query.values_list(*fields))
        first_extra = len(params) + 1
        params += [*extra, list(self.marks)]
        marks = len(params)
        if self.origin is not None and self.bucket is not None:
            params += [self.origin, self.bucket.total_seconds()]
            slot = f"floor(extract(epoch FROM bucket_start - ${len(params) - 1}) / ${len(params)})::bigint"
        else:
            slot = "NULL::bigint"
        version = "coalesce(version_hash, '')" if self.by_version else "NULL::text"
        mark = f"CASE WHEN bucket_start = ANY(${marks}::timestamptz[]) THEN bucket_start END"
        return f"WITH r({', '.join(fields)}) AS ({sql})", f"prompt_id, {version}, {slot}, {mark}", params, first_extra

    def group_of(self, row: Sequence[Any]) -> tuple[SliceKey, datetime | None]:
        """(slice key, mark) of a row whose first four columns are the group-key expressions."""
        pid, vhash, k, mark = row[0], row[1], row[2], row[3]
        origin, bucket = self.origin, self.bucket
        slot_start = origin + k * bucket if origin is not None and bucket is not None and k is not None else None
        return (pid, vhash, slot_start), mark


async def _hour_rows(prompt_ids: list[int], lo: datetime, hi: datetime) -> list[tuple[Any, ...]]:
    query = PromptExecution.filter(prompt_id__in=prompt_ids, occurred_at__gte=lo, occurred_at__lt=hi)
    return await _tuples(query, "prompt_id", *RAW_FIELDS)


async def _tuples(query: Any, *fields: str) -> list[tuple[Any, ...]]:
    """``query.values_list(*fields)`` as plain tuples, datetimes in UTC.

    On PostgreSQL the statement Tortoise builds is run directly: asyncpg already returns
    typed values, and skipping the ORM's per-value conversion halves the cost of reading
    the few thousand (id, slice) rows of a 30-day window.
    """
    if not get_settings().is_postgres:
        rows = await query.values_list(*fields)
        return [tuple(v.astimezone(UTC) if isinstance(v, datetime) else v for v in r) for r in rows]
    _, rows = await connections.get("default").execute_query(*_statement(query.values_list(*fields)))
    return [tuple(r) for r in rows]


def _statement(query: Any) -> tuple[str, list[Any]]:
    """The SQL and parameters Tortoise would send for ``query`` (pinned Tortoise 1.1.9 internals)."""
    query._choose_db_if_not_chosen()
    query._make_query()
    sql, params = query.query.get_parameterized_sql()
    return sql, list(params)


async def raw_edge_aggregates(
    query: Any, origin: datetime | None, bucket: timedelta | None
) -> dict[tuple[int, str | None, int | None], Accumulator]:
    """PostgreSQL: the rows of ``query`` aggregated by (prompt, version, bucket index) in SQL.

    Counts by status, sums, counts and sums of squares of every measure, data-source and
    schema counts, and the latency sketch's bucket counts -- exactly what
    :meth:`Accumulator.add_row` would have summed, without shipping the rows to Python.
    The sketch key is DDSketch's ``ceil(ln(v) / ln(gamma))``, computed by the database.
    """
    sql, params = _statement(query.values("prompt_id", "version_hash", *RAW_FIELDS[1:]))
    if origin is not None and bucket is not None:
        params += [origin, bucket.total_seconds()]
        slot = f"floor(extract(epoch FROM occurred_at - ${len(params) - 1}) / ${len(params)})::bigint"
    else:
        slot = "NULL::bigint"
    # float8 sums, as every other path adds floats (a numeric sum of cost_usd was a third of the cost)
    measures = ", ".join(f"sum({m}::float8), count({m}), sum({m}::float8 * {m}::float8)" for m in MEASURES)
    totals_sql = (
        f"WITH e AS ({sql}) SELECT prompt_id, version_hash, {slot} AS k, "
        "count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'failed'), count(*), "
        f"max(occurred_at), {measures} FROM e GROUP BY 1, 2, 3"
    )
    sketch_sql = (
        f"WITH e AS ({sql}) SELECT prompt_id, version_hash, {slot} AS k, "
        f"{sketch_sql_key('latency_ms')} AS b, "
        "count(*) FROM e WHERE latency_ms IS NOT NULL GROUP BY 1, 2, 3, 4"
    )
    # Rows repeat the same few id/name lists: count each distinct list once, then expand it
    # (three times cheaper than expanding every row's JSON).
    lists_sql = (
        f"WITH e AS ({sql}), g AS (SELECT prompt_id, version_hash, {slot} AS k, data_source_ids AS d, "
        "schema_names AS s, count(*) AS n FROM e GROUP BY 1, 2, 3, 4, 5) "
        "SELECT prompt_id, version_hash, k, 'd' AS kind, x, sum(n)::bigint "
        "FROM g, jsonb_array_elements_text(g.d) x GROUP BY 1, 2, 3, 5 UNION ALL "
        "SELECT prompt_id, version_hash, k, 's', x, sum(n)::bigint "
        "FROM g, jsonb_array_elements_text(g.s) x GROUP BY 1, 2, 3, 5"
    )
    out: dict[tuple[int, str | None, int | None], Accumulator] = {}
    totals, sketches, lists = await _one_snapshot(params, totals_sql, sketch_sql, lists_sql)
    for r in totals:
        acc = out[(r[0], r[1], r[2])] = Accumulator(count=r[5], success=r[3], failure=r[4], max_occurred_at=r[6])
        for i, m in enumerate(MEASURES):
            total, n, squares = r[7 + 3 * i], r[8 + 3 * i], r[9 + 3 * i]
            if n:
                acc.totals[m] = [total, n, squares]
    for r in sketches:
        sketch = out[(r[0], r[1], r[2])].latency
        sketch.count += r[4]
        if r[3] is None:
            sketch.zeros += r[4]
        else:
            sketch.bins[int(r[3])] = sketch.bins.get(int(r[3]), 0) + r[4]
    for r in lists:
        acc = out[(r[0], r[1], r[2])]
        target = acc.data_sources if r[3] == "d" else acc.schemas
        target[r[4]] = target.get(r[4], 0) + r[5]
    return out
