"""Database performance in the graph: ``databaseHealth``, ``databaseMetrics``, ``scalingRecommendations``,
``optimizationRuns`` and the ``startDatabaseOptimization`` mutation.

Types derive from the pydantic models the REST routes answer with (``services/dbperf/schemas.py``),
so both adapters show the same fields; statuses are plain strings (GraphQL has no literal types),
rows and thresholds that differ per check are ``JSON``, and byte counts are ``Float`` because
GraphQL ``Int`` is 32-bit.  Superuser only, like the REST routes.
"""

from __future__ import annotations

from typing import TypeVar

import strawberry
from pydantic import BaseModel
from strawberry.scalars import JSON

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.permissions import IsSuperuser
from services import dbperf
from services.core.errors import BadRequest
from services.core.validation import validated

M = TypeVar("M", bound=BaseModel)


@model_type(dbperf.HealthCheck)
class DatabaseHealthCheck:
    status: str
    threshold: JSON
    details: JSON


@model_type(dbperf.NotApplicable)
class NotApplicableCheck:
    pass


@model_type(dbperf.HealthSummary)
class DatabaseHealthSummary:
    pass


@model_type(dbperf.DatabaseHealth)
class DatabaseHealth:
    status: str
    database_bytes: float | None
    summary: DatabaseHealthSummary
    checks: list[DatabaseHealthCheck]
    not_applicable: list[NotApplicableCheck]


@model_type(dbperf.Rates)
class DatabaseRates:
    commits: float
    rollbacks: float
    rows_read: float
    rows_written: float
    temp_files: float
    temp_bytes: float
    deadlocks: float


@model_type(dbperf.SeriesPoint)
class DatabaseSeriesPoint:
    temp_bytes: float
    deadlocks: float


@model_type(dbperf.RelationGrowth)
class RelationGrowth:
    kind: str
    size_bytes: float
    size_bytes_at_start: float | None
    growth_bytes: float | None
    live_rows: float | None
    dead_rows: float | None


@model_type(dbperf.Statement)
class DatabaseStatement:
    calls: float
    rows: float
    shared_blks_hit: float
    shared_blks_read: float
    temp_blks_written: float


@model_type(dbperf.TopStatements)
class TopStatements:
    items: list[DatabaseStatement]


@model_type(dbperf.SamplingInfo)
class SamplingInfo:
    pass


@model_type(dbperf.DatabaseMetrics)
class DatabaseMetrics:
    database_bytes: float | None
    database_growth_bytes: float | None
    sampling: SamplingInfo
    rates: DatabaseRates | None
    series: list[DatabaseSeriesPoint]
    tables: list[RelationGrowth]
    indexes: list[RelationGrowth]
    top_statements: TopStatements


@model_type(dbperf.Evidence)
class ScalingEvidence:
    pass


@model_type(dbperf.Recommendation)
class ScalingRecommendation:
    severity: str
    evidence: list[ScalingEvidence]
    projection: JSON | None
    details: JSON


@model_type(dbperf.ScalingAdvice)
class ScalingRecommendations:
    recommendations: list[ScalingRecommendation]
    evaluated: list[ScalingRecommendation]
    not_applicable: list[NotApplicableCheck]


@model_type(dbperf.RunStatement)
class OptimizationStatement:
    pass


@model_type(dbperf.OptimizationRunInfo)
class OptimizationRun:
    pass


def run_of(run: dbperf.OptimizationRunInfo) -> OptimizationRun:
    """The run with its per-table figures (``before``/``after``) as the JSON values REST renders."""
    out = OptimizationRun.from_pydantic(run)
    data = run.model_dump(mode="json", include={"before", "after"})
    out.before, out.after = data["before"], data["after"]
    return out


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
        return [run_of(r) for r in await dbperf.history(info.context.user, limit)]


@strawberry.type
class DatabasePerformanceMutation:
    @strawberry.mutation(permission_classes=SUPERUSER, description="Start (or dry-run) an optimization run")
    async def start_database_optimization(self, info: Info, input: DatabaseOptimizationInput) -> OptimizationRun:
        request = validated(
            dbperf.OptimizeRequest, {"tasks": input.tasks, "tables": input.tables, "dry_run": input.dry_run}, "input."
        )
        return run_of(await dbperf.start_run(info.context.user, request))
