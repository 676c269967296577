"""``GET /v1/monitoring/health``: real checks of every critical dependency, each with its own timeout.

Checks run concurrently, each bounded by ``HEALTH_CHECK_TIMEOUT_SECONDS`` (5 s), so the
whole report never takes longer than one timeout.  A dead Redis fails fast (connection
refused) or at the timeout, never hangs.

* ``database``    ``SELECT 1`` on PostgreSQL or SQLite
* ``redis``       ``PING``
* ``api``         the caller-supplied self-check (the web app's ``api/self_check.py`` sends
                  ``GET /healthz`` through the whole ASGI stack in-process)
* ``core_tables`` every model's table exists and the aerich history is at the newest
                  migration file of this dialect (the documented "ZeroDB Core" check)
* ``worker``      at least one arq worker heartbeat is recent

Overall: ``unhealthy`` when database, Redis or the core tables fail; ``degraded`` when
only the API self-check or the worker check fails; else ``healthy``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections

from services.core.config import get_settings
from services.core.database import migrations_location, ping_database
from services.core.redis_client import get_redis
from services.observability import workers as worker_status
from services.observability.schemas import SystemHealthReport

CRITICAL = ("database", "redis", "core_tables")
SelfCheck = Callable[[], Awaitable[dict[str, Any]]]


async def _timed(name: str, probe: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    timeout = get_settings().health_check_timeout_seconds
    started = time.perf_counter()
    error: str | None = None
    details: dict[str, Any] = {}
    try:
        details = await asyncio.wait_for(probe(), timeout) or {}
    except TimeoutError:
        error = f"timed out after {timeout}s"
    except Exception as exc:
        error = type(exc).__name__  # public route: the class only, never hosts or SQL
    latency = round((time.perf_counter() - started) * 1000, 3)
    ok = error is None and details.get("ok", True)
    if ok is False and error is None:
        error = details.get("problem") or "check failed"
    details.pop("ok", None)
    details.pop("problem", None)
    return {
        "name": name,
        "status": "healthy" if ok else "unhealthy",
        "latency_ms": latency,
        "error": error,
        "details": details,
    }


async def _database() -> dict[str, Any]:
    await ping_database()
    return {"dialect": get_settings().dialect, "query": "SELECT 1"}


async def _redis() -> dict[str, Any]:
    return {"pong": bool(await get_redis().ping())}


async def _worker() -> dict[str, Any]:
    beats = await worker_status.live_workers()
    described = worker_status.describe(beats)
    if not beats:
        return {"ok": False, "problem": "no live arq worker heartbeat", **described}
    return described


def _latest_migration_file() -> str | None:
    folder = Path(migrations_location()) / "models"
    files = sorted(folder.glob("*.py"), key=lambda p: int(p.name.split("_", 1)[0]) if p.name[0].isdigit() else -1)
    return files[-1].name if files else None


async def _core_tables() -> dict[str, Any]:
    conn = connections.get("default")
    if get_settings().is_postgres:  # dialect: each database lists its tables in its own catalogue
        rows = await conn.execute_query_dict(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
        )
    else:
        rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table'")
    present = {r["name"] for r in rows}
    expected = sorted({m._meta.db_table for app in Tortoise.apps.values() for m in app.values()})
    missing = [t for t in expected if t not in present]
    head = _latest_migration_file()
    applied = None
    if "aerich" in present:
        got = await conn.execute_query_dict("SELECT version FROM aerich WHERE app = 'models' ORDER BY id DESC LIMIT 1")
        applied = got[0]["version"] if got else None
    details: dict[str, Any] = {
        "tables_expected": len(expected),
        "tables_missing": missing,
        "migration_head": head,
        "migration_applied": applied,
    }
    if missing:
        return {"ok": False, "problem": f"{len(missing)} tables missing: {', '.join(missing[:5])}", **details}
    if head != applied:
        return {"ok": False, "problem": f"database at migration {applied}, code expects {head}", **details}
    return details


async def health(self_check: SelfCheck) -> SystemHealthReport:
    """Run every check concurrently and summarize (public: no tenant data, error class names only)."""
    started = time.perf_counter()
    checks = await asyncio.gather(
        _timed("database", _database),
        _timed("redis", _redis),
        _timed("api", self_check),
        _timed("core_tables", _core_tables),
        _timed("worker", _worker),
    )
    failed = {c["name"] for c in checks if c["status"] != "healthy"}
    if failed & set(CRITICAL):
        overall = "unhealthy"
    elif failed:
        overall = "degraded"
    else:
        overall = "healthy"
    return SystemHealthReport.model_validate(
        {
            "status": overall,
            "checked_at": datetime.now(UTC),
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            "timeout_seconds": get_settings().health_check_timeout_seconds,
            "services": {c["name"]: c for c in checks},
            "summary": {
                "total": len(checks),
                "healthy": len(checks) - len(failed),
                "unhealthy": len(failed),
                "failed": sorted(failed),
            },
        }
    )
