"""Configuration, health, the dashboard, start/stop and the spike alert of security monitoring.

Start/stop flips a switch in Redis that every process reads with its decision snapshot
(within ``SECURITY_CACHE_SECONDS``).  Stopped means: no events recorded, no buckets poured,
no new decisions.  Decisions already in force (manual and automatic) stay enforced until
they expire or are lifted: enforcement is separate from detection, as in CrowdSec, where a
bouncer keeps applying decisions while the agent is down.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from services import alerting
from services.core.database import ping_database
from services.core.redis_client import get_redis, key
from services.identity import Principal, Role, require_admin, require_superuser
from services.observability import ingest_backlog
from services.security import decisions, events, reputation
from services.security.classify import EVENT_TYPES, LEVEL_WEIGHTS
from services.security.recorder import DROPPED, LAST_DETECTION, LAST_FLUSH, RECORDER
from services.security.schemas import (
    Configuration,
    MonitorStatus,
    Overview,
    SecurityDashboard,
    SecurityHealth,
    Switch,
)
from services.security.settings import get_security_settings

ALERT_SOURCE, ALERT_KEY = "security", "high_threat_events"
EXEMPT_PATHS = ("/healthz", "/readyz")


async def configuration(principal: Principal) -> Configuration:
    require_superuser(principal)
    s = get_security_settings()
    switch = await decisions.switch_state()
    return Configuration.model_validate(
        {
            "monitoring_enabled": switch["enabled"],
            "monitoring_changed_at": switch["changed_at"],
            "scenarios": [
                {
                    "name": sc.name,
                    "capacity": sc.capacity,
                    "leak_seconds": sc.leak_seconds,
                    "distinct_paths": sc.distinct,
                    "description": sc.description,
                }
                for sc in s.scenarios
            ],
            "ban": {
                "base_seconds": s.ban_seconds,
                "factor": s.ban_factor,
                "max_seconds": s.ban_max_seconds,
                "repeat_window_seconds": s.repeat_window_seconds,
                "manual_default_seconds": s.manual_ban_seconds,
            },
            "allowlist": list(s.allowlist),
            "trusted_proxies": list(s.trusted_proxies),
            "exempt_paths": list(EXEMPT_PATHS),
            "event_types": [
                {"event_type": t, "threat_level": lvl, "description": d} for t, (lvl, d) in EVENT_TYPES.items()
            ],
            "level_weights": LEVEL_WEIGHTS,
            "reputation_half_life_hours": s.reputation_half_life_hours,
            "cache_seconds": s.cache_seconds,
            "flush_seconds": s.flush_seconds,
            "buffer_max": s.buffer_max,
            "alert_high_events": s.alert_high_events,
            "alert_window_minutes": s.alert_window_minutes,
        }
    )


def _age(stamp: str | None, now: float) -> float | None:
    return None if stamp is None else round(max(0.0, now - float(stamp)), 3)


async def _probe(name: str, check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await check()
    except Exception as exc:  # a probe reports; it never raises
        return {"name": name, "status": "unhealthy", "latency_ms": None, "error": type(exc).__name__}
    return {
        "name": name,
        "status": "healthy",
        "latency_ms": round((time.perf_counter() - started) * 1000, 3),
        "error": None,
    }


async def health(principal: Principal) -> SecurityHealth:
    """Real probes (Redis, database), this process's recorder and enforcement cache, the shared queue."""
    require_superuser(principal)
    now = time.time()
    checks = [await _probe("redis", lambda: get_redis().ping()), await _probe("database", ping_database)]
    issues = [f"{c['name']} unreachable" for c in checks if c["status"] != "healthy"]
    last_flush = last_detection = dropped = None
    switch_on = None
    queue: dict[str, Any] | None = None
    if checks[0]["status"] == "healthy":
        last_flush, last_detection, dropped = await get_redis().mget(key(LAST_FLUSH), key(LAST_DETECTION), key(DROPPED))
        switch_on = (await decisions.switch_state())["enabled"]
        queue = await ingest_backlog()
    settings = get_security_settings()
    if RECORDER.last_error:
        issues.append(f"recorder flush failing ({RECORDER.last_error})")
    if decisions.GUARD.refresh_error:
        issues.append(f"decision cache refresh failing ({decisions.GUARD.refresh_error})")
    if RECORDER.backlog > settings.buffer_max // 2:
        issues.append("recorder buffer over half full")
    if dropped and int(dropped) > 0:
        issues.append(f"{int(dropped)} observations dropped since start (buffer full)")
    status = "unhealthy" if any(c["status"] != "healthy" for c in checks) else ("degraded" if issues else "healthy")
    return SecurityHealth.model_validate(
        {
            "status": status,
            "monitoring_enabled": switch_on,
            "checks": checks,
            "recorder": {
                "buffered": RECORDER.backlog,
                "buffer_max": settings.buffer_max,
                "last_flush_age_seconds": _age(last_flush, now),
                "last_error": RECORDER.last_error,
                "dropped_total": int(dropped or 0),
            },
            "queue": queue,
            "detection": {"last_run_age_seconds": _age(last_detection, now)},
            "enforcement": {
                "cached_decisions": len(decisions.GUARD.snapshot.blocked),
                "cache_seconds": settings.cache_seconds,
                "refresh_error": decisions.GUARD.refresh_error,
            },
            "issues": issues,
            "checked_at": datetime.fromtimestamp(now, UTC),
        }
    )


async def dashboard(principal: Principal, hours: int) -> SecurityDashboard:
    """Statistics of the window, recent events and, for superusers, blocks and the worst reputations."""
    principal = require_admin(principal)
    stats = await events.statistics(principal, hours)
    recent = await events.list_events(principal, hours, limit=20)
    platform = principal.has_role(Role.SUPERUSER)
    blocked = await decisions.active() if platform else None
    worst = (await reputation.ranking(principal, 10)).items if platform else None
    switch = await decisions.switch_state()
    return SecurityDashboard(
        scope=stats.scope,
        hours=hours,
        overview=Overview(
            total_events=stats.total_events,
            previous_total_events=stats.previous_total_events,
            change_percent=stats.change_percent,
            unique_sources=stats.unique_sources,
            by_level=stats.by_level,
            blocked_ips=None if blocked is None else len(blocked),
        ),
        attack_patterns=stats.by_type,
        top_sources=stats.top_sources,
        top_paths=stats.top_paths,
        time_buckets=stats.time_buckets,
        blocked_ips=blocked,
        reputation=worst,
        recent_events=recent.events,
        status=MonitorStatus(monitoring_enabled=switch["enabled"], changed_at=switch["changed_at"]),
    )


async def start(principal: Principal) -> Switch:
    return await decisions.set_switch(principal, True)


async def stop(principal: Principal) -> Switch:
    return await decisions.set_switch(principal, False)


async def check_spike() -> dict[str, Any]:
    """Open (or refresh) a platform alert while high/critical events exceed the threshold; resolve after."""
    s = get_security_settings()
    count = await events.high_level_count(s.alert_window_minutes)
    if count >= s.alert_high_events:
        severity = "critical" if count >= 2 * s.alert_high_events else "warning"
        message = f"{count} high or critical security events in the last {s.alert_window_minutes} minutes"
        await alerting.raise_external(
            None, ALERT_SOURCE, ALERT_KEY, severity, message, float(count), float(s.alert_high_events)
        )
        return {"high_events": count, "alert": "firing", "severity": severity}
    cleared = await alerting.clear_external(None, ALERT_SOURCE, ALERT_KEY, "auto-resolved: back under the threshold")
    return {"high_events": count, "alert": "resolved" if cleared else "none"}
