"""What an alert and its history look like on the wire (REST, GraphQL, pub/sub payloads)."""

from __future__ import annotations

from models.alerts import Alert, AlertEvent, AlertRule
from services.alerting.schemas import AlertEventInfo, AlertInfo


def render(alert: Alert, rule_name: str | None = None) -> AlertInfo:
    return AlertInfo(
        id=alert.id,
        rule_id=alert.rule_id,
        rule_name=rule_name,
        organization_id=alert.organization_id,
        source=alert.source,
        status=alert.status,
        severity=alert.severity,
        entity=alert.entity or None,
        message=alert.message,
        value=alert.value,
        threshold=alert.threshold,
        started_at=alert.started_at,
        firing_at=alert.firing_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by_id,
        resolved_at=alert.resolved_at,
        resolved_by=alert.resolved_by_id,
        note=alert.note,
        updated_at=alert.updated_at,
    )


async def render_many(alerts: list[Alert]) -> list[AlertInfo]:
    """Rule names of all the alerts in one query."""
    ids = {a.rule_id for a in alerts if a.rule_id is not None}
    names = dict(await AlertRule.filter(id__in=ids).values_list("id", "name")) if ids else {}
    return [render(a, names.get(a.rule_id)) for a in alerts]


def render_event(event: AlertEvent) -> AlertEventInfo:
    return AlertEventInfo(
        id=event.id,
        kind=event.kind,
        from_status=event.from_status,
        to_status=event.to_status,
        actor_id=event.actor_id,
        note=event.note,
        value=event.value,
        at=event.at,
    )
