"""A throwaway PostgreSQL + Redis + web + worker stack for one benchmark run.

``with Stack("ingest") as stack:`` creates a fresh ``bench_<id>`` database on the
PostgreSQL server, picks a Redis key prefix of its own, migrates and bootstraps an
organization with an API key (through the operator CLI, as a person would), then
starts ONE ``uvicorn api.app:app`` and ONE ``arq workers.settings.WorkerSettings``
on loopback.  Leaving the block (normally, on an exception, on Ctrl-C or when the
time budget runs out) stops both processes, drops the database and deletes every
Redis key under the prefix.  Children also get SIGTERM if this process dies.

Load comes from a separate process: :func:`run_wrk` drives ``wrk`` with
``bench/lua/load.lua``, which counts response statuses and reports latency
percentiles as one JSON line.  :class:`RssSampler` samples the resident memory of
the web and worker process trees with psutil.

Benchmarks 3 and 4 (analytics over a seeded database, GraphQL vs REST) reuse the
same :class:`Stack` (``worker=False`` and ``seed_args`` for ``seed-demo``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua" / "load.lua"
PG_ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PY = sys.executable


class BenchError(RuntimeError):
    """The benchmark could not run (a process died, a dependency is missing, time ran out)."""


class _OutOfTime(BaseException):
    """Raised by the SIGALRM watchdog; a BaseException so nothing swallows it before cleanup."""


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _pg(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def _pg_exec(url: str, sql: str, *args: Any) -> Any:
    import asyncpg

    conn = await asyncpg.connect(_pg(url))
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def in_scratch_database(prefix: str, keep: str | None, body: Callable[[], Awaitable[None]]) -> None:
    """Run ``body`` in this process with DATABASE_URL, REDIS_PREFIX and SECRET_KEY on a scratch database.

    For the benchmarks that seed their own rows in-process (SQL ``generate_series``) rather than
    through a :class:`Stack`.  ``keep``: a database reused (created when missing) and kept for the
    next run, whose seed then need not be repeated; otherwise ``<prefix>_<random>``, dropped at the end.
    """
    base = os.environ.get("DATABASE_URL", PG_ADMIN_URL)
    if not base.startswith("postgres"):
        raise SystemExit("this benchmark needs PostgreSQL (DATABASE_URL=postgres://...)")
    scratch = keep or f"{prefix}_{uuid.uuid4().hex[:8]}"
    if not await _pg_exec(base, "SELECT 1 FROM pg_database WHERE datname = $1", scratch):
        await _pg_exec(base, f'CREATE DATABASE "{scratch}"')
    os.environ["DATABASE_URL"] = _with_db(base, scratch)
    os.environ["REDIS_PREFIX"] = scratch
    os.environ.setdefault("REDIS_URL", REDIS_URL)
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(32)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        await body()
    finally:
        if not keep:  # a kept database is for the next run (drop it yourself)
            await _pg_exec(base, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


async def start_web(cwd: Path = ROOT) -> tuple[asyncio.subprocess.Process, str]:
    """One ``uvicorn api.app:app`` on a free loopback port with this process's environment, and its
    base URL once ``/healthz`` answers (for the benchmarks that seed in-process; a :class:`Stack`
    starts its own).  ``cwd``: another checkout of the code (a ``git worktree`` of an earlier
    commit), to time it against this one in the same run.  The caller terminates it."""
    import httpx

    port = _free_port()
    command = ["-m", "uvicorn", "api.app:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    web = await asyncio.create_subprocess_exec(PY, *command, cwd=cwd, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        for _ in range(600):
            if web.returncode is not None:
                raise BenchError(f"the web process exited with {web.returncode}")
            try:
                await http.get("/healthz")
                return web, base
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    web.terminate()
    raise BenchError("the web process did not answer /healthz within a minute")


@contextlib.contextmanager
def checkout(rev: str) -> Iterator[Path]:
    """An earlier commit's code in a temporary ``git worktree`` (removed on leaving), for
    :func:`start_web` ``(cwd=...)``: a benchmark then times it against this one in the same run."""
    folder = Path(tempfile.mkdtemp(prefix="bench-before-")) / "tree"
    git = ["git", "worktree"]
    subprocess.run([*git, "add", "--detach", str(folder), rev], cwd=ROOT, check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run([*git, "remove", "--force", str(folder)], cwd=ROOT, capture_output=True)


def comparable(data: Any, moving: set[str], digits: int = 12) -> Any:
    """An answer without the keys that move between two calls (the clock, live probes), floats cut
    to ``digits`` significant digits (a mean summed in another order differs in its last bits): what
    two answers are compared on when a benchmark checks that two ways of reading agree."""
    if isinstance(data, dict):
        return {k: comparable(v, moving, digits) for k, v in data.items() if k not in moving}
    if isinstance(data, list):
        return [comparable(v, moving, digits) for v in data]
    if isinstance(data, float):
        return float(f"{data:.{digits}g}")
    return data


async def in_turn(
    webs: dict[str, tuple[asyncio.subprocess.Process, str]],
    runs: int,
    call: Callable[[str, str], Awaitable[Any]],
    before: Callable[[str], Awaitable[None]] | None = None,
    after: Callable[[str, Any], Awaitable[None]] | None = None,
) -> dict[str, list[float]]:
    """Milliseconds of ``call(name, base_url)`` per web (:func:`start_web`), ``runs`` rounds calling
    each web in turn, so every version meets the same machine state.  ``before(name)`` and
    ``after(name, result)`` run around each call, untimed (counters, answer checks)."""
    times: dict[str, list[float]] = {name: [] for name in webs}
    for _ in range(runs):
        for name, (_, base) in webs.items():
            if before is not None:
                await before(name)
            started = time.perf_counter()
            result = await call(name, base)
            times[name].append((time.perf_counter() - started) * 1000)
            if after is not None:
                await after(name, result)
    return times


async def stop_webs(webs: dict[str, tuple[asyncio.subprocess.Process, str]]) -> None:
    for proc, _ in webs.values():
        proc.terminate()
        await proc.wait()


def p50_p95(times: list[float]) -> str:
    """``p50 p95`` in ms, as the side-by-side tables print them (8 wide each)."""
    return f"{statistics.median(times):>8.1f} {percentile(times, 0.95):>8.1f}"


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0-1) of ``values``: what every benchmark here reports as p95."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def format_block(title: str, rows: list[tuple[str, str]]) -> str:
    """A readable figures block: a title and aligned ``name  value`` lines."""
    width = max(len(name) for name, _ in rows)
    line = "=" * max(len(title), width + 30)
    body = "\n".join(f"  {name.ljust(width)}  {value}" for name, value in rows)
    return f"{line}\n{title}\n{line}\n{body}\n{line}"


@dataclass
class Stack:
    """One benchmark's private stack. Use as a context manager."""

    name: str
    worker: bool = True
    time_budget_seconds: float = 900.0
    env_overrides: dict[str, str] = field(default_factory=dict)
    rate_limit_per_minute: int = 1_000_000_000  # the load generator must not be throttled
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    template: str | None = None  # clone this database (e.g. a seeded one) instead of starting empty
    org_name: str | None = None  # bootstrap this organization/user (e.g. the one a template was seeded for)
    email: str | None = None
    ready_timeout_seconds: float = 60.0  # for the web (and the worker) to answer after start; more on a busy machine

    def __post_init__(self) -> None:
        self.database = f"bench_{self.name}_{self.run_id}"
        self.database_url = _with_db(PG_ADMIN_URL, self.database)
        self.prefix = f"bench_{self.name}_{self.run_id}"
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{self.prefix}-"))
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.api_key = ""
        self.access_token = ""
        self.organization_id = 0
        self._db_created = False
        self._old_alarm: Any = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": REDIS_URL,
            "REDIS_PREFIX": self.prefix,
            "APP_ENV": "production",
            "SECRET_KEY": self._secret,
            "DATA_DIR": str(self.tmp),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        env.update(self.env_overrides)
        return env

    def __enter__(self) -> Stack:
        self._secret = secrets.token_urlsafe(48)
        self._old_alarm = signal.signal(signal.SIGALRM, self._out_of_time)
        signal.alarm(int(self.time_budget_seconds))
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _out_of_time(self, *_: object) -> None:
        raise _OutOfTime(f"benchmark exceeded its budget of {self.time_budget_seconds:.0f}s")

    def _start(self) -> None:
        clone = f' TEMPLATE "{self.template}"' if self.template else ""
        asyncio.run(_pg_exec(PG_ADMIN_URL, f'CREATE DATABASE "{self.database}"{clone}'))
        self._db_created = True
        self.email = self.email or f"bench-{self.run_id}@bench.local"
        boot = self.cli(
            "bootstrap", "--org", self.org_name or f"Bench {self.run_id}", "--email", self.email, "--role", "admin"
        )
        self.organization_id = boot["organization_id"]
        self.access_token = boot["access_token"]
        key = self.cli(
            "create-api-key",
            "--email",
            self.email,
            "--name",
            "bench",
            "--rate-limit",
            str(self.rate_limit_per_minute),
        )
        self.api_key = key["api_key"]
        web = [PY, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1", "--port", str(self.port)]
        self._spawn("web", [*web, "--log-level", "warning", "--no-access-log"])
        if self.worker:
            self._spawn("worker", [PY, "-m", "arq", "workers.settings.WorkerSettings"])
        self._wait_ready(self.ready_timeout_seconds)

    def _spawn(self, name: str, cmd: list[str]) -> None:
        log = open(self.tmp / f"{name}.log", "wb")
        self.procs[name] = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )

    def _wait_ready(self, timeout: float = 60.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        else:
            raise BenchError(f"web process did not answer /healthz within {timeout:.0f} s")
        if self.worker:  # the worker announces itself with a heartbeat once its pump runs
            while time.monotonic() < deadline:
                self.check_alive()
                if self.redis().keys(f"{self.prefix}:worker*"):
                    return
                time.sleep(0.1)
            raise BenchError(f"worker did not start within {timeout:.0f} s")

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                tail = (self.tmp / f"{name}.log").read_text(errors="replace")[-3000:]
                raise BenchError(f"{name} exited with {proc.returncode}:\n{tail}")

    def close(self) -> None:
        signal.alarm(0)
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.procs.clear()
        with contextlib.suppress(Exception):
            r = self.redis()
            keys = list(r.scan_iter(match=f"{self.prefix}:*", count=1000))
            for i in range(0, len(keys), 1000):
                r.delete(*keys[i : i + 1000])
            r.close()
        if self._db_created:
            try:
                asyncio.run(_pg_exec(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
                self._db_created = False
            except Exception as exc:
                print(f"warning: could not drop {self.database}: {exc!r}", file=sys.stderr)
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self._old_alarm is not None:
            signal.signal(signal.SIGALRM, self._old_alarm)
            self._old_alarm = None

    # ------------------------------------------------------------------ helpers

    def cli(self, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            [PY, "-m", "api.cli", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            raise BenchError(f"api.cli {args[0]} failed: {done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def redis(self) -> Any:
        from redis import Redis

        return Redis.from_url(REDIS_URL, decode_responses=True)

    def sql(self, query: str, *args: Any) -> Any:
        return asyncio.run(_pg_exec(self.database_url, query, *args))

    def process(self, name: str) -> psutil.Process:
        return psutil.Process(self.procs[name].pid)

    def queue_backlog(self) -> int:
        """Entries waiting in the ingest stream or read but not yet committed (XDEL follows commit)."""
        r = self.redis()
        try:
            return int(r.xlen(f"{self.prefix}:ingest:stream"))
        finally:
            r.close()

    def wait_drained(self, timeout: float = 300.0, poll: float = 0.02) -> float:
        """Block until the ingest stream is empty; returns the monotonic time it was seen empty."""
        r = self.redis()
        stream = f"{self.prefix}:ingest:stream"
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if int(r.xlen(stream)) == 0:
                    return time.monotonic()
                self.check_alive()
                time.sleep(poll)
        finally:
            r.close()
        raise BenchError(f"ingest stream not drained within {timeout:.0f} s")

    def drained_after(self, load_done: Any, timeout: float = 300.0, poll: float = 0.01) -> float:
        """Poll the ingest stream while a load runs; return when it was last seen turning empty.

        ``load_done()`` says the load has finished; the answer is the monotonic time from which
        the stream stayed empty until then (the worker deletes entries only after committing).
        """
        r = self.redis()
        stream = f"{self.prefix}:ingest:stream"
        empty_since: float | None = None
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                done = load_done()
                now = time.monotonic()
                if int(r.xlen(stream)) > 0:
                    empty_since = None
                elif empty_since is None:
                    empty_since = now
                if done and empty_since is not None:
                    return empty_since
                self.check_alive()
                time.sleep(poll)
        finally:
            r.close()
        raise BenchError(f"ingest stream not drained within {timeout:.0f} s")

    def stored_events(self) -> int:
        return int(self.sql("SELECT count(*) FROM prompt_executions"))

    def database_backends(self) -> list[psutil.Process]:
        """The PostgreSQL server processes serving this stack's database now (its pools' connections).

        For CPU per event of the database's side of the drain; needs the server on this machine.
        """

        async def pids() -> list[int]:
            import asyncpg

            conn = await asyncpg.connect(_pg(PG_ADMIN_URL))
            try:
                rows = await conn.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", self.database
                )
                return [int(r["pid"]) for r in rows]
            finally:
                await conn.close()

        found = []
        for pid in asyncio.run(pids()):
            with contextlib.suppress(psutil.Error):
                found.append(psutil.Process(pid))
        return found


def cpu_seconds(proc: psutil.Process) -> float:
    """User + system CPU time of a process tree so far: a cost that other load on the machine barely skews."""
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system
    return total


def cpu_seconds_of(procs: list[psutil.Process]) -> dict[int, float]:
    """User + system CPU time so far of each process (no children), by pid; gone processes are left out."""
    out: dict[int, float] = {}
    for p in procs:
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            out[p.pid] = t.user + t.system
    return out


def database_cpu_spent(stack: Stack, before: dict[int, float]) -> float:
    """CPU seconds the stack's database backends spent since ``before`` (a :func:`cpu_seconds_of`
    reading of :meth:`Stack.database_backends`): those listed then, plus the whole time of those
    connected since (a pool opens connections as load rises; counting only the first ones
    under-reported the database's share by up to half)."""
    after = cpu_seconds_of(stack.database_backends())
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


class RssSampler:
    """Peak (and latest) resident memory of process trees (the process and all its children), sampled in a thread."""

    def __init__(self, processes: dict[str, psutil.Process], interval: float = 0.05) -> None:
        self.processes = processes
        self.interval = interval
        self.peak: dict[str, int] = dict.fromkeys(processes, 0)
        self.latest: dict[str, int] = dict.fromkeys(processes, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree_rss(self, proc: psutil.Process) -> int:
        total = 0
        for p in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, proc in self.processes.items():
                with contextlib.suppress(psutil.Error):
                    self.latest[name] = self._tree_rss(proc)
                    self.peak[name] = max(self.peak[name], self.latest[name])
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def peak_mb(self, name: str) -> float:
        return self.peak[name] / 1_048_576

    def latest_mb(self, name: str) -> float:
        """The most recent sample (soak benchmarks follow it over time)."""
        return self.latest[name] / 1_048_576


@dataclass
class WrkResult:
    requests: int
    duration_s: float  # the load window: wrk's run time, or start to stop time for exact runs
    statuses: dict[int, int]
    latency_us: dict[str, float]
    errors: dict[str, int]

    def count(self, status: int) -> int:
        return self.statuses.get(status, 0)

    def rate(self, status: int | None = None) -> float:
        n = self.requests if status is None else self.count(status)
        return n / self.duration_s if self.duration_s else 0.0


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk is not installed: run `make bench` (it apt-get installs wrk) or apt-get install wrk")
    return found


def run_wrk(
    url: str,
    *,
    duration: float,
    connections: int,
    threads: int = 1,
    method: str = "GET",
    token: str = "",
    bodies: list[bytes] | None = None,
    exact: bool = False,
    timeout_s: int = 10,
) -> WrkResult:
    """Run wrk against ``url`` (cycling through ``bodies``) and parse the JSON line load.lua prints.

    ``exact``: stop sending at a whole epoch second about ``duration`` from now and let every
    request in flight finish, so the status counts cover every request the server handled
    (see load.lua); the rate window is then start to stop time.
    """
    import math

    body_file = None
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_TOKEN": token, "BENCH_BODIES": "", "BENCH_STOP_AT": ""}
    started = time.time()
    wrk_seconds = max(1, round(duration))
    if exact:
        stop_at = math.ceil(started + duration)
        env["BENCH_STOP_AT"] = str(stop_at)
        wrk_seconds = math.ceil(stop_at - started) + 2  # threads stop themselves; wrk's clock runs on
    if bodies:
        body_file = tempfile.NamedTemporaryFile("wb", suffix=".ndjson", delete=False)
        for body in bodies:
            body_file.write(body.replace(b"\n", b" ") + b"\n")
        body_file.close()
        env["BENCH_BODIES"] = body_file.name
    cmd = [
        wrk_binary(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{wrk_seconds}s",
        f"--timeout={timeout_s}s",
        "-s",
        str(LUA),
        url,
    ]
    try:
        started = time.time()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=wrk_seconds + timeout_s + 30)
    finally:
        if body_file is not None:
            os.unlink(body_file.name)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_RESULT ")]
    if done.returncode != 0 or not lines:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr[-2000:]}\n{done.stdout[-2000:]}")
    data = json.loads(lines[-1][len("BENCH_RESULT ") :])
    if exact and data["unanswered"]:
        raise BenchError(f"{data['unanswered']} requests still unanswered when wrk stopped: counts would be inexact")
    return WrkResult(
        requests=int(data["requests"]),
        duration_s=(stop_at - started) if exact else data["duration_us"] / 1e6,
        statuses={int(k): int(v) for k, v in data["statuses"].items()},
        latency_us={k: float(v) for k, v in data["latency_us"].items()},
        errors={k: int(v) for k, v in data["errors"].items()},
    )


_T = TypeVar("_T")


class InBackground(Generic[_T]):
    """``fn()`` started in a daemon thread: a load that runs while the caller watches the drain."""

    def __init__(self, fn: Callable[[], _T]) -> None:
        self._out: list[_T] = []
        self._thread = threading.Thread(target=lambda: self._out.append(fn()), daemon=True)
        self._thread.start()

    def running(self) -> bool:
        return self._thread.is_alive()

    def result(self) -> _T:
        self._thread.join()
        if not self._out:
            raise BenchError("wrk failed (see above)")
        return self._out[0]


class Profiler:
    """``py-spy record`` on named processes for the length of a ``with`` block (``--profile DIR``).

    Writes collapsed stacks (``<name>.txt``, flamegraph.pl / speedscope input) and prints the
    functions with the most samples, inclusive and self, so a missed target comes with evidence.
    """

    def __init__(self, processes: dict[str, psutil.Process], out_dir: str | None, rate: int = 100) -> None:
        self.processes = processes
        self.out = Path(out_dir) if out_dir else None
        self.rate = rate
        self.spies: dict[str, subprocess.Popen[bytes]] = {}

    def __enter__(self) -> Profiler:
        if self.out is None:
            return self
        spy = shutil.which("py-spy") or str(Path(PY).parent / "py-spy")
        if not Path(spy).exists():
            raise BenchError("--profile needs py-spy: .venv/bin/python -m pip install py-spy")
        self.out.mkdir(parents=True, exist_ok=True)
        for name, proc in self.processes.items():
            cmd = [spy, "record", "--pid", str(proc.pid), "--rate", str(self.rate), "--format", "raw"]
            cmd += ["--nonblocking", "-o", str(self.out / f"{name}.txt")]
            self.spies[name] = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        return self

    def __exit__(self, *exc: object) -> None:
        for spy in self.spies.values():
            spy.send_signal(signal.SIGINT)
        for spy in self.spies.values():
            try:
                spy.wait(timeout=30)
            except subprocess.TimeoutExpired:
                spy.kill()

    def summary(self, top: int = 12) -> str:
        """Top functions by samples: inclusive for the project's own code, self time for everything."""
        if self.out is None:
            return ""
        own = ("api/", "services/", "workers/", "models/", "graphql_schema/")
        lines = []
        for name in self.spies:
            path = self.out / f"{name}.txt"
            if not path.exists():
                continue
            inclusive: dict[str, int] = {}
            self_time: dict[str, int] = {}
            total = 0
            for raw in path.read_text(errors="replace").splitlines():
                stack, _, count_s = raw.rpartition(" ")
                if not count_s.isdigit():
                    continue
                count = int(count_s)
                total += count
                frames = [f.rsplit(":", 1)[0] + ")" if f.endswith(")") else f for f in stack.split(";") if f]
                for f in set(frames):
                    if f.partition(" (")[2].startswith(own):
                        inclusive[f] = inclusive.get(f, 0) + count
                if frames:
                    self_time[frames[-1]] = self_time.get(frames[-1], 0) + count
            lines.append(f"py-spy {name}: {total} samples ({path})")
            for title, table in (("inclusive, project code", inclusive), ("self", self_time)):
                lines.append(f"  top {title}:")
                for f, c in sorted(table.items(), key=lambda kv: -kv[1])[:top]:
                    lines.append(f"    {100 * c / max(total, 1):5.1f}%  {f}")
        return "\n".join(lines)
