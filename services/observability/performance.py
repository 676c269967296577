"""DevOps performance monitoring: endpoint analysis, response-time trends, recommendations, dashboard.

Request metrics are platform-wide: they describe this service's own routes (templates,
never ids or organizations), so an organization admin may read them and nothing of
another tenant is identifiable in them.  Switching the sampler is a superuser operation
(``services/observability/system.py``).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from services.core.config import get_settings
from services.core.errors import BadRequest
from services.identity import Principal, Role, require_admin
from services.observability import probes as platform_probes
from services.observability import requests as request_metrics
from services.observability import system as system_metrics
from services.observability import thresholds as performance_thresholds
from services.observability import workers as worker_status
from services.observability.requests import HOUR_SECONDS, EndpointWindow
from services.observability.schemas import (
    EndpointPerformanceReport,
    MonitorHealth,
    MonitoringDashboard,
    Recommendation,
    ResponseTimeTrends,
)
from services.rollups import Sketch

SORT_FIELDS = ("count", "error_rate", "avg_ms", "p50_ms", "p95_ms", "p99_ms", "throughput_per_min")
# Recommendation rules (measured data only; each recommendation carries its evidence).
# The stream backlog and rollup lag rules use probes.INGEST_BACKLOG and probes.ROLLUP_LAG.
POOL_SATURATION = 0.8  # share of the pool (or of max_connections) in use
ERROR_SPIKE_FACTOR = 2.0  # latest hour's 5xx rate vs the rest of the window
ERROR_SPIKE_MIN_ERRORS = 5
MEMORY_GROWTH_PERCENT_PER_HOUR = 1.0
MAX_HOURS = 720  # request metrics retention default (30 days)
MAX_DASHBOARD_HOURS = 168
MAX_LIMIT = 500  # every route template this service has (about 230 with both prefixes) fits in one page


def check_window(hours: int, maximum: int = MAX_HOURS) -> None:
    """The same bounds for REST (pydantic already enforces them) and GraphQL."""
    if not 1 <= hours <= maximum:
        raise BadRequest.field("hours", f"hours must be between 1 and {maximum}", "out_of_range")


def _window_seconds(hours: int) -> float:
    """Seconds actually covered by the window (the current hour is partial)."""
    now = time.time()
    return now - request_metrics.window_hours(hours, now)[0]


def _sorted(stats: list[dict[str, Any]], sort_by: str) -> list[dict[str, Any]]:
    return sorted(stats, key=lambda s: (s[sort_by] is not None, s[sort_by] or 0, s["count"]), reverse=True)


async def _endpoint_stats(hours: int) -> list[dict[str, Any]]:
    return _stats_of(hours, await request_metrics.read_hours(request_metrics.window_hours(hours)))


def _stats_of(hours: int, per_hour: dict[int, dict[str, EndpointWindow]]) -> list[dict[str, Any]]:
    """Per endpoint over the last ``hours`` of ``per_hour`` (which may hold more)."""
    merged = request_metrics.merge_windows({h: per_hour[h] for h in sorted(per_hour)[-hours:]})
    seconds = _window_seconds(hours)
    return [win.stats(seconds) for win in merged.values()]


@dataclass
class _Readings:
    """What the recommendations read, taken once: the dashboard shows the same readings beside
    them (it read the request-metric hours four times, and the host history, the pool, the
    rollup lag and the breaches twice each)."""

    hours: int
    window: list[int]  # request-metric hours: the last max(hours, 2), for the error-spike baseline
    per_hour: dict[int, dict[str, EndpointWindow]]
    history: list[dict[str, Any]]  # host hours: the last max(hours, 3), for a memory trend
    pool: dict[str, Any]
    backlog: dict[str, Any]
    lag: dict[str, Any]
    breaches: list[performance_thresholds.Breach]

    @classmethod
    async def take(cls, hours: int) -> _Readings:
        window = request_metrics.window_hours(max(hours, 2))
        per_hour, history, pool, backlog, lag, breaches = await asyncio.gather(
            request_metrics.read_hours(window),
            system_metrics.hourly_history(datetime.now(UTC) - timedelta(hours=max(hours, 3))),
            platform_probes.database_pool(),
            platform_probes.ingest_backlog(),
            platform_probes.rollup_lag(),
            performance_thresholds.breaches(1),
        )
        return cls(hours, window, per_hour, history, pool, backlog, lag, breaches)

    def stats(self) -> list[dict[str, Any]]:
        return _stats_of(self.hours, self.per_hour)

    def trends(self) -> ResponseTimeTrends:
        window = self.window[-self.hours :]
        return _trends(self.hours, None, window, {h: self.per_hour[h] for h in window})


async def endpoint_performance(principal: Principal, hours: int, limit: int, sort_by: str) -> EndpointPerformanceReport:
    """Per endpoint: count, error rate, avg and p50/p95/p99 (from merged hourly sketches), throughput."""
    require_admin(principal)
    check_window(hours)
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest.field("limit", f"limit must be between 1 and {MAX_LIMIT}", "out_of_range")
    if sort_by not in SORT_FIELDS:
        raise BadRequest.field("sort_by", f"sort_by must be one of {', '.join(SORT_FIELDS)}", "enum")
    stats = await _endpoint_stats(hours)
    total = sum(s["count"] for s in stats)
    errors = sum(s["errors"] for s in stats)
    return EndpointPerformanceReport.model_validate(
        {
            "hours": hours,
            "sort_by": sort_by,
            "window_seconds": round(_window_seconds(hours), 3),
            "total_endpoints": len(stats),
            "total_requests": total,
            "overall_error_rate": round(errors / total, 6) if total else 0.0,
            "endpoints": _sorted(stats, sort_by)[:limit],
        }
    )


async def response_time_trends(principal: Principal, hours: int, endpoint: str | None) -> ResponseTimeTrends:
    """Hourly p50/p95/avg for one endpoint (``/route`` or ``"METHOD /route"``) or all, and the p95 trend."""
    require_admin(principal)
    check_window(hours)
    window = request_metrics.window_hours(hours)
    return _trends(hours, endpoint, window, await request_metrics.read_hours(window))


def _trends(
    hours: int, endpoint: str | None, window: list[int], per_hour: dict[int, dict[str, EndpointWindow]]
) -> ResponseTimeTrends:
    def wanted(ep: str, win: EndpointWindow) -> bool:
        return endpoint is None or endpoint in (ep, win.route)

    buckets = []
    xs: list[float] = []
    ys: list[float] = []
    for hour in window:
        count = 0
        ms_sum = 0.0
        errors = 0
        sketch = Sketch()
        for ep, win in per_hour[hour].items():
            if wanted(ep, win):
                count += win.count
                ms_sum += win.ms_sum
                errors += win.errors
                sketch.merge(win.sketch)
        p95 = sketch.quantile(0.95)
        buckets.append(
            {
                "hour": datetime.fromtimestamp(hour, UTC),
                "count": count,
                "errors": errors,
                "avg_ms": round(ms_sum / count, 3) if count else None,
                "p50_ms": _r(sketch.quantile(0.5)),
                "p95_ms": _r(p95),
            }
        )
        if p95 is not None:
            xs.append((hour - window[0]) / HOUR_SECONDS)
            ys.append(p95)
    from services.analytics import fit

    trend = fit(xs, ys).as_dict()
    trend["series"] = "p95_ms per hour (hours with requests only)"
    return ResponseTimeTrends.model_validate({"hours": hours, "endpoint": endpoint, "buckets": buckets, "trend": trend})


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _error_spikes(window: list[int], per_hour: dict[int, dict[str, EndpointWindow]]) -> list[dict[str, Any]]:
    latest = per_hour[window[-1]]
    before = request_metrics.merge_windows({h: per_hour[h] for h in window[:-1]})
    found = []
    for ep, win in latest.items():
        if win.errors < ERROR_SPIKE_MIN_ERRORS:
            continue
        rate = win.errors / win.count
        base = before.get(ep)
        base_rate = base.errors / base.count if base and base.count else 0.0
        if rate >= get_settings().threshold_error_rate and rate >= ERROR_SPIKE_FACTOR * base_rate:
            found.append(
                {
                    "kind": "error_spike",
                    "severity": "critical" if rate >= 2 * get_settings().threshold_error_rate else "warning",
                    "subject": ep,
                    "title": f"5xx spike on {ep}",
                    "recommendation": "Inspect recent deployments and the logs of this route (request ids are in "
                    "the 500 bodies); roll back if the spike started with a release.",
                    "evidence": {
                        "latest_hour_requests": win.count,
                        "latest_hour_errors": win.errors,
                        "latest_hour_error_rate": round(rate, 6),
                        "baseline_error_rate": round(base_rate, 6),
                        "baseline_hours": len(window) - 1,
                    },
                }
            )
    return found


def _memory_growth(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(history) < 3:
        return []
    t0 = history[0]["hour"]
    xs = [(h["hour"] - t0).total_seconds() / HOUR_SECONDS for h in history]
    from services.analytics import fit

    trend = fit(xs, [h["memory_percent_avg"] for h in history])
    if trend.direction == "increasing" and (trend.slope_per_hour or 0) >= MEMORY_GROWTH_PERCENT_PER_HOUR:
        return [
            {
                "kind": "memory_growth",
                "severity": "warning",
                "subject": "hosts",
                "title": "Memory use is growing steadily",
                "recommendation": "Look for a leak (process RSS in the samples) or size the hosts up before "
                "memory runs out.",
                "evidence": {"trend": trend.as_dict(), "hours_sampled": len(history)},
            }
        ]
    return []


async def recommendations(principal: Principal, hours: int = 24) -> list[Recommendation]:
    """Rules over measured data; each recommendation names the rule and the evidence that triggered it."""
    require_admin(principal)
    check_window(hours, MAX_DASHBOARD_HOURS)
    return _recommend(principal, await _Readings.take(hours))


def _recommend(principal: Principal, readings: _Readings) -> list[Recommendation]:
    settings = get_settings()
    hours = readings.hours
    found: list[dict[str, Any]] = []
    for stat in readings.stats():
        if stat["count"] >= performance_thresholds.MIN_REQUESTS and (stat["p95_ms"] or 0) > settings.threshold_p95_ms:
            found.append(
                {
                    "kind": "slow_endpoint",
                    "severity": "critical" if stat["p95_ms"] > 2 * settings.threshold_p95_ms else "warning",
                    "subject": f"{stat['method']} {stat['endpoint']}",
                    "title": f"Slow endpoint {stat['method']} {stat['endpoint']}",
                    "recommendation": "Profile this route: check its queries for missing indexes or per-row "
                    "queries, and cache or precompute what it reads.",
                    "evidence": {
                        "p95_ms": stat["p95_ms"],
                        "threshold_ms": settings.threshold_p95_ms,
                        "requests": stat["count"],
                        "window_hours": hours,
                    },
                }
            )
    found.extend(_error_spikes(readings.window, readings.per_hour))
    pool = readings.pool
    for name in ("utilization", "server_utilization"):
        value = pool.get(name)
        if value is not None and value >= POOL_SATURATION:
            found.append(
                {
                    "kind": "connection_pool_saturation",
                    "severity": "critical" if value >= 0.95 else "warning",
                    "subject": "database",
                    "title": "Database connections near saturation",
                    "recommendation": "Raise DB_POOL_MAX within PostgreSQL's max_connections, add PgBouncer, or "
                    "find long-held connections.",
                    "evidence": {**pool, "rule": f"{name} >= {POOL_SATURATION}"},
                }
            )
    backlog = readings.backlog
    level = platform_probes.backlog_level(backlog)
    if principal.has_role(Role.SUPERUSER) and level != "ok":
        limits = platform_probes.INGEST_BACKLOG
        found.append(
            {
                "kind": "stream_backlog",
                "severity": level,
                "subject": "ingest",
                "title": "Ingest stream backlog is growing",
                "recommendation": "Run more arq workers or raise DRAIN_BATCH_SIZE; check that workers are alive.",
                "evidence": {**backlog, "threshold": limits.warning, "critical": limits.critical, "unit": limits.unit},
            }
        )
    lag = readings.lag
    level = platform_probes.rollup_lag_level(lag)
    if level != "ok":
        limits = platform_probes.ROLLUP_LAG
        found.append(
            {
                "kind": "rollup_lag",
                "severity": level,
                "subject": "rollups",
                "title": "Hourly rollups are lagging",
                "recommendation": "Workers are not keeping up with rollup rebuilds: add workers or check "
                "the refresh_rollups job for failures.",
                "evidence": {**lag, "threshold_seconds": limits.warning, "critical_seconds": limits.critical},
            }
        )
    found.extend(_memory_growth(readings.history))
    for breach in readings.breaches:
        if breach.metric in ("cpu_percent", "disk_percent", "memory_percent"):
            found.append(
                {
                    "kind": f"high_{breach.metric.removesuffix('_percent')}",
                    "severity": breach.severity,
                    "subject": breach.subject,
                    "title": breach.message,
                    "recommendation": "Scale the host or move load off it; disk: prune old data or grow the volume.",
                    "evidence": breach.as_dict(),
                }
            )
    found.sort(key=lambda r: (r["severity"] != "critical", r["kind"], r["subject"]))
    return [Recommendation.model_validate(r) for r in found]


async def monitor_health(principal: Principal) -> MonitorHealth:
    """``GET /v1/monitoring/health-check``: the monitor's own state (sampler, recorder, workers)."""
    require_admin(principal)
    state = await system_metrics.sampler_state()
    latest = await system_metrics.latest_samples()
    newest = max((s.sampled_at for s in latest), default=None)
    age = round((datetime.now(UTC) - newest).total_seconds(), 3) if newest else None
    stale = state.enabled and (age is None or age > 3 * state.interval_seconds)
    flush_age = await request_metrics.last_flush_age_seconds()
    workers = worker_status.describe(await worker_status.live_workers())
    problems = []
    if stale:
        problems.append("sampler is on but no sample arrived in three intervals (is a worker running?)")
    if get_settings().request_metrics_enabled and request_metrics.RECORDER.last_flush_error:
        problems.append(f"request metrics flush failing: {request_metrics.RECORDER.last_flush_error}")
    return MonitorHealth.model_validate(
        {
            "status": "degraded" if problems else "healthy",
            "problems": problems,
            "sampler": {**state.as_dict(), "last_sample_at": newest, "last_sample_age_seconds": age, "stale": stale},
            "request_metrics": {
                "enabled": get_settings().request_metrics_enabled,
                "flush_interval_seconds": get_settings().request_metrics_flush_seconds,
                "last_flush_age_seconds": flush_age,
                "pending_in_this_process": request_metrics.RECORDER.pending,
            },
            "workers": workers,
            "process_uptime_seconds": system_metrics.uptime_seconds(),
        }
    )


async def dashboard(principal: Principal, hours: int) -> MonitoringDashboard:
    """Health overview, current metrics, hourly trends, current breaches, top/worst endpoints, recommendations."""
    require_admin(principal)
    check_window(hours, MAX_DASHBOARD_HOURS)
    readings = await _Readings.take(hours)
    stats = readings.stats()
    total = sum(s["count"] for s in stats)
    errors = sum(s["errors"] for s in stats)
    busy = [s for s in stats if s["count"] >= 1]
    fastest = sorted((s for s in busy if s["p95_ms"] is not None), key=lambda s: s["p95_ms"])[:5]
    slowest = _sorted(busy, "p95_ms")[:5]
    most_errors = [s for s in _sorted(busy, "error_rate") if s["errors"]][:5]
    trends = readings.trends()
    breaches = performance_thresholds.visible_to(principal, readings.breaches)
    return MonitoringDashboard.model_validate(
        {
            "hours": hours,
            "generated_at": datetime.now(UTC),
            "health_overview": {
                "status": "critical"
                if any(b.severity == "critical" for b in breaches)
                else ("warning" if breaches else "healthy"),
                "monitor": await monitor_health(principal),
                "total_requests": total,
                "error_rate": round(errors / total, 6) if total else 0.0,
                "endpoints_tracked": len(stats),
            },
            "current_metrics": await system_metrics.current(principal),
            "historical_trends": {
                "system": readings.history  # read for max(hours, 3) hours
                if hours >= 3
                else await system_metrics.hourly_history(datetime.now(UTC) - timedelta(hours=hours)),
                "response_times": trends.buckets,
                "response_time_trend": trends.trend,
            },
            "active_alerts": {
                "source": "current threshold breaches (services/observability/thresholds.py); stored alerts come from "
                "the alert engine",
                "items": [b.as_dict() for b in breaches],
            },
            "top_endpoints": {"fastest_p95": fastest, "busiest": _sorted(busy, "count")[:5]},
            "problematic_endpoints": {"slowest_p95": slowest, "most_errors": most_errors},
            "pipeline": {
                "ingest": await platform_probes.ingest_view(principal),
                "rollups": readings.lag,
                "database_pool": readings.pool,
            },
            "recommendations": _recommend(principal, readings),
        }
    )
