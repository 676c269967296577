"""Readiness: can this process reach the database and Redis right now?

Each probe has its own timeout so a dead dependency answers quickly instead of hanging.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from services.core.config import get_settings
from services.core.database import ping_database
from services.core.redis_client import get_redis
from services.observability import workers as worker_status


@dataclass
class Check:
    name: str
    ok: bool
    latency_ms: float
    error: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


async def _timed(name: str, probe: Any) -> Check:
    timeout = get_settings().probe_timeout_seconds
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(probe(), timeout)
        return Check(name, True, round((time.perf_counter() - started) * 1000, 3), detail=detail or {})
    except TimeoutError:
        return Check(name, False, round((time.perf_counter() - started) * 1000, 3), f"timed out after {timeout}s")
    except Exception as exc:
        return Check(name, False, round((time.perf_counter() - started) * 1000, 3), type(exc).__name__)


async def _database() -> dict[str, Any]:
    await ping_database()
    return {"dialect": get_settings().dialect}


async def _redis() -> dict[str, Any]:
    await get_redis().ping()
    return {}


async def _workers() -> dict[str, Any]:
    return worker_status.describe(await worker_status.live_workers())


async def readiness() -> list[Check]:
    """Database and Redis decide readiness; the worker heartbeat is reported as detail."""
    database, redis = await asyncio.gather(_timed("database", _database), _timed("redis", _redis))
    checks = [database, redis]
    if redis.ok:
        checks.append(await _timed("worker", _workers))
    return checks
