"""``arq workers.settings.WorkerSettings``: the worker process definition.

Tortoise is initialised in ``on_startup`` (with the global fallback, because arq
runs every job in its own task) and closed in ``on_shutdown``.  Jobs are JSON
serialized, never pickled, so any process (or language) can enqueue them.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any

from arq import cron
from tortoise import Tortoise

from services import redis_client, worker_status
from services.config import get_settings
from services.database import tortoise_config
from services.job_queue import deserialize, queue_name, redis_settings, serialize
from workers import jobs

log = logging.getLogger("workers")
_settings = get_settings()


async def startup(ctx: dict[str, Any]) -> None:
    ctx["worker_id"] = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    redis_client.connect(_settings)
    await Tortoise.init(config=tortoise_config(_settings), _enable_global_fallback=True)
    await worker_status.beat(ctx["worker_id"])
    log.info("worker %s started", ctx["worker_id"])


async def shutdown(ctx: dict[str, Any]) -> None:
    if "worker_id" in ctx:
        await worker_status.forget(ctx["worker_id"])
    await Tortoise.close_connections()
    await redis_client.close()


def _every(seconds: int) -> set[int]:
    return set(range(0, 60, max(1, min(seconds, 60))))


class WorkerSettings:
    functions = [jobs.heartbeat, jobs.flush_api_key_usage]
    cron_jobs = [
        cron(jobs.heartbeat, second=_every(_settings.worker_heartbeat_seconds), run_at_startup=True, unique=False),
        cron(jobs.flush_api_key_usage, second={5, 35}, run_at_startup=True),
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
