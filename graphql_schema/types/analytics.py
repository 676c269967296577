"""GraphQL for analysis: the summary, time-series charts and prompt reports (with the A/B test).

Types mirror the services' pydantic models one to one (Strawberry's pydantic
integration), so GraphQL and REST carry the same fields from the same functions.
Free-form maps (alert counts by severity) are JSON scalars.
"""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.permissions import IsAdmin
from services.analytics import report as reports
from services.analytics import schemas as analysis_schemas
from services.analytics import summary as analytics_summary
from services.analytics import timeseries as analysis_timeseries
from services.core.errors import BadRequest


@model_type(analysis_schemas.Kpis)
class Kpis:
    pass


@model_type(analysis_schemas.Delta, name="KpiDelta")
class KpiDelta:
    pass


@model_type(analysis_schemas.KpiComparison)
class KpiComparison:
    pass


@model_type(analysis_schemas.OpenAlerts)
class OpenAlerts:
    by_severity: JSON


@model_type(analysis_schemas.HealthStatus, name="AnalyticsHealthStatus")
class AnalyticsHealthStatus:
    pass


@model_type(analysis_schemas.PromptUsage)
class PromptUsage:
    pass


@model_type(analysis_schemas.WorkspaceUsage)
class WorkspaceUsage:
    pass


@model_type(analysis_schemas.SummaryDataSourceUsage, name="AnalyticsDataSourceUsage")
class AnalyticsDataSourceUsage:
    pass


@model_type(analysis_schemas.UsageStatistics)
class UsageStatistics:
    pass


@model_type(analysis_schemas.AnalyticsSummary)
class AnalyticsSummary:
    pass


@model_type(analysis_schemas.TrendLine)
class TrendLine:
    pass


@model_type(analysis_schemas.Annotation, name="ChartAnnotation")
class ChartAnnotation:
    pass


@model_type(analysis_schemas.ChartSeries, name="MetricSeries")
class MetricSeries:
    pass


@model_type(analysis_schemas.TimeSeriesChart)
class TimeSeriesChart:
    pass


@model_type(analysis_schemas.WelchTest)
class WelchTest:
    pass


@model_type(analysis_schemas.ProportionTest)
class ProportionTest:
    pass


@model_type(reports.VersionPerformance)
class VersionPerformance:
    pass


@model_type(reports.AbTest)
class AbTest:
    pass


@model_type(reports.QualityTrend)
class QualityTrend:
    pass


@model_type(reports.Benchmark)
class Benchmark:
    pass


@model_type(reports.PromptReport)
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
