"""Gateway telemetry in the graph: ``gatewayHealth`` and ``gatewayMetrics``.

The same service functions as ``/v1/mcp/proxy/health`` and ``/v1/mcp/proxy/metrics`` (members get
the filtered view, admins the full one).  The component sections of the metrics are JSON: they
carry the parsed scrape figures (label -> value maps) that have no fixed GraphQL shape.
"""

from __future__ import annotations

from typing import get_args

import strawberry
from strawberry.scalars import JSON

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.permissions import IsAuthenticated
from services import gateway
from services.core.errors import BadRequest
from services.gateway import Component, Incident, ProxyHealth, ProxyMetrics, TimeRange

TIME_RANGES: tuple[str, ...] = get_args(TimeRange)  # the service's own choices, not a copy


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


@model_type(ProxyMetrics, description="Kong, WebSocket, containers and (admins) billing, as /v1/mcp/proxy/metrics")
class GatewayMetrics:
    kong: JSON  # the sections as JSON values, exactly as REST renders them
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
    out = GatewayMetrics.from_pydantic(m)
    data = m.model_dump(mode="json", include={"kong", "websocket", "containers", "billing"})
    out.kong, out.websocket, out.containers = data["kong"], data["websocket"], data["containers"]
    out.billing = data.get("billing")
    return out


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
