"""The analytics pipeline's own health: database, Redis, workers, ingest backlog, rollup lag.

Every check is a real probe with its own timeout (``PROBE_TIMEOUT_SECONDS``), run
concurrently.  Redis reads are read-only (``XINFO``, ``XPENDING``, ``ZRANGE``).
Status: ``unhealthy`` when the database or Redis is unreachable; ``degraded`` when
no worker is alive or the backlog / rollup lag exceed their limits; else ``healthy``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from redis.exceptions import ResponseError

from services import worker_status
from services.config import get_settings
from services.database import ping_database
from services.policy import Principal, require_admin
from services.prompt_ingest import DEAD_LETTER, ENTRY_MAX_EVENTS, GROUP, STREAM
from services.redis_client import get_redis, key
from services.rollups import DIRTY_PROMPTS

BACKLOG_DEGRADED = 100_000  # events that may be queued (entries x their largest size)
ROLLUP_LAG_DEGRADED_SECONDS = 900  # oldest un-rolled-up mark


class ComponentHealth(BaseModel):
    name: str
    status: str  # ok | degraded | down
    latency_ms: float
    error: str | None = None
    detail: dict[str, Any] = {}


class AnalyticsHealth(BaseModel):
    status: str  # healthy | degraded | unhealthy
    checked_at: datetime
    components: list[ComponentHealth]


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
    beats = await worker_status.live_workers()
    detail = worker_status.describe(beats)
    detail["worker_ids"] = [b.worker_id for b in beats]
    return ("ok" if beats else "degraded"), detail


async def _ingest() -> tuple[str, dict[str, Any]]:
    redis = get_redis()
    stream = key(STREAM)
    length = await redis.xlen(stream)
    pending, lag, consumers = 0, None, 0
    try:
        for group in await redis.xinfo_groups(stream):
            if group.get("name") == GROUP:
                pending = int(group.get("pending") or 0)
                consumers = int(group.get("consumers") or 0)
                lag = group.get("lag")
    except ResponseError:  # no stream yet: nothing was ever queued
        pass
    oldest_pending_ms = None
    if pending:
        summary = await redis.xpending(stream, GROUP)
        if summary and summary.get("min"):
            oldest_pending_ms = max(0, int(time.time() * 1000) - int(str(summary["min"]).split("-")[0]))
    dead = await redis.xlen(key(DEAD_LETTER))
    detail = {
        # Counts are stream entries: one per single event, up to ENTRY_MAX_EVENTS per batch request.
        "queued": length,  # entries still in the stream (not yet written, or written but not acknowledged)
        "pending": pending,  # delivered to a worker, not yet acknowledged
        "undelivered": int(lag) if lag is not None else max(0, length - pending),
        "consumers": consumers,
        "oldest_pending_age_ms": oldest_pending_ms,
        "dead_letters": dead,
    }
    detail["events_per_entry_max"] = ENTRY_MAX_EVENTS
    return ("degraded" if length * ENTRY_MAX_EVENTS > BACKLOG_DEGRADED else "ok"), detail


async def _rollups() -> tuple[str, dict[str, Any]]:
    redis = get_redis()
    dirty = key(DIRTY_PROMPTS)
    count = await redis.zcard(dirty)
    oldest = await redis.zrange(dirty, 0, 0, withscores=True)
    lag = round(max(0.0, time.time() - oldest[0][1]), 3) if oldest else None
    status = "degraded" if lag is not None and lag > ROLLUP_LAG_DEGRADED_SECONDS else "ok"
    return status, {"dirty_prompts": count, "oldest_dirty_age_seconds": lag}


async def analytics_health(principal: Principal) -> AnalyticsHealth:
    require_admin(principal)
    database, redis = await asyncio.gather(_probe("database", _database), _probe("redis", _redis))
    components = [database, redis]
    if redis.status != "down":
        components += await asyncio.gather(
            _probe("workers", _workers), _probe("ingest_stream", _ingest), _probe("rollups", _rollups)
        )
    if database.status == "down" or redis.status == "down":
        status = "unhealthy"
    elif any(c.status != "ok" for c in components):
        status = "degraded"
    else:
        status = "healthy"
    return AnalyticsHealth(status=status, checked_at=datetime.now(UTC), components=components)
