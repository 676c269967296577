"""Reading and handling alerts: lists, one alert with history, acknowledge, resolve, dashboard.

Visibility: an admin sees its organization's alerts; platform-wide alerts (no
organization, raised by the self-monitoring through ``alert_engine.raise_external``)
are visible to superusers only.  Anything else is a 404.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from statistics import fmean

from tortoise.expressions import Q

from models.alerts import ALERT_STATUSES, OPEN_STATUSES, SEVERITIES, Alert, AlertEvent, AlertRule
from services.alerting import engine as alert_engine
from services.alerting import events as alert_events
from services.alerting.info import render_event, render_many
from services.alerting.schemas import (
    AlertDashboard,
    AlertDetail,
    AlertInfo,
    AlertStatistics,
    MonitoringAlerts,
    OpenCounts,
    RuleCounts,
)
from services.core.database import scalar
from services.core.errors import BadRequest, Conflict, NotFound
from services.identity import Principal, Role, require_admin

MAX_LIMIT = 500


def visible(principal: Principal) -> Q:
    own = Q(organization_id=principal.organization_id)
    if principal.has_role(Role.SUPERUSER):
        return own | Q(organization_id__isnull=True)
    return own


async def _row(principal: Principal, alert_id: int) -> Alert:
    alert = await Alert.filter(visible(principal), id=alert_id).first()
    if alert is None:
        raise NotFound("Alert not found")
    return alert


async def list_alerts(
    principal: Principal,
    status: str | None = None,
    severity: str | None = None,
    limit: int = 50,
    since: datetime | None = None,
    resolved: bool | None = None,
) -> list[AlertInfo]:
    """Newest first.  ``status`` may be ``open`` (pending, firing or acknowledged)."""
    principal = require_admin(principal)
    if status is not None and status not in (*ALERT_STATUSES, "open"):
        raise BadRequest.field("status", f"must be one of {', '.join((*ALERT_STATUSES, 'open'))}")
    if severity is not None and severity not in SEVERITIES:
        raise BadRequest.field("severity", f"must be one of {', '.join(SEVERITIES)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest.field("limit", f"must be between 1 and {MAX_LIMIT}")
    query = Alert.filter(visible(principal))
    if status == "open":
        query = query.filter(status__in=OPEN_STATUSES)
    elif status is not None:
        query = query.filter(status=status)
    if severity is not None:
        query = query.filter(severity=severity)
    if since is not None:
        query = query.filter(started_at__gte=since)
    if resolved is not None:
        query = query.filter(status="resolved") if resolved else query.filter(status__in=OPEN_STATUSES)
    return await render_many(await query.order_by("-started_at", "-id").limit(limit))


async def get_alert(principal: Principal, alert_id: int) -> AlertDetail:
    principal = require_admin(principal)
    alert = await _row(principal, alert_id)
    info = (await render_many([alert]))[0]
    events = await AlertEvent.filter(alert_id=alert.id).order_by("at", "id")
    return AlertDetail(**info.model_dump(), history=[render_event(e) for e in events])


async def _channels(alert: Alert) -> list[int]:
    if alert.rule_id is None:
        return []
    ids = await scalar(AlertRule.filter(id=alert.rule_id).first().values_list("channel_ids", flat=True))
    return list(ids or [])


async def acknowledge(principal: Principal, alert_id: int, note: str | None = None) -> AlertInfo:
    """firing -> acknowledged (records who, when and the note); anything else is a 409."""
    principal = require_admin(principal)
    alert = await _row(principal, alert_id)
    now = datetime.now(UTC)
    if alert.status != "firing" or not await alert_engine.transition(
        alert, "acknowledged", acknowledged_at=now, acknowledged_by_id=principal.user_id, note=note, updated_at=now
    ):
        current = (await _row(principal, alert_id)).status
        raise Conflict(f"Alert {alert_id} is {current}; only a firing alert can be acknowledged")
    await alert_events.announce(
        alert, "acknowledged", from_status="firing", actor_id=principal.user_id, note=note, at=now
    )
    return (await render_many([alert]))[0]


async def resolve(principal: Principal, alert_id: int, note: str | None = None) -> AlertInfo:
    """pending/firing/acknowledged -> resolved by a user; resolving a resolved alert is a 409."""
    principal = require_admin(principal)
    alert = await _row(principal, alert_id)
    now = datetime.now(UTC)
    if alert.status not in OPEN_STATUSES or not await alert_engine.resolve_alert(
        alert, now, principal.user_id, note, await _channels(alert)
    ):
        current = (await _row(principal, alert_id)).status
        raise Conflict(f"Alert {alert_id} is {current}; it cannot be resolved again")
    return (await render_many([alert]))[0]


async def statistics(principal: Principal, since: datetime, severity: str | None = None) -> AlertStatistics:
    """Counts and mean times over alerts started since ``since`` (timestamps read, not rows)."""
    query = Alert.filter(visible(principal), started_at__gte=since)
    if severity is not None:
        query = query.filter(severity=severity)
    rows = await query.values_list(
        "status", "severity", "source", "started_at", "firing_at", "acknowledged_at", "resolved_at"
    )
    by_status = Counter({s: 0 for s in ALERT_STATUSES})
    by_severity = Counter({s: 0 for s in SEVERITIES})
    by_source: Counter[str] = Counter()
    ack, res = [], []
    for status, sev, source, started, firing, acked, resolved in rows:
        by_status[status] += 1
        by_severity[sev] += 1
        by_source[source] += 1
        if acked is not None and firing is not None:
            ack.append((acked - firing).total_seconds())
        if resolved is not None:
            res.append((resolved - started).total_seconds())
    return AlertStatistics(
        total=len(rows),
        by_status=dict(by_status),
        by_severity=dict(by_severity),
        by_source=dict(by_source),
        open=sum(by_status[s] for s in OPEN_STATUSES),
        mtta_seconds=round(fmean(ack), 3) if ack else None,
        mttr_seconds=round(fmean(res), 3) if res else None,
    )


async def dashboard(principal: Principal, hours: int = 168, recent: int = 10) -> AlertDashboard:
    principal = require_admin(principal)
    now = datetime.now(UTC)
    open_rows = await Alert.filter(visible(principal), status__in=OPEN_STATUSES).values_list(
        "status", "severity", "rule_id"
    )
    by_status = Counter({s: 0 for s in OPEN_STATUSES})
    by_severity = Counter({s: 0 for s in SEVERITIES})
    firing_rules = set()
    for status, sev, rule_id in open_rows:
        by_status[status] += 1
        by_severity[sev] += 1
        if status == "firing" and rule_id is not None:
            firing_rules.add(rule_id)
    rules = AlertRule.filter(organization_id=principal.organization_id)
    return AlertDashboard(
        window_hours=hours,
        open_alerts=OpenCounts(total=len(open_rows), by_status=dict(by_status), by_severity=dict(by_severity)),
        window=await statistics(principal, now - timedelta(hours=hours)),
        rules=RuleCounts(
            total=await rules.count(), enabled=await rules.filter(enabled=True).count(), firing=len(firing_rules)
        ),
        recent_alerts=await list_alerts(principal, limit=recent),
        generated_at=now,
    )


async def monitoring_alerts(
    principal: Principal, hours: int = 24, severity: str | None = None, resolved: bool | None = None, limit: int = 200
) -> MonitoringAlerts:
    """``/v1/monitoring/alerts``: the same store, alerts started in the last ``hours``."""
    principal = require_admin(principal)
    since = datetime.now(UTC) - timedelta(hours=hours)
    alerts = await list_alerts(principal, severity=severity, limit=limit, since=since, resolved=resolved)
    return MonitoringAlerts(alerts=alerts, statistics=await statistics(principal, since, severity), hours=hours)
