"""Top statements from pg_stat_statements, for real: a private PostgreSQL cluster (initdb in a temporary
folder) with pg_stat_statements preloaded, the app under uvicorn against it, migrated and bootstrapped
through the operator CLI."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import run_cli

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb refuses to run as root: run the cluster as the postgres system user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _usable() -> str | None:
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL binaries in {PG_BIN} (set PG_BIN)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres user to own the cluster"
        if not shutil.which("runuser"):
            return "running as root without runuser"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    reason = _usable()
    if reason:
        pytest.skip(reason)
    tmp = Path(tempfile.mkdtemp(prefix="dbperf-pg-"))
    data, port = tmp / "data", _free_port()
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(tmp, user.pw_uid, user.pw_gid)
    run = {"check": True, "capture_output": True, "timeout": 120}
    subprocess.run(
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]), **run
    )
    conf = (
        f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{tmp}'\n"
        "shared_preload_libraries = 'pg_stat_statements'\nfsync = off\nmax_connections = 40\n"
    )
    with open(data / "postgresql.conf", "a") as fh:
        fh.write(conf)
    ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(tmp / "log"), "-w"]
    subprocess.run(_as_postgres([*ctl, "start"]), **run)
    try:
        subprocess.run(
            [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c", "CREATE DATABASE app"],
            **run,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/app"
    finally:
        subprocess.run(_as_postgres([*ctl, "stop", "-m", "fast"]), capture_output=True, timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


def _start_server(env: dict[str, str], wait_seconds: float = 90.0) -> tuple[subprocess.Popen[bytes], int]:
    """uvicorn against the private cluster; waits longer than conftest's start_server, since importing the
    app alone takes over 15 s on a loaded machine."""
    import sys
    import time

    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, **env},
    )
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("uvicorn did not start")


async def _sql(url: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def test_top_statements_from_a_preloaded_pg_stat_statements(cluster):
    env = {"DATABASE_URL": cluster, "REDIS_PREFIX": os.environ["REDIS_PREFIX"] + "_pss"}
    run_cli("migrate", env=env)
    boot = run_cli("bootstrap", "--org", "pss", "--email", "pss@example.test", "--role", "superuser", env=env)
    token = json.loads(boot.stdout)["access_token"]
    proc, port = _start_server(env)
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as http:
            before = (await http.get("/admin/performance/database/metrics", params={"period": "1h"})).json()["data"]
            top = before["top_statements"]
            assert top["available"] is False and "CREATE EXTENSION pg_stat_statements" in top["note"]
            assert "not created" in top["note"]  # loaded (preloaded) but not created in this database

            await _sql(
                cluster,
                "CREATE EXTENSION pg_stat_statements",
                "SELECT count(*) FROM generate_series(1, 3000000)",
                "SET work_mem = '64kB'",
                "SELECT g FROM generate_series(1, 300000) g ORDER BY g DESC",
            )
            data = (await http.get("/v1/admin/performance/database/metrics")).json()["data"]
            top = data["top_statements"]
            assert top["available"] is True and top["since"] is not None and top["items"]
            heavy = next(s for s in top["items"] if "generate_series" in s["query"] and "count" in s["query"])
            assert heavy["calls"] == 1 and heavy["total_time_ms"] > 0 and heavy["rows"] == 1
            assert heavy["query"] == "SELECT count(*) FROM generate_series($1, $2)"  # normalised by PostgreSQL
            times = [s["total_time_ms"] for s in top["items"]]
            assert times == sorted(times, reverse=True)

            advice = (await http.get("/admin/performance/database/scaling")).json()["data"]
            work_mem = next(e for e in advice["evaluated"] if e["name"] == "work_mem")
            spill = next(d for d in work_mem["details"] if "ORDER BY" in d["query"])
            assert spill["temp_blks_written"] > 0
            health = (await http.get("/admin/performance/database/health")).json()["data"]
            temp = next(c for c in health["checks"] if c["name"] == "temp_files")
            assert temp["details"][0]["temp_files"] >= 1 and temp["details"][0]["work_mem"] == "4MB"
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
