"""Stored security events: the ingest writer for kind ``security`` and every read over them.

Who sees what: an organization admin sees the events that concern its organization (requests
made with one of its credentials); a superuser sees the platform (every event, anonymous
ones included).  Members get a 403.  Reads filter on ``occurred_at`` first, with indexes per
organization, address, type and level matching the filters.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.security import SecurityEvent
from services.identity import Principal, Role, require_admin
from services.security.addresses import require_ip
from services.security.classify import EVENT_TYPES, PATH_MAX, THREAT_LEVELS, UA_MAX, clean
from services.security.schemas import EventList, SecurityEventInfo, ThreatStatistics

MAX_LIMIT = 1000


# --------------------------------------------------------------------------- writer (worker side)


def _row(org: int | None, user: int | None, e: dict[str, Any]) -> SecurityEvent:
    occurred = datetime.fromisoformat(e["occurred_at"])
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    event_type, level = str(e["event_type"]), str(e["threat_level"])
    if event_type not in EVENT_TYPES or level not in THREAT_LEVELS:
        raise ValueError(f"unknown event type or level: {event_type!r}/{level!r}")
    return SecurityEvent(
        event_id=uuid.UUID(str(e["event_id"])),
        event_type=event_type,
        threat_level=level,
        source_ip=clean(str(e["source_ip"]), 45),
        method=clean(str(e.get("method") or ""), 10),
        path=clean(str(e.get("path") or ""), PATH_MAX),
        status=e.get("status"),
        organization_id=org,
        user_id=user,
        user_agent=clean(str(e["user_agent"]), UA_MAX) if e.get("user_agent") else None,
        detail=e.get("detail"),
        occurred_at=occurred,
        hour=int(occurred.timestamp()) // 3600,
    )


async def write_events(events: list[tuple[int | None, int | None, dict[str, Any]]]) -> int:
    """(organization id, user id, payload) -> number newly stored; idempotent by ``event_id``.

    Raises on a payload it cannot store, so the drain isolates and dead-letters that one.
    """
    rows = [_row(org, user, e) for org, user, e in events]
    if not rows:
        return 0
    async with in_transaction():
        ids = [r.event_id for r in rows]
        known = set(await SecurityEvent.filter(event_id__in=ids).values_list("event_id", flat=True))
        seen: set[uuid.UUID] = set()
        fresh = []
        for r in rows:
            if r.event_id in known or r.event_id in seen:
                continue
            seen.add(r.event_id)
            fresh.append(r)
        if fresh:
            await SecurityEvent.bulk_create(fresh, batch_size=1000)
    return len(fresh)


# --------------------------------------------------------------------------- reads


def scoped(principal: Principal) -> QuerySet[SecurityEvent]:
    """The events ``principal`` may see: its organization's (admin) or all (superuser)."""
    principal = require_admin(principal)
    qs = SecurityEvent.all()
    if not principal.has_role(Role.SUPERUSER):
        qs = qs.filter(organization_id=principal.organization_id)
    return qs


def scope_name(principal: Principal) -> str:
    return "platform" if principal.has_role(Role.SUPERUSER) else "organization"


def render(e: SecurityEvent) -> SecurityEventInfo:
    return SecurityEventInfo.model_validate(
        {
            "id": e.id,
            "event_id": str(e.event_id),
            "event_type": e.event_type,
            "threat_level": e.threat_level,
            "source_ip": e.source_ip,
            "method": e.method,
            "path": e.path,
            "status_code": e.status,
            "organization_id": e.organization_id,
            "user_id": e.user_id,
            "user_agent": e.user_agent,
            "detail": e.detail,
            "timestamp": e.occurred_at,
        }
    )


async def list_events(
    principal: Principal,
    hours: int,
    event_type: str | None = None,
    threat_level: str | None = None,
    source_ip: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> EventList:
    """Newest first; ``before_id`` continues a previous page (GraphQL's cursor)."""
    since = datetime.now(UTC) - timedelta(hours=hours)
    qs = scoped(principal).filter(occurred_at__gte=since)
    if event_type:
        qs = qs.filter(event_type=event_type)
    if threat_level:
        qs = qs.filter(threat_level=threat_level)
    if source_ip:
        qs = qs.filter(source_ip=require_ip(source_ip, "source_ip"))
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    rows = await qs.order_by("-occurred_at", "-id").limit(min(limit, MAX_LIMIT))
    items = [render(e) for e in rows]
    return EventList(events=items, count=len(items), limit=limit, hours=hours, scope=scope_name(principal))


async def _counts(qs: QuerySet[SecurityEvent], column: str, limit: int | None = None) -> list[tuple[Any, int]]:
    q = qs.annotate(n=Count("id")).group_by(column).order_by("-n", column)
    if limit:
        q = q.limit(limit)
    return [(r[column], int(r["n"])) for r in await q.values(column, "n")]


async def unique_sources(qs: QuerySet[SecurityEvent]) -> int:
    rows = await qs.annotate(u=Count("source_ip", distinct=True)).values("u")
    return int(rows[0]["u"]) if rows else 0


def _change(current: int, previous: int) -> float | None:
    """Percent change against the previous window; None when there was nothing to compare with."""
    if previous == 0:
        return None
    return round((current - previous) * 100.0 / previous, 2)


async def statistics(principal: Principal, hours: int) -> ThreatStatistics:
    """Counts by type and level, top sources and paths, hourly buckets, change against the previous window."""
    from services.security import decisions

    now = datetime.now(UTC)
    since, before = now - timedelta(hours=hours), now - timedelta(hours=2 * hours)
    base = scoped(principal)
    window = base.filter(occurred_at__gte=since)
    previous = base.filter(occurred_at__gte=before, occurred_at__lt=since)
    by_type = dict(await _counts(window, "event_type"))
    prev_type = dict(await _counts(previous, "event_type"))
    by_level = dict(await _counts(window, "threat_level"))
    sources = await _counts(window, "source_ip", 10)
    blocked = await decisions.blocked_set([ip for ip, _ in sources])
    paths = await _counts(window.exclude(path=""), "path", 10)
    hourly = dict(await _counts(window, "hour"))
    total, prev_total = sum(by_type.values()), sum(prev_type.values())
    first_hour = int(since.timestamp()) // 3600
    last_hour = int(now.timestamp()) // 3600
    return ThreatStatistics.model_validate(
        {
            "scope": scope_name(principal),
            "hours": hours,
            "period_start": since,
            "period_end": now,
            "total_events": total,
            "previous_total_events": prev_total,
            "change_percent": _change(total, prev_total),
            "unique_sources": await unique_sources(window),
            "by_type": [
                {
                    "event_type": t,
                    "count": by_type.get(t, 0),
                    "previous_count": prev_type.get(t, 0),
                    "change_percent": _change(by_type.get(t, 0), prev_type.get(t, 0)),
                }
                for t in sorted(set(by_type) | set(prev_type), key=lambda t: (-by_type.get(t, 0), t))
            ],
            "by_level": {level: by_level.get(level, 0) for level in THREAT_LEVELS},
            "top_sources": [{"source_ip": ip, "count": n, "blocked": ip in blocked} for ip, n in sources],
            "top_paths": [{"path": p, "count": n} for p, n in paths],
            "time_buckets": [
                {"start": datetime.fromtimestamp(h * 3600, UTC), "count": hourly.get(h, 0)}
                for h in range(first_hour, last_hour + 1)
            ],
        }
    )


async def high_level_count(minutes: int) -> int:
    """Platform-wide high and critical events of the last ``minutes`` (the alert check's measure)."""
    since = datetime.fromtimestamp(time.time() - minutes * 60, UTC)
    return await SecurityEvent.filter(occurred_at__gte=since, threat_level__in=["high", "critical"]).count()
