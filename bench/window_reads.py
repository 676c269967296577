"""Two views over every row of a window, with and without the indexes that bound them (migration 24).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/window_reads.py [--samples 864000] [--points 3000000] [--runs 20]

* ``GET /v1/mcp/proxy/health``: the day's probes, healthy and not, and the latest unhealthy one.
  Seeded: 30 days of gateway samples (20 MCP servers probed every minute: 864,000), the only
  failures on the first day, so the latest one lies far back in time.
* ``GET /admin/monitoring-alerts/monitoring/metrics?time_range=24h``: the overview of every
  recorded metric of the window.  Seeded: 90 days of custom metric points over 20 names (none within
  half an hour of the view's 24-hour edge, so two calls a few seconds apart read the same points).

Each view is timed over HTTP on loopback without the new index (dropped for the run), then with it,
in the same run on the same rows; the answers are checked equal.  The scratch database is dropped at
the end unless ``--database NAME`` keeps it.
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

from bench.harness import comparable, in_scratch_database, percentile, start_web  # noqa: E402

SAMPLES = """
INSERT INTO gateway_samples (organization_id, target_id, kind, collected_at, healthy, response_ms, http_status,
                             error, figures)
SELECT $1, NULL, 'mcp_server', $2::timestamptz - make_interval(secs => (i / 20) * 60), i >= $3 - 200,
       20 + i % 50, CASE WHEN i >= $3 - 200 THEN 503 ELSE 200 END, CASE WHEN i >= $3 - 200 THEN 'HTTP 503' END, '{}'
FROM generate_series(0, $3 - 1) AS i
"""
POINTS = """
INSERT INTO metric_points (organization_id, name, value, type, timestamp, prompt_id, version_hash, tags, tags_key,
                           created_at)
SELECT $1, 'metric_' || (i % 20), random() * 100, CASE WHEN i % 20 < 5 THEN 'counter' ELSE 'gauge' END,
       at, NULL, NULL, '{}', '', now()
FROM generate_series(0, $3 - 1) AS i,
     LATERAL (SELECT $2::timestamptz - make_interval(secs => (i::double precision / $3) * 7776000) AS at) AS t
-- none within half an hour of the 24-hour view's first edge: the window moves between two calls,
-- and the answers with and without the index are compared
WHERE at NOT BETWEEN $2::timestamptz - interval '24.5 hours' AND $2::timestamptz - interval '23.5 hours'
"""
# (label, path, index the view needs, its definition)
VIEWS = [
    (
        "gateway health",
        "/v1/mcp/proxy/health",
        "idx_gateway_sam_organiz_0a9a95",
        'CREATE INDEX "idx_gateway_sam_organiz_0a9a95" ON "gateway_samples" '
        '("organization_id", "healthy", "collected_at")',
    ),
    (
        "monitoring metrics, 24 h",
        "/admin/monitoring-alerts/monitoring/metrics?time_range=24h",
        "idx_metric_poin_organiz_368b34",
        'CREATE INDEX "idx_metric_poin_organiz_368b34" ON "metric_points" ("organization_id", "timestamp")',
    ),
]


MOVING = {"checked_at", "start", "end", "last_at"}  # the clock and the window's edges


async def run(args: argparse.Namespace) -> None:
    from datetime import UTC, datetime

    import asyncpg
    import httpx
    from tortoise import Tortoise

    from models.gateway import GatewaySample
    from services.core import redis_client
    from services.core.database import apply_migrations, tortoise_config
    from services.identity import credentials, tenancy
    from services.identity.policy import Role

    await apply_migrations()
    redis_client.connect()
    await Tortoise.init(config=tortoise_config(), _enable_global_fallback=True)
    db = await asyncpg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1))
    admin = await tenancy.operator_principal("bench@reads.local")
    if admin is None:
        await tenancy.bootstrap("bench-reads", "bench@reads.local", Role.ADMIN, "pw-bench-reads")
        admin = await tenancy.operator_principal("bench@reads.local")
    assert admin is not None
    org = admin.organization_id
    if await GatewaySample.filter(organization_id=org).count() != args.samples:
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        await db.execute("TRUNCATE gateway_samples, metric_points")
        await db.execute(SAMPLES, org, now, args.samples)
        for lo in range(0, args.points, 1_000_000):
            n = min(1_000_000, args.points - lo)
            await db.execute(POINTS, org, now, n)
        await db.execute("VACUUM ANALYZE gateway_samples")  # what autovacuum does after bulk inserts
        await db.execute("VACUUM ANALYZE metric_points")
        print(
            f"seeded {args.samples:,} gateway samples and {args.points:,} metric points "
            f"in {time.perf_counter() - t0:.0f} s"
        )

    web, base = await start_web()
    headers = {"Authorization": f"Bearer {credentials.issue_jwt(admin)[0]}"}
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=300) as http:
            print(f"{'view':<26} {'index':<8} {'p50 ms':>9} {'p95 ms':>9}  equal")
            for label, path, index, definition in VIEWS:
                answers = []
                for present in (False, True):
                    await db.execute(f'DROP INDEX IF EXISTS "{index}"')
                    if present:
                        await db.execute(definition)
                    times = []
                    for _ in range(args.runs):
                        t0 = time.perf_counter()
                        r = await http.get(path)
                        times.append((time.perf_counter() - t0) * 1000)
                        assert r.status_code == 200, r.text
                    answers.append(comparable(r.json()["data"], MOVING))
                    print(
                        f"{label:<26} {'with' if present else 'without':<8} {statistics.median(times):>9.1f} "
                        f"{percentile(times, 0.95):>9.1f}  {answers[0] == answers[-1]}"
                    )
                    if answers[0] != answers[-1]:
                        print(f"  without: {answers[0]}\n  with:    {answers[-1]}")
    finally:
        web.terminate()
        await web.wait()
        await db.close()
        await redis_client.close()
        await Tortoise.close_connections()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=864_000)
    parser.add_argument("--points", type=int, default=3_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", help="keep the seeded database under this name for later runs")
    args = parser.parse_args()
    asyncio.run(in_scratch_database("bench_reads", args.database, lambda: run(args)))
