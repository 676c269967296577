"""Minute, hourly and daily rollups of prompt executions, kept current by the writer of the events.

The drain adds what it stored to the rollups **in the same transaction** as the insert
(:func:`add_to_rollups`): the rows it actually inserted (a duplicate re-sent by a retry is
not inserted, so not counted) are summed per ``(prompt, version, status, minute)`` into
:class:`Accumulator`\ s and merged into the minute row (inside the minute rows' horizon,
``MINUTE_ROLLUP_HOURS``), the hourly row *and* the daily row of each group.
So once a batch commits, its events are in raw storage, in the hourly rows and in the
daily rows at once, and a reader sees either all three or none of them: no hour is
"dirty" because of ordinary ingest, and readers never scan an hour of raw events
because events are arriving (before, every active prompt's current hour was dirty under
live ingest and every read scanned it: 254-723 ms instead of ~40 ms at 10M events).

Why the daily rows too, in the same transaction (rather than marking the day dirty after
commit for a re-merge by the job): a reader of "the last 30 days" then needs no
per-day exception list, the current day answers from its daily rows, and the job has
nothing to do for live ingest.  The price is one more row merge per group per batch.

Row identity: a rollup row's ``id`` names its content (the readers' per-process caches
of parsed rows and of edge-hour events key on ids, :mod:`services.rollups.query`), so an
update gives the row a new id (PostgreSQL: ``id = nextval(...)``; the ORM path deletes
and re-inserts, and SQLite's AUTOINCREMENT never reuses an id).

Writers of one prompt's rollup rows serialize on that prompt's row lock: the drain
locks the ``prompts`` rows of its batch in id order before inserting (``pipeline``),
and every rebuild here takes the same lock before reading raw events, so a rebuild
never overwrites a concurrent drain's increment and a drain never increments rows a
rebuild is about to replace.  SQLite serializes all writers anyway.

Dirty marks remain for everything that changes raw events *without* the drain: an
older version's drain (marks left in Redis across an upgrade), repairs, deletions.
``mark_dirty`` flags ``(prompt, hour)`` in a Redis sorted set (scored by mark time,
set after the change commits); the rollup job rebuilds each dirty hour whole from raw
events under the prompt lock, re-merges its day from hourly rows, and only then clears
the mark (unless it was re-marked while rebuilding: ``CLEAR_IF_OLDER``).  Queries treat
still-dirty hours as raw and days holding a dirty hour as hourly, so answers stay
exactly what the raw events say.  ``rebuild_bucket``/``rebuild_all`` stay the repair tools.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import numpy as np
import orjson
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from models.prompts import (
    JsonText,
    Prompt,
    PromptExecution,
    PromptRollupDaily,
    PromptRollupHourly,
    PromptRollupMinute,
    RollupFields,
    RollupLevel,
)
from services.core.config import get_settings
from services.core.dates import EVENT_MAX_FUTURE
from services.core.redis_client import get_redis, key
from services.rollups.sketch import MIN_VALUE as SKETCH_MIN_VALUE
from services.rollups.sketch import Sketch
from services.rollups.sketch import keys_of as sketch_keys_of
from services.rollups.sketch import sql_key as sketch_sql_key

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MINUTE_LEVEL = "minute"  # rollup_levels.name of the minute rows' coverage
# On a database that already held executions, the minute rows are complete from this long after
# the minute of the upgrade that added them (its migration writes rollup_levels): a drain of the
# previous version may still store events up to EVENT_MAX_FUTURE ahead of its clock, and clocks of
# processes differ by a few minutes at most (tests/faults/test_clock_skew.py: 2).
MINUTE_LEVEL_MARGIN = EVENT_MAX_FUTURE + timedelta(minutes=5)
# Readers use minute rows only this far inside the horizon, so the prune job (which deletes
# rows past the horizon of its own moment) never removes a row a read is using.
MINUTE_PRUNE_MARGIN = timedelta(minutes=5)
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


def minute_floor(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(second=0, microsecond=0)


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


RollupKey = tuple[int, datetime, str, str]
"""(prompt id, bucket start, version hash or '', status): a rollup row, in its unique index's order."""
_Level = TypeVar("_Level", bound=RollupFields)


@dataclass
class RollupDelta:
    """What newly stored executions add to the rollups: one accumulator per minute row.

    Filled from the rows a writer actually inserted (:meth:`add`), then merged into the
    minute, hourly and daily rows by :func:`add_to_rollups` inside the writer's transaction.
    """

    minutely: dict[RollupKey, Accumulator] = field(default_factory=dict)
    organizations: dict[int, int] = field(default_factory=dict)  # prompt id -> organization id
    # (prompt id, version hash) -> first and last time among the rows: filled by of_aggregates, for
    # the versions' first/last seen, which the same pass over the inserted rows gives for free
    versions: dict[tuple[int, str], tuple[datetime, datetime]] = field(default_factory=dict)

    def add(self, organization_id: int, prompt_id: int, row: Mapping[str, Any]) -> None:
        """One stored execution (``RAW_FIELDS``, ``occurred_at`` timezone-aware)."""
        k = (prompt_id, minute_floor(row["occurred_at"]), row["version_hash"] or "", row["status"])
        acc = self.minutely.get(k)
        if acc is None:
            acc = self.minutely[k] = Accumulator()
            self.organizations[prompt_id] = organization_id
        acc.add_row(row)  # type: ignore[arg-type]

    @classmethod
    def of_aggregates(cls, records: Iterable[Sequence[Any]]) -> RollupDelta:
        """The rows of an :func:`aggregated_insert` statement as a delta."""
        delta = cls()
        loads = orjson.loads
        width = 3 * len(MEASURES)
        for r in records:
            pid, minute, vhash, status, org, n, latest, zeros = r[:8]
            totals = {m: list(r[8 + 3 * i : 11 + 3 * i]) for i, m in enumerate(MEASURES)}
            first, bins, sources, schemas = r[8 + width :]
            delta._put(
                (pid, _utc(minute), vhash, status),
                org,
                n,
                (first, latest),
                totals,
                zeros,
                {int(k): c for k, c in loads(bins).items()} if bins else {},
                loads(sources) if sources else {},
                loads(schemas) if schemas else {},
            )
        return delta

    @classmethod
    def of_columns(
        cls,
        organizations: Sequence[int],
        prompts: Sequence[int],
        versions: Sequence[str | None],
        statuses: Sequence[str],
        occurred: Sequence[datetime],
        measures: Mapping[str, Sequence[float | None]],
        sources: Sequence[str],
        schemas: Sequence[str],
    ) -> RollupDelta:
        """The same delta as :meth:`of_aggregates` over :func:`aggregated_insert`'s result, computed
        here from the inserted rows themselves, given as columns (``sources`` and ``schemas``: each
        row's list as JSON text; ``cost_usd`` as sent, before the column's rounding).

        For a writer that knows it inserted exactly these rows: summing them in PostgreSQL meant
        returning every row out of the insert into a grouping pass, 5-10 us per event of the
        database's CPU (``bench/ingest_batch.py``); here the sums are numpy passes over the
        columns.  Every figure is what the SQL gives: sums in row order, the sketch's bucket by its
        own arithmetic (``sketch.keys_of``), and costs rounded as the ``DECIMAL(18,8)`` column
        stores them.
        """
        delta = cls()
        n = len(prompts)
        if not n:
            return delta
        stamps = np.array([t.timestamp() for t in occurred], dtype=np.float64)
        minutes = (stamps // 60).astype(np.int64).tolist()  # exact: a stamp is never 1 us off
        keys = list(zip(prompts, minutes, [v or "" for v in versions], statuses, strict=True))  # None: '', as coalesce
        groups = {k: g for g, k in enumerate(dict.fromkeys(keys))}  # C loops, then one entry per group
        gid = np.array(list(map(groups.__getitem__, keys)), dtype=np.intp)
        size = len(groups)
        counts = np.bincount(gid, minlength=size).tolist()
        sums: dict[str, tuple[list[float], list[int], list[float]]] = {}
        latency = None
        for m in MEASURES:
            values = np.array(measures[m], dtype=np.float64)  # None -> nan
            if m == "cost_usd":
                values = _as_stored_cost(values)
            present = ~np.isnan(values)
            if m == "latency_ms":
                latency = (values, present)
            of, v = gid[present], values[present]
            sums[m] = (
                np.bincount(of, weights=v, minlength=size).tolist(),
                np.bincount(of, minlength=size).tolist(),
                np.bincount(of, weights=v * v, minlength=size).tolist(),
            )
        assert latency is not None
        values, present = latency
        small = present & (values < SKETCH_MIN_VALUE)
        zeros = np.bincount(gid[small], minlength=size).tolist()
        sized = present & ~small
        bins: list[dict[int, int]] = [{} for _ in range(size)]
        if sized.any():
            buckets = sketch_keys_of(values[sized])
            low = int(buckets.min())
            span = int(buckets.max()) - low + 1
            pairs, pair_counts = np.unique(gid[sized] * span + (buckets - low), return_counts=True)
            for pair, c in zip(pairs.tolist(), pair_counts.tolist(), strict=True):
                bins[pair // span][pair % span + low] = c
        # first and latest time per group: its rows sorted by time, the ends of each run
        order = np.lexsort((stamps, gid))
        ends = np.cumsum(counts)
        firsts, lasts = order[ends - np.asarray(counts)].tolist(), order[ends - 1].tolist()
        lists = [_element_counts(gid, sources, size), _element_counts(gid, schemas, size)]
        org_of = dict(zip(prompts, organizations, strict=True))
        for (pid, minute, vhash, status), g in groups.items():
            delta._put(
                (pid, datetime.fromtimestamp(minute * 60, UTC), vhash, status),
                org_of[pid],
                counts[g],
                (occurred[firsts[g]], occurred[lasts[g]]),
                {m: [s[0][g], s[1][g], s[2][g]] for m, s in sums.items()},
                zeros[g],
                bins[g],
                lists[0][g],
                lists[1][g],
            )
        return delta

    def _put(
        self,
        k: RollupKey,
        organization_id: int,
        n: int,
        span: tuple[datetime, datetime],
        totals: Mapping[str, list[Any]],
        zeros: int,
        bins: dict[int, int],
        sources: dict[str, int],
        schemas: dict[str, int],
    ) -> None:
        """One minute row's group: ``totals`` is each measure's [sum, count, sum of squares]."""
        pid, _, vhash, status = k
        acc = Accumulator(
            count=n,
            success=n if status == "completed" else 0,
            failure=n if status == "failed" else 0,
            max_occurred_at=span[1],
            totals={m: t for m, t in totals.items() if t[1]},
            data_sources=sources,
            schemas=schemas,
        )
        acc.latency.zeros = zeros
        acc.latency.bins = bins
        acc.latency.count = zeros + sum(bins.values())
        seen = self.versions.get((pid, vhash))
        self.versions[(pid, vhash)] = span if seen is None else (min(seen[0], span[0]), max(seen[1], span[1]))
        self.minutely[k] = acc
        self.organizations[pid] = organization_id

    @property
    def events(self) -> int:
        return sum(acc.count for acc in self.minutely.values())

    def recent_minutes(self, since: datetime) -> dict[RollupKey, Accumulator]:
        """The minute rows from ``since`` on (older minutes are past the minute rows' horizon)."""
        return {k: acc for k, acc in self.minutely.items() if k[1] >= since}

    def hourly(self) -> dict[RollupKey, Accumulator]:
        """The same executions per hourly row (new accumulators: the minute ones are left as they are)."""
        return self._coarser(hour_floor)

    def daily(self) -> dict[RollupKey, Accumulator]:
        """The same executions per daily row."""
        return self._coarser(day_floor)

    def _coarser(self, floor: Any) -> dict[RollupKey, Accumulator]:
        out: dict[RollupKey, Accumulator] = {}
        for (pid, minute, vhash, status), acc in self.minutely.items():
            k = (pid, floor(minute), vhash, status)
            held = out.get(k)
            if held is None:
                held = out[k] = Accumulator()
            held.merge(acc)
        return out

    def __bool__(self) -> bool:
        return bool(self.minutely)


def stored_cost(value: float) -> Decimal:
    """A cost as the executions' ``DECIMAL(18,8)`` column holds it: PostgreSQL's cast from float8 goes
    through 15 significant digits, then rounds half away from zero to 8 places.  The ORM path stores
    this too, so both backends keep the same value."""
    return Decimal(f"{value:.15g}").quantize(_COST_PLACES, rounding=ROUND_HALF_UP)


def _as_stored_cost(values: np.ndarray) -> np.ndarray:
    """:func:`stored_cost` of every value, as float8: a value with at most 8 places is unchanged (the
    common case, checked for all at once); others are converted one by one."""
    odd = np.flatnonzero((np.round(values, 8) != values) & ~np.isnan(values))
    if not len(odd):
        return values
    values = values.copy()
    for i in odd.tolist():
        values[i] = float(stored_cost(float(values[i])))
    return values


_COST_PLACES = Decimal("1e-8")


def _element_counts(gid: np.ndarray, lists: Sequence[str], size: int) -> list[dict[str, int]]:
    """Per group, how many rows name each element of their list (JSON text, as ``jsonb_array_elements_text``
    names it): the distinct (group, list) pairs are counted first, and only those parsed."""
    out: list[dict[str, int]] = [{} for _ in range(size)]
    for (g, text), c in Counter(zip(gid.tolist(), lists, strict=True)).items():
        if text == "[]":
            continue
        held = out[g]
        for e in orjson.loads(text):
            name = e if isinstance(e, str) else str(e)
            held[name] = held.get(name, 0) + c
    return out


# What aggregated_insert's one grouping pass (``x``) yields per set: GROUPING(k, ds, sc) is 0b011 for
# the rows of the sketch-bucket set, 0b101 for the data-source lists', 0b110 for the schema lists'.
_BINS_SET, _SOURCES_SET, _SCHEMAS_SET = 3, 5, 6


def _list_counts(column: str, keys: str, grouping_set: int) -> str:
    """Per rollup row, how many inserted rows name each element of the jsonb list ``column``.

    Only the distinct lists (the grouping pass's rows of ``grouping_set``) are expanded: a batch
    repeats a handful of lists, and expanding every row's list was ~0.4 us per event per list.
    """
    return (
        f"SELECT {keys}, jsonb_object_agg(e, c)::text AS {column} FROM (SELECT {keys}, e, sum(c)::bigint AS c "
        f"FROM x, jsonb_array_elements_text(x.{column}) e WHERE w = {grouping_set} GROUP BY {keys}, e) y "
        f"GROUP BY {keys}"
    )


def aggregated_insert(insert_sql: str) -> str:
    """``insert_sql`` (an ``INSERT INTO prompt_executions ...``, with or without ``ON CONFLICT ... DO
    NOTHING``, with no ``RETURNING``) as one statement that returns what it inserted summed per rollup row.

    PostgreSQL.  The rows come back already grouped by (prompt, minute, version, status): count,
    each measure's sum, count and sum of squares, the latest and the first time, the latency sketch's zeros
    and bucket counts (DDSketch's ``ceil(ln(v) / ln(gamma))``, the same arithmetic as
    :meth:`Sketch.add`), and data-source and schema counts -- what :meth:`Accumulator.add_row`
    would sum, without shipping every inserted row to Python (that cost ~16 us per event in
    the drain).  The bucket and list counts come from one hashed pass over the inserted rows
    with three grouping sets (three sorted passes were 0.3-0.4 us per event more).  Read the
    result with :meth:`RollupDelta.of_aggregates`.
    """
    returning = ", ".join(
        [
            "organization_id AS o",
            "prompt_id AS p",
            "coalesce(version_hash, '') AS v",
            "status AS s",
            "date_trunc('minute', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS h",
            *(f"{m}::float8 AS m{i}" for i, m in enumerate(MEASURES)),
            "data_source_ids AS ds",
            "schema_names AS sc",
            "occurred_at AS t",
        ]
    )
    measures = ", ".join(f"sum(m{i}), count(m{i}), sum(m{i} * m{i})" for i in range(len(MEASURES)))
    lat = f"m{MEASURES.index('latency_ms')}"
    keys = "p, h, v, s"
    bucket = sketch_sql_key(lat)
    return (
        f"WITH ins AS ({insert_sql.rstrip().removesuffix(';')}\nRETURNING {returning}),\n"
        f"g AS (SELECT {keys}, min(o) AS o, count(*) AS n, max(t) AS t, "
        f"count(*) FILTER (WHERE {lat} < {SKETCH_MIN_VALUE!r}) AS z, {measures}, min(t) AS t0 "
        f"FROM ins GROUP BY {keys}),\n"
        f"x AS (SELECT {keys}, k, ds, sc, count(*) AS c, GROUPING(k, ds, sc) AS w "
        f"FROM (SELECT {keys}, ds, sc, {bucket} AS k FROM ins) r "
        f"GROUP BY GROUPING SETS (({keys}, k), ({keys}, ds), ({keys}, sc))),\n"
        f"b AS (SELECT {keys}, jsonb_object_agg(k, c)::text AS bins FROM x "
        f"WHERE w = {_BINS_SET} AND k IS NOT NULL GROUP BY {keys}),\n"
        f"d AS ({_list_counts('ds', keys, _SOURCES_SET)}),\n"
        f"c AS ({_list_counts('sc', keys, _SCHEMAS_SET)})\n"
        f"SELECT g.*, b.bins, d.ds, c.sc FROM g LEFT JOIN b USING ({keys}) LEFT JOIN d USING ({keys}) "
        f"LEFT JOIN c USING ({keys})"
    )


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def minute_horizon(now: datetime | None = None) -> datetime:
    """The first minute the minute rows keep (``MINUTE_ROLLUP_HOURS`` back); older ones are pruned."""
    return minute_floor((now or datetime.now(UTC)) - timedelta(hours=get_settings().minute_rollup_hours))


async def add_to_rollups(delta: RollupDelta, conn: Any = None) -> int:
    """Merge ``delta`` into the minute, hourly and daily rollup rows; returns rows written.

    Call it inside the transaction that inserted the executions, after taking their
    prompts' row locks (see the module docstring).  ``conn``: that transaction's asyncpg
    connection (PostgreSQL, two set-based statements for the three tables); ``None``: the ORM,
    in the caller's ``in_transaction()`` (SQLite, or any other backend).  Minute rows are
    written only inside their horizon.
    """
    if not delta:
        return 0
    now = datetime.now(UTC)
    levels = {
        PromptRollupMinute: delta.recent_minutes(minute_horizon(now)),
        PromptRollupHourly: delta.hourly(),
        PromptRollupDaily: delta.daily(),
    }
    if conn is not None:
        return await _add_postgres(conn, levels, delta.organizations)
    written = 0
    for model, groups in levels.items():
        written += await _add_orm(model, groups, delta.organizations)
    return written


_MINUTE_LEVEL_SEEN: list[tuple[float, datetime]] = []  # (monotonic time read, complete_from), at most one


async def minute_rows_from(now: datetime | None = None) -> datetime | None:
    """The first minute whose minute rows hold every stored execution, or None (none written yet).

    ``complete_from`` is written once; each process re-reads it at most once a minute.
    """
    if not _MINUTE_LEVEL_SEEN or time.monotonic() - _MINUTE_LEVEL_SEEN[0][0] > 60:
        level = await RollupLevel.get_or_none(name=MINUTE_LEVEL)
        if level is None:
            return None
        _MINUTE_LEVEL_SEEN[:] = [(time.monotonic(), _utc(level.complete_from))]
    return max(_MINUTE_LEVEL_SEEN[0][1], minute_horizon(now) + MINUTE_PRUNE_MARGIN)


async def prune_minutes(now: datetime | None = None) -> int:
    """Delete the minute rows past the horizon (the rollup job, every minute). Returns rows deleted."""
    return await PromptRollupMinute.filter(bucket_start__lt=minute_horizon(now)).delete()


def _merged_json(row: Sequence[Any], acc: Accumulator) -> tuple[int, str, str, str, str, datetime | None]:
    """A stored row (``count, totals, data_sources, schemas, sketches, max_occurred_at`` as JSON
    text from column 5 on) plus ``acc``, as the columns to write back.

    Works on the stored JSON's dicts directly: parsing a row into an :class:`Accumulator`
    (numpy sketch) and serializing it again cost ~80 us a row, this a few.  The result is
    what ``Accumulator.of_rollup(row).merge(acc).as_row_fields()`` stores.
    """
    loads, dumps = orjson.loads, orjson.dumps
    totals: dict[str, list[float]] = {m: _three(v) for m, v in loads(row[6]).items()}
    for m, (total, n, squares) in acc.totals.items():
        t = totals.get(m)
        if t is None:
            totals[m] = [total, n, squares]
        else:
            t[0] += total
            t[1] += n
            t[2] += squares
    sources: dict[str, int] = loads(row[7])
    for k, n in acc.data_sources.items():
        sources[k] = sources.get(k, 0) + n
    schemas: dict[str, int] = loads(row[8])
    for k, n in acc.schemas.items():
        schemas[k] = schemas.get(k, 0) + n
    stored = loads(row[9]).get("latency_ms") or {}
    bins: dict[str, int] = stored.get("b") or {}
    for bucket, n in acc.latency.to_json()["b"].items():
        bins[bucket] = bins.get(bucket, 0) + n
    latest = row[10]
    if acc.max_occurred_at is not None and (latest is None or acc.max_occurred_at > latest):
        latest = acc.max_occurred_at
    return (
        row[5] + acc.count,
        dumps(totals).decode(),
        dumps(sources).decode(),
        dumps(schemas).decode(),
        dumps({"latency_ms": {"z": int(stored.get("z", 0)) + acc.latency.zeros, "b": bins}}).decode(),
        latest,
    )


def _lock_sql(table: str, first: int) -> str:
    """Lock (``FOR UPDATE``, in the unique index's order) and read the rows of the keys given as
    four arrays from parameter ``$first`` on."""
    a, b, c, d = (f"${first + i}" for i in range(4))
    return (
        f"SELECT r.id, r.prompt_id, r.bucket_start, r.version_hash, r.status, r.count, r.totals::text, "
        f"r.data_sources::text, r.schemas::text, r.sketches::text, r.max_occurred_at FROM {table} r "
        f"JOIN unnest({a}::int[], {b}::timestamptz[], {c}::text[], {d}::text[]) AS k(p, b, v, s) "
        "ON r.prompt_id = k.p AND r.bucket_start = k.b AND r.version_hash = k.v AND r.status = k.s "
        "ORDER BY r.prompt_id, r.bucket_start, r.version_hash, r.status FOR UPDATE OF r"
    )


def sketch_type(model: type[RollupFields]) -> str:
    """The SQL type of ``model``'s sketches on PostgreSQL: ``json`` or ``jsonb`` (see ``models.prompts.JsonText``)."""
    return "json" if isinstance(model._meta.fields_map["sketches"], JsonText) else "jsonb"


def _update_sql(table: str, first: int) -> str:
    """Write merged content back to rows by id (seven arrays from ``$first``), each under a NEW id:
    readers cache parsed rows (and edge hours) by row id."""
    i, c, t, d, s, k, m = (f"${first + n}" for n in range(7))
    return (
        f"UPDATE {table} AS r SET id = nextval('{table}_id_seq'), count = u.c, totals = u.t::jsonb, "
        f"data_sources = u.d::jsonb, schemas = u.s::jsonb, sketches = u.k::{_SKETCH_TYPES[table]}, "
        f"max_occurred_at = u.m, updated_at = now() "
        f"FROM unnest({i}::bigint[], {c}::int[], {t}::text[], {d}::text[], {s}::text[], {k}::text[], "
        f"{m}::timestamptz[]) AS u(i, c, t, d, s, k, m) WHERE r.id = u.i RETURNING 1"
    )


def _insert_sql(table: str, first: int) -> str:
    """Insert rows for keys not stored yet (eleven arrays from ``$first``); returns the keys inserted.
    ``DO NOTHING`` on a conflict: only a writer not holding the prompt lock (an older version's
    rollup job) can have inserted one meanwhile, and the caller merges into it instead."""
    o, p, b, v, s, c, t, d, sc, k, m = (f"${first + n}" for n in range(11))
    return (
        f"INSERT INTO {table} (organization_id, prompt_id, bucket_start, version_hash, status, count, totals, "
        "data_sources, schemas, sketches, max_occurred_at, updated_at) "
        f"SELECT o, p, b, v, s, c, t::jsonb, d::jsonb, sc::jsonb, k::{_SKETCH_TYPES[table]}, m, now() "
        f"FROM unnest({o}::int[], {p}::int[], {b}::timestamptz[], {v}::text[], {s}::text[], {c}::int[], "
        f"{t}::text[], {d}::text[], {sc}::text[], {k}::text[], {m}::timestamptz[]) "
        "AS n(o, p, b, v, s, c, t, d, sc, k, m) ORDER BY p, b, v, s "
        "ON CONFLICT (prompt_id, bucket_start, version_hash, status) DO NOTHING "
        "RETURNING prompt_id, bucket_start, version_hash, status"
    )


_MODELS = (PromptRollupMinute, PromptRollupHourly, PromptRollupDaily)
_TABLES = tuple(m._meta.db_table for m in _MODELS)
_SKETCH_TYPES = {m._meta.db_table: sketch_type(m) for m in _MODELS}
# 1. every key's stored row, locked, every table in one round trip
_LOCK_ALL = (
    "WITH "
    + ", ".join(f"l{i} AS ({_lock_sql(t, 1 + 4 * i)})" for i, t in enumerate(_TABLES))
    + " "
    + (" UNION ALL ".join(f"SELECT {i}, * FROM l{i}" for i in range(len(_TABLES))))
)
# 2. merged rows written back and missing rows inserted, every table in one round trip
_UPDATES_FROM = 1
_INSERTS_FROM = _UPDATES_FROM + 7 * len(_TABLES)
_WRITE_ALL = (
    "WITH "
    + ", ".join(f"u{i} AS ({_update_sql(t, _UPDATES_FROM + 7 * i)})" for i, t in enumerate(_TABLES))
    + ", "
    + ", ".join(f"i{i} AS ({_insert_sql(t, _INSERTS_FROM + 11 * i)})" for i, t in enumerate(_TABLES))
    + " "
    + " UNION ALL ".join(f"SELECT {i}, * FROM i{i}" for i in range(len(_TABLES)))
)


def _content_json(acc: Accumulator) -> tuple[int, str, str, str, str, datetime | None]:
    """The stored columns of a new row holding ``acc``."""
    dumps = orjson.dumps
    return (
        acc.count,
        dumps(acc.totals).decode(),
        dumps(acc.data_sources).decode(),
        dumps(acc.schemas).decode(),
        dumps({"latency_ms": acc.latency.to_json()}).decode(),
        acc.max_occurred_at,
    )


async def _add_postgres(
    conn: Any, levels: Mapping[type[RollupFields], Mapping[RollupKey, Accumulator]], orgs: Mapping[int, int]
) -> int:
    """Merge each level's groups into its table: two statements for every table, whatever the rows.

    1. Lock and read the stored rows of every key (``FOR UPDATE`` in the unique index's order;
       the prompt locks the caller holds already keep other drains and rebuilds out).
    2. Merge in Python, on the stored JSON (:func:`_merged_json`: sums, sketch bucket counts),
       then write the merged rows back under new ids and insert the keys not stored yet.
    A key another writer inserted between the two (only an older version's job can) is
    merged by a second pass.
    """
    n = len(_MODELS)
    groups = [levels[m] for m in _MODELS]
    keys = [sorted(g) for g in groups]
    lock_args: list[Any] = []
    for ks in keys:
        lock_args += [[k[0] for k in ks], [k[1] for k in ks], [k[2] for k in ks], [k[3] for k in ks]]
    found: list[set[RollupKey]] = [set() for _ in range(n)]
    updates: list[list[list[Any]]] = [[[] for _ in range(7)] for _ in range(n)]
    for r in await conn.fetch(_LOCK_ALL, *lock_args):
        level, row = r[0], tuple(r)[1:]
        k = (row[1], _utc(row[2]), row[3], row[4])
        found[level].add(k)
        for column, value in zip(updates[level], (row[0], *_merged_json(row, groups[level][k])), strict=True):
            column.append(value)
    inserts: list[list[list[Any]]] = [[[] for _ in range(11)] for _ in range(n)]
    for level, ks in enumerate(keys):
        for k in ks:
            if k not in found[level]:
                values = (orgs[k[0]], *k, *_content_json(groups[level][k]))
                for column, value in zip(inserts[level], values, strict=True):
                    column.append(value)
    args = [column for level in updates for column in level] + [column for level in inserts for column in level]
    inserted = await conn.fetch(_WRITE_ALL, *args)
    missed = [{k: groups[level][k] for k in keys[level] if k not in found[level]} for level in range(n)]
    for r in inserted:
        missed[r[0]].pop((r[1], _utc(r[2]), r[3], r[4]), None)
    if any(missed):  # inserted meanwhile by a writer without the prompt lock: merge into it
        await _add_postgres(conn, dict(zip(_MODELS, missed, strict=True)), orgs)
    return sum(len(k) for k in keys)


async def _add_orm(model: type[RollupFields], groups: Mapping[RollupKey, Accumulator], orgs: Mapping[int, int]) -> int:
    """The same merge through the ORM: read the keys' rows, delete them, insert the sums (new ids)."""
    pids = sorted({k[0] for k in groups})
    buckets = sorted({k[1] for k in groups})
    merged: dict[RollupKey, Accumulator] = {}
    stale: list[int] = []
    for r in await model.filter(prompt_id__in=pids, bucket_start__in=buckets).values("id", *ROLLUP_COLUMNS):
        k = (r["prompt_id"], _utc(r["bucket_start"]), r["version_hash"], r["status"])
        if k in groups:
            merged[k] = Accumulator.of_rollup(r)
            stale.append(r["id"])
    for k, acc in groups.items():
        held = merged.get(k)
        merged[k] = Accumulator().merge(acc) if held is None else held.merge(acc)
    if stale:
        await model.filter(id__in=stale).delete()
    await model.bulk_create(
        [
            model(
                organization_id=orgs[pid],
                prompt_id=pid,
                version_hash=vhash,
                status=status,
                bucket_start=bucket,
                **acc.as_row_fields(),
            )
            for (pid, bucket, vhash, status), acc in sorted(merged.items())
        ],
        batch_size=1000,
    )
    return len(merged)


async def lock_prompt(prompt_id: int, tx: Any) -> None:
    """PostgreSQL: take the prompt's row lock in ``tx`` (the one the drain takes before inserting).

    Held until ``tx`` ends, it keeps every drain of this prompt out while a rebuild reads
    raw events and replaces rollup rows.  SQLite serializes writers already: no-op.
    """
    if get_settings().is_postgres:
        await tx.execute_query("SELECT 1 FROM prompts WHERE id = $1 FOR NO KEY UPDATE", [prompt_id])


def raw_kept_since() -> datetime | None:
    """The first hour whose raw events are all still stored, or None when every one is.

    With ``EXECUTIONS_RETENTION_DAYS`` the partitions job drops whole partitions whose end is
    older than the retention, so raw events before this hour may be gone while their rollups
    remain: rebuilding such an hour from raw events would erase what only its rollups still know.
    """
    days = get_settings().executions_retention_days
    return hour_floor(datetime.now(UTC) - timedelta(days=days)) if days else None


async def rebuild_bucket(organization_id: int, prompt_id: int, bucket: datetime) -> int:
    """Recompute one prompt-hour from raw events (idempotent). Returns rollup rows written.

    Reads and replaces under the prompt's lock (:func:`lock_prompt`), so a drain
    committing into this hour meanwhile is either wholly in the raw read or applied
    on top of the rebuilt rows after it.  An hour past the retention is left as it is.
    """
    kept = raw_kept_since()
    if kept is not None and bucket < kept:
        return 0
    async with in_transaction() as tx:
        await lock_prompt(prompt_id, tx)
        rows = (
            await PromptExecution.filter(prompt_id=prompt_id, occurred_at__gte=bucket, occurred_at__lt=bucket + HOUR)
            .using_db(tx)
            .values(*RAW_FIELDS)
        )
        groups: dict[tuple[str, str], Accumulator] = {}
        minutes: dict[datetime, dict[tuple[str, str], Accumulator]] = {}
        horizon = minute_horizon()
        for row in rows:
            k = (row["version_hash"] or "", row["status"])
            groups.setdefault(k, Accumulator()).add_row(row)
            minute = minute_floor(row["occurred_at"])
            if minute >= horizon:
                minutes.setdefault(minute, {}).setdefault(k, Accumulator()).add_row(row)
        await _replace(tx, PromptRollupHourly, organization_id, prompt_id, bucket, groups)
        if bucket + HOUR > horizon:
            within = Q(prompt_id=prompt_id, bucket_start__gte=bucket, bucket_start__lt=bucket + HOUR)
            await PromptRollupMinute.filter(within).using_db(tx).delete()
            await PromptRollupMinute.bulk_create(
                [
                    rollup_row(PromptRollupMinute, organization_id, prompt_id, v, st, minute, acc)
                    for minute, by_key in minutes.items()
                    for (v, st), acc in by_key.items()
                ],
                batch_size=1000,
                using_db=tx,
            )
    return len(groups)


async def rebuild_day(organization_id: int, prompt_id: int, day: datetime) -> int:
    """Re-merge one prompt-day from its hourly rows (idempotent, under the prompt's lock). Returns rows written."""
    async with in_transaction() as tx:
        await lock_prompt(prompt_id, tx)
        hourly = PromptRollupHourly.filter(
            prompt_id=prompt_id, bucket_start__gte=day, bucket_start__lt=day + DAY
        ).using_db(tx)
        groups: dict[tuple[str, str], Accumulator] = {}
        for r in await hourly.values(*ROLLUP_COLUMNS):
            groups.setdefault((r["version_hash"], r["status"]), Accumulator()).add_rollup(r)
        await _replace(tx, PromptRollupDaily, organization_id, prompt_id, day, groups)
    return len(groups)


async def _replace(
    tx: Any,
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
    await model.filter(prompt_id=prompt_id, bucket_start=bucket).using_db(tx).delete()
    if rows:
        await model.bulk_create(rows, using_db=tx)


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
    for model in (PromptRollupHourly, PromptRollupMinute):
        stale = model.exclude(prompt_id__in=Subquery(Prompt.all().values("id")))
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
        # under the prompt's lock: a drain adding to hourly and daily rows meanwhile waits
        async with in_transaction() as tx:
            await lock_prompt(prompt_id, tx)
            groups: dict[datetime, dict[tuple[str, str], Accumulator]] = {}
            for r in await PromptRollupHourly.filter(prompt_id=prompt_id).using_db(tx).values(*ROLLUP_COLUMNS):
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
            await PromptRollupDaily.filter(prompt_id=prompt_id).using_db(tx).delete()
            await PromptRollupDaily.bulk_create(rows, batch_size=1000, using_db=tx)
        written += len(rows)
    return written


STREAM_CHUNK = 5000  # raw rows fetched, and rollup rows written, per round trip


def rollup_row(
    model: type[_Level],
    organization_id: int,
    prompt_id: int,
    version_hash: str,
    status: str,
    bucket: datetime,
    acc: Accumulator,
) -> _Level:
    """The rollup row ``rebuild_bucket`` writes for one group of one hour (or minute)."""
    return model(
        organization_id=organization_id,
        prompt_id=prompt_id,
        version_hash=version_hash,
        status=status,
        bucket_start=bucket,
        **acc.as_row_fields(),
    )


async def _rebuild_prompt(organization_id: int, prompt_id: int) -> int:
    buckets = 0
    pending: dict[type[RollupFields], list[RollupFields]] = {PromptRollupHourly: [], PromptRollupMinute: []}
    groups: dict[tuple[str, str], Accumulator] = {}
    minute_groups: dict[tuple[str, str], Accumulator] = {}
    bucket: datetime | None = None
    bucket_end: datetime | None = None
    minute: datetime | None = None
    async with in_transaction() as tx:

        async def write(model: type[RollupFields], rows: Iterable[RollupFields], at_least: int) -> None:
            pending[model].extend(rows)
            if len(pending[model]) >= at_least:
                await model.bulk_create(pending[model], batch_size=1000, using_db=tx)
                pending[model] = []

        async def finish_hour() -> None:
            nonlocal buckets
            if bucket is None or not groups:
                return
            buckets += 1
            rows = [
                rollup_row(PromptRollupHourly, organization_id, prompt_id, v, s, bucket, acc)
                for (v, s), acc in groups.items()
            ]
            groups.clear()
            await write(PromptRollupHourly, rows, STREAM_CHUNK)

        async def finish_minute() -> None:
            if minute is None or not minute_groups:
                return
            rows = [
                rollup_row(PromptRollupMinute, organization_id, prompt_id, v, s, minute, acc)
                for (v, s), acc in minute_groups.items()
            ]
            minute_groups.clear()
            await write(PromptRollupMinute, rows, STREAM_CHUNK)

        await lock_prompt(prompt_id, tx)  # drains of this prompt wait until it is rebuilt
        kept = raw_kept_since()  # hours before it keep their rollups: their raw events may be gone
        stale = PromptRollupHourly.filter(prompt_id=prompt_id).using_db(tx)
        await (stale if kept is None else stale.filter(bucket_start__gte=kept)).delete()
        # minute rows likewise, inside their horizon (and where raw events are still kept)
        minutes_from = max(minute_horizon(), kept) if kept is not None else minute_horizon()
        await PromptRollupMinute.filter(prompt_id=prompt_id, bucket_start__gte=minutes_from).using_db(tx).delete()
        async for row in _stream_executions(tx, prompt_id, kept):
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
            if occurred >= minutes_from:
                if minute is None or occurred >= minute + MINUTE:
                    await finish_minute()
                    minute = minute_floor(occurred)
                minute_groups.setdefault((vhash, row["status"]), Accumulator()).add_row(row)
        await finish_hour()
        await finish_minute()
        for model in pending:
            await write(model, [], 1)
    return buckets


async def _stream_executions(tx: Any, prompt_id: int, since: datetime | None = None) -> AsyncIterator[dict[str, Any]]:
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
        sql = f"SELECT {columns} FROM prompt_executions WHERE prompt_id = $1 AND occurred_at >= $2 ORDER BY occurred_at"
        parsed: dict[str, Any] = {}
        async with tx.acquire_connection() as conn:
            await conn.execute("SET LOCAL jit = off")  # compiling costs more than it saves on a cursor
            cursor = await conn.cursor(sql, prompt_id, since or datetime.min.replace(tzinfo=UTC))

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
        if since is not None:
            page = page.filter(occurred_at__gte=since)
        if last is not None:
            page = page.filter(Q(occurred_at__gt=last[0]) | Q(occurred_at=last[0], id__gt=last[1]))
        rows = await page.order_by("occurred_at", "id").limit(STREAM_CHUNK).values("id", *RAW_FIELDS)
        for row in rows:
            yield row
        if len(rows) < STREAM_CHUNK:
            return
        last = (rows[-1]["occurred_at"], rows[-1]["id"])
