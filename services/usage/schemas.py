"""Inputs and results of the usage domain (pydantic), shared by REST, GraphQL and jobs.

Usage event field names: plain snake_case names are canonical (``input_tokens``, ``model``, ...);
the OpenTelemetry GenAI semantic-convention attribute names are accepted as aliases where the
conventions define one (``gen_ai.usage.input_tokens``, ``gen_ai.usage.output_tokens``,
``gen_ai.request.model``/``gen_ai.response.model``, ``gen_ai.provider.name``/``gen_ai.system``,
``gen_ai.response.id``), plus the conventions' proposed cache and reasoning attributes.

Token accounting follows the conventions (and OpenAI's usage object): ``input_tokens`` counts all
input tokens *including* the ``cached_tokens`` read from a prompt cache, and ``output_tokens``
includes the ``reasoning_tokens``.  So cached tokens are priced at the cache-read price instead of
the input price, and reasoning tokens at the reasoning price when a model has one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from services.core.dates import check_event_time
from services.core.pagination import Page
from services.core.validation import SINGLE_LINE

ResourceType = Literal["llm_tokens", "api_credits", "storage", "mcp"]
RESOURCE_TYPES: tuple[str, ...] = ("llm_tokens", "api_credits", "storage", "mcp")
UNITS = {"llm_tokens": "tokens", "api_credits": "credits", "storage": "GB", "mcp": "calls"}
Status = Literal["success", "error", "cancelled"]
MAX_TOKENS = 10**12  # per event; far above any real call, far below BIGINT

Tokens = Annotated[int, Field(ge=0, le=MAX_TOKENS)]
Name = Annotated[str, Field(max_length=200, pattern=SINGLE_LINE)]


def _alias(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class UsageEventInput(BaseModel):
    """One metered call: LLM tokens, API credits, storage or an MCP call."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    event_id: uuid.UUID | None = Field(default=None, description="Client id; a re-delivery with the same id is a no-op")
    resource_type: ResourceType = Field(default="llm_tokens", description="llm_tokens, api_credits, storage or mcp")
    model: str = Field(
        default="",
        max_length=200,
        pattern=SINGLE_LINE,
        validation_alias=_alias("model", "gen_ai.request.model", "gen_ai.response.model"),
        description="Model name (alias gen_ai.request.model / gen_ai.response.model); required for llm_tokens",
    )
    provider: str = Field(
        default="",
        max_length=100,
        pattern=SINGLE_LINE,
        validation_alias=_alias("provider", "gen_ai.provider.name", "gen_ai.system"),
        description="Provider (alias gen_ai.provider.name / gen_ai.system); default: the price map's provider",
    )
    input_tokens: Tokens = Field(
        default=0,
        validation_alias=_alias("input_tokens", "gen_ai.usage.input_tokens", "prompt_tokens"),
        description="All input tokens incl. cached ones (alias gen_ai.usage.input_tokens)",
    )
    output_tokens: Tokens = Field(
        default=0,
        validation_alias=_alias("output_tokens", "gen_ai.usage.output_tokens", "completion_tokens"),
        description="All output tokens incl. reasoning ones (alias gen_ai.usage.output_tokens)",
    )
    cached_tokens: Tokens = Field(
        default=0,
        validation_alias=_alias(
            "cached_tokens", "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"
        ),
        description="Input tokens read from a prompt cache, part of input_tokens "
        "(alias gen_ai.usage.cache_read.input_tokens)",
    )
    reasoning_tokens: Tokens = Field(
        default=0,
        validation_alias=_alias("reasoning_tokens", "gen_ai.usage.reasoning.output_tokens"),
        description="Reasoning tokens, part of output_tokens (alias gen_ai.usage.reasoning.output_tokens)",
    )
    quantity: float | None = Field(
        default=None,
        ge=0,
        le=1e12,
        allow_inf_nan=False,
        description="Units consumed for api_credits (credits), storage (GB) and mcp (calls; default 1). "
        "For llm_tokens it is always input + output tokens.",
    )
    latency_ms: float | None = Field(default=None, ge=0, le=7 * 86_400_000, allow_inf_nan=False)
    status: Status = "success"
    cost_usd: float | None = Field(
        default=None,
        ge=0,
        le=1_000_000,
        allow_inf_nan=False,
        validation_alias=_alias("cost_usd", "gen_ai.usage.cost"),
        description="The call's cost if the client knows it; else computed from the price in force at its time",
    )
    prompt_id: int | None = Field(default=None, ge=1, le=2_147_483_647, description="One of the caller's prompts")
    version_hash: str | None = Field(default=None, min_length=1, max_length=128, pattern=SINGLE_LINE)
    request_id: str | None = Field(
        default=None,
        max_length=200,
        pattern=SINGLE_LINE,
        validation_alias=_alias("request_id", "gen_ai.response.id"),
        description="The provider's response id (alias gen_ai.response.id)",
    )
    timestamp: datetime | None = Field(
        default=None,
        validation_alias=_alias("timestamp", "time", "occurred_at"),
        description="When the call happened (ISO 8601); default: now",
    )

    @field_validator("timestamp")
    @classmethod
    def _sane_time(cls, value: datetime | None) -> datetime | None:
        return None if value is None else check_event_time(value)

    @model_validator(mode="after")
    def _consistent(self) -> UsageEventInput:
        if self.cached_tokens > self.input_tokens:
            raise ValueError("cached_tokens must not exceed input_tokens (cached tokens are part of the input)")
        if self.reasoning_tokens > self.output_tokens:
            raise ValueError("reasoning_tokens must not exceed output_tokens (reasoning tokens are part of the output)")
        if self.resource_type == "llm_tokens" and not self.model.strip():
            raise ValueError("model is required for llm_tokens events")
        if self.version_hash is not None and self.prompt_id is None:
            raise ValueError("version_hash needs a prompt_id")
        return self


class UsageBatchInput(BaseModel):
    events: list[UsageEventInput] = Field(min_length=1, description="At most INGEST_BATCH_MAX (default 1000) events")


class QueuedEvent(BaseModel):
    event_id: str
    status: Literal["queued"] = "queued"


class QueuedBatch(BaseModel):
    event_ids: list[str]
    queued: int


# --------------------------------------------------------------------------- prices


class PriceInput(BaseModel):
    """An organization's own price for a model (USD per token, LiteLLM's field names)."""

    model_config = ConfigDict(extra="forbid")

    model: Name = Field(min_length=1)
    provider: str = Field(default="", max_length=100, pattern=SINGLE_LINE)
    input_cost_per_token: float = Field(ge=0, le=1, allow_inf_nan=False)
    output_cost_per_token: float = Field(ge=0, le=1, allow_inf_nan=False)
    cache_read_input_token_cost: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    output_cost_per_reasoning_token: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    valid_from: datetime | None = Field(default=None, description="In force from (ISO 8601); default: now")

    @field_validator("valid_from")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if not datetime(2000, 1, 1, tzinfo=UTC) <= value <= datetime(2100, 1, 1, tzinfo=UTC):
            raise ValueError("valid_from must be between 2000 and 2100")
        return value


class PriceInfo(BaseModel):
    id: int | None = Field(description="Set for organization prices; null for the shipped price map")
    model: str
    provider: str
    input_cost_per_token: float
    output_cost_per_token: float
    cache_read_input_token_cost: float | None
    output_cost_per_reasoning_token: float | None
    valid_from: datetime
    valid_until: datetime | None = Field(description="When a later version of the same model takes over")
    source: Literal["organization", "shipped"]


class PriceList(BaseModel):
    items: list[PriceInfo]
    total: int
    price_map_source: str
    price_map_retrieved: str


# --------------------------------------------------------------------------- plans


class PlanInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="custom", min_length=1, max_length=100, pattern=SINGLE_LINE)
    limits: dict[ResourceType, Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)]] = Field(
        default_factory=dict, description="Monthly limit per resource type; a missing type is unlimited"
    )
    monthly_budget_usd: float | None = Field(
        default=None, ge=0.01, le=1e9, allow_inf_nan=False, description="USD per period, kept to the cent"
    )
    period_start_day: int = Field(default=1, ge=1, le=28, description="Day of the month a period starts (1..28)")
    alert_thresholds: list[Annotated[int, Field(ge=1, le=1000)]] = Field(
        default_factory=lambda: [80, 95, 100], max_length=10, description="Budget percentages that notify"
    )
    notification_channel_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] | None = Field(
        default=None, max_length=50, description="Channels to notify; null: every enabled channel of the organization"
    )


class PlanInfo(BaseModel):
    name: str
    limits: dict[str, float]
    monthly_budget_usd: float | None
    period_start_day: int
    alert_thresholds: list[int]
    notification_channel_ids: list[int] | None
    configured: bool = Field(description="False: no plan is set, these are the defaults (no limits, no budget)")
    current_period_start: date
    current_period_end: date


# --------------------------------------------------------------------------- reports


class Progress(BaseModel):
    value: float
    max: float | None
    percent: float | None = Field(description="used / limit in percent, unclamped")
    bar_percent: float = Field(description="The bar's fill, clamped to 0..100")
    color: Literal["green", "yellow", "orange", "red", "gray"]
    label: str


class ResourceUsage(BaseModel):
    resource_type: str
    unit: str
    used: float
    limit: float | None
    remaining: float | None
    percent: float | None
    status: Literal["ok", "warning", "critical", "exceeded", "unlimited"]
    requests: int
    cost_usd: float
    progress: Progress


class BudgetStatus(BaseModel):
    budget_usd: float | None
    spent_usd: float
    remaining_usd: float | None
    percent: float | None
    status: Literal["ok", "warning", "critical", "exceeded", "unlimited"]
    progress: Progress


class UsageTotals(BaseModel):
    requests: int
    errors: int
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    reasoning_tokens: int
    cost_usd: float


class UsageAggregate(BaseModel):
    period: str
    period_start: datetime | None
    period_end: datetime
    plan_name: str
    resources: list[ResourceUsage]
    totals: UsageTotals
    budget: BudgetStatus
    thresholds: list[int]
    generated_at: datetime


class ModelCost(BaseModel):
    model: str
    provider: str
    requests: int
    errors: int
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    reasoning_tokens: int
    cost_usd: float
    share_percent: float
    latency_avg_ms: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None


class ProviderCost(BaseModel):
    provider: str
    requests: int
    cost_usd: float
    share_percent: float


class DayCost(BaseModel):
    date: date
    requests: int
    cost_usd: float


class UserCost(BaseModel):
    user_id: int | None
    requests: int
    cost_usd: float
    share_percent: float


class PromptCost(BaseModel):
    prompt_id: int
    version_hash: str | None
    requests: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    share_percent: float


class Projection(BaseModel):
    method: str
    days_elapsed: float
    days_remaining: float
    daily_rate_usd: float = Field(description="Mean daily cost over the last (up to) 7 days")
    trend_usd_per_day: float = Field(description="Least-squares slope of the daily costs (change per day)")
    projected_total_usd: float
    budget_usd: float | None
    projected_percent_of_budget: float | None
    projected_status: Literal["ok", "warning", "critical", "exceeded", "unlimited"]
    budget_exhausted_on: date | None = Field(description="The day the projection crosses the budget, if it does")


class UsageCosts(BaseModel):
    period: str
    period_start: datetime
    period_end: datetime
    currency: Literal["USD"] = "USD"
    total_usd: float
    requests: int
    by_model: list[ModelCost]
    by_provider: list[ProviderCost]
    by_day: list[DayCost]
    by_user: list[UserCost]
    by_prompt: list[PromptCost]
    projection: Projection
    generated_at: datetime


class UsageRecord(BaseModel):
    event_id: str
    resource_type: str
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    reasoning_tokens: int
    quantity: float
    latency_ms: float | None
    status: str
    cost_usd: float
    cost_source: str
    user_id: int | None
    api_key_id: int | None
    prompt_id: int | None
    version_hash: str | None
    request_id: str | None
    occurred_at: datetime


class UsageLogs(BaseModel):
    items: list[UsageRecord]
    count: int
    days: int
    resource_type: str
    limit: int
    truncated: bool = Field(description="More events matched than the limit")


class RequestPage(Page[UsageRecord]):
    scope: Literal["self", "organization"]


class PromptVersionCost(BaseModel):
    prompt_id: int
    version_hash: str
    requests: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    avg_cost_usd: float | None


# --------------------------------------------------------------------------- operations


class CacheStats(BaseModel):
    name: str
    description: str
    hits: int
    misses: int
    ratio: float | None = Field(description="hits / (hits + misses); null before the first lookup")
    size: int
    capacity: int | None
    evictions: int


class ProcessCaches(BaseModel):
    process: str
    reported_at: datetime
    caches: list[CacheStats]


class CacheMetrics(BaseModel):
    processes: list[ProcessCaches]
    totals: list[CacheStats]
    not_instrumented: list[str] = Field(description="Caches of the service that do not count hits yet")


class VersionInfo(BaseModel):
    package: str
    version: str
    git_commit: str | None
    started_at: datetime
    uptime_seconds: float
    environment: str
    database: str
    applied_migrations: list[str]


class RawAggregate(BaseModel):
    organization_id: int
    period: str
    period_start: datetime | None
    raw: list[dict[str, float | int | str]] = Field(description="Per resource type, summed from raw events")
    rollups: list[dict[str, float | int | str]] = Field(description="The same sums as the rollup reader answers")
    matches: bool
    dirty_hours: int
    elapsed_raw_ms: float
    elapsed_rollups_ms: float


# --------------------------------------------------------------------------- public profiles

Username = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]


class ProfileInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    display_name: str = Field(min_length=1, max_length=100, pattern=SINGLE_LINE)
    partner_status: Literal["none", "affiliate", "partner"] = "none"
    published: bool = False


class ProfileInfo(BaseModel):
    username: str
    display_name: str
    partner_status: str
    published: bool
    sessions: int
    created_at: datetime
    updated_at: datetime


class SessionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    started_at: datetime
    duration_seconds: int = Field(ge=1, le=7 * 86_400)
    views: int = Field(default=0, ge=0, le=2_000_000_000)
    followers_gained: int = Field(default=0, ge=0, le=2_000_000_000)
    average_viewers: float = Field(default=0, ge=0, le=1e9, allow_inf_nan=False)
    peak_viewers: int = Field(default=0, ge=0, le=2_000_000_000)
    category: str = Field(default="", max_length=100, pattern=SINGLE_LINE)

    @field_validator("started_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return check_event_time(value)

    @model_validator(mode="after")
    def _peak(self) -> SessionInput:
        if self.peak_viewers < self.average_viewers:
            raise ValueError("peak_viewers must be at least average_viewers")
        return self


class SessionInfo(BaseModel):
    id: int
    started_at: datetime
    duration_seconds: int
    views: int
    followers_gained: int
    average_viewers: float
    peak_viewers: int
    category: str


class PublicAnalytics(BaseModel):
    username: str
    display_name: str
    partner_status: Literal["none", "affiliate", "partner"]
    is_partner: bool
    is_affiliate: bool
    total_views: int
    total_followers: int
    average_concurrent_viewers: float | None = Field(description="Duration-weighted mean of the sessions' averages")
    peak_concurrent_viewers: int
    total_stream_hours: float
    streams: int
    most_popular_category: str | None = Field(description="The category with the most stream hours")
    last_stream_at: datetime | None
