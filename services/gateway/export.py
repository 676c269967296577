"""The proxy metrics for external systems: JSON, Prometheus text exposition, InfluxDB line protocol.

All three render the same :class:`ProxyMetrics` (the admin's full view).  Prometheus text is
written by ``prometheus_client``'s own exposition code from metric families, so names, HELP
and TYPE lines and label escaping follow the format; counters carry ``_total`` and durations are
in seconds, the base unit ``promtool check metrics`` requires (tests/gateway runs it).  Line
protocol escapes measurement names (commas, spaces), tag keys and values (commas, equals
signs, spaces) and quotes string fields, as InfluxDB documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from services.gateway.schemas import ProxyHealth, ProxyMetrics

PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
INFLUX_CONTENT_TYPE = "text/plain; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"


@dataclass
class Point:
    """One line: measurement, tags, numeric/bool/string fields."""

    measurement: str
    tags: dict[str, str]
    fields: dict[str, float | int | bool | str]


def points(m: ProxyMetrics, h: ProxyHealth) -> Iterator[Point]:
    health: dict[str, float | int | bool | str] = {
        "score": h.health_score if h.health_score is not None else -1.0,
        "status": str(h.status),
        "probes_24h": h.probes_24h,
    }
    if h.uptime_percentage is not None:
        health["uptime_percent"] = h.uptime_percentage
    yield Point("mcp_proxy_health", {}, health)
    for t in m.kong.targets:
        fields: dict[str, Any] = {"up": t.healthy}
        if t.requests_total is not None:
            fields["requests_total"] = t.requests_total
        if t.requests_per_second is not None:
            fields["requests_per_second"] = t.requests_per_second
        f = t.figures
        for name in ("rate_limited_total", "client_errors_total", "server_errors_total"):
            if name in f:
                fields[name] = f[name]
        for direction, n in (f.get("bandwidth_bytes") or {}).items():
            fields[f"bandwidth_{direction}_bytes"] = n
        for hist in ("request_latency_ms", "upstream_latency_ms"):
            avg = (f.get(hist) or {}).get("avg")
            if avg is not None:
                fields[f"{hist}_avg"] = avg
        yield Point("kong", {"target": t.name}, fields)
    for c in m.containers.containers:
        fields = {"probes": c.probes}
        if c.healthy is not None:
            fields["up"] = c.healthy
        for name in ("response_ms", "uptime_percent", "avg_response_ms"):
            value = getattr(c, name)
            if value is not None:
                fields[name] = value
        for name, value in c.resources.items():
            fields[f"resource_{name}"] = value
        yield Point("mcp_container", {"target": c.name}, fields)
    for p in m.websocket.proxies:
        fields = {"up": p.healthy} | {k: v for k, v in p.figures.model_dump().items() if v is not None}
        yield Point("websocket_proxy", {"target": p.name}, fields)
    if m.websocket.service is not None:
        service = {k: v for k, v in m.websocket.service.model_dump().items() if v is not None}
        if service:
            yield Point("websocket_service", {}, service)
    if m.billing is not None:
        yield Point(
            "mcp_billing",
            {},
            {
                "total_api_calls": m.billing.total_api_calls,
                "active_users": m.billing.active_users,
                "credits_consumed": m.billing.credits_consumed,
            },
        )
        for s in m.billing.cost_by_service:
            fields = {"calls": s.calls}
            for name in ("errors", "cost_usd", "total_duration_ms"):
                value = getattr(s, name)
                if value is not None:
                    fields[name] = value
            yield Point("mcp_billing_service", {"service": s.service, "kind": s.kind}, fields)


def _escape(text: str, specials: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in specials:
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def _field(value: float | int | bool | str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}i"
    if isinstance(value, float):
        return repr(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def influx(m: ProxyMetrics, h: ProxyHealth, organization_id: int) -> str:
    """InfluxDB line protocol, one timestamp (ns) for the whole export."""
    ns = int(m.collected_at.timestamp() * 1_000_000) * 1000
    lines = []
    for p in points(m, h):
        if not p.fields:
            continue
        tags = {"organization": str(organization_id), **p.tags}
        tag_text = "".join(f",{_escape(k, ',= ')}={_escape(v, ',= ')}" for k, v in sorted(tags.items()) if v != "")
        field_text = ",".join(f"{_escape(k, ',= ')}={_field(v)}" for k, v in p.fields.items())
        lines.append(f"{_escape(p.measurement, ', ')}{tag_text} {field_text} {ns}")
    return "\n".join(lines) + "\n"


class _Families(Collector):
    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families


def prometheus(m: ProxyMetrics, h: ProxyHealth) -> bytes:
    """Prometheus text exposition 0.0.4 of the proxy metrics."""
    fams: list[Metric] = []
    score = GaugeMetricFamily("mcp_proxy_health_score", "Proxy health score (0-100) from the configured components")
    if h.health_score is not None:
        score.add_metric([], h.health_score)
    fams.append(score)
    uptime = GaugeMetricFamily("mcp_proxy_uptime_percent", "Healthy probes over all probes in the last 24 hours")
    if h.uptime_percentage is not None:
        uptime.add_metric([], h.uptime_percentage)
    fams.append(uptime)
    up = GaugeMetricFamily(
        "mcp_proxy_target_up", "1 if the target's last collection succeeded", labels=["kind", "target"]
    )
    response = GaugeMetricFamily(
        "mcp_proxy_target_response_seconds", "Response time of the last health probe", labels=["target"]
    )
    kong_requests = CounterMetricFamily(
        "mcp_proxy_kong_requests", "Requests the Kong gateway counted (kong_http_requests_total)", labels=["target"]
    )
    kong_rps = GaugeMetricFamily(
        "mcp_proxy_kong_requests_per_second", "Request rate between the last two scrapes", labels=["target"]
    )
    kong_errors = CounterMetricFamily(
        "mcp_proxy_kong_error_responses", "Responses with a 4xx or 5xx status", labels=["target", "class"]
    )
    bandwidth = CounterMetricFamily(
        "mcp_proxy_kong_bandwidth_bytes", "Bytes through Kong", labels=["target", "direction"]
    )
    for t in m.kong.targets:
        up.add_metric(["kong", t.name], 1.0 if t.healthy else 0.0)
        if t.requests_total is not None:
            kong_requests.add_metric([t.name], t.requests_total)
        if t.requests_per_second is not None:
            kong_rps.add_metric([t.name], t.requests_per_second)
        for cls in ("4xx", "5xx"):
            value = (t.figures.get("requests_by_class") or {}).get(cls)
            if value is not None:
                kong_errors.add_metric([t.name, cls], value)
        for direction, n in (t.figures.get("bandwidth_bytes") or {}).items():
            bandwidth.add_metric([t.name, direction], n)
    container_uptime = GaugeMetricFamily(
        "mcp_proxy_container_uptime_percent", "Healthy probes over probes in the window", labels=["target"]
    )
    for c in m.containers.containers:
        if c.healthy is not None:
            up.add_metric(["mcp_server", c.name], 1.0 if c.healthy else 0.0)
        if c.response_ms is not None:
            response.add_metric([c.name], c.response_ms / 1000.0)  # base unit (promtool's lint)
        if c.uptime_percent is not None:
            container_uptime.add_metric([c.name], c.uptime_percent)
    ws_active = GaugeMetricFamily(
        "mcp_proxy_websocket_active_connections", "Open WebSocket connections", labels=["source"]
    )
    ws_messages = CounterMetricFamily(
        "mcp_proxy_websocket_messages", "WebSocket messages", labels=["source", "direction"]
    )
    ws_errors = CounterMetricFamily(
        "mcp_proxy_websocket_connection_errors", "WebSocket connection errors", labels=["source"]
    )
    sources = [(p.name, p.figures) for p in m.websocket.proxies]
    for p in m.websocket.proxies:
        up.add_metric(["websocket_proxy", p.name], 1.0 if p.healthy else 0.0)
    if m.websocket.service is not None:
        sources.append(("service", m.websocket.service))
    for name, f in sources:
        if f.active_connections is not None:
            ws_active.add_metric([name], f.active_connections)
        if f.messages_sent is not None:
            ws_messages.add_metric([name, "sent"], f.messages_sent)
        if f.messages_received is not None:
            ws_messages.add_metric([name, "received"], f.messages_received)
        if f.connection_errors is not None:
            ws_errors.add_metric([name], f.connection_errors)
    fams += [
        up,
        response,
        kong_requests,
        kong_rps,
        kong_errors,
        bandwidth,
        container_uptime,
        ws_active,
        ws_messages,
        ws_errors,
    ]
    if m.billing is not None:
        calls = GaugeMetricFamily(
            "mcp_proxy_calls_30d", "LLM requests and tool calls in the last 30 days", labels=["kind", "service"]
        )
        for s in m.billing.cost_by_service:
            calls.add_metric([s.kind, s.service], s.calls)
        users = GaugeMetricFamily("mcp_proxy_active_users_30d", "Users with tool calls in the last 30 days")
        users.add_metric([], m.billing.active_users)
        fams += [calls, users]
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(fams))
    return generate_latest(registry)
