"""The MCP proxy views (seed 003 ``/v1/mcp/proxy/*``), computed from stored samples and tool calls.

Who sees what: ``health`` and ``metrics`` are open to every member (``metrics`` is the
filtered view for members: no target URLs, no raw figures, no billing); ``kong``,
``websocket``, ``containers``, ``billing``, ``export``, ``prometheus`` and ``clear-cache``
need the admin role.  This service's own WebSocket figures are platform-wide, so only a
superuser sees them.  Views are cached in the organization's snapshot (see
:mod:`services.gateway.collect`); a read without a snapshot recomputes them from the stored
samples (collecting inline only after clear-cache or for targets never collected).  Stored
figures are read defensively: a missing or null number counts as 0, never a 500.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, get_args

import orjson
from pydantic import BaseModel
from tortoise import connections
from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from models.gateway import GatewaySample, GatewayTarget
from models.tools import ToolExecution
from services import alerting, analytics, ingest, tools
from services import usage as usage_domain
from services.core.config import get_settings
from services.core.dates import WINDOWS
from services.core.redis_client import get_redis
from services.gateway import collect, websocket
from services.gateway.schemas import (
    BillingHistoryPoint,
    BillingMetrics,
    CacheCleared,
    Component,
    ContainerHistoryPoint,
    ContainerInfo,
    ContainerMetrics,
    Incident,
    KongHistoryPoint,
    KongMetrics,
    KongTarget,
    PeakHour,
    ProxyHealth,
    ProxyMetrics,
    ServiceCost,
    TimeRange,
    WebSocketFigures,
    WebSocketHistoryPoint,
    WebSocketMetrics,
    WebSocketProxy,
)
from services.identity import Principal, Role, require_admin, require_authenticated

M = TypeVar("M", bound=BaseModel)
# The gateway time ranges: the named windows of the same names (services.core.dates, one table).
RANGES: dict[str, timedelta] = {name: WINDOWS[name] for name in get_args(TimeRange)}
CURRENT = timedelta(hours=1)  # how far back "current" figures look for the last two samples
BILLING_WINDOW = timedelta(days=30)  # what the billing component looks at (usage's last_30_days for figures)
MAX_HISTORY_POINTS = 2000
HISTORY_PER_TARGET = 300


# --------------------------------------------------------------------------- snapshot


async def _cached(organization_id: int, field: str, model: type[M], compute: Callable[[], Awaitable[M]]) -> M:
    redis = get_redis()
    snapshot = collect.snapshot_key(organization_id)
    raw = await redis.hget(snapshot, field)
    if raw is not None:
        return model.model_validate_json(raw)
    await collect.collect_for_read(organization_id)
    result = await compute()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(snapshot, field, result.model_dump_json())
        pipe.expire(snapshot, collect.SNAPSHOT_SECONDS)
        await pipe.execute()
    return result


async def clear_cache(principal: Principal) -> CacheCleared:
    principal = require_admin(principal)
    removed = await collect.drop_snapshots([principal.organization_id])
    await collect.request_recollect(principal.organization_id)
    return CacheCleared(cleared=True, keys_removed=removed)


# --------------------------------------------------------------------------- samples


_THINNED = """
SELECT id FROM (
    SELECT id, row_number() OVER (PARTITION BY target_id ORDER BY collected_at) AS rn,
           count(*) OVER (PARTITION BY target_id) AS n
    FROM gateway_samples WHERE organization_id = $1 AND kind = $2 AND collected_at >= $3
) s WHERE n <= $4 OR rn % ceil(n::float8 / $4)::int = 0 OR rn = n
"""


async def _history_samples(organization_id: int, kind: str, since: datetime) -> dict[int, list[GatewaySample]]:
    """Samples for a history, thinned on PostgreSQL to about ``HISTORY_PER_TARGET`` evenly spaced ones per target
    (a week at one scrape a minute is 10,080 samples of a few KB each); rates between kept points stay exact.

    PostgreSQL buys: thinned in SQL (window functions), a week's history loads ~300 samples per target
    instead of 10,080; SQLite (a laptop's few targets) loads them all.
    """
    if not get_settings().is_postgres:
        return await _samples(organization_id, kind, since)
    _, rows = await connections.get("default").execute_query(
        _THINNED, [organization_id, kind, since, HISTORY_PER_TARGET]
    )
    kept = await GatewaySample.filter(id__in=[r[0] for r in rows]).order_by("collected_at", "id")
    out: dict[int, list[GatewaySample]] = {}
    for sample in kept:
        if sample.target_id is not None:
            out.setdefault(sample.target_id, []).append(sample)
    return out


async def _targets(organization_id: int, kind: str) -> list[GatewayTarget]:
    return await GatewayTarget.filter(organization_id=organization_id, kind=kind).order_by("id")


async def _samples(organization_id: int, kind: str, since: datetime) -> dict[int, list[GatewaySample]]:
    rows = await GatewaySample.filter(organization_id=organization_id, kind=kind, collected_at__gte=since).order_by(
        "collected_at", "id"
    )
    out: dict[int, list[GatewaySample]] = {}
    for s in rows:
        if s.target_id is not None:
            out.setdefault(s.target_id, []).append(s)
    return out


def _num(value: Any) -> float:
    """A stored figure as a number: missing, null (older samples' NaN was stored as null) or not a number is 0."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return 0.0


def _opt(value: Any) -> float | None:
    """A stored figure, or None when it is missing, null or not a finite number."""
    return _num(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _rate(previous: GatewaySample | None, latest: GatewaySample) -> float | None:
    """Requests per second between two Kong scrapes (a counter reset counts from zero, like Prometheus' rate)."""
    if previous is None or not previous.figures or not latest.figures:
        return None
    seconds = (latest.collected_at - previous.collected_at).total_seconds()
    if seconds <= 0:
        return None
    now = _num(latest.figures.get("requests_total"))
    before = _num(previous.figures.get("requests_total"))
    delta = now - before if now >= before else now
    return round(delta / seconds, 4)


def _pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


# --------------------------------------------------------------------------- kong


async def kong(principal: Principal, include_historical: bool = False, time_range: TimeRange = "24h") -> KongMetrics:
    principal = require_admin(principal)
    return await _cached(
        principal.organization_id,
        f"kong:{int(include_historical)}:{time_range}",
        KongMetrics,
        lambda: _kong(principal.organization_id, include_historical, time_range),
    )


async def _kong(organization_id: int, include_historical: bool, time_range: TimeRange) -> KongMetrics:
    now = datetime.now(UTC)
    span = RANGES[time_range]
    targets = await _targets(organization_id, "kong")
    # current figures need each target's last two scrapes: a few intervals back is enough
    recent = max((t.interval_seconds for t in targets), default=60)
    samples = await _samples(organization_id, "kong", now - timedelta(seconds=3 * recent + 60))
    past = await _history_samples(organization_id, "kong", now - span) if include_historical else {}
    rows: list[KongTarget] = []
    classes = {f"{c}xx": 0.0 for c in "12345"}
    bandwidth = {"ingress": 0.0, "egress": 0.0}
    upstream: dict[str, int] = {}
    total = rate_sum = rate_limited = 0.0
    latency = [0.0, 0.0]
    upstream_latency = [0.0, 0.0]
    connections_active: float | None = None
    any_rate = False
    history: list[KongHistoryPoint] = []
    for t in targets:
        mine = samples.get(t.id, [])
        latest = mine[-1] if mine else None
        scraped = [s for s in mine if s.healthy and s.figures]
        good = scraped[-1] if scraped else None
        previous = scraped[-2] if len(scraped) > 1 else None
        rate = _rate(previous, good) if good else None
        figures = _map(good.figures) if good else {}
        rows.append(
            KongTarget(
                target_id=t.id,
                name=t.name,
                healthy=bool(latest and latest.healthy),
                collected_at=latest.collected_at if latest else None,
                error=latest.error if latest else None,
                requests_total=_opt(figures.get("requests_total")),
                requests_per_second=rate,
                figures=figures,
            )
        )
        if good is None:
            continue
        total += _num(figures.get("requests_total"))
        rate_limited += _num(figures.get("rate_limited_total"))
        if rate is not None:
            rate_sum += rate
            any_rate = True
        for name, n in _map(figures.get("requests_by_class")).items():
            classes[name] = classes.get(name, 0.0) + _num(n)
        for direction, n in _map(figures.get("bandwidth_bytes")).items():
            bandwidth[direction] = bandwidth.get(direction, 0.0) + _num(n)
        for state, n in _map(figures.get("upstream_targets")).items():
            upstream[state] = upstream.get(state, 0) + int(_num(n))
        for acc, name in ((latency, "request_latency_ms"), (upstream_latency, "upstream_latency_ms")):
            hist = _map(figures.get(name))
            acc[0] += _num(hist.get("sum"))
            acc[1] += _num(hist.get("count"))
        active = _opt(_map(figures.get("connections")).get("active"))
        if active is not None:
            connections_active = (connections_active or 0.0) + active
        if include_historical:
            before: GatewaySample | None = None
            for s in past.get(t.id, []):
                f = _map(s.figures)
                req = _opt(f.get("requests_total"))
                errors = _num(f.get("client_errors_total")) + _num(f.get("server_errors_total"))
                history.append(
                    KongHistoryPoint(
                        collected_at=s.collected_at,
                        target=t.name,
                        requests_total=req,
                        requests_per_second=_rate(before, s) if s.healthy and f else None,
                        error_rate=_pct(errors, req) if req else None,
                        avg_latency_ms=_opt(_map(f.get("request_latency_ms")).get("avg")),
                        healthy=s.healthy,
                    )
                )
                if s.healthy and f:
                    before = s
    errors = classes.get("4xx", 0.0) + classes.get("5xx", 0.0)
    return KongMetrics(
        targets=rows,
        total_targets=len(rows),
        healthy_targets=sum(1 for r in rows if r.healthy),
        requests_total=total,
        requests_per_second=round(rate_sum, 4) if any_rate else None,
        error_rate=_pct(errors, total),
        server_error_rate=_pct(classes.get("5xx", 0.0), total),
        rate_limited_total=rate_limited,
        requests_by_class=classes,
        avg_request_latency_ms=round(latency[0] / latency[1], 3) if latency[1] else None,
        avg_upstream_latency_ms=round(upstream_latency[0] / upstream_latency[1], 3) if upstream_latency[1] else None,
        bandwidth_bytes=bandwidth,
        active_connections=connections_active,
        upstream_targets=upstream,
        history=history[-MAX_HISTORY_POINTS:] if include_historical else None,
    )


# --------------------------------------------------------------------------- containers


async def containers(
    principal: Principal, time_range: TimeRange = "24h", include_historical: bool = False
) -> ContainerMetrics:
    principal = require_admin(principal)
    return await _cached(
        principal.organization_id,
        f"containers:{int(include_historical)}:{time_range}",
        ContainerMetrics,
        lambda: _containers(principal.organization_id, time_range, include_historical),
    )


async def _latest(targets: list[GatewayTarget]) -> dict[int, GatewaySample]:
    """Each target's newest sample (the one its ``last_collected_at`` names): one query."""
    stamps = {t.id: t.last_collected_at for t in targets if t.last_collected_at is not None}
    if not stamps:
        return {}
    rows = await GatewaySample.filter(target_id__in=list(stamps), collected_at__in=list(set(stamps.values())))
    return {s.target_id: s for s in rows if s.target_id is not None and stamps.get(s.target_id) == s.collected_at}


async def _containers(
    organization_id: int, time_range: TimeRange, include_historical: bool = False
) -> ContainerMetrics:
    """Per container: the newest probe, and the window's uptime and mean response time aggregated in SQL."""
    since = datetime.now(UTC) - RANGES[time_range]
    targets = await _targets(organization_id, "mcp_server")
    latest = await _latest(targets)
    stats = {
        row["target_id"]: row
        for row in await GatewaySample.filter(
            organization_id=organization_id, kind="mcp_server", collected_at__gte=since
        )
        .annotate(
            probes=Count("id"),
            up=Count("id", _filter=Q(healthy=True)),
            answered=Count("response_ms", _filter=Q(healthy=True)),
            response_sum=Sum("response_ms", _filter=Q(healthy=True)),
        )
        .group_by("target_id")
        .values("target_id", "probes", "up", "answered", "response_sum")
    }
    rows: list[ContainerInfo] = []
    all_probes = all_healthy = answered_all = 0
    response_all = 0.0
    for t in targets:
        last = latest.get(t.id)
        if last is not None and last.collected_at < since:
            last = None
        st = stats.get(t.id, {})
        probes, up = int(st.get("probes") or 0), int(st.get("up") or 0)
        answered, response_sum = int(st.get("answered") or 0), float(st.get("response_sum") or 0.0)
        all_probes, all_healthy = all_probes + probes, all_healthy + up
        answered_all, response_all = answered_all + answered, response_all + response_sum
        rows.append(
            ContainerInfo(
                target_id=t.id,
                name=t.name,
                url=t.url,
                healthy=last.healthy if last else None,
                last_checked_at=last.collected_at if last else None,
                response_ms=last.response_ms if last else None,
                http_status=last.http_status if last else None,
                error=last.error if last else None,
                uptime_percent=_pct(up, probes),
                avg_response_ms=round(response_sum / answered, 3) if answered else None,
                probes=probes,
                resources=_resources(last.figures) if last else {},
            )
        )
    return ContainerMetrics(
        total_containers=len(rows),
        healthy_containers=sum(1 for r in rows if r.healthy is True),
        unhealthy_containers=sum(1 for r in rows if r.healthy is False),
        unknown_containers=sum(1 for r in rows if r.healthy is None),
        avg_response_ms=round(response_all / answered_all, 3) if answered_all else None,
        uptime_percent=_pct(all_healthy, all_probes),
        containers=rows,
        history=await _container_history(organization_id, targets, since) if include_historical else None,
    )


async def _container_history(
    organization_id: int, targets: list[GatewayTarget], since: datetime
) -> list[ContainerHistoryPoint]:
    past = await _history_samples(organization_id, "mcp_server", since)
    names = {t.id: t.name for t in targets}
    points = [
        ContainerHistoryPoint(
            collected_at=s.collected_at,
            target=names[target_id],
            healthy=s.healthy,
            response_ms=s.response_ms,
            http_status=s.http_status,
            error=s.error,
        )
        for target_id, samples in past.items()
        if target_id in names
        for s in samples
    ]
    points.sort(key=lambda p: (p.collected_at, p.target))
    return points[-MAX_HISTORY_POINTS:]


def _resources(figures: Any) -> dict[str, float]:
    return {str(k): _num(v) for k, v in _map(_map(figures).get("resources")).items()}


# --------------------------------------------------------------------------- websocket


async def websocket_metrics(
    principal: Principal, include_historical: bool = False, time_range: TimeRange = "24h"
) -> WebSocketMetrics:
    principal = require_admin(principal)
    org = principal.organization_id
    result = await _cached(
        org,
        f"websocket:{int(include_historical)}:{time_range}",
        WebSocketMetrics,
        lambda: _websocket(org, include_historical, time_range),
    )
    if principal.has_role(Role.SUPERUSER):  # live counters, never cached per organization
        result.service = WebSocketFigures(**websocket.figures(await websocket.counters()))
    return result


def _ws(figures: dict[str, Any]) -> WebSocketFigures:
    count = _num(figures.get("duration_seconds_count"))
    return WebSocketFigures(
        active_connections=_opt(figures.get("active_connections")),
        total_connections=_opt(figures.get("total_connections")),
        messages_sent=_opt(figures.get("messages_sent")),
        messages_received=_opt(figures.get("messages_received")),
        bytes_sent=_opt(figures.get("bytes_sent")),
        bytes_received=_opt(figures.get("bytes_received")),
        connection_errors=_opt(figures.get("connection_errors")),
        avg_connection_duration_seconds=round(_num(figures.get("duration_seconds_sum")) / count, 3)
        if count
        else _opt(figures.get("avg_connection_duration_seconds")),
    )


def _messages(sample: GatewaySample) -> float | None:
    f = _map(sample.figures)
    sent, received = _opt(f.get("messages_sent")), _opt(f.get("messages_received"))
    return None if sent is None and received is None else (sent or 0.0) + (received or 0.0)


def _message_rate(previous: GatewaySample | None, latest: GatewaySample) -> float | None:
    """Messages per second between two proxy samples (a counter reset counts from zero, like Prometheus' rate)."""
    if previous is None:
        return None
    now, before = _messages(latest), _messages(previous)
    seconds = (latest.collected_at - previous.collected_at).total_seconds()
    if now is None or before is None or seconds <= 0:
        return None
    return round((now - before if now >= before else now) / seconds, 4)


async def _websocket_history(
    organization_id: int, targets: list[GatewayTarget], since: datetime
) -> list[WebSocketHistoryPoint]:
    past = await _history_samples(organization_id, "websocket_proxy", since)
    points: list[WebSocketHistoryPoint] = []
    for t in targets:
        before: GatewaySample | None = None
        for s in past.get(t.id, []):
            good = s.healthy and bool(s.figures)
            f = _map(s.figures) if good else {}
            points.append(
                WebSocketHistoryPoint(
                    collected_at=s.collected_at,
                    target=t.name,
                    healthy=s.healthy,
                    active_connections=_opt(f.get("active_connections")),
                    total_connections=_opt(f.get("total_connections")),
                    messages_per_second=_message_rate(before, s) if good else None,
                    connection_errors=_opt(f.get("connection_errors")),
                )
            )
            if good:
                before = s
    points.sort(key=lambda p: (p.collected_at, p.target))
    return points[-MAX_HISTORY_POINTS:]


async def _websocket(
    organization_id: int, include_historical: bool = False, time_range: TimeRange = "24h"
) -> WebSocketMetrics:
    targets = await _targets(organization_id, "websocket_proxy")
    samples = await _samples(organization_id, "websocket_proxy", datetime.now(UTC) - CURRENT)
    proxies: list[WebSocketProxy] = []
    totals: dict[str, float] = {}
    for t in targets:
        mine = samples.get(t.id, [])
        latest = mine[-1] if mine else None
        good = next((s for s in reversed(mine) if s.healthy and s.figures), None)
        figures = _map(good.figures) if good else {}
        proxies.append(
            WebSocketProxy(
                target_id=t.id,
                name=t.name,
                healthy=bool(latest and latest.healthy),
                collected_at=latest.collected_at if latest else None,
                error=latest.error if latest else None,
                figures=_ws(figures),
            )
        )
        for name, value in _map(figures).items():
            if (number := _opt(value)) is not None:
                totals[name] = totals.get(name, 0.0) + number
    history = (
        await _websocket_history(organization_id, targets, datetime.now(UTC) - RANGES[time_range])
        if include_historical
        else None
    )
    return WebSocketMetrics(proxies=proxies, totals=_ws(totals), service=None, history=history)


# --------------------------------------------------------------------------- billing (from tool calls)


async def billing(
    principal: Principal, include_historical: bool = False, time_range: TimeRange = "24h"
) -> BillingMetrics:
    principal = require_admin(principal)
    return await _cached(
        principal.organization_id,
        f"billing:{int(include_historical)}:{time_range}",
        BillingMetrics,
        lambda: _billing(principal, include_historical, time_range),
    )


async def _billing_history(organization_id: int, time_range: TimeRange, now: datetime) -> list[BillingHistoryPoint]:
    """Tool calls, errors and execution time per bucket of the time range, empty buckets included (the
    tools domain sums them from its hourly rollups plus raw calls only where no clean rollup applies)."""
    step = analytics.BUCKETS[time_range]  # each window's chart bucket, as every chart of the product uses
    seconds = int(step.total_seconds())
    first = int((now - RANGES[time_range]).timestamp()) // seconds
    last = int(now.timestamp()) // seconds
    since, until = datetime.fromtimestamp(first * seconds, UTC), datetime.fromtimestamp((last + 1) * seconds, UTC)
    counts = await tools.calls_per_bucket(organization_id, since, until, step)
    points = []
    for b in range(first, last + 1):
        start = datetime.fromtimestamp(b * seconds, UTC)
        n, errors, duration = counts.get(start, (0, 0, 0.0))
        points.append(
            BillingHistoryPoint(
                start=start,
                end=start + step,
                tool_calls=n,
                errors=errors,
                total_duration_ms=round(duration, 3),
            )
        )
    return points


async def _billing(
    principal: Principal, include_historical: bool = False, time_range: TimeRange = "24h"
) -> BillingMetrics:
    """LLM usage and cost from the usage domain's public report (last 30 days), tool calls from the tools
    domain's rollups over the same window."""
    organization_id = principal.organization_id
    usage = await usage_domain.costs(principal, "last_30_days")
    since, now = usage.period_start, datetime.now(UTC)
    calls = await tools.calls_by_server(organization_id, since, now)
    users = len(calls.users | {u.user_id for u in usage.by_user if u.user_id is not None})
    tool_calls = sum(t.calls for t in calls.servers.values())
    servers = sorted(
        (
            ServiceCost(
                service=server,  # null: calls that named no server (a server may be called "(unspecified)")
                kind="mcp_server",
                calls=totals.calls,
                errors=totals.errors,
                cost_usd=None,
                total_duration_ms=round(totals.duration_ms, 3),
            )
            for server, totals in calls.servers.items()
        ),
        key=lambda s: (-s.calls, s.service or ""),
    )
    providers = [
        ServiceCost(
            service=p.provider,
            kind="llm_provider",
            calls=p.requests,
            errors=None,
            cost_usd=p.cost_usd,
            total_duration_ms=None,
        )
        for p in usage.by_provider
    ]
    total = usage.requests + tool_calls
    return BillingMetrics(
        window_start=since,
        window_end=now,
        total_api_calls=total,
        llm_requests=usage.requests,
        tool_calls=tool_calls,
        gateway_requests=await _kong_requests(organization_id),
        credits_consumed=usage.total_usd,
        active_users=users,
        avg_credits_per_user=round(usage.total_usd / users, 6) if users else None,
        avg_calls_per_user=round(total / users, 2) if users else None,
        peak_hours=[PeakHour(hour=h, calls=n) for h, n in calls.peak_hours()],
        cost_by_service=providers + servers,
        history=await _billing_history(organization_id, time_range, now) if include_historical else None,
    )


async def _kong_requests(organization_id: int) -> float | None:
    latest = await _samples(organization_id, "kong", datetime.now(UTC) - CURRENT)
    values = [
        _num(good.figures.get("requests_total"))
        for mine in latest.values()
        if (good := next((s for s in reversed(mine) if s.healthy and s.figures), None)) is not None
    ]
    return sum(values) if values else None


# --------------------------------------------------------------------------- metrics (all components)


async def metrics(
    principal: Principal | None, include_historical: bool = False, time_range: TimeRange = "24h"
) -> ProxyMetrics:
    principal = require_authenticated(principal)
    org = principal.organization_id
    full = principal.has_role(Role.ADMIN)
    hist = f"{int(include_historical)}:{time_range}"
    # side by side: on a fresh snapshot each is a Redis read; after a collection each view is computed
    # (collect_for_read lets one of them collect and the others wait for it, as concurrent requests do)
    kong_view, ws_view, container_view, billing_view = await asyncio.gather(
        _cached(org, f"kong:{hist}", KongMetrics, lambda: _kong(org, include_historical, time_range)),
        _cached(org, f"websocket:{hist}", WebSocketMetrics, lambda: _websocket(org, include_historical, time_range)),
        _cached(org, f"containers:{hist}", ContainerMetrics, lambda: _containers(org, time_range, include_historical)),
        _cached(org, f"billing:{hist}", BillingMetrics, lambda: _billing(principal, include_historical, time_range))
        if full
        else asyncio.sleep(0, None),
    )
    if principal.has_role(Role.SUPERUSER):
        ws_view.service = WebSocketFigures(**websocket.figures(await websocket.counters()))
    if not full:  # members: statuses and aggregates, no addresses or raw scrapes
        for k in kong_view.targets:
            k.figures = {}
        for c in container_view.containers:
            c.url, c.resources = "", {}
    return ProxyMetrics(
        collected_at=datetime.now(UTC),
        time_range=time_range,
        view="full" if full else "filtered",
        kong=kong_view,
        websocket=ws_view,
        containers=container_view,
        billing=billing_view,
    )


# --------------------------------------------------------------------------- health


def _component(name: str, targets: list[GatewayTarget]) -> Component:
    enabled = [t for t in targets if t.enabled]
    known = [t for t in enabled if t.last_healthy is not None]
    if not enabled:
        return Component(name=name, status="not_configured", score=None, detail="no targets registered")
    if not known:
        return Component(name=name, status="not_configured", score=None, detail="not collected yet")
    healthy = sum(1 for t in known if t.last_healthy)
    score = round(100.0 * healthy / len(known), 2)
    status = "healthy" if healthy == len(known) else "unhealthy" if healthy == 0 else "degraded"
    return Component(name=name, status=status, score=score, detail=f"{healthy}/{len(known)} targets healthy")


async def health(principal: Principal | None) -> ProxyHealth:
    principal = require_authenticated(principal)
    org = principal.organization_id
    now = datetime.now(UTC)
    targets = await GatewayTarget.filter(organization_id=org).only("id", "kind", "enabled", "last_healthy")
    by_kind: dict[str, list[GatewayTarget]] = {"kong": [], "websocket_proxy": [], "mcp_server": []}
    for t in targets:
        by_kind.setdefault(t.kind, []).append(t)
    components = [
        _component("kong", by_kind["kong"]),
        _component("websocket", by_kind["websocket_proxy"]),
        _component("containers", by_kind["mcp_server"]),
        await _billing_component(org, now),
    ]
    scored = [c.score for c in components if c.score is not None]
    score = round(sum(scored) / len(scored), 2) if scored else None
    status = (
        "not_configured" if score is None else "healthy" if score >= 90 else "degraded" if score >= 50 else "unhealthy"
    )
    # healthy and unhealthy counted apart: each a range of the (organization, healthy, time) index
    day = GatewaySample.filter(organization_id=org, collected_at__gte=now - timedelta(hours=24))
    healthy = await day.filter(healthy=True).count()
    probes = healthy + await day.filter(healthy=False).count()
    return ProxyHealth(
        status=status,
        health_score=score,
        components=components,
        uptime_percentage=_pct(healthy, probes),
        probes_24h=probes,
        last_incident=await _last_incident(principal),
        checked_at=now,
    )


async def _billing_component(organization_id: int, now: datetime) -> Component:
    if not await ToolExecution.filter(organization_id=organization_id, started_at__gte=now - BILLING_WINDOW).exists():
        return Component(name="billing", status="not_configured", score=None, detail="no tool calls in 30 days")
    dead = await ingest.dead_letters_recent(1, organization_id)
    if dead:
        return Component(
            name="billing", status="degraded", score=50.0, detail=f"{dead} events dead-lettered in the last hour"
        )
    return Component(name="billing", status="healthy", score=100.0, detail="usage events recorded, none dead-lettered")


async def _last_incident(principal: Principal) -> Incident | None:
    found: list[Incident] = []
    if principal.has_role(Role.ADMIN):
        latest = await alerting.list_alerts(principal, limit=1)
        if latest:
            a = latest[0]
            found.append(Incident(at=a.started_at, source="alert", detail=(a.message or a.status)[:200]))
    sample = (
        await GatewaySample.filter(organization_id=principal.organization_id, healthy=False)
        .order_by("-collected_at")
        .first()
        .prefetch_related("target")
    )
    if sample is not None:
        name = sample.target.name if sample.target else sample.kind
        found.append(Incident(at=sample.collected_at, source="probe", detail=f"{name}: {sample.error or 'unhealthy'}"))
    return max(found, key=lambda i: i.at) if found else None


# --------------------------------------------------------------------------- export


async def export_metrics(
    principal: Principal, fmt: str, include_historical: bool = False, time_range: TimeRange = "24h"
) -> tuple[bytes, str, str]:
    """(body, content type, file name) of the admin's full view in ``fmt`` (json, prometheus, influx)."""
    from services.gateway import export  # the renderers (prometheus_client) load only when exporting

    principal = require_admin(principal)
    m = await metrics(principal, include_historical, time_range)
    h = await health(principal)
    stamp = m.collected_at.strftime("%Y%m%dT%H%M%SZ")
    if fmt == "prometheus":
        return export.prometheus(m, h), export.PROMETHEUS_CONTENT_TYPE, f"mcp-proxy-metrics-{stamp}.prom"
    if fmt == "influx":
        return (
            export.influx(m, h, principal.organization_id).encode(),
            export.INFLUX_CONTENT_TYPE,
            f"mcp-proxy-metrics-{stamp}.lp",
        )
    body = orjson.dumps({"health": h.model_dump(mode="json"), "metrics": m.model_dump(mode="json")})
    return body, export.JSON_CONTENT_TYPE, f"mcp-proxy-metrics-{stamp}.json"


async def prometheus_text(principal: Principal) -> bytes:
    from services.gateway import export

    principal = require_admin(principal)
    return export.prometheus(await metrics(principal), await health(principal))
