"""Time partitions of the raw executions table on PostgreSQL: created ahead, swept, expired.

``prompt_executions`` is range-partitioned by ``occurred_at`` (migration 16).  Why weeks by
default: at 2,000 events/s a week is ~1.2 billion rows.  Every insert touches a random leaf of
the partition's unique (organization_id, event_id, occurred_at) index (event ids are random UUIDs), so the
current partition's indexes are the write working set; a month (~5 billion rows) would put that
far past any sensible RAM, a week keeps it four times smaller and a day smaller still, while a
year of retention stays ~52 partitions (planning with a few hundred range partitions is cheap;
thousands are not).  Small deployments may prefer ``month`` (fewer tables), very large ones
``day``: ``EXECUTIONS_PARTITION_PERIOD``.  Changing it later is safe: partitions are only ever
created for the gaps between existing ones.

What :func:`maintain` does (the ``maintain_partitions`` worker cron, and ``migrate``):

* creates the current period's partition and ``EXECUTIONS_PARTITIONS_AHEAD`` more;
* sweeps the DEFAULT partition: an event for a period without a partition (a late event, up to
  ten years back, or one before the first partition) lands there, so the drain never fails on a
  missing partition.  Each period found there gets its partition: created empty, the period's
  rows moved into it from the default partition, then attached, in one transaction (a range
  cannot be attached while the default partition holds rows of it, so creating it ahead
  without moving them would fail).  Rows older than retention are deleted instead;
* drops whole partitions whose end is older than ``EXECUTIONS_RETENTION_DAYS`` (0: never);
* ANALYZEs the partitioned table itself when its statistics are a day old or missing
  (:data:`PARENT_ANALYZE_EVERY`).  Autovacuum analyzes partitions, never a partitioned parent,
  so without this the planner has no statistics for a scan across partitions (the row counts of
  a GROUP BY or a join over the whole table are guesses); PostgreSQL's documentation asks for
  a periodic manual ANALYZE.  On PostgreSQL 15 it also re-samples every partition (``ANALYZE
  ONLY`` is 17's), a few seconds on tens of millions of rows, once a day.
  Dropping is a catalog operation; the equivalent DELETE rewrites and vacuums every row
  (``bench/partitions.py`` times both).  Rollups are not touched: the hourly and daily
  rollups keep the history that raw events no longer hold.

Every step takes a transaction-scoped advisory lock, so two workers never race, and a short
``lock_timeout``: DETACH needs a brief exclusive lock on the table, and a long-running query
holding it off makes the step retry at the next run instead of queueing every query behind it.
SQLite has one unpartitioned table and nothing here applies.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from asyncpg.exceptions import LockNotAvailableError
from pydantic import BaseModel

from services.core.config import Settings, get_settings

log = logging.getLogger(__name__)

EXECUTIONS = "prompt_executions"
PARTITION_COLUMN = "occurred_at"
LOCK_KEY = 0x70617274  # pg_advisory_xact_lock key of partition maintenance ("part")
LOCK_TIMEOUT = "2s"
PARENT_ANALYZE_EVERY = timedelta(days=1)
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class PartitionReport(BaseModel):
    """What one maintenance run did, by partition name."""

    created: list[str] = []
    moved_rows: int = 0  # rows moved out of the default partition into their own partition
    expired_rows: int = 0  # rows of the default partition older than retention, deleted
    dropped: list[str] = []
    analyzed: bool = False  # the partitioned table's own statistics were gathered (PARENT_ANALYZE_EVERY)
    skipped: str | None = None  # why nothing was done (SQLite, table not partitioned)


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime | None  # None: the DEFAULT partition
    end: datetime | None


def period_start(when: datetime, period: str) -> datetime:
    """The start (UTC midnight; weeks start on Monday, as date_trunc('week')) of ``when``'s period."""
    day = when.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown partition period {period!r}")


def next_start(start: datetime, period: str) -> datetime:
    if period == "day":
        return start + timedelta(days=1)
    if period == "week":
        return start + timedelta(days=7)
    if period == "month":
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    raise ValueError(f"unknown partition period {period!r}")


def partition_name(table: str, start: datetime) -> str:
    return f"{table}_p{start:%Y%m%d}"


def gaps(lo: datetime, hi: datetime, taken: list[Partition]) -> list[tuple[datetime, datetime]]:
    """The pieces of ``[lo, hi)`` that no existing range partition covers."""
    pieces = [(lo, hi)]
    for p in taken:
        if p.start is None or p.end is None:
            continue
        cut: list[tuple[datetime, datetime]] = []
        for a, b in pieces:
            if p.end <= a or p.start >= b:
                cut.append((a, b))
                continue
            if a < p.start:
                cut.append((a, p.start))
            if p.end < b:
                cut.append((p.end, b))
        pieces = cut
    return pieces


_LIST = """
SELECT c.relname AS name, b.lo, b.hi
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) AS e
CROSS JOIN LATERAL (SELECT (regexp_match(e.bound, 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS lo,
                           (regexp_match(e.bound, 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS hi) AS b
WHERE i.inhparent = $1::regclass
ORDER BY b.lo NULLS FIRST
"""


async def list_partitions(conn: Any, table: str = EXECUTIONS) -> list[Partition]:
    """The table's partitions with their bounds (read back from the catalog, not from names)."""
    rows = await conn.fetch(_LIST, table)
    return [Partition(r["name"], r["lo"], r["hi"]) for r in rows]


async def is_partitioned(conn: Any, table: str = EXECUTIONS) -> bool:
    kind = await conn.fetchval("SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)", table)
    return bool(kind == "p")


@asynccontextmanager
async def _short_lock_timeout(conn: Any) -> AsyncIterator[None]:
    """``lock_timeout`` of LOCK_TIMEOUT for the block, then back to what it was.

    SET LOCAL alone would outlive the block when the caller's transaction encloses it
    (seed-demo creates partitions inside its own), and its later statements would inherit it.
    """
    previous = await conn.fetchval("SELECT current_setting('lock_timeout')")
    await conn.execute(f"SELECT set_config('lock_timeout', '{LOCK_TIMEOUT}', false)")
    try:
        yield
    finally:
        await conn.execute("SELECT set_config('lock_timeout', $1, false)", previous)


def _literal(when: datetime) -> str:
    return "'" + when.astimezone(UTC).isoformat() + "'"


async def _create(conn: Any, table: str, lo: datetime, hi: datetime) -> tuple[str, int] | None:
    """Create the partition for ``[lo, hi)`` (clipped to what is still free); returns (name, moved rows).

    Runs in its own transaction under the advisory lock, re-reading the partitions there.  A lock
    not granted within LOCK_TIMEOUT leaves the range to the next run (None), as dropping does.
    """
    try:
        return await _create_now(conn, table, lo, hi)
    except LockNotAvailableError:
        log.warning(
            "creating %s's partition from %s waited over %s for a lock; retried at the next run",
            table,
            lo,
            LOCK_TIMEOUT,
        )
        return None


async def _create_now(conn: Any, table: str, lo: datetime, hi: datetime) -> tuple[str, int] | None:
    default = f"{table}_default"
    async with _short_lock_timeout(conn), conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
        free = gaps(lo, hi, await list_partitions(conn, table))
        if not free:
            return None
        lo, hi = free[0]
        name = partition_name(table, lo)
        if not (_NAME.match(name) and _NAME.match(table)):
            raise ValueError(f"unsafe partition name {name!r}")
        has_default = any(p.start is None for p in await list_partitions(conn, table))
        await conn.execute(f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS)')
        moved = 0
        if has_default:
            # Rows of this range that landed in the default partition move with it, under ACCESS
            # EXCLUSIVE on the table and its default partition, taken first, together:
            # - a query planned while the move ran would list the partitions without the new one
            #   and scan the default partition after the move committed, missing the moved rows
            #   (a rollup rebuild did, and its hour stayed wrong);
            # - no drain adds rows of this range between the move and the attach's check;
            # - the attach takes this lock on the default partition anyway: a weaker one upgraded
            #   there deadlocked with a drain that had read the default partition and then inserted.
            # Queries wait for the move (a few ms when no rows move); the lock_timeout bounds the wait.
            await conn.execute(f'LOCK TABLE ONLY "{table}", ONLY "{default}" IN ACCESS EXCLUSIVE MODE')
            status = await conn.execute(
                f'WITH moved AS (DELETE FROM "{default}" WHERE {PARTITION_COLUMN} >= $1 AND {PARTITION_COLUMN} < $2 '
                f'RETURNING *) INSERT INTO "{name}" SELECT * FROM moved',
                lo,
                hi,
            )
            moved = int(status.rsplit(" ", 1)[-1])
        # A CHECK matching the bounds lets ATTACH skip scanning the new table.
        await conn.execute(
            f'ALTER TABLE "{name}" ADD CONSTRAINT "{name}_bounds" '
            f"CHECK ({PARTITION_COLUMN} >= {_literal(lo)} AND {PARTITION_COLUMN} < {_literal(hi)})"
        )
        await conn.execute(
            f'ALTER TABLE "{table}" ATTACH PARTITION "{name}" FOR VALUES FROM ({_literal(lo)}) TO ({_literal(hi)})'
        )
        await conn.execute(f'ALTER TABLE "{name}" DROP CONSTRAINT "{name}_bounds"')
    return name, moved


async def ensure_range(conn: Any, lo: datetime, hi: datetime, settings: Settings | None = None) -> list[str]:
    """Partitions (one per period, only for the gaps) covering ``[lo, hi)``. Returns the names created.

    Callers that are about to load a known time range (seed-demo's COPY) call this first, so
    the rows go straight into their partitions instead of through the default one.
    """
    settings = settings or get_settings()
    period = settings.executions_partition_period
    created: list[str] = []
    start = period_start(lo, period)
    while start < hi:
        end = next_start(start, period)
        for a, b in gaps(start, end, await list_partitions(conn)):
            done = await _create(conn, EXECUTIONS, a, b)
            if done:
                created.append(done[0])
        start = end
    return created


async def _sweep_default(conn: Any, settings: Settings, cutoff: datetime | None, report: PartitionReport) -> None:
    default = f"{EXECUTIONS}_default"
    period = settings.executions_partition_period
    unit = {"day": "day", "week": "week", "month": "month"}[period]
    starts = [
        r[0]
        for r in await conn.fetch(
            f"SELECT DISTINCT date_trunc('{unit}', {PARTITION_COLUMN} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' "
            f'FROM "{default}" ORDER BY 1'
        )
    ]
    for start in starts:
        end = next_start(start, period)
        if cutoff is not None and end <= cutoff:
            status = await conn.execute(
                f'DELETE FROM "{default}" WHERE {PARTITION_COLUMN} >= $1 AND {PARTITION_COLUMN} < $2', start, end
            )
            report.expired_rows += int(status.rsplit(" ", 1)[-1])
            continue
        for a, b in gaps(start, end, await list_partitions(conn)):
            done = await _create(conn, EXECUTIONS, a, b)
            if done:
                report.created.append(done[0])
                report.moved_rows += done[1]


async def drop_expired(conn: Any, cutoff: datetime) -> list[str]:
    """Detach and drop every range partition that ends at or before ``cutoff``. Returns the names."""
    dropped = []
    for p in await list_partitions(conn):
        if p.end is None or p.end > cutoff:
            continue
        try:
            async with _short_lock_timeout(conn), conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
                await conn.execute(f'ALTER TABLE "{EXECUTIONS}" DETACH PARTITION "{p.name}"')
                await conn.execute(f'DROP TABLE "{p.name}"')
        except LockNotAvailableError:
            log.warning("dropping %s waited over %s for its lock; retried at the next run", p.name, LOCK_TIMEOUT)
            continue
        dropped.append(p.name)
    return dropped


_LAST_ANALYZE = """
SELECT greatest(last_analyze, last_autoanalyze) FROM pg_stat_user_tables WHERE relid = $1::regclass
"""


async def analyze_parent(conn: Any, now: datetime, table: str = EXECUTIONS) -> bool:
    """ANALYZE the partitioned table when its statistics are missing or PARENT_ANALYZE_EVERY old.

    Under the short lock timeout: ANALYZE's lock conflicts with a partition being attached or
    detached, and waiting behind one would queue the drain's inserts behind it.
    """
    last = await conn.fetchval(_LAST_ANALYZE, table)
    if last is not None and now - last < PARENT_ANALYZE_EVERY:
        return False
    try:
        async with _short_lock_timeout(conn):
            await conn.execute(f'ANALYZE "{table}"')
    except LockNotAvailableError:
        log.warning("analyzing %s waited over %s for its lock; retried at the next run", table, LOCK_TIMEOUT)
        return False
    return True


def retention_cutoff(settings: Settings, now: datetime | None = None) -> datetime | None:
    """Raw executions before this instant are expired; None when retention is off."""
    if settings.executions_retention_days <= 0:
        return None
    return (now or datetime.now(UTC)) - timedelta(days=settings.executions_retention_days)


async def maintain(settings: Settings | None = None, now: datetime | None = None) -> PartitionReport:
    """One maintenance run: partitions ahead, the default partition swept, expired ones dropped,
    the partitioned table's statistics refreshed when due."""
    from tortoise import connections

    settings = settings or get_settings()
    report = PartitionReport()
    if not settings.is_postgres:  # dialect: SQLite has no table partitioning
        report.skipped = "SQLite: one unpartitioned table"
        return report
    now = now or datetime.now(UTC)
    client: Any = connections.get("default")
    async with client.acquire_connection() as conn:
        if not await is_partitioned(conn):
            report.skipped = f"{EXECUTIONS} is not partitioned (migration 16 not applied)"
            return report
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
            report.skipped = "another process is maintaining the partitions"
            return report
        try:
            cutoff = retention_cutoff(settings, now)
            period = settings.executions_partition_period
            start = period_start(now, period)
            end = start
            for _ in range(settings.executions_partitions_ahead + 1):
                end = next_start(end, period)
            report.created.extend(await ensure_range(conn, start, end, settings))
            await _sweep_default(conn, settings, cutoff, report)
            if cutoff is not None:
                report.dropped = await drop_expired(conn, cutoff)
            report.analyzed = await analyze_parent(conn, now)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)
    if report.created or report.dropped or report.expired_rows:
        log.info(
            "partitions of %s: created %s, moved %d rows from the default partition, dropped %s, expired %d rows",
            EXECUTIONS,
            report.created,
            report.moved_rows,
            report.dropped,
            report.expired_rows,
        )
    return report
