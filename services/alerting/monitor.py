"""The monitoring views of the alerting subsystem: its own health, and metric series.

``health`` reports what the engine itself is doing (when the last minute cycle ran,
from Redis; how late it is; how many rules it watches) next to real probes of the
database, Redis and the workers.  ``performance_metrics`` answers a series for one
metric name (built-in names from rollups, recorded names from the metric store) or
an overview of every metric over the range.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

from redis.exceptions import RedisError

from models.alerts import OPEN_STATUSES, Alert, AlertRule
from models.metrics import MetricPoint
from services import analytics, metrics, observability
from services.alerting import engine as alert_engine
from services.alerting.schemas import (
    AlertingHealth,
    BuiltinValue,
    EvaluationInfo,
    MetricSeries,
    MetricsOverview,
    Probe,
    RecordedSummary,
    SeriesPoint,
)
from services.core.errors import BadRequest
from services.identity import Principal, require_admin
from services.metrics import PointFilter
from services.rollups import Accumulator, accumulate_slices

CYCLE_SECONDS = 60
LAG_DEGRADED_SECONDS = 3 * CYCLE_SECONDS
TimeRange = Literal["1h", "24h", "7d", "30d", "90d"]
# Seconds per range and per chart bucket: the analytics windows of the same names (one table).
RANGES = {name: int(analytics.WINDOWS[name].total_seconds()) for name in get_args(TimeRange)}
BUCKETS = {name: int(analytics.BUCKETS[name].total_seconds()) for name in get_args(TimeRange)}


async def health(principal: Principal) -> AlertingHealth:
    principal = require_admin(principal)
    now = datetime.now(UTC)
    checks = await observability.readiness_report()
    by_name = {c.name: c for c in checks}
    issues = [f"{c.name}: {c.error}" for c in checks if not c.ok]
    cycle = None
    if by_name["redis"].ok:
        try:
            cycle = await alert_engine.last_cycle()
        except RedisError as exc:
            issues.append(f"redis: {type(exc).__name__}")
    lag = (now - cycle["at"]).total_seconds() if cycle else None
    rules_total = rules_enabled = open_alerts = 0
    if by_name["database"].ok:
        rules = AlertRule.filter(organization_id=principal.organization_id)
        rules_total = await rules.count()
        rules_enabled = await rules.filter(enabled=True).count()
        open_alerts = await Alert.filter(organization_id=principal.organization_id, status__in=OPEN_STATUSES).count()
    if cycle is None:
        issues.append("evaluation: no minute cycle has completed yet")
    elif lag is not None and lag > LAG_DEGRADED_SECONDS:
        issues.append(f"evaluation: last cycle {lag:.0f}s ago (expected every {CYCLE_SECONDS}s)")
    worker = by_name.get("worker")
    if worker is not None and worker.ok and not worker.detail.get("workers"):
        issues.append("worker: no live worker heartbeat")
    if not (by_name["database"].ok and by_name["redis"].ok):
        status = "unhealthy"
    else:
        status = "degraded" if issues else "healthy"
    return AlertingHealth(
        status=status,
        issues=issues,
        evaluation=EvaluationInfo(
            interval_seconds=CYCLE_SECONDS,
            last_run_at=cycle["at"] if cycle else None,
            lag_seconds=round(lag, 3) if lag is not None else None,
            last_duration_ms=cycle["duration_ms"] if cycle else None,
            last_rules_evaluated=cycle["rules"] if cycle else None,
            last_changes=cycle["changes"] if cycle else None,
        ),
        rules_total=rules_total,
        rules_enabled=rules_enabled,
        open_alerts=open_alerts,
        checks=[Probe(name=c.name, ok=c.ok, latency_ms=c.latency_ms, error=c.error, detail=c.detail) for c in checks],
        checked_at=now,
    )


def _window(time_range: str, now: datetime) -> tuple[datetime, datetime, int]:
    bucket = BUCKETS[time_range]
    end_epoch = (int(now.timestamp()) // bucket + 1) * bucket
    end = datetime.fromtimestamp(end_epoch, UTC)
    return end - timedelta(seconds=RANGES[time_range]), end, bucket


async def performance_metrics(
    principal: Principal, metric_type: str | None, time_range: str = "24h"
) -> MetricSeries | MetricsOverview:
    principal = require_admin(principal)
    org = principal.organization_id
    now = datetime.now(UTC)
    if metric_type is None:
        start = now - timedelta(seconds=RANGES[time_range])
        ids = await metrics.organization_prompt_ids(org)
        total = Accumulator()
        for acc in (await accumulate_slices(ids, start, now)).values():
            total.merge(acc)
        seconds = (now - start).total_seconds()
        return MetricsOverview(
            time_range=time_range,
            start=start,
            end=now,
            builtin=[
                BuiltinValue(name=m.name, unit=m.unit, description=m.description, value=m.compute(total, seconds))
                for m in metrics.BUILTIN.values()
            ],
            recorded=[
                RecordedSummary(
                    name=s.name, type=s.type, count=s.count, avg=s.avg, min=s.minimum, max=s.maximum, last_at=s.last_at
                )
                for s in await metrics.summaries(org, start, now)
            ],
        )
    start, end, bucket = _window(time_range, now)
    step = timedelta(seconds=bucket)
    points: list[SeriesPoint] = []
    if metrics.is_builtin(metric_type):
        metric = metrics.BUILTIN[metric_type]
        ids = await metrics.organization_prompt_ids(org)
        slices = await accumulate_slices(ids, start, end - timedelta(microseconds=1), bucket=step)
        merged: dict[datetime, Accumulator] = {}
        for (_, _, t), acc in slices.items():
            assert t is not None
            merged.setdefault(t, Accumulator()).merge(acc)
        t = start
        while t < end:
            seconds = (min(t + step, now) - t).total_seconds()
            points.append(SeriesPoint(timestamp=t, value=metric.compute(merged.get(t) or Accumulator(), seconds)))
            t += step
        unit: str | None = metric.unit
    else:
        if not await MetricPoint.exists(organization_id=org, name=metric_type):
            raise BadRequest.field(
                "metric_type", f"unknown metric '{metric_type}' (neither built-in nor recorded)", "unknown_metric"
            )
        stats = await metrics.bucketed(PointFilter(org, metric_type, start, end), bucket)
        for k in range(RANGES[time_range] // bucket):
            s = stats.get(k)
            points.append(
                SeriesPoint(
                    timestamp=start + k * step,
                    value=s.avg if s else None,
                    count=s.count if s else 0,
                    min=s.minimum if s else None,
                    max=s.maximum if s else None,
                )
            )
        unit = None
    values = [p.value for p in points if p.value is not None]
    return MetricSeries(
        metric_type=metric_type,
        builtin=metrics.is_builtin(metric_type),
        unit=unit,
        time_range=time_range,
        bucket_seconds=bucket,
        start=start,
        end=end,
        points=points,
        min=min(values) if values else None,
        max=max(values) if values else None,
        avg=sum(values) / len(values) if values else None,
        latest=values[-1] if values else None,
    )
