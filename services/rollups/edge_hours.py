"""The raw events of a window's ragged first and last hours, kept per process as sorted arrays.

A now-anchored window ("the last 30 days") starts mid-hour, and so does the end of the
window before it; those partial hours cannot come from rollups.  Read from the database
they are a grouped scan of up to an hour of raw events each, on every request: at 10M
events a month, about half of a 30-day summary's time.  But they lie in the past, and a
past hour changes only by a late event, which the drain adds to the hour's rollup rows in
the same transaction, giving them new ids (a repair deletes and re-inserts them, also
under new ids).  So while an hour is clean, the ids of its hourly rows name its events
exactly, and a copy of those events fetched once answers any part ``[lo, hi]`` of the
hour with two binary searches and a few vector sums.  (The copy is fetched after the ids
were read, so it may hold a late event the ids do not yet name: such a copy is newer
than its key, never older, and the next reader with the new ids fetches again.)

An hour is copied the second time it is asked for with the same rows (the first ask is summed by
the database: a copy costs far more than one grouped read).  Each process keeps the copies in an
LRU bounded by events (``EDGE_CACHE_EVENTS``); an
hour holding more than ``EDGE_HOUR_MAX_EVENTS`` events of one prompt is left to the
database, which aggregates it without shipping rows.  Nothing depends on the cache for
correctness: a miss (new hour, other process, rebuilt rows) fetches again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import orjson

from services.core import cache_stats
from services.core.config import get_settings
from services.rollups.build import HOUR, MEASURES, RAW_FIELDS, Accumulator
from services.rollups.sketch import MIN_VALUE, key_of

EDGE_HOUR_MAX_EVENTS = 50_000
ASKED_MAX = 20_000  # (prompt, hour) pairs remembered as asked once
_NO_LATENCY = np.iinfo(np.int64).min  # sketch key of a row without latency
_ZERO_LATENCY = _NO_LATENCY + 1  # sketch key of a latency below the sketch's minimum
_LATENCY = MEASURES.index("latency_ms")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(t: datetime) -> int:
    return (t - _EPOCH) // timedelta(microseconds=1)


def _sketch_key(latency: Any) -> int:
    if latency is None:
        return _NO_LATENCY
    value = float(latency)
    return _ZERO_LATENCY if value < MIN_VALUE else key_of(value)  # Sketch.add's bucket


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, str | bytes):
        value = orjson.loads(value)
    return value or []


class _Labels:
    """One column of string lists (data sources, schemas) as (row, label code) pairs."""

    def __init__(self, lists: Sequence[Sequence[Any]]) -> None:
        codes: dict[str, int] = {}
        rows: list[int] = []
        labels: list[int] = []
        for i, values in enumerate(lists):
            for v in values:
                rows.append(i)
                labels.append(codes.setdefault(str(v), len(codes)))
        self.names = list(codes)
        self.rows = np.asarray(rows, dtype=np.int64)
        self.codes = np.asarray(labels, dtype=np.int64)

    def counts_in(self, first_row: int, end_row: int) -> dict[str, int]:
        """Label counts over rows ``first_row`` .. ``end_row - 1``."""
        lo, hi = np.searchsorted(self.rows, [first_row, end_row])
        codes = self.codes[lo:hi]
        if not len(codes):
            return {}
        counts = np.bincount(codes, minlength=len(self.names))
        return {self.names[i]: int(counts[i]) for i in np.flatnonzero(counts).tolist()}


class _VersionBlock:
    """One version's events of the hour, sorted by time, column by column."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        # rows: (occurred_at, status, *measures, data_source_ids, schema_names), sorted by occurred_at
        self.at = np.asarray([_micros(r[0]) for r in rows], dtype=np.int64)
        self.completed = np.asarray([r[1] == "completed" for r in rows], dtype=np.bool_)
        self.failed = np.asarray([r[1] == "failed" for r in rows], dtype=np.bool_)
        self.measures = np.asarray(
            [[np.nan if r[2 + j] is None else float(r[2 + j]) for r in rows] for j in range(len(MEASURES))],
            dtype=np.float64,
        ).reshape(len(MEASURES), len(rows))
        keys = np.asarray([_sketch_key(r[2 + _LATENCY]) for r in rows], dtype=np.int64)
        self.has_latency = keys != _NO_LATENCY
        self.zero_latency = keys == _ZERO_LATENCY
        # sketch bucket keys as offsets from the smallest one: a range's sketch is one bincount
        valued = self.has_latency & ~self.zero_latency
        self.key_lo = int(keys[valued].min()) if valued.any() else 0
        self.key_offsets = np.where(valued, keys - self.key_lo, -1)
        self.key_span = int(self.key_offsets.max()) + 1 if valued.any() else 0
        self.data_sources = _Labels([r[2 + len(MEASURES)] for r in rows])
        self.schemas = _Labels([r[3 + len(MEASURES)] for r in rows])

    def between(self, lo_us: int, hi_us: int) -> Accumulator | None:
        """The events with ``lo_us <= at <= hi_us``, as one accumulator (None when there are none)."""
        i = int(np.searchsorted(self.at, lo_us, side="left"))
        j = int(np.searchsorted(self.at, hi_us, side="right"))
        n = j - i
        if n <= 0:
            return None
        acc = Accumulator(
            count=n,
            success=int(np.count_nonzero(self.completed[i:j])),
            failure=int(np.count_nonzero(self.failed[i:j])),
            max_occurred_at=_EPOCH + timedelta(microseconds=int(self.at[j - 1])),
        )
        values = self.measures[:, i:j]
        present = ~np.isnan(values)
        filled = np.where(present, values, 0.0)
        sums, counts, squares = filled.sum(axis=1), present.sum(axis=1), (filled * filled).sum(axis=1)
        for k, m in enumerate(MEASURES):
            if counts[k]:
                acc.totals[m] = [float(sums[k]), int(counts[k]), float(squares[k])]
        with_latency = int(np.count_nonzero(self.has_latency[i:j]))
        if with_latency:
            sketch = acc.latency
            sketch.count = with_latency
            sketch.zeros = int(np.count_nonzero(self.zero_latency[i:j]))
            offsets = self.key_offsets[i:j]
            offsets = offsets[offsets >= 0]
            if len(offsets):
                sketch.set_dense(self.key_lo, np.bincount(offsets, minlength=self.key_span))
        acc.data_sources = self.data_sources.counts_in(i, j)
        acc.schemas = self.schemas.counts_in(i, j)
        return acc

    def __len__(self) -> int:
        return len(self.at)


@dataclass
class HourEvents:
    """One prompt's events of one hour, by version; ``rows_key`` names the rollup rows they match."""

    rows_key: tuple[int, ...]
    versions: dict[str, _VersionBlock]

    @classmethod
    def of_rows(cls, rows_key: tuple[int, ...], rows: list[tuple[Any, ...]]) -> HourEvents:
        """``rows`` as ``RAW_FIELDS`` tuples (any order)."""
        by_version: dict[str, list[tuple[Any, ...]]] = {}
        for r in rows:
            by_version.setdefault(r[0] or "", []).append(
                (r[-1].astimezone(UTC), r[1], *r[2 : 2 + len(MEASURES)], _json_list(r[-3]), _json_list(r[-2]))
            )
        blocks = {}
        for version, block_rows in by_version.items():
            block_rows.sort(key=lambda r: r[0])
            blocks[version] = _VersionBlock(block_rows)
        return cls(rows_key, blocks)

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.versions.values())

    def between(self, lo: datetime, hi: datetime, version_hashes: Collection[str] | None) -> dict[str, Accumulator]:
        """Per version, the events with ``lo <= occurred_at <= hi`` (of ``version_hashes`` if given)."""
        lo_us, hi_us = _micros(lo.astimezone(UTC)), _micros(hi.astimezone(UTC))
        out = {}
        for version, block in self.versions.items():
            if version_hashes is not None and version not in version_hashes:
                continue
            acc = block.between(lo_us, hi_us)
            if acc is not None:
                out[version] = acc
        return out


assert RAW_FIELDS[0] == "version_hash" and RAW_FIELDS[1] == "status" and RAW_FIELDS[-1] == "occurred_at"
assert RAW_FIELDS[2 : 2 + len(MEASURES)] == MEASURES


class EdgeHours:
    """Per-process LRU of :class:`HourEvents` by (prompt id, hour start), bounded by events held."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self.hours: OrderedDict[tuple[int, datetime], HourEvents] = OrderedDict()
        self.asked: OrderedDict[tuple[int, datetime, tuple[int, ...]], None] = OrderedDict()

    def worth_copying(self, prompt_id: int, hour: datetime, rows_key: tuple[int, ...]) -> bool:
        """Whether the hour's events should be read from (or into) the copy rather than summed in SQL.

        Making a copy costs ~10x the grouped read (every event crosses the wire and is turned into
        arrays; ~0.6 s for a cold process's first 7-day summary on 10M events), which pays only
        when the hour is asked again.  So the first ask of an hour (with these rows) is answered by
        the database, and the second one makes the copy.
        """
        if self.limit <= 0:
            return False
        hit = self.hours.get((prompt_id, hour))
        if hit is not None and hit.rows_key == rows_key:
            return True
        named = (prompt_id, hour, rows_key)
        if named in self.asked:
            del self.asked[named]
            return True
        self.asked[named] = None
        while len(self.asked) > ASKED_MAX:
            self.asked.popitem(last=False)
        return False

    def get(self, prompt_id: int, hour: datetime, rows_key: tuple[int, ...]) -> HourEvents | None:
        hit = self.hours.get((prompt_id, hour))
        if hit is None or hit.rows_key != rows_key:
            EDGE_CACHE.misses += 1
            return None
        EDGE_CACHE.hits += 1
        self.hours.move_to_end((prompt_id, hour))
        return hit

    def put(self, prompt_id: int, hour: datetime, events: HourEvents) -> None:
        if self.limit <= 0:
            return
        old = self.hours.pop((prompt_id, hour), None)
        if old is not None:
            self.held -= old.size
        self.hours[(prompt_id, hour)] = events
        self.held += events.size
        while self.held > self.limit and len(self.hours) > 1:
            _, dropped = self.hours.popitem(last=False)
            self.held -= dropped.size
            EDGE_CACHE.evictions += 1


EDGE_HOURS = EdgeHours(get_settings().edge_cache_events)
EDGE_CACHE = cache_stats.register(
    "edge_hours",
    "Raw events of rollup edge hours per process (size: events held)",
    lambda: EDGE_HOURS.held,
    lambda: EDGE_HOURS.limit,
)


async def fetch_hours(
    hour: datetime,
    wanted: dict[int, tuple[int, ...]],
    fetch_rows: Callable[[list[int], datetime, datetime], Awaitable[list[tuple[Any, ...]]]],
) -> dict[int, HourEvents]:
    """The events of ``hour`` for each prompt in ``wanted`` (prompt id -> its rows key), cached.

    ``fetch_rows(prompt_ids, lo, hi)`` returns ``(prompt_id, *RAW_FIELDS)`` tuples of those
    prompts with ``lo <= occurred_at < hi`` (one query for all the missing prompts).
    """
    out: dict[int, HourEvents] = {}
    missing = []
    for pid, rows_key in wanted.items():
        hit = EDGE_HOURS.get(pid, hour, rows_key)
        if hit is None:
            missing.append(pid)
        else:
            out[pid] = hit
    if missing:
        grouped: dict[int, list[tuple[Any, ...]]] = {pid: [] for pid in missing}
        for row in await fetch_rows(missing, hour, hour + HOUR):
            grouped[row[0]].append(row[1:])
        for pid, rows in grouped.items():
            out[pid] = HourEvents.of_rows(wanted[pid], rows)
            EDGE_HOURS.put(pid, hour, out[pid])
    return out
