"""Gateway telemetry: target CRUD (``/api/v1/gateway/targets``) and the MCP proxy views of seed 003.

Also :class:`MeteredWebSocket`, the ASGI wrapper that counts this service's own WebSocket
traffic (GraphQL subscriptions on ``/graphql``) for the ``websocket`` view.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.routing import Call, Ok, Router
from services import gateway
from services.identity import Role

router = Router("MCP Proxy Metrics")
ADMIN = {"role": Role.ADMIN}
PROXY = "/v1/mcp/proxy"
TARGETS = "/api/v1/gateway/targets"


class TargetPath(BaseModel):
    target_id: int = Field(ge=1, le=2_147_483_647)


class TargetListQuery(BaseModel):
    kind: Literal["kong", "mcp_server", "websocket_proxy"] | None = None


class MetricsQuery(BaseModel):
    include_historical: bool = Field(default=False, description="Include historical trend data")
    time_range: gateway.TimeRange = Field(
        default="24h", description="Time range for metrics (1h, 24h, 7d, 30d, 90d: the named windows)"
    )


class RangeQuery(BaseModel):
    include_historical: bool = Field(default=False, description="Include each container's probes in the window")
    time_range: gateway.TimeRange = Field(
        default="24h", description="Window for uptime, response times and history (1h, 24h, 7d, 30d, 90d)"
    )


@router.post(
    TARGETS,
    summary="Register a gateway target",
    status=201,
    body_model=gateway.TargetInput,
    response_model=gateway.TargetInfo,
    description="A Kong Prometheus endpoint (kind kong), an MCP server container's health URL (mcp_server) or a "
    "WebSocket proxy's stats URL (websocket_proxy). The URL must pass the outbound address policy.",
    **ADMIN,
)
async def create_gateway_target(call: Call[None, gateway.TargetInput]) -> Ok:
    return Ok(await gateway.create_target(call.user, call.body), "Gateway target registered", 201)


@router.get(
    TARGETS, summary="List gateway targets", query_model=TargetListQuery, response_model=gateway.TargetList, **ADMIN
)
async def list_gateway_targets(call: Call[TargetListQuery, None]) -> Ok:
    items = await gateway.list_targets(call.user, call.query.kind)
    return Ok({"items": items, "total": len(items)}, "Gateway targets retrieved successfully")


@router.get(
    f"{TARGETS}/{{target_id}}",
    summary="Get a gateway target",
    path_model=TargetPath,
    response_model=gateway.TargetInfo,
    **ADMIN,
)
async def get_gateway_target(call: Call[None, None]) -> Ok:
    return Ok(await gateway.get_target(call.user, call.path.target_id), "Gateway target retrieved successfully")


@router.patch(
    f"{TARGETS}/{{target_id}}",
    summary="Update a gateway target",
    path_model=TargetPath,
    body_model=gateway.TargetUpdate,
    response_model=gateway.TargetInfo,
    description="Only the fields given change; null for name, url, enabled, interval_seconds or timeout_seconds "
    "is a 400 naming the field. A new url starts the target afresh (not collected yet, health unknown).",
    **ADMIN,
)
async def update_gateway_target(call: Call[None, gateway.TargetUpdate]) -> Ok:
    return Ok(await gateway.update_target(call.user, call.path.target_id, call.body), "Gateway target updated")


@router.delete(
    f"{TARGETS}/{{target_id}}",
    summary="Delete a gateway target",
    status=204,
    path_model=TargetPath,
    description="Its samples go with it.",
    **ADMIN,
)
async def delete_gateway_target(call: Call[None, None]) -> Response:
    await gateway.delete_target(call.user, call.path.target_id)
    return Response(status_code=204)


@router.get(
    f"{PROXY}/health",
    summary="Get overall proxy health status",
    response_model=gateway.ProxyHealth,
    description="Status and 0-100 score from the components (Kong, WebSocket, containers, billing), uptime from "
    "the last 24 hours of probes, last incident (alerts for admins, failed probes for everyone).",
)
async def get_mcp_proxy_health(call: Call[None, None]) -> Ok:
    return Ok(await gateway.health(call.user), "Proxy health retrieved successfully")


@router.get(
    f"{PROXY}/metrics",
    summary="Get current MCP proxy metrics",
    query_model=MetricsQuery,
    response_model=gateway.ProxyMetrics,
    description="Kong, WebSocket, containers and (admins) billing. Admins get the full view, members a filtered "
    "one (no target URLs, raw scrape figures or billing).",
)
async def get_mcp_proxy_metrics(call: Call[MetricsQuery, None]) -> Ok:
    q = call.query
    return Ok(
        await gateway.metrics(call.user, q.include_historical, q.time_range), "Proxy metrics retrieved successfully"
    )


@router.get(
    f"{PROXY}/metrics/billing",
    summary="Billing-specific metrics",
    query_model=MetricsQuery,
    response_model=gateway.BillingMetrics,
    description="The last 30 days: LLM requests and their cost in USD (credits) from the usage data, per "
    "provider; tool calls, errors and execution time per MCP server (service null: calls that named none); "
    "active users across both, average credits and calls per user, the three busiest UTC hours of tool calls. "
    "include_historical adds tool calls, errors and execution time per bucket of time_range.",
    **ADMIN,
)
async def get_mcp_proxy_billing_metrics(call: Call[MetricsQuery, None]) -> Ok:
    q = call.query
    return Ok(
        await gateway.billing(call.user, q.include_historical, q.time_range), "Billing metrics retrieved successfully"
    )


@router.post(
    f"{PROXY}/metrics/clear-cache",
    summary="Clear metrics cache",
    response_model=gateway.CacheCleared,
    description="Drops the organization's collected snapshot; the next read collects every enabled target "
    "afresh (once, however many reads arrive together).",
    **ADMIN,
)
async def clear_mcp_proxy_metrics_cache(call: Call[None, None]) -> Ok:
    return Ok(await gateway.clear_cache(call.user), "Metrics cache cleared")


@router.get(
    f"{PROXY}/metrics/containers",
    summary="Container-specific metrics",
    query_model=RangeQuery,
    response_model=gateway.ContainerMetrics,
    **ADMIN,
)
async def get_mcp_proxy_container_metrics(call: Call[RangeQuery, None]) -> Ok:
    q = call.query
    return Ok(
        await gateway.containers(call.user, q.time_range, q.include_historical),
        "Container metrics retrieved successfully",
    )


class ProxyMetricsExport(BaseModel):
    """The JSON file of ``/metrics/export`` (``format=json``): the health and metrics views together."""

    health: gateway.ProxyHealth
    metrics: gateway.ProxyMetrics


@router.post(
    f"{PROXY}/metrics/export",
    summary="Export metrics for external monitoring systems",
    body_model=gateway.ExportRequest,
    body_required=False,
    media_type=("application/json", "text/plain"),
    response_model=ProxyMetricsExport,  # the JSON file
    responses={200: "A file (Content-Disposition: attachment): JSON, Prometheus text or InfluxDB line protocol"},
    description="format: json (default), prometheus (text exposition 0.0.4) or influx (line protocol).",
    **ADMIN,
)
async def export_mcp_proxy_metrics(call: Call[None, gateway.ExportRequest]) -> Response:
    b = call.body
    body, media_type, filename = await gateway.export_metrics(call.user, b.format, b.include_historical, b.time_range)
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get(
    f"{PROXY}/metrics/kong",
    summary="Kong-specific metrics",
    query_model=MetricsQuery,
    response_model=gateway.KongMetrics,
    description="Requests, rates, status classes, rate-limited (429) responses, latencies, bandwidth, "
    "connections and upstream target health, from the registered Kong gateways' Prometheus endpoints.",
    **ADMIN,
)
async def get_mcp_proxy_kong_metrics(call: Call[MetricsQuery, None]) -> Ok:
    q = call.query
    return Ok(await gateway.kong(call.user, q.include_historical, q.time_range), "Kong metrics retrieved successfully")


@router.get(
    f"{PROXY}/metrics/prometheus",
    summary="Prometheus metrics endpoint",
    media_type="text/plain",
    responses={200: "Prometheus text exposition format 0.0.4"},
    **ADMIN,
)
async def get_mcp_proxy_prometheus_metrics(call: Call[None, None]) -> Response:
    from services.gateway import PROMETHEUS_CONTENT_TYPE

    return Response(await gateway.prometheus_text(call.user), media_type=PROMETHEUS_CONTENT_TYPE)


@router.get(
    f"{PROXY}/metrics/websocket",
    summary="WebSocket-specific metrics",
    query_model=MetricsQuery,
    response_model=gateway.WebSocketMetrics,
    description="The registered WebSocket proxies' counters (include_historical: each proxy's samples in "
    "time_range with its message rate); this service's own GraphQL subscription sockets (platform-wide) for "
    "superusers.",
    **ADMIN,
)
async def get_mcp_proxy_websocket_metrics(call: Call[MetricsQuery, None]) -> Ok:
    q = call.query
    return Ok(
        await gateway.websocket_metrics(call.user, q.include_historical, q.time_range),
        "WebSocket metrics retrieved successfully",
    )


class MeteredWebSocket:
    """Wrap a WebSocket endpoint so its connections, messages, bytes, errors and durations are counted.

    A class rather than a closure: Starlette's ``WebSocketRoute`` treats a plain function as a
    ``func(session)`` endpoint, an object with ``__call__`` as an ASGI app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self.app
        if scope["type"] != "websocket":
            await app(scope, receive, send)
            return
        meter = gateway.SocketMeter()
        state: dict[str, object] = {"accepted": False, "code": None}

        def size(message: Message) -> int:
            text, data = message.get("text"), message.get("bytes")
            return len(text.encode()) if isinstance(text, str) else len(data) if isinstance(data, bytes) else 0

        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "websocket.receive":
                meter.count("messages_received")
                meter.count("bytes_received", size(message))
            elif message["type"] == "websocket.disconnect":
                state["code"] = state["code"] or message.get("code")
            if meter.due():
                await meter.flush()
            return message

        async def counted_send(message: Message) -> None:
            if message["type"] == "websocket.accept" and not state["accepted"]:
                state["accepted"] = True
                await meter.opened_socket()
            elif message["type"] == "websocket.send":
                meter.count("messages_sent")
                meter.count("bytes_sent", size(message))
            elif message["type"] == "websocket.close":
                state["code"] = message.get("code", 1000)
            await send(message)

        failed = False
        try:
            await app(scope, counted_receive, counted_send)
        except BaseException:
            failed = True
            raise
        finally:
            if state["accepted"]:
                code = state["code"]
                await meter.closed_socket(code if isinstance(code, int) else None, failed)
