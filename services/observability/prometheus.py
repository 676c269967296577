"""Prometheus exposition for ``GET /metrics`` and ``/v1/metrics/prometheus``.

Multi-process correctness by Redis-backed aggregation rather than prometheus_client's
multiprocess mode: every web process already flushes its request counts to shared Redis
hashes (``services/observability/requests.py``), workers count job outcomes there, and the
pipeline gauges are read from Redis and the database at scrape time.  So any web process
(on any machine) answers a scrape with the platform-wide totals, and no shared directory or
per-pid files are needed.  prometheus_client renders every family but the request ones
(metric families from a one-shot collector); the request families, ~20 lines per route, are
written directly for speed and a test holds them equal to prometheus_client's rendering.

Cardinality is bounded: labels are route templates from the route table (plus
``<unmatched>``), HTTP methods, status classes, job function names and validated enums.
Database-derived business gauges are cached in Redis and refreshed in the background after
``BUSINESS_CACHE_SECONDS``, so scrapes from any number of processes cost one set of queries per period.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from tortoise.functions import Sum

from models.prompts import Prompt, PromptRollupHourly
from models.tenancy import Organization, User
from services.core.redis_client import get_redis, key
from services.identity import Principal, require_superuser
from services.ingest import ENTRY_MAX_EVENTS
from services.observability import app_records as app_metrics
from services.observability import probes as platform_probes
from services.observability import requests as request_metrics
from services.observability import system as system_metrics
from services.observability import thresholds as performance_thresholds
from services.observability import workers as worker_status
from services.observability.requests import HISTOGRAM_BOUNDS, STATUS_CLASSES

CONTENT_TYPE = CONTENT_TYPE_LATEST
BUSINESS_CACHE_SECONDS = 30
BUSINESS_CACHE = "mon:prom:business"
_REFRESHING: set[asyncio.Task[None]] = set()  # keeps background refreshes referenced until done
# Metric families of other domains, registered by them (e.g. services.usage.metrics) so this module
# does not import the domains above it.  Each is called at scrape time and returns its families.
EXTRA_FAMILIES: list[Callable[[], Awaitable[list[Metric]]]] = []
log = logging.getLogger(__name__)


class _OneShot:
    """The minimal registry ``generate_latest`` needs: something whose ``collect()`` yields families."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


async def _compute_business() -> dict[str, Any]:
    since = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    events = await PromptRollupHourly.filter(bucket_start__gte=since).annotate(n=Sum("count")).values("n")
    breaches = await performance_thresholds.breaches(1, live_probe=False)
    data = {
        "organizations": await Organization.all().count(),
        "users": await User.all().count(),
        "prompts": await Prompt.all().count(),
        "events_rolled_up_recent": int((events[0]["n"] if events else 0) or 0),
        "breaches": {sev: sum(1 for b in breaches if b.severity == sev) for sev in ("warning", "critical")},
        "sampler_enabled": (await system_metrics.sampler_state()).enabled,
        "computed_at": time.time(),
    }
    await get_redis().set(key(BUSINESS_CACHE), json.dumps(data), ex=BUSINESS_CACHE_SECONDS * 10)
    return data


async def _refresh_business() -> None:
    try:
        await _compute_business()
    except Exception:
        log.warning("refreshing the business gauges failed", exc_info=True)
    finally:
        await get_redis().delete(key(BUSINESS_CACHE, "lock"))


async def _business() -> dict[str, Any]:
    """Database-derived gauges, stale-while-revalidate: older than ``BUSINESS_CACHE_SECONDS`` starts
    one background refresh (one process wins a Redis lock) and this scrape uses the previous values,
    so only the first scrape after a cold start waits for the queries."""
    redis = get_redis()
    cached = await redis.get(key(BUSINESS_CACHE))
    if not cached:
        return await _compute_business()
    data: dict[str, Any] = json.loads(cached)
    if time.time() - data["computed_at"] > BUSINESS_CACHE_SECONDS and await redis.set(
        key(BUSINESS_CACHE, "lock"), "1", nx=True, ex=60
    ):
        task = asyncio.get_running_loop().create_task(_refresh_business())
        _REFRESHING.add(task)
        task.add_done_callback(_REFRESHING.discard)
    return data


_REQUEST_HEADER = """# HELP promptops_http_requests_total HTTP requests by route template, method and status class
# TYPE promptops_http_requests_total counter
"""
_DURATION_HEADER = """# HELP promptops_http_request_duration_seconds HTTP request duration
# TYPE promptops_http_request_duration_seconds histogram
"""
_RECEIVED_HEADER = """# HELP promptops_http_request_body_bytes_total HTTP request body bytes received
# TYPE promptops_http_request_body_bytes_total counter
"""
_SENT_HEADER = """# HELP promptops_http_response_body_bytes_total HTTP response body bytes sent
# TYPE promptops_http_response_body_bytes_total counter
"""
_LE = [repr(b) for b in HISTOGRAM_BOUNDS]


def _escape(value: str) -> str:
    if "\\" in value or '"' in value or "\n" in value:
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
    return value


def _request_families(raw: dict[str, str]) -> list[Metric]:
    """The request metrics as prometheus_client families (the reference for :func:`request_text`)."""
    per = _per_endpoint(raw)
    requests = CounterMetricFamily(
        "promptops_http_requests",
        "HTTP requests by route template, method and status class",
        labels=["method", "route", "status_class"],
    )
    duration = HistogramMetricFamily(
        "promptops_http_request_duration_seconds", "HTTP request duration", labels=["method", "route"]
    )
    received = CounterMetricFamily(
        "promptops_http_request_body_bytes", "HTTP request body bytes received", labels=["method", "route"]
    )
    sent = CounterMetricFamily(
        "promptops_http_response_body_bytes", "HTTP response body bytes sent", labels=["method", "route"]
    )
    for ep in sorted(per):
        fields = per[ep]
        method, _, route = ep.partition(" ")
        for cls in STATUS_CLASSES:
            if cls in fields:
                requests.add_metric([method, route, cls], fields[cls])
        buckets = list(zip([*_LE, "+Inf"], _cumulative(fields), strict=True))
        duration.add_metric([method, route], buckets, fields.get("sum", 0.0))
        received.add_metric([method, route], fields.get("in", 0.0))
        sent.add_metric([method, route], fields.get("out", 0.0))
    return [requests, duration, received, sent]


def _per_endpoint(raw: dict[str, str]) -> dict[str, dict[str, float]]:
    per: dict[str, dict[str, float]] = {}
    for name, value in raw.items():
        ep, _, what = name.rpartition("|")
        per.setdefault(ep, {})[what] = float(value)
    return per


def _cumulative(fields: dict[str, float]) -> list[float]:
    running = 0.0
    out = []
    for i in range(len(HISTOGRAM_BOUNDS) + 1):
        running += fields.get(f"b{i}", 0.0)
        out.append(running)
    return out


def request_text(raw: dict[str, str]) -> str:
    """The request metrics in exposition format, written directly.

    Same samples as ``generate_latest`` over :func:`_request_families` (a test holds them equal),
    several times faster: with 200 routes this is ~4,000 lines, the bulk of every scrape.  Values
    are Redis's own decimal strings (valid exposition floats), so nothing is converted but the
    histogram buckets, which must be summed into cumulative counts.
    """
    per: dict[str, dict[str, str]] = {}
    for name, value in raw.items():
        ep, _, what = name.rpartition("|")
        fields = per.get(ep)
        if fields is None:
            fields = per[ep] = {}
        fields[what] = value
    bucket_names = [f"b{i}" for i in range(len(HISTOGRAM_BOUNDS) + 1)]
    requests: list[str] = [_REQUEST_HEADER]
    duration: list[str] = [_DURATION_HEADER]
    received: list[str] = [_RECEIVED_HEADER]
    sent: list[str] = [_SENT_HEADER]
    for ep in sorted(per):
        fields = per[ep]
        method, _, route = ep.partition(" ")
        labels = f'method="{_escape(method)}",route="{_escape(route)}"'
        for cls in STATUS_CLASSES:
            count = fields.get(cls)
            if count is not None:
                requests.append(f'promptops_http_requests_total{{{labels},status_class="{cls}"}} {count}\n')
        prefix = f"promptops_http_request_duration_seconds_bucket{{{labels},le="
        running = 0
        for le, name in zip(_LE, bucket_names, strict=False):
            running += int(fields.get(name, 0))
            duration.append(f'{prefix}"{le}"}} {running}\n')
        running += int(fields.get(bucket_names[-1], 0))
        duration.append(
            f'{prefix}"+Inf"}} {running}\n'
            f"promptops_http_request_duration_seconds_count{{{labels}}} {running}\n"
            f"promptops_http_request_duration_seconds_sum{{{labels}}} {fields.get('sum', '0')}\n"
        )
        received.append(f"promptops_http_request_body_bytes_total{{{labels}}} {fields.get('in', '0')}\n")
        sent.append(f"promptops_http_response_body_bytes_total{{{labels}}} {fields.get('out', '0')}\n")
    return "".join(requests) + "".join(duration) + "".join(received) + "".join(sent)


def _counter_families(biz: dict[str, str], jobs: dict[str, str]) -> list[Metric]:
    agents = CounterMetricFamily("promptops_agent_executions", "Recorded agent executions", labels=["status"])
    agent_s = CounterMetricFamily(
        "promptops_agent_execution_seconds", "Recorded agent execution time", labels=["status"]
    )
    workflows = CounterMetricFamily("promptops_workflow_executions", "Recorded workflow runs", labels=["status"])
    workflow_s = CounterMetricFamily(
        "promptops_workflow_execution_seconds", "Recorded workflow time", labels=["status"]
    )
    for status in ("success", "failure"):
        agents.add_metric([status], float(biz.get(f"agent|{status}", 0)))
        agent_s.add_metric([status], float(biz.get(f"agent_seconds|{status}", 0)))
        workflows.add_metric([status], float(biz.get(f"workflow|{status}", 0)))
        workflow_s.add_metric([status], float(biz.get(f"workflow_seconds|{status}", 0)))
    steps = CounterMetricFamily(
        "promptops_workflow_steps", "Workflow steps executed", value=float(biz.get("workflow_steps", 0))
    )
    feedback = CounterMetricFamily("promptops_feedback", "Recorded RLHF feedback", labels=["rating"])
    for rating in ("positive", "negative", "neutral"):
        feedback.add_metric([rating], float(biz.get(f"feedback|{rating}", 0)))
    outcomes = CounterMetricFamily("promptops_worker_jobs", "arq job runs by outcome", labels=["function", "outcome"])
    job_s = CounterMetricFamily("promptops_worker_job_seconds", "arq job run time", labels=["function"])
    for name in sorted(jobs):
        function, _, what = name.rpartition("|")
        if what == "seconds":
            job_s.add_metric([function], float(jobs[name]))
        else:
            outcomes.add_metric([function, what], float(jobs[name]))
    return [agents, agent_s, workflows, workflow_s, steps, feedback, outcomes, job_s]


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


def _limits(name: str, limits: platform_probes.Limits) -> GaugeMetricFamily:
    """The thresholds the recommendations and the analytics health judge a gauge by, one sample per
    severity, so an alert rule compares against the same numbers."""
    family = GaugeMetricFamily(name, f"Thresholds ({limits.unit}) by severity", labels=["severity"])
    family.add_metric(["warning"], limits.warning)
    family.add_metric(["critical"], limits.critical)
    return family


async def render(principal: Principal) -> bytes:
    """The exposition text (admin: platform-wide numbers)."""
    require_superuser(principal)
    raw, (biz, jobs), backlog, lag, beats, business = await asyncio.gather(
        request_metrics.read_all_time(),
        app_metrics.counters(),
        platform_probes.ingest_backlog(),
        platform_probes.rollup_lag(),
        worker_status.live_workers(),
        _business(),
    )
    workers = worker_status.describe(beats)
    breaches = GaugeMetricFamily(
        "promptops_performance_threshold_breaches", "Threshold breaches right now", labels=["severity"]
    )
    for severity, n in business["breaches"].items():
        breaches.add_metric([severity], n)
    families: list[Metric] = [
        *_counter_families(biz, jobs),
        _gauge(
            "promptops_ingest_stream_backlog",
            f"Ingest stream entries queued in Redis, not yet stored (each 1-{ENTRY_MAX_EVENTS} usage events)",
            backlog["stream_length"],
        ),
        _limits("promptops_ingest_stream_backlog_threshold", platform_probes.INGEST_BACKLOG),
        _gauge(
            "promptops_ingest_stream_pending",
            "Ingest stream entries read by a worker, not yet acknowledged",
            backlog["pending"],
        ),
        _gauge(
            "promptops_ingest_dead_letter",
            "Entries in the dead-letter stream (each the usage events of one failed batch; capped)",
            backlog["dead_letter"],
        ),
        _gauge(
            "promptops_ingest_events_recent",
            "Stored usage events in the current and previous hour (rollups)",
            business["events_rolled_up_recent"],
        ),
        _gauge(
            "promptops_rollup_dirty_prompts", "Prompts with rollup hours waiting for a rebuild", lag["dirty_prompts"]
        ),
        _gauge("promptops_rollup_lag_seconds", "Age of the oldest pending rollup rebuild", lag["lag_seconds"]),
        _limits("promptops_rollup_lag_threshold_seconds", platform_probes.ROLLUP_LAG),
        _gauge("promptops_workers_live", "arq workers with a recent heartbeat", workers["workers"]),
        _gauge("promptops_organizations", "Organizations", business["organizations"]),
        _gauge("promptops_users", "Users", business["users"]),
        _gauge("promptops_prompts", "Prompts", business["prompts"]),
        _gauge(
            "promptops_system_sampler_enabled",
            "1 when the system metrics sampler is on",
            1.0 if business["sampler_enabled"] else 0.0,
        ),
        breaches,
    ]
    for extra in await asyncio.gather(*(collect() for collect in EXTRA_FAMILIES)):
        families.extend(extra)
    return request_text(raw).encode() + generate_latest(_OneShot(families))
