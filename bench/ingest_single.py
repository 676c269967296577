"""Benchmark 1: single-event ingest vs ``GET /healthz`` on one uvicorn process.

Same stack, same run: first ``GET /healthz`` for ``--duration`` seconds (the ceiling
of the web process: routing, middleware, envelope, no I/O), then single-event
``POST /api/v1/prompts/analytics`` with an API key for ``--duration`` seconds while
the worker drains.  Prints accepted events/s, p99, the ratio (target >= 0.5), then
waits for the drain and checks the stored count equals the number of 204s exactly.

    .venv/bin/python bench/ingest_single.py --duration 10
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (
    Profiler,
    RssSampler,
    Stack,
    cpu_seconds,
    cpu_seconds_of,
    database_cpu_spent,
    format_block,
    run_wrk,
)


def bodies(prompts: int, variants: int = 200) -> list[bytes]:
    """Realistic single events: a few prompts and versions, varied numbers, no event id (server assigns)."""
    ids = [str(uuid.uuid4()) for _ in range(prompts)]
    out = []
    for i in range(variants):
        out.append(
            orjson.dumps(
                {
                    "prompt_id": ids[i % prompts],
                    "version_hash": f"v{i % 3}",
                    "latency_ms": 80 + (i * 37) % 900,
                    "cost_usd": round(0.0004 + (i % 17) * 0.0003, 6),
                    "score": (i % 10) / 10,
                    "status": "failed" if i % 25 == 0 else "completed",
                    "total_duration_ms": 120 + (i * 41) % 1200,
                    "ai_response_time_ms": 60 + (i * 13) % 700,
                    "data_source_ids": [1 + i % 4],
                    "schema_names": ["public", "sales"][: 1 + i % 2],
                }
            )
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per phase (default 10)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--prompts", type=int, default=20, help="distinct prompt uuids in the events")
    parser.add_argument("--profile", metavar="DIR", help="py-spy the web and worker during the ingest phase")
    args = parser.parse_args()

    with Stack("single", time_budget_seconds=args.duration * 2 + 540, ready_timeout_seconds=300) as stack:
        # warm-up: first requests pay imports, pool connections and prompt creation
        run_wrk(f"{stack.base_url}/healthz", duration=1, connections=8)
        url = f"{stack.base_url}/api/v1/prompts/analytics"
        warm = run_wrk(
            url, duration=1, connections=8, method="POST", token=stack.api_key, bodies=bodies(args.prompts), exact=True
        )
        stack.wait_drained()
        baseline_stored = stack.stored_events()
        assert baseline_stored == warm.count(204), (baseline_stored, warm.statuses)

        procs = {"web": stack.process("web"), "worker": stack.process("worker")}
        load_before = os.getloadavg()
        cpu0 = cpu_seconds(procs["web"])
        health = run_wrk(f"{stack.base_url}/healthz", duration=args.duration, connections=args.connections)
        cpu1 = cpu_seconds(procs["web"])
        drain0 = cpu_seconds(procs["worker"]), cpu_seconds_of(stack.database_backends())
        with RssSampler(procs) as rss, Profiler(procs, args.profile) as prof:
            ingest = run_wrk(
                url,
                duration=args.duration,
                connections=args.connections,
                method="POST",
                token=stack.api_key,
                bodies=bodies(args.prompts),
                exact=True,
            )
            load_end = time.monotonic()
            cpu2 = cpu_seconds(procs["web"])
            load_after = os.getloadavg()
            drained_at = stack.wait_drained()
            drain_cpu = cpu_seconds(procs["worker"]) - drain0[0], database_cpu_spent(stack, drain0[1])
        stored = stack.stored_events() - baseline_stored
        stack.check_alive()

    accepted = ingest.count(204)
    other = {k: v for k, v in ingest.statuses.items() if k != 204}
    ratio = ingest.rate(204) / health.rate(200) if health.rate(200) else 0.0
    exact = stored == accepted
    cpu_health = (cpu1 - cpu0) / max(1, health.requests) * 1e6
    cpu_ingest = (cpu2 - cpu1) / max(1, ingest.requests) * 1e6
    print(
        format_block(
            "Benchmark 1: single-event ingest (one uvicorn process, one arq worker, PostgreSQL + Redis)",
            [
                ("GET /healthz", f"{health.rate(200):,.0f} req/s  (p99 {health.latency_us['p99'] / 1000:.2f} ms)"),
                (
                    "POST /api/v1/prompts/analytics",
                    f"{ingest.rate(204):,.0f} accepted events/s  (p50 {ingest.latency_us['p50'] / 1000:.2f} ms, "
                    f"p99 {ingest.latency_us['p99'] / 1000:.2f} ms)",
                ),
                ("ratio ingest / healthz", f"{ratio:.2f}  (target >= 0.50: {'met' if ratio >= 0.5 else 'MISSED'})"),
                (
                    "web CPU per request",
                    f"healthz {cpu_health:.0f} us, ingest {cpu_ingest:.0f} us  "
                    f"(CPU-bound ratio {cpu_health / cpu_ingest if cpu_ingest else 0:.2f}; robust to other load)",
                ),
                (
                    "drain CPU per event",
                    f"worker {drain_cpu[0] / max(1, accepted) * 1e6:.0f} us, PostgreSQL backends of the database "
                    f"{drain_cpu[1] / max(1, accepted) * 1e6:.0f} us (load phase until drained)",
                ),
                ("204 responses", f"{accepted:,}"),
                ("other responses", str(other or "none") + f"; socket errors {ingest.errors}"),
                ("events stored", f"{stored:,}  ({'equal' if exact else 'NOT EQUAL'} to the 204s)"),
                ("drain finished", f"{drained_at - load_end:.2f} s after the load stopped"),
                ("peak RSS web / worker", f"{rss.peak_mb('web'):.0f} MB / {rss.peak_mb('worker'):.0f} MB"),
                ("load", f"wrk, 1 thread, {args.connections} connections, {args.duration:.0f} s per phase"),
                (
                    "load average (1/5/15 min)",
                    f"before {' '.join(f'{x:.2f}' for x in load_before)}; "
                    f"after {' '.join(f'{x:.2f}' for x in load_after)}",
                ),
            ],
        )
    )
    if args.profile:
        print(prof.summary())
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
