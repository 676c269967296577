"""``GET /metrics`` scrape time with 200 endpoints tracked (target <= 50 ms).

Fills the request metrics of a fresh ``bench_<id>`` run with 200 route templates x 3
methods-worth of traffic (through the same recorder and flush the middleware uses), starts
uvicorn, and times sequential scrapes over HTTP with an admin token.  The first scrape
computes the database-backed business gauges (cached for 30 s); the rest are warm.

    .venv/bin/python bench/monitoring_scrape.py [--endpoints 200] [--scrapes 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitoring_common import BenchEnv, percentile, section


async def fill(endpoints: int) -> int:
    from services.core import redis_client
    from services.observability import requests as request_metrics

    rng = random.Random(7)
    recorder = request_metrics.RECORDER
    for i in range(endpoints):
        route = f"/bench/resource{i}/{{item_id}}"
        for _ in range(50):
            status = rng.choice((200, 200, 200, 201, 404, 500))
            recorder.record("GET", route, status, rng.lognormvariate(-4, 1), 120, rng.randint(100, 5000))
    written = await request_metrics.flush()
    await redis_client.close()
    return written


async def scrape(port: int, token: str, n: int) -> tuple[list[float], int, int]:
    import httpx

    times = []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(n):
            started = time.perf_counter()
            r = await http.get("/metrics", headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            r.raise_for_status()
    series = sum(1 for line in r.text.splitlines() if line and not line.startswith("#"))
    return times, series, len(r.content)


async def render_in_process(n: int) -> list[float]:
    """Milliseconds for ``prometheus_export.render`` alone (no HTTP), with the gauges cache warm."""
    from tortoise import Tortoise

    from services.core import redis_client
    from services.core.database import tortoise_config
    from services.identity.policy import Principal, Role
    from services.observability import prometheus as prometheus_export

    await Tortoise.init(config=tortoise_config())
    try:
        admin = Principal(1, 1, Role.SUPERUSER)
        await prometheus_export.render(admin)
        times = []
        for _ in range(n):
            started = time.perf_counter()
            await prometheus_export.render(admin)
            times.append((time.perf_counter() - started) * 1000)
        return times
    finally:
        await Tortoise.close_connections()
        await redis_client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=200)
    parser.add_argument("--scrapes", type=int, default=50)
    args = parser.parse_args()
    with BenchEnv() as env:
        os.environ.update({k: v for k, v in env.env.items() if k in ("DATABASE_URL", "REDIS_URL", "REDIS_PREFIX")})
        token = env.bootstrap("superuser")["access_token"]
        with section(f"fill {args.endpoints} endpoints ({env.db_name})"):
            print(f"requests recorded: {asyncio.run(fill(args.endpoints))}")
        port = env.uvicorn()
        times, series, size = asyncio.run(scrape(port, token, args.scrapes))
        rendered = asyncio.run(render_in_process(args.scrapes))
    warm = times[1:]
    print(f"series in exposition: {series}, body {size / 1024:.1f} KiB")
    print(f"cold scrape (computes business gauges): {times[0]:.1f} ms")
    print(
        f"warm scrapes ({len(warm)}): p50 {percentile(warm, 0.5):.1f} ms  p95 {percentile(warm, 0.95):.1f} ms  "
        f"max {max(warm):.1f} ms  (target <= 50 ms)"
    )
    print(
        f"render in-process (no HTTP): min {min(rendered):.1f} ms  p50 {percentile(rendered, 0.5):.1f} ms  "
        f"p95 {percentile(rendered, 0.95):.1f} ms"
    )
    return 0 if percentile(warm, 0.95) <= 50 else 1


if __name__ == "__main__":
    raise SystemExit(main())
