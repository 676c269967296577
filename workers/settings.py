"""``arq workers.settings.WorkerSettings``: the worker process definition.

Tortoise is initialised in ``on_startup`` (with the global fallback, because arq
runs every job in its own task) and closed in ``on_shutdown``.  Jobs are JSON
serialized, never pickled, so any process (or language) can enqueue them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from typing import Any

from arq import cron
from tortoise import Tortoise

from services import prompt_ingest, redis_client, rollups, worker_status
from services.config import get_settings
from services.database import tortoise_config
from services.job_queue import deserialize, queue_name, redis_settings, serialize
from workers import jobs

log = logging.getLogger("workers")
_settings = get_settings()


async def _pump(ctx: dict[str, Any]) -> None:
    """Drain the ingest stream continuously and refresh dirty rollups every few seconds.

    A loop rather than an every-second cron: no job overhead per batch, events are
    queryable well under a second after their 204, and --burst workers can still exit.
    """
    last_rollup = 0.0
    while True:
        try:
            drained = await prompt_ingest.drain(ctx["worker_id"], max_seconds=5)
            if time.monotonic() - last_rollup >= 5:
                await rollups.rebuild_dirty()
                last_rollup = time.monotonic()
            if drained.read == 0:
                await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("ingest pump failed; retrying")
            await asyncio.sleep(2)


async def startup(ctx: dict[str, Any]) -> None:
    ctx["worker_id"] = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    redis_client.connect(_settings)
    await Tortoise.init(config=tortoise_config(_settings), _enable_global_fallback=True)
    await worker_status.beat(ctx["worker_id"])
    ctx["pump"] = asyncio.create_task(_pump(ctx))
    log.info("worker %s started", ctx["worker_id"])


async def shutdown(ctx: dict[str, Any]) -> None:
    if "pump" in ctx:
        ctx["pump"].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ctx["pump"]
    if "worker_id" in ctx:
        await worker_status.forget(ctx["worker_id"])
    await Tortoise.close_connections()
    await redis_client.close()


def _every(seconds: int) -> set[int]:
    return set(range(0, 60, max(1, min(seconds, 60))))


class WorkerSettings:
    functions = [
        jobs.heartbeat,
        jobs.flush_api_key_usage,
        jobs.drain_ingest,
        jobs.refresh_rollups,
        jobs.evaluate_alerts,
    ]
    cron_jobs = [
        cron(jobs.heartbeat, second=_every(_settings.worker_heartbeat_seconds), run_at_startup=True, unique=False),
        cron(jobs.flush_api_key_usage, second={5, 35}, run_at_startup=True),
        # Safety nets for the continuous pump below (and what a --burst worker runs once).
        cron(jobs.drain_ingest, second={20}, run_at_startup=True, timeout=60),
        cron(jobs.refresh_rollups, second={50}, run_at_startup=True, timeout=300),
        # Every minute; a Redis lock inside makes one worker do each cycle.
        cron(jobs.evaluate_alerts, second={40}, run_at_startup=True, timeout=120),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings(_settings)
    queue_name = queue_name(_settings)
    job_serializer = serialize
    job_deserializer = deserialize
    max_jobs = 20
    job_timeout = 300
    keep_result = 3600
    health_check_interval = 30
