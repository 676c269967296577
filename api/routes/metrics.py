"""Recorded custom metrics and their realtime buffer (seed 003, admin prompt-analytics)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from api.routing import Call, Ok, Router, both
from services import alerting, metrics
from services.alerting import RecordedMetric
from services.identity import Role
from services.metrics import MetricInput, Realtime, check_metric_name

router = Router("Metrics")


class RealtimeQuery(BaseModel):
    metric_names: list[str] | None = Field(
        default=None, max_length=50, description="Comma-separated or repeated; default: every buffered metric"
    )
    last_n_minutes: int = Field(default=5, ge=1, le=1440, description="Window (1..1440); trend vs the one before")

    @field_validator("metric_names")
    @classmethod
    def _names(cls, value: list[str] | None) -> list[str] | None:
        return [check_metric_name(v) for v in value] if value else None


@router.post(
    *both("/admin/prompt-analytics/metrics"),
    summary="Record Metric",
    body_model=MetricInput,
    response_model=RecordedMetric,
    description="Stored durably, appended to the realtime buffer, published to `metricUpdates` subscribers and "
    f"checked at once against the enabled rules on that metric with windows up to {alerting.IMMEDIATE_WINDOW_MINUTES} "
    "minutes (`alert_changes`); rules with longer windows are evaluated by the minute cycle at each rule's "
    "`evaluation_interval_minutes` (`rules_left_to_cycle`).",
    role=Role.ADMIN,
)
async def record_metric(call: Call[None, MetricInput]) -> Ok:
    return Ok(await alerting.record_metric(call.user, call.body), "Metric recorded")


@router.get(
    *both("/admin/prompt-analytics/metrics/realtime"),
    summary="Get Real Time Metrics",
    query_model=RealtimeQuery,
    response_model=Realtime,
    role=Role.ADMIN,
)
async def get_realtime_metrics(call: Call[RealtimeQuery, None]) -> Ok:
    q = call.query
    return Ok(await metrics.realtime(call.user, q.metric_names, q.last_n_minutes), "Realtime metrics retrieved")
