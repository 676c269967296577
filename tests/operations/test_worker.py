"""The arq worker, run as a real process in burst mode against the real Redis."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from typing import Any

from models.tenancy import ApiKey
from services.core import job_queue
from tests.conftest import eventually, run_worker_burst, worker_process


async def test_burst_worker_flushes_api_key_usage_and_beats(client, make_tenant):
    tenant = await make_tenant()
    key = await ApiKey.get(organization_id=tenant.organization_id, revoked_at__isnull=True)
    assert key.last_used_at is None
    assert (await client.get("/api/v1/auth/me", headers=tenant.key_headers)).status_code == 200
    job = await job_queue.enqueue("flush_api_key_usage")
    assert job is not None

    done = await run_worker_burst()
    assert done.returncode == 0, done.stderr[-2000:]

    await key.refresh_from_db()
    assert key.last_used_at is not None  # flushed: by this job or by the same job's startup cron run
    info = await job.result(timeout=5)
    # The worker also runs flush_api_key_usage at startup (cron, run_at_startup): whichever of the two
    # reads the noted uses first moves them, so this job may find nothing left (0), never an error.
    assert isinstance(info["updated"], int) and info["updated"] >= 0
    keys = (await client.get("/api/v1/api-keys", headers=tenant.headers)).json()["data"]["items"]
    assert keys[0]["last_used_at"] is not None


async def test_heartbeat_is_visible_until_the_worker_leaves(client):
    from services.observability import workers as worker_status

    done = await run_worker_burst()
    assert done.returncode == 0, done.stderr[-2000:]
    # a burst worker says goodbye on shutdown; the heartbeat job did run (its log line shows it)
    assert "heartbeat" in done.stderr

    # this worker's own beat is gone; another worker's may still count as live (one killed outright
    # does for three beat intervals), and CI once saw a beat here that this test did not expect
    [ours] = set(re.findall(r"'worker_id': '([^']+)'", done.stderr))
    assert ours not in {w.worker_id for w in await worker_status.live_workers()}, done.stderr[-6000:]
    hb = await worker_status.beat("test-worker")
    ready = (await client.get("/readyz")).json()["data"]["checks"]
    worker = next(c for c in ready if c["name"] == "worker")
    assert worker["detail"]["workers"] >= 1 and worker["detail"]["last_heartbeat_age_seconds"] < 5
    await worker_status.forget(hb.worker_id)


async def test_the_worker_runs_at_a_lower_cpu_priority():
    """WORKER_NICE (opt-in): on cores shared with web processes a request's CPU comes first.
    A parent's higher niceness is kept."""
    from services.observability import workers as worker_status

    before = {w.worker_id for w in await worker_status.live_workers()}
    async with worker_process({"WORKER_NICE": "12"}) as proc:

        async def started() -> bool:
            return any(w.worker_id not in before for w in await worker_status.live_workers())

        try:
            assert await eventually(started, within=60)
            assert os.getpriority(os.PRIO_PROCESS, proc.pid) >= 12
        finally:  # stopped before its shutdown hook ran, its beat would count as live for a while
            for beat in await worker_status.live_workers():
                if beat.worker_id not in before:
                    await worker_status.forget(beat.worker_id)


async def test_jobs_cancelled_before_they_start_are_left_for_the_next_worker():
    """A worker told to stop just after picking jobs (a deploy) cancels them before arq's own
    handling of cancellation: not started yet, or in their first Redis round trip.  They must not
    stay marked in progress (for the longest job timeout, three hours), and the worker's shutdown
    must go on; the next worker runs them.  In CI two deliveries held that way kept every later
    burst worker waiting until it was killed."""
    import asyncio

    from arq.constants import in_progress_key_prefix
    from arq.worker import Worker

    from workers.settings import WorkerSettings

    redis = await job_queue.pool()
    try:
        prefix = os.environ["REDIS_PREFIX"]
        jobs_ = [await redis.enqueue_job("heartbeat", _job_id=f"{prefix}:early-cancel-{i}") for i in range(2)]
        scores = {j.job_id: await redis.zscore(job_queue.queue_name(), j.job_id) for j in jobs_}
        worker = Worker(
            functions=WorkerSettings.functions,
            redis_pool=await job_queue.pool(),  # closed by the worker's close()
            queue_name=job_queue.queue_name(),
            handle_signals=False,
            job_serializer=WorkerSettings.job_serializer,
            job_deserializer=WorkerSettings.job_deserializer,
        )
        # what picking the jobs does: the in-progress mark, then a task per job
        for j in jobs_:
            await redis.psetex(in_progress_key_prefix + j.job_id, int(worker.in_progress_timeout_s * 1000), b"1")
        for j in jobs_:
            worker.tasks[j.job_id] = asyncio.create_task(worker.run_job(j.job_id, int(scores[j.job_id])))
            if j is jobs_[0]:
                await asyncio.sleep(0)  # the first one's first round trip is out; the second never starts
        await worker.close()  # arq cancels them (nothing above awaited a reply); it raised CancelledError here before
        for j in jobs_:
            assert not await redis.exists(in_progress_key_prefix + j.job_id)
            assert await redis.zscore(job_queue.queue_name(), j.job_id) == scores[j.job_id]  # still queued

        done = await run_worker_burst()  # the next worker runs them (and can end: nothing is held)
        assert done.returncode == 0, done.stderr[-2000:]
        for j in jobs_:
            assert f"{j.job_id}:heartbeat" in done.stderr
            assert (await j.result(timeout=5))["worker_id"]
    finally:
        await redis.aclose()


async def test_sigusr2_logs_what_each_task_of_a_running_worker_awaits(tmp_path):
    """``kill -USR2`` a worker that seems stuck: from outside, py-spy shows only its event loop in
    ``select``; the log then names the line each task waits at."""
    import signal

    path = tmp_path / "worker.log"

    async def logged(text: str) -> bool:
        return text in path.read_text()

    with path.open("w") as log:
        async with worker_process(log=log) as proc:
            assert await eventually(lambda: logged("→ cron:heartbeat()"), within=60)  # on_startup is done
            proc.send_signal(signal.SIGUSR2)
            assert await eventually(lambda: logged("SIGUSR2; tasks now"), within=10), path.read_text()[-3000:]
            assert proc.returncode is None  # the signal does not stop it
    report = path.read_text().split("SIGUSR2; tasks now:", 1)[1]
    assert report.startswith("\n  event loop: asyncio.unix_events._UnixSelectorEventLoop\n"), report[:300]
    pump = report.split("task pump 0:", 1)[1]
    assert re.match(r"\s+\S+/workers/settings\.py:\d+ _pump\n", pump), report[:3000]
    assert "arq/worker.py" in report  # arq's poll loop, the main task


async def test_a_shutdown_step_that_hangs_is_left_behind_and_named(caplog):
    """A deploy's worker must exit: one shutdown step that ignores its cancellation (a pool that
    waits for a connection never given back) is logged with what it awaits, and the next runs."""
    import asyncio
    import time

    from workers.diagnostics import bounded

    release = asyncio.Event()

    async def stubborn_close() -> None:
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:
                continue

    ran = []

    async def next_step() -> None:
        ran.append(True)

    started = time.monotonic()
    await bounded("close a stubborn pool", stubborn_close(), 0.5)
    await bounded("the next step", next_step(), 0.5)
    assert time.monotonic() - started < 2
    assert ran == [True]
    release.set()  # else the test loop's teardown waits for it forever
    message = next(r.getMessage() for r in caplog.records if "close a stubborn pool" in r.getMessage())
    assert "did not finish in 0.5 s" in message
    assert re.search(r"tests/operations/test_worker\.py:\d+ stubborn_close", message), message


class _SilencingProxy:
    """A TCP proxy to Redis that can go silent on the connections it has open: what reaches it is
    swallowed, nothing comes back, and the sockets stay open (a half-open link, a server stopped
    mid-command).  Connections opened after that are forwarded as usual."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.links: list[dict[str, bool]] = []
        self.port = 0

    async def __aenter__(self) -> _SilencingProxy:
        import asyncio

        self.server = await asyncio.start_server(self._link, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()

    def silence_open_links(self) -> None:
        for link in self.links:
            link["silent"] = True

    async def _link(self, reader, writer) -> None:  # type: ignore[no-untyped-def]
        import asyncio
        import contextlib

        up_reader, up_writer = await asyncio.open_connection(*self.target)
        link = {"silent": False}
        self.links.append(link)

        async def pipe(src, dst) -> None:  # type: ignore[no-untyped-def]
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    if not link["silent"]:
                        dst.write(data)
                        await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_a_worker_whose_redis_goes_silent_reconnects_and_runs_the_next_job(tmp_path):
    """arq's ``RedisSettings`` has no socket timeout: a reply that never came held a worker's poll
    loop (or its shutdown) forever.  Its connections time out now (``WORKER_REDIS_REPLY_SECONDS``),
    and the command is retried on a new connection."""
    from urllib.parse import urlsplit

    from services.core.redis_client import resolve_redis_url

    target = urlsplit(resolve_redis_url())
    path = tmp_path / "worker.log"
    async with _SilencingProxy(target.hostname or "127.0.0.1", target.port or 6379) as proxy:
        proxied = f"redis://127.0.0.1:{proxy.port}{target.path}"
        env = {"REDIS_URL": proxied, "WORKER_REDIS_REPLY_SECONDS": "2"}
        with path.open("w") as log:
            async with worker_process(env, log=log):

                async def logged(text: str) -> bool:
                    return text in path.read_text()

                assert await eventually(lambda: logged("→ cron:heartbeat()"), within=60)
                proxy.silence_open_links()
                redis = await job_queue.pool()
                try:  # jobs to claim right away: a claim runs under WATCH, and a lost WATCH ended the worker
                    prefix = os.environ["REDIS_PREFIX"]
                    jobs_ = [
                        await redis.enqueue_job("heartbeat", _job_id=f"{prefix}:after-silence-{i}") for i in range(5)
                    ]
                    # run, each: a job may itself fail once on the services' own client, whose pooled
                    # connection went silent too (a 2 s timeout, no retry); the worker must go on
                    done: list[Any] = []
                    deadline = time.monotonic() + 30
                    while len(done) < len(jobs_) and time.monotonic() < deadline:
                        done = [i for i in [await j.result_info() for j in jobs_ if j is not None] if i is not None]
                        await asyncio.sleep(0.2)
                    assert len(done) == 5, f"the jobs did not all run; the worker's log:\n{path.read_text()[-6000:]}"
                finally:
                    await redis.aclose()
        assert any(i.success and i.result["worker_id"] for i in done), path.read_text()[-3000:]
        assert len(proxy.links) > 1  # it did reconnect


async def test_release_stalled_frees_only_due_jobs_marked_longer_than_their_timeout(monkeypatch):
    """What the ``release_stalled_jobs`` cron job decides, over a queue longer than one pipeline."""
    from datetime import timedelta

    from arq.constants import in_progress_key_prefix

    from tests.conftest import drop_jobs_queued_before_this_test

    drop_jobs_queued_before_this_test()
    monkeypatch.setattr(job_queue, "RELEASE_CHUNK", 2)
    prefix = os.environ["REDIS_PREFIX"]
    redis = await job_queue.pool()
    try:
        jobs_ = {}
        for name in ("old-a", "fresh", "old-b", "unmarked", "old-c", "deferred-old"):
            defer = timedelta(hours=1) if name.startswith("deferred") else None
            jobs_[name] = await redis.enqueue_job("heartbeat", _job_id=f"{prefix}:stall-{name}", _defer_by=defer)
        ttl_s, timeout_s, margin_s = 100.0, 10.0, 5.0
        for name, job in jobs_.items():  # the mark's age is ttl - what is left of it
            age = 1 if name == "fresh" else None if name == "unmarked" else 20
            if age is not None:
                await redis.psetex(in_progress_key_prefix + job.job_id, int((ttl_s - age) * 1000), b"1")
        released = await job_queue.release_stalled(redis, {"heartbeat": timeout_s}, ttl_s, margin_s)
        assert sorted(released) == sorted(jobs_[n].job_id for n in ("old-a", "old-b", "old-c"))
        marks = {n: await redis.exists(in_progress_key_prefix + j.job_id) for n, j in jobs_.items()}
        assert marks == {"old-a": 0, "fresh": 1, "old-b": 0, "unmarked": 0, "old-c": 0, "deferred-old": 1}
    finally:
        for job in jobs_.values():
            await redis.zrem(job_queue.queue_name(), job.job_id)
            await redis.delete(in_progress_key_prefix + job.job_id, "arq:job:" + job.job_id)
        await redis.aclose()


async def test_a_stop_that_cuts_a_claim_short_leaves_the_job_to_the_next_worker():
    """A SIGTERM that reaches the poll loop as a claim's reply arrives (the in-progress mark set, the
    job's task not yet started) left the job marked with nothing to run it, until its timeout plus a
    minute.  The claim now finishes, its task is cancelled before it begins, and the mark is given
    back on close; the next worker runs the job."""
    from arq.constants import in_progress_key_prefix
    from arq.worker import Worker

    from workers.settings import WorkerSettings

    redis = await job_queue.pool()
    try:
        job = await redis.enqueue_job("heartbeat", _job_id=f"{os.environ['REDIS_PREFIX']}:cut-claim")
        assert job is not None
        pool = await job_queue.pool()  # the worker's, closed by its close()
        worker = Worker(
            functions=WorkerSettings.functions,
            redis_pool=pool,
            queue_name=job_queue.queue_name(),
            handle_signals=False,
            job_serializer=WorkerSettings.job_serializer,
            job_deserializer=WorkerSettings.job_deserializer,
        )
        poll: list[asyncio.Task[None]] = []
        make_pipeline = pool.pipeline

        def pipeline(*args: Any, **kwargs: Any) -> Any:  # the stop arrives with the claim's reply
            pipe = make_pipeline(*args, **kwargs)
            execute = pipe.execute

            async def replied(*a: Any, **k: Any) -> Any:
                result = await execute(*a, **k)
                if poll and not poll[0].done():
                    poll[0].cancel()
                    await asyncio.sleep(0)
                return result

            pipe.execute = replied
            return pipe

        pool.pipeline = pipeline  # type: ignore[method-assign]
        poll.append(asyncio.create_task(worker.start_jobs([job.job_id.encode()])))
        try:
            await poll[0]
        except asyncio.CancelledError:
            pass
        pool.pipeline = make_pipeline  # type: ignore[method-assign]
        await worker.close()
        assert not await redis.exists(in_progress_key_prefix + job.job_id)
        assert await redis.zscore(job_queue.queue_name(), job.job_id) is not None  # still queued

        done = await run_worker_burst()
        assert done.returncode == 0, done.stderr[-2000:]
        assert (await job.result(timeout=5))["worker_id"]
    finally:
        await redis.aclose()


async def test_a_stop_whose_cancellation_is_lost_still_ends_the_worker():
    """A SIGTERM cancels arq's main task once; a cancellation swallowed on the way (here by a startup
    step, as CPython 3.11's ``wait_for`` can drop one) left the worker polling and running crons until
    it was killed.  The stop is remembered and the next poll iteration ends the loop."""
    import signal

    from arq.worker import Worker

    from workers.settings import WorkerSettings

    started = asyncio.Event()

    async def startup(ctx: dict[str, Any]) -> None:
        started.set()
        try:
            await asyncio.sleep(2)
        except asyncio.CancelledError:  # lost: the stop's cancellation goes no further
            pass

    worker = Worker(
        functions=WorkerSettings.functions,
        redis_pool=await job_queue.pool(),  # closed by the worker's close()
        queue_name=job_queue.queue_name(),
        handle_signals=False,
        on_startup=startup,
        poll_delay=0.05,
        job_serializer=WorkerSettings.job_serializer,
        job_deserializer=WorkerSettings.job_deserializer,
    )
    main = worker.main_task = asyncio.ensure_future(worker.main())
    try:
        await started.wait()
        worker.handle_sig(signal.SIGTERM)
        done, _ = await asyncio.wait({main}, timeout=10)
        assert main in done, "the worker kept polling after its stop"
    finally:
        main.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await main
        await worker.close()


async def test_ingest_pumps_stop_even_when_their_cancellation_is_lost(monkeypatch):
    """A pump whose cancel is swallowed inside a drain (CPython 3.11's ``wait_for`` race, which
    drivers use) kept draining after the worker's shutdown cancelled it; the stop flag ends it at
    its next turn, well inside the shutdown step's bound."""
    from services.ingest import DrainResult
    from workers import settings

    drains = 0

    async def drain_losing_cancellations(consumer: str, max_seconds: float, linger: float) -> DrainResult:
        nonlocal drains
        drains += 1
        try:
            await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            if drains > 1:
                raise
        return DrainResult(
            read=1
        )  # the first cancellation is lost  # a backlog: the pump goes straight on to the next drain

    monkeypatch.setattr(settings.ingest, "drain", drain_losing_cancellations)
    ctx: dict[str, Any] = {"worker_id": "test-pump"}
    ctx["pumps"] = [asyncio.create_task(settings._pump(ctx, lane=1))]
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await asyncio.wait_for(settings._stop_pumps(ctx), timeout=5)
    assert time.monotonic() - started < 1
    assert ctx["pumps"][0].done() and drains == 1
