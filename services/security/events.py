"""Stored security events: the ingest writer for kind ``security`` and every read over them.

Who sees what: an organization admin sees the events that concern its organization (requests
made with one of its credentials); a superuser sees the platform (every event, anonymous
ones included).  Members get a 403.  Reads filter on ``occurred_at`` first, with indexes per
organization, address, type and level matching the filters.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.security import SecurityEvent, SecurityRollup
from services.core.config import get_settings
from services.identity import Principal, Role, require_admin
from services.security.addresses import require_ip
from services.security.classify import EVENT_TYPES, PATH_MAX, THREAT_LEVELS, UA_MAX, clean
from services.security.schemas import EventList, SecurityEventInfo, ThreatStatistics

MAX_LIMIT = 1000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def hour_of(at: datetime) -> int:
    """The epoch hour ``at`` falls in: an event's ``hour``, its rollup's key, its statistics bucket
    (exact: no float)."""
    return (at - EPOCH) // HOUR


def hour_start(hour: int) -> datetime:
    return EPOCH + hour * HOUR


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
        hour=hour_of(occurred),
    )


async def write_events(events: list[tuple[int | None, int | None, dict[str, Any]]]) -> int:
    """(organization id, user id, payload) -> number newly stored; idempotent by ``event_id``.

    Raises on a payload it cannot store, so the drain isolates and dead-letters that one.
    """
    rows = [_row(org, user, e) for org, user, e in events]
    if not rows:
        return 0
    async with in_transaction() as conn:
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
            await _add_to_rollups(fresh, conn)
    return len(fresh)


# The rollup rows' facets and the event column each counts (``SecurityRollup``)
FACETS = {"type": "event_type", "level": "threat_level", "path": "path"}
# Every rollup row from the stored events at once: for an operator after editing events by hand,
# and for benchmarks that seed events in bulk.  (Migration 23 ran the same SELECT once.)
_REBUILD = """
INSERT INTO security_rollups (organization_id, hour, facet, value, events)
SELECT COALESCE(organization_id, 0), hour, 'type', event_type, count(*) FROM security_events GROUP BY 1, 2, 4
UNION ALL
SELECT COALESCE(organization_id, 0), hour, 'level', threat_level, count(*) FROM security_events GROUP BY 1, 2, 4
UNION ALL
SELECT COALESCE(organization_id, 0), hour, 'path', path, count(*) FROM security_events WHERE path <> '' GROUP BY 1, 2, 4
"""
_ADD_PG = """
INSERT INTO security_rollups (organization_id, hour, facet, value, events)
SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::bigint[])
ON CONFLICT (organization_id, facet, hour, value) DO UPDATE SET events = security_rollups.events + EXCLUDED.events
"""
_ADD_SQLITE = """
INSERT INTO security_rollups (organization_id, hour, facet, value, events) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (organization_id, facet, hour, value) DO UPDATE SET events = security_rollups.events + excluded.events
"""


async def rebuild_rollups() -> int:
    """Replace every rollup row with counts of the stored events (one transaction); returns the rows."""
    async with in_transaction() as conn:
        await SecurityRollup.all().using_db(conn).delete()
        await conn.execute_script(_REBUILD)
        return await SecurityRollup.all().using_db(conn).count()


async def _add_to_rollups(rows: list[SecurityEvent], conn: Any) -> None:
    """Count the stored rows into their hours' rollup rows, in the transaction that stored them.

    Keys in one order, so two drain lanes adding to the same rows wait for each other, never deadlock.
    """
    counts: Counter[tuple[int, int, str, str]] = Counter()
    for r in rows:
        org = r.organization_id or 0
        for facet, column in FACETS.items():
            value = getattr(r, column)
            if value:
                counts[(org, r.hour, facet, value)] += 1
    keys = sorted(counts)
    if get_settings().is_postgres:
        columns = [list(c) for c in zip(*keys, strict=True)]
        await conn.execute_query(_ADD_PG, [*columns, [counts[k] for k in keys]])
    else:
        await conn.execute_many(_ADD_SQLITE, [[*k, counts[k]] for k in keys])


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


@dataclass(frozen=True)
class _Span:
    """A time range read as whole rollup hours ``[first, last)`` (``last`` None: open) plus raw edges."""

    first: int
    last: int | None
    raw: list[tuple[datetime, datetime | None]]

    @classmethod
    def of(cls, lo: datetime, hi: datetime | None) -> _Span:
        first = -(-(lo - EPOCH) // HOUR)  # the first hour starting at or after lo
        edge = hour_start(first)
        raw: list[tuple[datetime, datetime | None]] = [(lo, edge)] if lo < edge else []
        if hi is None:
            return cls(first, None, raw)
        last = hour_of(hi)  # rolled up only if hi is its start
        if last < first:  # within one hour
            return cls(first, first, [(lo, hi)])
        start = hour_start(last)
        if start < hi:
            raw.append((start, hi))
        return cls(first, last, raw)

    def rolled(self, principal: Principal, facet: str) -> QuerySet[SecurityRollup]:
        qs = SecurityRollup.filter(facet=facet, hour__gte=self.first)
        if self.last is not None:
            qs = qs.filter(hour__lt=self.last)
        if not principal.has_role(Role.SUPERUSER):
            qs = qs.filter(organization_id=principal.organization_id)
        return qs

    def events(self, principal: Principal) -> list[QuerySet[SecurityEvent]]:
        out = []
        for lo, hi in self.raw:
            qs = scoped(principal).filter(occurred_at__gte=lo)
            out.append(qs if hi is None else qs.filter(occurred_at__lt=hi))
        return out


async def _facet(principal: Principal, span: _Span, facet: str) -> Counter[Any]:
    """Events of ``span`` per value of ``facet``: rollup rows plus the raw edges."""
    rolled = span.rolled(principal, facet).annotate(n=Sum("events")).group_by("value").values_list("value", "n")
    counts: Counter[Any] = Counter({value: int(n) for value, n in await rolled})
    column = FACETS[facet]
    for qs in span.events(principal):
        for value, n in await _counts(qs.exclude(path="") if column == "path" else qs, column):
            counts[value] += n
    return counts


async def _facet_by_hour(principal: Principal, span: _Span, facet: str) -> Counter[tuple[Any, int]]:
    """Events of ``span`` per (value of ``facet``, hour): both :func:`_facet` answers in one read."""
    rolled = span.rolled(principal, facet).annotate(n=Sum("events")).group_by("value", "hour")
    counts: Counter[tuple[Any, int]] = Counter(
        {(value, hour): int(n) for value, hour, n in await rolled.values_list("value", "hour", "n")}
    )
    column = FACETS[facet]
    for qs in span.events(principal):
        rows = await qs.annotate(n=Count("id")).group_by(column, "hour").values(column, "hour", "n")
        for row in rows:
            counts[(row[column], row["hour"])] += int(row["n"])
    return counts


# The window's busiest addresses and how many there are, in one pass: an index-only scan of
# (organization_id, occurred_at, source_ip) or (occurred_at, source_ip) and one hash aggregate.
_SOURCES_PG = """
SELECT source_ip, n, count(*) OVER () FROM (
    SELECT source_ip, count(*) AS n FROM security_events WHERE occurred_at >= $1 {org} GROUP BY 1
) AS s ORDER BY n DESC, source_ip LIMIT $2
"""


async def _sources(principal: Principal, since: datetime, limit: int) -> tuple[list[tuple[str, int]], int]:
    """The top ``limit`` source addresses of ``[since, ...)`` with their events, and the distinct addresses."""
    window = scoped(principal).filter(occurred_at__gte=since)
    if not get_settings().is_postgres:
        return await _counts(window, "source_ip", limit), await unique_sources(window)
    args: list[Any] = [since, limit]
    org = ""
    if not principal.has_role(Role.SUPERUSER):
        org, args = "AND organization_id = $3", [*args, principal.organization_id]
    _, rows = await connections.get("default").execute_query(_SOURCES_PG.format(org=org), args)
    return [(r[0], int(r[1])) for r in rows], int(rows[0][2]) if rows else 0


def _top(counts: Counter[Any], limit: int) -> list[tuple[Any, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


async def statistics(principal: Principal, hours: int) -> ThreatStatistics:
    """Counts by type and level, top sources and paths, hourly buckets, change against the previous window.

    Types, levels, paths and hours come from the hourly rollups (``SecurityRollup``) and the raw
    events of the windows' partial first and last hours, so they equal the raw rows; a 720-hour
    window over 5M events took seven scans of its events before (6.7 s in
    ``bench/security_statistics.py``).  Sources are read from the events, in one index-only scan.
    """
    from services.security import decisions

    principal = require_admin(principal)
    now = datetime.now(UTC)
    since, before = now - timedelta(hours=hours), now - timedelta(hours=2 * hours)
    current, previous = _Span.of(since, None), _Span.of(before, since)
    # independent reads, side by side (each on its own pooled connection on PostgreSQL)
    by_type, prev_type, levels, path_counts, (sources, unique) = await asyncio.gather(
        _facet(principal, current, "type"),
        _facet(principal, previous, "type"),
        _facet_by_hour(principal, current, "level"),
        _facet(principal, current, "path"),
        _sources(principal, since, 10),
    )
    by_level: Counter[Any] = Counter()
    hourly: Counter[int] = Counter()
    for (level, hour), n in levels.items():
        by_level[level] += n
        hourly[hour] += n
    paths = _top(path_counts, 10)
    blocked = await decisions.blocked_set([ip for ip, _ in sources])
    total, prev_total = sum(by_type.values()), sum(prev_type.values())
    first_hour, last_hour = hour_of(since), hour_of(now)
    return ThreatStatistics.model_validate(
        {
            "scope": scope_name(principal),
            "hours": hours,
            "period_start": since,
            "period_end": now,
            "total_events": total,
            "previous_total_events": prev_total,
            "change_percent": _change(total, prev_total),
            "unique_sources": unique,
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
                {"start": hour_start(h), "count": hourly.get(h, 0)} for h in range(first_hour, last_hour + 1)
            ],
        }
    )


async def high_level_count(minutes: int) -> int:
    """Platform-wide high and critical events of the last ``minutes`` (the alert check's measure)."""
    since = datetime.fromtimestamp(time.time() - minutes * 60, UTC)
    return await SecurityEvent.filter(occurred_at__gte=since, threat_level__in=["high", "critical"]).count()
