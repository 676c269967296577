"""Announcing alert transitions: history row, Redis pub/sub, and notifications.

Every transition of every alert goes through :func:`announce`, whoever caused it
(the engine, a user, an external monitor), so the history, live subscribers and
notification channels can never disagree about what happened.  The one exception is the
engine opening many alerts at once: it writes their history rows in bulk, then calls
:func:`broadcast` for each, which is the second half of :func:`announce`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import orjson
from redis.exceptions import RedisError

from models.alerts import Alert, AlertEvent
from models.notifications import NotificationDelivery
from services import notifications
from services.alerting.info import render
from services.core.database import column
from services.core.redis_client import get_redis, key

log = logging.getLogger(__name__)
NOTIFY_KINDS = {"firing": "alert_firing", "renotify": "alert_firing", "resolved": "alert_resolved"}


def channel(organization_id: int | None) -> str:
    """Pub/sub channel of one organization's alert events (``platform`` for org-less alerts)."""
    return key("alerts", "events", organization_id if organization_id is not None else "platform")


async def announce(
    alert: Alert,
    transition: str,
    *,
    from_status: str | None = None,
    actor_id: int | None = None,
    note: str | None = None,
    channel_ids: list[int] | None = None,
    at: datetime | None = None,
) -> AlertEvent:
    """Record ``transition`` (pending, firing, acknowledged, resolved, renotify, severity) and tell listeners."""
    event = await AlertEvent.create(
        alert_id=alert.id,
        kind=transition,
        from_status=from_status,
        to_status=alert.status,
        actor_id=actor_id,
        note=note,
        value=alert.value,
        at=at or datetime.now(UTC),
    )
    await broadcast(alert, event, channel_ids)
    return event


async def broadcast(alert: Alert, event: AlertEvent, channel_ids: list[int] | None) -> None:
    """Tell live listeners and the notification channels about a recorded transition ``event``."""
    transition = event.kind
    payload = {"event": transition, "at": event.at.isoformat(), "alert": render(alert).model_dump(mode="json")}
    try:
        await get_redis().publish(channel(alert.organization_id), orjson.dumps(payload).decode())
    except RedisError:  # live listeners are best effort; the history row above is the record
        log.warning("could not publish alert event %s for alert %s", transition, alert.id, exc_info=True)
    kind = NOTIFY_KINDS.get(transition)
    if kind is not None and alert.organization_id is not None and channel_ids:
        # One delivery per channel and event: a retried evaluation cannot notify twice.
        await notifications.notify(
            alert.organization_id, channel_ids, payload, kind, alert.id, dedupe_key=f"alert:{alert.id}:{event.id}"
        )


REPAIR_WINDOW = timedelta(hours=1)


async def renotify_missing(now: datetime) -> int:
    """Fan out again the rules' alert events of the last hour that lack deliveries; returns them.

    The history row is written before :func:`broadcast` queues the notifications, so a worker
    killed in between (tests/faults/test_worker_kill.py) left events no channel ever heard of.
    Each delivery is keyed ``alert:<alert>:<event>`` per channel, so notifying again is a no-op
    for the channels that already have theirs.
    """
    events = await AlertEvent.filter(
        kind__in=list(NOTIFY_KINDS), at__gte=now - REPAIR_WINDOW, alert__source="rule"
    ).select_related("alert__rule")
    wanted = {
        f"alert:{e.alert_id}:{e.id}": e
        for e in events
        if e.alert.organization_id is not None and e.alert.rule is not None and e.alert.rule.channel_ids
    }
    if not wanted:
        return 0
    have: dict[str, int] = {}
    for found in await column(
        NotificationDelivery.filter(dedupe_key__in=list(wanted)).values_list("dedupe_key", flat=True)
    ):
        have[str(found)] = have.get(str(found), 0) + 1
    again = 0
    for dedupe_key, event in wanted.items():
        alert, channels = event.alert, list(event.alert.rule.channel_ids or [])
        if have.get(dedupe_key, 0) >= len(set(channels)) or alert.organization_id is None:
            continue
        payload = {"event": event.kind, "at": event.at.isoformat(), "alert": render(alert).model_dump(mode="json")}
        await notifications.notify(
            alert.organization_id, channels, payload, NOTIFY_KINDS[event.kind], alert.id, dedupe_key=dedupe_key
        )
        again += 1
    if again:
        log.warning("%d alert events had not reached their channels; notified now", again)
    await notifications.requeue_stale(now)  # rows written whose job was never queued
    return again
