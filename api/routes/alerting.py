"""Alert rules, alerts and the alerting monitoring views (seed 003).

Both documented rule endpoints write the same rule store; the extra
``/api/v1/alert-rules/{rule_id}`` and ``/api/v1/alerts/{alert_id}`` routes read,
change and delete one object.  Admin role everywhere.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.routing import Call, Ok, Router, both
from services import alerting
from services.alerting import (
    AlertDashboard,
    AlertDetail,
    AlertInfo,
    AlertingHealth,
    MetricSeries,
    MetricsOverview,
    MonitoringAlerts,
    RuleInfo,
    RuleInput,
    RuleUpdate,
    TimeRange,
)
from services.identity import Role

router = Router("Alerting")
ADMIN = {"role": Role.ADMIN}
MONITORING = "/admin/monitoring-alerts/monitoring"
Severity = Literal["info", "warning", "critical"]


class RulePath(BaseModel):
    rule_id: int = Field(ge=1, le=2_147_483_647)


class AlertPath(BaseModel):
    alert_id: int = Field(ge=1, le=2_147_483_647)


class RuleListQuery(BaseModel):
    enabled: bool | None = None
    metric: str | None = Field(default=None, max_length=100)


class RuleList(BaseModel):
    items: list[RuleInfo]
    total: int


class AlertListQuery(BaseModel):
    status: Literal["pending", "firing", "acknowledged", "resolved", "open"] | None = Field(
        default=None, description="'open' means pending, firing or acknowledged"
    )
    severity: Severity | None = None
    limit: int = Field(default=50, ge=1, le=alerting.MAX_LIMIT, description=f"1..{alerting.MAX_LIMIT}")


class AlertList(BaseModel):
    items: list[AlertInfo]
    count: int
    limit: int


class NoteBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    note: str | None = Field(default=None, max_length=2000)


class DashboardQuery(BaseModel):
    hours: int = Field(default=168, ge=1, le=2160, description="Window for MTTA/MTTR and counts (max 90 days)")


class MetricsQuery(BaseModel):
    metric_type: str | None = Field(
        default=None, max_length=100, description="A built-in or recorded metric name; omitted: overview of all"
    )
    time_range: TimeRange = "24h"


class MonitoringAlertsQuery(BaseModel):
    hours: int = Field(default=24, ge=1, le=720, description="Alerts started in the last N hours (max 720)")
    severity: Severity | None = None
    resolved: bool | None = None
    limit: int = Field(default=200, ge=1, le=alerting.MAX_LIMIT)


@router.post(
    *both("/admin/prompt-analytics/alerts/rules"),
    *both(f"{MONITORING}/alert-rules"),
    summary="Create Alert Rule",
    body_model=RuleInput,
    response_model=RuleInfo,
    description="Both documented rule endpoints create rules in one store; field aliases of either shape are "
    "accepted (metric_name, condition/operator, duration/time_window, notification_channels, top-level prompt_id).",
    **ADMIN,
)
async def create_alert_rule(call: Call[None, RuleInput]) -> Ok:
    return Ok(await alerting.create_rule(call.user, call.body), "Alert rule created")


@router.get(
    *both(f"{MONITORING}/alert-rules"),
    summary="Get Alert Rules",
    query_model=RuleListQuery,
    response_model=RuleList,
    **ADMIN,
)
async def get_alert_rules(call: Call[RuleListQuery, None]) -> Ok:
    items = await alerting.list_rules(call.user, call.query.enabled, call.query.metric)
    return Ok({"items": items, "total": len(items)}, "Alert rules retrieved successfully")


@router.get(
    "/api/v1/alert-rules/{rule_id}", summary="Get one alert rule", path_model=RulePath, response_model=RuleInfo, **ADMIN
)
async def get_alert_rule(call: Call[None, None]) -> Ok:
    return Ok(await alerting.get_rule(call.user, call.path.rule_id), "Alert rule retrieved successfully")


@router.patch(
    "/api/v1/alert-rules/{rule_id}",
    summary="Update an alert rule",
    path_model=RulePath,
    body_model=RuleUpdate,
    response_model=RuleInfo,
    description="Disabling a rule resolves its open alerts.",
    **ADMIN,
)
async def update_alert_rule(call: Call[None, RuleUpdate]) -> Ok:
    return Ok(await alerting.update_rule(call.user, call.path.rule_id, call.body), "Alert rule updated")


@router.delete(
    "/api/v1/alert-rules/{rule_id}",
    summary="Delete an alert rule",
    status=204,
    path_model=RulePath,
    description="Open alerts of the rule are resolved; past alerts and their history are kept.",
    **ADMIN,
)
async def delete_alert_rule(call: Call[None, None]) -> Response:
    await alerting.delete_rule(call.user, call.path.rule_id)
    return Response(status_code=204)


@router.get(
    *both(f"{MONITORING}/alerts"), summary="Get Alerts", query_model=AlertListQuery, response_model=AlertList, **ADMIN
)
async def get_alerts(call: Call[AlertListQuery, None]) -> Ok:
    q = call.query
    items = await alerting.list_alerts(call.user, q.status, q.severity, q.limit)
    return Ok({"items": items, "count": len(items), "limit": q.limit}, "Alerts retrieved successfully")


@router.get(
    "/api/v1/alerts/{alert_id}",
    summary="Get one alert with its history",
    path_model=AlertPath,
    response_model=AlertDetail,
    **ADMIN,
)
async def get_alert(call: Call[None, None]) -> Ok:
    return Ok(await alerting.get_alert(call.user, call.path.alert_id), "Alert retrieved successfully")


@router.post(
    *both(f"{MONITORING}/alerts/{{alert_id}}/acknowledge"),
    summary="Acknowledge Alert",
    path_model=AlertPath,
    body_model=NoteBody,
    body_required=False,
    response_model=AlertInfo,
    responses={409: "The alert is not firing"},
    **ADMIN,
)
async def acknowledge_alert(call: Call[None, NoteBody]) -> Ok:
    return Ok(await alerting.acknowledge(call.user, call.path.alert_id, call.body.note), "Alert acknowledged")


@router.post(
    *both(f"{MONITORING}/alerts/{{alert_id}}/resolve"),
    "/v1/monitoring/alerts/{alert_id}/resolve",
    summary="Resolve Alert",
    path_model=AlertPath,
    body_model=NoteBody,
    body_required=False,
    response_model=AlertInfo,
    responses={409: "The alert is already resolved"},
    **ADMIN,
)
async def resolve_alert(call: Call[None, NoteBody]) -> Ok:
    return Ok(await alerting.resolve(call.user, call.path.alert_id, call.body.note), "Alert resolved")


@router.get(
    *both(f"{MONITORING}/dashboard"),
    summary="Get Monitoring Dashboard",
    query_model=DashboardQuery,
    response_model=AlertDashboard,
    **ADMIN,
)
async def get_alert_dashboard(call: Call[DashboardQuery, None]) -> Ok:
    return Ok(await alerting.dashboard(call.user, call.query.hours), "Monitoring dashboard retrieved successfully")


@router.get(*both(f"{MONITORING}/health"), summary="Get Monitoring Health", response_model=AlertingHealth, **ADMIN)
async def get_monitoring_health(call: Call[None, None]) -> Ok:
    return Ok(await alerting.health(call.user), "Monitoring health retrieved successfully")


@router.get(
    *both(f"{MONITORING}/metrics"),
    summary="Get Performance Metrics",
    query_model=MetricsQuery,
    response_model=MetricSeries | MetricsOverview,
    **ADMIN,
)
async def get_performance_metrics(call: Call[MetricsQuery, None]) -> Ok:
    q = call.query
    data = await alerting.performance_metrics(call.user, q.metric_type, q.time_range)
    return Ok(data, "Performance metrics retrieved successfully")


@router.get(
    "/v1/monitoring/alerts",
    summary="Get Performance Alerts",
    query_model=MonitoringAlertsQuery,
    response_model=MonitoringAlerts,
    description="The same alert store: rule alerts of the caller's organization and, for superusers, "
    "platform-wide performance alerts.",
    **ADMIN,
)
async def get_performance_alerts(call: Call[MonitoringAlertsQuery, None]) -> Ok:
    q = call.query
    data = await alerting.monitoring_alerts(call.user, q.hours, q.severity, q.resolved, q.limit)
    return Ok(data, "Alerts retrieved successfully")
