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

import bisect
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.functions import Max

from models.alerts import Alert
from models.deployments import Deployment, DeploymentChange, DeploymentPromptVersion, Environment
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
from services.identity.policy import Principal, require_admin
from services.rollups.build import day_floor

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
class _Tally:
    start: datetime
    end: datetime
    finished: list[dict[str, Any]] = field(default_factory=list)  # any environment in the filter
    scoped: list[dict[str, Any]] = field(default_factory=list)  # the DORA environments
    lead_seconds: list[float] = field(default_factory=list)
    incident_deployments: set[int] = field(default_factory=set)
    restore_seconds: list[float] = field(default_factory=list)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _bucket(t: _Tally, now: datetime) -> MetricsBucket:
    statuses = [d["status"] for d in t.finished]
    ok, bad, back = statuses.count("succeeded"), statuses.count("failed"), statuses.count("rolled_back")
    durations = [
        (d["finished_at"] - d["started_at"]).total_seconds() for d in t.finished if d["started_at"] is not None
    ]
    live = [d for d in t.scoped if d["status"] in LIVE]
    span_days = max((min(t.end, now) - t.start).total_seconds(), 1.0) / DAY_SECONDS
    per_day = len(live) / span_days
    judged = [d for d in t.scoped if d["status"] in ("succeeded", "failed", "rolled_back")]
    failed_changes = sum(1 for d in judged if d["status"] != "succeeded" or d["id"] in t.incident_deployments)
    incidents = sum(1 for d in judged if d["status"] == "succeeded" and d["id"] in t.incident_deployments)
    rate = failed_changes / len(judged) * 100.0 if judged else None
    lead = _median(t.lead_seconds)
    restore = _median(t.restore_seconds)
    return MetricsBucket(
        start=t.start,
        end=t.end,
        deployments=len(t.finished),
        successes=ok,
        failures=bad,
        rollbacks=back,
        cancelled=statuses.count("cancelled"),
        success_rate=ok / (ok + bad + back) * 100.0 if ok + bad + back else None,
        median_duration_seconds=_median(durations),
        dora=Dora(
            deployment_frequency=DeploymentFrequency(
                deployments=len(live),
                per_day=per_day,
                band=frequency_band(per_day),
            ),
            lead_time_for_changes=LeadTime(
                changes=len(t.lead_seconds),
                median_seconds=lead,
                band=lead_time_band(lead) if lead is not None else None,
            ),
            change_failure_rate=ChangeFailureRate(
                deployments=len(judged),
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
    organization_id: int, deployed: list[dict[str, Any]], horizon: timedelta, start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime | None]]]:
    """Deployment id -> (fired, resolved) of the incidents attributed to it."""
    succeeded = {d["id"]: d for d in deployed if d["status"] == "succeeded"}
    if not succeeded:
        return {}
    shipped = await DeploymentPromptVersion.filter(
        deployment__organization_id=organization_id,
        deployment__status="succeeded",
        deployment__finished_at__gte=start,
        deployment__finished_at__lte=end,
    ).values_list("deployment_id", "prompt_id", "version_hash")
    by_prompt: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for dep_id, prompt_id, version in shipped:
        if dep_id in succeeded:
            by_prompt[prompt_id].append((dep_id, version))
    if not by_prompt:
        return {}
    alerts = await Alert.filter(
        organization_id=organization_id,
        started_at__lte=end + horizon,
        firing_at__gte=start,
        firing_at__lte=end + horizon,
    ).values("id", "entity", "firing_at", "resolved_at", "rule__scope")
    out: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for a in alerts:
        target = _alert_target(a["entity"], a["rule__scope"])
        if target is None or a["firing_at"] is None:
            continue
        prompt_id, version = target
        fired = a["firing_at"]
        candidates = [
            succeeded[dep_id]
            for dep_id, shipped_version in by_prompt.get(prompt_id, ())
            if (version is None or version == shipped_version)
            and succeeded[dep_id]["finished_at"] <= fired <= succeeded[dep_id]["finished_at"] + horizon
        ]
        if candidates:
            owner = max(candidates, key=lambda d: (d["finished_at"], d["id"]))
            out[owner["id"]].append((fired, a["resolved_at"]))
    return out


def check_window(days: int, interval: str | None = None) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise BadRequest.field("days", f"days must be between 1 and {MAX_DAYS}", "out_of_range")
    if interval is not None and interval not in ("day", "week", "month"):
        raise BadRequest.field("interval", "interval must be one of day, week, month")


async def deployment_metrics(
    principal: Principal,
    environment_id: int | None = None,
    days: int = 30,
    interval: str = "day",
    incident_horizon_hours: int = 24,
    now: datetime | None = None,
) -> DeploymentMetrics:
    """Per bucket (zero-filled) and in total: counts, success rate, median duration and the DORA keys."""
    principal = require_admin(principal)
    check_window(days, interval)
    if not 1 <= incident_horizon_hours <= MAX_INCIDENT_HORIZON_HOURS:
        raise BadRequest.field(
            "incident_horizon_hours", f"must be between 1 and {MAX_INCIDENT_HORIZON_HOURS}", "out_of_range"
        )
    org = principal.organization_id
    if environment_id is not None:
        await environment_row(principal, environment_id)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    start = day_floor(now) - timedelta(days=days - 1)
    horizon = timedelta(hours=incident_horizon_hours)
    scope = set(await dora_environments(org, environment_id))
    query = Deployment.filter(organization_id=org, finished_at__gte=start, finished_at__lte=now)
    if environment_id is not None:
        query = query.filter(environment_id=environment_id)
    finished = await query.values("id", "environment_id", "status", "started_at", "finished_at")
    scoped = [d for d in finished if d["environment_id"] in scope]
    live_ids = {d["id"] for d in scoped if d["status"] in LIVE}
    changes: list[tuple[int, datetime]] = []
    if live_ids:
        changes = await DeploymentChange.filter(
            deployment__organization_id=org,
            deployment__finished_at__gte=start,
            deployment__finished_at__lte=now,
            deployment__status__in=LIVE,
        ).values_list("deployment_id", "committed_at")
    incidents = await _incidents(org, scoped, horizon, start, now)

    bounds = bucket_bounds(start, now, interval)
    tallies = [_Tally(s, e) for s, e in bounds]
    total = _Tally(start, now)
    starts = [s for s, _ in bounds]
    by_id = {d["id"]: d for d in finished}

    def tallies_of(t: datetime) -> tuple[_Tally, _Tally]:
        return tallies[max(0, bisect.bisect_right(starts, t) - 1)], total

    for d in finished:
        for t in tallies_of(d["finished_at"]):
            t.finished.append(d)
            if d["environment_id"] in scope:
                t.scoped.append(d)
    for dep_id, committed in changes:
        deployed = by_id.get(dep_id)
        if deployed is None or dep_id not in live_ids:
            continue
        for t in tallies_of(deployed["finished_at"]):
            t.lead_seconds.append(max(0.0, (deployed["finished_at"] - committed).total_seconds()))
    for dep_id, found in incidents.items():
        d = by_id[dep_id]
        for t in tallies_of(d["finished_at"]):
            t.incident_deployments.add(dep_id)
            t.restore_seconds.extend((resolved - fired).total_seconds() for fired, resolved in found if resolved)
    return DeploymentMetrics(
        environment_id=environment_id,
        dora_environment_ids=sorted(scope),
        days=days,
        interval=interval,
        period_start=start,
        period_end=now,
        incident_horizon_hours=incident_horizon_hours,
        buckets=[_bucket(t, now) for t in tallies],
        total=_bucket(total, now),
        band_thresholds=BAND_THRESHOLDS,
    )


# ------------------------------------------------------------------------------------------ summary


def _counts(rows: list[tuple[int, str]], start: datetime, end: datetime) -> PeriodCounts:
    by_status = dict.fromkeys(STATUSES, 0)
    for _, status in rows:
        by_status[status] = by_status.get(status, 0) + 1
    judged = by_status["succeeded"] + by_status["failed"] + by_status["rolled_back"]
    return PeriodCounts(
        period_start=start,
        period_end=end,
        total=len(rows),
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
    rows = await base.filter(created_at__gt=previous_start, created_at__lte=now).values_list(
        "environment_id", "status", "created_at"
    )
    current = [(e, s) for e, s, c in rows if c > start]
    previous = [(e, s) for e, s, c in rows if c <= start]
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
