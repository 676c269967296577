"""Database performance in the graph: ``databaseHealth``, ``databaseMetrics``, ``scalingRecommendations``,
``optimizationRuns`` and the ``startDatabaseOptimization`` mutation.

Types derive from the pydantic models the REST routes answer with (``services/dbperf/schemas.py``),
so both adapters show the same fields; statuses are plain strings (GraphQL has no literal types),
rows and thresholds that differ per check are ``JSON``, and byte counts are ``Float`` because
GraphQL ``Int`` is 32-bit.  Superuser only, like the REST routes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import strawberry
from pydantic import BaseModel
from strawberry.experimental.pydantic import type as pydantic_type
from strawberry.scalars import JSON

from graphql_schema.context import Info
from graphql_schema.permissions import IsSuperuser
from services import dbperf
from services.core.errors import BadRequest
from services.core.validation import validated
from services.dbperf import schemas

M = TypeVar("M", bound=BaseModel)


@pydantic_type(model=schemas.HealthCheck)
class DatabaseHealthCheck:
    name: strawberry.auto
    title: strawberry.auto
    category: strawberry.auto
    status: str
    observed: strawberry.auto
    unit: strawberry.auto
    threshold: JSON
    message: strawberry.auto
    details: JSON
    details_total: strawberry.auto
    evidence_query: strawberry.auto
    duration_ms: strawberry.auto


@pydantic_type(model=schemas.NotApplicable, all_fields=True)
class NotApplicableCheck:
    pass


@pydantic_type(model=schemas.HealthSummary, all_fields=True)
class DatabaseHealthSummary:
    pass


@pydantic_type(model=schemas.DatabaseHealth)
class DatabaseHealth:
    dialect: strawberry.auto
    status: str
    checked_at: strawberry.auto
    duration_ms: strawberry.auto
    statement_timeout_ms: strawberry.auto
    server_version: strawberry.auto
    database_bytes: float | None
    summary: DatabaseHealthSummary
    checks: list[DatabaseHealthCheck]
    not_applicable: list[NotApplicableCheck]


@pydantic_type(model=schemas.Rates)
class DatabaseRates:
    seconds_covered: strawberry.auto
    transactions_per_second: strawberry.auto
    commits: float
    rollbacks: float
    cache_hit_ratio: strawberry.auto
    rows_read_per_second: strawberry.auto
    rows_written_per_second: strawberry.auto
    rows_read: float
    rows_written: float
    temp_files: float
    temp_bytes: float
    temp_bytes_per_second: strawberry.auto
    deadlocks: float
    connections_avg: strawberry.auto
    connections_max: strawberry.auto
    max_connections: strawberry.auto


@pydantic_type(model=schemas.SeriesPoint)
class DatabaseSeriesPoint:
    at: strawberry.auto
    transactions_per_second: strawberry.auto
    cache_hit_ratio: strawberry.auto
    rows_read_per_second: strawberry.auto
    rows_written_per_second: strawberry.auto
    temp_bytes: float
    deadlocks: float
    connections: strawberry.auto


@pydantic_type(model=schemas.RelationGrowth)
class RelationGrowth:
    relation: strawberry.auto
    table: strawberry.auto
    kind: str
    size_bytes: float
    size_bytes_at_start: float | None
    growth_bytes: float | None
    growth_bytes_per_day: strawberry.auto
    live_rows: float | None
    dead_rows: float | None


@pydantic_type(model=schemas.Statement)
class DatabaseStatement:
    queryid: strawberry.auto
    query: strawberry.auto
    calls: float
    total_time_ms: strawberry.auto
    mean_time_ms: strawberry.auto
    rows: float
    shared_blks_hit: float
    shared_blks_read: float
    temp_blks_written: float
    cache_hit_ratio: strawberry.auto


@pydantic_type(model=schemas.TopStatements)
class TopStatements:
    available: strawberry.auto
    note: strawberry.auto
    since: strawberry.auto
    items: list[DatabaseStatement]


@pydantic_type(model=schemas.SamplingInfo, all_fields=True)
class SamplingInfo:
    pass


@pydantic_type(model=schemas.DatabaseMetrics)
class DatabaseMetrics:
    dialect: strawberry.auto
    period: strawberry.auto
    period_start: strawberry.auto
    period_end: strawberry.auto
    database_bytes: float | None
    database_growth_bytes: float | None
    sampling: SamplingInfo
    rates: DatabaseRates | None
    series: list[DatabaseSeriesPoint]
    tables: list[RelationGrowth]
    indexes: list[RelationGrowth]
    top_statements: TopStatements


@pydantic_type(model=schemas.Evidence, all_fields=True)
class ScalingEvidence:
    pass


@pydantic_type(model=schemas.Recommendation)
class ScalingRecommendation:
    name: strawberry.auto
    area: strawberry.auto
    triggered: strawberry.auto
    severity: str
    title: strawberry.auto
    advice: strawberry.auto
    evidence: list[ScalingEvidence]
    projection: JSON | None
    details: JSON


@pydantic_type(model=schemas.ScalingAdvice)
class ScalingRecommendations:
    dialect: strawberry.auto
    generated_at: strawberry.auto
    period: strawberry.auto
    samples: strawberry.auto
    recommendations: list[ScalingRecommendation]
    evaluated: list[ScalingRecommendation]
    not_applicable: list[NotApplicableCheck]


@pydantic_type(model=schemas.RunStatement, all_fields=True)
class OptimizationStatement:
    pass


@strawberry.type
class OptimizationRun:
    id: int
    status: str
    dry_run: bool
    requested_by: int
    organization_id: int
    tasks: list[str]
    tables: list[str]
    statements: list[OptimizationStatement]
    before: JSON
    after: JSON
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: float | None

    @classmethod
    def of(cls, run: schemas.OptimizationRunInfo) -> OptimizationRun:
        data = run.model_dump(mode="json")
        return cls(
            id=run.id,
            status=run.status,
            dry_run=run.dry_run,
            requested_by=run.requested_by,
            organization_id=run.organization_id,
            tasks=run.tasks,
            tables=run.tables,
            statements=[OptimizationStatement.from_pydantic(s) for s in run.statements],
            before=data["before"],
            after=data["after"],
            error=run.error,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            duration_ms=run.duration_ms,
        )


@strawberry.input
class DatabaseOptimizationInput:
    tasks: list[str] = strawberry.field(description="analyze, vacuum, vacuum_analyze, reindex")
    tables: list[str] | None = strawberry.field(default=None, description="omitted: every table of this product")
    dry_run: bool = False


SUPERUSER = [IsSuperuser]


def _json_safe(model: M) -> M:
    """The model with its free-form ``dict``/``JSON`` parts as JSON values (timestamps as ISO text),
    exactly as REST renders them; typed fields are parsed back to their types."""
    return type(model).model_validate(model.model_dump(mode="json"))


@strawberry.type
class DatabasePerformanceQuery:
    @strawberry.field(permission_classes=SUPERUSER, description="PgHero-grade health checks of the database")
    async def database_health(self, info: Info) -> DatabaseHealth:
        return DatabaseHealth.from_pydantic(_json_safe(await dbperf.database_health(info.context.user)))

    @strawberry.field(permission_classes=SUPERUSER, description="Rates, sizes with growth and top statements")
    async def database_metrics(self, info: Info, period: str = "24h") -> DatabaseMetrics:
        try:
            name = dbperf.period_name(period[:20])
        except ValueError as exc:
            raise BadRequest.field("period", str(exc)) from None
        return DatabaseMetrics.from_pydantic(await dbperf.database_metrics(info.context.user, name))

    @strawberry.field(permission_classes=SUPERUSER, description="Scaling advice naming its evidence")
    async def scaling_recommendations(self, info: Info) -> ScalingRecommendations:
        return ScalingRecommendations.from_pydantic(_json_safe(await dbperf.scaling_advice(info.context.user)))

    @strawberry.field(permission_classes=SUPERUSER, description="Optimization runs, newest first")
    async def optimization_runs(self, info: Info, limit: int = 20) -> list[OptimizationRun]:
        if not 1 <= limit <= dbperf.MAX_HISTORY:
            raise BadRequest.field("limit", f"must be between 1 and {dbperf.MAX_HISTORY}")
        return [OptimizationRun.of(r) for r in await dbperf.history(info.context.user, limit)]


@strawberry.type
class DatabasePerformanceMutation:
    @strawberry.mutation(permission_classes=SUPERUSER, description="Start (or dry-run) an optimization run")
    async def start_database_optimization(self, info: Info, input: DatabaseOptimizationInput) -> OptimizationRun:
        request = validated(
            schemas.OptimizeRequest, {"tasks": input.tasks, "tables": input.tables, "dry_run": input.dry_run}, "input."
        )
        return OptimizationRun.of(await dbperf.start_run(info.context.user, request))
