"""DevOps performance monitoring (seed 003, ``/v1/monitoring/*`` except alerts) and ``/v1/monitoring/health``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.routing import Call, Ok, Router
from services import observability
from services.identity import Role
from services.observability import (
    EndpointPerformanceReport,
    MonitorHealth,
    MonitoringDashboard,
    RecommendationList,
    ResponseTimeTrends,
    SamplerSwitch,
    SystemHealthReport,
    SystemSnapshot,
)

router = Router("DevOps Performance Monitoring")

Hours = Field(default=24, ge=1, le=720, description="Hours of data (1-720, default 24)")
SortField = Literal["count", "error_rate", "avg_ms", "p50_ms", "p95_ms", "p99_ms", "throughput_per_min"]


class PerformanceQuery(BaseModel):
    hours: int = Hours
    limit: int = Field(
        default=20,
        ge=1,
        le=observability.MAX_LIMIT,
        description=f"Endpoints to return (1-{observability.MAX_LIMIT}, default 20)",
    )
    sort_by: SortField = Field(default="p95_ms", description="Field to sort by, descending")


class TrendQuery(BaseModel):
    hours: int = Hours
    endpoint: str | None = Field(
        default=None, min_length=1, max_length=300, description="Route template, optionally prefixed by the method"
    )


class DashboardQuery(BaseModel):
    hours: int = Field(default=24, ge=1, le=168, description="Hours of history (1-168, default 24)")


class RecommendationQuery(BaseModel):
    hours: int = Field(default=24, ge=1, le=168, description="Hours of data the rules look at (1-168)")


@router.get(
    "/v1/monitoring/endpoints/performance",
    summary="Get Endpoint Performance Analysis",
    query_model=PerformanceQuery,
    role=Role.ADMIN,
    response_model=EndpointPerformanceReport,
    description="Per route template: count, 5xx error rate, average and p50/p95/p99 latency (DDSketch, 1% "
    "relative accuracy), throughput per minute. Platform-wide; admin role.",
)
async def get_endpoint_performance(call: Call[PerformanceQuery, None]) -> Ok:
    q = call.query
    data = await observability.endpoint_performance(call.user, q.hours, q.limit, q.sort_by)
    return Ok(data, "Endpoint performance retrieved successfully")


@router.get(
    "/v1/monitoring/trends/response-time",
    summary="Get Response Time Trends",
    query_model=TrendQuery,
    role=Role.ADMIN,
    response_model=ResponseTimeTrends,
    description="Hourly p50/p95/avg and a least-squares trend of p95 with its p-value; a direction is only "
    "claimed when the slope is significant at 5%.",
)
async def get_response_time_trends(call: Call[TrendQuery, None]) -> Ok:
    q = call.query
    data = await observability.response_time_trends(call.user, q.hours, q.endpoint)
    return Ok(data, "Response time trends retrieved successfully")


@router.get(
    "/v1/monitoring/dashboard",
    summary="Get Monitoring Dashboard",
    query_model=DashboardQuery,
    role=Role.ADMIN,
    response_model=MonitoringDashboard,
)
async def get_monitoring_dashboard(call: Call[DashboardQuery, None]) -> Ok:
    data = await observability.dashboard(call.user, call.query.hours)
    return Ok(data, "Monitoring dashboard retrieved successfully")


@router.get(
    "/v1/monitoring/recommendations",
    summary="Get Performance Recommendations",
    query_model=RecommendationQuery,
    role=Role.ADMIN,
    response_model=RecommendationList,
    description="Rules over measured data (slow endpoints, error spikes, pool saturation, stream backlog, rollup "
    "lag, memory growth, host thresholds); each item carries the evidence that triggered it.",
)
async def get_performance_recommendations(call: Call[RecommendationQuery, None]) -> Ok:
    items = await observability.recommendations(call.user, call.query.hours)
    return Ok(RecommendationList(recommendations=items, count=len(items)), "Recommendations retrieved successfully")


@router.get(
    "/v1/monitoring/metrics/current", summary="Get Current Metrics", role=Role.ADMIN, response_model=SystemSnapshot
)
async def get_current_metrics(call: Call[None, None]) -> Ok:
    return Ok(await observability.current(call.user), "Current metrics retrieved successfully")


@router.post(
    "/v1/monitoring/start",
    summary="Start Monitoring",
    role=Role.SUPERUSER,
    response_model=SamplerSwitch,
    description="Turns the system-metrics sampler on for every process (state stored in the database) and "
    "stores a first sample.",
)
async def start_monitoring(call: Call[None, None]) -> Ok:
    return Ok(await observability.start(call.user), "Performance monitoring started")


@router.post("/v1/monitoring/stop", summary="Stop Monitoring", role=Role.SUPERUSER, response_model=SamplerSwitch)
async def stop_monitoring(call: Call[None, None]) -> Ok:
    return Ok(await observability.stop(call.user), "Performance monitoring stopped")


@router.get(
    "/v1/monitoring/health-check", summary="Monitoring Health Check", role=Role.ADMIN, response_model=MonitorHealth
)
async def monitoring_health_check(call: Call[None, None]) -> Ok:
    return Ok(await observability.monitor_health(call.user), "Monitoring system health retrieved")


@router.get(
    "/v1/monitoring/health",
    summary="Get Health Status",
    tag="Monitoring Health",
    public=True,
    response_model=SystemHealthReport,
    description="Database SELECT 1, Redis PING, API self-check (GET /healthz through the ASGI stack), core "
    "tables present and migrated to head, worker heartbeat; each with a 5 s timeout, run concurrently. "
    "Overall healthy / degraded / unhealthy in the body (always 200; /readyz is the probe that answers 503).",
)
async def get_health_status(call: Call[None, None]) -> Ok:
    data = await observability.service_health(call.request.app.state.self_check)
    return Ok(data, f"System is {data.status}")
