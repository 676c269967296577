"""Gateway targets and the MCP proxy views (pydantic), shared by REST, GraphQL and jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.core import outbound
from services.core.validation import SINGLE_LINE

TargetKind = Literal["kong", "mcp_server", "websocket_proxy"]
ComponentStatus = Literal["healthy", "degraded", "unhealthy", "not_configured"]
TimeRange = Literal["1h", "24h", "7d", "30d", "90d"]  # the CONVENTIONS named windows (services.core.dates)


def _url(value: str) -> str:
    return outbound.check_url(value)


class TargetInput(BaseModel):
    """A scrape/probe target: Kong's Prometheus endpoint, an MCP server's health URL or a WebSocket proxy's stats."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, pattern=SINGLE_LINE)
    kind: TargetKind
    url: str = Field(
        min_length=1,
        max_length=outbound.MAX_URL_LENGTH,
        description="http(s) URL; public addresses only unless OUTBOUND_ALLOW_CIDRS allows it",
    )
    enabled: bool = True
    interval_seconds: int = Field(default=60, ge=10, le=3600, description="How often the worker collects it")
    timeout_seconds: float = Field(default=5.0, ge=0.1, le=30, allow_inf_nan=False)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _url(value)


class TargetUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100, pattern=SINGLE_LINE)
    url: str | None = Field(default=None, min_length=1, max_length=outbound.MAX_URL_LENGTH)
    enabled: bool | None = None
    interval_seconds: int | None = Field(default=None, ge=10, le=3600)
    timeout_seconds: float | None = Field(default=None, ge=0.1, le=30, allow_inf_nan=False)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return None if value is None else _url(value)


class TargetInfo(BaseModel):
    id: int
    name: str
    kind: str
    url: str
    enabled: bool
    interval_seconds: int
    timeout_seconds: float
    last_collected_at: datetime | None
    last_healthy: bool | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


class TargetList(BaseModel):
    items: list[TargetInfo]
    total: int


class SampleInfo(BaseModel):
    target_id: int | None
    target: str | None
    kind: str
    collected_at: datetime
    healthy: bool
    response_ms: float | None
    http_status: int | None
    error: str | None


class KongTarget(BaseModel):
    target_id: int
    name: str
    healthy: bool
    collected_at: datetime | None
    error: str | None
    requests_total: float | None
    requests_per_second: float | None = Field(description="Rate over the last two scrapes; null with one scrape")
    figures: dict[str, Any] = Field(description="Parsed from the last scrape (cumulative counters, histograms)")


class KongHistoryPoint(BaseModel):
    collected_at: datetime
    target: str
    requests_total: float | None
    requests_per_second: float | None
    error_rate: float | None
    avg_latency_ms: float | None
    healthy: bool


class KongMetrics(BaseModel):
    targets: list[KongTarget]
    total_targets: int
    healthy_targets: int
    requests_total: float
    requests_per_second: float | None
    error_rate: float | None = Field(description="Percent of requests answered 4xx or 5xx since the gateways started")
    server_error_rate: float | None
    rate_limited_total: float
    requests_by_class: dict[str, float]
    avg_request_latency_ms: float | None
    avg_upstream_latency_ms: float | None
    bandwidth_bytes: dict[str, float]
    active_connections: float | None
    upstream_targets: dict[str, int]
    history: list[KongHistoryPoint] | None = None


class ContainerInfo(BaseModel):
    target_id: int
    name: str
    url: str
    healthy: bool | None
    last_checked_at: datetime | None
    response_ms: float | None
    http_status: int | None
    error: str | None
    uptime_percent: float | None = Field(description="Healthy probes / probes in the window")
    avg_response_ms: float | None
    probes: int
    resources: dict[str, float] = Field(description="Numeric fields the container's health answer reports")


class ContainerHistoryPoint(BaseModel):
    collected_at: datetime
    target: str
    healthy: bool
    response_ms: float | None
    http_status: int | None
    error: str | None


class ContainerMetrics(BaseModel):
    total_containers: int
    healthy_containers: int
    unhealthy_containers: int
    unknown_containers: int
    avg_response_ms: float | None
    uptime_percent: float | None
    containers: list[ContainerInfo]
    history: list[ContainerHistoryPoint] | None = Field(
        default=None, description="With include_historical: each container's probes in the time range"
    )


class WebSocketFigures(BaseModel):
    active_connections: float | None
    total_connections: float | None
    messages_sent: float | None
    messages_received: float | None
    bytes_sent: float | None
    bytes_received: float | None
    connection_errors: float | None
    avg_connection_duration_seconds: float | None


class WebSocketProxy(BaseModel):
    target_id: int
    name: str
    healthy: bool
    collected_at: datetime | None
    error: str | None
    figures: WebSocketFigures


class WebSocketHistoryPoint(BaseModel):
    collected_at: datetime
    target: str
    healthy: bool
    active_connections: float | None
    total_connections: float | None
    messages_per_second: float | None = Field(
        description="Messages sent and received per second since the target's previous point (null for the first)"
    )
    connection_errors: float | None


class WebSocketMetrics(BaseModel):
    proxies: list[WebSocketProxy]
    totals: WebSocketFigures
    service: WebSocketFigures | None = Field(
        description="This service's own GraphQL subscription sockets (platform-wide: superusers only, else null)"
    )
    history: list[WebSocketHistoryPoint] | None = Field(
        default=None, description="With include_historical: each proxy's samples in the time range"
    )


class ServiceCost(BaseModel):
    service: str | None = Field(description="Provider or MCP server; null for tool calls that named no MCP server")
    kind: Literal["llm_provider", "mcp_server"]
    calls: int
    errors: int | None = Field(description="Failed tool calls (null for LLM providers: not broken down there)")
    cost_usd: float | None = Field(description="Cost from the usage price map (null for MCP servers: not priced)")
    total_duration_ms: float | None = Field(description="Tool execution time (null for LLM providers)")


class PeakHour(BaseModel):
    hour: int = Field(description="Hour of day (UTC)")
    calls: int


class BillingHistoryPoint(BaseModel):
    start: datetime = Field(
        description="Start of the bucket (UTC; buckets of 5 min for 1h, 1 h for 24h, 6 h for 7d, 1 day for 30d and 90d)"
    )
    end: datetime
    tool_calls: int
    errors: int
    total_duration_ms: float


class BillingMetrics(BaseModel):
    window_start: datetime
    window_end: datetime
    total_api_calls: int = Field(description="LLM requests plus tool calls")
    llm_requests: int = Field(description="Usage events (services.usage, last 30 days)")
    tool_calls: int
    gateway_requests: float | None = Field(description="Requests the registered Kong gateways counted (cumulative)")
    credits_consumed: float = Field(description="Cost in USD of the usage events (the credit unit is the dollar)")
    active_users: int = Field(description="Users with LLM usage or tool calls in the window")
    avg_credits_per_user: float | None
    avg_calls_per_user: float | None
    peak_hours: list[PeakHour] = Field(description="The three UTC hours of day with the most tool calls")
    cost_by_service: list[ServiceCost] = Field(description="LLM providers by cost, then MCP servers by calls")
    history: list[BillingHistoryPoint] | None = Field(
        default=None, description="With include_historical: tool calls per bucket of the time range (empty ones too)"
    )


class Component(BaseModel):
    name: str
    status: ComponentStatus
    score: float | None
    detail: str


class Incident(BaseModel):
    at: datetime
    source: Literal["alert", "probe"]
    detail: str


class ProxyHealth(BaseModel):
    status: Literal["healthy", "degraded", "unhealthy", "not_configured"]
    health_score: float | None = Field(description="0-100, mean of the configured components' scores")
    components: list[Component]
    uptime_percentage: float | None = Field(description="Healthy probes / probes over the last 24 hours")
    probes_24h: int
    last_incident: Incident | None
    checked_at: datetime


class ProxyMetrics(BaseModel):
    collected_at: datetime
    time_range: TimeRange
    view: Literal["full", "filtered"]
    kong: KongMetrics
    websocket: WebSocketMetrics
    containers: ContainerMetrics
    billing: BillingMetrics | None = Field(description="Admins only (null in a member's filtered view)")


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["json", "prometheus", "influx"] = "json"
    include_historical: bool = False
    time_range: TimeRange = "24h"


class CacheCleared(BaseModel):
    cleared: bool
    keys_removed: int
