"""Shared pieces of the database-performance tests: raw connections and polling the routes."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest

IS_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
pg_only = pytest.mark.skipif(not IS_POSTGRES, reason="PostgreSQL catalogs (set DATABASE_URL to a PostgreSQL server)")
ROUTES = [
    ("GET", "/admin/performance/database/health"),
    ("GET", "/admin/performance/database/metrics"),
    ("POST", "/admin/performance/database/optimize"),
    ("GET", "/admin/performance/database/scaling"),
    ("GET", "/admin/performance/optimization/history"),
]
HEALTH = "/admin/performance/database/health"


def dsn() -> str:
    return os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)


async def pg() -> Any:
    """A connection of its own (not the app's pool): a second session, as another client would be."""
    import asyncpg

    return await asyncpg.connect(dsn())


def name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


async def flush(conn: Any) -> None:
    """Make this session's statistics visible to others now (PostgreSQL 15 flushes them lazily)."""
    await conn.execute("SELECT pg_stat_force_next_flush()")
    await conn.execute("SELECT 1")


def check(body: dict[str, Any], check_name: str) -> dict[str, Any]:
    return next(c for c in body["data"]["checks"] if c["name"] == check_name)


async def health_until(
    client: Any, headers: dict[str, str], check_name: str, ok: Callable[[dict[str, Any]], bool], tries: int = 40
) -> dict[str, Any]:
    """The health check ``check_name`` once ``ok`` holds (statistics reach the views within a second or so)."""
    found: dict[str, Any] = {}
    for _ in range(tries):
        r = await client.get(HEALTH, headers=headers)
        assert r.status_code == 200, r.text
        found = check(r.json(), check_name)
        if ok(found):
            return found
        await asyncio.sleep(0.25)
    raise AssertionError(f"{check_name} never matched: {found}")
