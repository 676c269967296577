"""What recording one custom metric point costs when alert rules watch that metric.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/metric_record.py [--points 600000] [--runs 20]

``POST /admin/prompt-analytics/metrics`` stores the point, then evaluates every enabled rule on its
name at once (its answer lists the rules evaluated and any alert change).  Each rule aggregates
the raw points of its window (up to 7 days), so the cost of one recorded point grows with how
many points the window holds: at one point a second, a 7-day window holds 604,800.

Seeded: ``--points`` points of one metric spread over 7 days.  Timed over HTTP on loopback: the
POST with no rule on the metric, then with one 7-day ``avg`` rule, then with one 7-day ``p95``
rule (and a 5-minute ``p95`` rule, the default window, for scale).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import in_scratch_database, percentile, start_web  # noqa: E402

POINTS = """
INSERT INTO metric_points (organization_id, name, value, type, timestamp, prompt_id, version_hash, tags, tags_key,
                           created_at)
SELECT $1, 'latency_ms', 50 + random() * 100, 'gauge', now() - make_interval(secs => i * 604800.0 / $2),
       NULL, NULL, '{}', '', now()
FROM generate_series(0, $2 - 1) AS i
"""
RULES = "/admin/prompt-analytics/alerts/rules"
RECORD = "/admin/prompt-analytics/metrics"


async def run(args: argparse.Namespace) -> None:
    import asyncpg
    import httpx
    from tortoise import Tortoise

    from services.core import redis_client
    from services.core.database import apply_migrations, tortoise_config
    from services.identity import credentials, tenancy
    from services.identity.policy import Role

    await apply_migrations()
    redis_client.connect()
    await Tortoise.init(config=tortoise_config(), _enable_global_fallback=True)
    await tenancy.bootstrap("bench-metrics", "bench@metrics.local", Role.ADMIN, "pw-bench-metrics")
    admin = await tenancy.operator_principal("bench@metrics.local")
    assert admin is not None
    db = await asyncpg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1))
    t0 = time.perf_counter()
    await db.execute(POINTS, admin.organization_id, args.points)
    await db.execute("VACUUM ANALYZE metric_points")
    print(f"seeded {args.points:,} points of one metric over 7 days in {time.perf_counter() - t0:.0f} s")

    web, base = await start_web()
    headers = {"Authorization": f"Bearer {credentials.issue_jwt(admin)[0]}"}
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=300) as http:
            print(f"{'rules on the metric':<34} {'p50 ms':>9} {'p95 ms':>9}  rules evaluated")
            cases = [
                ("none", None),
                ("avg over 7 days", {"aggregation": "avg", "window_minutes": 10080}),
                ("p95 over 7 days", {"aggregation": "p95", "window_minutes": 10080}),
                ("p95 over 5 minutes", {"aggregation": "p95", "window_minutes": 5}),
            ]
            rule_id = None
            for label, rule in cases:
                if rule_id is not None:
                    assert (await http.delete(f"/api/v1/alert-rules/{rule_id}")).status_code == 204
                    rule_id = None
                if rule is not None:
                    body = {"name": label, "metric": "latency_ms", "comparison": "gt", "threshold": 1e9, **rule}
                    r = await http.post(RULES, json=body)
                    assert r.status_code in (200, 201), r.text
                    rule_id = r.json()["data"]["id"]
                times = []
                evaluated = None
                for _ in range(args.runs):
                    t = time.perf_counter()
                    r = await http.post(RECORD, json={"name": "latency_ms", "value": 80.0, "type": "gauge"})
                    times.append((time.perf_counter() - t) * 1000)
                    assert r.status_code in (200, 201), r.text
                    evaluated = r.json()["data"]["rules_evaluated"]
                print(f"{label:<34} {statistics.median(times):>9.1f} {percentile(times, 0.95):>9.1f}  {evaluated}")
    finally:
        web.terminate()
        await web.wait()
        await db.close()
        await redis_client.close()
        await Tortoise.close_connections()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=604_800)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(in_scratch_database("bench_metric_record", None, lambda: run(args)))
