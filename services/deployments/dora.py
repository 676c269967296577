"""Deployment metrics over time (with the four DORA keys) and the status summary.

Definitions (documented in the README and in each response's ``band_thresholds``):

* A deployment belongs to the bucket in which it *finished*; ``success_rate`` is succeeded among
  succeeded + failed + rolled back (a cancelled deployment is neither); ``median_duration`` is
  started -> finished.
* DORA keys cover the requested environment, or else the organization's ``production``
  environments (all environments when it has none: DORA measures what reaches users).
* **Deployment frequency**: deployments that went live (succeeded or later rolled back) per day.
* **Lead time for changes**: median over their changes of commit -> deployment finished.
* **Change failure rate**: failed + rolled back + succeeded-but-followed-by-an-incident, over
  succeeded + failed + rolled back.  An incident is an alert of the organization on one of the
  deployment's prompt versions (a rule scoped to that prompt, or to that prompt and version, or a
  per-prompt/per-version alert on it) that *fired* within ``incident_horizon_hours`` after the
  deployment finished; an alert is attributed to the latest such deployment only.
* **Time to restore**: median of those incidents' fired -> resolved.

Bands follow the DORA State of DevOps report (2023) where it is unambiguous and its 2021 edition
where 2023's table repeats a row (the "low" rows): see :data:`BAND_THRESHOLDS`.
"""

from __future__ import annotations

import asyncio
import bisect
import re
import statistics
import time
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.functions import Count, Max

from models.alerts import Alert
from models.deployments import Deployment, DeploymentChange, DeploymentPromptVersion, Environment
from services.core.config import get_settings
from services.core.errors import BadRequest
from services.deployments.schemas import (
    BandThreshold,
    ChangeFailureRate,
    DeploymentFrequency,
    DeploymentMetrics,
    DeploymentRef,
    Dora,
    EnvironmentStatus,
    LeadTime,
    MetricsBucket,
    PeriodCounts,
    StatusSummary,
    TimeToRestore,
)
from services.deployments.store import deployment_ref, environment_info, environment_row
from services.deployments.store import version as written_version
from services.identity import Principal, require_admin
from services.rollups import day_floor

LIVE = ("succeeded", "rolled_back")
STATUSES = ("pending", "in_progress", "succeeded", "failed", "rolled_back", "cancelled")
MAX_DAYS = 365
MAX_INCIDENT_HORIZON_HOURS = 720
DAY_SECONDS = 86_400.0
_ENTITY = re.compile(r"^prompt:(\d+)(?::version:(.*))?$", re.DOTALL)

BAND_THRESHOLDS = [
    BandThreshold(
        key="deployment_frequency",
        unit="deployments per day",
        elite=">= 1 (on demand, daily or more)",
        high=">= 1/7 (between once per day and once per week)",
        medium=">= 1/30 (between once per week and once per month)",
        low="< 1/30 (less than once per month)",
    ),
    BandThreshold(
        key="lead_time_for_changes",
        unit="median, commit -> deployed",
        elite="< 1 day",
        high="< 1 week",
        medium="< 30 days",
        low=">= 30 days",
    ),
    BandThreshold(
        key="change_failure_rate", unit="% of deployments", elite="<= 5", high="<= 10", medium="<= 15", low="> 15"
    ),
    BandThreshold(
        key="time_to_restore",
        unit="median, incident fired -> resolved",
        elite="< 1 hour",
        high="< 1 day",
        medium="< 1 week",
        low=">= 1 week",
    ),
]


def frequency_band(per_day: float) -> str:
    return "elite" if per_day >= 1 else "high" if per_day >= 1 / 7 else "medium" if per_day >= 1 / 30 else "low"


def lead_time_band(seconds: float) -> str:
    days = seconds / DAY_SECONDS
    return "elite" if days < 1 else "high" if days < 7 else "medium" if days < 30 else "low"


def failure_rate_band(pct: float) -> str:
    return "elite" if pct <= 5 else "high" if pct <= 10 else "medium" if pct <= 15 else "low"


def restore_band(seconds: float) -> str:
    return (
        "elite"
        if seconds < 3600
        else "high"
        if seconds < DAY_SECONDS
        else "medium"
        if seconds < 7 * DAY_SECONDS
        else "low"
    )


# ------------------------------------------------------------------------------------------ buckets


def _unit_floor(t: datetime, interval: str) -> datetime:
    d = day_floor(t)
    if interval == "week":
        return d - timedelta(days=d.weekday())  # ISO weeks start on Monday
    if interval == "month":
        return d.replace(day=1)
    return d


def _next(t: datetime, interval: str) -> datetime:
    if interval == "day":
        return t + timedelta(days=1)
    if interval == "week":
        return t + timedelta(days=7)
    return t.replace(year=t.year + 1, month=1) if t.month == 12 else t.replace(month=t.month + 1)


def bucket_bounds(start: datetime, end: datetime, interval: str) -> list[tuple[datetime, datetime]]:
    """Calendar buckets (UTC days, ISO weeks, months) covering [start, end], the first clipped to start."""
    out = []
    cursor = _unit_floor(start, interval)
    while cursor <= end:
        nxt = _next(cursor, interval)
        out.append((max(cursor, start), min(nxt, end)))
        cursor = nxt
    return out


# ------------------------------------------------------------------------------------------ DORA


@dataclass
class _Agg:
    """What one bucket (or the whole window) adds up to; medians are computed where the values are."""

    start: datetime
    end: datetime
    total: int = 0
    succeeded: int = 0
    failed: int = 0
    rolled_back: int = 0
    cancelled: int = 0
    median_duration: float | None = None
    live: int = 0  # DORA scope: went live
    judged: int = 0  # DORA scope: succeeded + failed + rolled back
    judged_bad: int = 0  # DORA scope: failed + rolled back
    lead_changes: int = 0
    median_lead: float | None = None
    incident_deployments: set[int] = field(default_factory=set)
    restore_seconds: list[float] = field(default_factory=list)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _bucket(t: _Agg, now: datetime) -> MetricsBucket:
    span_days = max((min(t.end, now) - t.start).total_seconds(), 1.0) / DAY_SECONDS
    per_day = t.live / span_days
    incidents = len(t.incident_deployments)
    failed_changes = t.judged_bad + incidents
    rate = failed_changes / t.judged * 100.0 if t.judged else None
    restore = _median(t.restore_seconds)
    finished = t.succeeded + t.failed + t.rolled_back
    return MetricsBucket(
        start=t.start,
        end=t.end,
        deployments=t.total,
        successes=t.succeeded,
        failures=t.failed,
        rollbacks=t.rolled_back,
        cancelled=t.cancelled,
        success_rate=t.succeeded / finished * 100.0 if finished else None,
        median_duration_seconds=t.median_duration,
        dora=Dora(
            deployment_frequency=DeploymentFrequency(deployments=t.live, per_day=per_day, band=frequency_band(per_day)),
            lead_time_for_changes=LeadTime(
                changes=t.lead_changes,
                median_seconds=t.median_lead,
                band=lead_time_band(t.median_lead) if t.median_lead is not None else None,
            ),
            change_failure_rate=ChangeFailureRate(
                deployments=t.judged,
                failed_changes=failed_changes,
                incidents=incidents,
                rate=rate,
                band=failure_rate_band(rate) if rate is not None else None,
            ),
            time_to_restore=TimeToRestore(
                incidents_resolved=len(t.restore_seconds),
                median_seconds=restore,
                band=restore_band(restore) if restore is not None else None,
            ),
        ),
    )


async def dora_environments(organization_id: int, environment_id: int | None) -> list[int]:
    if environment_id is not None:
        return [environment_id]
    rows = await Environment.filter(organization_id=organization_id).values_list("id", "kind")
    production = [i for i, kind in rows if kind == "production"]
    return production or [i for i, _ in rows]


def _alert_target(entity: str, scope: dict[str, Any] | None) -> tuple[int, str | None] | None:
    """(prompt id, version hash or None for any version) an alert is about, or None (organization-wide)."""
    matched = _ENTITY.match(entity or "")
    if matched:
        return int(matched.group(1)), matched.group(2)
    scope = scope or {}
    if isinstance(scope.get("prompt_id"), int):
        version = scope.get("version_hash")
        return scope["prompt_id"], version if isinstance(version, str) else None
    return None


async def _incidents(
    organization_id: int, scoped: Awaitable[list[int]], horizon: timedelta, start: datetime, end: datetime
) -> dict[int, tuple[datetime, list[tuple[datetime, datetime | None]]]]:
    """Succeeded deployment id -> (its finish, the (fired, resolved) incidents attributed to it).

    The alerts are read first (few), beside the DORA scope (``scoped``, a task); only the shipped
    versions of the prompts they name are read then.
    """
    alerts = await Alert.filter(
        organization_id=organization_id,
        started_at__lte=end + horizon,
        firing_at__gte=start,
        firing_at__lte=end + horizon,
    ).values("id", "entity", "firing_at", "resolved_at", "rule__scope")
    targeted = [(a, _alert_target(a["entity"], a["rule__scope"])) for a in alerts if a["firing_at"] is not None]
    prompts = {t[0] for _, t in targeted if t is not None}
    if not prompts:
        return {}
    scope = await scoped
    shipped = await DeploymentPromptVersion.filter(
        prompt_id__in=sorted(prompts),
        deployment__organization_id=organization_id,
        deployment__environment_id__in=scope,
        deployment__status="succeeded",
        deployment__finished_at__gte=start,
        deployment__finished_at__lte=end,
    ).values_list("deployment_id", "prompt_id", "version_hash", "deployment__finished_at")
    by_prompt: dict[int, list[tuple[int, str, datetime]]] = defaultdict(list)
    for dep_id, prompt_id, version, finished in shipped:
        by_prompt[prompt_id].append((dep_id, version, finished))
    out: dict[int, tuple[datetime, list[tuple[datetime, datetime | None]]]] = {}
    for a, target in targeted:
        if target is None:
            continue
        prompt_id, version = target
        fired = a["firing_at"]
        candidates = [
            (finished, dep_id)
            for dep_id, shipped_version, finished in by_prompt.get(prompt_id, ())
            if (version is None or version == shipped_version) and finished <= fired <= finished + horizon
        ]
        if candidates:
            finished, owner = max(candidates)
            out.setdefault(owner, (finished, []))[1].append((fired, a["resolved_at"]))
    return out


def check_window(days: int, interval: str | None = None) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise BadRequest.field("days", f"days must be between 1 and {MAX_DAYS}", "out_of_range")
    if interval is not None and interval not in ("day", "week", "month"):
        raise BadRequest.field("interval", "interval must be one of day, week, month")


# The DORA scope (:func:`dora_environments`) computed by the statement itself, so the aggregates need
# not wait for it: ``$1`` organization, ``$5`` the requested environment or NULL.
_PG_SCOPE = """
WITH envs AS (SELECT id, kind FROM environments WHERE organization_id = $1),
scope AS (SELECT CASE WHEN $5::int IS NOT NULL THEN ARRAY[$5::int]
                      ELSE coalesce((SELECT array_agg(id) FROM envs WHERE kind = 'production'),
                                    (SELECT array_agg(id) FROM envs), '{}'::int[]) END AS ids)
"""
_PG_FINISHED = (
    _PG_SCOPE
    + """
SELECT bucket, GROUPING(bucket) AS whole, count(*) AS total,
       count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'rolled_back') AS rolled_back,
       count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at))
           FILTER (WHERE started_at IS NOT NULL) AS median_duration,
       count(*) FILTER (WHERE scoped AND status IN ('succeeded', 'rolled_back')) AS live,
       count(*) FILTER (WHERE scoped AND status IN ('succeeded', 'failed', 'rolled_back')) AS judged,
       count(*) FILTER (WHERE scoped AND status IN ('failed', 'rolled_back')) AS judged_bad
FROM (SELECT status, started_at, finished_at, environment_id = ANY((SELECT ids FROM scope)::int[]) AS scoped,
             date_trunc($4, finished_at AT TIME ZONE 'UTC') AS bucket
      FROM deployments
      WHERE organization_id = $1 AND finished_at >= $2 AND finished_at <= $3
        AND ($5::int IS NULL OR environment_id = $5)) d
GROUP BY GROUPING SETS ((bucket), ())
"""
)
_PG_LEAD = (
    _PG_SCOPE
    + """
SELECT bucket, GROUPING(bucket) AS whole, count(*) AS changes,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY lead) AS median_lead
FROM (SELECT date_trunc($4, d.finished_at AT TIME ZONE 'UTC') AS bucket,
             greatest(0, extract(epoch FROM d.finished_at - c.committed_at)) AS lead
      FROM deployment_changes c JOIN deployments d ON d.id = c.deployment_id
      WHERE d.organization_id = $1 AND d.finished_at >= $2 AND d.finished_at <= $3
        AND d.environment_id = ANY((SELECT ids FROM scope)::int[]) AND d.status IN ('succeeded', 'rolled_back')) x
GROUP BY GROUPING SETS ((bucket), ())
"""
)


CACHE_SECONDS = 60.0
_CACHE_ENTRIES = 256
_AGGREGATES: OrderedDict[tuple[Any, ...], tuple[float, list[Any], list[Any]]] = OrderedDict()


async def _aggregate_pg(
    org: int,
    environment_id: int | None,
    start: datetime,
    end: datetime,
    interval: str,
    into: Any,
    written: int | None,
) -> None:
    """Counts and medians per bucket and for the whole window, grouped by PostgreSQL (two statements,
    each computing the DORA scope itself).

    PostgreSQL buys: grouped rows per bucket (``percentile_cont``, ``date_trunc``) instead of every
    deployment of the window, with no wait for the scope query first (:func:`_aggregate_rows`, SQLite).

    The grouped rows are kept per process for :data:`CACHE_SECONDS`, keyed by the organization's
    write counter (``written``, :func:`services.deployments.store.version`): any deployment or
    environment written since is a new key, so a repeated dashboard read costs no statement while
    nothing changed.  The lifetime bounds what a write the counter missed (Redis down) can hide.
    """
    cache_key = (org, environment_id, start, interval, written)
    hit = _AGGREGATES.get(cache_key) if written is not None else None
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        _AGGREGATES.move_to_end(cache_key)
        finished, leads = hit[1], hit[2]
    else:
        conn = connections.get("default")
        args = [org, start, end, interval, environment_id]
        (_, finished), (_, leads) = await asyncio.gather(  # two pooled connections
            conn.execute_query(_PG_FINISHED, args), conn.execute_query(_PG_LEAD, args)
        )
        finished, leads = [dict(r) for r in finished], [dict(r) for r in leads]
        if written is not None:
            _AGGREGATES[cache_key] = (time.monotonic(), finished, leads)
            while len(_AGGREGATES) > _CACHE_ENTRIES:
                _AGGREGATES.popitem(last=False)
    for r in finished:
        agg = into(None if r["whole"] else r["bucket"].replace(tzinfo=UTC))
        agg.total, agg.succeeded, agg.failed = r["total"], r["succeeded"], r["failed"]
        agg.rolled_back, agg.cancelled = r["rolled_back"], r["cancelled"]
        agg.median_duration = float(r["median_duration"]) if r["median_duration"] is not None else None
        agg.live, agg.judged, agg.judged_bad = r["live"], r["judged"], r["judged_bad"]
    for r in leads:
        agg = into(None if r["whole"] else r["bucket"].replace(tzinfo=UTC))
        agg.lead_changes = r["changes"]
        agg.median_lead = float(r["median_lead"]) if r["median_lead"] is not None else None


async def _aggregate_rows(
    org: int,
    environment_id: int | None,
    scope: list[int],
    start: datetime,
    end: datetime,
    into: Any,
    floor: Any,
) -> None:
    """The same figures from the rows, in Python (SQLite has no percentile_cont or date_trunc)."""
    query = Deployment.filter(organization_id=org, finished_at__gte=start, finished_at__lte=end)
    if environment_id is not None:
        query = query.filter(environment_id=environment_id)
    rows = await query.values("id", "environment_id", "status", "started_at", "finished_at")
    durations: dict[Any, list[float]] = defaultdict(list)
    by_id = {}
    for d in rows:
        scoped = d["environment_id"] in scope
        for key in (floor(d["finished_at"]), None):
            agg = into(key)
            agg.total += 1
            status = d["status"]
            if status in ("succeeded", "failed", "rolled_back", "cancelled"):
                setattr(agg, status, getattr(agg, status) + 1)
            if d["started_at"] is not None:
                durations[key].append((d["finished_at"] - d["started_at"]).total_seconds())
            if scoped and status in LIVE:
                agg.live += 1
            if scoped and status in ("succeeded", "failed", "rolled_back"):
                agg.judged += 1
                agg.judged_bad += status != "succeeded"
        if scoped and d["status"] in LIVE:
            by_id[d["id"]] = d
    leads: dict[Any, list[float]] = defaultdict(list)
    if by_id:
        changes = await DeploymentChange.filter(
            deployment__organization_id=org,
            deployment__finished_at__gte=start,
            deployment__finished_at__lte=end,
            deployment__status__in=LIVE,
        ).values_list("deployment_id", "committed_at")
        for dep_id, committed in changes:
            found = by_id.get(dep_id)
            if found is not None:
                for key in (floor(found["finished_at"]), None):
                    leads[key].append(max(0.0, (found["finished_at"] - committed).total_seconds()))
    for key, values in durations.items():
        into(key).median_duration = _median(values)
    for key, values in leads.items():
        agg = into(key)
        agg.lead_changes, agg.median_lead = len(values), _median(values)


async def deployment_metrics(
    principal: Principal,
    environment_id: int | None = None,
    days: int = 30,
    interval: str = "day",
    incident_horizon_hours: int = 24,
    now: datetime | None = None,
) -> DeploymentMetrics:
    """Per bucket (zero-filled) and in total: counts, success rate, median duration and the DORA keys.

    On PostgreSQL the database groups and takes the medians (two statements however many
    deployments); elsewhere the rows are folded here.  Incidents are read apart (alerts first).
    """
    principal = require_admin(principal)
    check_window(days, interval)
    if not 1 <= incident_horizon_hours <= MAX_INCIDENT_HORIZON_HOURS:
        raise BadRequest.field(
            "incident_horizon_hours", f"must be between 1 and {MAX_INCIDENT_HORIZON_HOURS}", "out_of_range"
        )
    org = principal.organization_id
    now = (now or datetime.now(UTC)).astimezone(UTC)
    start = day_floor(now) - timedelta(days=days - 1)
    horizon = timedelta(hours=incident_horizon_hours)
    # One round of concurrent statements on PostgreSQL: the environment check, the DORA scope (which
    # the aggregates compute themselves), the aggregates and the alerts.
    scoped = asyncio.ensure_future(dora_environments(org, environment_id))
    checked = environment_row(principal, environment_id) if environment_id is not None else asyncio.sleep(0)

    bounds = bucket_bounds(start, now, interval)
    floors = [_unit_floor(s, interval) for s, _ in bounds]  # the unclipped calendar start of each bucket
    tallies = {f: _Agg(s, e) for f, (s, e) in zip(floors, bounds, strict=True)}
    total = _Agg(start, now)

    def floor(t: datetime) -> datetime:
        return floors[max(0, bisect.bisect_right(floors, t) - 1)]

    def into(key: datetime | None) -> _Agg:
        return total if key is None else tallies[key]

    try:
        if get_settings().is_postgres:
            written = await written_version(org)
            aggregate = _aggregate_pg(org, environment_id, start, now, interval, into, written)
        else:
            await checked
            checked = asyncio.sleep(0)
            aggregate = _aggregate_rows(org, environment_id, await scoped, start, now, into, floor)
        _, _, incidents = await asyncio.gather(checked, aggregate, _incidents(org, scoped, horizon, start, now))
        scope = await scoped
    finally:
        scoped.cancel()  # a no-op once done; on a 404 it does not outlive the request
    for dep_id, (finished, found) in incidents.items():
        for agg in (into(floor(finished)), total):
            agg.incident_deployments.add(dep_id)
            agg.restore_seconds.extend((resolved - fired).total_seconds() for fired, resolved in found if resolved)
    return DeploymentMetrics(
        environment_id=environment_id,
        dora_environment_ids=sorted(scope),
        days=days,
        interval=interval,
        period_start=start,
        period_end=now,
        incident_horizon_hours=incident_horizon_hours,
        buckets=[_bucket(tallies[f], now) for f in floors],
        total=_bucket(total, now),
        band_thresholds=BAND_THRESHOLDS,
    )


# ------------------------------------------------------------------------------------------ summary


def _counts(rows: list[tuple[int, str, int]], start: datetime, end: datetime) -> PeriodCounts:
    """(environment, status, count) rows as one period's counts."""
    by_status = dict.fromkeys(STATUSES, 0)
    for _, status, n in rows:
        by_status[status] = by_status.get(status, 0) + n
    judged = by_status["succeeded"] + by_status["failed"] + by_status["rolled_back"]
    return PeriodCounts(
        period_start=start,
        period_end=end,
        total=sum(by_status.values()),
        by_status=by_status,
        success_rate=by_status["succeeded"] / judged * 100.0 if judged else None,
    )


async def status_summary(
    principal: Principal, environment_id: int | None = None, days: int = 30, now: datetime | None = None
) -> StatusSummary:
    """Deployments created in the last ``days`` against the ``days`` before, by status and environment."""
    principal = require_admin(principal)
    check_window(days)
    org = principal.organization_id
    envs = (
        [await environment_row(principal, environment_id)]
        if environment_id is not None
        else await Environment.filter(organization_id=org).order_by("name")
    )
    now = (now or datetime.now(UTC)).astimezone(UTC)
    span = timedelta(days=days)
    start, previous_start = now - span, now - 2 * span
    base = Deployment.filter(organization_id=org)
    if environment_id is not None:
        base = base.filter(environment_id=environment_id)

    async def grouped(lo: datetime, hi: datetime) -> list[tuple[int, str, int]]:
        """Counts by environment and status, grouped by the database (a few rows, however many deployments)."""
        found = (
            await base.filter(created_at__gt=lo, created_at__lte=hi)
            .annotate(n=Count("id"))
            .group_by("environment_id", "status")
            .values_list("environment_id", "status", "n")
        )
        return [(int(e), str(st), int(n)) for e, st, n in found]

    current = await grouped(start, now)
    previous = await grouped(previous_start, start)
    in_progress = await base.filter(status="in_progress").order_by("started_at", "id").limit(100)
    latest = (
        await base.filter(status="succeeded")
        .annotate(last=Max("finished_at"))
        .group_by("environment_id")
        .values("environment_id", "last")
    )
    last_rows: dict[int, DeploymentRef] = {}
    wanted = {r["environment_id"]: r["last"] for r in latest if r["last"] is not None}
    if wanted:
        candidates = await base.filter(
            status="succeeded", environment_id__in=list(wanted), finished_at__in=list(set(wanted.values()))
        ).order_by("-id")
        for c in candidates:
            if c.finished_at == wanted.get(c.environment_id) and c.environment_id not in last_rows:
                last_rows[c.environment_id] = deployment_ref(c)
    cur, prev = _counts(current, start, now), _counts(previous, previous_start, start)
    by_env = []
    for env in envs:
        counts = _counts([r for r in current if r[0] == env.id], start, now)
        by_env.append(
            EnvironmentStatus(
                environment=environment_info(env),
                total=counts.total,
                by_status=counts.by_status,
                success_rate=counts.success_rate,
                last_successful=last_rows.get(env.id),
            )
        )
    return StatusSummary(
        environment_id=environment_id,
        days=days,
        current=cur,
        previous=prev,
        total_change_pct=(cur.total - prev.total) / prev.total * 100.0 if prev.total else None,
        success_rate_change=cur.success_rate - prev.success_rate
        if cur.success_rate is not None and prev.success_rate is not None
        else None,
        by_environment=by_env,
        in_progress=[deployment_ref(r) for r in in_progress],
    )
