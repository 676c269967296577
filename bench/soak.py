"""Soak: batch ingest at half its measured peak for ``--minutes`` with reads and alert cycles running.

One stack (``bench/harness.py``: one uvicorn, one arq worker with its crons, PostgreSQL +
Redis).  First the peak: wrk posts batches of ``--batch`` events for ``--peak-seconds`` and
the peak is events *stored* per second end-to-end (first request until the stream is empty),
the rate the stack can sustain, not what the web process can accept into Redis.  ``--rate``
skips that and takes the events/s given.

Then, for ``--minutes`` (default 30), at the same time:

* ingest: batches posted at a steady ``rate / batch`` requests per second (scheduled on a
  fixed clock, at most 32 in flight; a request that is late does not shift the ones after it);
* reads, one after another in a loop, as an admin: ``/admin/prompt-analytics/analytics/summary``
  (30 days), ``charts/time-series`` (latency p95, 24 h, 20 prompts) and one prompt's
  ``/api/v1/prompts/{id}/analytics``;
* the worker's own crons, among them the alert cycle every minute (``--rules`` enabled rules
  are created first through the REST API); completed cycles are counted from the worker's
  job-outcome counters in Redis.

Every minute it prints the resident memory of the web and worker process trees (psutil), the
ingest backlog (stream entries, of at most 100 events each, and entries read but not yet
acknowledged), the p95 of each read in that minute, events accepted and the load average.
At the end: the RSS slope (least squares over 5-second samples after a warm-up of a fifth of
the run, at least a minute; flat means within +-0.5 MB/min, i.e. under 15 MB over 30
minutes), whether the backlog stayed bounded (no upward trend: the last third's highest
backlog no more than 1.5x the first third's, or under ten seconds of ingest), and, after the
drain, stored == accepted.

    .venv/bin/python bench/soak.py --minutes 30            # measure the peak, soak at half of it
    .venv/bin/python bench/soak.py --minutes 3 --rate 10000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import BenchError, RssSampler, Stack, WrkResult, format_block, run_wrk

ENTRY_MAX_EVENTS = 100  # services.ingest.pipeline.ENTRY_MAX_EVENTS: a batch is queued as entries of <= 100 events
SAMPLE_SECONDS = 5.0
BOUNDED_SECONDS = 10.0  # a backlog under this many seconds of ingest counts as bounded whatever its trend
READS = ("summary", "time series", "prompt analytics")


def bodies(prompts: list[str], per_request: int, variants: int = 8) -> list[bytes]:
    """Batches over the given prompt uuids, 3 versions each, 4% failures, varied numbers, no event ids."""
    out = []
    for v in range(variants):
        events = []
        for i in range(per_request):
            n = v * per_request + i
            events.append(
                {
                    "prompt_id": prompts[n % len(prompts)],
                    "version_hash": f"v{n % 3}",
                    "latency_ms": 80 + (n * 37) % 900,
                    "cost_usd": round(0.0004 + (n % 17) * 0.0003, 6),
                    "score": (n % 10) / 10,
                    "status": "failed" if n % 25 == 0 else "completed",
                    "total_duration_ms": 120 + (n * 41) % 1200,
                    "data_source_ids": [1 + n % 4],
                }
            )
        out.append(orjson.dumps({"events": events}))
    return out


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per minute; 0 with fewer than 3 points."""
    if len(points) < 3:
        return 0.0
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure_peak(stack: Stack, payloads: list[bytes], batch: int, seconds: float, connections: int) -> float:
    """Events stored per second end-to-end while wrk posts batches as fast as the web accepts them."""
    url = f"{stack.base_url}/api/v1/prompts/analytics/batch"
    before = stack.stored_events()
    done: dict[str, WrkResult] = {}
    loader = threading.Thread(
        target=lambda: done.update(
            load=run_wrk(
                url,
                duration=seconds,
                connections=connections,
                method="POST",
                token=stack.api_key,
                bodies=payloads,
                exact=True,
            )
        ),
        daemon=True,
    )
    started = time.monotonic()
    loader.start()
    drained_at = stack.drained_after(lambda: not loader.is_alive())
    loader.join()
    if "load" not in done:
        raise BenchError("wrk failed during the peak measurement")
    stored = stack.stored_events() - before
    if stored != done["load"].count(202) * batch:
        raise BenchError(f"peak run: stored {stored} != accepted {done['load'].count(202) * batch}")
    return stored / (drained_at - started)


@dataclass
class Minute:
    accepted: int = 0
    refused: dict[int, int] = field(default_factory=dict)
    reads: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in READS})
    read_errors: dict[str, int] = field(default_factory=dict)  # "read: status or exception" -> count


class Soak:
    def __init__(self, stack: Stack, args: argparse.Namespace, rate: float, payloads: list[bytes]) -> None:
        self.stack = stack
        self.args = args
        self.rate = rate
        self.payloads = payloads
        self.minutes: list[Minute] = []
        self.accepted = 0
        self.failed_requests: dict[str, int] = {}
        self.rss: dict[str, list[tuple[float, float]]] = {"web": [], "worker": []}
        self.backlog: list[tuple[float, int]] = []
        self.procs = {"web": stack.process("web"), "worker": stack.process("worker")}
        self.sampler = RssSampler(self.procs, interval=1.0)
        self.started = 0.0

    def minute(self) -> Minute:
        index = int((time.monotonic() - self.started) // 60)
        while len(self.minutes) <= index:
            self.minutes.append(Minute())
        return self.minutes[index]

    async def ingest(self, http: Any, stop_at: float) -> None:
        interval = self.args.batch / self.rate
        inflight = asyncio.Semaphore(32)
        tasks: set[asyncio.Task[None]] = set()
        headers = {"Authorization": f"Bearer {self.stack.api_key}", "Content-Type": "application/json"}

        async def post(body: bytes) -> None:
            try:
                r = await http.post("/api/v1/prompts/analytics/batch", content=body, headers=headers)
            except Exception as exc:  # counted and reported; the soak goes on
                name = type(exc).__name__
                self.failed_requests[name] = self.failed_requests.get(name, 0) + 1
                return
            finally:
                inflight.release()
            minute = self.minute()
            if r.status_code == 202:
                minute.accepted += self.args.batch
                self.accepted += self.args.batch
            else:
                minute.refused[r.status_code] = minute.refused.get(r.status_code, 0) + 1

        n = 0
        while True:
            due = self.started + n * interval
            if due >= stop_at:
                break
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await inflight.acquire()
            task = asyncio.create_task(post(self.payloads[n % len(self.payloads)]))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            n += 1
        if tasks:
            await asyncio.gather(*tasks)

    async def reads(self, http: Any, prompt_ids: list[int], stop_at: float) -> None:
        admin = "/admin/prompt-analytics"
        calls = [
            ("summary", f"{admin}/analytics/summary", {"days": 30}),
            (
                "time series",
                f"{admin}/charts/time-series",
                {"metric_name": "latency_p95", "time_window": "24h", "prompt_ids": prompt_ids[:20]},
            ),
            ("prompt analytics", f"/api/v1/prompts/{prompt_ids[0]}/analytics", {}),
        ]
        while time.monotonic() < stop_at:
            for name, url, params in calls:
                t0 = time.perf_counter()
                try:
                    r = await http.get(url, params=params)
                    error = None if r.status_code == 200 else f"{name}: {r.status_code}"
                except Exception as exc:
                    error = f"{name}: {type(exc).__name__}"
                elapsed = (time.perf_counter() - t0) * 1000
                minute = self.minute()
                if error is None:
                    minute.reads[name].append(elapsed)
                else:
                    minute.read_errors[error] = minute.read_errors.get(error, 0) + 1
            await asyncio.sleep(self.args.read_pause)

    async def sample(self, stop_at: float) -> None:
        """Every ``SAMPLE_SECONDS``: RSS and backlog; on each whole minute, that minute's line."""
        redis = self.stack.redis()
        stream = f"{self.stack.prefix}:ingest:stream"
        per_minute = round(60 / SAMPLE_SECONDS)
        try:
            k = 0
            while True:
                due = self.started + k * SAMPLE_SECONDS
                if due > stop_at + 0.5:
                    break
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                now = time.monotonic() - self.started
                for name in self.procs:
                    self.rss[name].append((now, self.sampler.latest_mb(name)))
                self.backlog.append((now, int(redis.xlen(stream))))
                self.stack.check_alive()
                if k and k % per_minute == 0:
                    self.print_minute(k // per_minute - 1, redis, stream)
                k += 1
        finally:
            redis.close()

    def print_minute(self, index: int, redis: Any, stream: str) -> None:
        m = self.minutes[index] if index < len(self.minutes) else Minute()
        try:
            pending = int(redis.xpending(stream, "drainers")["pending"])
        except Exception:
            pending = -1
        reads = "  ".join(f"{name} {p95(m.reads[name]):.0f}" for name in READS)
        refused = f" refused {m.refused}" if m.refused else ""
        errors = f" read errors {m.read_errors}" if m.read_errors else ""
        print(
            f"min {index + 1:>3}  rss web {self.rss['web'][-1][1]:6.1f} MB  worker {self.rss['worker'][-1][1]:6.1f} MB"
            f"  backlog {self.backlog[-1][1]:>5} entries ({pending} pending)"
            f"  accepted {m.accepted / 60:,.0f} ev/s{refused}  read p95 ms: {reads}{errors}"
            f"  alert cycles {self.alert_cycles(redis)}  load {os.getloadavg()[0]:.2f}",
            flush=True,
        )

    def alert_cycles(self, redis: Any) -> int:
        return int(redis.hget(f"{self.stack.prefix}:mon:jobs", "evaluate_alerts|success") or 0)

    async def run(self, prompt_ids: list[int]) -> None:
        import httpx

        admin_headers = {"Authorization": f"Bearer {self.stack.access_token}"}
        limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
        async with (
            httpx.AsyncClient(base_url=self.stack.base_url, timeout=60, limits=limits) as ingest_http,
            httpx.AsyncClient(base_url=self.stack.base_url, timeout=60, headers=admin_headers) as read_http,
        ):
            with self.sampler:
                await asyncio.sleep(1.5)  # the sampler's first round
                self.started = time.monotonic()
                stop_at = self.started + self.args.minutes * 60
                await asyncio.gather(
                    self.ingest(ingest_http, stop_at),
                    self.reads(read_http, prompt_ids, stop_at),
                    self.sample(stop_at),
                )


async def create_rules(stack: Stack, prompt_ids: list[int], n: int) -> None:
    """``n`` enabled alert rules of the kinds a deployment has: org-wide and per prompt, 5 and 60 minutes."""
    import httpx

    metrics = [
        ("error_rate", "gt", 0.5),
        ("latency_p95", "gt", 5000),
        ("cost_total", "gt", 1e9),
        ("executions", "lt", 1),
    ]
    headers = {"Authorization": f"Bearer {stack.access_token}"}
    async with httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=60) as http:
        for i in range(n):
            metric, comparison, threshold = metrics[i % len(metrics)]
            rule: dict[str, Any] = {
                "name": f"soak {i} {metric}",
                "metric": metric,
                "comparison": comparison,
                "threshold": threshold,
                "window_minutes": (5, 60)[i % 2],
            }
            if i % 3 == 1:
                rule["scope"] = {"per_entity": "prompt"}
            elif i % 3 == 2:
                rule["scope"] = {"prompt_id": prompt_ids[i % len(prompt_ids)]}
            r = await http.post("/admin/prompt-analytics/alerts/rules", json=rule)
            if r.status_code != 200:
                raise BenchError(f"creating alert rule {rule}: {r.status_code} {r.text[:300]}")


async def prompt_ids_of(stack: Stack) -> list[int]:
    import httpx

    headers = {"Authorization": f"Bearer {stack.access_token}"}
    async with httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=60) as http:
        listed = (await http.get("/api/v1/prompts", params={"page_size": 100})).json()["data"]["items"]
    return [int(p["id"]) for p in listed]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30, help="length of the soak (default 30)")
    parser.add_argument("--rate", type=float, help="events/s to ingest; default: half the peak measured first")
    parser.add_argument("--peak-seconds", type=float, default=15, help="length of the peak measurement (default 15)")
    parser.add_argument("--batch", type=int, default=500, help="events per request (default 500)")
    parser.add_argument("--prompts", type=int, default=20, help="distinct prompts the events go to (default 20)")
    parser.add_argument("--rules", type=int, default=40, help="enabled alert rules (default 40)")
    parser.add_argument("--read-pause", type=float, default=0.5, help="seconds between rounds of the 3 reads")
    args = parser.parse_args()

    uuids = [str(uuid.uuid4()) for _ in range(args.prompts)]
    payloads = bodies(uuids, args.batch)
    budget = args.minutes * 60 + args.peak_seconds * 4 + 600
    with Stack("soak", time_budget_seconds=budget, ready_timeout_seconds=300) as stack:
        url = f"{stack.base_url}/api/v1/prompts/analytics/batch"
        run_wrk(url, duration=1, connections=2, method="POST", token=stack.api_key, bodies=payloads, exact=True)
        stack.wait_drained()
        prompt_ids = asyncio.run(prompt_ids_of(stack))
        if len(prompt_ids) < args.prompts:
            raise BenchError(f"expected {args.prompts} prompts after the warm-up, found {len(prompt_ids)}")
        asyncio.run(create_rules(stack, prompt_ids, args.rules))
        print(f"uptime: {os.popen('uptime').read().strip()}", flush=True)
        peak = None
        if args.rate is None:
            peak = measure_peak(stack, payloads, args.batch, args.peak_seconds, connections=4)
            stack.wait_drained()
        rate = args.rate if args.rate is not None else (peak or 0.0) / 2
        print(
            (f"peak: {peak:,.0f} events/s stored end-to-end over {args.peak_seconds:.0f} s; " if peak else "")
            + f"soaking at {rate:,.0f} events/s ({args.batch} per request) for {args.minutes:g} min "
            f"with {args.rules} alert rules; load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        baseline = stack.stored_events()
        redis = stack.redis()
        cycles0 = int(redis.hget(f"{stack.prefix}:mon:jobs", "evaluate_alerts|success") or 0)
        failures0 = int(redis.hget(f"{stack.prefix}:mon:jobs", "evaluate_alerts|failure") or 0)
        soak = Soak(stack, args, rate, payloads)
        asyncio.run(soak.run(prompt_ids))
        load_end = time.monotonic()
        drained_at = stack.wait_drained(timeout=600)
        stored = stack.stored_events() - baseline
        cycles = int(redis.hget(f"{stack.prefix}:mon:jobs", "evaluate_alerts|success") or 0) - cycles0
        failures = int(redis.hget(f"{stack.prefix}:mon:jobs", "evaluate_alerts|failure") or 0) - failures0
        redis.close()
        stack.check_alive()

    rows: list[tuple[str, str]] = []
    flat = True
    warmup = max(60.0, 0.2 * args.minutes * 60)  # caches, pools and the first rollups fill up first
    for name, points in soak.rss.items():
        after_warmup = [(t, v) for t, v in points if t >= warmup] or points
        slope = slope_per_minute(after_warmup)
        flat = flat and abs(slope) <= 0.5
        values = [v for _, v in after_warmup]
        rows.append(
            (
                f"RSS {name}",
                f"{values[0]:.1f} -> {values[-1]:.1f} MB (min {min(values):.1f}, max {max(values):.1f}, "
                f"peak of 1 s samples {soak.sampler.peak_mb(name):.1f}); "
                f"slope {slope:+.2f} MB/min after the first {warmup / 60:g} min",
            )
        )
    third = len(soak.backlog) // 3 or 1
    first_max = max(v for _, v in soak.backlog[:third])
    last_max = max(v for _, v in soak.backlog[-third:])
    entry_seconds = min(args.batch, ENTRY_MAX_EVENTS) / rate  # seconds of ingest one stream entry holds
    bounded = last_max <= max(1.5 * first_max, BOUNDED_SECONDS / entry_seconds)
    read_errors: dict[str, int] = {}
    for m in soak.minutes:
        for error, n in m.read_errors.items():
            read_errors[error] = read_errors.get(error, 0) + n
    all_reads = {name: [v for m in soak.minutes for v in m.reads[name]] for name in READS}
    elapsed = args.minutes * 60
    rows += [
        ("RSS flat (|slope| <= 0.5 MB/min)", f"{'yes' if flat else 'NO'}"),
        (
            "backlog (stream entries)",
            f"max {max(v for _, v in soak.backlog)} (~{max(v for _, v in soak.backlog) * entry_seconds:.1f} s of "
            f"ingest); first third max {first_max}, last third max {last_max}; "
            f"slope {slope_per_minute([(t, float(v)) for t, v in soak.backlog]):+.1f} entries/min",
        ),
        (
            "backlog bounded",
            f"{'yes' if bounded else 'NO'} (last third's max <= 1.5x the first third's, "
            f"or under {BOUNDED_SECONDS:.0f} s of ingest)",
        ),
        ("ingest", f"{soak.accepted:,} events accepted = {soak.accepted / elapsed:,.0f}/s (target {rate:,.0f}/s)"),
        ("refused / failed requests", f"{sum(sum(m.refused.values()) for m in soak.minutes)} / {soak.failed_requests}"),
        (
            "stored == accepted",
            f"{stored == soak.accepted} ({stored:,} stored; drain tail {drained_at - load_end:.1f} s)",
        ),
        (
            "reads p50 / p95 ms (whole soak)",
            "; ".join(
                f"{name} {statistics.median(v) if v else float('nan'):.0f} / {p95(v):.0f} (n={len(v)})"
                for name, v in all_reads.items()
            ),
        ),
        ("read errors", str(read_errors or "none")),
        ("alert cycles completed / failed", f"{cycles} / {failures} ({args.rules} rules)"),
        ("load average at the end", " ".join(f"{x:.2f}" for x in os.getloadavg())),
    ]
    title = f"Soak: {args.minutes:g} min of batch ingest at {rate:,.0f} events/s" + (
        f" (half the measured peak of {peak:,.0f})" if peak else ""
    )
    print(format_block(title + ", reads and alert cycles (one uvicorn, one arq worker)", rows))
    ok = flat and bounded and stored == soak.accepted
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
