"""The proxy metrics for external systems: JSON, Prometheus text exposition, InfluxDB line protocol.

All three render the same :class:`ProxyMetrics` (the admin's full view).  Prometheus text is
written by ``prometheus_client``'s own exposition code from metric families, so names, HELP
and TYPE lines and label escaping follow the format; counters carry ``_total`` and durations are
in seconds, the base unit ``promtool check metrics`` requires (tests/gateway runs it).  Line
protocol escapes measurement names (commas, spaces), tag keys and values (commas, equals
signs, spaces) and quotes string fields, as InfluxDB documents.

Neither format ever carries NaN or +-Inf (line protocol has no such numbers; stored figures that
are missing or not finite are left out), and no two Prometheus series of a family share their
labels: a WebSocket proxy and this service's sockets differ by ``kind``, an MCP server that no call
named has ``service=""`` (names are never empty), and a repeated label set is left out.
"""

from __future__ import annotations

import math
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
            tags: dict[str, str] = {"kind": s.kind}
            if s.service is not None:  # no service tag: calls that named no MCP server
                tags["service"] = s.service
            yield Point("mcp_billing_service", tags, fields)


def _escape(text: str, specials: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in specials:
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def _finite(value: object) -> bool:
    """A value a field or a sample can carry: a bool, a string, or a finite number (not None, NaN, +-Inf)."""
    if isinstance(value, bool | str | int):
        return True
    return isinstance(value, float) and math.isfinite(value)


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
        fields = {k: v for k, v in p.fields.items() if _finite(v)}
        if not fields:
            continue
        tags = {"organization": str(organization_id), **p.tags}
        tag_text = "".join(f",{_escape(k, ',= ')}={_escape(v, ',= ')}" for k, v in sorted(tags.items()) if v != "")
        field_text = ",".join(f"{_escape(k, ',= ')}={_field(v)}" for k, v in fields.items())
        lines.append(f"{_escape(p.measurement, ', ')}{tag_text} {field_text} {ns}")
    return "\n".join(lines) + "\n"


class _Unique:
    """Adds samples to a family: only finite numbers, each label set once."""

    def __init__(self, family: CounterMetricFamily | GaugeMetricFamily) -> None:
        self.family = family
        self.seen: set[tuple[str, ...]] = set()

    def add(self, labels: list[str], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return
        if tuple(labels) in self.seen:
            return
        self.seen.add(tuple(labels))
        self.family.add_metric(labels, float(value))


class _Families(Collector):
    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families


def prometheus(m: ProxyMetrics, h: ProxyHealth) -> bytes:
    """Prometheus text exposition 0.0.4 of the proxy metrics."""
    families: list[CounterMetricFamily | GaugeMetricFamily] = []

    def gauge(name: str, documentation: str, labels: list[str] | None = None) -> _Unique:
        families.append(GaugeMetricFamily(name, documentation, labels=labels))
        return _Unique(families[-1])

    def counter(name: str, documentation: str, labels: list[str]) -> _Unique:
        families.append(CounterMetricFamily(name, documentation, labels=labels))
        return _Unique(families[-1])

    gauge("mcp_proxy_health_score", "Proxy health score (0-100) from the configured components").add([], h.health_score)
    gauge("mcp_proxy_uptime_percent", "Healthy probes over all probes in the last 24 hours").add(
        [], h.uptime_percentage
    )
    up = gauge("mcp_proxy_target_up", "1 if the target's last collection succeeded", ["kind", "target"])
    response = gauge("mcp_proxy_target_response_seconds", "Response time of the last health probe", ["target"])
    kong_requests = counter(
        "mcp_proxy_kong_requests", "Requests the Kong gateway counted (kong_http_requests_total)", ["target"]
    )
    kong_rps = gauge("mcp_proxy_kong_requests_per_second", "Request rate between the last two scrapes", ["target"])
    kong_errors = counter("mcp_proxy_kong_error_responses", "Responses with a 4xx or 5xx status", ["target", "class"])
    bandwidth = counter("mcp_proxy_kong_bandwidth_bytes", "Bytes through Kong", ["target", "direction"])
    for t in m.kong.targets:
        up.add(["kong", t.name], 1.0 if t.healthy else 0.0)
        kong_requests.add([t.name], t.requests_total)
        kong_rps.add([t.name], t.requests_per_second)
        by_class = t.figures.get("requests_by_class")
        for cls in ("4xx", "5xx"):
            kong_errors.add([t.name, cls], by_class.get(cls) if isinstance(by_class, dict) else None)
        directions = t.figures.get("bandwidth_bytes")
        for direction, n in (directions if isinstance(directions, dict) else {}).items():
            bandwidth.add([t.name, str(direction)], n)
    container_uptime = gauge(
        "mcp_proxy_container_uptime_percent", "Healthy probes over probes in the window", ["target"]
    )
    for c in m.containers.containers:
        if c.healthy is not None:
            up.add(["mcp_server", c.name], 1.0 if c.healthy else 0.0)
        if c.response_ms is not None:
            response.add([c.name], c.response_ms / 1000.0)  # base unit (promtool's lint)
        container_uptime.add([c.name], c.uptime_percent)
    # a proxy may be named anything, "service" too: kind tells this service's sockets from a proxy's
    ws_active = gauge("mcp_proxy_websocket_active_connections", "Open WebSocket connections", ["kind", "source"])
    ws_messages = counter("mcp_proxy_websocket_messages", "WebSocket messages", ["kind", "source", "direction"])
    ws_errors = counter("mcp_proxy_websocket_connection_errors", "WebSocket connection errors", ["kind", "source"])
    sources = [("websocket_proxy", p.name, p.figures) for p in m.websocket.proxies]
    for p in m.websocket.proxies:
        up.add(["websocket_proxy", p.name], 1.0 if p.healthy else 0.0)
    if m.websocket.service is not None:
        sources.append(("service", "service", m.websocket.service))
    for kind, name, f in sources:
        ws_active.add([kind, name], f.active_connections)
        ws_messages.add([kind, name, "sent"], f.messages_sent)
        ws_messages.add([kind, name, "received"], f.messages_received)
        ws_errors.add([kind, name], f.connection_errors)
    if m.billing is not None:
        calls = gauge(
            "mcp_proxy_calls_30d",
            'LLM requests and tool calls in the last 30 days (service="" for tool calls that named no MCP server)',
            ["kind", "service"],
        )
        for s in m.billing.cost_by_service:
            calls.add([s.kind, s.service or ""], s.calls)
        gauge("mcp_proxy_active_users_30d", "Users with tool calls in the last 30 days").add([], m.billing.active_users)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(families))
    return generate_latest(registry)
