"""Answer "aggregate these prompts' executions over [start, end]" from rollups plus raw edges.

A window is cut into the coarsest pieces that are exact:

* whole clean days come from daily rollups,
* whole clean hours outside those days (and the hours of a day that still holds a
  dirty hour) come from hourly rollups,
* the ragged first/last partial hours and every still-dirty hour come from raw events.

A handful of queries, whatever the window length, so a 30-day question over millions
of events reads a few hundred rollup rows.  Rollup rows are never updated in place (a
rebuild deletes and re-inserts them), so a row id always names the same content: each
process keeps parsed rows in a bounded LRU (:class:`_ParsedRows`) and asks the database
only for the ids (and slicing columns) of the rows a window needs, then for the JSON of
the ones it has not parsed yet.  Nothing depends on the cache for correctness.  Results can be sliced by
prompt, by version and by time bucket (for charts); a bucketed read uses a rollup
level only when its rows fall wholly inside one bucket (aligned origin, bucket a
multiple of the level), and otherwise drops to the finer level or to raw rows.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from models.prompts import PromptExecution, PromptRollupDaily, PromptRollupHourly, RollupFields
from services import rollups
from services.config import get_settings
from services.rollups import DAY, HOUR, RAW_FIELDS, ROLLUP_COLUMNS, Accumulator, day_floor, hour_floor

SliceKey = tuple[int, str | None, datetime | None]
"""(prompt id, version hash if sliced by version, bucket start if bucketed)."""

_ZERO = timedelta(0)


class _ParsedRows:
    """Parsed rollup rows by (table, id), least recently used dropped beyond ``limit`` rows."""

    CHUNK = 5000

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rows: OrderedDict[tuple[str, int], Accumulator] = OrderedDict()

    async def get(self, model: type[RollupFields], ids: list[int]) -> dict[int, Accumulator]:
        table = model._meta.db_table
        found: dict[int, Accumulator] = {}
        missing = []
        for row_id in ids:
            hit = self.rows.get((table, row_id))
            if hit is None:
                missing.append(row_id)
            else:
                self.rows.move_to_end((table, row_id))
                found[row_id] = hit
        for i in range(0, len(missing), self.CHUNK):
            chunk = missing[i : i + self.CHUNK]
            for r in await model.filter(id__in=chunk).values("id", *ROLLUP_COLUMNS):
                found[r["id"]] = self.rows[(table, r["id"])] = Accumulator.of_rollup(r)
        while len(self.rows) > self.limit:
            self.rows.popitem(last=False)
        return found


_PARSED = _ParsedRows(get_settings().rollup_cache_rows)


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
    q = Q(**{f"{column}__lt": hi})
    return q & Q(**{f"{column}__gte": lo}) if lo is not None else q


async def accumulate_slices(
    prompt_ids: Sequence[int],
    start: datetime | None,
    end: datetime,
    *,
    by_version: bool = False,
    bucket: timedelta | None = None,
    version_hashes: Collection[str] | None = None,
) -> dict[SliceKey, Accumulator]:
    """Aggregate executions of ``prompt_ids`` with ``start <= occurred_at <= end``.

    With ``bucket``, slices start at ``start + k * bucket`` (``start`` is required).
    ``version_hashes`` restricts the read to those versions.
    """
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
    h1 = hour_floor(end)  # whole hours are [h0, h1)
    if not use_hourly or (h0 is not None and h0 >= h1):
        h0 = h1 = None  # no whole hours: everything raw
    dirty = await rollups.dirty_hours(*ids) if h1 is not None else {}

    version_filter = Q(version_hash__in=list(version_hashes)) if version_hashes is not None else Q()
    hourly_q: list[Q] = []
    open_tail = ids  # prompts whose [h1, end] still comes from raw events
    if h1 is not None:
        d0 = d1 = None
        if use_daily:
            d0 = _ceil(h0, day_floor(h0), DAY) if h0 is not None else None
            d1 = day_floor(h1)
            if d0 is not None and d0 >= d1:
                d0 = d1 = None
        if d1 is not None:
            dirty_days = {pid: {day_floor(h) for h in hours} for pid, hours in dirty.items()}
            # The day holding ``end`` is read too: where its (clean) daily rows hold nothing after
            # ``end`` -- the usual case, a window ending now -- they answer the whole tail
            # [d1, end] and neither its hours nor its raw events need reading.
            daily = PromptRollupDaily.filter(
                Q(prompt_id__in=ids) & _between("bucket_start", d0, d1 + DAY) & version_filter
            )
            rows = [
                r
                for r in await daily.values_list("id", "prompt_id", "version_hash", "bucket_start", "max_occurred_at")
                if r[3].astimezone(UTC) not in dirty_days[r[1]]
            ]
            tail_ids = {r[1] for r in rows if r[3].astimezone(UTC) == d1}
            tail_ids -= {r[1] for r in rows if r[3].astimezone(UTC) == d1 and r[4] is not None and r[4] > end}
            wanted = [r for r in rows if r[3].astimezone(UTC) < d1 or r[1] in tail_ids]
            parsed = await _PARSED.get(PromptRollupDaily, [r[0] for r in wanted])
            for row_id, pid, vhash, bucket_start, _ in wanted:
                results[key_of(pid, vhash, bucket_start)].merge(parsed[row_id])
            open_tail = [pid for pid in ids if pid not in tail_ids]
            # hours before and after the whole days, and every hour of a day still holding a dirty hour
            if d0 is not None and h0 is not None and h0 < d0:
                hourly_q.append(_between("bucket_start", h0, d0))
            if d1 < h1 and open_tail:
                hourly_q.append(Q(prompt_id__in=open_tail) & _between("bucket_start", d1, h1))
            for pid, days in dirty_days.items():
                for lo, hi in _ranges((d for d in days if (d0 is None or d >= d0) and d < d1), DAY):
                    hourly_q.append(Q(prompt_id=pid) & _between("bucket_start", lo, hi))
        else:
            hourly_q.append(_between("bucket_start", h0, h1))
    if hourly_q:
        where = hourly_q[0]
        for q in hourly_q[1:]:
            where |= q
        hourly = PromptRollupHourly.filter(Q(prompt_id__in=ids) & where & version_filter)
        wanted = [
            r
            for r in await hourly.values_list("id", "prompt_id", "version_hash", "bucket_start")
            if r[3].astimezone(UTC) not in dirty[r[1]]
        ]
        parsed = await _PARSED.get(PromptRollupHourly, [r[0] for r in wanted])
        for row_id, pid, vhash, bucket_start in wanted:
            results[key_of(pid, vhash, bucket_start)].merge(parsed[row_id])

    # raw events: everything when no rollup level applies; else the ragged edges and the dirty hours
    if h1 is None:
        raw = Q()
    else:
        raw = Q(prompt_id__in=open_tail, occurred_at__gte=h1) if open_tail else Q(id__lt=0)
        if start is not None and h0 is not None and start < h0:
            raw |= Q(occurred_at__lt=h0)
        for pid, hours in dirty.items():
            inside = (h for h in hours if (h0 is None or h >= h0) and h < h1)
            for lo, hi in _ranges(inside, HOUR):
                raw |= Q(prompt_id=pid) & _between("occurred_at", lo, hi)
    query = PromptExecution.filter(Q(prompt_id__in=ids) & Q(occurred_at__lte=end) & raw & version_filter)
    if start is not None:
        query = query.filter(occurred_at__gte=start)
    for row in await query.values("prompt_id", *RAW_FIELDS):
        results[key_of(row["prompt_id"], row["version_hash"], row["occurred_at"])].add_row(row)
    return results
