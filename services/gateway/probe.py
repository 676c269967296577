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
import hashlib
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from prometheus_client.parser import text_string_to_metric_families

from services.core import outbound

log = logging.getLogger(__name__)

MAX_BODY = 4 * 1024 * 1024
MAX_KEYS = 100  # label values kept per breakdown (requests by code/service...); the rest sum into OTHER
MAX_KEY_LENGTH = 100
OTHER = "(other)"
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


def storable(text: str) -> bool:
    """Text PostgreSQL can store (``text`` and ``jsonb`` refuse NUL; UTF-8 has no lone surrogates)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean(text: str, limit: int) -> str:
    """``text`` without NUL characters and lone surrogates, cut to ``limit`` characters (error texts)."""
    text = text.replace("\x00", "")
    if not storable(text):
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text[:limit]


def _label(value: str) -> str:
    """A label value kept as a key: refused (the whole answer) if it holds NUL; a longer one than MAX_KEY_LENGTH
    is cut and ends in ``~`` and 8 hex digits of its hash, so values that share a long prefix stay apart."""
    if not storable(value):
        raise BadBody("NUL character or invalid text in a label value")
    if len(value) <= MAX_KEY_LENGTH:
        return value
    digest = hashlib.blake2b(value.encode(), digest_size=4).hexdigest()
    return f"{value[: MAX_KEY_LENGTH - 9]}~{digest}"


def _add(into: dict[str, float], name: str, value: float) -> None:
    """Add to a breakdown that keeps at most MAX_KEYS keys (later ones are summed under OTHER)."""
    if name in into or len(into) < MAX_KEYS - 1:
        into[name] = into.get(name, 0.0) + value
    else:
        into[OTHER] = into.get(OTHER, 0.0) + value


def client() -> httpx.AsyncClient:
    """One client per collection cycle: its TLS context is built once (that costs more CPU than a probe)."""
    return httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=30.0)


async def fetch(http: httpx.AsyncClient, url: str, limit_seconds: float) -> tuple[int, bytes, str, float]:
    """GET ``url`` pinned to an allowed address; (status, body, content type, elapsed ms).  Raises on any failure."""
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
                    content_type = response.headers.get("content-type", "")
                    return response.status_code, bytes(body), content_type, (time.perf_counter() - started) * 1000
            except httpx.ConnectError:
                if n == len(addresses):
                    raise
    raise httpx.ConnectError("no address")  # pragma: no cover - resolve() returns at least one


async def probe(http: httpx.AsyncClient, kind: str, url: str, limit_seconds: float) -> Probe:
    """Collect one target: fetch, then parse by ``kind``; failures are unhealthy probes.

    Anything unexpected (a bug, a parser raising what it never did before) is that target's
    unhealthy probe naming the exception's type, and is logged: it never aborts the cycle.
    """
    try:
        return await _probe(http, kind, url, limit_seconds)
    except Exception as exc:
        log.exception("gateway probe of a %s target failed unexpectedly", kind)
        return Probe(False, error=f"collector error ({type(exc).__name__})")


async def _probe(http: httpx.AsyncClient, kind: str, url: str, limit_seconds: float) -> Probe:
    started = time.perf_counter()
    try:
        status, body, content_type, elapsed = await fetch(http, url, limit_seconds)
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
        figures: dict[str, Any] = {}
        if kind == "mcp_server":
            try:
                figures = parse_container(body, content_type)
            except (BadBody, ValueError):
                figures = {}  # what a failing container says about itself is a bonus
        return Probe(False, elapsed, status, f"HTTP {status}", figures)
    try:
        if kind == "kong":
            return Probe(True, elapsed, status, None, parse_kong(_text(body)))
        if kind == "websocket_proxy":
            return Probe(True, elapsed, status, None, parse_websocket_stats(body))
        figures = parse_container(body, content_type)
        state = figures.get("status")
        if isinstance(state, str) and state.lower() not in HEALTHY_WORDS:
            return Probe(False, elapsed, status, f"reports status {state[:40]!r}", figures)
        return Probe(True, elapsed, status, None, figures)
    except (BadBody, ValueError) as exc:  # UnicodeDecodeError and orjson's JSONDecodeError are ValueErrors
        return Probe(False, elapsed, status, f"unparseable answer: {clean(str(exc), 120)}")


def _text(body: bytes) -> str:
    """The body as UTF-8 text without NUL characters (refused: PostgreSQL cannot store them)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("not UTF-8 text") from None
    if "\x00" in text:
        raise BadBody("NUL character in the answer")
    return text


def _samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    out: list[tuple[str, dict[str, str], float]] = []
    try:
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                out.append((s.name, dict(s.labels), float(s.value)))
    except Exception as exc:  # the parser raises ValueError, TypeError, IndexError... on garbage
        raise BadBody(f"not Prometheus text ({type(exc).__name__})") from None
    # NaN and +-Inf parse, but no counter, gauge or sum we keep can be one (and JSON has no such numbers);
    # histogram bucket bounds (le="+Inf") are labels, not values
    if not all(math.isfinite(value) for _, _, value in out):
        raise BadBody("non-finite value")
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
            if not math.isnan(le):
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
    targets: dict[str, float] = {}
    connections: dict[str, float] = {}
    datastore: float | None = None
    for name, labels, value in samples:
        if name in ("kong_http_requests_total", "kong_http_requests"):
            _add(by_code, _label(labels.get("code", "unknown")), value)
            _add(by_service, _label(labels.get("service") or "(none)"), value)
        elif name in ("kong_bandwidth_bytes", "kong_bandwidth_bytes_total", "kong_bandwidth"):
            direction = labels.get("direction", "")
            if direction in bandwidth:
                bandwidth[direction] += value
        elif name == "kong_upstream_target_health" and value >= 1:
            _add(targets, _label(labels.get("state", "unknown")), 1)
        elif name == "kong_nginx_connections_total":
            _add(connections, _label(labels.get("state", "total")), value)
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
        "upstream_targets": {state: int(n) for state, n in targets.items()},
        "connections": connections,
        "datastore_reachable": None if datastore is None else datastore >= 1,
    }


def parse_websocket_stats(body: bytes) -> dict[str, Any]:
    """A WebSocket proxy's counters from Prometheus text or JSON."""
    text = _text(body)
    figures: dict[str, float] = {}
    if text.lstrip().startswith("{"):
        data = orjson.loads(body)
        if not isinstance(data, dict):
            raise BadBody("not a JSON object")
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


def parse_container(body: bytes, content_type: str = "") -> dict[str, Any]:
    """What a container's health answer says about itself: its ``status`` word and numeric resource fields.

    Plain text ("OK") says nothing more and is fine; a body that is not UTF-8, holds NUL characters,
    or declares JSON (by its content type or a leading ``{``) that does not parse is refused (BadBody).
    """
    text = _text(body)
    declared = "json" in content_type.lower() or text.lstrip().startswith("{")
    if not declared:
        return {}
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadBody("invalid JSON") from None
    if not isinstance(data, dict):
        return {}
    out: dict[str, Any] = {}
    state = data.get("status")
    if isinstance(state, str):
        if not storable(state):
            raise BadBody("NUL character or invalid text in status")
        out["status"] = state[:40]
    resources: dict[str, float] = {}
    for k, v in data.items():
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
            if not storable(k):
                raise BadBody("NUL character or invalid text in a field name")
            resources.setdefault(k[:60], float(v))
            if len(resources) == 20:
                break
    if resources:
        out["resources"] = resources
    return out
