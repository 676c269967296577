"""Shapes of what the security services answer (``/v1/security/*`` and the GraphQL types).

Each model is what a service function returns; the REST routes send its ``model_dump(mode="json")``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field

ThreatLevel = Literal["low", "medium", "high", "critical"]


class SecurityEventFields(BaseModel):
    """An event as recorded, also as the ``securityEvents`` subscription publishes it (before it has
    a row id): ``status`` and ``occurred_at`` are the recorder's names for two of the fields."""

    event_id: str
    event_type: str
    threat_level: str
    source_ip: str
    method: str
    path: str
    status_code: int | None = Field(validation_alias=AliasChoices("status_code", "status"))
    organization_id: int | None
    user_id: int | None
    user_agent: str | None
    detail: dict[str, Any] | None
    timestamp: datetime = Field(validation_alias=AliasChoices("timestamp", "occurred_at"))


class _RowId(BaseModel):
    id: int


# A stored event: its row id first, as REST has always sent it (the last base's fields come first).
class SecurityEventInfo(SecurityEventFields, _RowId):
    pass


class EventList(BaseModel):
    events: list[SecurityEventInfo]
    count: int
    limit: int
    hours: int
    scope: str = Field(description="platform (superuser) or organization (admin)")


class Decision(BaseModel):
    ip_address: str
    scope: str = Field(description="What the decision covers: 'ip' (one address)")
    type: str = Field(description="'ban': requests get a 403 before any other work")
    source: Literal["automatic", "manual"]
    reason: str
    scenario: str | None = Field(description="The scenario whose bucket overflowed (automatic decisions)")
    blocked_at: datetime
    expires_at: datetime
    duration_seconds: int
    remaining_seconds: int
    offence: int = Field(description="Automatic bans of this address within the repeat window, this one included")
    blocked_by: int | None = Field(description="User id of the operator (manual decisions)")
    hits_while_blocked: int


class BlockedList(BaseModel):
    blocked_ips: list[Decision]
    total: int
    automatic: int
    manual: int


class Unblocked(BaseModel):
    ip_address: str
    unblocked: bool
    decision: Decision


class Cleared(BaseModel):
    cleared: int
    cleared_at: datetime


class Switch(BaseModel):
    monitoring_enabled: bool
    previously_enabled: bool
    changed_at: datetime
    changed_by: int
    decisions_enforced: bool = Field(description="Decisions in force stay enforced while monitoring is stopped")


class ScenarioInfo(BaseModel):
    name: str
    capacity: int
    leak_seconds: float
    distinct_paths: bool
    description: str


class BanPolicy(BaseModel):
    base_seconds: float
    factor: float
    max_seconds: float
    repeat_window_seconds: float
    manual_default_seconds: float


class EventTypeInfo(BaseModel):
    event_type: str
    threat_level: str
    description: str


class Configuration(BaseModel):
    monitoring_enabled: bool
    monitoring_changed_at: datetime | None
    scenarios: list[ScenarioInfo]
    ban: BanPolicy
    allowlist: list[str]
    trusted_proxies: list[str]
    exempt_paths: list[str]
    event_types: list[EventTypeInfo]
    level_weights: dict[str, float]
    reputation_half_life_hours: float
    cache_seconds: float
    flush_seconds: float
    buffer_max: int
    alert_high_events: int
    alert_window_minutes: int


class ProbeResult(BaseModel):
    name: str
    status: Literal["healthy", "unhealthy"]
    latency_ms: float | None
    error: str | None


class RecorderState(BaseModel):
    buffered: int
    buffer_max: int
    last_flush_age_seconds: float | None
    last_error: str | None
    dropped_total: int


class QueueState(BaseModel):
    stream_length: int
    pending: int
    dead_letter: int
    dead_letters_recent: int
    oldest_entry_age_seconds: float | None


class DetectionState(BaseModel):
    last_run_age_seconds: float | None


class EnforcementState(BaseModel):
    cached_decisions: int
    cache_seconds: float
    refresh_error: str | None


class SecurityHealth(BaseModel):
    status: Literal["healthy", "degraded", "unhealthy"]
    monitoring_enabled: bool | None
    checks: list[ProbeResult]
    recorder: RecorderState
    queue: QueueState | None
    detection: DetectionState
    enforcement: EnforcementState
    issues: list[str]
    checked_at: datetime


class Reputation(BaseModel):
    ip_address: str
    score: float
    risk: ThreatLevel
    total_events: int
    events_by_type: dict[str, int]
    first_seen: datetime | None
    last_seen: datetime | None
    blocked: bool


class ReputationList(BaseModel):
    items: list[Reputation]
    count: int
    total_addresses: int
    sort_by: str
    order: str
    half_life_hours: float
    weights: dict[str, float]


class TypeCount(BaseModel):
    event_type: str
    count: int
    previous_count: int
    change_percent: float | None


class SourceCount(BaseModel):
    source_ip: str
    count: int
    blocked: bool


class PathCount(BaseModel):
    path: str
    count: int


class TimeBucket(BaseModel):
    start: datetime
    count: int


class LevelCounts(BaseModel):
    low: int
    medium: int
    high: int
    critical: int


class ThreatStatistics(BaseModel):
    scope: str = Field(description="platform (superuser) or organization (admin)")
    hours: int
    period_start: datetime
    period_end: datetime
    total_events: int
    previous_total_events: int
    change_percent: float | None
    unique_sources: int
    by_type: list[TypeCount]
    by_level: LevelCounts
    top_sources: list[SourceCount]
    top_paths: list[PathCount]
    time_buckets: list[TimeBucket]


class Overview(BaseModel):
    total_events: int
    previous_total_events: int
    change_percent: float | None
    unique_sources: int
    by_level: LevelCounts
    blocked_ips: int | None


class MonitorStatus(BaseModel):
    monitoring_enabled: bool
    changed_at: datetime | None


class SecurityDashboard(BaseModel):
    scope: str = Field(description="platform (superuser) or organization (admin)")
    hours: int
    overview: Overview
    attack_patterns: list[TypeCount]
    top_sources: list[SourceCount]
    top_paths: list[PathCount]
    time_buckets: list[TimeBucket]
    blocked_ips: list[Decision] | None = Field(description="Superusers only (platform-wide)")
    reputation: list[Reputation] | None = Field(description="Superusers only: the ten worst scores")
    recent_events: list[SecurityEventInfo]
    status: MonitorStatus
