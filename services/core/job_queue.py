"""Enqueueing arq jobs from any process, with the same JSON serializer the workers use."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import in_progress_key_prefix, job_key_prefix, result_key_prefix, retry_key_prefix
from arq.jobs import Job, deserialize_job

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


async def forget_results(job_ids: list[str]) -> None:
    """Drop what arq keeps of finished jobs, so their ids can be queued again as new jobs: the
    result (arq refuses an id whose result it keeps, an hour by default) and the try count (else
    the new job would start at the old one's tries, past ``max_tries``)."""
    if not job_ids:
        return
    redis = await pool()
    try:
        await redis.delete(*(prefix + j for j in job_ids for prefix in (result_key_prefix, retry_key_prefix)))
    finally:
        await redis.aclose()


STALL_MARGIN_SECONDS = 60.0
RELEASE_CHUNK = 1000  # due jobs checked per pipeline


async def release_stalled(
    redis: ArqRedis, timeouts: Mapping[str, float], in_progress_ttl_s: float, margin_s: float = STALL_MARGIN_SECONDS
) -> list[str]:
    """Unmark the due jobs that a dead worker still holds; returns their ids.

    When a worker takes a job, arq marks it in progress for the worker's longest job timeout plus
    10 s (``in_progress_ttl_s``): three hours here, because of ``optimize_database``.  The mark is
    removed when the job ends, is retried or times out.  A worker killed outright (SIGKILL, out of
    memory) removes nothing, so every other worker skips its jobs as "running elsewhere" until the
    mark expires.  A mark older than its own job's timeout (``timeouts`` by function name) plus
    ``margin_s`` cannot belong to a live run, because arq would have cancelled that run.  It is
    deleted, and the next worker runs the job.
    """
    due = [
        r.decode() if isinstance(r, bytes) else str(r)
        for r in await redis.zrangebyscore(queue_name(), "-inf", int(time.time() * 1000))
    ]
    released: list[str] = []
    for start in range(0, len(due), RELEASE_CHUNK):  # three round trips per chunk, however long the queue
        chunk = due[start : start + RELEASE_CHUNK]
        async with redis.pipeline(transaction=False) as pipe:
            for job_id in chunk:
                pipe.pttl(in_progress_key_prefix + job_id)
            lefts = await pipe.execute()
        # not taken (-2), or a mark without expiry (-1), which arq never writes
        marked = [(job_id, left_ms) for job_id, left_ms in zip(chunk, lefts, strict=True) if left_ms > 0]
        if not marked:
            continue
        stale = []
        for (job_id, left_ms), raw in zip(
            marked, await redis.mget([job_key_prefix + j for j, _ in marked]), strict=True
        ):
            if raw is None:
                continue
            try:
                function = deserialize_job(raw, deserializer=deserialize).function
            except Exception:  # not ours to judge: arq reports a job it cannot read when it runs it
                continue
            if in_progress_ttl_s - left_ms / 1000 > timeouts.get(function, in_progress_ttl_s) + margin_s:
                stale.append(job_id)
        if stale:
            await redis.delete(*(in_progress_key_prefix + j for j in stale))
            released += stale
    return released
