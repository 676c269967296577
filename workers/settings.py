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

from arq import cron, func
from tortoise import Tortoise

from services import ingest, notifications, observability, rollups
from services.core import redis_client
from services.core.config import get_settings
from services.core.database import tortoise_config
from services.core.job_queue import deserialize, queue_name, redis_settings, serialize
from services.core.process_tuning import tune_gc
from workers import arq_fixes, jobs
from workers.diagnostics import bounded, report_tasks_on_sigusr2
from workers.outcomes import counted_all, counted_crons

log = logging.getLogger("workers")
_settings = get_settings()
ROLLUP_EVERY = 5.0  # seconds between rollup refreshes when the stream is drained
ROLLUP_MAX_DELAY = 60.0  # ... and at the latest, even under a sustained backlog
PUMP_BACKOFF_MAX = 8.0  # seconds between retries of a failing pump (database or Redis down), at most
# Each on_shutdown step's bound (arq's whole close has its own: workers/arq_fixes.py).  Tortoise's
# own pool close gives up after 10 s.
SHUTDOWN_STEP_SECONDS = 15.0


async def _pump(ctx: dict[str, Any], lane: int = 0) -> None:
    """Drain the ingest stream continuously and refresh dirty rollups when there is time.

    A loop rather than an every-second cron: no job overhead per batch, events are
    queryable well under a second after their 204, and --burst workers can still exit.
    Storing events comes first: while a backlog remains, rollups wait (at most
    ``ROLLUP_MAX_DELAY`` seconds).  Queries read still-dirty hours from raw events, so
    answers stay exact meanwhile; only their cost grows.

    A worker runs ``DRAIN_CONCURRENCY`` of these loops (``lane``), each a stream consumer of
    its own: a drain spends most of its time waiting on PostgreSQL (the insert and the
    rollup merge run in one backend), so a second loop keeps the database's other core busy
    -- what a second worker process would do, without its memory.  Only lane 0 rebuilds.
    """
    consumer = ctx["worker_id"] if lane == 0 else f"{ctx['worker_id']}/{lane}"
    last_rollup = 0.0
    failures = 0
    while not ctx.get("pumps_stopping"):
        try:
            drained = await ingest.drain(consumer, max_seconds=5, linger=_settings.drain_linger_ms / 1000)
            since = time.monotonic() - last_rollup
            if lane == 0 and ((not drained.backlog and since >= ROLLUP_EVERY) or since >= ROLLUP_MAX_DELAY):
                await rollups.rebuild_dirty()
                last_rollup = time.monotonic()
            failures = 0
            if drained.read == 0:
                await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            raise
        except Exception:
            # Backoff (0.5 s doubling to PUMP_BACKOFF_MAX): an outage is not hammered, nor logged twice a second.
            delay = min(PUMP_BACKOFF_MAX, 0.5 * 2**failures)
            failures += 1
            log.exception("ingest pump failed (%d in a row); retrying in %.1fs", failures, delay)
            await asyncio.sleep(delay)


def _lower_cpu_priority(niceness: int) -> None:
    """At least ``niceness`` for this process (``WORKER_NICE``, 0 by default): where a worker shares
    cores with web processes, a request's CPU then comes before a drain's.  Opt-in: under a load
    that keeps the cores busy the drain falls behind (see the README's WORKER_NICE row)."""
    with contextlib.suppress(OSError):
        if os.getpriority(os.PRIO_PROCESS, 0) < niceness:
            os.setpriority(os.PRIO_PROCESS, 0, niceness)


async def startup(ctx: dict[str, Any]) -> None:
    ctx["worker_id"] = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    ctx["job_timeouts"], ctx["in_progress_ttl_s"] = _job_timeouts()
    _lower_cpu_priority(_settings.worker_nice)
    tune_gc(_settings)
    redis_client.connect(_settings)
    arq_fixes.bound_queue_replies(ctx["redis"], _settings.worker_redis_reply_seconds)
    await Tortoise.init(config=tortoise_config(_settings), _enable_global_fallback=True)
    await observability.beat(ctx["worker_id"])
    lanes = _settings.drain_concurrency if _settings.is_postgres else 1  # SQLite writes one transaction at a time
    ctx["pumps"] = [asyncio.create_task(_pump(ctx, lane), name=f"pump {lane}") for lane in range(lanes)]
    report_tasks_on_sigusr2()
    log.info("worker %s started", ctx["worker_id"])


async def _stop_pumps(ctx: dict[str, Any]) -> None:
    """Cancel the pumps, and tell them: a cancellation can be lost on the way (CPython 3.11's
    ``asyncio.wait_for``, which drivers wrap around connects and acquires, can drop one that
    arrives as the awaited call completes, gh-86296).  A test's worker once kept draining 15 s
    after its cancel; with the flag a pump ends at its next turn (a drain lasts 5 s at most)."""
    ctx["pumps_stopping"] = True
    pumps = ctx.get("pumps", [])
    for pump in pumps:
        pump.cancel()
    await asyncio.gather(*pumps, return_exceptions=True)


async def shutdown(ctx: dict[str, Any]) -> None:
    """Each step bounded (:func:`workers.diagnostics.bounded`): a deploy's worker exits, and a
    step that hangs says where, instead of the process idling until it is killed."""
    await bounded("stop the ingest pumps", _stop_pumps(ctx), SHUTDOWN_STEP_SECONDS)
    if "worker_id" in ctx:
        await bounded("forget the heartbeat", observability.forget(ctx["worker_id"]), SHUTDOWN_STEP_SECONDS)
    await bounded("close the database pools", Tortoise.close_connections(), SHUTDOWN_STEP_SECONDS)
    await bounded("close the Redis client", redis_client.close(), SHUTDOWN_STEP_SECONDS)


def _job_timeouts() -> tuple[dict[str, float], float]:
    """Each job's timeout by name, and how long arq marks a job in progress (the longest plus 10 s)."""
    default = float(WorkerSettings.job_timeout)
    timeouts = {
        f.name: float(f.timeout_s or default)
        for f in [*map(func, WorkerSettings.functions), *WorkerSettings.cron_jobs]  # what arq's Worker counts
    }
    return timeouts, max(timeouts.values()) + 10


arq_fixes.apply()


def _every(seconds: int) -> set[int]:
    return set(range(0, 60, max(1, min(seconds, 60))))


class WorkerSettings:
    functions = counted_all(
        [
            jobs.heartbeat,
            jobs.release_memory,
            jobs.flush_api_key_usage,
            jobs.drain_ingest,
            jobs.refresh_rollups,
            jobs.sample_system_metrics,
            jobs.evaluate_alerts,
            jobs.check_security_alerts,
            jobs.sample_database_stats,
            jobs.collect_gateway,
            jobs.prune_gateway_samples,
            jobs.refresh_tool_rollups,
            jobs.maintain_partitions,
            jobs.release_stalled_jobs,
            # One maintenance run per request: never retried (its statements may have run);
            # bounded by the run lock's TTL.
            func(jobs.optimize_database, max_tries=1, timeout=3 * 3600),
            # The delivery row counts attempts and ends them; arq's own limit is only a backstop.
            func(
                jobs.deliver_notification,
                max_tries=_settings.notify_max_attempts + 1,
                timeout=notifications.attempt_timeout_seconds(_settings),
            ),
        ]
    )
    cron_jobs = counted_crons(
        [
            cron(jobs.heartbeat, second=_every(_settings.worker_heartbeat_seconds), run_at_startup=True, unique=False),
            # every worker its own (not unique): the C heap's free pages back to the OS
            cron(jobs.release_memory, second={30}, unique=False, timeout=30),
            cron(jobs.flush_api_key_usage, second={5, 35}, run_at_startup=True),
            # Safety nets for the continuous pump below (and what a --burst worker runs once).
            cron(jobs.drain_ingest, second={20}, run_at_startup=True, timeout=60),
            cron(jobs.refresh_rollups, second={50}, run_at_startup=True, timeout=300),
            # Samples only while /v1/monitoring/start has switched the sampler on.
            # Every minute; a Redis lock inside makes one worker do each cycle.
            cron(jobs.evaluate_alerts, second={40}, run_at_startup=True, timeout=120),
            cron(jobs.check_security_alerts, second={45}, timeout=60),  # security spike alert
            cron(jobs.sample_system_metrics, second=_every(_settings.system_metrics_interval_seconds), timeout=30),
            # pg_stat_database and table/index statistics for the database metrics' rates (dbperf).
            cron(jobs.sample_database_stats, minute=set(range(0, 60, 5)), second={15}, timeout=60),
            # Gateway targets are due by their own interval (>= 10 s); each probe is bounded by its timeout (<= 30 s).
            cron(jobs.collect_gateway, second={0, 15, 30, 45}, run_at_startup=True, timeout=60),
            cron(jobs.prune_gateway_samples, minute={7}, second={0}, timeout=300),
            # usage rollup slices of dirty hours, then budget thresholds against the fresh rollups
            cron(jobs.refresh_usage_rollups, second={55}, run_at_startup=True, timeout=300),
            cron(jobs.check_usage_budgets, second={25}, timeout=120),
            cron(jobs.refresh_tool_rollups, second={55}, run_at_startup=True, timeout=300),
            # jobs a worker killed outright still holds, given back (services/core/job_queue.release_stalled)
            cron(jobs.release_stalled_jobs, second={35}, run_at_startup=True, timeout=60),
            # executions partitions ahead, late events out of the default partition, retention
            cron(jobs.maintain_partitions, minute={3, 33}, second={10}, run_at_startup=True, timeout=600),
        ]
    )
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = arq_fixes.riding_out_outages(redis_settings(_settings))
    queue_name = queue_name(_settings)
    job_serializer = serialize
    job_deserializer = deserialize
    max_jobs = 20
    job_timeout = 300
    keep_result = 3600
    health_check_interval = 30
