"""Security middleware overhead and a 401 flood, one run.

1. ``GET /healthz`` req/s with security monitoring on vs off: three uvicorn processes on one
   fresh ``bench_<id>`` database and Redis prefix: "on" (the app as shipped, with
   ``SECURITY_ALLOWLIST`` emptied so loopback requests take the full path: address
   resolution, decision lookup against 1,000 active decisions, response watching), "off"
   (the same app with the security middleware removed) and "control" (off again: the noise
   floor).  wrk hits them in rotating order over several rounds; medians are compared.
   Target: on/off >= 0.9.  Also the in-process cost per request (whole ASGI stack, on vs off).
2. A flood of 401s from 1,000 addresses (``X-Forwarded-For`` through ``TRUSTED_PROXIES``):
   every 401 must come back as a stored ``invalid_token`` event (after the recorder's flush
   and the ingest drain), and the web process's RSS must stay under 300 MB.

    .venv/bin/python bench/security_middleware.py [--rounds 6] [--seconds 3] [--flood 30000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent

from harness import cpu_seconds  # noqa: E402
from monitoring_common import BenchEnv, free_port, section  # noqa: E402
from monitoring_middleware import wrk  # noqa: E402


def app_without_security() -> Any:
    """``uvicorn --factory bench.security_middleware:app_without_security``: the app minus the middleware."""
    sys.path.insert(0, str(ROOT))
    from api.app import create_app
    from api.security_middleware import SecurityMiddleware

    app = create_app()
    app.user_middleware = [m for m in app.user_middleware if m.cls is not SecurityMiddleware]
    return app


def uvicorn(env: BenchEnv, target: str, factory: bool = False, **extra: str) -> int:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--no-access-log", "--log-level", "warning"] + (["--factory"] if factory else [])
    proc = subprocess.Popen(command, cwd=ROOT, env={**env.env, **extra})
    env.procs.append(proc)
    deadline = time.monotonic() + 120  # a loaded machine can take long to import the app
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return port
        if proc.poll() is not None:
            raise RuntimeError("uvicorn exited during start-up")
        time.sleep(0.1)
    raise RuntimeError("uvicorn did not start")


def _use(env: BenchEnv) -> None:
    """Point this process's settings at the bench database and Redis (before importing services)."""
    for name in ("DATABASE_URL", "REDIS_URL", "REDIS_PREFIX", "APP_ENV"):
        os.environ[name] = env.env[name]
    sys.path.insert(0, str(ROOT))


async def _seed_decisions(n: int) -> None:
    from services.core import redis_client
    from services.identity.policy import Principal, Role
    from services.security import RECORDER, decisions

    redis_client.connect()
    root = Principal(1, 1, Role.SUPERUSER)
    for i in range(n):
        await decisions.block(root, f"198.19.{i // 250}.{i % 250 + 1}", 3600, "bench")
    RECORDER._pending.clear()  # the bench's own ip_blocked events are not part of the measurement
    await redis_client.close()


def in_process(calls: int = 20_000) -> tuple[float, float]:
    """Microseconds per ``GET /healthz`` through the whole ASGI stack, middleware on and off."""
    from api.app import create_app
    from api.security_middleware import SecurityMiddleware
    from services.core.config import get_settings
    from services.security import GUARD

    on = create_app()
    off = create_app(get_settings(), orm_global_fallback=False)
    off.user_middleware = [m for m in off.user_middleware if m.cls is not SecurityMiddleware]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/healthz",
        "raw_path": b"/healthz",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench")],
        "client": ("198.51.100.200", 1),  # not allow-listed: the full path
        "server": ("bench", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    async def run(app: Any, n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            await app(dict(scope), receive, send)
        return (time.perf_counter() - started) / n * 1e6

    async def measure() -> tuple[float, float]:
        from services.core import redis_client

        redis_client.connect()
        await GUARD.refresh()
        got: dict[str, list[float]] = {"on": [], "off": []}
        for app in (on, off):
            await run(app, 500)
        for _ in range(20):
            got["on"].append(await run(on, calls // 20))
            got["off"].append(await run(off, calls // 20))
        await redis_client.close()
        return min(got["on"]), min(got["off"])

    return asyncio.run(measure())


async def _flood(port: int, total: int, addresses: int, concurrency: int) -> dict[int, int]:
    import httpx

    statuses: dict[int, int] = {}
    counter = iter(range(total))

    per_address = max(1, total // addresses)

    async def worker(client: httpx.AsyncClient) -> None:
        for i in counter:
            a = (i // per_address) % addresses  # each address in a burst: its bad-token bucket overflows
            ip = f"198.18.{a // 250}.{a % 250 + 1}"
            r = await client.get(
                "/api/v1/auth/me", headers={"Authorization": "Bearer not-a-token", "X-Forwarded-For": ip}
            )
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return statuses


async def _stored_events() -> tuple[int, int]:
    from tortoise import Tortoise

    from models.security import SecurityEvent
    from services.core import redis_client
    from services.core.database import tortoise_config
    from services.ingest import pipeline

    redis_client.connect()
    await Tortoise.init(config=tortoise_config(), _enable_global_fallback=True)
    try:
        while True:
            result = await pipeline.drain("bench", max_seconds=30)
            if result.read == 0 and not result.backlog:
                break
        tokens = await SecurityEvent.filter(event_type="invalid_token").count()
        blocks = await SecurityEvent.filter(event_type="ip_blocked", source_ip__startswith="198.18.").count()
        return tokens, blocks
    finally:
        await Tortoise.close_connections()
        await redis_client.close()


def main() -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per flood request otherwise
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--flood", type=int, default=30_000, help="401 requests in the flood")
    parser.add_argument("--addresses", type=int, default=1000)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (make bench installs it with apt)", file=sys.stderr)
        return 2
    ok = True
    with BenchEnv() as env:
        _use(env)
        asyncio.run(_seed_decisions(1000))
        ports = {
            "on": uvicorn(env, "api.app:app", SECURITY_ALLOWLIST=""),
            "off": uvicorn(env, "bench.security_middleware:app_without_security", factory=True),
            "control": uvicorn(env, "bench.security_middleware:app_without_security", factory=True),
        }
        with section(f"warm-up ({env.db_name})"):
            for port in ports.values():
                wrk(port, 2, args.connections)
        results: dict[str, list[float]] = {name: [] for name in ports}
        cpu_us: dict[str, list[float]] = {name: [] for name in ports}
        servers = {name: psutil.Process(env.procs[i].pid) for i, name in enumerate(ports)}
        names = list(ports)
        for i in range(args.rounds):
            for name in names[i % 3 :] + names[: i % 3]:
                before = cpu_seconds(servers[name])
                rps = wrk(ports[name], args.seconds, args.connections)
                results[name].append(rps)
                cpu_us[name].append((cpu_seconds(servers[name]) - before) / (rps * args.seconds) * 1e6)
            print(f"round {i + 1}: " + "  ".join(f"{n} {results[n][-1]:8.1f}" for n in names) + " req/s", flush=True)
        med = {name: statistics.median(values) for name, values in results.items()}
        ratio = med["on"] / med["off"]
        print(
            f"median GET /healthz req/s  security on: {med['on']:.1f}  off: {med['off']:.1f}  "
            f"control: {med['control']:.1f}"
        )
        print(f"ratio on/off: {ratio:.3f} (target >= 0.9); noise floor control/off: {med['control'] / med['off']:.3f}")
        cpu = {name: statistics.median(values) for name, values in cpu_us.items()}
        print(
            f"server CPU per request (median): on {cpu['on']:.1f} us, off {cpu['off']:.1f} us, "
            f"control {cpu['control']:.1f} us; CPU-bound ratio off/on {cpu['off'] / cpu['on']:.3f}"
        )
        ok = ok and ratio >= 0.9
        on_us, off_us = in_process()
        print(
            f"in-process GET /healthz: on {on_us:.1f} us, off {off_us:.1f} us per request; "
            f"middleware cost {on_us - off_us:.1f} us; ratio off/on {off_us / on_us:.3f}"
        )
        for proc in env.procs:
            proc.terminate()
            proc.wait(timeout=20)
        env.procs.clear()

        flood_port = uvicorn(env, "api.app:app", TRUSTED_PROXIES="127.0.0.1/32", SECURITY_ALLOWLIST="")
        web = psutil.Process(env.procs[-1].pid)
        peak = [web.memory_info().rss]
        sampling = True

        def sample() -> None:
            while sampling:
                peak.append(web.memory_info().rss)
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        logging.getLogger("httpx").setLevel(logging.WARNING)  # create_app configured INFO logging meanwhile
        statuses = asyncio.run(_flood(flood_port, args.flood, args.addresses, 64))
        elapsed = time.monotonic() - started
        time.sleep(1.0)
        sampling = False
        sampler.join()
        env.procs[-1].terminate()  # lifespan shutdown: the last flush
        env.procs[-1].wait(timeout=30)
        env.procs.clear()
        tokens, blocks = asyncio.run(_stored_events())
        answered_401 = statuses.get(401, 0)
        rss_mb = max(peak) / 2**20
        print(
            f"flood: {sum(statuses.values())} requests from {args.addresses} addresses in {elapsed:.1f} s "
            f"({sum(statuses.values()) / elapsed:.0f} req/s), statuses {dict(sorted(statuses.items()))}"
        )
        print(
            f"stored invalid_token events {tokens} for {answered_401} answered 401s (lost {answered_401 - tokens}); "
            f"automatic blocks {blocks}; web RSS peak {rss_mb:.1f} MB (limit 300)"
        )
        ok = ok and tokens == answered_401 and rss_mb < 300
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
