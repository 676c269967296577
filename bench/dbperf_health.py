"""Database-performance figures of issue 16 on the 10M-event database.

    .venv/bin/python bench/dbperf_health.py [--events 10000000] [--runs 40] [--samples 20]

Clones the seeded template ``bench_template_10m`` (made by ``bench/analytics_queries.py``, kept
between runs) into a throwaway database, ANALYZEs it (a clone starts without statistics), starts one
uvicorn (no worker) and measures over HTTP on loopback, as a superuser:

1. ``GET /admin/performance/database/health``: p50/p95/max of the whole request, and the server's
   own ``duration_ms``; the number of checks, their statuses, and the slowest checks.
2. ``GET /admin/performance/database/metrics?period=24h`` and ``/database/scaling``: p50/p95.
3. The ``sample_database_stats`` job's overhead: the same function the cron job runs, called
   in-process against the clone ``--samples`` times each way: the hourly sample (database and every
   relation) and the five-minute one (database only), wall time per sample (reading the catalogs
   plus writing the rows), and the job's time per hour as a share of one connection's time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.analytics_queries import DEMO_EMAIL, DEMO_ORG, ensure_template  # noqa: E402
from bench.harness import Stack, _pg_exec, format_block  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(values: list[float]) -> str:
    return f"p50 {pct(values, 0.5):.1f} ms, p95 {pct(values, 0.95):.1f} ms, max {max(values):.1f} ms (n={len(values)})"


async def http_figures(stack: Stack, token: str, runs: int) -> list[tuple[str, str]]:
    import httpx

    rows: list[tuple[str, str]] = []
    async with httpx.AsyncClient(
        base_url=stack.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as http:
        for _ in range(3):  # warm: pool, catalog caches
            assert (await http.get("/admin/performance/database/health")).status_code == 200
        wall, server = [], []
        last: dict[str, Any] = {}
        for _ in range(runs):
            started = time.perf_counter()
            r = await http.get("/admin/performance/database/health")
            wall.append((time.perf_counter() - started) * 1000)
            last = r.json()["data"]
            server.append(last["duration_ms"])
        statuses: dict[str, int] = {}
        for c in last["checks"]:
            statuses[c["status"]] = statuses.get(c["status"], 0) + 1
        slowest = sorted(last["checks"], key=lambda c: -c["duration_ms"])[:3]
        rows += [
            ("1. database/health (HTTP)", ms(wall)),
            ("   server duration_ms", ms(server)),
            ("   checks", f"{len(last['checks'])}: {statuses}; database {last['database_bytes']:,} bytes"),
            (
                "   not ok (last run)",
                ", ".join(
                    f"{c['name']}={c['status']} ({c['message'][:60]})" for c in last["checks"] if c["status"] != "ok"
                ),
            ),
            ("   slowest checks (last run)", ", ".join(f"{c['name']} {c['duration_ms']:.0f} ms" for c in slowest)),
            ("   within 2 s budget", str(pct(wall, 0.95) < 2000)),
        ]
        for label, url in (
            ("2. database/metrics?period=24h", "/admin/performance/database/metrics?period=24h"),
            ("   database/scaling", "/admin/performance/database/scaling"),
        ):
            times = []
            for _ in range(max(5, runs // 4)):
                started = time.perf_counter()
                assert (await http.get(url)).status_code == 200
                times.append((time.perf_counter() - started) * 1000)
            rows.append((label, ms(times)))
    return rows


async def sampling_figures(stack: Stack, samples: int) -> list[tuple[str, str]]:
    for name, value in stack.env.items():
        if name in {"DATABASE_URL", "REDIS_URL", "REDIS_PREFIX", "SECRET_KEY", "DATA_DIR"}:
            os.environ[name] = value
    from tortoise import Tortoise

    from services.core.database import tortoise_config
    from services.dbperf import sampling

    await Tortoise.init(config=tortoise_config())
    try:
        full = [await sampling.take_sample(True) for _ in range(samples)]  # hourly: database + every relation
        light = [await sampling.take_sample(False) for _ in range(samples)]  # every 5 minutes: database only
    finally:
        await Tortoise.close_connections()
    full_ms, light_ms = [r["total_ms"] for r in full], [r["total_ms"] for r in light]
    per_hour = statistics.median(full_ms) + (60 // sampling.SAMPLE_EVERY_MINUTES - 1) * statistics.median(light_ms)
    return [
        ("3. sample_database_stats, hourly", f"{ms(full_ms)}; {full[-1]['relations']} relations"),
        ("   of which reading the catalogs", ms([r["read_ms"] for r in full])),
        ("   every 5 minutes (database only)", ms(light_ms)),
        ("   job time per hour", f"{per_hour:.0f} ms = {per_hour / 3_600_000:.5%} of one connection's time"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    template = (
        f"bench_template_{args.events // 1_000_000}m" if args.events >= 1_000_000 else f"bench_template_{args.events}"
    )
    asyncio.run(ensure_template(template, args.events, False))
    with Stack("dbperf", worker=False, template=template, org_name=DEMO_ORG, email=DEMO_EMAIL) as stack:
        started = time.perf_counter()
        asyncio.run(_pg_exec(stack.database_url, "ANALYZE"))
        analyzed = time.perf_counter() - started
        su = stack.cli("bootstrap", "--org", DEMO_ORG, "--email", "dbperf-bench@bench.local", "--role", "superuser")
        rows = [("ANALYZE of the clone", f"{analyzed:.1f} s")]
        rows += asyncio.run(http_figures(stack, su["access_token"], args.runs))
        rows += asyncio.run(sampling_figures(stack, args.samples))
    print(format_block(f"Database performance routes on {args.events:,} events (PostgreSQL, one uvicorn)", rows))


if __name__ == "__main__":
    main()
