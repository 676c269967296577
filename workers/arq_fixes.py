"""Where arq 0.28 falls short for a worker that must not stop moving, and what is done about it.

Each fix is applied once, from ``workers/settings.py``; the ones that wrap a ``Worker`` method
use attributes of arq 0.28 (``_pool``, ``_handle_signals``, ``sem``, ``job_counter``), and each
has a test that fails if arq's behaviour changes under it (``tests/operations/test_worker.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from signal import Signals

from arq import Worker
from arq.connections import ArqRedis, RedisSettings
from arq.constants import in_progress_key_prefix
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError

from workers.diagnostics import bounded

log = logging.getLogger("workers")
# arq's whole close(): its jobs' cancellation, the health key, on_shutdown, its Redis pool
CLOSE_SECONDS = 75.0


def bound_queue_replies(redis: ArqRedis, seconds: float) -> None:
    """A socket timeout on arq's own Redis connections, which its ``RedisSettings`` cannot set.

    Without one, a reply that never comes (a half-open connection, a server stopped mid-command)
    holds the worker's poll loop, or its shutdown, forever: CI saw a worker idle two minutes in
    both places.  With it the command times out and is retried on a new connection
    (:func:`riding_out_outages`).  arq sends no blocking commands, so no reply is legitimately
    slow.  The pool's first connection (arq's ping) exists already, so it is set on it too.
    """
    pool = redis.connection_pool
    pool.connection_kwargs["socket_timeout"] = seconds
    for connection in [*pool._available_connections, *pool._in_use_connections]:
        connection.socket_timeout = seconds


# arq's poll loop does not reconnect: one failed command while Redis restarted ended the worker
# process (tests/faults/test_redis_outage.py).  Its commands now retry with backoff (0.2 s doubling
# to 2 s, 300 tries: about ten minutes), so a worker rides out a Redis restart and resumes.
REDIS_OUTAGE_RETRIES = 300


def riding_out_outages(settings: RedisSettings) -> RedisSettings:
    settings.retry = Retry(ExponentialBackoff(cap=2.0, base=0.1), REDIS_OUTAGE_RETRIES)
    # OSError: a refused connect surfaces as ConnectionRefusedError inside redis-py's connect retry
    settings.retry_on_error = [RedisConnectionError, RedisTimeoutError, OSError]
    return settings


def release_jobs_cancelled_before_they_start() -> None:
    """On shutdown, give back the jobs a stopping worker cancelled before arq's own handling began.

    arq 0.28 marks a job in progress when it picks it (a key that expires after the longest job
    timeout plus 10 s: here ``optimize_database``'s three hours) and starts a task for it.  A
    SIGTERM (a deploy, a test stopping its worker) cancels every task at once: one not started yet,
    or still in ``Worker.run_job``'s first Redis round trip, ends cancelled outside the ``try``
    that handles cancellation, so its key stays, and ``close()`` re-raised the cancellation before
    ``on_shutdown`` ran.  Every worker after skipped such a job as "running elsewhere" for three
    hours: in CI, two notification deliveries held that way kept each later ``--burst`` worker
    waiting until it was killed.  Here those tasks' keys are deleted (their function never
    started; the job stays queued for the next worker) and arq's shutdown goes on.
    """
    original = Worker.close
    if getattr(original, "releases_cancelled_jobs", False):
        return

    async def close(self: Worker) -> None:
        if self._pool is not None and self.tasks:
            if not self._handle_signals:  # what arq's close does first when no signal handler did
                for task in self.tasks.values():
                    task.cancel()
            await asyncio.gather(*self.tasks.values(), return_exceptions=True)
            for job_id, task in list(self.tasks.items()):
                if task.cancelled():
                    del self.tasks[job_id]
                    with contextlib.suppress(Exception):
                        await self.pool.delete(in_progress_key_prefix + job_id)
                    log.info("%s cancelled before it started, will be run again", job_id)
        await bounded("arq's close", original(self), CLOSE_SECONDS)

    close.releases_cancelled_jobs = True  # type: ignore[attr-defined]
    Worker.close = close  # type: ignore[method-assign]


def survive_a_lost_claim() -> None:
    """A connection lost while arq claims a job must not end the worker.

    ``Worker.start_jobs`` claims each job under ``WATCH``.  When the connection dies there (a
    reply timed out, Redis restarted), redis-py raises ``WatchError`` before arq's own handling
    of one, and the worker process exited: a test whose Redis went silent saw it.  The claim did
    not happen, so the slot arq took for it is given back and the next poll tries again.
    """
    original = Worker.start_jobs
    if getattr(original, "survives_a_lost_claim", False):
        return

    async def start_jobs(self: Worker, job_ids: list[bytes]) -> None:
        try:
            await original(self, job_ids)
        except WatchError:
            self.job_counter -= 1
            self.sem.release()
            log.warning("lost the connection while claiming a job; the next poll tries again")

    start_jobs.survives_a_lost_claim = True  # type: ignore[attr-defined]
    Worker.start_jobs = start_jobs  # type: ignore[method-assign]


def finish_a_claim_cut_by_a_stop() -> None:
    """A worker stopped while claiming a job must not leave the job marked without running it.

    ``Worker.start_jobs`` claims a job (its in-progress mark, under ``WATCH``) and then starts its
    task.  A SIGTERM cancels the poll loop wherever it waits, and between the claim's reply and the
    task the job was left marked with nothing to run it: every worker skipped it until
    ``release_stalled_jobs`` gave it back, the job's timeout plus a minute later.  CI's SQLite run at
    e379b07 showed it: the dashboard test's worker, stopped while claiming a delivery's retry.  The
    claim now runs shielded from the loop's cancellation, and the tasks it started are then
    cancelled like every other: one that had not begun is given back by ``close()``
    (:func:`release_jobs_cancelled_before_they_start`), one that had is arq's to retry.
    """
    original = Worker.start_jobs
    if getattr(original, "finishes_a_cut_claim", False):
        return

    async def start_jobs(self: Worker, job_ids: list[bytes]) -> None:
        before = set(self.tasks)
        claim = asyncio.ensure_future(original(self, job_ids))
        try:
            await asyncio.shield(claim)
        except asyncio.CancelledError:
            await asyncio.wait({claim}, timeout=CLOSE_SECONDS)  # Redis answers, or its retries give up
            for job_id in set(self.tasks) - before:
                self.tasks[job_id].cancel()
            raise

    start_jobs.finishes_a_cut_claim = True  # type: ignore[attr-defined]
    Worker.start_jobs = start_jobs  # type: ignore[method-assign]


def stop_polling_once_told() -> None:
    """A stop ends the poll loop even when its cancellation is lost on the way.

    arq's SIGTERM handler cancels the main task wherever it waits, once.  A cancellation that is
    swallowed on the way (CPython 3.11's ``asyncio.wait_for`` can drop one that arrives just as the
    awaited call completes, gh-86296; drivers wrap connects in it) leaves the worker polling and
    running crons until it is killed: CI's run at bc75817 showed a worker that took SIGTERM during
    its startup and ran its crons for 30 s.  The stop is now remembered, and the next poll
    iteration ends the loop, so ``close()`` and ``shutdown`` run as after any stop.
    """
    original_handle, original_poll = Worker.handle_sig, Worker._poll_iteration
    if getattr(original_poll, "stops_once_told", False):
        return

    def handle_sig(self: Worker, signum: Signals) -> None:
        self._stop_requested = True  # type: ignore[attr-defined]
        original_handle(self, signum)

    async def _poll_iteration(self: Worker) -> None:
        if getattr(self, "_stop_requested", False):
            log.warning("the worker was told to stop and is still polling: its cancellation was lost; stopping")
            raise asyncio.CancelledError
        await original_poll(self)

    _poll_iteration.stops_once_told = True  # type: ignore[attr-defined]
    Worker.handle_sig = handle_sig  # type: ignore[method-assign]
    Worker._poll_iteration = _poll_iteration  # type: ignore[method-assign]


def apply() -> None:
    release_jobs_cancelled_before_they_start()
    survive_a_lost_claim()
    finish_a_claim_cut_by_a_stop()
    stop_polling_once_told()
