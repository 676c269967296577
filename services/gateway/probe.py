"""Scraping and probing one target under the outbound address policy, and parsing what it answers.

Each request resolves the target's host with :func:`services.core.outbound.resolve` (every
address must be allowed) and connects to exactly one of those addresses (the ``Host``
header and TLS name stay the URL's), like notification deliveries.  The whole attempt is
bounded by the target's timeout.  Whatever goes wrong (refused, unresolvable, timeout, a
non-2xx answer, a body that is not what the kind expects) is an unhealthy :class:`Probe`
with a generic error text, never an exception.

Parsing uses ``prometheus_client``'s text parser.  Kong 3.x's Prometheus plugin names:
``kong_http_requests_total`` (labels ``service``, ``route``, ``code``),
``kong_request_latency_ms`` / ``kong_upstream_latency_ms`` / ``kong_kong_latency_ms``
(histograms), ``kong_bandwidth_bytes`` (``direction`` ingress/egress),
``kong_upstream_target_health`` (``state`` healthy/unhealthy/dns_error/healthchecks_off,
1 for the current state), ``kong_nginx_connections_total`` (``state``) and
``kong_datastore_reachable``.  A WebSocket proxy's stats are Prometheus text with the
``websocket_*`` names of :data:`WS_COUNTERS` or a JSON object with the same names without
the ``websocket_`` prefix and ``_total`` suffix.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from prometheus_client.parser import text_string_to_metric_families

from services.core import outbound

MAX_BODY = 4 * 1024 * 1024
USER_AGENT = "PromptOps-Gateway-Collector/1"
HEALTHY_WORDS = frozenset({"ok", "healthy", "up", "pass", "passing", "green", "running", "serving"})
WS_COUNTERS = {
    "websocket_connections_active": "active_connections",
    "websocket_connections_total": "total_connections",
    "websocket_messages_sent_total": "messages_sent",
    "websocket_messages_received_total": "messages_received",
    "websocket_bytes_sent_total": "bytes_sent",
    "websocket_bytes_received_total": "bytes_received",
    "websocket_connection_errors_total": "connection_errors",
    "websocket_connection_duration_seconds_sum": "duration_seconds_sum",
    "websocket_connection_duration_seconds_count": "duration_seconds_count",
}


@dataclass
class Probe:
    healthy: bool
    response_ms: float | None = None
    http_status: int | None = None
    error: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)


class BadBody(ValueError):
    """The answer is not what this kind of target serves."""


def client() -> httpx.AsyncClient:
    """One client per collection cycle: its TLS context is built once (that costs more CPU than a probe)."""
    return httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=30.0)


async def fetch(http: httpx.AsyncClient, url: str, limit_seconds: float) -> tuple[int, bytes, float]:
    """GET ``url`` pinned to an allowed address; (status, body, elapsed ms).  Raises on any failure."""
    target = httpx.URL(outbound.check_url(url))
    host = target.raw_host.decode("ascii")
    port = target.port or (443 if target.scheme == "https" else 80)
    started = time.perf_counter()
    async with asyncio.timeout(limit_seconds):
        addresses = await outbound.resolve(host, port)
        headers = {
            "Host": target.netloc.decode("ascii"),
            "User-Agent": USER_AGENT,
            "Accept": "text/plain, application/json",
        }
        for n, address in enumerate(addresses, 1):
            try:
                async with http.stream(
                    "GET",
                    target.copy_with(host=str(address)),
                    headers=headers,
                    extensions={"sni_hostname": host},
                    timeout=limit_seconds,
                ) as response:
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > MAX_BODY:
                            raise BadBody(f"answer larger than {MAX_BODY // (1024 * 1024)} MiB")
                    return response.status_code, bytes(body), (time.perf_counter() - started) * 1000
            except httpx.ConnectError:
                if n == len(addresses):
                    raise
    raise httpx.ConnectError("no address")  # pragma: no cover - resolve() returns at least one


async def probe(http: httpx.AsyncClient, kind: str, url: str, limit_seconds: float) -> Probe:
    """Collect one target: fetch, then parse by ``kind``; failures are unhealthy probes."""
    started = time.perf_counter()
    try:
        status, body, elapsed = await fetch(http, url, limit_seconds)
    except outbound.UnsafeDestination:
        return Probe(False, error=outbound.REFUSED)
    except outbound.Unresolvable:
        return Probe(False, error=outbound.UNRESOLVABLE)
    except (TimeoutError, httpx.TimeoutException):
        return Probe(
            False,
            response_ms=round((time.perf_counter() - started) * 1000, 3),
            error=f"timed out after {limit_seconds:g}s",
        )
    except BadBody as exc:
        return Probe(False, error=str(exc))
    except (httpx.HTTPError, OSError, ValueError):
        return Probe(False, error="connection failed")
    elapsed = round(elapsed, 3)
    if not 200 <= status < 300:
        return Probe(False, elapsed, status, f"HTTP {status}", _container(body) if kind == "mcp_server" else {})
    try:
        if kind == "kong":
            return Probe(True, elapsed, status, None, parse_kong(body.decode("utf-8")))
        if kind == "websocket_proxy":
            return Probe(True, elapsed, status, None, parse_websocket_stats(body))
        figures = _container(body)
        state = figures.get("status")
        if isinstance(state, str) and state.lower() not in HEALTHY_WORDS:
            return Probe(False, elapsed, status, f"reports status {state[:40]!r}", figures)
        return Probe(True, elapsed, status, None, figures)
    except (BadBody, ValueError, UnicodeDecodeError) as exc:
        return Probe(False, elapsed, status, f"unparseable answer: {str(exc)[:120]}")


def _samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    out: list[tuple[str, dict[str, str], float]] = []
    try:
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                out.append((s.name, dict(s.labels), float(s.value)))
    except Exception as exc:  # the parser raises ValueError, TypeError, IndexError... on garbage
        raise BadBody(f"not Prometheus text ({type(exc).__name__})") from None
    return out


def _histogram(samples: list[tuple[str, dict[str, str], float]], name: str) -> dict[str, Any]:
    """Sum, count, average and bucket-estimated p50/p95/p99 of a histogram over all its label sets."""
    total = count = 0.0
    buckets: dict[float, float] = {}
    for sample, labels, value in samples:
        if sample == f"{name}_sum":
            total += value
        elif sample == f"{name}_count":
            count += value
        elif sample == f"{name}_bucket" and "le" in labels:
            le = float(labels["le"])
            buckets[le] = buckets.get(le, 0.0) + value
    return {
        "count": count,
        "sum": total,
        "avg": round(total / count, 3) if count else None,
        "buckets": {("+Inf" if math.isinf(le) else repr(le)): n for le, n in sorted(buckets.items())},
        "p50": histogram_quantile(0.5, buckets),
        "p95": histogram_quantile(0.95, buckets),
        "p99": histogram_quantile(0.99, buckets),
    }


def histogram_quantile(q: float, buckets: dict[float, float]) -> float | None:
    """Prometheus' ``histogram_quantile``: linear interpolation inside the cumulative bucket holding rank q."""
    if not buckets:
        return None
    ordered = sorted(buckets.items())
    total = ordered[-1][1]
    if total <= 0:
        return None
    rank = q * total
    lower_le, lower_count = 0.0, 0.0
    for le, cumulative in ordered:
        if cumulative >= rank:
            if math.isinf(le):
                return round(lower_le, 3)
            width = cumulative - lower_count
            fraction = (rank - lower_count) / width if width else 1.0
            return round(lower_le + (le - lower_le) * fraction, 3)
        lower_le, lower_count = le, cumulative
    return round(lower_le, 3)


def parse_kong(text: str) -> dict[str, Any]:
    """The figures of one Kong scrape (cumulative counters as Kong reports them)."""
    samples = _samples(text)
    if not any(name.startswith("kong_") for name, _, _ in samples):
        raise BadBody("no kong_* metrics in the answer")
    by_code: dict[str, float] = {}
    by_service: dict[str, float] = {}
    bandwidth = {"ingress": 0.0, "egress": 0.0}
    targets: dict[str, int] = {}
    connections: dict[str, float] = {}
    datastore: float | None = None
    for name, labels, value in samples:
        if name in ("kong_http_requests_total", "kong_http_requests"):
            code = labels.get("code", "unknown")
            by_code[code] = by_code.get(code, 0.0) + value
            service = labels.get("service") or "(none)"
            by_service[service] = by_service.get(service, 0.0) + value
        elif name in ("kong_bandwidth_bytes", "kong_bandwidth_bytes_total", "kong_bandwidth"):
            direction = labels.get("direction", "")
            if direction in bandwidth:
                bandwidth[direction] += value
        elif name == "kong_upstream_target_health" and value >= 1:
            state = labels.get("state", "unknown")
            targets[state] = targets.get(state, 0) + 1
        elif name == "kong_nginx_connections_total":
            state = labels.get("state", "total")
            connections[state] = connections.get(state, 0.0) + value
        elif name == "kong_datastore_reachable":
            datastore = value
    total = sum(by_code.values())
    classes = {f"{c}xx": 0.0 for c in "12345"}
    for code, n in by_code.items():
        if len(code) == 3 and code[0] in "12345":
            classes[f"{code[0]}xx"] += n
    return {
        "requests_total": total,
        "requests_by_code": by_code,
        "requests_by_class": classes,
        "requests_by_service": by_service,
        "rate_limited_total": by_code.get("429", 0.0),
        "client_errors_total": classes["4xx"],
        "server_errors_total": classes["5xx"],
        "request_latency_ms": _histogram(samples, "kong_request_latency_ms"),
        "upstream_latency_ms": _histogram(samples, "kong_upstream_latency_ms"),
        "kong_latency_ms": _histogram(samples, "kong_kong_latency_ms"),
        "bandwidth_bytes": bandwidth,
        "upstream_targets": targets,
        "connections": connections,
        "datastore_reachable": None if datastore is None else datastore >= 1,
    }


def parse_websocket_stats(body: bytes) -> dict[str, Any]:
    """A WebSocket proxy's counters from Prometheus text or JSON."""
    text = body.decode("utf-8")
    figures: dict[str, float] = {}
    if text.lstrip().startswith("{"):
        data = orjson.loads(body)
        for field in WS_COUNTERS.values():
            value = data.get(field)
            if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
                figures[field] = float(value)
    else:
        for name, _labels, value in _samples(text):
            short = WS_COUNTERS.get(name)
            if short is not None:
                figures[short] = figures.get(short, 0.0) + value
    if not figures:
        raise BadBody("no WebSocket statistics in the answer")
    return figures


def _container(body: bytes) -> dict[str, Any]:
    """What a container's health answer says about itself: its ``status`` word and numeric resource fields."""
    try:
        data = orjson.loads(body) if body.strip().startswith(b"{") else None
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, Any] = {}
    state = data.get("status")
    if isinstance(state, str):
        out["status"] = state[:40]
    resources = {
        str(k)[:60]: float(v)
        for k, v in data.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    }
    if resources:
        out["resources"] = dict(list(resources.items())[:20])
    return out
