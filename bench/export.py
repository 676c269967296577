"""Analytics export over HTTP: CSV, JSON and XLSX of ~1.08M rows from a real uvicorn, with its memory.

    .venv/bin/python bench/export.py [--prompts 1000] [--versions 12] [--days 90] [--formats csv,json,xlsx]
                                     [--windows 7d,90d] [--reader-window 7d]

A throwaway stack (:class:`harness.Stack`: fresh database, one uvicorn, no worker) gets an
organization of ``--prompts`` prompts x ``--versions`` versions with daily rollup rows for
each of the last ``--days`` days (one ``INSERT ... SELECT generate_series``, the seed of
``bench/analysis.py``: each row stands for 100 executions), so a 90-day export is
prompts x versions x days rows (1.08M by default) and a 7-day one about 84k.  Then, per
window and format:

* the download through ``GET /admin/prompt-analytics/export/data`` (httpx, streamed and
  counted, never kept): seconds, MB, MB/s, rows/s, and the web process's RSS before and at
  its peak (psutil every 20 ms) -- flat memory means the same peak for 84k and 1.08M rows;
* the CPU seconds the web process and the PostgreSQL backends serving it spent on it
  (what a quiet machine would need; the wall time on a busy one is mostly waiting);
* for scale, the raw ``COPY (<the same queries>) TO STDOUT`` of the same rows over the
  same day ranges, one after another on one connection, straight from PostgreSQL to
  this process (no pipelining: one core), with its backend's CPU seconds.

``--reader-window`` also times, in this process, the rollup reader's path (what every
export used before: ``export_rows`` + Python's csv writer) over that window, for a
same-run ratio.  Load averages (``os.getloadavg``) are printed with every figure.  The
database and Redis keys are dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from bench.harness import RssSampler, Stack, cpu_seconds, format_block  # noqa: E402

PROMPTS = """
INSERT INTO prompts (uuid, name, text, status, last_data_source_ids, last_data_source_key, tags,
                     created_at, updated_at, organization_id)
SELECT gen_random_uuid(), 'prompt ' || i || CASE WHEN i % 10 = 0 THEN ', "quoted" <&>' ELSE '' END, '', 'active',
       '[]'::jsonb, '', '{}'::jsonb, now(), now(), $1
FROM generate_series(1, $2::int) i
"""
# bench/analysis.py's seed (the figures the issue quotes were measured on it)
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
CROSS JOIN (VALUES ('completed', 100)) s(status, n)
CROSS JOIN generate_series($3::timestamptz, $4::timestamptz, interval '1 day') d
WHERE p.organization_id = $1
"""
VERSIONS = """
INSERT INTO prompt_versions (organization_id, prompt_id, version_hash, first_seen_at, last_seen_at)
SELECT $1, p.id, 'v' || v, $3::timestamptz, now()
FROM prompts p CROSS JOIN generate_series(1, $2::int) v
WHERE p.organization_id = $1
"""
WINDOW_DAYS = {"24h": 1, "7d": 7, "30d": 30, "90d": 90}


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def _pg(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def seed(stack: Stack, prompts: int, versions: int, first: datetime, last: datetime) -> int:
    import asyncpg

    conn = await asyncpg.connect(_pg(stack.database_url))
    try:
        org = stack.organization_id
        await conn.execute(PROMPTS, org, prompts)
        await conn.execute(VERSIONS, org, versions, first)
        await conn.execute(SEED, org, versions, first, last)
        await conn.execute("ANALYZE")
        return int(await conn.fetchval("SELECT count(*) FROM prompt_rollups_daily WHERE organization_id = $1", org))
    finally:
        await conn.close()


async def rows_in(stack: Stack, start: datetime) -> int:
    import asyncpg

    conn = await asyncpg.connect(_pg(stack.database_url))
    try:
        sql = "SELECT count(*) FROM prompt_rollups_daily WHERE organization_id = $1 AND bucket_start >= $2"
        return int(await conn.fetchval(sql, stack.organization_id, start))
    finally:
        await conn.close()


async def raw_copy(stack: Stack, fmt: str, start: datetime, end: datetime, per_day: int) -> tuple[float, int, float]:
    """Seconds, bytes and backend CPU seconds of the export's COPYs for ``fmt``, one after another on one
    connection into this process: the same queries over the same day ranges as the web process runs."""
    import asyncpg

    from services.analytics import export_sql
    from services.analytics.export import COPY_ROWS, METRIC_COLUMNS

    columns = list(METRIC_COLUMNS)
    sql = {"csv": export_sql.csv_sql, "json": export_sql.json_sql, "xlsx": export_sql.xlsx_sql}[fmt](columns)
    options: dict[str, Any] = {"format": "csv"}
    if fmt != "csv":
        options.update(delimiter="\x01", quote="\x02")
    size = 0

    async def sink(chunk: bytes) -> None:
        nonlocal size
        size += len(chunk)

    step = timedelta(days=max(1, COPY_ROWS // max(1, per_day)))
    conn = await asyncpg.connect(_pg(stack.database_url), server_settings={"jit": "off"})  # as the app's pool
    try:
        ids = await conn.fetchval("SELECT array_agg(id) FROM prompts WHERE organization_id = $1", stack.organization_id)
        backend = psutil.Process(await conn.fetchval("SELECT pg_backend_pid()"))
        cpu = sum(backend.cpu_times()[:2])
        started = time.perf_counter()
        day = start
        while day < end:
            upto = min(day + step, end)
            await conn.copy_from_query(sql, stack.organization_id, day, upto, ids, output=sink, **options)
            day = upto
        return time.perf_counter() - started, size, sum(backend.cpu_times()[:2]) - cpu
    finally:
        await conn.close()


async def backend_cpu(stack: Stack) -> dict[int, float]:
    """CPU seconds so far of every PostgreSQL backend connected to the stack's database (the web's pool)."""
    import asyncpg

    conn = await asyncpg.connect(_pg(stack.database_url))
    try:
        pids = await conn.fetchval(
            "SELECT array_agg(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            stack.database,
        )
    finally:
        await conn.close()
    out = {}
    for pid in pids or []:
        with contextlib.suppress(psutil.Error):
            out[pid] = sum(psutil.Process(pid).cpu_times()[:2])
    return out


def download(stack: Stack, fmt: str, window: str) -> tuple[float, int, int, float, float, float, float]:
    """One export over HTTP: seconds, bytes, newlines, web RSS MB before and at peak, web and PostgreSQL CPU s."""
    import httpx

    web = stack.process("web")
    before = web.memory_info().rss / 1_048_576
    web_cpu = cpu_seconds(web)
    pg_cpu = asyncio.run(backend_cpu(stack))
    size = lines = 0
    with RssSampler({"web": web}, interval=0.02) as rss:
        started = time.perf_counter()
        with httpx.stream(
            "GET",
            f"{stack.base_url}/admin/prompt-analytics/export/data",
            params={"format": fmt, "time_window": window},
            headers={"Authorization": f"Bearer {stack.access_token}"},
            timeout=httpx.Timeout(600.0),
        ) as r:
            if r.status_code != 200:
                raise RuntimeError(f"export {fmt} {window}: {r.status_code} {r.read()[:500]!r}")
            for chunk in r.iter_raw(1 << 20):
                size += len(chunk)
                lines += chunk.count(b"\n")
        elapsed = time.perf_counter() - started
    pg_after = asyncio.run(backend_cpu(stack))
    pg_used = sum(cpu - pg_cpu.get(pid, 0.0) for pid, cpu in pg_after.items())
    return elapsed, size, lines, before, rss.peak_mb("web"), cpu_seconds(web) - web_cpu, pg_used


async def reader_path(stack: Stack, user: int, window: str) -> tuple[float, int, int, float]:
    """The rollup reader + Python csv path over ``window``, in this process: seconds, rows, bytes, CPU s."""
    import csv
    import io

    from tortoise import Tortoise

    from services.analytics import export as analytics_export
    from services.core import redis_client
    from services.core.database import tortoise_config
    from services.identity.policy import Principal, Role

    await Tortoise.init(config=tortoise_config())
    redis_client.connect()
    try:
        plan = await analytics_export.export_plan(Principal(user, stack.organization_id, Role.ADMIN), window)
        rows = size = 0
        started, cpu = time.perf_counter(), time.process_time()
        async for page in analytics_export.export_rows(plan):
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows([["" if v is None else v for v in r] for r in page])
            size += len(buf.getvalue().encode())
            rows += len(page)
        return time.perf_counter() - started, rows, size, time.process_time() - cpu
    finally:
        await Tortoise.close_connections()
        await redis_client.close()


def main(args: argparse.Namespace) -> None:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=args.days)
    print(f"uptime: {os.popen('uptime').read().strip()}")
    with Stack("export", worker=False, time_budget_seconds=args.budget) as stack:
        # the bench process reads the same database and Redis prefix as the web process
        os.environ.update(DATABASE_URL=stack.database_url, REDIS_URL=stack.env["REDIS_URL"], REDIS_PREFIX=stack.prefix)
        started = time.perf_counter()
        total = asyncio.run(seed(stack, args.prompts, args.versions, first, today - timedelta(days=1)))
        print(
            f"seeded {args.prompts} prompts x {args.versions} versions x {args.days} days = {total:,} daily rollup rows"
            f" in {time.perf_counter() - started:.1f} s ({load()})"
        )
        results: list[tuple[str, str]] = []
        for window in [w for w in args.windows.split(",") if w]:
            start = today - timedelta(days=WINDOW_DAYS[window])
            expected = asyncio.run(rows_in(stack, start))
            for fmt in [f for f in args.formats.split(",") if f]:
                elapsed, size, lines, before, peak, web_cpu, pg_cpu = download(stack, fmt, window)
                if fmt == "csv" and lines - 1 != expected:
                    raise RuntimeError(f"CSV has {lines - 1:,} rows, expected {expected:,}")
                copy_s, copy_bytes, copy_cpu = asyncio.run(
                    raw_copy(stack, fmt, start, today, args.prompts * args.versions)
                )
                line = (
                    f"{elapsed:6.1f} s  {size / 1e6:7.1f} MB  {size / 1e6 / elapsed:6.1f} MB/s  "
                    f"{expected / elapsed:9,.0f} rows/s  web RSS {before:4.0f} -> peak {peak:4.0f} MB  "
                    f"CPU web {web_cpu:5.1f} s, PostgreSQL {pg_cpu:5.1f} s  |  "
                    f"raw COPY {copy_s:5.1f} s, CPU {copy_cpu:5.1f} s ({copy_bytes / 1e6:6.1f} MB)  ({load()})"
                )
                label = f"{fmt:<4} {window:>3} ({expected:,} rows)"
                print(f"{label}: {line}", flush=True)
                results.append((label, line))
        if args.reader_window:
            user = int(stack.sql("SELECT id FROM users WHERE email = $1", stack.email))
            seconds, rows, size, cpu = asyncio.run(reader_path(stack, user, args.reader_window))
            line = (
                f"{seconds:6.1f} s  {size / 1e6:7.1f} MB  {rows / seconds:9,.0f} rows/s  "
                f"CPU (this process) {cpu:5.1f} s  ({load()})"
            )
            label = f"reader path csv {args.reader_window} ({rows:,} rows, in process)"
            print(f"{label}: {line}", flush=True)
            results.append((label, line))
    print(format_block("analytics export over HTTP (one uvicorn)", results))
    print(f"uptime: {os.popen('uptime').read().strip()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=12)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--formats", default="csv,json,xlsx")
    parser.add_argument("--windows", default="7d,90d", help=f"export windows, of {', '.join(WINDOW_DAYS)}")
    parser.add_argument("--reader-window", default="7d", help="also time the reader path over this window ('' = no)")
    parser.add_argument("--budget", type=float, default=1800.0, help="seconds before the stack is torn down")
    main(parser.parse_args())
