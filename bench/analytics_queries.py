"""Benchmarks 3 and 4 of the prompt pipeline, and the read targets of the alerting issue, on 10M events.

    .venv/bin/python bench/analytics_queries.py [--events 10000000] [--runs 120]

A seeded template database (``bench_template_<events>``: ``seed-demo`` over 30 days, 20
prompts, rollups built) is made once and kept, because seeding 10M events takes minutes;
``--fresh`` rebuilds it.  Each run clones it into a throwaway database, starts one uvicorn
(no worker: nothing is ingested) and measures over HTTP from this process, on loopback:

3. ``GET /api/v1/prompts/{id}/analytics`` over the last 30 days, p50/p95, against the same
   figures computed by one SQL aggregate over the raw events (asyncpg, same server); ratio.
4. GraphQL ``prompts(first: 50) { versions { analytics } analytics }`` against the REST calls
   a client makes for the same prompts (list + one analytics call per prompt); ratio.
A. ``/admin/prompt-analytics/analytics/summary?days=30``, ``charts/time-series`` (30 days, 20
   prompts) and ``prompts/{id}/report?time_window=30d``: p50/p95.
B. One alert-evaluation cycle with 1,000 enabled rules over the same data (in-process).

``--live-rate N`` also starts the worker and repeats A while N events/s are posted to the
batch ingest route (the drain adds them to the hourly and daily rollup rows as it stores
them), and prints each live p50/p95 as a ratio of the quiet one measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import PG_ADMIN_URL, REDIS_URL, Stack, _pg_exec, _with_db, format_block  # noqa: E402

DEMO_EMAIL = "demo@promptops.local"
DEMO_ORG = "Demo"

RAW_AGGREGATE = """
SELECT count(*) AS execution_count,
       count(*) FILTER (WHERE status = 'completed') AS success_count,
       count(*) FILTER (WHERE status = 'failed') AS failure_count,
       avg(total_duration_ms), avg(ai_response_time_ms), avg(query_execution_time_ms), avg(latency_ms),
       percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ms),
       sum(cost_usd), avg(cost_usd), avg(score),
       (SELECT jsonb_agg(t) FROM (SELECT ds, count(*) AS n FROM prompt_executions e2,
            jsonb_array_elements_text(e2.data_source_ids) ds
          WHERE e2.prompt_id = $1 AND e2.occurred_at BETWEEN $2 AND $3 GROUP BY ds ORDER BY n DESC LIMIT 10) t),
       (SELECT jsonb_agg(t) FROM (SELECT sc, count(*) AS n FROM prompt_executions e3,
            jsonb_array_elements_text(e3.schema_names) sc
          WHERE e3.prompt_id = $1 AND e3.occurred_at BETWEEN $2 AND $3 GROUP BY sc ORDER BY n DESC LIMIT 10) t)
FROM prompt_executions WHERE prompt_id = $1 AND occurred_at BETWEEN $2 AND $3
"""

GRAPHQL = """query { prompts(first: 50) { edges { node { id name
  analytics(periodStart: "%s") { executionCount successRate p95LatencyMs avgScore totalCostUsd }
  versions { versionHash analytics(periodStart: "%s") { executionCount successRate p95LatencyMs avgScore } }
} } } }"""


def load() -> str:
    """The 1/5/15-minute load averages, printed beside figures (the machine is shared)."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(values: list[float]) -> str:
    return f"p50 {statistics.median(values) * 1000:.1f} ms, p95 {pct(values, 0.95) * 1000:.1f} ms"


async def timed(n: int, call: Any) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        await call()
        out.append(time.perf_counter() - t)
    return out


async def ensure_template(name: str, events: int, fresh: bool) -> None:
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    finally:
        await admin.close()
    if exists and not fresh:
        return
    if exists:
        await _pg_exec(PG_ADMIN_URL, f'DROP DATABASE "{name}" WITH (FORCE)')
    await _pg_exec(PG_ADMIN_URL, f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": _with_db(PG_ADMIN_URL, name),
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": f"{name}_seed",
        "PYTHONPATH": str(ROOT),
    }
    started = time.perf_counter()
    for args in (
        ["bootstrap", "--org", DEMO_ORG, "--email", DEMO_EMAIL, "--role", "admin"],
        ["seed-demo", "--events", str(events), "--days", "30", "--email", DEMO_EMAIL],
    ):
        done = await asyncio.create_subprocess_exec(sys.executable, "-m", "api.cli", *args, cwd=ROOT, env=env)
        if await done.wait() != 0:
            raise SystemExit(f"api.cli {args[0]} failed")
    print(f"seeded template {name} with {events:,} events in {time.perf_counter() - started:.1f} s")


async def measure(stack: Stack, runs: int, live_rate: int = 0) -> list[tuple[str, str]]:
    from datetime import UTC, datetime, timedelta

    import asyncpg
    import httpx

    rows: list[tuple[str, str]] = []
    headers = {"Authorization": f"Bearer {stack.access_token}"}
    end = datetime.now(UTC)
    start = end - timedelta(days=30)
    async with httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=60) as http:
        listed = (await http.get("/api/v1/prompts", params={"page_size": 100})).json()["data"]["items"]
        ids = [p["id"] for p in listed]
        busiest = ids[0]
        period = {"period_start": start.isoformat(), "period_end": end.isoformat()}
        url = f"/api/v1/prompts/{busiest}/analytics"
        answer = (await http.get(url, params=period)).json()["data"]
        await timed(3, lambda: http.get(url, params=period))  # warm: pool, plans
        rest = await timed(runs, lambda: http.get(url, params=period))
        conn = await asyncpg.connect(stack.database_url.replace("postgres://", "postgresql://", 1))
        try:
            raw_row = await conn.fetchrow(RAW_AGGREGATE, busiest, start, end)
            raw = await timed(min(10, max(5, runs // 4)), lambda: conn.fetchrow(RAW_AGGREGATE, busiest, start, end))
        finally:
            await conn.close()
        same = (
            raw_row["execution_count"] == answer["execution_count"]
            and raw_row["failure_count"] == answer["failure_count"]
        )
        rows += [
            ("3. prompt analytics, 30 days", f"{answer['execution_count']:,} executions; REST {ms(rest)}"),
            ("   raw SQL aggregate", f"{ms(raw)}; same counts: {same}"),
            ("   ratio raw p50 / REST p50", f"{statistics.median(raw) / statistics.median(rest):.1f}x faster"),
        ]

        query = GRAPHQL % (start.isoformat(), start.isoformat())
        gql = await timed(runs // 2, lambda: http.post("/graphql", json={"query": query}))
        check = (await http.post("/graphql", json={"query": query})).json()
        assert "errors" not in check, check

        async def rest_calls() -> None:
            found = (await http.get("/api/v1/prompts", params={"page_size": 50})).json()["data"]["items"]
            for p in found:
                await http.get(f"/api/v1/prompts/{p['id']}/analytics", params={"period_start": start.isoformat()})

        rest_all = await timed(max(3, runs // 8), rest_calls)
        rows += [
            (f"4. GraphQL prompts(first: 50) x versions x analytics ({len(ids)} prompts)", ms(gql)),
            ("   REST: list + one analytics call per prompt (sequential)", ms(rest_all)),
            ("   ratio GraphQL p50 / REST p50", f"{statistics.median(gql) / statistics.median(rest_all):.2f}"),
        ]

        admin = "/admin/prompt-analytics"
        series_params = {"metric_name": "latency_p95", "time_window": "30d", "prompt_ids": ids[:20]}

        timings: dict[str, dict[str, list[float]]] = {}

        async def reads(label: str) -> None:
            summary = await timed(runs, lambda: http.get(f"{admin}/analytics/summary", params={"days": 30}))
            series = await timed(runs, lambda: http.get(f"{admin}/charts/time-series", params=series_params))
            report = await timed(
                runs, lambda: http.get(f"{admin}/prompts/{busiest}/report", params={"time_window": "30d"})
            )
            timings[label] = {"summary": summary, "time series": series, "report": report}
            rows.extend(
                [
                    (f"{label} summary, 30 days", f"{ms(summary)}  (load {load()})"),
                    ("   time series, 30 days, 20 prompts", ms(series)),
                    ("   prompt report, 30 days", ms(report)),
                ]
            )

        await reads("A.")
        if live_rate:
            # the same reads while events arrive and the worker drains them and rebuilds rollups:
            # the current hour is then dirty (read from raw events) most of the time
            # The feeder is its own process: in this event loop its JSON encoding would delay the
            # timed reads' own requests and responses, charging the client's work to the server.
            ctx = multiprocessing.get_context("spawn")
            stop, sent_box = ctx.Event(), ctx.Value("q", 0)
            feeder = ctx.Process(
                target=feed_process, args=(stack.base_url, stack.api_key, ids, live_rate, stop, sent_box)
            )
            feeder.start()
            await asyncio.sleep(5)  # let the stream, the drain and the rollup refresh reach a steady state
            await reads(f"A'. with {live_rate:,} events/s arriving:")
            stop.set()
            await asyncio.to_thread(feeder.join, 30)
            sent = int(sent_box.value)
            rows.append(("   events sent during those reads", f"{sent:,}"))
            quiet, busy = timings["A."], timings[f"A'. with {live_rate:,} events/s arriving:"]
            for name in ("summary", "time series", "report"):
                rows.append(
                    (
                        f"   live / quiet, {name}",
                        f"p50 {statistics.median(busy[name]) / statistics.median(quiet[name]):.2f}x, "
                        f"p95 {pct(busy[name], 0.95) / pct(quiet[name], 0.95):.2f}x",
                    )
                )
    return rows


def feed_process(base_url: str, api_key: str, prompt_ids: list[int], rate: int, stop: Any, sent: Any) -> None:
    """:func:`feed` in a process of its own, until the ``multiprocessing`` event ``stop`` is set."""
    import httpx

    async def run() -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            sent.value = await feed(http, api_key, prompt_ids, rate, stop)

    asyncio.run(run())


async def feed(http: Any, api_key: str, prompt_ids: list[int], rate: int, stop: Any) -> int:
    """POST batches to the ingest API at about ``rate`` events/s (ten batches a second) until ``stop``
    (an ``asyncio.Event`` or a ``multiprocessing`` event) is set."""
    import random

    rng = random.Random(7)
    per_batch = max(1, rate // 10)
    sent = 0
    headers = {"Authorization": f"Bearer {api_key}"}
    while not stop.is_set():
        started = time.perf_counter()
        events = [
            {
                "prompt_id": rng.choice(prompt_ids),
                "version_hash": f"live-{rng.randint(1, 3)}",
                "status": "failed" if rng.random() < 0.05 else "completed",
                "latency_ms": round(rng.lognormvariate(6, 0.5), 3),
                "cost_usd": 0.001,
            }
            for _ in range(per_batch)
        ]
        r = await http.post("/api/v1/prompts/analytics/batch", json={"events": events}, headers=headers)
        if r.status_code == 202:
            sent += per_batch
        await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - started)))
    return sent


async def evaluate_rules(stack: Stack, n_rules: int) -> list[tuple[str, str]]:
    """Create ``n_rules`` rules through the service layer and time full evaluation cycles in-process."""
    import random

    os.environ.update({"DATABASE_URL": stack.database_url, "REDIS_URL": REDIS_URL, "REDIS_PREFIX": stack.prefix})
    from tortoise import Tortoise

    from models.alerts import AlertRule
    from models.prompts import Prompt
    from services.alerting import engine as alert_engine
    from services.core import redis_client
    from services.core.config import get_settings
    from services.core.database import tortoise_config

    redis_client.connect(get_settings())
    await Tortoise.init(config=tortoise_config())
    try:
        rng = random.Random(3)
        prompt_ids = list(await Prompt.filter(organization_id=stack.organization_id).values_list("id", flat=True))
        metrics = ["latency_p95", "error_rate", "throughput", "cost_avg", "score_avg", "latency_p99"]
        rules = []
        for i in range(n_rules):
            scope: dict[str, Any] = {}
            kind = i % 3
            if kind == 1:
                scope = {"prompt_id": rng.choice(prompt_ids)}
            elif kind == 2:
                scope = {"per_entity": "prompt"}
            rules.append(
                AlertRule(
                    organization_id=stack.organization_id,
                    name=f"bench {i}",
                    metric=rng.choice(metrics),
                    aggregation=None,
                    comparison="gt",
                    threshold=1e12,
                    window_minutes=rng.choice([5, 60, 1440]),
                    pending_minutes=0,
                    severity="warning",
                    scope=scope,
                    channel_ids=[],
                    enabled=True,
                )
            )
        await AlertRule.bulk_create(rules, batch_size=500)
        cycles = []
        for _ in range(3):
            t = time.perf_counter()
            result = await alert_engine.evaluate_all()
            cycles.append(time.perf_counter() - t)
            assert result.ran
        return [(f"B. alert cycle, {n_rules} rules over the same data", ", ".join(f"{c:.2f} s" for c in cycles))]
    finally:
        await Tortoise.close_connections()
        await redis_client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000)
    # p95 of 40 reads rests on its two slowest: live/quiet ratios of the same build spread 0.8-1.7x;
    # 120 reads per figure (a few seconds more) put five in the tail
    parser.add_argument("--runs", type=int, default=120, help="reads per figure (default 120)")
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the seeded template database")
    parser.add_argument(
        "--live-rate", type=int, default=0, help="also time the reads while this many events/s are ingested (worker on)"
    )
    args = parser.parse_args()
    template = (
        f"bench_template_{args.events // 1_000_000}m" if args.events >= 1_000_000 else f"bench_template_{args.events}"
    )
    asyncio.run(ensure_template(template, args.events, args.fresh))
    live = args.live_rate > 0
    with Stack("analytics", worker=live, template=template, org_name=DEMO_ORG, email=DEMO_EMAIL) as stack:
        rows = asyncio.run(measure(stack, args.runs, args.live_rate))
        rows += asyncio.run(evaluate_rules(stack, args.rules))
    print(format_block(f"Analytics reads on {args.events:,} events (PostgreSQL, one uvicorn, loopback)", rows))


if __name__ == "__main__":
    main()
