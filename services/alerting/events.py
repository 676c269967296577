"""Announcing alert transitions: history row, Redis pub/sub, and notifications.

Every transition of every alert goes through :func:`announce`, whoever caused it
(the engine, a user, an external monitor), so the history, live subscribers and
notification channels can never disagree about what happened.  The one exception is the
engine opening many alerts at once: it writes their history rows in bulk, then calls
:func:`broadcast` for each, which is the second half of :func:`announce`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import orjson
from redis.exceptions import RedisError

from models.alerts import Alert, AlertEvent
from services.alerting.info import render
from services.core.redis_client import get_redis, key
from services.notifications import channels as notifications

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
