"""Enqueueing arq jobs from any process, with the same JSON serializer the workers use."""

from __future__ import annotations

import json
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.jobs import Job

from services.core.config import Settings, get_settings
from services.core.redis_client import key, resolve_redis_url


def serialize(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, default=str, separators=(",", ":")).encode()


def deserialize(raw: bytes) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(raw)
    return payload


def queue_name(settings: Settings | None = None) -> str:
    return key("arq", "queue", settings=settings)


def redis_settings(settings: Settings | None = None) -> RedisSettings:
    settings = settings or get_settings()
    rs = RedisSettings.from_dsn(resolve_redis_url(settings))
    rs.conn_timeout = max(1, int(settings.probe_timeout_seconds))
    return rs


async def pool(settings: Settings | None = None) -> ArqRedis:
    settings = settings or get_settings()
    return await create_pool(
        redis_settings(settings),
        job_serializer=serialize,
        job_deserializer=deserialize,
        default_queue_name=queue_name(settings),
    )


async def enqueue(function: str, *args: Any, job_id: str | None = None, **kwargs: Any) -> Job | None:
    """Enqueue ``function`` on the shared queue; ``None`` if a job with ``job_id`` already exists."""
    redis = await pool()
    try:
        return await redis.enqueue_job(function, *args, _job_id=job_id, **kwargs)
    finally:
        await redis.aclose()
