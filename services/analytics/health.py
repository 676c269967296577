"""The analytics pipeline's own health: database, Redis, workers, ingest backlog, rollup lag.

Every check is a real probe with its own timeout (``PROBE_TIMEOUT_SECONDS``), run
concurrently.  Redis reads are read-only (``XINFO``, ``XPENDING``, ``ZRANGE``).
Status: ``unhealthy`` when the database or Redis is unreachable or ingest has stalled
(an entry queued longer than ``INGEST_STALL_SECONDS``); ``degraded`` when no worker is alive,
events were dead-lettered in the last hour, or the backlog / rollup lag reached their warning
level; else ``healthy``.  The backlog and the rollup lag are ``services.observability``'s readings
(``ingest_backlog``, ``rollup_lag``) judged by its thresholds (``INGEST_BACKLOG``: stream entries,
``ROLLUP_LAG``: seconds), the same the recommendations and the Prometheus export use.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from services import observability
from services.analytics.schemas import AnalyticsHealth, ComponentHealth
from services.core.config import get_settings
from services.core.database import ping_database
from services.core.redis_client import get_redis
from services.identity import Principal, Role, require_admin
from services.ingest import ENTRY_MAX_EVENTS

# detail an organization admin may see: nothing that counts other organizations' data
_TENANT_SAFE_DETAIL = frozenset({"dialect", "workers", "reasons", "dead_letters_recent", "oldest_dirty_age_seconds"})


async def _probe(name: str, probe: Callable[[], Awaitable[tuple[str, dict[str, Any]]]]) -> ComponentHealth:
    timeout = get_settings().probe_timeout_seconds
    started = time.perf_counter()

    def elapsed() -> float:
        return round((time.perf_counter() - started) * 1000, 3)

    try:
        status, detail = await asyncio.wait_for(probe(), timeout)
        return ComponentHealth(name=name, status=status, latency_ms=elapsed(), detail=detail)
    except TimeoutError:
        return ComponentHealth(name=name, status="down", latency_ms=elapsed(), error=f"timed out after {timeout}s")
    except Exception as exc:
        return ComponentHealth(name=name, status="down", latency_ms=elapsed(), error=type(exc).__name__)


async def _database() -> tuple[str, dict[str, Any]]:
    await ping_database()
    return "ok", {"dialect": get_settings().dialect}


async def _redis() -> tuple[str, dict[str, Any]]:
    redis = get_redis()
    await redis.ping()
    info = await redis.info("server")
    memory = await redis.info("memory")
    return "ok", {"version": info.get("redis_version"), "used_memory_bytes": memory.get("used_memory")}


async def _workers() -> tuple[str, dict[str, Any]]:
    beats = await observability.live_workers()
    detail = observability.describe(beats)
    detail["worker_ids"] = [b.worker_id for b in beats]
    return ("ok" if beats else "degraded"), detail


def _ingest(organization_id: int | None) -> Callable[[], Awaitable[tuple[str, dict[str, Any]]]]:
    async def probe() -> tuple[str, dict[str, Any]]:
        backlog = await observability.ingest_backlog(organization_id)
        status, reasons = observability.ingest_status(backlog)  # judges the backlog too (INGEST_BACKLOG)
        detail: dict[str, Any] = {"reasons": reasons, "dead_letters_recent": backlog["dead_letters_recent"]}
        if organization_id is None:  # platform-wide figures: superusers only
            # Counts are stream entries of up to ENTRY_MAX_EVENTS events (single events sent together share one).
            detail.update(
                queued=backlog["stream_length"],  # not yet written, or written but not acknowledged
                pending=backlog["pending"],  # delivered to a worker, not yet acknowledged
                undelivered=max(0, backlog["stream_length"] - backlog["pending"]),
                oldest_entry_age_seconds=backlog["oldest_entry_age_seconds"],
                dead_letters=backlog["dead_letter"],  # kept in the dead-letter stream (capped)
                events_per_entry_max=ENTRY_MAX_EVENTS,
            )
        return status, detail

    return probe


async def _rollups() -> tuple[str, dict[str, Any]]:
    lag = await observability.rollup_lag()
    status = "ok" if observability.rollup_lag_level(lag) == "ok" else "degraded"
    # the same reading and unit (seconds); this route shows "no dirty mark" as null
    age = lag["lag_seconds"] if lag["dirty_prompts"] else None
    return status, {"dirty_prompts": lag["dirty_prompts"], "oldest_dirty_age_seconds": age}


async def analytics_health(principal: Principal) -> AnalyticsHealth:
    """The pipeline's health for an admin; platform-wide figures (queue sizes, worker ids, Redis
    memory, every organization's dead letters) only for superusers, an admin sees their own
    organization's dead letters.  ``unhealthy`` when the database or Redis is down or ingest has
    stalled past ``INGEST_STALL_SECONDS``."""
    principal = require_admin(principal)
    platform = principal.has_role(Role.SUPERUSER)
    database, redis = await asyncio.gather(_probe("database", _database), _probe("redis", _redis))
    components = [database, redis]
    if redis.status != "down":
        components += await asyncio.gather(
            _probe("workers", _workers),
            _probe("ingest_stream", _ingest(None if platform else principal.organization_id)),
            _probe("rollups", _rollups),
        )
    if not platform:
        for c in components:
            c.detail = {k: v for k, v in c.detail.items() if k in _TENANT_SAFE_DETAIL}
    if any(c.status == "down" for c in components if c.name != "workers"):
        status = "unhealthy"
    elif any(c.status != "ok" for c in components):
        status = "degraded"
    else:
        status = "healthy"
    return AnalyticsHealth(status=status, checked_at=datetime.now(UTC), components=components)
