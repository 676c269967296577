"""Read-only probes of the pipeline and the database pool, shared by recommendations,
thresholds, the dashboard and the Prometheus export.

The ingest stream and the rollup dirty-set are owned by ``services/prompt_ingest.py`` and
``services/rollups.py``; this module only reads them (XLEN, XPENDING, ZCARD, ZRANGE).
"""

from __future__ import annotations

import time
from typing import Any

from redis.exceptions import ResponseError
from tortoise import connections

from services.config import get_settings
from services.prompt_ingest import DEAD_LETTER, GROUP, STREAM
from services.redis_client import get_redis, key
from services.rollups import DIRTY_PROMPTS


async def ingest_backlog() -> dict[str, Any]:
    """Events queued in Redis and not yet written (drained entries are deleted from the stream)."""
    redis = get_redis()
    async with redis.pipeline(transaction=False) as pipe:
        pipe.xlen(key(STREAM))
        pipe.xlen(key(DEAD_LETTER))
        length, dead = await pipe.execute()
    try:
        pending = (await redis.xpending(key(STREAM), GROUP))["pending"]
    except ResponseError:  # no group yet: nothing was ever drained
        pending = 0
    return {"stream_length": int(length), "pending": int(pending), "dead_letter": int(dead)}


async def rollup_lag() -> dict[str, Any]:
    """How many prompts have dirty rollup hours, and how long the oldest has waited."""
    redis = get_redis()
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zcard(key(DIRTY_PROMPTS))
        pipe.zrange(key(DIRTY_PROMPTS), 0, 0, withscores=True)
        count, oldest = await pipe.execute()
    lag = round(max(0.0, time.time() - float(oldest[0][1])), 3) if oldest else 0.0
    return {"dirty_prompts": int(count), "lag_seconds": lag}


async def database_pool() -> dict[str, Any]:
    """This process's pool use and, on PostgreSQL, server-wide connection use vs max_connections."""
    settings = get_settings()
    if not settings.is_postgres:
        return {"dialect": "sqlite", "pool_size": None, "in_use": None, "max_size": None, "utilization": None}
    conn = connections.get("default")
    pool = getattr(conn, "_pool", None)
    size = pool.get_size() if pool else 0
    idle = pool.get_idle_size() if pool else 0
    maximum = pool.get_max_size() if pool else settings.db_pool_max
    server = await conn.execute_query_dict(
        "SELECT (SELECT count(*) FROM pg_stat_activity) AS used, "
        "current_setting('max_connections')::int AS max_connections"
    )
    used, max_conn = int(server[0]["used"]), int(server[0]["max_connections"])
    return {
        "dialect": "postgres",
        "pool_size": size,
        "in_use": size - idle,
        "max_size": maximum,
        "utilization": round((size - idle) / maximum, 4) if maximum else None,
        "server_connections": used,
        "server_max_connections": max_conn,
        "server_utilization": round(used / max_conn, 4) if max_conn else None,
    }
