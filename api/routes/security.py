"""DevOps security monitoring (seed 003, ``/v1/security/*``).

Events, statistics and the dashboard: an organization admin sees its organization's events,
a superuser the platform's.  Blocked addresses, reputation, configuration, health and every
change (block, unblock, clear, start, stop) are platform-wide: superuser.  Members: 403.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.routing import Call, Ok, Router
from services import security
from services.identity import Role
from services.security import (
    EVENT_TYPES,
    MAX_MANUAL_SECONDS,
    THREAT_LEVELS,
    BlockedList,
    Cleared,
    Configuration,
    Decision,
    EventList,
    ReputationList,
    SecurityDashboard,
    SecurityHealth,
    Switch,
    ThreatStatistics,
    Unblocked,
)

router = Router("DevOps Security Monitoring")
ADMIN = {"role": Role.ADMIN}
SUPERUSER = {"role": Role.SUPERUSER}
EventType = Literal[
    "failed_login",
    "invalid_token",
    "forbidden",
    "rate_limited",
    "payload_too_large",
    "bad_request_burst",
    "path_scan",
    "probe_path",
    "injection_attempt",
    "graphql_limit",
    "ip_blocked",
    "ip_unblocked",
]
ThreatLevel = Literal["low", "medium", "high", "critical"]
assert set(get_args(EventType)) == set(EVENT_TYPES) and get_args(ThreatLevel) == THREAT_LEVELS  # one list


class IpPath(BaseModel):
    ip_address: str = Field(max_length=64, description="An IPv4 or IPv6 address (malformed: 400)")


class HoursQuery(BaseModel):
    hours: int = Field(default=24, ge=1, le=720, description="Hours of data (1-720, default 24)")


class EventsQuery(BaseModel):
    hours: int = Field(default=24, ge=1, le=720, description="Hours of event history (1-720, default 24)")
    event_type: EventType | None = Field(default=None, description="Filter by event type")
    threat_level: ThreatLevel | None = Field(default=None, description="Filter by threat level")
    source_ip: str | None = Field(default=None, max_length=64, description="Filter by source IP (IPv4 or IPv6)")
    limit: int = Field(default=100, ge=1, le=security.MAX_LIMIT, description=f"1-{security.MAX_LIMIT}, default 100")


class ReputationQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=500, description="Number of IPs to return (1-500, default 50)")
    sort_by: Literal["score", "events", "last_seen"] = Field(default="score", description="Ranking key")
    order: Literal["asc", "desc"] = Field(default="desc")


def _one_line(value: str | None) -> str | None:
    if value is not None and any(c in value for c in "\r\n"):
        raise ValueError("must be one line")
    return value


class BlockBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    duration_seconds: int | None = Field(
        default=None,
        ge=60,
        le=MAX_MANUAL_SECONDS,
        description="Default SECURITY_MANUAL_BAN_SECONDS (86400); at most 366 days",
    )
    reason: str | None = Field(default=None, max_length=200)

    _line = field_validator("reason")(_one_line)


class UnblockBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: str | None = Field(default=None, max_length=200)

    _line = field_validator("reason")(_one_line)


class EmptyBody(BaseModel):
    model_config = ConfigDict(extra="ignore")


@router.get(
    "/v1/security/blocked-ips",
    summary="Get Blocked Ips",
    response_model=BlockedList,
    description="Every decision in force: address, reason, source (manual/automatic), since, expiry and requests "
    "refused while blocked. Superuser.",
    **SUPERUSER,
)
async def get_blocked_ips(call: Call[None, None]) -> Ok:
    return Ok(await security.list_blocked(call.user), "Blocked IPs retrieved successfully")


@router.post(
    "/v1/security/blocked-ips/clear-all",
    summary="Clear All Blocked Ips",
    body_model=EmptyBody,
    body_required=False,
    response_model=Cleared,
    description="Lifts every decision (repeat-offence counts are kept); every process enforces it within "
    "SECURITY_CACHE_SECONDS. Superuser.",
    **SUPERUSER,
)
async def clear_all_blocked_ips(call: Call[None, EmptyBody]) -> Ok:
    data = await security.clear_all(call.user)
    return Ok(data, f"Cleared {data.cleared} blocked IPs")


@router.post(
    "/v1/security/blocked-ips/{ip_address}/block",
    summary="Block Ip Address",
    path_model=IpPath,
    body_model=BlockBody,
    body_required=False,
    response_model=Decision,
    responses={409: "The address is on the allow list"},
    description="A manual decision for the address (replacing one in force), for duration_seconds (default "
    "SECURITY_MANUAL_BAN_SECONDS) with an optional reason. Superuser.",
    **SUPERUSER,
)
async def block_ip_address(call: Call[None, BlockBody]) -> Ok:
    b = call.body
    data = await security.block(call.user, call.path.ip_address, b.duration_seconds, b.reason)
    return Ok(data, f"IP {data.ip_address} blocked")


@router.post(
    "/v1/security/blocked-ips/{ip_address}/unblock",
    summary="Unblock Ip Address",
    path_model=IpPath,
    body_model=UnblockBody,
    body_required=False,
    response_model=Unblocked,
    responses={404: "The address is not blocked"},
    description="Lifts the decision in force; every process stops refusing the address within "
    "SECURITY_CACHE_SECONDS. Superuser.",
    **SUPERUSER,
)
async def unblock_ip_address(call: Call[None, UnblockBody]) -> Ok:
    data = await security.unblock(call.user, call.path.ip_address, call.body.reason)
    return Ok(data, f"IP {data.ip_address} unblocked")


@router.get(
    "/v1/security/configuration",
    summary="Get Security Configuration",
    response_model=Configuration,
    description="Scenarios (leaky buckets), ban durations, allow list, trusted proxies, whether monitoring runs.",
    **SUPERUSER,
)
async def get_security_configuration(call: Call[None, None]) -> Ok:
    return Ok(await security.configuration(call.user), "Security configuration retrieved successfully")


@router.get(
    "/v1/security/dashboard",
    summary="Get Security Dashboard",
    query_model=HoursQuery,
    response_model=SecurityDashboard,
    description="Statistics, top sources and patterns, recent events; blocked IPs and reputation for superusers. "
    "Admins see their organization's events.",
    **ADMIN,
)
async def get_security_dashboard(call: Call[HoursQuery, None]) -> Ok:
    return Ok(await security.dashboard(call.user, call.query.hours), "Security dashboard retrieved successfully")


@router.get(
    "/v1/security/events",
    summary="Get Security Events",
    query_model=EventsQuery,
    response_model=EventList,
    description="Newest first. Admins see their organization's events, superusers every event.",
    **ADMIN,
)
async def get_security_events(call: Call[EventsQuery, None]) -> Ok:
    q = call.query
    data = await security.list_events(call.user, q.hours, q.event_type, q.threat_level, q.source_ip, q.limit)
    return Ok(data, "Security events retrieved successfully")


@router.get(
    "/v1/security/health-check",
    summary="Security Monitoring Health Check",
    response_model=SecurityHealth,
    description="Probes Redis and the database, the recorder's buffer and the shared queue, the last detection "
    "run and the enforcement cache. Superuser.",
    **SUPERUSER,
)
async def security_health_check(call: Call[None, None]) -> Ok:
    return Ok(await security.health(call.user), "Security health retrieved successfully")


@router.get(
    "/v1/security/ip-reputation",
    summary="Get Ip Reputation",
    query_model=ReputationQuery,
    response_model=ReputationList,
    description="Decaying score from weighted events (half-life SECURITY_REPUTATION_HALF_LIFE_HOURS), counts by "
    "type, first and last seen, blocked. Superuser.",
    **SUPERUSER,
)
async def get_ip_reputation(call: Call[ReputationQuery, None]) -> Ok:
    q = call.query
    return Ok(await security.ranking(call.user, q.limit, q.sort_by, q.order), "IP reputation retrieved successfully")


@router.post(
    "/v1/security/start",
    summary="Start Security Monitoring",
    response_model=Switch,
    description="Detection and recording on, in every process within SECURITY_CACHE_SECONDS. Superuser.",
    **SUPERUSER,
)
async def start_security_monitoring(call: Call[None, None]) -> Ok:
    return Ok(await security.start(call.user), "Security monitoring started")


@router.post(
    "/v1/security/stop",
    summary="Stop Security Monitoring",
    response_model=Switch,
    description="Detection and recording off; decisions in force (manual and automatic) stay enforced until they "
    "expire or are lifted. Superuser.",
    **SUPERUSER,
)
async def stop_security_monitoring(call: Call[None, None]) -> Ok:
    return Ok(await security.stop(call.user), "Security monitoring stopped")


@router.get(
    "/v1/security/threat-statistics",
    summary="Get Threat Statistics",
    query_model=HoursQuery,
    response_model=ThreatStatistics,
    description="By type (with change against the previous window), by level, top sources and paths, hourly "
    "buckets. Admins see their organization's events.",
    **ADMIN,
)
async def get_threat_statistics(call: Call[HoursQuery, None]) -> Ok:
    return Ok(await security.statistics(call.user, call.query.hours), "Threat statistics retrieved successfully")
