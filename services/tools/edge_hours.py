"""The calls of a window's ragged first and last hours, kept per process as sorted arrays.

A window that starts or ends mid-hour ("the 30 days from 14:37") cannot take those partial hours
from rollups; read from the database they are a grouped scan of up to an hour of calls each on
every request (~14k rows an hour at 10M calls a month: most of such a read's time).  But an hour
changes only by a call written into it, which marks it dirty until the rollup job rebuilds it
(dirty hours are always read raw), and a rebuild deletes and re-inserts the hour's rollup rows
under new ids.  So while an hour is clean, the largest id of its organization-wide rollup rows
names its calls exactly, and a copy of them fetched once answers any part ``[lo, hi)`` of the
hour, for any user and tool, with two binary searches and a few vector sums.  Under live ingest
the current hour is dirty and so read raw; a quiet current hour is copied like any other.

Bounded by calls held (:data:`EDGE_CACHE_CALLS`); an hour of more than :data:`EDGE_HOUR_MAX_CALLS`
calls is left to the database.  Nothing depends on the cache for correctness: a miss (a new hour,
another process, rebuilt rows) fetches again.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from tortoise import connections

from services.core import cache_stats
from services.rollups import LOG_GAMMA, MIN_VALUE

EDGE_HOUR_MAX_CALLS = 100_000
EDGE_CACHE_CALLS = 2_000_000
_ZERO = np.iinfo(np.int64).min  # sketch key of a duration below the sketch's minimum
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_HOUR_SQL = """
SELECT started_at, user_id, tool_name, status = 'error' AS failed, error_type, duration_ms
FROM tool_executions WHERE organization_id = $1 AND started_at >= $2 AND started_at < $3 ORDER BY started_at
"""


def _micros(t: datetime) -> int:
    return (t - _EPOCH) // _US


@dataclass
class HourPart:
    """One tool's calls in a part of an hour: counts, error types and the sketch as (zeros, lo, counts)."""

    calls: int
    errors: int
    duration_sum: float
    error_types: dict[str, int]
    zeros: int
    lo: int
    counts: np.ndarray | None


class CachedHour:
    """An hour's calls of one organization, sorted by start time, as parallel arrays."""

    def __init__(self, signature: int | None, rows: list[tuple[datetime, int | None, str, bool, str | None, float]]):
        self.signature = signature
        tools: dict[str, int] = {}
        errors: dict[str, int] = {}
        self.t = np.fromiter((_micros(r[0]) for r in rows), dtype=np.int64, count=len(rows))
        self.user = np.fromiter((-1 if r[1] is None else r[1] for r in rows), dtype=np.int64, count=len(rows))
        self.tool = np.fromiter((tools.setdefault(r[2], len(tools)) for r in rows), dtype=np.int64, count=len(rows))
        self.failed = np.fromiter((bool(r[3]) for r in rows), dtype=bool, count=len(rows))
        self.error = np.fromiter(
            (errors.setdefault(r[4] or "unknown", len(errors)) if r[3] else -1 for r in rows),
            dtype=np.int64,
            count=len(rows),
        )
        self.duration = np.fromiter((float(r[5]) for r in rows), dtype=np.float64, count=len(rows))
        # the same arithmetic as Sketch.add, so a call lands in the same bucket either way
        self.key = np.fromiter(
            (_ZERO if r[5] < MIN_VALUE else math.ceil(math.log(r[5]) / LOG_GAMMA) for r in rows),
            dtype=np.int64,
            count=len(rows),
        )
        self.tools = list(tools)
        self.errors = list(errors)

    def __len__(self) -> int:
        return len(self.t)

    def between(self, lo: datetime, hi: datetime, user_id: int | None, tool_name: str | None) -> dict[str, HourPart]:
        """Per tool, the calls with ``lo <= started_at < hi`` (of one user, of one tool when given)."""
        i0, i1 = (int(i) for i in np.searchsorted(self.t, [_micros(lo), _micros(hi)], side="left"))
        pick = np.arange(i0, i1)
        if user_id is not None:
            pick = pick[self.user[pick] == user_id]
        if tool_name is not None:
            if tool_name not in self.tools:
                return {}
            pick = pick[self.tool[pick] == self.tools.index(tool_name)]
        if not len(pick):
            return {}
        tool = self.tool[pick]
        n = len(self.tools)
        calls = np.bincount(tool, minlength=n)
        failed = np.bincount(tool, weights=self.failed[pick], minlength=n)
        duration = np.bincount(tool, weights=self.duration[pick], minlength=n)
        bad = pick[self.failed[pick]]
        pairs, pair_counts = np.unique(self.tool[bad] * len(self.errors) + self.error[bad], return_counts=True)
        error_types: dict[int, dict[str, int]] = {}
        for pair, count in zip(pairs.tolist(), pair_counts.tolist(), strict=True):
            code, err = divmod(pair, len(self.errors))
            error_types.setdefault(code, {})[self.errors[err]] = count
        keys = self.key[pick]
        out: dict[str, HourPart] = {}
        for code in np.flatnonzero(calls).tolist():
            k = keys[tool == code]
            zeros = int(np.count_nonzero(k == _ZERO))
            k = k[k != _ZERO]
            lo_key, counts = 0, None
            if len(k):
                lo_key = int(k.min())
                counts = np.bincount(k - lo_key).astype(np.int64)
            out[self.tools[code]] = HourPart(
                int(calls[code]),
                round(float(failed[code])),
                float(duration[code]),
                error_types.get(code, {}),
                zeros,
                lo_key,
                counts,
            )
        return out


class EdgeHours:
    """LRU of :class:`CachedHour` by (organization, hour), bounded by the calls held."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self.hours: OrderedDict[tuple[int, datetime], CachedHour] = OrderedDict()

    async def get(self, organization_id: int, hour: datetime, signature: int | None, calls: int) -> CachedHour | None:
        """The hour's calls while ``signature`` (its rollup rows' largest id) still names them; None: too big."""
        key = (organization_id, hour)
        found = self.hours.get(key)
        if found is not None and found.signature == signature:
            EDGE_CACHE.hits += 1
            self.hours.move_to_end(key)
            return found
        EDGE_CACHE.misses += 1
        if calls > EDGE_HOUR_MAX_CALLS or self.limit <= 0:
            return None
        _, rows = await connections.get("default").execute_query(_HOUR_SQL, [organization_id, hour, hour + HOUR])
        cached = CachedHour(signature, [tuple(r) for r in rows])
        if found is not None:
            self.held -= len(self.hours.pop(key))
        self.hours[key] = cached
        self.held += len(cached)
        while self.held > self.limit and len(self.hours) > 1:
            _, dropped = self.hours.popitem(last=False)
            self.held -= len(dropped)
            EDGE_CACHE.evictions += 1
        return cached


HOUR = timedelta(hours=1)
EDGE_HOURS = EdgeHours(EDGE_CACHE_CALLS)
EDGE_CACHE = cache_stats.register(
    "tool_edge_hours",
    "Tool calls of rollup edge hours per process (size: calls held)",
    lambda: EDGE_HOURS.held,
    lambda: EDGE_HOURS.limit,
)
