"""Result models of the alerting domain: what its services return and REST/GraphQL serve."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.metrics import MetricPointInfo


class AlertInfo(BaseModel):
    id: int
    rule_id: int | None
    rule_name: str | None
    organization_id: int | None = Field(description="null for platform-wide alerts (superusers only)")
    source: str = Field(description="'rule' or the external source that raised it (e.g. 'performance')")
    status: str = Field(description="pending, firing, acknowledged or resolved")
    severity: str
    entity: str | None = Field(description="'prompt:12' or 'prompt:12:version:abc' for per-entity rules")
    message: str
    value: float | None
    threshold: float | None
    started_at: datetime
    firing_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    resolved_at: datetime | None
    resolved_by: int | None
    note: str | None
    updated_at: datetime


class AlertEventInfo(BaseModel):
    id: int
    kind: str
    from_status: str | None
    to_status: str
    actor_id: int | None = Field(description="user id; null when the engine did it")
    note: str | None
    value: float | None
    at: datetime


class AlertDetail(AlertInfo):
    history: list[AlertEventInfo]


class AlertStatistics(BaseModel):
    total: int
    by_status: dict[str, int]
    by_severity: dict[str, int]
    by_source: dict[str, int]
    open: int
    mtta_seconds: float | None = Field(description="mean firing -> acknowledged of alerts acknowledged in the window")
    mttr_seconds: float | None = Field(description="mean started -> resolved of alerts resolved in the window")


class OpenCounts(BaseModel):
    total: int
    by_status: dict[str, int]
    by_severity: dict[str, int]


class RuleCounts(BaseModel):
    total: int
    enabled: int
    firing: int = Field(description="enabled rules with at least one firing alert")


class AlertDashboard(BaseModel):
    window_hours: int
    open_alerts: OpenCounts
    window: AlertStatistics
    rules: RuleCounts
    recent_alerts: list[AlertInfo]
    generated_at: datetime


class MonitoringAlerts(BaseModel):
    alerts: list[AlertInfo]
    statistics: AlertStatistics
    hours: int


class Probe(BaseModel):
    name: str
    ok: bool
    latency_ms: float
    error: str | None
    detail: dict[str, Any]


class EvaluationInfo(BaseModel):
    last_run_at: datetime | None
    lag_seconds: float | None = Field(description="seconds since the last completed minute cycle")
    last_duration_ms: float | None
    last_rules_evaluated: int | None
    last_changes: int | None
    interval_seconds: int


class AlertingHealth(BaseModel):
    status: Literal["healthy", "degraded", "unhealthy"]
    issues: list[str]
    evaluation: EvaluationInfo
    rules_total: int
    rules_enabled: int
    open_alerts: int
    checks: list[Probe]
    checked_at: datetime


class SeriesPoint(BaseModel):
    timestamp: datetime
    value: float | None
    count: int | None = Field(default=None, description="points in the bucket (recorded metrics)")
    min: float | None = None
    max: float | None = None


class MetricSeries(BaseModel):
    metric_type: str
    builtin: bool
    unit: str | None
    time_range: str
    bucket_seconds: int
    start: datetime
    end: datetime
    points: list[SeriesPoint]
    min: float | None
    max: float | None
    avg: float | None = Field(description="mean of the non-empty buckets")
    latest: float | None


class BuiltinValue(BaseModel):
    name: str
    unit: str
    description: str
    value: float | None


class RecordedSummary(BaseModel):
    name: str
    type: str
    count: int
    avg: float
    min: float
    max: float
    last_at: datetime


class MetricsOverview(BaseModel):
    time_range: str
    start: datetime
    end: datetime
    builtin: list[BuiltinValue]
    recorded: list[RecordedSummary]


class RuleScopeInfo(BaseModel):
    """A rule's stored scope (``RuleInfo.scope``) read as fields: the keys a rule may set, each optional."""

    prompt_id: int | None = None
    version_hash: str | None = None
    tags: dict[str, str] | None = None
    per_entity: str | None = None


class AlertChange(BaseModel):
    alert_id: int
    rule_id: int | None
    entity: str | None
    transition: str
    status: str


# Rules a recorded point is checked against at once: those whose window is at most this long.
# Each evaluation aggregates the window's raw points, so per point its cost grows with the window's
# points: at one point a second, a 7-day rule cost 79 ms (avg) to 454 ms (p95) per recorded point
# (bench/metric_record.py), while one point among 600,000 barely moves it.  Longer windows are
# left to the minute cycle, at their evaluation interval (below).
IMMEDIATE_WINDOW_MINUTES = 60

# How often the minute cycle evaluates a rule on a recorded (custom) metric, by its window: (window
# up to, every) in minutes, then LONGEST_INTERVAL_MINUTES.  Each evaluation aggregates the window's
# raw points (a 7-day p95 at one point a second: 0.45 s), and a minute moves such a window by a
# ten-thousandth; the interval stays under 1/20 of the window.  Sumo Logic schedules its monitors'
# triggers the same way.  Built-in metrics are read from rollups: every minute, whatever the window.
EVALUATION_TIERS: tuple[tuple[int, int], ...] = ((IMMEDIATE_WINDOW_MINUTES, 1), (6 * 60, 5), (24 * 60, 15))
LONGEST_INTERVAL_MINUTES = 60


def evaluation_interval_minutes(window_minutes: int, builtin: bool) -> int:
    """Minutes between the minute cycle's evaluations of a rule (see ``EVALUATION_TIERS``)."""
    if builtin:
        return 1
    return next((every for up_to, every in EVALUATION_TIERS if window_minutes <= up_to), LONGEST_INTERVAL_MINUTES)


class RecordedMetric(MetricPointInfo):
    rules_evaluated: int = Field(description="Enabled rules on this metric evaluated at once")
    rules_left_to_cycle: int = Field(
        description=f"Enabled rules on this metric with windows over {IMMEDIATE_WINDOW_MINUTES} minutes, left to "
        "the minute cycle (at each rule's evaluation_interval_minutes): one point barely moves such a window, "
        "and aggregating it per point made recording slow"
    )
    alert_changes: list[AlertChange] = Field(description="Alerts opened, fired or resolved by this point")
