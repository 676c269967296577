"""The process's Redis connection pool and key naming.

Only a connection pool lives here: no state.  Everything processes must share
(rate-limit windows, heartbeats, queues) is a Redis key under ``REDIS_PREFIX``.
"""

from __future__ import annotations

from redis.asyncio import Redis

from services import embedded_redis
from services.config import Settings, get_settings

_client: Redis | None = None


def resolve_redis_url(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if settings.redis_url:
        return settings.redis_url
    return embedded_redis.ensure_running(settings.data_dir, settings.embedded_redis_port)


def key(*parts: object, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    return ":".join([settings.redis_prefix, *(str(p) for p in parts)])


def connect(settings: Settings | None = None) -> Redis:
    """Create (or replace) the process-wide client. Called from the web lifespan and worker startup."""
    global _client
    settings = settings or get_settings()
    timeout = settings.probe_timeout_seconds
    _client = Redis.from_url(
        resolve_redis_url(settings),
        decode_responses=True,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
    )
    return _client


def get_redis() -> Redis:
    if _client is None:
        return connect()
    return _client


async def close() -> None:
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None
