"""Scale-out on one machine: 1 web + 1 worker vs 2 web + 2 workers on the same Redis and PostgreSQL.

    .venv/bin/python bench/scale_out.py [--duration 10] [--connections 4]

For each layout, a fresh stack (bench/harness.py: its own database and Redis prefix; the second
web process and worker are started beside the harness's first ones, same database and Redis):

1. Ingest: wrk posts batches of 500 events to every web process at once (``--connections`` per
   web process) for ``--duration`` seconds; events/s stored end-to-end = events stored / (first
   request until the stream is drained), checked against 202s x 500.
2. Reads: then wrk asks every web process at once for the admin analytics summary of the last
   day (rollups + raw edges) for ``--duration`` seconds; requests/s summed over the web processes
   and the worst process's p50/p90/p99 (wrk's load.lua reports those; p95 lies between p90 and p99).

Printed: both layouts, the scaling factors (2+2 over 1+1) and the load average.  On a 2-core
machine the processes of the larger layout share the same two cores with PostgreSQL, Redis and
wrk, so the factor is bounded well below 2; it says whether a second process adds throughput at
all (no shared lock or hot row serialises them), not what two machines would do.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import PY, BenchError, InBackground, Stack, WrkResult, _free_port, format_block, run_wrk
from ingest_batch import EVENTS_PER_REQUEST, bodies


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _wrk_all(urls: list[str], **kw: Any) -> list[WrkResult]:
    """One wrk per URL, all at once; raises if any failed."""
    out: dict[int, WrkResult] = {}
    errors: list[BaseException] = []

    def run(i: int, url: str) -> None:
        try:
            out[i] = run_wrk(url, **kw)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, u), daemon=True) for i, u in enumerate(urls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise BenchError(f"wrk failed: {errors[0]!r}")
    return [out[i] for i in range(len(urls))]


def _wait_healthy(base: str, stack: Stack) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise BenchError(f"{base} did not answer /healthz")


def measure(processes: int, args: argparse.Namespace) -> dict[str, Any]:
    payloads = bodies(20, EVENTS_PER_REQUEST)
    with Stack(f"scale{processes}", time_budget_seconds=args.duration * 6 + 400) as stack:
        bases = [stack.base_url]
        for n in range(2, processes + 1):
            port = _free_port()
            web = [PY, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1", "--port", str(port)]
            stack._spawn(f"web{n}", [*web, "--log-level", "warning", "--no-access-log"])
            stack._spawn(f"worker{n}", [PY, "-m", "arq", "workers.settings.WorkerSettings"])
            bases.append(f"http://127.0.0.1:{port}")
            _wait_healthy(bases[-1], stack)
        ingest_urls = [f"{b}/api/v1/prompts/analytics/batch" for b in bases]
        warm = _wrk_all(
            ingest_urls, duration=1, connections=2, method="POST", token=stack.api_key, bodies=payloads, exact=True
        )
        stack.wait_drained()
        baseline = stack.stored_events()
        assert baseline == sum(w.count(202) for w in warm) * EVENTS_PER_REQUEST, baseline

        load_before = os.getloadavg()
        started = time.monotonic()
        loader = InBackground(
            lambda: _wrk_all(
                ingest_urls,
                duration=args.duration,
                connections=args.connections,
                method="POST",
                token=stack.api_key,
                bodies=payloads,
                exact=True,
            )
        )
        drained_at = stack.drained_after(lambda: not loader.running())
        load = loader.result()
        stored = stack.stored_events() - baseline
        accepted = sum(r.count(202) for r in load) * EVENTS_PER_REQUEST
        elapsed = drained_at - started
        ingest_uptime = uptime()

        time.sleep(6)  # the rollup refresh after the drain (ROLLUP_EVERY = 5 s)
        read_urls = [f"{b}/admin/prompt-analytics/analytics/summary?days=1" for b in bases]
        reads = _wrk_all(read_urls, duration=args.duration, connections=args.connections, token=stack.access_token)
        bad = {k: v for r in reads for k, v in r.statuses.items() if k != 200}
        if bad:
            raise BenchError(f"analytics summary answered {bad}")
        stack.check_alive()
        return {
            "processes": processes,
            "stored": stored,
            "accepted": accepted,
            "ingest_events_per_s": stored / elapsed if elapsed else 0.0,
            "elapsed_s": elapsed,
            "reads_per_s": sum(r.rate(200) for r in reads),
            "read_p50_ms": max(r.latency_us["p50"] for r in reads) / 1000,
            "read_p90_ms": max(r.latency_us["p90"] for r in reads) / 1000,
            "read_p99_ms": max(r.latency_us["p99"] for r in reads) / 1000,
            "load_before": load_before,
            "uptime_after_ingest": ingest_uptime,
            "uptime_after_reads": uptime(),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10, help="seconds of each load (default 10)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections per web process (default 4)")
    args = parser.parse_args()
    one = measure(1, args)
    two = measure(2, args)
    rows = []
    for r in (one, two):
        label = f"{r['processes']} web + {r['processes']} worker"
        rows += [
            (
                f"{label}: ingest",
                f"{r['ingest_events_per_s']:,.0f} events/s stored end-to-end "
                f"({r['stored']:,} in {r['elapsed_s']:.2f} s; stored == accepted: {r['stored'] == r['accepted']})",
            ),
            (
                f"{label}: reads",
                f"{r['reads_per_s']:,.0f} summaries/s; p50 {r['read_p50_ms']:.1f} ms, p90 {r['read_p90_ms']:.1f} ms, "
                f"p99 {r['read_p99_ms']:.1f} ms (worst web process)",
            ),
            (f"{label}: uptime", f"{r['uptime_after_ingest']}  |  {r['uptime_after_reads']}"),
        ]
    ingest_factor = two["ingest_events_per_s"] / one["ingest_events_per_s"] if one["ingest_events_per_s"] else 0.0
    read_factor = two["reads_per_s"] / one["reads_per_s"] if one["reads_per_s"] else 0.0
    rows += [
        ("scaling, ingest (2+2 / 1+1)", f"{ingest_factor:.2f}x"),
        ("scaling, reads/s (2+2 / 1+1)", f"{read_factor:.2f}x"),
        ("cores", f"{os.cpu_count()} (shared by the web processes, workers, PostgreSQL, Redis and wrk)"),
        ("load", f"wrk, {args.connections} connections per web process, {args.duration:.0f} s each"),
    ]
    print(format_block("Scale-out: 1 web + 1 worker vs 2 web + 2 workers, same Redis and PostgreSQL", rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
