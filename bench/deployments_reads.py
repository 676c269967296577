"""Deployment analytics on the 10M-event data set with 10,000 deployments over 90 days.

    .venv/bin/python bench/deployments_reads.py [--events 10000000] [--deployments 10000] [--runs 40]

Clones the seeded template of ``bench/analytics_queries.py`` (``seed-demo``: 30 days, 20 prompts,
rollups built; made on first use), adds 10,000 deployments over the last 90 days in three
environments (each shipping 1..3 of the template's real prompt versions, with 1..3 changes and a
full transition history; bulk-copied, as a CI backfill would leave them), starts one uvicorn and
measures over HTTP on loopback:

* ``GET /admin/deployment-analytics/compare`` of consecutive production deployments (both live
  windows read from the rollups), p50/p95 -- target p95 <= 50 ms;
* ``GET /admin/deployment-analytics/metrics?days=90`` by day and by week -- target p95 <= 50 ms;
* ``status/summary?days=30``;
* GraphQL ``deployments(pageSize: 50) { items { promptVersions { analytics } } }`` against the
  REST calls a client makes for the same data (the page, then one prompt-analytics call per shipped
  prompt of each deployment, sequential) -- target ratio <= 3.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.analytics_queries import DEMO_EMAIL, DEMO_ORG, ensure_template, ms, pct, timed  # noqa: E402
from bench.harness import Stack, format_block  # noqa: E402

STATUSES = ["succeeded"] * 85 + ["failed"] * 7 + ["rolled_back"] * 5 + ["cancelled"] * 3

GRAPHQL = """query($start: DateTime!) { deployments(pageSize: 50) { items { id name status
  promptVersions { promptId versionHash analytics(periodStart: $start) {
    executionCount successRate p95LatencyMs avgScore totalCostUsd } } } } }"""


async def seed_deployments(stack: Stack, n: int) -> dict[str, Any]:
    """Bulk-copy ``n`` deployments with their children into the stack's database; returns what was made."""
    import asyncpg
    import httpx

    headers = {"Authorization": f"Bearer {stack.access_token}"}
    envs: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=60) as http:
        for name, kind in (("production", "production"), ("staging", "staging"), ("development", "development")):
            r = await http.post("/api/v1/environments", json={"name": name, "kind": kind})
            assert r.status_code == 201, r.text
            envs[name] = r.json()["data"]["id"]
    rng = random.Random(42)
    now = datetime.now(UTC)
    started = time.perf_counter()
    conn = await asyncpg.connect(stack.database_url.replace("postgres://", "postgresql://", 1))
    try:
        org = stack.organization_id
        versions = await conn.fetch(
            "SELECT prompt_id, version_hash FROM prompt_versions WHERE organization_id = $1", org
        )
        pairs = [(r["prompt_id"], r["version_hash"]) for r in versions]
        by_prompt: dict[int, list[str]] = {}
        for pid, vh in pairs:
            by_prompt.setdefault(pid, []).append(vh)
        prompt_ids = sorted(by_prompt)
        rows = []
        for i in range(n):
            finished = now - timedelta(days=90) + timedelta(seconds=90 * 86400 * (i + 0.5) / n)
            begun = finished - timedelta(minutes=rng.uniform(2, 30))
            status = rng.choice(STATUSES)
            env = envs["production"] if rng.random() < 0.6 else envs[rng.choice(["staging", "development"])]
            config = json.dumps({"replicas": rng.randint(1, 9), "model": rng.choice(["a", "b", "c"]), "n": i})
            rows.append(
                (
                    org,
                    env,
                    f"release {i}",
                    f"1.{i // 100}.{i % 100}",
                    "",
                    status,
                    config,
                    1,
                    stack.organization_id,
                    begun,
                    begun,
                    finished,
                    finished if status == "rolled_back" else None,
                    finished,
                )
            )
        await conn.copy_records_to_table(
            "deployments",
            records=rows,
            columns=[
                "organization_id",
                "environment_id",
                "name",
                "version",
                "description",
                "status",
                "configuration",
                "configuration_revision",
                "created_by_id",
                "created_at",
                "started_at",
                "finished_at",
                "rolled_back_at",
                "updated_at",
            ],
        )
        made = await conn.fetch(
            "SELECT id, status, started_at, finished_at, created_at FROM deployments WHERE organization_id = $1"
            " ORDER BY id",
            org,
        )
        shipped, changes, transitions, history = [], [], [], []
        for d in made:
            for pid in rng.sample(prompt_ids, rng.randint(1, min(3, len(prompt_ids)))):
                shipped.append((d["id"], pid, rng.choice(by_prompt[pid])))
            for k in range(rng.randint(1, 3)):
                sha = f"{rng.getrandbits(160):040x}"
                changes.append((d["id"], sha, d["finished_at"] - timedelta(hours=rng.uniform(1, 72)), f"change {k}"))
            path = {
                "succeeded": ["in_progress", "succeeded"],
                "failed": ["in_progress", "failed"],
                "rolled_back": ["in_progress", "rolled_back"],
                "cancelled": ["cancelled"],
            }[d["status"]]
            previous = "pending"
            transitions.append((d["id"], None, "pending", org, d["created_at"]))
            for s in path:
                at = d["started_at"] if s == "in_progress" else d["finished_at"]
                transitions.append((d["id"], previous, s, org, at))
                previous = s
            history.append((d["id"], 1, org, "[]", d["created_at"]))
        await conn.copy_records_to_table(
            "deployment_prompt_versions", records=shipped, columns=["deployment_id", "prompt_id", "version_hash"]
        )
        await conn.copy_records_to_table(
            "deployment_changes", records=changes, columns=["deployment_id", "sha", "committed_at", "message"]
        )
        await conn.copy_records_to_table(
            "deployment_transitions",
            records=transitions,
            columns=["deployment_id", "from_status", "to_status", "actor_id", "at"],
        )
        await conn.copy_records_to_table(
            "deployment_config_changes",
            records=history,
            columns=["deployment_id", "revision", "actor_id", "patch", "at"],
        )
        await conn.execute("ANALYZE")
        live = await conn.fetch(
            "SELECT id FROM deployments WHERE organization_id = $1 AND environment_id = $2 AND status = 'succeeded'"
            " AND finished_at > now() - interval '25 days' ORDER BY finished_at",
            org,
            envs["production"],
        )
    finally:
        await conn.close()
    return {
        "envs": envs,
        "live": [r["id"] for r in live],
        "shipped": len(shipped),
        "changes": len(changes),
        "seconds": time.perf_counter() - started,
    }


async def measure(stack: Stack, runs: int, seeded: dict[str, Any]) -> list[tuple[str, str]]:
    import httpx

    rows: list[tuple[str, str]] = []
    headers = {"Authorization": f"Bearer {stack.access_token}"}
    base = "/admin/deployment-analytics"
    live = seeded["live"]
    rng = random.Random(7)
    async with httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=60) as http:
        pairs = [(live[i], live[i + 1]) for i in (rng.randrange(len(live) - 1) for _ in range(runs))]
        sample = (
            await http.get(f"{base}/compare", params={"deployment_id1": pairs[0][0], "deployment_id2": pairs[0][1]})
        ).json()["data"]
        assert sample["baseline"]["metrics"] is not None, sample
        await timed(
            3, lambda: http.get(f"{base}/compare", params={"deployment_id1": live[0], "deployment_id2": live[1]})
        )
        it = iter(pairs)

        async def one_compare() -> None:
            a, b = next(it)
            r = await http.get(f"{base}/compare", params={"deployment_id1": a, "deployment_id2": b})
            assert r.status_code == 200, r.text

        compare = await timed(runs, one_compare)
        rows.append(
            (
                "compare, consecutive production deployments",
                f"{ms(compare)} (target p95 <= 50 ms); e.g. {sample['baseline']['metrics']['executions']:,} vs "
                f"{sample['candidate']['metrics']['executions']:,} executions, verdict {sample['overall_verdict']}",
            )
        )
        for interval in ("day", "week"):
            params = {"days": 90, "interval": interval}
            answer = (await http.get(f"{base}/metrics", params=params)).json()["data"]
            await timed(3, lambda p=params: http.get(f"{base}/metrics", params=p))
            took = await timed(runs, lambda p=params: http.get(f"{base}/metrics", params=p))
            total = answer["total"]
            rows.append(
                (
                    f"metrics, 90 days by {interval} ({len(answer['buckets'])} buckets)",
                    f"{ms(took)} (target p95 <= 50 ms); {total['deployments']:,} deployments, "
                    f"DORA frequency {total['dora']['deployment_frequency']['per_day']:.1f}/day",
                )
            )
        # the same read right after a write (a reported deployment): the cached aggregates are not used
        env = next(iter(seeded["envs"].values()))

        async def written_then_metrics() -> None:
            r = await http.post(
                "/api/v1/deployments", json={"environment_id": env, "name": "bench", "version": "0.0.1"}
            )
            assert r.status_code == 201, r.text

        after_write = []
        for _ in range(max(5, runs // 4)):
            await written_then_metrics()
            after_write += await timed(1, lambda: http.get(f"{base}/metrics", params={"days": 90, "interval": "day"}))
        rows.append(("metrics, 90 days by day, right after a write", ms(after_write)))
        summary = await timed(runs, lambda: http.get(f"{base}/status/summary", params={"days": 30}))
        rows.append(("status summary, 30 days", ms(summary)))

        start = (datetime.now(UTC) - timedelta(days=30)).isoformat()
        check = (await http.post("/graphql", json={"query": GRAPHQL, "variables": {"start": start}})).json()
        assert "errors" not in check, check
        gql = await timed(
            max(5, runs // 2), lambda: http.post("/graphql", json={"query": GRAPHQL, "variables": {"start": start}})
        )

        async def rest_calls() -> None:
            page = (await http.get("/api/v1/deployments", params={"page_size": 50})).json()["data"]["items"]
            for d in page:
                for p in d["prompt_versions"]:
                    r = await http.get(f"/api/v1/prompts/{p['prompt_id']}/analytics", params={"period_start": start})
                    assert r.status_code == 200

        rest = await timed(max(3, runs // 8), rest_calls)
        shipped = sum(len(d["promptVersions"]) for d in check["data"]["deployments"]["items"])
        rows += [
            (f"GraphQL 50 deployments x {shipped} shipped versions x analytics", ms(gql)),
            ("   REST: the page + one prompt-analytics call per shipped prompt", ms(rest)),
            (
                "   ratio GraphQL p50 / REST p50 (target <= 3)",
                f"{statistics.median(gql) / statistics.median(rest):.2f}",
            ),
            ("   ratio GraphQL p95 / REST p95", f"{pct(gql, 0.95) / pct(rest, 0.95):.2f}"),
        ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--deployments", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    template = (
        f"bench_template_{args.events // 1_000_000}m" if args.events >= 1_000_000 else f"bench_template_{args.events}"
    )
    asyncio.run(ensure_template(template, args.events, False))
    with Stack("deployments", worker=False, template=template, org_name=DEMO_ORG, email=DEMO_EMAIL) as stack:
        seeded = asyncio.run(seed_deployments(stack, args.deployments))
        rows = [
            (
                "seeded",
                f"{args.deployments:,} deployments over 90 days, {seeded['shipped']:,} shipped versions, "
                f"{seeded['changes']:,} changes in {seeded['seconds']:.1f} s",
            )
        ]
        rows += asyncio.run(measure(stack, args.runs, seeded))
    print(format_block(f"Deployment analytics on {args.events:,} events (PostgreSQL, one uvicorn, loopback)", rows))


if __name__ == "__main__":
    main()
