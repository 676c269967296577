"""Usage page reads on millions of usage events: aggregate and costs p50/p95, and a 1M-row export.

    .venv/bin/python bench/usage_reads.py [--events 10000000] [--days 90] [--runs 50] [--fresh]

A PostgreSQL database ``bench_usage_<events>`` is seeded once (COPY of generated events, in time
order as a live stream arrives, over the last ``--days`` days: 8 models, 50 users, 20 prompts x 2
versions, all four resource types, costs from the shipped price map) and its rollups built with
the same code the worker runs; later runs reuse it (``--fresh`` rebuilds).  Then, in process (the
service functions the routes call, no HTTP):

1. ``aggregate`` (current period, last 30 days) and ``costs`` (current, last 30 days): p50/p95 over
   ``--runs`` calls, with the current hour left dirty (read from raw events, as under live ingest);
2. the same "cost by model over 30 days" as one SQL aggregate over the raw events, for scale;
3. the export of a second organization holding ``--export-rows`` events: rows/s and the process's
   peak RSS growth while streaming (flat memory means it does not grow with the row count).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")

MODELS = [
    ("openai", "gpt-4o"),
    ("openai", "gpt-4o-mini"),
    ("openai", "gpt-4.1"),
    ("openai", "o4-mini"),
    ("anthropic", "claude-sonnet-4-20250514"),
    ("anthropic", "claude-haiku-4-5-20251001"),
    ("vertex_ai-language-models", "gemini-2.5-flash"),
    ("deepseek", "deepseek-chat"),
]
COLUMNS = (
    "event_id",
    "organization_id",
    "user_id",
    "api_key_id",
    "resource_type",
    "provider",
    "model",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "reasoning_tokens",
    "quantity",
    "latency_ms",
    "status",
    "cost_usd",
    "cost_source",
    "prompt_id",
    "version_hash",
    "request_id",
    "occurred_at",
    "received_at",
)


def _db_url(name: str) -> str:
    return PG.rsplit("/", 1)[0] + "/" + name


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _rows(org: int, n: int, days: int, users: list[int], seed: int):
    from services.usage.pricing import shipped

    rnd = random.Random(seed)
    prices = {m: v[1][-1] for m, v in shipped()[1].items()}
    now = datetime.now(UTC) - timedelta(minutes=1)
    span = days * 86400
    received = datetime.now(UTC)
    step = span / n
    for i in range(n):
        # chronological with jitter, as a live stream arrives (heap order follows time, as in production)
        when = now - timedelta(seconds=span - (i + rnd.random()) * step)
        r = rnd.random()
        user = rnd.choice(users)
        if r < 0.85:
            provider, model = rnd.choice(MODELS)
            inp = int(rnd.lognormvariate(7, 1))
            cached = int(inp * rnd.random() * 0.5) if rnd.random() < 0.3 else 0
            out = int(rnd.lognormvariate(5.5, 1))
            reasoning = int(out * 0.4) if model == "o4-mini" else 0
            cost = prices[model].cost(inp, out, cached, reasoning)
            prompt = rnd.randint(1, 20) if rnd.random() < 0.4 else None
            yield (
                uuid.uuid4(), org, user, None, "llm_tokens", provider, model, inp, out, cached, reasoning,
                float(inp + out), rnd.lognormvariate(6.5, 0.6), "success" if rnd.random() < 0.97 else "error",
                cost, "price_map", prompt, f"v{rnd.randint(1, 2)}" if prompt else None, None, when, received,
            )  # fmt: skip
        else:
            resource = ("api_credits", "storage", "mcp")[int((r - 0.85) / 0.05) % 3]
            yield (
                uuid.uuid4(), org, user, None, resource, "", "", 0, 0, 0, 0, rnd.random() * 10,
                rnd.lognormvariate(4, 0.5), "success", 0.0, "unpriced", None, None, None, when, received,
            )  # fmt: skip


async def _copy(org: int, n: int, days: int, users: list[int], seed: int) -> float:
    from tortoise import connections

    client = connections.get("default")
    started = time.perf_counter()
    chunk = 200_000
    rows = _rows(org, n, days, users, seed)
    done = 0
    async with client.acquire_connection() as conn:
        while done < n:
            batch = [next(rows) for _ in range(min(chunk, n - done))]
            await conn.copy_records_to_table("usage_events", records=batch, columns=COLUMNS)
            done += len(batch)
            print(f"  copied {done:,} / {n:,} ({time.perf_counter() - started:.0f} s)", flush=True)
    return time.perf_counter() - started


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()
    name = f"bench_usage_{args.events}"
    os.environ["DATABASE_URL"] = _db_url(name)
    os.environ["REDIS_URL"] = REDIS
    os.environ.setdefault("REDIS_PREFIX", f"bench-usage-{os.getpid()}")

    import asyncpg
    import psutil
    from tortoise import Tortoise, connections

    from models.tenancy import Organization
    from services.core.database import apply_migrations, tortoise_config
    from services.identity import tenancy
    from services.identity.policy import Principal, Role
    from services.usage import export, reports, rollups

    conn = await asyncpg.connect(PG.replace("postgres://", "postgresql://", 1))
    exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    await conn.close()
    if exists and args.fresh:
        await _admin(f'DROP DATABASE "{name}"')
        exists = None
    if not exists:
        await _admin(f'CREATE DATABASE "{name}"')
        await apply_migrations()
    await Tortoise.init(config=tortoise_config())
    org = await Organization.get_or_none(name="usage-bench")
    if org is None or not exists:
        print(f"seeding {args.events:,} events over {args.days} days into {name} ...", flush=True)
        boot = await tenancy.bootstrap("usage-bench", "usage-bench@example.test", Role.ADMIN, "pw-bench")
        export_boot = await tenancy.bootstrap("usage-export", "usage-export@example.test", Role.ADMIN, "pw-bench")
        users = [boot.user_id, *range(100_000, 100_049)]
        copy_s = await _copy(boot.organization_id, args.events, args.days, users, 1)
        await _copy(export_boot.organization_id, args.export_rows, 25, [export_boot.user_id], 2)
        client = connections.get("default")
        await client.execute_script("ANALYZE usage_events")
        t = time.perf_counter()
        await rollups.rebuild_all(boot.organization_id)
        await rollups.rebuild_all(export_boot.organization_id)
        print(f"  COPY {args.events:,} rows: {copy_s:.0f} s; rollups built in {time.perf_counter() - t:.0f} s")
        await client.execute_script("ANALYZE usage_rollups_daily; ANALYZE usage_rollups_hourly")
    org = await Organization.get(name="usage-bench")
    export_org = await Organization.get(name="usage-export")
    admin = Principal(
        (await tenancy.operator_principal("usage-bench@example.test")).user_id,  # type: ignore[union-attr]
        org.id,
        Role.ADMIN,
    )
    exporter = Principal(
        (await tenancy.operator_principal("usage-export@example.test")).user_id,  # type: ignore[union-attr]
        export_org.id,
        Role.ADMIN,
    )
    rows_daily = await connections.get("default").execute_query_dict(
        "SELECT count(*) AS n FROM usage_rollups_daily WHERE organization_id = $1", [org.id]
    )
    # the current hour stays dirty, as under live ingest: read from raw events
    await rollups.mark_dirty({(org.id, datetime.now(UTC))})

    results: list[tuple[str, str]] = []
    for label, call in (
        ("aggregate?period=current", lambda: reports.aggregate(admin, "current")),
        ("aggregate?period=last_30_days", lambda: reports.aggregate(admin, "last_30_days")),
        ("costs?period=current", lambda: reports.costs(admin, "current")),
        ("costs?period=last_30_days", lambda: reports.costs(admin, "last_30_days")),
    ):
        for _ in range(3):
            await call()
        times = []
        cpu = time.process_time()
        for _ in range(args.runs):
            t = time.perf_counter()
            await call()
            times.append((time.perf_counter() - t) * 1000)
        cpu_ms = (time.process_time() - cpu) / args.runs * 1000
        results.append(
            (
                label,
                f"p50 {statistics.median(times):.1f} ms, p95 {_pct(times, 0.95):.1f} ms "
                f"(this process's CPU {cpu_ms:.1f} ms per call)",
            )
        )
        print(f"{label:32} {results[-1][1]}", flush=True)

    raw_sql = """SELECT provider, model, count(*), sum(input_tokens), sum(output_tokens), sum(cost_usd)
                 FROM usage_events WHERE organization_id = $1 AND occurred_at >= $2 GROUP BY provider, model"""
    since = datetime.now(UTC) - timedelta(days=30)
    client = connections.get("default")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        await client.execute_query_dict(raw_sql, [org.id, since])
        times.append((time.perf_counter() - t) * 1000)
    results.append(("raw SQL cost by model, 30 days", f"median {statistics.median(times):.0f} ms (for scale)"))
    print(f"{results[-1][0]:32} {results[-1][1]}", flush=True)

    if args.skip_export:
        _report(args, rows_daily[0]["n"], results)
        await Tortoise.close_connections()
        return
    proc = psutil.Process()
    base = proc.memory_info().rss
    peak = base
    _, chunks = await export.prepare(exporter, "csv", "last_30_days")
    t = time.perf_counter()
    size = lines = 0
    async for chunk in chunks:
        size += len(chunk)
        lines += chunk.count(b"\n")
        peak = max(peak, proc.memory_info().rss)
    elapsed = time.perf_counter() - t
    results.append(
        (
            f"export csv, {lines - 1:,} rows",
            f"{elapsed:.1f} s ({(lines - 1) / elapsed:,.0f} rows/s), {size / 1e6:.0f} MB streamed, "
            f"peak RSS growth {(peak - base) / 1e6:.1f} MB",
        )
    )
    print(f"{results[-1][0]:32} {results[-1][1]}", flush=True)
    _report(args, rows_daily[0]["n"], results)
    await Tortoise.close_connections()


def _report(args: argparse.Namespace, rollup_rows: int, results: list[tuple[str, str]]) -> None:
    print()
    print(f"usage reads on {args.events:,} events ({rollup_rows:,} daily rollup rows), runs={args.runs}")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for label, value in results:
        print(f"  {label:34} {value}")


if __name__ == "__main__":
    asyncio.run(main())
