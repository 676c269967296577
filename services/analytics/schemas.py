"""Result models of the analytics domain: what its services return and REST/GraphQL serve."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DashboardFilters(BaseModel):
    time_window: str
    prompt_ids: list[int] | None
    version_hashes: list[str] | None
    workspace_ids: list[int] | None
    tags: dict[str, str] | None
    group_by: str
    unsupported_filters: list[str]  # accepted but not applied (none today; kept for clients that read it)


class Kpis(BaseModel):
    executions: int
    successes: int
    failures: int
    success_rate: float | None
    error_rate: float | None
    throughput: float | None  # executions per minute over the window
    latency_avg: float | None
    latency_p50: float | None
    latency_p95: float | None
    latency_p99: float | None
    cost_total: float
    cost_avg: float | None
    score_avg: float | None
    active_prompts: int
    active_versions: int


class BreakdownItem(BaseModel):
    key: str
    label: str
    prompt_id: int | None = None
    version_hash: str | None = None
    workspace_id: int | None = None
    share: float
    kpis: Kpis | None  # None for status groups (rollups keep status counts, not per-status latency)
    executions: int


TREND_ALPHA = 0.05
TREND_METHOD = "least-squares slope, two-sided t-test (alpha 0.05)"


def _significant(data: dict[str, Any]) -> bool:
    p_value = data.get("p_value")
    return p_value is not None and p_value < TREND_ALPHA


class Trend(BaseModel):
    """``analytics.trend.fit``: a least-squares slope per hour and whether a two-sided t-test calls it
    significant.  ``significant`` is derived from ``p_value`` (below ``TREND_ALPHA``); it is a field
    computed at validation rather than a ``computed_field`` so that it keeps its place between
    ``p_value`` and ``points`` in every JSON answer."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    direction: str  # increasing | decreasing | stable | insufficient_data
    slope_per_hour: float | None
    intercept: float | None
    r_squared: float | None
    p_value: float | None
    significant: bool = Field(default_factory=_significant)
    points: int
    method: str

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()


class TrendLine(BaseModel):
    """Least-squares line through the non-empty points; x is seconds since the first timestamp."""

    points: int
    slope_per_hour: float
    slope_per_bucket: float
    intercept: float
    start_value: float
    end_value: float
    r_squared: float | None
    direction: str  # up | down | flat


class TrendSeries(BaseModel):
    metric: str
    values: list[float | None]
    trend: TrendLine | None


class Trends(BaseModel):
    bucket_seconds: int
    timestamps: list[datetime]
    series: list[TrendSeries]


class Insight(BaseModel):
    kind: str  # regression
    metric: str
    prompt_id: int
    prompt_name: str
    previous: float
    current: float
    change_absolute: float
    change_pct: float | None
    severity: str  # warning | critical (twice the threshold)
    message: str


class Delta(BaseModel):
    metric: str
    current: float | None
    previous: float | None
    absolute: float | None
    percent: float | None  # None when the previous value is 0 or missing
    higher_is_better: bool


class KpiComparison(BaseModel):
    current: Kpis
    previous: Kpis
    deltas: list[Delta]


class Dashboard(BaseModel):
    filters: DashboardFilters
    period_start: datetime
    period_end: datetime
    previous_period_start: datetime
    previous_period_end: datetime
    prompts_in_scope: int
    kpis: KpiComparison
    breakdown: list[BreakdownItem]
    trends: Trends
    insights: list[Insight]


class ComponentHealth(BaseModel):
    name: str
    status: str  # ok | degraded | down
    latency_ms: float
    error: str | None = None
    detail: dict[str, Any] = {}


class AnalyticsHealth(BaseModel):
    status: str  # healthy | degraded | unhealthy
    checked_at: datetime
    components: list[ComponentHealth]


class DataSourceUsage(BaseModel):
    data_source_id: int
    data_source_name: str | None
    count: int


class SchemaUsage(BaseModel):
    schema_name: str
    count: int


class PromptAnalytics(BaseModel):
    """Seed 000's fields plus percentiles, cost and score; also the REST response schema."""

    prompt_id: int
    version_hash: str | None = Field(default=None, description="Set when the figures are for one version")
    execution_count: int
    success_count: int
    failure_count: int
    success_rate: float | None = Field(
        description="success_count / (success_count + failure_count): finished runs only, runs still "
        "`processing` are left out. 0.0 when there were runs but none has finished yet; null only when "
        "there were no runs in the period."
    )
    avg_total_duration_ms: float | None
    avg_ai_response_time_ms: float | None
    avg_query_execution_time_ms: float | None
    most_used_data_sources: list[DataSourceUsage]
    most_used_schemas: list[SchemaUsage]
    period_start: datetime | None
    period_end: datetime
    last_calculated_at: datetime
    p50_latency_ms: float | None
    p95_latency_ms: float | None
    p99_latency_ms: float | None
    avg_latency_ms: float | None
    total_cost_usd: float
    avg_cost_usd: float | None
    avg_score: float | None
    data_sources_used: list[int] = Field(
        default_factory=list,
        description="Ids of every data source the period's runs used, most used first "
        "(`most_used_data_sources` lists only the top 10, with names)",
    )


class VersionPerformance(BaseModel):
    version_hash: str
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    executions: int
    successes: int
    failures: int
    success_rate: float | None
    error_rate: float | None
    latency_avg: float | None
    latency_p50: float | None
    latency_p95: float | None
    cost_avg: float | None
    cost_total: float
    score_avg: float | None
    scored: int  # executions carrying a score


class WelchTest(BaseModel):
    """Welch's t-test of ``mean_b - mean_a`` (B against A)."""

    n_a: int
    n_b: int
    mean_a: float
    mean_b: float
    variance_a: float
    variance_b: float
    difference: float
    relative_difference_pct: float | None
    t_statistic: float
    degrees_of_freedom: float
    p_value: float
    ci95_low: float
    ci95_high: float
    significant: bool


class ProportionTest(BaseModel):
    """Two-proportion z-test of ``rate_b - rate_a`` (pooled z; unpooled 95% interval)."""

    successes_a: int
    n_a: int
    successes_b: int
    n_b: int
    rate_a: float
    rate_b: float
    difference: float
    z_statistic: float
    p_value: float
    ci95_low: float
    ci95_high: float
    significant: bool


class AbTest(BaseModel):
    version_a: str
    version_b: str
    selection: str  # most_used | requested
    executions_a: int
    executions_b: int
    min_samples: int
    score: WelchTest | None
    latency: WelchTest | None
    success_rate: ProportionTest | None
    warnings: list[str]


class QualityTrend(BaseModel):
    bucket_seconds: int
    timestamps: list[datetime]
    executions: list[int]
    score_avg: list[float | None]
    success_rate: list[float | None]
    score_trend: TrendLine | None
    success_rate_trend: TrendLine | None


class Benchmark(BaseModel):
    metric: str
    value: float | None
    higher_is_better: bool
    peers: int  # prompts of the organization with a value (this one included)
    percentile_rank: float | None  # mid-rank percentile of the value among peers, 0..100
    better_than_pct: float | None  # share of the other peers this prompt beats
    organization_median: float | None


class PromptReport(BaseModel):
    prompt_id: int
    prompt_uuid: str
    prompt_name: str
    time_window: str
    period_start: datetime
    period_end: datetime
    executions: int
    versions: list[VersionPerformance]
    ab_test: AbTest | None
    ab_test_unavailable_reason: str | None
    quality_trend: QualityTrend
    benchmarks: list[Benchmark]


class Annotation(BaseModel):
    """A marker on a chart: a new version first seen, an alert fired, ..."""

    type: str  # version_first_seen | alert_fired | alert_resolved | deployment
    at: datetime
    prompt_id: int | None = None
    label: str
    version_hash: str | None = None
    alert_id: int | None = None
    severity: str | None = None
    deployment_id: int | None = None


class OpenAlerts(BaseModel):
    total: int = 0
    by_severity: dict[str, int] = {}


class ChartSeries(BaseModel):
    prompt_id: int | None
    prompt_name: str | None
    executions: int | None  # executions in the window (built-in metrics)
    values: list[float | None]
    trend: TrendLine | None
    trend_values: list[float] | None


class TimeSeriesChart(BaseModel):
    metric_name: str
    source: str  # builtin | custom
    unit: str | None
    description: str | None
    time_window: str
    bucket_seconds: int
    start: datetime
    end: datetime
    selection: str  # requested | top_by_volume
    timestamps: list[datetime]
    series: list[ChartSeries]
    annotations: list[Annotation]


class HealthStatus(BaseModel):
    status: str  # healthy | degraded | critical | idle (no executions)
    error_rate: float | None
    reasons: list[str]
    open_alerts: OpenAlerts


class PromptUsage(BaseModel):
    prompt_id: int
    prompt_uuid: str
    name: str
    executions: int
    share: float
    error_rate: float | None
    versions: int


class WorkspaceUsage(BaseModel):
    workspace_id: int | None
    name: str | None
    executions: int
    prompts: int
    share: float


class SummaryDataSourceUsage(BaseModel):
    data_source_id: int
    name: str | None
    uses: int


class UsageStatistics(BaseModel):
    total_prompts: int
    active_prompts: int
    top_prompts: list[PromptUsage]
    workspaces: list[WorkspaceUsage]
    data_sources: list[SummaryDataSourceUsage]


class AnalyticsSummary(BaseModel):
    days: int
    period_start: datetime
    period_end: datetime
    previous_period_start: datetime
    previous_period_end: datetime
    kpis: KpiComparison
    health: HealthStatus
    usage: UsageStatistics
    generated_at: datetime


# --------------------------------------------------------------------------- export (export.py)


class ExportRow(BaseModel):
    """One row of the JSON export: a prompt x version x UTC day.  The metric columns are those the
    request selected (``metric_types``), in this order; a column not selected is absent, and a
    metric without data that day (no latency recorded, nothing scored) is null."""

    date: str = Field(description="The UTC day, YYYY-MM-DD")
    prompt_id: int
    prompt_uuid: str
    prompt_name: str
    version_hash: str = Field(description='"" for executions recorded without a version')
    executions: int | None = None
    successes: int | None = None
    failures: int | None = None
    success_rate: float | None = None
    error_rate: float | None = None
    latency_avg_ms: float | None = None
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    latency_p99_ms: float | None = None
    duration_avg_ms: float | None = None
    cost_total_usd: float | None = None
    cost_avg_usd: float | None = None
    score_avg: float | None = None
    scored: int | None = None


class AnalyticsExport(BaseModel):
    """The JSON export file (``export_data`` with ``format=json``), streamed row by row."""

    time_window: str
    period_start: datetime
    period_end: datetime
    columns: list[str] = Field(description="The keys of every row, in order")
    rows: list[ExportRow]
