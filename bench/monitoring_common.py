"""Shared set-up for the monitoring benchmarks: a fresh ``bench_<id>`` PostgreSQL database, a
Redis key prefix of its own, uvicorn subprocesses, and clean-up of all of it.

Self-contained on purpose (another bench harness may land on main later).  Only loopback
addresses are used.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BASE_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _pg(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(BASE_DB.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


class BenchEnv:
    """A database and a Redis prefix for one run; ``env`` is what every subprocess gets."""

    def __init__(self) -> None:
        self.run_id = uuid.uuid4().hex[:8]
        self.db_name = f"bench_{self.run_id}"
        parts = urlsplit(BASE_DB)
        self.database_url = urlunsplit(parts._replace(path=f"/{self.db_name}"))
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": REDIS_URL,
            "REDIS_PREFIX": f"bench_{self.run_id}",
            "APP_ENV": "test",
            "LOG_LEVEL": "WARNING",
        }
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> BenchEnv:
        asyncio.run(_pg(f'CREATE DATABASE "{self.db_name}"'))
        subprocess.run([PY, "-m", "api.cli", "migrate"], cwd=ROOT, env=self.env, check=True, capture_output=True)
        return self

    def bootstrap(self, role: str = "admin") -> dict[str, str]:
        out = subprocess.run(
            [PY, "-m", "api.cli", "bootstrap", "--org", "bench", "--email", "bench@bench.local", "--role", role],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    def uvicorn(self, **extra_env: str) -> int:
        port = free_port()
        proc = subprocess.Popen(
            [
                PY,
                "-m",
                "uvicorn",
                "api.app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**self.env, **extra_env},
        )
        self.procs.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return port
            if proc.poll() is not None:
                raise RuntimeError("uvicorn exited during start-up")
            time.sleep(0.1)
        raise RuntimeError("uvicorn did not start within 30 s")

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            if proc.poll() is None:
                proc.kill()
        with contextlib.suppress(Exception):
            asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))
        with contextlib.suppress(Exception):
            asyncio.run(self._drop_keys())

    async def _drop_keys(self) -> None:
        from redis.asyncio import Redis

        client = Redis.from_url(REDIS_URL)
        try:
            keys = [k async for k in client.scan_iter(match=f"bench_{self.run_id}:*", count=1000)]
            for i in range(0, len(keys), 500):
                await client.delete(*keys[i : i + 500])
        finally:
            await client.aclose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


@contextlib.contextmanager
def section(title: str) -> Iterator[None]:
    print(f"== {title}", flush=True)
    yield
