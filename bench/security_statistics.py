"""Threat statistics over many stored security events: ``GET /v1/security/threat-statistics`` latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/security_statistics.py [--events 5000000] [--runs 10]

A scratch database gets ``--events`` security events over the last 60 days (two 720-hour windows:
the statistics compare a window with the one before it) by ``INSERT ... SELECT generate_series``:
the stored event types in made-up proportions (failed logins and invalid tokens most), 20,000
source addresses with a skewed share, 300 paths, a third of them carrying the benchmark
organization's id.  One uvicorn serves the app; this process asks for the statistics of 24, 168
and 720 hours as a superuser (the platform) and as the organization's admin, over HTTP on loopback,
and prints p50/p95 and the size of the answer, next to the seven raw queries the route ran before
the rollups (timed once: the "before" figure) and whether the answer equals what they give.  The
scratch database and Redis keys are dropped at the end (``--database NAME`` keeps it for the next run).
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

from bench.harness import in_scratch_database, percentile, start_web  # noqa: E402

# (event type, threat level, share in tenths of a percent)
TYPES = [
    ("failed_login", "medium", 300),
    ("invalid_token", "medium", 250),
    ("rate_limited", "low", 150),
    ("forbidden", "medium", 80),
    ("probe_path", "high", 80),
    ("path_scan", "high", 40),
    ("bad_request_burst", "medium", 30),
    ("injection_attempt", "critical", 30),
    ("payload_too_large", "medium", 10),
    ("graphql_limit", "medium", 10),
    ("ip_blocked", "high", 15),
    ("ip_unblocked", "low", 5),
]
GENERATE = """
INSERT INTO security_events (event_id, event_type, threat_level, source_ip, method, path, status,
                             organization_id, user_id, user_agent, detail, occurred_at, hour)
SELECT gen_random_uuid(), t.event_type, t.threat_level,
       -- a skewed share of 20,000 addresses: a few loud ones, a long tail
       '10.' || (a / 65536) || '.' || ((a / 256) % 256) || '.' || (a % 256),
       'POST', '/api/v1/p' || (i % 300), 401,
       CASE WHEN i % 3 = 0 THEN $1::int END, NULL, 'bench', NULL, at,
       (floor(extract(epoch FROM at))::bigint / 3600)::int  -- the floor, as the drain computes it
FROM generate_series($2::bigint, $3::bigint) AS i,
     LATERAL (SELECT (floor(20000 * power(random(), 3)))::int AS a,
                     $4::timestamptz - make_interval(secs => (i::double precision / $5) * 5184000) AS at) AS g,
     LATERAL (SELECT * FROM unnest($6::text[], $7::text[], $8::int[]) AS u(event_type, threat_level, upto)
              WHERE upto > i % 1000 ORDER BY upto LIMIT 1) AS t
"""

# What the statistics ran before the rollups (services/security/events.py): seven scans of the
# window's events.  Timed once per case as the "before" figure, and the answer is checked against them.
RAW = {
    "by_type": "SELECT event_type, count(id) FROM security_events WHERE occurred_at >= $1 {org} GROUP BY 1",
    "previous_by_type": "SELECT event_type, count(id) FROM security_events "
    "WHERE occurred_at >= $2 AND occurred_at < $1 {org} GROUP BY 1",
    "by_level": "SELECT threat_level, count(id) FROM security_events WHERE occurred_at >= $1 {org} GROUP BY 1",
    "top_sources": "SELECT source_ip, count(id) AS n FROM security_events WHERE occurred_at >= $1 {org} "
    "GROUP BY 1 ORDER BY n DESC, source_ip LIMIT 10",
    "top_paths": "SELECT path, count(id) AS n FROM security_events WHERE occurred_at >= $1 AND path <> '' {org} "
    "GROUP BY 1 ORDER BY n DESC, path LIMIT 10",
    "hourly": "SELECT hour, count(id) FROM security_events WHERE occurred_at >= $1 {org} GROUP BY 1",
    "unique_sources": "SELECT count(DISTINCT source_ip) FROM security_events WHERE occurred_at >= $1 {org}",
}


async def _raw(conn: Any, since: Any, before: Any, org: int | None) -> tuple[float, dict[str, Any]]:
    """The seven raw queries for one window: their total time (ms) and the figures they give."""
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    for name, sql in RAW.items():
        args = [since, before] if name == "previous_by_type" else [since]
        clause = "" if org is None else f"AND organization_id = ${len(args) + 1}"
        rows = await conn.fetch(sql.format(org=clause), *args, *([] if org is None else [org]))
        out[name] = [tuple(r) for r in rows]
    return (time.perf_counter() - t0) * 1000, out


async def main(args: argparse.Namespace) -> None:
    await in_scratch_database("bench_secstats", args.database, lambda: run(args))


async def run(args: argparse.Namespace) -> None:
    from datetime import UTC, datetime, timedelta

    import asyncpg
    import httpx
    from tortoise import Tortoise

    from models.security import SecurityEvent, SecurityRollup
    from models.tenancy import Organization
    from services import security
    from services.core import redis_client
    from services.core.database import apply_migrations, tortoise_config
    from services.identity import credentials, tenancy
    from services.identity.policy import Role

    t0 = time.perf_counter()
    applied = await apply_migrations()
    if applied:  # a kept database seeded by an older version: its upgrade (the rollups' backfill) timed
        print(f"migrations {', '.join(applied)} applied in {time.perf_counter() - t0:.1f} s")
    redis_client.connect()
    await Tortoise.init(config=tortoise_config(), _enable_global_fallback=True)
    client: asyncpg.Connection = await asyncpg.connect(
        os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    )
    if await Organization.get_or_none(name="bench-security") is None:
        await tenancy.bootstrap("bench-security", "bench@security.local", Role.ADMIN, "pw-bench-security")
    if await Organization.get_or_none(name="bench-security-operators") is None:
        await tenancy.bootstrap("bench-security-operators", "root@security.local", Role.SUPERUSER, "pw-bench-root")
    admin = await tenancy.operator_principal("bench@security.local")
    root = await tenancy.operator_principal("root@security.local")
    assert admin is not None and root is not None
    org = admin.organization_id
    seeded = rolled = 0.0
    if await SecurityEvent.all().count() != args.events:
        await client.execute("TRUNCATE security_events, security_rollups")
        end = datetime.fromtimestamp(time.time(), UTC)
        t0 = time.perf_counter()
        indexes = await client.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'security_events' AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'security_events'::regclass)"
        )
        for i in indexes:  # built after the load: maintained row by row they slow it several times
            await client.execute(f'DROP INDEX "{i["indexname"]}"')
        bounds, upto = [], 0
        for _, _, share in TYPES:
            upto += share
            bounds.append(upto)
        assert upto == 1000
        names, levels = [t for t, _, _ in TYPES], [lv for _, lv, _ in TYPES]
        chunk = 1_000_000
        for lo in range(0, args.events, chunk):
            hi = min(lo + chunk, args.events) - 1
            await client.execute(GENERATE, org, lo, hi, end, args.events, names, levels, bounds)
        await client.execute("SET maintenance_work_mem = '512MB'")
        for i in indexes:
            await client.execute(i["indexdef"])
        await client.execute("VACUUM ANALYZE security_events")  # what autovacuum does after bulk inserts
        seeded = time.perf_counter() - t0
        t0 = time.perf_counter()
        await security.rebuild_rollups()  # the seed bypassed the drain, which keeps them in step
        rolled = time.perf_counter() - t0
    await client.close()
    rollup_rows = await SecurityRollup.all().count()
    print(
        f"{args.events:,} security events over 60 days (seeded in {seeded:.0f} s, rollups rebuilt in {rolled:.1f} s)"
        if seeded
        else f"kept database of {args.events:,} security events"
    )
    print(f"{rollup_rows:,} rollup rows")

    web, base = await start_web()
    principals = {"superuser (platform)": root, "org admin": admin}
    try:
        async with httpx.AsyncClient(base_url=base, timeout=300) as http:
            raw_conn = await asyncpg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1))
            print(f"{'who':<22} {'hours':>5} {'events':>11} {'p50 ms':>9} {'p95 ms':>9} {'raw ms':>9}  equal")
            for who, principal in principals.items():
                headers = {"Authorization": f"Bearer {credentials.issue_jwt(principal)[0]}"}
                for hours in (24, 168, 720):
                    times, data = [], {}
                    for _ in range(args.runs):
                        t0 = time.perf_counter()
                        r = await http.get("/v1/security/threat-statistics", params={"hours": hours}, headers=headers)
                        times.append((time.perf_counter() - t0) * 1000)
                        assert r.status_code == 200, r.text
                        data = r.json()["data"]
                    since = datetime.fromisoformat(data["period_start"])
                    org = None if who.startswith("superuser") else principal.organization_id
                    raw_ms, raw = await _raw(raw_conn, since, since - timedelta(hours=hours), org)
                    answered = {
                        "by_type": sorted((t["event_type"], t["count"]) for t in data["by_type"] if t["count"]),
                        "previous_by_type": sorted(
                            (t["event_type"], t["previous_count"]) for t in data["by_type"] if t["previous_count"]
                        ),
                        "by_level": sorted((k, v) for k, v in data["by_level"].items() if v),
                        "top_sources": [(x["source_ip"], x["count"]) for x in data["top_sources"]],
                        "top_paths": [(x["path"], x["count"]) for x in data["top_paths"]],
                        "unique_sources": [(data["unique_sources"],)],
                        "hourly": data["total_events"],
                    }
                    expected = {
                        **{k: sorted(raw[k]) for k in ("by_type", "previous_by_type", "by_level")},
                        **{k: raw[k] for k in ("top_sources", "top_paths", "unique_sources")},
                        "hourly": sum(n for _, n in raw["hourly"]),
                    }
                    differing = [k for k in expected if expected[k] != answered[k]]
                    equal = not differing
                    print(
                        f"{who:<22} {hours:>5} {data['total_events']:>11,} {statistics.median(times):>9.1f} "
                        f"{percentile(times, 0.95):>9.1f} {raw_ms:>9.1f}  {equal}"
                    )
                    for k in differing:
                        print(f"  {k}: raw {expected[k]}\n  {' ' * len(k)}  api {answered[k]}")
            await raw_conn.close()
    finally:
        web.terminate()
        await web.wait()
        await redis_client.close()
        await Tortoise.close_connections()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--database", help="keep the seeded database under this name for later runs")
    asyncio.run(main(parser.parse_args()))
