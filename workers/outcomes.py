"""Count every arq job run by function and outcome (success / failure / cancelled) in Redis.

arq's own counters live in each worker's memory; these are shared by all workers and
rendered by the Prometheus export as ``promptops_worker_jobs_total``.  Wrapping keeps the
function's ``__qualname__``, which is the name arq registers the job under.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from arq.cron import CronJob
from arq.worker import Function

from services import observability

Job = Callable[..., Awaitable[Any]]


def counted(job: Job) -> Job:
    name = job.__qualname__

    @functools.wraps(job)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            result = await job(ctx, *args, **kwargs)
        except asyncio.CancelledError:
            await asyncio.shield(observability.record_job_outcome(name, "cancelled", time.perf_counter() - started))
            raise
        except Exception:
            await observability.record_job_outcome(name, "failure", time.perf_counter() - started)
            raise
        await observability.record_job_outcome(name, "success", time.perf_counter() - started)
        return result

    return run


def counted_all(jobs: list[Job | Function]) -> list[Job | Function]:
    """Plain coroutines, or arq ``func(...)`` definitions (their coroutine is wrapped in place)."""
    for job in jobs:
        if isinstance(job, Function):
            job.coroutine = counted(job.coroutine)
    return [job if isinstance(job, Function) else counted(job) for job in jobs]


def counted_crons(crons: list[CronJob]) -> list[CronJob]:
    for cron_job in crons:
        cron_job.coroutine = counted(cron_job.coroutine)
    return crons
