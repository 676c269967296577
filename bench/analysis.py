"""Benchmark the analysis services over large rollup tables (PostgreSQL + Redis).

    .venv/bin/python bench/analysis.py [--prompts 1000] [--versions 12] [--days 90] [--skip-export] [--formats csv,xlsx]

Creates a throwaway ``bench_analysis_<id>`` database on ``BENCH_DATABASE_URL`` (default the
local server), migrates it and seeds daily rollup rows with one ``INSERT ... SELECT
generate_series`` per organization (rows stand for many executions each), then times, in
this process:

* export: an organization of prompts x versions x days rows (default 1.08M); CSV and XLSX
  export of all of it (90d), with the peak RSS growth of the process (psutil every 20 ms),
  and one 30-day summary over that high-cardinality organization;
* latency: the issue's scenario, 20 prompts x 3 versions with ~10M executions in the last
  30 days: summary (30 days), 30-day time series of the 20 prompts and of the top 10, and a
  prompt report, ``--runs`` times each (median and p95).

Whole days come from daily rollups; the ragged first/last hours of a window are read from
hourly rollups / raw events, which this seed leaves empty (so those reads are cheap here).
The database and the Redis keys are dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
RUN = uuid.uuid4().hex[:8]
DB = f"bench_analysis_{RUN}"
os.environ["DATABASE_URL"] = urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{DB}"))
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ["REDIS_PREFIX"] = f"bench_{RUN}"
os.environ.setdefault("LOG_LEVEL", "WARNING")

SEED = """
INSERT INTO prompt_rollups_daily (organization_id, prompt_id, version_hash, status, bucket_start, count, totals,
                                  data_sources, schemas, sketches, max_occurred_at, updated_at)
SELECT $1, p.id, 'v' || v, s.status, d, s.n + (p.id + v) % 50,
       jsonb_build_object('latency_ms', jsonb_build_array(20000.0 + p.id, 100, 5000000.0 + p.id),
                          'cost_usd', jsonb_build_array(0.5, 100, 0.003),
                          'score', jsonb_build_array(70.0 + v, 100, 52.0 + v)),
       '{"1": 40}'::jsonb, '{}'::jsonb,
       jsonb_build_object('latency_ms', jsonb_build_object('z', 0, 'b',
            jsonb_build_object((460 + p.id % 20)::text, 60, (520 + v)::text, 40))),
       d + interval '23 hours', now()
FROM prompts p
CROSS JOIN generate_series(1, $2::int) v
CROSS JOIN (VALUES ('completed', $5::int), ('failed', $6::int)) s(status, n)
CROSS JOIN generate_series($3::timestamptz, $4::timestamptz, interval '1 day') d
WHERE p.organization_id = $1 AND s.n > 0
"""


VERSIONS = """
INSERT INTO prompt_versions (organization_id, prompt_id, version_hash, first_seen_at, last_seen_at)
SELECT $1, p.id, 'v' || v, $3::timestamptz, now()
FROM prompts p CROSS JOIN generate_series(1, $2::int) v
WHERE p.organization_id = $1
"""


class PeakRss:
    """Samples this process's RSS every 20 ms; ``growth`` is peak minus the starting value."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.base = self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.base) / 1e6


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def timed(label: str, runs: int, make) -> None:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await make()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(f"{label:<46} median {statistics.median(samples):8.1f} ms   p95 {p95:8.1f} ms   ({runs} runs)")


async def main(args: argparse.Namespace) -> None:
    from datetime import UTC, datetime, timedelta

    from tortoise import Tortoise, connections

    from models.prompts import Prompt
    from services.analytics import export as analytics_export
    from services.analytics import report as prompt_reports
    from services.analytics import summary as analytics_summary
    from services.analytics import timeseries as analysis_timeseries
    from services.core import redis_client
    from services.core.database import apply_migrations, tortoise_config
    from services.identity import tenancy
    from services.identity.policy import Principal, Role
    from services.rollups.build import day_floor

    today = day_floor(datetime.now(UTC))
    first = today - timedelta(days=args.days)

    async def seed_org(name: str, prompts: int, versions: int, completed: int, failed: int) -> Principal:
        boot = await tenancy.bootstrap(f"{name}-{RUN}", f"{name}-{RUN}@example.test", Role.ADMIN, "bench-password")
        org = boot.organization_id
        await Prompt.bulk_create(
            [Prompt(uuid=uuid.uuid4(), organization_id=org, name=f"prompt {i}") for i in range(prompts)],
            batch_size=1000,
        )
        started = time.perf_counter()
        conn = connections.get("default")
        await conn.execute_query(SEED, [org, versions, first, today - timedelta(days=1), completed, failed])
        await conn.execute_query(VERSIONS, [org, versions, first])
        _, stats = await conn.execute_query(
            "SELECT count(*) AS n, coalesce(sum(count), 0) AS events FROM prompt_rollups_daily "
            "WHERE organization_id = $1 AND bucket_start >= $2",
            [org, today - timedelta(days=30)],
        )
        _, total = await conn.execute_query(
            "SELECT count(*) AS n FROM prompt_rollups_daily WHERE organization_id = $1", [org]
        )
        print(
            f"[{name}] {prompts} prompts x {versions} versions x {args.days} days: {total[0]['n']:,} daily rollup rows "
            f"in {time.perf_counter() - started:.1f} s; last 30 days: {stats[0]['events']:,} executions"
        )
        return Principal(boot.user_id, org, Role.ADMIN)

    await _admin(f'CREATE DATABASE "{DB}"')
    try:
        await apply_migrations()
        await Tortoise.init(config=tortoise_config())
        redis_client.connect()

        if not args.skip_export:
            big = await seed_org("export", args.prompts, args.versions, 100, 0)
            for fmt in [f for f in args.formats.split(",") if f]:
                with PeakRss() as rss:
                    started = time.perf_counter()
                    export = await analytics_export.export_data(big, fmt, "90d")
                    size = lines = 0
                    async for chunk in export.chunks:
                        size += len(chunk)
                        lines += chunk.count(b"\n")
                    elapsed = time.perf_counter() - started
                print(
                    f"export {fmt:<4}: {elapsed:6.1f} s, {size / 1e6:7.1f} MB file"
                    + (f" ({lines - 1:,} CSV rows)" if fmt == "csv" else "")
                    + f", peak RSS growth {rss.growth_mb:6.1f} MB (process RSS {rss.peak / 1e6:.0f} MB)"
                )
            with PeakRss() as rss:
                started = time.perf_counter()
                await analytics_summary.analytics_summary(big, 30)
            print(
                f"summary (30 days) over this high-cardinality org: {time.perf_counter() - started:.1f} s, "
                f"peak RSS growth {rss.growth_mb:.0f} MB"
            )

        # the latency scenario: 20 prompts, ~10M executions in the last 30 days
        admin = await seed_org("latency", 20, 3, 5400, 250)
        ids = [p.id for p in await Prompt.filter(organization_id=admin.organization_id).order_by("id")]
        await timed("summary (30 days)", args.runs, lambda: analytics_summary.analytics_summary(admin, 30))
        await timed(
            "time series 30d, 20 prompts (latency_p95)",
            args.runs,
            lambda: analysis_timeseries.time_series(admin, "latency_p95", "30d", ids),
        )
        await timed(
            "time series 30d, top 10 prompts (executions)",
            args.runs,
            lambda: analysis_timeseries.time_series(admin, "executions", "30d"),
        )
        await timed("prompt report (30d)", args.runs, lambda: prompt_reports.prompt_report(admin, ids[0]))
    finally:
        await Tortoise.close_connections()
        client = redis_client.get_redis()
        keys = [k async for k in client.scan_iter(match=f"bench_{RUN}:*", count=1000)]
        if keys:
            await client.delete(*keys)
        await redis_client.close()
        await _admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=12)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--skip-export", action="store_true", help="only the latency scenario")
    parser.add_argument(
        "--formats", default="csv,xlsx", help="export formats to time ('' = none: seed and summarize the big org only)"
    )
    asyncio.run(main(parser.parse_args()))
