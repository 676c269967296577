"""Database performance (seed 003): health, metrics, optimization runs and scaling advice.

Every route is documented under ``/admin/performance/...`` and ``/v1/admin/performance/...``
(one handler, two prefixes).  Superuser only: the figures describe the database all
organizations share, and optimization runs change it; an admin or a member gets 403.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from api.routing import Call, Ok, Router, both
from services import dbperf
from services.dbperf import (
    DatabaseHealth,
    DatabaseMetrics,
    OptimizationHistory,
    OptimizationRunInfo,
    OptimizeRequest,
    ScalingAdvice,
)
from services.identity import Role

router = Router("Database Performance")
SUPERUSER = {"role": Role.SUPERUSER}
BASE = "/admin/performance"


class MetricsQuery(BaseModel):
    period: Annotated[str, AfterValidator(dbperf.period_name)] = Field(
        default="24h",
        max_length=20,
        description="1h, 6h, 12h, 24h, 7d, 14d, 30d, 90d (or last_24_hours, last_7_days, last_30_days, last_90_days)",
    )


class HistoryQuery(BaseModel):
    limit: int = Field(default=20, ge=1, le=dbperf.MAX_HISTORY, description=f"1..{dbperf.MAX_HISTORY}")


@router.get(
    *both(f"{BASE}/database/health"),
    summary="Get Database Health",
    response_model=DatabaseHealth,
    description="At least 15 checks on PostgreSQL (cache hit ratios, connections, idle-in-transaction, long-running "
    "and blocked queries, unused/duplicate/invalid/missing indexes, table and index bloat, vacuum and analyze "
    "staleness, dead rows, wraparound headroom, sequences near max, replication, temp files, checkpoints), each with "
    "status, threshold, observed value and its query, under a statement timeout. On SQLite: integrity, free-list, "
    "pages, WAL, foreign keys, duplicate indexes, statistics, AUTOINCREMENT headroom, and what does not apply.",
    **SUPERUSER,
)
async def get_database_health(call: Call[None, None]) -> Ok:
    return Ok(await dbperf.database_health(call.user), "Database health retrieved successfully")


@router.get(
    *both(f"{BASE}/database/metrics"),
    summary="Get Database Metrics",
    query_model=MetricsQuery,
    response_model=DatabaseMetrics,
    description="Rates over the period from the sample_database_stats job's samples (transactions, hit ratio, rows "
    "read/written, temp bytes, deadlocks, connections), table and index sizes with growth, and the top statements "
    "by total time from pg_stat_statements when it is loaded (otherwise how to enable it).",
    **SUPERUSER,
)
async def get_database_metrics(call: Call[MetricsQuery, None]) -> Ok:
    return Ok(await dbperf.database_metrics(call.user, call.query.period), "Database metrics retrieved successfully")


@router.post(
    *both(f"{BASE}/database/optimize"),
    summary="Optimize Database",
    body_model=OptimizeRequest,
    response_model=OptimizationRunInfo,
    description="Enqueue allow-listed maintenance (analyze, vacuum, vacuum_analyze, reindex = REINDEX TABLE "
    "CONCURRENTLY) on tables of this product as an arq job with lock and statement timeouts. One run at a time. "
    "dry_run records the plan and the before figures without running anything.",
    responses={409: "Another optimization run is in progress", 503: "The job queue is unavailable"},
    **SUPERUSER,
)
async def optimize_database(call: Call[None, OptimizeRequest]) -> Ok:
    run = await dbperf.start_run(call.user, call.body)
    return Ok(run, "Optimization planned (dry run)" if run.dry_run else "Optimization run queued")


@router.get(
    *both(f"{BASE}/optimization/history"),
    summary="Get Optimization History",
    query_model=HistoryQuery,
    response_model=OptimizationHistory,
    description="Optimization runs, newest first: status, who asked, tasks, statements with durations and errors, "
    "before and after figures.",
    **SUPERUSER,
)
async def get_optimization_history(call: Call[HistoryQuery, None]) -> Ok:
    items = await dbperf.history(call.user, call.query.limit)
    return Ok({"items": items, "count": len(items), "limit": call.query.limit}, "Optimization history retrieved")


@router.get(
    *both(f"{BASE}/database/scaling"),
    summary="Get Scaling Recommendations",
    response_model=ScalingAdvice,
    description="Recommendations from measured data, each with the measurement that triggered it, its threshold "
    "and a projection: pooling, memory, work_mem, per-table autovacuum, partitioning of the executions table, "
    "indexes for sequential scans, read replicas.",
    **SUPERUSER,
)
async def get_scaling_recommendations(call: Call[None, None]) -> Ok:
    return Ok(await dbperf.scaling_advice(call.user), "Scaling recommendations retrieved successfully")
