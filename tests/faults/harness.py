"""Real dependencies that a fault scenario owns and breaks on purpose, and the ledger that judges it.

Each scenario gets its own ``redis-server`` (append-only file, ``appendfsync always``: a reply
means the write is on disk, so killing the server loses nothing it acknowledged), its own
PostgreSQL cluster (``initdb`` + ``pg_ctl`` in a temporary folder, run as ``postgres`` when we
are root), and the app and its arq workers as real subprocesses pointed at them.  Nothing here
is mocked and nothing leaves loopback.

The :class:`Ledger` counts by the event ids the client chose: an id is *acknowledged* when its
request got a 2xx.  :meth:`Stack.verify` then reads the private database: every acknowledged id
must be stored once, nothing the client never sent may appear, and the hourly and daily rollups
must equal the raw events.  Used by ``tests/faults`` (CI, bounded) and ``bench/faults.py``
(longer, prints the figures).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
# bench/faults.py runs the same scenarios longer: event counts and fault durations are multiplied by this
SCALE = float(os.environ.get("FAULTS_SCALE") or 1)
PYTHON = sys.executable
LOOPBACK = "127.0.0.0/8,::1/128"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def postgres_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (PATH first, then Debian's versioned folders)."""
    found = shutil.which("initdb")
    if found and (Path(found).resolve().parent / "pg_ctl").exists():
        return Path(found).resolve().parent  # /usr/local/bin/initdb may be a lone symlink into Debian's folder
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


async def until(check: Callable[[], Awaitable[Any]], within: float, every: float = 0.2, what: str = "") -> float:
    """Poll ``check`` until it returns a truthy value; returns the seconds it took (fails after ``within``)."""
    started = time.monotonic()
    last: Any = None
    while True:
        try:
            last = await check()
        except Exception as exc:  # a dependency still coming back
            last = exc
        if last and not isinstance(last, Exception):
            return time.monotonic() - started
        if time.monotonic() - started > within:
            raise AssertionError(f"timed out after {within}s waiting for {what or check}: last={last!r}")
        await asyncio.sleep(every)


# --------------------------------------------------------------------------- processes


@dataclass
class Proc:
    """A child process we started (we only ever signal this pid)."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    port: int | None = None

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive:
            self.popen.send_signal(sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=20)
            if self.alive:
                self.popen.kill()
                self.popen.wait(timeout=10)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _spawn(name: str, argv: list[str], env: dict[str, str], log: Path, **kw: Any) -> subprocess.Popen[bytes]:
    out = open(log, "ab")  # the child keeps its own descriptor
    try:
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, **kw)
    finally:
        out.close()


class PrivateRedis:
    """A ``redis-server`` only this scenario uses, on a spare port, persisting every write before replying."""

    def __init__(self, folder: Path) -> None:
        from services.core.embedded_redis import server_binary

        self.binary = server_binary()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        argv += ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
        self.proc = _spawn("redis", argv, dict(os.environ), self.folder / "redis.log")
        deadline = time.monotonic() + 15
        while not port_open(self.port):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"redis-server did not start on {self.port}")
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: no shutdown save; what it acknowledged must already be in the append-only file."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


class PrivatePostgres:
    """A PostgreSQL cluster in a temporary folder (``initdb`` + ``pg_ctl``) on a spare port."""

    def __init__(self, folder: Path, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.as_postgres = os.geteuid() == 0  # initdb refuses root: run the cluster as postgres
        if self.as_postgres:
            shutil.chown(folder, "postgres", "postgres")
        self.data = folder / "data"
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/app"

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bin / tool), *args]
        if self.as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=120, cwd=self.folder)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "app")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=100"
        log = str(self.folder / "pg.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: a clean shutdown; ``immediate``: a crash (recovery from WAL at the next start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    async def connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/app", timeout=5)


# --------------------------------------------------------------------------- the ledger


@dataclass
class Ledger:
    """What the client sent and what the service acknowledged, by event id."""

    sent: set[str] = field(default_factory=set)
    acked: set[str] = field(default_factory=set)
    answers: Counter[int] = field(default_factory=Counter)  # status code -> requests
    missing_retry_after: int = 0  # 503/429 answers without a Retry-After header
    transport_errors: int = 0  # no answer at all (connection refused/reset): outcome unknown to the client

    def note(self, ids: Iterable[str], response: httpx.Response | None) -> bool:
        ids = list(ids)
        self.sent.update(ids)
        if response is None:
            self.transport_errors += 1
            return False
        self.answers[response.status_code] += 1
        if response.status_code in (429, 503) and not response.headers.get("retry-after"):
            self.missing_retry_after += 1
        if 200 <= response.status_code < 300:
            self.acked.update(ids)
            return True
        return False

    @property
    def accepted_requests(self) -> int:
        return sum(n for status, n in self.answers.items() if 200 <= status < 300)


def event(prompt: uuid.UUID, when: datetime | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "prompt_id": str(prompt),
        "version_hash": extra.pop("version_hash", "v1"),
        "event_id": str(uuid.uuid4()),
        "latency_ms": extra.pop("latency_ms", 100.0),
        "cost_usd": extra.pop("cost_usd", 0.001),
        "status": extra.pop("status", "completed"),
    }
    if when is not None:
        body["timestamp"] = when.astimezone(UTC).isoformat()
    body.update(extra)
    return body


async def post_batch(
    http: httpx.AsyncClient, base: str, token: str, events: list[dict[str, Any]], ledger: Ledger, wait: float = 10
) -> httpx.Response | None:
    """POST a batch; the ledger records its ids as acknowledged only on a 2xx."""
    try:
        r = await http.post(
            f"{base}/api/v1/prompts/analytics/batch",
            json={"events": events},
            headers={"Authorization": f"Bearer {token}"},
            timeout=wait,
        )
    except httpx.HTTPError:
        ledger.note((e["event_id"] for e in events), None)
        return None
    if r.status_code == 202:
        assert r.json()["data"]["event_ids"] == [e["event_id"] for e in events], "ids must be the client's"
    ledger.note((e["event_id"] for e in events), r)
    return r


async def post_one(
    http: httpx.AsyncClient, base: str, token: str, body: dict[str, Any], ledger: Ledger, wait: float = 10
) -> httpx.Response | None:
    try:
        r = await http.post(
            f"{base}/api/v1/prompts/analytics", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=wait
        )
    except httpx.HTTPError:
        ledger.note([body["event_id"]], None)
        return None
    ledger.note([body["event_id"]], r)
    return r


# --------------------------------------------------------------------------- the stack


@dataclass
class Verdict:
    """What the database holds for one organization against the ledger."""

    sent: int
    acked: int
    stored: int
    missing: list[str]  # acknowledged, not stored
    unknown: list[str]  # stored, never sent by this client
    duplicates: int  # rows beyond one per event id
    stored_not_acked: int  # refused or unanswered, stored anyway (harmless: the id makes a retry a no-op)
    rollup_mismatches: list[tuple[Any, ...]]

    def figures(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "accepted": self.acked,
            "stored": self.stored,
            "missing": len(self.missing),
            "duplicates": self.duplicates,
            "stored_not_acked": self.stored_not_acked,
            "rollup_mismatches": len(self.rollup_mismatches),
        }

    def assert_exact(self, rollups: bool = True) -> None:
        assert not self.missing, f"{len(self.missing)} acknowledged events were lost, e.g. {self.missing[:3]}"
        assert self.duplicates == 0, f"{self.duplicates} events were stored more than once"
        assert not self.unknown, f"{len(self.unknown)} events stored that were never sent: {self.unknown[:3]}"
        if rollups:
            assert not self.rollup_mismatches, f"rollups differ from raw events: {self.rollup_mismatches[:5]}"


_RAW_VS_ROLLUPS = """
WITH raw AS (
    SELECT e.prompt_id, date_trunc('{unit}', e.occurred_at AT TIME ZONE 'UTC') AS bucket, count(*) AS n
    FROM prompt_executions e WHERE e.organization_id = $1 GROUP BY 1, 2
), rolled AS (
    SELECT r.prompt_id, r.bucket_start AT TIME ZONE 'UTC' AS bucket, sum(r.count) AS n
    FROM {table} r JOIN prompts p ON p.id = r.prompt_id WHERE p.organization_id = $1 GROUP BY 1, 2
)
SELECT coalesce(raw.prompt_id, rolled.prompt_id) AS prompt_id, coalesce(raw.bucket, rolled.bucket) AS bucket,
       coalesce(raw.n, 0) AS raw, coalesce(rolled.n, 0) AS rolled
FROM raw FULL OUTER JOIN rolled ON raw.prompt_id = rolled.prompt_id AND raw.bucket = rolled.bucket
WHERE coalesce(raw.n, 0) <> coalesce(rolled.n, 0)
ORDER BY 1, 2
"""


_SKEWED_ARQ = """
import runpy, sys, time
_real, _skew = time.time, float(sys.argv[1])
time.time = lambda: _real() + _skew
time.time_ns = lambda: int((_real() + _skew) * 1e9)
sys.argv = ["arq", "workers.settings.WorkerSettings"]
runpy.run_module("arq", run_name="__main__")
"""


class Stack:
    """One scenario's world: private Redis and PostgreSQL, the app's web and worker processes."""

    def __init__(self, name: str, **env: str) -> None:
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise RuntimeError("no initdb: install PostgreSQL server binaries")
        self.name = name
        self.root = Path(tempfile.mkdtemp(prefix=f"promptops-fault-{name}-"))
        os.chmod(self.root, 0o755)  # the postgres user must reach its cluster folder below
        self.redis = PrivateRedis(self.root / "redis")
        self.pg = PrivatePostgres(self.root / "pg", bin_dir)
        self.procs: list[Proc] = []
        self.extra_env = env
        self.credentials: dict[str, Any] = {}

    # -- lifecycle

    def env(self, **more: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
        base.update(
            APP_ENV="test",
            DATABASE_URL=self.pg.url,
            REDIS_URL=self.redis.url,
            REDIS_PREFIX=f"fault_{self.name}",
            DATA_DIR=str(self.root / "data"),
            LOG_LEVEL="WARNING",
            OUTBOUND_ALLOW_CIDRS=LOOPBACK,
            PYTHONUNBUFFERED="1",
        )
        base.update(self.extra_env)
        base.update(more)
        return base

    def up(self) -> Stack:
        self.redis.start()
        self.pg.init()
        # bootstrap applies the migrations first, as `api.cli migrate` would (one process fewer per scenario)
        self.credentials = self.cli(
            "bootstrap", "--org", f"fault-{self.name}", "--email", "ops@fault.test", "--role", "admin"
        )
        return self

    def down(self) -> None:
        for proc in reversed(self.procs):  # nothing to save: SIGKILL is the quick way out
            with contextlib.suppress(Exception):
                proc.kill(signal.SIGKILL)
        self.redis.stop()
        self.pg.stop("immediate")
        if not os.environ.get("FAULTS_KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)

    def cli(self, *args: str, **env: str) -> dict[str, Any]:
        done = subprocess.run(
            [PYTHON, "-m", "api.cli", *args], cwd=ROOT, env=self.env(**env), capture_output=True, text=True, timeout=180
        )
        if done.returncode != 0:
            raise RuntimeError(f"api.cli {' '.join(args)} failed: {done.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    @property
    def organization_id(self) -> int:
        return int(self.credentials["organization_id"])

    @property
    def api_key(self) -> str:
        return str(self.credentials["api_key"])

    @property
    def token(self) -> str:
        return str(self.credentials["access_token"])

    def web(self, **env: str) -> Proc:
        """The app under uvicorn (as ``api.cli run`` starts it), answering /healthz before this returns."""
        port = free_port()
        name = f"web{sum(p.name.startswith('web') for p in self.procs) + 1}"
        log = self.root / f"{name}.log"
        argv = [PYTHON, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1", "--port", str(port)]
        proc = Proc(name, _spawn(name, [*argv, "--log-level", "warning"], self.env(**env), log), log, port)
        self.procs.append(proc)
        deadline = time.monotonic() + 60
        while True:
            if not proc.alive:
                raise RuntimeError(f"{name} exited: {proc.tail()}")
            if port_open(port):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                        return proc
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start: {proc.tail()}")
            time.sleep(0.1)

    def worker(self, wait: bool = True, clock_skew: float = 0.0, **env: str) -> Proc:
        """An arq worker process (``python -m arq workers.settings.WorkerSettings``).

        With ``wait``, returns once its first heartbeat is in Redis (it has started up and runs its pump).
        ``clock_skew`` seconds are added to the process's ``time.time()`` (a host whose clock is off;
        without libfaketime this skews the wall clock the code reads through ``time``, not ``datetime``).
        """
        name = f"worker{sum(p.name.startswith('worker') for p in self.procs) + 1}"
        log = self.root / f"{name}.log"
        argv = [PYTHON, "-m", "arq", "workers.settings.WorkerSettings"]
        if clock_skew:
            argv = [PYTHON, "-c", _SKEWED_ARQ, str(clock_skew)]
        proc = Proc(name, _spawn(name, argv, self.env(**env), log), log)
        self.procs.append(proc)
        if wait:
            import redis

            client = redis.Redis.from_url(self.redis.url, decode_responses=True, socket_timeout=5)
            deadline = time.monotonic() + 60
            try:
                while not any(
                    json.loads(v).get("pid") == proc.popen.pid
                    for v in client.hvals(f"fault_{self.name}:worker:heartbeat")
                ):
                    if not proc.alive or time.monotonic() > deadline:
                        raise RuntimeError(f"{name} did not start: {proc.tail()}")
                    time.sleep(0.1)
            finally:
                client.close()
        return proc

    @staticmethod
    def base(proc: Proc) -> str:
        return f"http://127.0.0.1:{proc.port}"

    # -- observing the private services

    async def redis_client(self) -> Any:
        from redis.asyncio import Redis

        return Redis.from_url(self.redis.url, decode_responses=True, socket_timeout=5)

    async def stream_length(self) -> int:
        redis = await self.redis_client()
        try:
            return int(await redis.xlen(f"fault_{self.name}:ingest:stream"))
        finally:
            await redis.aclose()

    async def dirty_prompts(self) -> int:
        redis = await self.redis_client()
        try:
            return int(await redis.zcard(f"fault_{self.name}:rollup:dirty"))
        finally:
            await redis.aclose()

    async def stale_rollups(self) -> int:
        """Leave the rollup job real work, as an older version's drain or a repair does: delete the
        organization's rollup rows and mark every (prompt, hour) holding events dirty.  (The drain
        keeps rollups current in its own transaction, so ingest alone leaves nothing to rebuild.)
        Returns the hours marked."""
        org = self.organization_id
        conn = await self.pg.connect()
        try:
            hours = await conn.fetch(
                "SELECT DISTINCT prompt_id,"
                " extract(epoch FROM date_trunc('hour', occurred_at AT TIME ZONE 'UTC'))::bigint AS h"
                " FROM prompt_executions WHERE organization_id = $1",
                org,
            )
            await conn.execute("DELETE FROM prompt_rollups_hourly WHERE organization_id = $1", org)
            await conn.execute("DELETE FROM prompt_rollups_daily WHERE organization_id = $1", org)
        finally:
            await conn.close()
        now = time.time()
        redis = await self.redis_client()
        try:
            async with redis.pipeline(transaction=True) as pipe:
                for r in hours:
                    pipe.zadd(f"fault_{self.name}:rollup:dirty:{r['prompt_id']}", {str(r["h"]): now})
                    pipe.zadd(f"fault_{self.name}:rollup:dirty", {f"{org}:{r['prompt_id']}": now})
                await pipe.execute()
        finally:
            await redis.aclose()
        return len(hours)

    async def stored_ids(self, organization_id: int | None = None) -> Counter[str]:
        conn = await self.pg.connect()
        try:
            rows = await conn.fetch(
                "SELECT event_id::text AS id FROM prompt_executions WHERE organization_id = $1",
                organization_id or self.organization_id,
            )
        finally:
            await conn.close()
        return Counter(r["id"] for r in rows)

    async def prompt_ids(self) -> dict[str, int]:
        """The organization's prompts: uuid -> integer id (what the REST paths take)."""
        conn = await self.pg.connect()
        try:
            rows = await conn.fetch(
                "SELECT id, uuid::text AS u FROM prompts WHERE organization_id = $1", self.organization_id
            )
        finally:
            await conn.close()
        return {r["u"]: r["id"] for r in rows}

    async def rollup_mismatches(self, organization_id: int | None = None) -> list[tuple[Any, ...]]:
        conn = await self.pg.connect()
        try:
            found: list[tuple[Any, ...]] = []
            for unit, table in (("hour", "prompt_rollups_hourly"), ("day", "prompt_rollups_daily")):
                rows = await conn.fetch(
                    _RAW_VS_ROLLUPS.format(unit=unit, table=table), organization_id or self.organization_id
                )
                found += [(unit, *tuple(r)) for r in rows]
            return found
        finally:
            await conn.close()

    async def drained(self, ledger: Ledger, within: float = 60) -> float:
        """Wait until every acknowledged id is stored and the stream is empty; returns the seconds it took."""

        async def done() -> bool:
            stored = await self.stored_ids()
            return ledger.acked.issubset(stored) and await self.stream_length() == 0

        try:
            return await until(done, within, 0.25, "the acknowledged events to be stored")
        except AssertionError as exc:
            missing = len(ledger.acked - set(await self.stored_ids()))
            redis = await self.redis_client()
            try:
                stream = f"fault_{self.name}:ingest:stream"
                pending = await redis.xpending(stream, "drainers")
                entries = await redis.xrange(stream, count=3)
            finally:
                await redis.aclose()
            raise AssertionError(
                f"{exc}: {missing} acknowledged events not stored; stream length {await self.stream_length()}, "
                f"pending {pending}, first entries {str(entries)[:600]}\n{self.logs()}"
            ) from None

    async def rolled_up(self, within: float = 60) -> float:
        """Wait until no prompt is marked dirty and the rollups equal the raw events."""

        async def done() -> bool:
            return await self.dirty_prompts() == 0 and not await self.rollup_mismatches()

        try:
            return await until(done, within, 0.5, "rollups to equal the raw events")
        except AssertionError as exc:
            wrong = await self.rollup_mismatches()
            raise AssertionError(
                f"{exc}: {await self.dirty_prompts()} prompts still dirty, {len(wrong)} buckets wrong"
                f" (first {wrong[:3]})\n{self.logs()}"
            ) from None

    async def verify(self, ledger: Ledger, organization_id: int | None = None) -> Verdict:
        stored = await self.stored_ids(organization_id)
        return Verdict(
            sent=len(ledger.sent),
            acked=len(ledger.acked),
            stored=len(stored),
            missing=sorted(ledger.acked - set(stored)),
            unknown=sorted(set(stored) - ledger.sent),
            duplicates=sum(n - 1 for n in stored.values() if n > 1),
            stored_not_acked=len((set(stored) & ledger.sent) - ledger.acked),
            rollup_mismatches=await self.rollup_mismatches(organization_id),
        )

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} (alive={p.alive})\n{p.tail(40)}" for p in self.procs)
