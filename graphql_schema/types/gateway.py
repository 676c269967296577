"""Gateway telemetry in the graph: ``gatewayHealth`` and ``gatewayMetrics``.

The same service functions as ``/v1/mcp/proxy/health`` and ``/v1/mcp/proxy/metrics`` (members get
the filtered view, admins the full one).  The component sections of the metrics are JSON: they
carry the parsed scrape figures (label -> value maps) that have no fixed GraphQL shape.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.permissions import IsAuthenticated
from services import gateway
from services.core.errors import BadRequest
from services.gateway.schemas import Component, Incident, ProxyHealth

TIME_RANGES = ("1h", "24h", "7d")


@model_type(Component)
class GatewayComponent:
    status: str  # healthy, degraded, unhealthy or not_configured


@model_type(Incident)
class GatewayIncident:
    source: str  # alert or probe


@model_type(ProxyHealth, description="MCP proxy health from the registered targets' probes")
class GatewayHealth:
    status: str
    components: list[GatewayComponent]
    last_incident: GatewayIncident | None


@strawberry.type(description="Kong, WebSocket, containers and (admins) billing, as /v1/mcp/proxy/metrics")
class GatewayMetrics:
    collected_at: datetime
    time_range: str
    view: str = strawberry.field(description="full (admins) or filtered (members)")
    kong: JSON
    websocket: JSON
    containers: JSON
    billing: JSON | None


async def resolve_gateway_health(info: Info) -> GatewayHealth:
    return GatewayHealth.from_pydantic(await gateway.health(info.context.principal))


async def resolve_gateway_metrics(
    info: Info, include_historical: bool = False, time_range: str = "24h"
) -> GatewayMetrics:
    if time_range not in TIME_RANGES:
        raise BadRequest.field("timeRange", f"must be one of {', '.join(TIME_RANGES)}")
    m = await gateway.metrics(info.context.principal, include_historical, time_range)  # type: ignore[arg-type]
    data = m.model_dump(mode="json")
    return GatewayMetrics(
        collected_at=m.collected_at,
        time_range=m.time_range,
        view=m.view,
        kong=data["kong"],
        websocket=data["websocket"],
        containers=data["containers"],
        billing=data["billing"],
    )


@strawberry.type
class GatewayQuery:
    gateway_health: GatewayHealth = strawberry.field(
        resolver=resolve_gateway_health,
        permission_classes=[IsAuthenticated],
        description="Overall status, 0-100 score per component, uptime from the last 24 hours of probes, last incident",
    )
    gateway_metrics: GatewayMetrics = strawberry.field(
        resolver=resolve_gateway_metrics,
        permission_classes=[IsAuthenticated],
        description="Current figures (and history with includeHistorical) of Kong, WebSocket proxies, containers",
    )
