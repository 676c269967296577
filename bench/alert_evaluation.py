"""Benchmark: one alert-evaluation cycle (``alert_engine.evaluate_all``) over many rules.

Seeds a scratch database (created and dropped on the server of ``DATABASE_URL``, or a
temporary SQLite file) with ``--orgs`` organizations x ``--prompts`` prompts, ``--events``
executions spread over the last ``--hours`` hours (rollups rebuilt, so whole hours come from
rollups and only the ragged edge from raw rows) and ``--points`` recorded metric points,
then ``--rules`` enabled rules (built-in metrics with 5/60/1440-minute windows, org-wide
and per prompt, plus recorded-metric rules with avg/p95/count), and times full cycles; ``--clear``
then lifts the firing rules' thresholds and times the cycle that resolves their alerts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/alert_evaluation.py --events 200000 --rules 1000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def main(args: argparse.Namespace) -> None:
    base = os.environ.get("DATABASE_URL", "")
    scratch = f"bench_alerts_{uuid.uuid4().hex[:8]}"
    if base.startswith("postgres"):
        await _pg_admin(base, f'CREATE DATABASE "{scratch}"')
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(base)._replace(path=f"/{scratch}"))
    else:
        os.environ["DATABASE_URL"] = f"sqlite://{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["REDIS_PREFIX"] = scratch
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        await run(args)
    finally:
        if base.startswith("postgres"):
            await _pg_admin(base, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


async def run(args: argparse.Namespace) -> None:
    from tortoise import Tortoise

    from models.alerts import AlertRule
    from models.metrics import MetricPoint
    from models.prompts import Prompt, PromptExecution
    from models.tenancy import Organization
    from services.alerting import engine as alert_engine
    from services.core import redis_client
    from services.core.database import apply_migrations, tortoise_config
    from services.rollups import build as rollups

    await apply_migrations()
    redis_client.connect()
    await Tortoise.init(config=tortoise_config(), _enable_global_fallback=True)
    rng = random.Random(7)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    orgs = [await Organization.create(name=f"bench-{i}") for i in range(args.orgs)]
    prompts = await Prompt.bulk_create(
        [Prompt(uuid=uuid.uuid4(), organization_id=o.id, name=f"p{j}") for o in orgs for j in range(args.prompts)]
    )
    prompts = await Prompt.all()
    batch: list[PromptExecution] = []
    for _ in range(args.events):
        p = rng.choice(prompts)
        batch.append(
            PromptExecution(
                event_id=uuid.uuid4(),
                organization_id=p.organization_id,
                prompt_id=p.id,
                version_hash=rng.choice(["v1", "v2"]),
                status="failed" if rng.random() < 0.05 else "completed",
                latency_ms=rng.lognormvariate(5, 0.6),
                cost_usd=round(rng.uniform(0, 0.01), 6),
                score=rng.random(),
                occurred_at=now - timedelta(seconds=rng.uniform(0, args.hours * 3600)),
            )
        )
        if len(batch) == 5000:
            await PromptExecution.bulk_create(batch)
            batch = []
    if batch:
        await PromptExecution.bulk_create(batch)
    points = [
        MetricPoint(
            organization_id=o.id,
            name=f"m{rng.randrange(5)}",
            value=rng.uniform(0, 100),
            type="gauge",
            timestamp=now - timedelta(seconds=rng.uniform(0, 3600)),
            tags={},
            tags_key="",
        )
        for o in orgs
        for _ in range(args.points // len(orgs))
    ]
    for i in range(0, len(points), 5000):
        await MetricPoint.bulk_create(points[i : i + 5000])
    seeded = time.perf_counter() - t0
    t1 = time.perf_counter()
    built = await rollups.rebuild_all()
    rolled = time.perf_counter() - t1

    kinds = [
        ("latency_p95", None, 5, {}),
        ("error_rate", None, 60, {}),
        ("throughput", None, 1440, {}),
        ("latency_p99", None, 60, {"per_entity": "prompt"}),
        ("score_avg", None, 1440, {"per_entity": "version"}),
        ("m0", "avg", 5, {}),
        ("m1", "p95", 60, {}),
        ("m2", "count", 60, {}),
    ]
    rules = []
    for i in range(args.rules):
        org = orgs[i % len(orgs)]
        metric, agg, window, scope = kinds[i % len(kinds)]
        rules.append(
            AlertRule(
                organization_id=org.id,
                name=f"r{i}",
                metric=metric,
                aggregation=agg,
                comparison="gt",
                threshold=0.0 if rng.random() < 0.1 else 1e9,  # a tenth of the rules fire
                window_minutes=window,
                pending_minutes=0,
                severity="warning",
                scope=scope,
                channel_ids=[],
                enabled=True,
            )
        )
    await AlertRule.bulk_create(rules)
    timings = []
    changes = []
    for _ in range(args.cycles):
        result = await alert_engine.evaluate_all()
        timings.append(result.duration_ms)
        changes.append(len(result.changes))
    print(
        f"dialect={os.environ['DATABASE_URL'].split(':')[0]} orgs={args.orgs} prompts={len(prompts)} "
        f"events={args.events} over {args.hours}h points={len(points)} rules={args.rules}"
    )
    print(f"seed {seeded:.1f}s, rollup rebuild {rolled:.1f}s ({built} buckets)")
    for i, (ms, n) in enumerate(zip(timings, changes, strict=True)):
        print(f"cycle {i + 1}: {ms / 1000:.3f}s, {n} alert transitions")
    if args.clear:  # every firing rule's condition clears at once: the storm resolves in one cycle
        await AlertRule.filter(threshold=0.0).update(threshold=1e9, last_evaluated_at=None)
        result = await alert_engine.evaluate_all()
        resolved = sum(1 for c in result.changes if c.transition == "resolved")
        print(f"clearing cycle: {result.duration_ms / 1000:.3f}s, {resolved} alerts resolved")
    await Tortoise.close_connections()
    await redis_client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--prompts", type=int, default=50, help="per organization")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--hours", type=int, default=48)
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--clear", action="store_true", help="then clear every firing rule and time that cycle")
    asyncio.run(main(parser.parse_args()))
