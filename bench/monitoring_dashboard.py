"""The monitoring dashboard against the commit before its readings were shared, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/monitoring_dashboard.py [--before REV] [--routes 230] [--runs 20]

``GET /v1/monitoring/dashboard?hours=N`` shows the recommendations beside what they are made of:
request metrics per hour (two Redis hashes per hour: counters and latency sketches), the hosts'
hourly history, the database pool, the ingest backlog, the rollup lag and the threshold breaches.
Before ``_Readings`` it read the request-metric hours three times and the rest twice.

Seeded: request metrics for every hour of the last week over ``--routes`` routes (20 requests per
route and hour, recorded and flushed by the service's own recorder), and a host sample a minute.
The current code and ``--before`` (a ``git worktree``) serve the same database and Redis, called in
turn; the script prints p50/p95 per window, Redis ``HGETALL`` calls per request (from ``INFO
commandstats``), and whether the two answers agree (the clock's fields left out).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import checkout, comparable, in_scratch_database, in_turn, p50_p95, start_web, stop_webs  # noqa: E402

SAMPLES = """
INSERT INTO system_metric_samples (host, sampled_at, cpu_percent, memory_percent, memory_used_bytes, disk_percent,
                                   disk_used_bytes, net_bytes_sent, net_bytes_recv, load_1, load_5, load_15,
                                   process_rss_bytes, process_threads, process_open_files)
SELECT 'bench-host', now() - make_interval(mins => i), 20 + (i % 37), 40 + (i % 11) * 0.5, 8e9, 55, 1e11,
       i * 1000, i * 2000, 0.5, 0.4, 0.3, 2e8, 12, 40
FROM generate_series(0, $1 - 1) AS i
"""
CLOCK_FIELDS = {
    "throughput_per_min",
    "generated_at",
    "current_metrics",
    "monitor",
    "pipeline",
    "checked_at",
    "at",
    "age_seconds",
}


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in _differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {str(a)[:80]} != {str(b)[:80]}"]


async def _hgetalls(redis: Any) -> int:
    stats = await redis.info("commandstats")
    return int(stats.get("cmdstat_hgetall", {}).get("calls", 0))


async def _time_dashboard(
    http: Any, webs: dict[str, Any], runs: int, path: str, redis: Any
) -> tuple[dict[str, list[float]], dict[str, int], dict[str, Any]]:
    """Milliseconds per GET for each web, the ``HGETALL`` calls each made, and each one's last answer."""
    calls: dict[str, int] = dict.fromkeys(webs, 0)
    answers: dict[str, Any] = {}
    seen = {"calls": 0}

    async def count(name: str) -> None:
        seen["calls"] = await _hgetalls(redis)

    async def get(name: str, base: str) -> Any:
        return await http.get(base + path)

    async def check(name: str, r: Any) -> None:
        calls[name] += await _hgetalls(redis) - seen["calls"]
        assert r.status_code == 200, r.text
        answers[name] = comparable(r.json()["data"], CLOCK_FIELDS, 9)

    return await in_turn(webs, runs, get, before=count, after=check), calls, answers


async def run(args: argparse.Namespace, before_dir: Path) -> None:
    import httpx
    from tortoise import Tortoise

    from services.core import redis_client
    from services.core.database import apply_migrations, tortoise_config
    from services.identity import credentials, tenancy
    from services.identity.policy import Role
    from services.observability import requests as request_metrics

    await apply_migrations()
    redis = redis_client.connect()
    await Tortoise.init(config=tortoise_config(), _enable_global_fallback=True)
    await tenancy.bootstrap("bench-dashboard", "bench@dashboard.local", Role.ADMIN, "pw-bench-dashboard")
    admin = await tenancy.operator_principal("bench@dashboard.local")
    assert admin is not None

    t0 = time.perf_counter()
    rng = random.Random(7)
    now = time.time()
    for hours_back in range(169):
        at = now - hours_back * 3600
        for r in range(args.routes):
            for _ in range(20):
                status = 500 if rng.random() < 0.01 else 200
                request_metrics.RECORDER.record("GET", f"/v1/bench/route-{r}", status, rng.expovariate(1 / 0.05), at=at)
        await request_metrics.flush()
    await Tortoise.get_connection("default").execute_query(SAMPLES, [7 * 24 * 60])
    print(
        f"seeded 169 hours x {args.routes} routes of request metrics and a week of host samples "
        f"in {time.perf_counter() - t0:.0f} s"
    )

    webs = {}
    # the web processes do not count their own requests: both answers then read the same hours
    os.environ["REQUEST_METRICS_ENABLED"] = "false"
    try:
        webs["before"] = await start_web(before_dir)
        webs["after"] = await start_web()
        headers = {"Authorization": f"Bearer {credentials.issue_jwt(admin)[0]}"}
        print(f"{'hours':>5} {'code':<7} {'p50 ms':>8} {'p95 ms':>8} {'HGETALL/req':>12}  same answer")
        async with httpx.AsyncClient(headers=headers, timeout=300) as http:
            for hours in (24, 168):
                path = f"/v1/monitoring/dashboard?hours={hours}"
                times, calls, answers = await _time_dashboard(http, webs, args.runs, path, redis)
                same = answers["before"] == answers["after"]
                if not same:
                    print("  differs in:", _differences(answers["before"], answers["after"]))
                for name in webs:
                    print(f"{hours:>5} {name:<7} {p50_p95(times[name])} {calls[name] / args.runs:>12.0f}  {same}")
    finally:
        await stop_webs(webs)
        await redis_client.close()
        await Tortoise.close_connections()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="c183e4c~1", help="the commit to compare with (default: before _Readings)")
    parser.add_argument("--routes", type=int, default=230)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with checkout(args.before) as before_dir:
        asyncio.run(in_scratch_database("bench_dashboard", None, lambda: run(args, before_dir)))
