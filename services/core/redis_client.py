"""The process's Redis connection pool and key naming.

Only a connection pool lives here: no state.  Everything processes must share
(rate-limit windows, heartbeats, queues) is a Redis key under ``REDIS_PREFIX``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from services.core import embedded_redis
from services.core.config import Settings, get_settings
from services.core.errors import ServiceUnavailable

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


async def listen(
    channel: str, poll_seconds: float = 1.0, still_allowed: Callable[[], Awaitable[None]] | None = None
) -> AsyncIterator[str]:
    """The data of every message published on ``channel``, for as long as the caller iterates.

    Not ``pubsub.listen()``: that blocks in one read bounded by the client's socket timeout
    (``PROBE_TIMEOUT_SECONDS``), so a channel quiet for that long raised ``TimeoutError`` and
    ended every subscription.  ``get_message(timeout=...)`` waits at most ``poll_seconds`` and
    answers None on silence; each call also sends the pool's periodic health-check PING, so a
    dead connection is noticed.  Closing the generator (the client left) releases the
    connection; losing Redis ends it with ``SERVICE_UNAVAILABLE``.  ``still_allowed`` runs before
    every poll and may raise to end the stream (a subscriber whose rights were revoked).
    """
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(channel)
        while True:
            if still_allowed is not None:
                await still_allowed()
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=poll_seconds)
            if message is not None and message.get("type") == "message":
                yield message["data"]
    except (RedisConnectionError, RedisTimeoutError, OSError):
        raise ServiceUnavailable("The realtime channel is unavailable; subscribe again", retry_after=5) from None
    finally:
        await pubsub.aclose()  # disconnects: the server drops the subscription with the connection


async def shared_json(
    name: str, fresh_seconds: float, compute: Callable[[], Awaitable[dict[str, Any]]]
) -> dict[str, Any]:
    """A JSON object every process shares through Redis, computed again once older than ``fresh_seconds``.

    For figures a Prometheus scrape renders: every web process is scraped, and one set of queries
    serves them all for ``fresh_seconds``.  The object gets its computation time as ``at``; Redis
    keeps it ten times as long as it is fresh.
    """
    redis = get_redis()
    cached = await redis.get(key(name))
    if cached:
        data: dict[str, Any] = orjson.loads(cached)
        if time.time() - data.get("at", 0.0) < fresh_seconds:
            return data
    data = {**await compute(), "at": time.time()}
    await redis.set(key(name), orjson.dumps(data), ex=int(fresh_seconds * 10))
    return data
