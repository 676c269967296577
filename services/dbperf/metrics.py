"""``GET /admin/performance/database/metrics?period``: rates, sizes with growth and top statements.

Rates come from the stored samples inside the period (:mod:`services.dbperf.sampling`), summed
over consecutive pairs so a statistics reset between two samples drops that one interval instead
of producing a negative rate.  Sizes are read live and compared with the first sample of the
period.  Top statements come from ``pg_stat_statements`` when it is loaded and created in this
database; otherwise the answer says so and how to enable it.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from tortoise.functions import Min

from models.dbperf import DbRelationSample, DbStatSample
from services import analytics
from services.dbperf import access, sampling
from services.dbperf.schemas import (
    DatabaseMetrics,
    Rates,
    RelationGrowth,
    SamplingInfo,
    SeriesPoint,
    Statement,
    TopStatements,
)
from services.identity import Principal, require_superuser

MAX_SERIES = 120
TOP_RELATIONS = 20
TOP_STATEMENTS = 10
PERIODS = tuple(analytics.WINDOWS)
COUNTERS = (
    "xact_commit",
    "xact_rollback",
    "blks_read",
    "blks_hit",
    "tup_returned",
    "tup_fetched",
    "tup_inserted",
    "tup_updated",
    "tup_deleted",
    "temp_files",
    "temp_bytes",
    "deadlocks",
)

ENABLE_STATEMENTS = (
    "add pg_stat_statements to shared_preload_libraries in postgresql.conf (ALTER SYSTEM SET "
    "shared_preload_libraries = 'pg_stat_statements'), restart PostgreSQL, then run CREATE EXTENSION "
    "pg_stat_statements in this database"
)
STATEMENTS = """SELECT queryid::text AS queryid, left(query, 500) AS query, calls, total_exec_time, mean_exec_time,
       rows, shared_blks_hit, shared_blks_read, temp_blks_written
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY total_exec_time DESC LIMIT $1::int"""


def period_name(value: str) -> str:
    """A metrics period: ``1h`` ... ``90d`` or the analytics aliases (``last_7_days``)."""
    try:
        return analytics.canonical(value)
    except ValueError:
        raise ValueError(f"period must be one of {analytics.ACCEPTED}") from None


def _deltas(a: DbStatSample, b: DbStatSample) -> dict[str, int] | None:
    """Counter increases from ``a`` to ``b``; None when the statistics were reset in between."""
    if a.stats_reset != b.stats_reset:
        return None
    out = {c: int(getattr(b, c)) - int(getattr(a, c)) for c in COUNTERS}
    return None if any(v < 0 for v in out.values()) else out


def rates_of(samples: list[DbStatSample]) -> tuple[Rates | None, list[SeriesPoint]]:
    if len(samples) < 2:
        return None, []
    totals = dict.fromkeys(COUNTERS, 0)
    seconds = 0.0
    pairs: list[tuple[datetime, float, dict[str, int], int]] = []
    for a, b in itertools.pairwise(samples):
        d = _deltas(a, b)
        span = (b.sampled_at - a.sampled_at).total_seconds()
        if d is None or span <= 0:
            continue
        seconds += span
        for c in COUNTERS:
            totals[c] += d[c]
        pairs.append((b.sampled_at, span, d, b.connections))
    conns = [s.connections for s in samples]
    maximum = samples[-1].max_connections

    def per_s(value: float) -> float | None:
        return round(value / seconds, 4) if seconds else None

    read = totals["tup_returned"] + totals["tup_fetched"]
    written = totals["tup_inserted"] + totals["tup_updated"] + totals["tup_deleted"]
    hit_total = totals["blks_hit"] + totals["blks_read"]
    rates = Rates(
        seconds_covered=round(seconds, 3),
        transactions_per_second=per_s(totals["xact_commit"] + totals["xact_rollback"]),
        commits=totals["xact_commit"],
        rollbacks=totals["xact_rollback"],
        cache_hit_ratio=round(totals["blks_hit"] / hit_total, 6) if hit_total else None,
        rows_read_per_second=per_s(read),
        rows_written_per_second=per_s(written),
        rows_read=read,
        rows_written=written,
        temp_files=totals["temp_files"],
        temp_bytes=totals["temp_bytes"],
        temp_bytes_per_second=per_s(totals["temp_bytes"]),
        deadlocks=totals["deadlocks"],
        connections_avg=round(sum(conns) / len(conns), 3),
        connections_max=max(conns),
        max_connections=maximum,
    )
    return rates, _series(pairs)


def _series(pairs: list[tuple[datetime, float, dict[str, int], int]]) -> list[SeriesPoint]:
    """One point per sample interval, merged into at most ``MAX_SERIES`` points for long periods."""
    step = max(1, -(-len(pairs) // MAX_SERIES))
    points = []
    for i in range(0, len(pairs), step):
        chunk = pairs[i : i + step]
        span = sum(p[1] for p in chunk)
        d = {c: sum(p[2][c] for p in chunk) for c in COUNTERS}
        hits = d["blks_hit"] + d["blks_read"]
        points.append(
            SeriesPoint(
                at=chunk[-1][0],
                transactions_per_second=round((d["xact_commit"] + d["xact_rollback"]) / span, 4),
                cache_hit_ratio=round(d["blks_hit"] / hits, 6) if hits else None,
                rows_read_per_second=round((d["tup_returned"] + d["tup_fetched"]) / span, 4),
                rows_written_per_second=round((d["tup_inserted"] + d["tup_updated"] + d["tup_deleted"]) / span, 4),
                temp_bytes=d["temp_bytes"],
                deadlocks=d["deadlocks"],
                connections=max(p[3] for p in chunk),
            )
        )
    return points


async def first_sizes(start: datetime) -> dict[tuple[str, str], tuple[datetime, int]]:
    """Each relation's size at its first sample since ``start`` (a table created mid-period starts there)."""
    firsts = (
        await DbRelationSample.filter(sampled_at__gte=start)
        .annotate(first=Min("sampled_at"))
        .group_by("relation", "kind")
        .values("relation", "kind", "first")
    )
    wanted = {(r["relation"], r["kind"]): r["first"] for r in firsts}
    if not wanted:
        return {}
    rows = await DbRelationSample.filter(sampled_at__in=sorted(set(wanted.values()))).values(
        "relation", "kind", "sampled_at", "size_bytes"
    )
    return {
        (r["relation"], r["kind"]): (r["sampled_at"], int(r["size_bytes"]))
        for r in rows
        if wanted.get((r["relation"], r["kind"])) == r["sampled_at"]
    }


async def _growth(start: datetime, end: datetime) -> tuple[list[RelationGrowth], list[RelationGrowth]]:
    live = await sampling.current_relations()
    first = await first_sizes(start)
    out: dict[str, list[RelationGrowth]] = {"table": [], "index": []}
    for r in live:
        size = int(r["size_bytes"] or 0)
        at, before = first.get((r["relation"], r["kind"]), (None, None))
        growth = size - before if before is not None else None
        # per day only once an hour of history exists (seconds of history extrapolate wildly)
        days = (end - at).total_seconds() / 86400 if at is not None else 0.0
        out[r["kind"]].append(
            RelationGrowth(
                relation=r["relation"],
                table=r["table_name"],
                kind=r["kind"],
                size_bytes=size,
                size_bytes_at_start=before,
                growth_bytes=growth,
                growth_bytes_per_day=round(growth / days, 1) if growth is not None and days >= 1 / 24 else None,
                live_rows=r.get("live_rows"),
                dead_rows=r.get("dead_rows"),
            )
        )
    for kind in out:
        out[kind].sort(key=lambda g: (-g.size_bytes, g.relation))
    return out["table"][:TOP_RELATIONS], out["index"][:TOP_RELATIONS]


async def statements_status() -> dict[str, Any]:
    """Whether pg_stat_statements can be read here: loaded (preload) and created (extension)."""
    row = await access.one(
        "SELECT current_setting('shared_preload_libraries') AS preload, "
        "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS created"
    )
    loaded = "pg_stat_statements" in str(row.get("preload") or "")
    return {"loaded": loaded, "created": bool(row.get("created"))}


async def top_statements(limit: int = TOP_STATEMENTS) -> TopStatements:
    if not access.is_postgres():  # dialect: SQLite has no pg_stat_statements
        return TopStatements(available=False, note="SQLite keeps no per-statement statistics", items=[])
    status = await statements_status()
    if not status["loaded"]:
        return TopStatements(available=False, note=f"pg_stat_statements is not loaded: {ENABLE_STATEMENTS}", items=[])
    if not status["created"]:
        return TopStatements(
            available=False,
            note="pg_stat_statements is loaded but not created in this database: run CREATE EXTENSION "
            "pg_stat_statements",
            items=[],
        )
    found = await access.rows(STATEMENTS, limit)
    since = None
    try:
        since = (await access.one("SELECT stats_reset FROM pg_stat_statements_info")).get("stats_reset")
    except Exception:  # extension older than 1.9: no reset time
        since = None
    items = []
    for r in found:
        hits, reads = int(r["shared_blks_hit"]), int(r["shared_blks_read"])
        items.append(
            Statement(
                queryid=r["queryid"],
                query=r["query"],
                calls=int(r["calls"]),
                total_time_ms=round(float(r["total_exec_time"]), 3),
                mean_time_ms=round(float(r["mean_exec_time"]), 3),
                rows=int(r["rows"]),
                shared_blks_hit=hits,
                shared_blks_read=reads,
                temp_blks_written=int(r["temp_blks_written"]),
                cache_hit_ratio=round(hits / (hits + reads), 6) if hits + reads else None,
            )
        )
    return TopStatements(
        available=True,
        note="cumulative since pg_stat_statements was last reset (not limited to the period), by total time",
        since=since,
        items=items,
    )


async def period_samples(start: datetime, end: datetime) -> list[DbStatSample]:
    return await DbStatSample.filter(sampled_at__gte=start, sampled_at__lte=end).order_by("sampled_at")


async def database_metrics(principal: Principal, period: str = "24h") -> DatabaseMetrics:
    """Rates over ``period`` from the samples, live sizes with growth, top statements (superuser only)."""
    require_superuser(principal)
    w = analytics.window(period_name(period))
    samples = await period_samples(w.start, w.end)
    rates, series = rates_of(samples)
    first = samples[0].sampled_at if samples else None
    tables, indexes = await _growth(w.start, w.end)
    if access.is_postgres():  # dialect: the same figure from each database's own catalogue
        size = int((await access.one("SELECT pg_database_size(current_database()) AS b"))["b"])
    else:
        size = int(
            (await access.one("SELECT page_count * page_size AS b FROM pragma_page_count(), pragma_page_size()"))["b"]
        )
    note = None
    if len(samples) < 2:
        note = (
            f"{len(samples)} sample(s) in the period: rates need two; the sample_database_stats job takes one "
            f"every {sampling.SAMPLE_EVERY_MINUTES} minutes while a worker runs"
        )
    elif not access.is_postgres():
        note = "SQLite keeps no activity counters: only sizes are sampled"
    costs = [s.duration_ms for s in samples]
    return DatabaseMetrics(
        dialect="postgres" if access.is_postgres() else "sqlite",
        period=w.name,
        period_start=w.start,
        period_end=w.end,
        database_bytes=size,
        database_growth_bytes=size - samples[0].database_bytes if samples else None,
        sampling=SamplingInfo(
            samples=len(samples),
            first_sample_at=first,
            last_sample_at=samples[-1].sampled_at if samples else None,
            interval_seconds=sampling.SAMPLE_EVERY_MINUTES * 60,
            job="sample_database_stats",
            avg_sample_ms=round(sum(costs) / len(costs), 3) if costs else None,
            note=note,
        ),
        rates=rates if access.is_postgres() else None,
        series=series if access.is_postgres() else [],
        tables=tables,
        indexes=indexes,
        top_statements=await top_statements(),
    )
