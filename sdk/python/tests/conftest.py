"""The SDK against the real server: uvicorn and an arq worker as subprocesses on this run's database.

The project's test environment (``tests/conftest.py``: a per-run PostgreSQL database or SQLite
file, a per-run Redis prefix, migrations applied) is reused by importing it.  Nothing here opens
the ORM in this process (the project's session-wide ``app`` may hold it): tenants come from
``python -m api.cli bootstrap`` and stored events are read with plain SQL.  In front of the server sits :class:`Gate`, a
small loopback HTTP proxy the tests switch between forwarding, answering 429 or 503 with a
``Retry-After``, and being down (its port closed), to play the server that is throttling or gone.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
try:
    import promptops  # noqa: F401
except ImportError:  # `make install` could not pip install the SDK (offline): test the sources
    sys.path.insert(0, str(ROOT / "sdk" / "python" / "src"))

import tests.conftest as project  # noqa: E402  (sets up the database and Redis for this run)
from tests.conftest import IS_POSTGRES  # noqa: E402


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the run's database when only the SDK's tests ran (otherwise tests/conftest.py does it)."""
    if not session.config.pluginmanager.is_registered(project):
        project.pytest_sessionfinish(session, exitstatus)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The app under uvicorn plus one arq worker (which drains the ingest stream into the database)."""
    web, port = serve()
    worker = subprocess.Popen(
        [sys.executable, "-m", "arq", "workers.settings.WorkerSettings"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_worker(worker)
        yield f"http://127.0.0.1:{port}"
    finally:
        for proc in (worker, web):
            proc.terminate()
        for proc in (worker, web):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_for_worker(worker: subprocess.Popen[bytes], within: float = 120) -> None:
    """Until the worker's first heartbeat is in Redis: it has started and runs the ingest drain."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True, socket_timeout=5)
    deadline = time.monotonic() + within
    try:
        while not any(
            json.loads(v).get("pid") == worker.pid
            for v in client.hvals(f"{os.environ['REDIS_PREFIX']}:worker:heartbeat")
        ):
            assert worker.poll() is None, "the arq worker exited"
            assert time.monotonic() < deadline, "the arq worker did not start"
            time.sleep(0.1)
    finally:
        client.close()


@dataclass
class Hit:
    at: float
    path: str
    status: int  # what the gate answered (or forwarded)
    events: int


@dataclass
class Gate:
    """A loopback proxy to ``upstream`` whose behaviour the test sets with :meth:`throttle` / :meth:`down`."""

    upstream: str
    port: int = 0
    mode: str = "forward"  # forward | 429 | 503
    retry_after: str | None = "1"
    remaining: int = 0  # answers in ``mode`` before it goes back to forwarding (0: until changed)
    hits: list[Hit] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> Gate:
        gate = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                events = body.count(b'"event_id"')
                with gate._lock:
                    mode = gate.mode
                    if mode != "forward" and gate.remaining:
                        gate.remaining -= 1
                        if gate.remaining == 0:
                            gate.mode = "forward"
                if mode == "forward":
                    status, headers, payload = gate._forward(self.command, self.path, dict(self.headers), body)
                else:
                    status = int(mode)
                    headers = {"Content-Type": "application/json"}
                    if gate.retry_after is not None:
                        headers["Retry-After"] = gate.retry_after
                    payload = b'{"success":false,"error":{"code":"X","message":"gate","details":[]}}'
                with gate._lock:
                    gate.hits.append(Hit(time.monotonic(), self.path, status, events))
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def down(self) -> None:
        """Close the port: connections are refused until :meth:`up` (same port)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def throttle(self, mode: str, answers: int = 0, retry_after: str | None = "1") -> None:
        with self._lock:
            self.mode, self.remaining, self.retry_after = mode, answers, retry_after

    def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        host, port = self.upstream.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            keep = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection")}
            conn.request(method, path, body=body, headers=keep)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def statuses(self) -> list[int]:
        with self._lock:
            return [h.status for h in self.hits]


@pytest.fixture
def gate(server: str) -> Iterator[Gate]:
    g = Gate(server).up()
    try:
        yield g
    finally:
        g.down()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Tenant:
    organization_id: int
    api_key: str


TENANT_SCRIPT = """
import asyncio, json, sys, uuid
from tortoise import Tortoise
from services.core.database import tortoise_config
from services.identity import tenancy
from services.identity.policy import Role

async def main(n):
    await Tortoise.init(config=tortoise_config(), _enable_global_fallback=True)
    try:
        for _ in range(n):
            tag = uuid.uuid4().hex[:8]
            r = await tenancy.bootstrap(f"sdk-{tag}", f"sdk-{tag}@example.test", Role.ADMIN)
            print(json.dumps({"organization_id": r.organization_id, "api_key": r.api_key}))
    finally:
        await Tortoise.close_connections()

asyncio.run(main(int(sys.argv[1])))
"""


@pytest.fixture(scope="session")
def tenant_pool() -> list[Tenant]:
    """Organizations with an admin API key each, made by one subprocess (the ORM stays out of this one)."""
    out = subprocess.run(
        [sys.executable, "-c", TENANT_SCRIPT, "20"], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return [Tenant(**json.loads(line)) for line in out.stdout.splitlines() if line.startswith("{")]


@pytest.fixture
def tenant(tenant_pool: list[Tenant]) -> Tenant:
    """A new organization of its own for each test, so its stored events are exactly the test's."""
    return tenant_pool.pop()


TABLES = {"prompt": "prompt_executions", "tool": "tool_executions", "llm": "usage_events"}


def stored_ids(kind: str, organization_id: int) -> list[str]:
    """Event ids stored for the organization (a list, so a duplicate would show)."""
    sql = f"SELECT event_id FROM {TABLES[kind]} WHERE organization_id = "
    if IS_POSTGRES:
        import asyncpg

        async def fetch() -> list[str]:
            conn = await asyncpg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1))
            try:
                return [str(r[0]) for r in await conn.fetch(sql + "$1", organization_id)]
            finally:
                await conn.close()

        box: list[list[str]] = []
        thread = threading.Thread(target=lambda: box.append(asyncio.run(fetch())))  # callable from async tests
        thread.start()
        thread.join()
        return box[0]
    path = os.environ["DATABASE_URL"].removeprefix("sqlite://")
    with sqlite3.connect(path, timeout=30) as conn:
        return [str(uuid.UUID(str(r[0]))) for r in conn.execute(sql + "?", (organization_id,))]


def wait_stored(kind: str, organization_id: int, expected: set[str], within: float = 60) -> list[str]:
    """Poll until every expected id is stored (the worker drains the stream); returns what is stored."""
    deadline = time.monotonic() + within
    while True:
        found = stored_ids(kind, organization_id)
        if expected <= set(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def serve(within: float = 180) -> tuple[subprocess.Popen[bytes], int]:
    """The app under uvicorn on a free loopback port, like tests/conftest.py's ``start_server`` but patient:
    on a loaded machine importing the app alone can take longer than that helper waits."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen([*command, "--log-level", "warning"], cwd=ROOT, env=dict(os.environ))
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("uvicorn did not start")
