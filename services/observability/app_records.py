"""Application metrics: manually recorded agent/feedback/workflow runs, job outcomes, JSON views.

Records are stored rows (tenant-owned) and also bump platform-wide Redis counters that the
Prometheus export renders; labels are only the validated enums (status, rating), never the
free-text roles or types, so series stay bounded however many agents exist.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, TypeAdapter
from redis.exceptions import RedisError
from tortoise.functions import Avg, Count, Sum
from tortoise.transactions import in_transaction

from models.monitoring import AgentMetric, FeedbackMetric, WorkflowMetric
from services.core.config import get_settings
from services.core.redis_client import get_redis, key
from services.identity import Principal, require_admin, require_authenticated
from services.metrics import add_to_record_totals, record_breakdowns, record_totals_by_outcome
from services.observability import probes as platform_probes
from services.observability import requests as request_metrics
from services.observability import system as system_metrics
from services.observability import thresholds as performance_thresholds
from services.observability import workers as worker_status
from services.observability.requests import EndpointWindow
from services.observability.schemas import (
    AgentRecorded,
    ApplicationMetrics,
    FeedbackRecorded,
    IngestBacklog,
    IngestView,
    JsonMetrics,
    MetricsHealth,
    MetricsSummary,
    OrganizationRecords,
    RedisReach,
    RequestWindow,
    RollupLag,
    WorkerSummary,
    WorkflowRecorded,
)
from services.rollups import Sketch

log = logging.getLogger(__name__)
Seconds = float
Name = str
BIZ_COUNTERS = "mon:biz"
JOB_COUNTERS = "mon:jobs"
_INGEST_VIEW: TypeAdapter[IngestView] = TypeAdapter(IngestView)


class AgentRecord(BaseModel):
    agent_role: Name = Field(min_length=1, max_length=100, description="Agent role")
    agent_type: Name | None = Field(default=None, min_length=1, max_length=100, description="Agent type")
    status: Literal["success", "failure"] = Field(description="Execution status")
    duration: Seconds = Field(ge=0, le=86_400 * 7, allow_inf_nan=False, description="Duration in seconds")


class FeedbackRecord(BaseModel):
    feedback_type: Name = Field(min_length=1, max_length=100, description="Feedback type")
    rating: Literal["positive", "negative", "neutral"]
    agent_role: Name = Field(min_length=1, max_length=100, description="Agent role that received feedback")
    response_time: Seconds | None = Field(
        default=None, ge=0, le=86_400 * 30, allow_inf_nan=False, description="Seconds until feedback arrived"
    )


class WorkflowRecord(BaseModel):
    workflow_type: Name = Field(min_length=1, max_length=100, description="Type of workflow")
    status: Literal["success", "failure"]
    duration: Seconds = Field(ge=0, le=86_400 * 7, allow_inf_nan=False, description="Duration in seconds")
    steps_executed: int | None = Field(default=None, ge=0, le=1_000_000, description="Number of steps executed")


async def _count(*increments: tuple[str, float]) -> None:
    """Bump the platform-wide counters; a Redis hiccup must not fail a stored record."""
    try:
        async with get_redis().pipeline(transaction=False) as pipe:
            for name, amount in increments:
                if isinstance(amount, int):
                    pipe.hincrby(key(BIZ_COUNTERS), name, amount)
                else:
                    pipe.hincrbyfloat(key(BIZ_COUNTERS), name, amount)
            await pipe.execute()
    except RedisError as exc:
        log.warning("metric counters not bumped (%s); the stored record is unaffected", exc)


_RecordRow = TypeVar("_RecordRow", AgentMetric, FeedbackMetric, WorkflowMetric)


async def _stored(kind: str, row: _RecordRow) -> _RecordRow:
    """Save a record and count it into the organization's running totals, in one transaction."""
    async with in_transaction() as connection:
        await row.save(using_db=connection)
        record = {f: getattr(row, f) for f in row._meta.db_fields}
        await add_to_record_totals(connection, kind, row.organization_id, record)
    return row


async def record_agent(principal: Principal, rec: AgentRecord) -> AgentRecorded:
    principal = require_authenticated(principal)
    row = await _stored(
        "agents",
        AgentMetric(
            organization_id=principal.organization_id,
            user_id=principal.user_id,
            agent_role=rec.agent_role,
            agent_type=rec.agent_type,
            status=rec.status,
            duration_seconds=rec.duration,
        ),
    )
    await _count((f"agent|{rec.status}", 1), (f"agent_seconds|{rec.status}", float(rec.duration)))
    return AgentRecorded(id=row.id, recorded_at=row.recorded_at, **rec.model_dump())


async def record_feedback(principal: Principal, rec: FeedbackRecord) -> FeedbackRecorded:
    principal = require_authenticated(principal)
    row = await _stored(
        "feedback",
        FeedbackMetric(
            organization_id=principal.organization_id,
            user_id=principal.user_id,
            feedback_type=rec.feedback_type,
            rating=rec.rating,
            agent_role=rec.agent_role,
            response_time_seconds=rec.response_time,
        ),
    )
    increments: list[tuple[str, float]] = [(f"feedback|{rec.rating}", 1)]
    if rec.response_time is not None:
        increments += [("feedback_seconds", float(rec.response_time)), ("feedback_timed", 1)]
    await _count(*increments)
    return FeedbackRecorded(id=row.id, recorded_at=row.recorded_at, **rec.model_dump())


async def record_workflow(principal: Principal, rec: WorkflowRecord) -> WorkflowRecorded:
    principal = require_authenticated(principal)
    row = await _stored(
        "workflows",
        WorkflowMetric(
            organization_id=principal.organization_id,
            user_id=principal.user_id,
            workflow_type=rec.workflow_type,
            status=rec.status,
            duration_seconds=rec.duration,
            steps_executed=rec.steps_executed,
        ),
    )
    await _count(
        (f"workflow|{rec.status}", 1),
        (f"workflow_seconds|{rec.status}", float(rec.duration)),
        ("workflow_steps", int(rec.steps_executed or 0)),
    )
    return WorkflowRecorded(id=row.id, recorded_at=row.recorded_at, **rec.model_dump())


async def record_job_outcome(function: str, outcome: str, seconds: float) -> None:
    """Called by the worker around every job (``workers/outcomes.py``)."""
    try:
        async with get_redis().pipeline(transaction=False) as pipe:
            pipe.hincrby(key(JOB_COUNTERS), f"{function}|{outcome}", 1)
            pipe.hincrbyfloat(key(JOB_COUNTERS), f"{function}|seconds", seconds)
            await pipe.execute()
    except RedisError as exc:
        log.warning("job outcome of %s not counted (%s)", function, exc)


async def counters() -> tuple[dict[str, str], dict[str, str]]:
    """(business counters, job counters) as stored in Redis."""
    async with get_redis().pipeline(transaction=False) as pipe:
        pipe.hgetall(key(BIZ_COUNTERS))
        pipe.hgetall(key(JOB_COUNTERS))
        biz, jobs = await pipe.execute()
    return biz, jobs


async def organization_records(organization_id: int, since: datetime | None = None) -> OrganizationRecords:
    """The organization's agent/feedback/workflow records by outcome: all time from the running
    totals (a few rows), a window from the records themselves (one query per kind, on the
    ``(organization_id, recorded_at)`` indexes)."""
    if since is None:
        totals = await record_totals_by_outcome(organization_id)

        def rows(kind: str, label: str) -> list[dict[str, Any]]:
            return [
                {
                    label: outcome,
                    "n": r["n"],
                    "avg": r["total"] / r["n"] if r["total"] is not None else None,
                    "steps": r["steps"],
                }
                for outcome, r in totals[kind].items()
            ]

        agents, feedback, workflows = rows("agents", "status"), rows("feedback", "rating"), rows("workflows", "status")
    else:
        scope: dict[str, Any] = {"organization_id": organization_id, "recorded_at__gte": since}
        agents = (
            await AgentMetric.filter(**scope)
            .annotate(n=Count("id"), avg=Avg("duration_seconds"))
            .group_by("status")
            .values("status", "n", "avg")
        )
        feedback = await FeedbackMetric.filter(**scope).annotate(n=Count("id")).group_by("rating").values("rating", "n")
        workflows = (
            await WorkflowMetric.filter(**scope)
            .annotate(n=Count("id"), avg=Avg("duration_seconds"), steps=Sum("steps_executed"))
            .group_by("status")
            .values("status", "n", "avg", "steps")
        )

    def by(rows: list[dict[str, Any]], label: str, names: tuple[str, ...]) -> dict[str, Any]:
        found = {r[label]: r for r in rows}
        return {n: found.get(n, {}) for n in names}

    a = by(agents, "status", ("success", "failure"))
    f = by(feedback, "rating", ("positive", "negative", "neutral"))
    w = by(workflows, "status", ("success", "failure"))
    a_total = sum(int(r.get("n") or 0) for r in a.values())
    f_total = sum(int(r.get("n") or 0) for r in f.values())
    w_total = sum(int(r.get("n") or 0) for r in w.values())
    return OrganizationRecords.model_validate(
        {
            "agents": {
                "total": a_total,
                "by_status": {k: int(v.get("n") or 0) for k, v in a.items()},
                "success_rate": round(int(a["success"].get("n") or 0) / a_total, 6) if a_total else None,
                "avg_duration_seconds": {k: _round(v.get("avg")) for k, v in a.items()},
            },
            "feedback": {
                "total": f_total,
                "by_rating": {k: int(v.get("n") or 0) for k, v in f.items()},
                "positive_ratio": round(int(f["positive"].get("n") or 0) / f_total, 6) if f_total else None,
            },
            "workflows": {
                "total": w_total,
                "by_status": {k: int(v.get("n") or 0) for k, v in w.items()},
                "success_rate": round(int(w["success"].get("n") or 0) / w_total, 6) if w_total else None,
                "avg_duration_seconds": {k: _round(v.get("avg")) for k, v in w.items()},
                "steps_executed": sum(int(v.get("steps") or 0) for v in w.values()),
            },
        }
    )


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 6)


def _job_outcomes(jobs: dict[str, str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, value in jobs.items():
        function, _, what = name.rpartition("|")
        out.setdefault(function, {})[what] = float(value) if what == "seconds" else int(value)
    return out


async def _last_hour_and_day() -> tuple[RequestWindow, RequestWindow]:
    """The last hour's and the last 24 hours' request figures, from one read of the 24 hours."""
    window = request_metrics.window_hours(24)
    per_hour = await request_metrics.read_hours(window)
    return _requests(1, {window[-1]: per_hour[window[-1]]}), _requests(24, per_hour)


def _requests(hours: int, per_hour: dict[int, dict[str, EndpointWindow]]) -> RequestWindow:
    merged = request_metrics.merge_windows(per_hour)
    total = sum(w.count for w in merged.values())
    errors = sum(w.errors for w in merged.values())
    sketch = Sketch()
    ms = 0.0
    for w in merged.values():
        sketch.merge(w.sketch)
        ms += w.ms_sum
    p95 = sketch.quantile(0.95)
    return RequestWindow(
        window_hours=hours,
        requests=total,
        errors_5xx=errors,
        error_rate=round(errors / total, 6) if total else 0.0,
        avg_ms=round(ms / total, 3) if total else None,
        p95_ms=None if p95 is None else round(p95, 3),
        endpoints=len(merged),
    )


async def _ingest_view(principal: Principal) -> IngestView:
    return _INGEST_VIEW.validate_python(await platform_probes.ingest_view(principal))


async def _workers() -> WorkerSummary:
    return WorkerSummary.model_validate(worker_status.describe(await worker_status.live_workers()))


async def json_metrics(principal: Principal, include_system: bool, include_app: bool) -> JsonMetrics:
    """``GET /v1/metrics/json``: platform request/pipeline/system data plus the caller's organization
    records, broken down by dimension over all time.  ``system`` and ``application`` are None when
    not asked for (the REST route leaves them out)."""
    principal = require_admin(principal)
    out = JsonMetrics(generated_at=datetime.now(UTC))
    if include_system:
        out.system = await system_metrics.current(principal)
    if include_app:
        _, jobs = await counters()
        organization = await organization_records(principal.organization_id)
        last_hour, day = await _last_hour_and_day()
        out.application = ApplicationMetrics(
            requests_last_hour=last_hour,
            requests_last_24h=day,
            ingest=await _ingest_view(principal),
            rollups=RollupLag.model_validate(await platform_probes.rollup_lag()),
            workers=await _workers(),
            job_outcomes=_job_outcomes(jobs),
            organization=organization,
        )
        organization.by_dimension = await record_breakdowns(principal.organization_id)
    return out


async def summary(principal: Principal) -> MetricsSummary:
    """``GET /v1/metrics/summary``: the few numbers an operator looks at first, and the last 24
    hours' recorded runs by dimension."""
    principal = require_admin(principal)
    last_hour, day = await _last_hour_and_day()
    breaches = performance_thresholds.visible_to(principal, await performance_thresholds.breaches(1))
    backlog = await _ingest_view(principal)
    lag = RollupLag.model_validate(await platform_probes.rollup_lag())
    since = datetime.now(UTC) - timedelta(hours=24)
    records = await organization_records(principal.organization_id, since)
    return MetricsSummary(
        generated_at=datetime.now(UTC),
        requests_last_hour=last_hour.requests,
        requests_last_24h=day.requests,
        error_rate_24h=day.error_rate,
        p95_ms_24h=day.p95_ms,
        endpoints_tracked_24h=day.endpoints,
        live_workers=(await _workers()).workers,
        # platform-wide: superusers only (else null)
        ingest_backlog=backlog.stream_length if isinstance(backlog, IngestBacklog) else None,
        dead_letters_last_hour=backlog.dead_letters_recent,
        rollup_lag_seconds=lag.lag_seconds,
        sampler_enabled=(await system_metrics.sampler_state()).enabled,
        threshold_breaches=len(breaches),
        critical_breaches=sum(1 for b in breaches if b.severity == "critical"),
        agents_last_24h=records.agents.total,
        agent_success_rate_24h=records.agents.success_rate,
        feedback_last_24h=records.feedback.total,
        feedback_positive_ratio_24h=records.feedback.positive_ratio,
        workflows_last_24h=records.workflows.total,
        workflow_success_rate_24h=records.workflows.success_rate,
        by_dimension_24h=await record_breakdowns(principal.organization_id, since),
    )


async def metrics_health() -> MetricsHealth:
    """``GET /v1/metrics/health`` (public): is request recording on and reaching Redis?"""
    settings = get_settings()
    started = time.perf_counter()
    try:
        age = await request_metrics.last_flush_age_seconds()
        redis_ok, redis_error = True, None
    except (RedisError, OSError) as exc:
        age, redis_ok, redis_error = None, False, type(exc).__name__
    recorder = request_metrics.RECORDER
    if not settings.request_metrics_enabled:
        status = "disabled"
    elif not redis_ok or recorder.last_flush_error:
        status = "degraded"
    else:
        status = "operational"
    return MetricsHealth(
        status=status,
        request_recording=settings.request_metrics_enabled,
        redis=RedisReach(ok=redis_ok, error=redis_error, latency_ms=round((time.perf_counter() - started) * 1000, 3)),
        last_flush_age_seconds=age,
        last_flush_error=recorder.last_flush_error,
        pending_in_this_process=recorder.pending,
        flush_interval_seconds=settings.request_metrics_flush_seconds,
    )
