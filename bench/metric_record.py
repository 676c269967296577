"""What recording one custom metric point costs when alert rules watch that metric.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/metric_record.py [--points 600000] [--runs 20]

``POST /admin/prompt-analytics/metrics`` stores the point, then evaluates every enabled rule on its
name at once (its answer lists the rules evaluated and any alert change).  Each rule aggregates
the raw points of its window (up to 7 days), so the cost of one recorded point grows with how
many points the window holds: at one point a second, a 7-day window holds 604,800.

Since 72bb844 a point is checked at once only against rules of up to 60 minutes; longer ones are
left to the minute cycle.  Seeded: ``--points`` points of one metric spread over 7 days.  This
code and ``--before`` (a ``git worktree``) serve the same database, called in turn over HTTP on
loopback: the POST with no rule on the metric, then with one 7-day ``avg`` rule, one 7-day ``p95``
rule, and a 5-minute ``p95`` rule (the default window, evaluated at once by both).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import checkout, in_scratch_database, in_turn, p50_p95, start_web, stop_webs  # noqa: E402

POINTS = """
INSERT INTO metric_points (organization_id, name, value, type, timestamp, prompt_id, version_hash, tags, tags_key,
                           created_at)
SELECT $1, 'latency_ms', 50 + random() * 100, 'gauge', now() - make_interval(secs => i * 604800.0 / $2),
       NULL, NULL, '{}', '', now()
FROM generate_series(0, $2 - 1) AS i
"""
RULES = "/admin/prompt-analytics/alerts/rules"
RECORD = "/admin/prompt-analytics/metrics"


async def _time_records(http: Any, webs: dict[str, Any], runs: int) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Milliseconds per POST for each web, and what each answered it evaluated now / left to the cycle."""
    counts: dict[str, str] = {}

    async def record(name: str, url: str) -> Any:
        return await http.post(url + RECORD, json={"name": "latency_ms", "value": 80.0, "type": "gauge"})

    async def check(name: str, r: Any) -> None:
        assert r.status_code in (200, 201), r.text
        data = r.json()["data"]
        counts[name] = f"{data['rules_evaluated']} / {data.get('rules_left_to_cycle', '-')}"

    return await in_turn(webs, runs, record, after=check), counts


async def _time_cycles(http: Any, base: str) -> None:
    """The minute cycle with a 7-day ``p95`` rule on the metric: once due (new), then not due (since
    fd8d200 such a rule is evaluated hourly), then due again.  In this process, this code only."""
    from models.alerts import AlertRule
    from services import alerting

    body = {"name": "cycle", "metric": "latency_ms", "comparison": "gt", "threshold": 1e9}
    r = await http.post(base + RULES, json={**body, "aggregation": "p95", "window_minutes": 10080})
    assert r.status_code in (200, 201), r.text
    rule_id = r.json()["data"]["id"]
    interval = r.json()["data"].get("evaluation_interval_minutes")
    print(f"minute cycle with a 7-day p95 rule (evaluation interval {interval} min):")
    for label in ("new rule, due", "a minute later, not due", "an interval later, due"):
        if label.startswith("an interval"):
            await AlertRule.filter(id=rule_id).update(last_evaluated_at=None)
        cycle = await alerting.evaluate_all()
        print(f"  {label:<26} {cycle.duration_ms:>8.1f} ms  ({cycle.rules} evaluated, {cycle.not_due} not due)")
    assert (await http.delete(f"{base}/api/v1/alert-rules/{rule_id}")).status_code == 204


async def run(args: argparse.Namespace, before_dir: Path) -> None:
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

    webs = {"before": await start_web(before_dir), "after": await start_web()}
    headers = {"Authorization": f"Bearer {credentials.issue_jwt(admin)[0]}"}
    try:
        async with httpx.AsyncClient(headers=headers, timeout=300) as http:
            base = webs["after"][1]
            print(f"{'rules on the metric':<22} {'code':<7} {'p50 ms':>8} {'p95 ms':>8}  evaluated now / left to cycle")
            cases = [
                ("none", None),
                ("avg over 7 days", {"aggregation": "avg", "window_minutes": 10080}),
                ("p95 over 7 days", {"aggregation": "p95", "window_minutes": 10080}),
                ("p95 over 5 minutes", {"aggregation": "p95", "window_minutes": 5}),
            ]
            rule_id = None
            for label, rule in cases:
                if rule_id is not None:
                    assert (await http.delete(f"{base}/api/v1/alert-rules/{rule_id}")).status_code == 204
                    rule_id = None
                if rule is not None:
                    body = {"name": label, "metric": "latency_ms", "comparison": "gt", "threshold": 1e9, **rule}
                    r = await http.post(base + RULES, json=body)
                    assert r.status_code in (200, 201), r.text
                    rule_id = r.json()["data"]["id"]
                times, counts = await _time_records(http, webs, args.runs)
                for name in webs:
                    print(f"{label:<22} {name:<7} {p50_p95(times[name])}  {counts[name]}")
            await _time_cycles(http, base)
    finally:
        await stop_webs(webs)
        await db.close()
        await redis_client.close()
        await Tortoise.close_connections()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=604_800)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--before", default="72bb844~1", help="the commit to compare with (default: before the change)")
    args = parser.parse_args()
    with checkout(args.before) as before_dir:
        asyncio.run(in_scratch_database("bench_metric_record", None, lambda: run(args, before_dir)))
