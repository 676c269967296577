"""Partitioning the raw executions table: conversion cost, partition pruning, DROP vs DELETE.

    .venv/bin/python bench/partitions.py [--template bench_template_10m] [--runs 7] [--keep]

On a clone of the seeded template (10M prompt events over 30 days; the template itself is never
touched), in one run:

1. ``api.cli migrate``: migration 16 converts the populated table in place (renamed, two index
   builds, attached as ONE partition covering its weeks) and the maintenance run creates the
   partitions ahead.  Timed, as an operator would run it.
2. Layout A, "as converted": every old row in one partition.  The raw-event reads the service
   runs: the edge-hour read of 20 prompts (rollups.query: raw rows of a partial hour), a week's
   window of 20 prompts, the newest history page of the busiest prompt and a history page from
   three weeks back.  Median of ``--runs`` and, from EXPLAIN (ANALYZE), the partitions in the
   plan and the partitions actually executed.
3. The old partition split into weekly partitions (copy each week into a plain table, attach it:
   the index builds happen there).  This is also what a copy-based conversion costs.
4. Layout B, weekly partitions: the same reads.  Windows prune every other week at plan time;
   the newest-page history read is an ordered Append whose older partitions never execute.
5. Retention: the oldest week removed by DELETE (rolled back) vs DETACH + DROP.
6. The drain's merge with its duplicate look-up (a stored id within a day of the event: LATERAL
   ... LIMIT 1, and the NOT EXISTS it replaced) vs without it, for a buffer of 2,000 new events:
   the price of idempotency on a partitioned table.

Prints ``uptime`` next to the figures; drops the clone unless ``--keep``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.core import partitions  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def db_url(name: str) -> str:
    return urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))


def pg(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node.get("Plans", []):
        out += walk(child)
    return out


async def measure(conn: asyncpg.Connection, sql: str, args: list[Any], runs: int) -> dict[str, Any]:
    """Median wall time of ``runs`` executions, and which partitions the plan holds and runs."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        await conn.fetch(sql, *args)
        times.append((time.perf_counter() - t) * 1000)
    raw = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *args)
    plan = json.loads(raw)[0]
    nodes = walk(plan["Plan"])
    in_plan = sorted({n["Relation Name"] for n in nodes if "Relation Name" in n})
    executed = sorted({n["Relation Name"] for n in nodes if "Relation Name" in n and n.get("Actual Loops", 0) > 0})
    removed = sum(int(n.get("Subplans Removed", 0)) for n in nodes)
    return {
        "median_ms": round(statistics.median(times), 2),
        "partitions_in_plan": len(in_plan),
        "partitions_executed": len(executed),
        "executed": executed,
        "subplans_removed_at_run_time": removed,
    }


async def reads(conn: asyncpg.Connection, runs: int) -> dict[str, Any]:
    end = await conn.fetchval(
        "SELECT max(occurred_at) FROM prompt_executions WHERE occurred_at < now() + interval '1 hour'"
    )
    top = await conn.fetch(
        "SELECT prompt_id, organization_id FROM prompt_executions WHERE occurred_at >= $1 "
        "GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 20",
        end - timedelta(days=1),
    )
    ids = [r["prompt_id"] for r in top]
    busiest, org = top[0]["prompt_id"], top[0]["organization_id"]
    hour = end.replace(minute=0, second=0, microsecond=0)
    edge = (
        "SELECT version_hash, status, total_duration_ms, ai_response_time_ms, query_execution_time_ms, latency_ms, "
        "cost_usd, score, data_source_ids, schema_names, occurred_at FROM prompt_executions "
        "WHERE prompt_id = ANY($1::int[]) AND occurred_at >= $2 AND occurred_at < $3"
    )
    window = (
        "SELECT prompt_id, count(*) FROM prompt_executions "
        "WHERE prompt_id = ANY($1::int[]) AND occurred_at >= $2 AND occurred_at < $3 GROUP BY 1"
    )
    history = (
        "SELECT id, occurred_at FROM prompt_executions WHERE prompt_id = $1 AND organization_id = $2 {extra}"
        "ORDER BY occurred_at DESC, id DESC LIMIT 21"
    )
    return {
        "edge hour (20 prompts, 30 minutes of raw rows)": await measure(
            conn, edge, [ids, hour - timedelta(minutes=30), hour], runs
        ),
        "a week's window (20 prompts, 14 to 7 days back)": await measure(
            conn, window, [ids, end - timedelta(days=14), end - timedelta(days=7)], runs
        ),
        "history, newest page": await measure(conn, history.format(extra=""), [busiest, org], runs),
        "history, page from 21 days back": await measure(
            conn, history.format(extra="AND occurred_at < $3 "), [busiest, org, end - timedelta(days=21)], runs
        ),
    }


async def layout(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    out = []
    for p in await partitions.list_partitions(conn):
        rows = await conn.fetchval(f'SELECT count(*) FROM "{p.name}"')
        out.append(
            {"name": p.name, "from": p.start and p.start.isoformat(), "to": p.end and p.end.isoformat(), "rows": rows}
        )
    return out


async def split_weekly(conn: asyncpg.Connection) -> dict[str, Any]:
    """Replace the converted table's single old partition by one partition per week (copy + attach)."""
    parts = [p for p in await partitions.list_partitions(conn) if p.start is not None and p.end is not None]
    legacy = max(parts, key=lambda p: p.end - p.start)  # type: ignore[operator]
    assert legacy.start is not None and legacy.end is not None
    started = time.perf_counter()
    weeks = []
    async with conn.transaction():
        await conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
        await conn.execute(f'ALTER TABLE prompt_executions DETACH PARTITION "{legacy.name}"')
        await conn.execute(f'ALTER TABLE "{legacy.name}" RENAME TO old_single_partition')
        a = legacy.start
        while a < legacy.end:
            b = a + timedelta(days=7)
            name = partitions.partition_name("prompt_executions", a)
            lit_a, lit_b = f"'{a.isoformat()}'", f"'{b.isoformat()}'"
            await conn.execute(f'CREATE TABLE "{name}" (LIKE prompt_executions INCLUDING DEFAULTS)')
            status = await conn.execute(
                f'INSERT INTO "{name}" SELECT * FROM old_single_partition WHERE occurred_at >= $1 AND occurred_at < $2',
                a,
                b,
            )
            await conn.execute(
                f'ALTER TABLE "{name}" ADD CONSTRAINT "{name}_b" '
                f"CHECK (occurred_at >= {lit_a} AND occurred_at < {lit_b})"
            )
            await conn.execute(
                f'ALTER TABLE prompt_executions ATTACH PARTITION "{name}" FOR VALUES FROM ({lit_a}) TO ({lit_b})'
            )
            await conn.execute(f'ALTER TABLE "{name}" DROP CONSTRAINT "{name}_b"')
            weeks.append((name, int(status.rsplit(" ", 1)[-1])))
            a = b
        await conn.execute("DROP TABLE old_single_partition")
    await conn.execute("ANALYZE prompt_executions")
    return {"seconds": round(time.perf_counter() - started, 1), "weeks": weeks}


async def drop_vs_delete(conn: asyncpg.Connection) -> dict[str, Any]:
    parts = [p for p in await partitions.list_partitions(conn) if p.start is not None]
    oldest = parts[0]
    rows = await conn.fetchval(f'SELECT count(*) FROM "{oldest.name}"')
    tx = conn.transaction()
    await tx.start()
    t = time.perf_counter()
    status = await conn.execute(
        "DELETE FROM prompt_executions WHERE occurred_at >= $1 AND occurred_at < $2", oldest.start, oldest.end
    )
    delete_s = time.perf_counter() - t
    await tx.rollback()
    t = time.perf_counter()
    async with conn.transaction():
        await conn.execute(f'ALTER TABLE prompt_executions DETACH PARTITION "{oldest.name}"')
        await conn.execute(f'DROP TABLE "{oldest.name}"')
    drop_s = time.perf_counter() - t
    return {
        "partition": oldest.name,
        "rows": rows,
        "deleted": int(status.rsplit(" ", 1)[-1]),
        "delete_s (rolled back; a vacuum of the dead rows comes on top)": round(delete_s, 2),
        "detach_and_drop_s": round(drop_s, 3),
        "ratio": round(delete_s / drop_s, 1) if drop_s else None,
    }


BUFFER = """
CREATE TEMP TABLE IF NOT EXISTS ingest_buffer (
    seq int, event_id uuid, organization_id int, prompt_id int, version_hash varchar(128),
    status varchar(20), total_duration_ms float8, ai_response_time_ms float8,
    query_execution_time_ms float8, latency_ms float8, cost_usd float8, score float8,
    data_source_ids jsonb, schema_names jsonb, user_id int, occurred_at timestamptz
)"""
INSERT = """
INSERT INTO prompt_executions (
    event_id, organization_id, prompt_id, version_hash, status, total_duration_ms, ai_response_time_ms,
    query_execution_time_ms, latency_ms, cost_usd, score, data_source_ids, schema_names, user_id,
    occurred_at, received_at)
SELECT event_id, organization_id, prompt_id, version_hash, status, total_duration_ms, ai_response_time_ms,
    query_execution_time_ms, latency_ms, cost_usd, score, data_source_ids, schema_names, user_id,
    occurred_at, now()
FROM {source}
ON CONFLICT (organization_id, event_id, occurred_at) DO NOTHING"""
WITH_LOOKUP = """(SELECT DISTINCT ON (event_id) * FROM ingest_buffer ORDER BY event_id, seq) AS b
LEFT JOIN LATERAL (SELECT 1 AS found FROM prompt_executions e WHERE e.event_id = b.event_id
    AND e.occurred_at BETWEEN b.occurred_at - interval '1 day' AND b.occurred_at + interval '1 day' LIMIT 1) AS s
    ON true
WHERE s.found IS NULL"""
WITH_NOT_EXISTS = """(SELECT DISTINCT ON (event_id) * FROM ingest_buffer ORDER BY event_id, seq) AS b
WHERE NOT EXISTS (SELECT 1 FROM prompt_executions e WHERE e.event_id = b.event_id
    AND e.occurred_at BETWEEN b.occurred_at - interval '1 day' AND b.occurred_at + interval '1 day')"""


async def merge_probe(conn: asyncpg.Connection, runs: int) -> dict[str, Any]:
    """The drain's executions INSERT for 2,000 new events (rolled back), with and without the look-up."""
    await conn.execute(BUFFER)
    sample = await conn.fetch("SELECT DISTINCT organization_id, prompt_id FROM prompt_executions LIMIT 20")
    now = datetime.now(UTC)
    rows = [
        (
            i,
            uuid.uuid4(),
            sample[i % len(sample)][0],
            sample[i % len(sample)][1],
            "v1",
            "completed",
            10.0,
            5.0,
            1.0,
            120.0,
            0.001,
            0.9,
            "[]",
            "[]",
            None,
            now - timedelta(seconds=i % 600),
        )
        for i in range(2000)
    ]
    result: dict[str, Any] = {}
    variants = (
        ("without look-up", "ingest_buffer"),
        ("with look-up (as the drain runs: LATERAL ... LIMIT 1)", WITH_LOOKUP),
        ("with look-up as NOT EXISTS (the planner may read every partition)", WITH_NOT_EXISTS),
    )
    for label, source in variants:
        times = []
        for _ in range(runs):
            tx = conn.transaction()
            await tx.start()
            await conn.execute("DELETE FROM ingest_buffer")
            await conn.copy_records_to_table("ingest_buffer", records=rows)
            t = time.perf_counter()
            await conn.execute(INSERT.format(source=source))
            times.append((time.perf_counter() - t) * 1000)
            await tx.rollback()
        result[label] = {"median_ms": round(statistics.median(times), 1)}
    return result


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--template", default="bench_template_10m")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    name = f"bench_partitions_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg(ADMIN_URL))
    report: dict[str, Any] = {"template": args.template, "database": name}
    try:
        t = time.perf_counter()
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{args.template}"')
        report["clone_s"] = round(time.perf_counter() - t, 1)
        env = {**os.environ, "DATABASE_URL": db_url(name)}
        t = time.perf_counter()
        argv = [sys.executable, "-m", "api.cli", "migrate"]
        done = await asyncio.to_thread(
            subprocess.run, argv, cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        report["migrate_s (migration 16 in place + partitions ahead)"] = round(time.perf_counter() - t, 1)
        report["migrate"] = done.stdout.strip().splitlines()[-1][:300]
        report["uptime after migrate"] = uptime()
        conn = await asyncpg.connect(pg(db_url(name)))
        try:
            await conn.execute("SET jit = off")
            await conn.execute("ANALYZE prompt_executions")
            report["layout A"] = await layout(conn)
            report["reads, layout A (one partition holds every old row)"] = await reads(conn, args.runs)
            report["uptime A"] = uptime()
            report["split into weekly partitions (copy + attach)"] = await split_weekly(conn)
            report["layout B"] = await layout(conn)
            report["reads, layout B (weekly partitions)"] = await reads(conn, args.runs)
            report["uptime B"] = uptime()
            report["retention: oldest week"] = await drop_vs_delete(conn)
            report["uptime retention"] = uptime()
            report["drain merge, 2,000 new events"] = await merge_probe(conn, args.runs)
            report["uptime merge"] = uptime()
        finally:
            await conn.close()
    finally:
        if not args.keep:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    asyncio.run(main())
