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
from services import analytics
from services.core.errors import BadRequest


@model_type(analytics.Kpis)
class Kpis:
    pass


@model_type(analytics.Delta, name="KpiDelta")
class KpiDelta:
    pass


@model_type(analytics.KpiComparison)
class KpiComparison:
    pass


@model_type(analytics.OpenAlerts)
class OpenAlerts:
    by_severity: JSON


@model_type(analytics.HealthStatus, name="AnalyticsHealthStatus")
class AnalyticsHealthStatus:
    pass


@model_type(analytics.PromptUsage)
class PromptUsage:
    pass


@model_type(analytics.WorkspaceUsage)
class WorkspaceUsage:
    pass


@model_type(analytics.SummaryDataSourceUsage, name="AnalyticsDataSourceUsage")
class AnalyticsDataSourceUsage:
    pass


@model_type(analytics.UsageStatistics)
class UsageStatistics:
    pass


@model_type(analytics.AnalyticsSummary)
class AnalyticsSummary:
    pass


@model_type(analytics.TrendLine)
class TrendLine:
    pass


@model_type(analytics.Annotation, name="ChartAnnotation")
class ChartAnnotation:
    pass


@model_type(analytics.ChartSeries, name="MetricSeries")
class MetricSeries:
    pass


@model_type(analytics.TimeSeriesChart)
class TimeSeriesChart:
    pass


@model_type(analytics.WelchTest)
class WelchTest:
    pass


@model_type(analytics.ProportionTest)
class ProportionTest:
    pass


@model_type(analytics.VersionPerformance)
class VersionPerformance:
    pass


@model_type(analytics.AbTest)
class AbTest:
    pass


@model_type(analytics.QualityTrend)
class QualityTrend:
    pass


@model_type(analytics.Benchmark)
class Benchmark:
    pass


@model_type(analytics.PromptReport)
class PromptReport:
    pass


@strawberry.type
class AnalysisQuery:
    """Mixin of the root Query (``class Query(AnalysisQuery)``); admin role, like the REST routes."""

    @strawberry.field(permission_classes=[IsAdmin], description="KPIs of the last `days` days vs the days before")
    async def analytics_summary(self, info: Info, days: int = 7) -> AnalyticsSummary:
        if not 1 <= days <= 365:
            raise BadRequest.field("days", "days must be between 1 and 365")
        return AnalyticsSummary.from_pydantic(await analytics.analytics_summary(info.context.user, days))

    @strawberry.field(permission_classes=[IsAdmin], description="One series per prompt for a metric")
    async def time_series(
        self, info: Info, metric_name: str, time_window: str = "24h", prompt_ids: list[int] | None = None
    ) -> TimeSeriesChart:
        chart = await analytics.time_series(info.context.user, metric_name, time_window, prompt_ids)
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
        report = await analytics.prompt_report(info.context.user, prompt_id, time_window, version_a, version_b)
        return PromptReport.from_pydantic(report)
