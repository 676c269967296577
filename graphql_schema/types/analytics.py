"""GraphQL for analysis: the summary, time-series charts and prompt reports (with the A/B test).

Types mirror the services' pydantic models one to one (Strawberry's pydantic
integration), so GraphQL and REST carry the same fields from the same functions.
Free-form maps (alert counts by severity) are JSON scalars.
"""

from __future__ import annotations

import strawberry
from strawberry.experimental.pydantic import type as from_model
from strawberry.scalars import JSON

from graphql_schema.context import Info
from graphql_schema.permissions import IsAdmin
from services.analytics import report as reports
from services.analytics import schemas as analysis_schemas
from services.analytics import summary as analytics_summary
from services.analytics import timeseries as analysis_timeseries
from services.core.errors import BadRequest


@from_model(model=analysis_schemas.Kpis, all_fields=True)
class Kpis:
    pass


@from_model(model=analysis_schemas.Delta, all_fields=True, name="KpiDelta")
class KpiDelta:
    pass


@from_model(model=analysis_schemas.KpiComparison, all_fields=True)
class KpiComparison:
    pass


@from_model(model=analysis_schemas.OpenAlerts, all_fields=True)
class OpenAlerts:
    by_severity: JSON


@from_model(model=analysis_schemas.HealthStatus, all_fields=True, name="AnalyticsHealthStatus")
class AnalyticsHealthStatus:
    pass


@from_model(model=analysis_schemas.PromptUsage, all_fields=True)
class PromptUsage:
    pass


@from_model(model=analysis_schemas.WorkspaceUsage, all_fields=True)
class WorkspaceUsage:
    pass


@from_model(model=analysis_schemas.SummaryDataSourceUsage, all_fields=True, name="AnalyticsDataSourceUsage")
class AnalyticsDataSourceUsage:
    pass


@from_model(model=analysis_schemas.UsageStatistics, all_fields=True)
class UsageStatistics:
    pass


@from_model(model=analysis_schemas.AnalyticsSummary, all_fields=True)
class AnalyticsSummary:
    pass


@from_model(model=analysis_schemas.TrendLine, all_fields=True)
class TrendLine:
    pass


@from_model(model=analysis_schemas.Annotation, all_fields=True, name="ChartAnnotation")
class ChartAnnotation:
    pass


@from_model(model=analysis_schemas.ChartSeries, all_fields=True, name="MetricSeries")
class MetricSeries:
    pass


@from_model(model=analysis_schemas.TimeSeriesChart, all_fields=True)
class TimeSeriesChart:
    pass


@from_model(model=analysis_schemas.WelchTest, all_fields=True)
class WelchTest:
    pass


@from_model(model=analysis_schemas.ProportionTest, all_fields=True)
class ProportionTest:
    pass


@from_model(model=reports.VersionPerformance, all_fields=True)
class VersionPerformance:
    pass


@from_model(model=reports.AbTest, all_fields=True)
class AbTest:
    pass


@from_model(model=reports.QualityTrend, all_fields=True)
class QualityTrend:
    pass


@from_model(model=reports.Benchmark, all_fields=True)
class Benchmark:
    pass


@from_model(model=reports.PromptReport, all_fields=True)
class PromptReport:
    pass


@strawberry.type
class AnalysisQuery:
    """Mixin of the root Query (``class Query(AnalysisQuery)``); admin role, like the REST routes."""

    @strawberry.field(permission_classes=[IsAdmin], description="KPIs of the last `days` days vs the days before")
    async def analytics_summary(self, info: Info, days: int = 7) -> AnalyticsSummary:
        if not 1 <= days <= 365:
            raise BadRequest.field("days", "days must be between 1 and 365")
        return AnalyticsSummary.from_pydantic(await analytics_summary.analytics_summary(info.context.user, days))

    @strawberry.field(permission_classes=[IsAdmin], description="One series per prompt for a metric")
    async def time_series(
        self, info: Info, metric_name: str, time_window: str = "24h", prompt_ids: list[int] | None = None
    ) -> TimeSeriesChart:
        chart = await analysis_timeseries.time_series(info.context.user, metric_name, time_window, prompt_ids)
        return TimeSeriesChart.from_pydantic(chart)

    @strawberry.field(permission_classes=[IsAdmin], description="Versions, A/B test, quality trend, benchmarks")
    async def prompt_report(
        self,
        info: Info,
        prompt_id: int,
        time_window: str = "30d",
        version_a: str | None = None,
        version_b: str | None = None,
    ) -> PromptReport:
        report = await reports.prompt_report(info.context.user, prompt_id, time_window, version_a, version_b)
        return PromptReport.from_pydantic(report)
