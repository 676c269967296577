"""Security monitoring in the graph: events (a connection with filters), blocked addresses,
reputation, threat statistics, block/unblock mutations and a live ``securityEvents`` subscription.

Thin resolvers over the services the REST routes call, with the same role rules: events and
statistics for admins (their organization) and superusers (the platform); blocks, reputation
and the platform-wide stream of events for superusers.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import orjson
import strawberry

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.ids import MAX_INT8
from graphql_schema.pagination import Connection, id_after, id_cursor
from graphql_schema.permissions import IsAdmin, IsSuperuser
from services import security
from services.core.errors import BadRequest
from services.core.redis_client import listen
from services.identity import Role
from services.security import (
    EVENT_TYPES,
    MAX_MANUAL_SECONDS,
    THREAT_LEVELS,
    Decision,
    LevelCounts,
    PathCount,
    Reputation,
    SecurityEventFields,
    SecurityEventInfo,
    SourceCount,
    ThreatStatistics,
    TimeBucket,
    TypeCount,
    channel,
)


@model_type(SecurityEventFields, name="SecurityEvent")
class SecurityEvent:
    id: strawberry.ID
    event_id: strawberry.Private[str]


def event_of(e: dict[str, Any]) -> SecurityEvent:
    """A stored event (``events.list_events``) or a published one; ``id`` is the event's uuid."""
    fields = SecurityEventFields.model_validate({**_UNSET_IN_STREAM, **e})
    return SecurityEvent.from_pydantic(fields, extra={"id": strawberry.ID(fields.event_id)})


def _stored_event(e: SecurityEventInfo) -> SecurityEvent:
    return SecurityEvent.from_pydantic(e, extra={"id": strawberry.ID(e.event_id)})


_UNSET_IN_STREAM = {"organization_id": None, "user_id": None, "user_agent": None, "detail": None}


@model_type(Decision, name="BlockedIp")
class BlockedIp:
    pass


@model_type(Reputation, name="IpReputation")
class IpReputation:
    pass


@model_type(TypeCount)
class ThreatTypeCount:
    pass


@model_type(SourceCount)
class ThreatSource:
    pass


@model_type(PathCount)
class ThreatPath:
    pass


@model_type(TimeBucket)
class ThreatTimeBucket:
    pass


@model_type(LevelCounts)
class ThreatLevelCounts:
    pass


@model_type(ThreatStatistics)
class ThreatStats:
    pass


def _range(field: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise BadRequest.field(field, f"must be between {low} and {high}", "out_of_range")
    return value


def _choice(field: str, value: str | None, allowed: Any) -> str | None:
    if value is not None and value not in allowed:
        raise BadRequest.field(field, f"must be one of {', '.join(allowed)}", "enum")
    return value


@strawberry.type
class SecurityQuery:
    @strawberry.field(
        permission_classes=[IsAdmin],
        description="Newest first: the organization's events (admin) or the platform's (superuser)",
    )
    async def security_events(
        self,
        info: Info,
        hours: int = 24,
        event_type: str | None = None,
        threat_level: str | None = None,
        source_ip: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[SecurityEvent]:
        _range("hours", hours, 1, 720)
        _range("first", first, 1, 500)
        _choice("eventType", event_type, EVENT_TYPES)
        _choice("threatLevel", threat_level, THREAT_LEVELS)
        rows = await security.list_events(
            info.context.user, hours, event_type, threat_level, source_ip, first + 1, id_after(after, "sec", MAX_INT8)
        )
        page = rows.events[:first]
        pairs = [(id_cursor("sec", e.id), _stored_event(e)) for e in page]
        return Connection.of(pairs, has_next=rows.count > first, has_previous=after is not None)

    @strawberry.field(permission_classes=[IsSuperuser], description="Decisions in force (platform-wide)")
    async def blocked_ips(self, info: Info) -> list[BlockedIp]:
        data = await security.list_blocked(info.context.user)
        return [BlockedIp.from_pydantic(d) for d in data.blocked_ips]

    @strawberry.field(permission_classes=[IsSuperuser], description="Addresses by decaying threat score")
    async def ip_reputation(
        self, info: Info, limit: int = 50, sort_by: str = "score", order: str = "desc"
    ) -> list[IpReputation]:
        _range("limit", limit, 1, 500)
        _choice("sortBy", sort_by, ("score", "events", "last_seen"))
        _choice("order", order, ("asc", "desc"))
        data = await security.ranking(info.context.user, limit, sort_by, order)  # type: ignore[arg-type]
        return [IpReputation.from_pydantic(r) for r in data.items]

    @strawberry.field(permission_classes=[IsAdmin], description="Counts by type/level, top sources and paths")
    async def threat_statistics(self, info: Info, hours: int = 24) -> ThreatStats:
        _range("hours", hours, 1, 720)
        return ThreatStats.from_pydantic(await security.statistics(info.context.user, hours))


@strawberry.type
class SecurityMutation:
    @strawberry.mutation(permission_classes=[IsSuperuser], description="A manual decision for an address")
    async def block_ip(
        self, info: Info, ip_address: str, duration_seconds: int | None = None, reason: str | None = None
    ) -> BlockedIp:
        if duration_seconds is not None:
            _range("durationSeconds", duration_seconds, 60, MAX_MANUAL_SECONDS)
        if reason is not None and (len(reason) > 200 or "\n" in reason or "\r" in reason):
            raise BadRequest.field("reason", "must be one line of at most 200 characters")
        return BlockedIp.from_pydantic(await security.block(info.context.user, ip_address, duration_seconds, reason))

    @strawberry.mutation(permission_classes=[IsSuperuser], description="Lift the decision in force (404 if none)")
    async def unblock_ip(self, info: Info, ip_address: str, reason: str | None = None) -> BlockedIp:
        if reason is not None and (len(reason) > 200 or "\n" in reason or "\r" in reason):
            raise BadRequest.field("reason", "must be one line of at most 200 characters")
        done = await security.unblock(info.context.user, ip_address, reason)
        return BlockedIp.from_pydantic(done.decision)


@strawberry.type
class SecuritySubscription:
    @strawberry.subscription(
        permission_classes=[IsAdmin],
        description="Security events as they are recorded: the organization's (admin) or all (superuser)",
    )
    async def security_events(
        self, info: Info, event_types: list[str] | None = None, min_level: str | None = None
    ) -> AsyncGenerator[SecurityEvent, None]:
        principal = info.context.user
        wanted = set(event_types) if event_types else None
        if wanted is not None and not wanted <= set(EVENT_TYPES):
            raise BadRequest.field("eventTypes", f"must be among {', '.join(EVENT_TYPES)}")
        _choice("minLevel", min_level, THREAT_LEVELS)
        floor = THREAT_LEVELS.index(min_level) if min_level else 0
        platform = principal.has_role(Role.SUPERUSER)
        role = Role.SUPERUSER if platform else Role.ADMIN
        source = channel(None if platform else principal.organization_id)
        async for data in listen(source, still_allowed=lambda: info.context.recheck(role)):
            for item in orjson.loads(data):
                if wanted is not None and item["event_type"] not in wanted:
                    continue
                if THREAT_LEVELS.index(item["threat_level"]) < floor:
                    continue
                yield event_of(item)
