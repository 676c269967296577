"""AI usage and costs (seed 003's Public API): the ``/v1/public/ai-usage/*`` reads, the public user
analytics, and the ``/api/v1/usage/*`` routes the product needs around them (ingest, prices, plan,
public profile).

Roles: every member reads its organization's aggregate and costs and its own logs, requests and
export; admins widen requests and export to the organization, set the plan and organization prices.
The cache metrics and the two debug routes are superuser-only (they describe the platform, not an
organization), and the debug routes are not mounted at all when ``APP_ENV=production`` (404).
The public user analytics needs no credentials; it is cacheable (ETag, ``If-None-Match`` -> 304)
and rate-limited per client address.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, RootModel
from starlette.responses import Response, StreamingResponse

from api.envelope import success
from api.routing import Call, Ok, Router
from services import security, usage
from services.core import rate_limit
from services.core.config import get_settings
from services.identity import Role
from services.usage import (
    CacheMetrics,
    PlanInfo,
    PlanInput,
    PriceInfo,
    PriceInput,
    PriceList,
    ProfileInfo,
    ProfileInput,
    PublicAnalytics,
    QueuedBatch,
    QueuedEvent,
    RawAggregate,
    RequestPage,
    SessionInfo,
    SessionInput,
    UsageAggregate,
    UsageBatchInput,
    UsageCosts,
    UsageEventInput,
    UsageLogs,
    VersionInfo,
)

router = Router("Usage")
BASE = "/v1/public/ai-usage"
API = "/api/v1/usage"
PUBLIC_RATE_LIMIT = 60  # public analytics reads per client address per minute
QUEUE_ERRORS = {404: "A prompt_id that is not one of your prompts", 429: "Rate limited", 503: "Queue unavailable"}


class AggregateQuery(BaseModel):
    period: Literal["current", "last_30_days", "all_time"] = Field(
        default="current", description="current (billing period), last_30_days, all_time"
    )


class CostsQuery(BaseModel):
    period: Literal["current", "last_30_days"] = Field(default="current", description="current, last_30_days")


class LogsQuery(BaseModel):
    days: int = Field(default=7, ge=1, le=usage.MAX_LOG_DAYS, description=f"1..{usage.MAX_LOG_DAYS}")
    resource_type: Literal["all", "api_credits", "llm_tokens", "storage", "mcp"] = Field(
        default="all", description="all, api_credits, llm_tokens, storage, mcp"
    )
    limit: int = Field(default=100, ge=1, le=usage.MAX_LOG_LIMIT, description=f"1..{usage.MAX_LOG_LIMIT}")


class RequestsQuery(BaseModel):
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=usage.MAX_PER_PAGE, description=f"1..{usage.MAX_PER_PAGE}")
    scope: Literal["self", "organization"] = Field(
        default="self", description="self: your own requests; organization: everyone's (admin)"
    )


class ExportQuery(BaseModel):
    format: Literal["csv", "json"] = Field(default="csv", description="csv or json")
    period: Literal["current", "last_30_days"] = Field(default="current", description="current, last_30_days")


class RawQuery(AggregateQuery):
    organization_id: int | None = Field(default=None, ge=1, description="Another organization (superuser)")


class PricesQuery(BaseModel):
    model: str | None = Field(default=None, max_length=200)


class PricePath(BaseModel):
    price_id: int = Field(ge=1, le=2_147_483_647)


class UsernamePath(BaseModel):
    username: str = Field(max_length=40, description="A published profile's username (at most 40 characters)")


# --------------------------------------------------------------------------- seed operations


@router.get(
    f"{BASE}/aggregate",
    summary="Get Usage Aggregate",
    query_model=AggregateQuery,
    response_model=UsageAggregate,
    description="Per resource type: used, limit, remaining, percent, status (ok / warning / critical / exceeded "
    "/ unlimited) and a progress bar; totals and the budget.  Limits and budget apply to current and "
    "last_30_days (a month), not to all_time.  Read from rollups: constant time in the number of events.",
)
async def get_usage_aggregate(call: Call[AggregateQuery, None]) -> Ok:
    return Ok(await usage.aggregate(call.user, call.query.period), "Usage aggregate retrieved successfully")


@router.get(
    f"{BASE}/costs",
    summary="Get Usage Costs",
    query_model=CostsQuery,
    response_model=UsageCosts,
    description="Total, by model (with latency percentiles from sketches), provider, day, user and prompt "
    "version, and a projection to the end of the period against the budget.",
)
async def get_usage_costs(call: Call[CostsQuery, None]) -> Ok:
    return Ok(await usage.costs(call.user, call.query.period), "Usage costs retrieved successfully")


@router.get(
    f"{BASE}/logs",
    summary="Get Usage Logs",
    query_model=LogsQuery,
    response_model=UsageLogs,
    description="Your own usage events of the last `days` days, newest first.",
)
async def get_usage_logs(call: Call[LogsQuery, None]) -> Ok:
    q = call.query
    return Ok(await usage.logs(call.user, q.days, q.resource_type, q.limit), "Usage logs retrieved successfully")


@router.get(
    f"{BASE}/requests",
    summary="Get Ai Requests",
    query_model=RequestsQuery,
    response_model=RequestPage,
    responses={403: "scope=organization needs the admin role"},
    description="LLM requests, newest first: your own, or with scope=organization (admin) everyone's.",
)
async def get_ai_requests(call: Call[RequestsQuery, None]) -> Ok:
    q = call.query
    return Ok(await usage.requests_page(call.user, q.page, q.per_page, q.scope), "AI requests retrieved successfully")


class UsageExport(RootModel[list[usage.UsageRecord]]):
    """The JSON file of the usage export: every usage event of the period, newest first."""


@router.get(
    f"{BASE}/export",
    summary="Export Usage Report",
    query_model=ExportQuery,
    media_type=("text/csv", "application/json"),
    response_model=UsageExport,  # the JSON file
    responses={200: "A streamed file (Content-Disposition: attachment)"},
    description="Usage events of the period as CSV or a JSON array, streamed in pages (flat memory).  "
    "Members export their own events, admins the organization's.",
)
async def export_usage_report(call: Call[ExportQuery, None]) -> Response:
    q = call.query
    name, chunks = await usage.prepare(call.user, q.format, q.period)
    return StreamingResponse(
        chunks,
        media_type="text/csv" if q.format == "csv" else "application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    f"{BASE}/cache/metrics",
    summary="Get Cache Metrics",
    response_model=CacheMetrics,
    role=Role.SUPERUSER,
    description="Hits, misses, ratio, size and evictions of the service's in-process caches, per process and "
    "summed across processes.  Superuser: the caches serve every organization.",
)
async def get_cache_metrics(call: Call[None, None]) -> Ok:
    return Ok(await usage.cache_metrics(call.user), "Cache metrics retrieved successfully")


if not get_settings().is_production:

    @router.get(
        f"{BASE}/debug/aggregate-raw",
        summary="Debug Aggregate Raw",
        query_model=RawQuery,
        response_model=RawAggregate,
        role=Role.SUPERUSER,
        description="The aggregate summed from raw events beside the rollup reader's answer, with timings.  "
        "Superuser only; not served in production.",
    )
    async def debug_aggregate_raw(call: Call[RawQuery, None]) -> Ok:
        q = call.query
        return Ok(await usage.aggregate_raw(call.user, q.period, q.organization_id), "Raw aggregate computed")

    @router.get(
        f"{BASE}/debug/version",
        summary="Debug Version",
        response_model=VersionInfo,
        role=Role.SUPERUSER,
        description="Package version, git commit, start time and applied migrations.  Superuser only; not "
        "served in production.",
    )
    async def debug_version(call: Call[None, None]) -> Ok:
        return Ok(await usage.version(call.user), "Version retrieved successfully")


@router.get(
    "/v1/public/api/public/users/{username}/analytics",
    summary="Get Public User Analytics",
    public=True,
    path_model=UsernamePath,
    response_model=PublicAnalytics,
    responses={304: "Not modified (If-None-Match)", 404: "No published profile of an active user", 429: "Rate limited"},
    description="No authentication.  Totals of a published streaming profile; no e-mail, no internal id.  "
    "Unknown, unpublished, deleted or inactive users are the same 404.  Cacheable: ETag and "
    f"Cache-Control; at most {PUBLIC_RATE_LIMIT} reads per minute per client address.",
)
async def get_public_user_analytics(call: Call[None, None]) -> Ok | Response:
    address = security.client_address(call.request.scope)
    await rate_limit.hit(f"usage:public:{address}", PUBLIC_RATE_LIMIT)
    data = await usage.public_analytics(call.path.username)
    tag = usage.etag(data)
    headers = {"ETag": tag, "Cache-Control": "public, max-age=60"}
    if tag in {t.strip() for t in call.request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    rendered = success(data, "User analytics retrieved successfully", 200)
    rendered.headers.update(headers)
    return rendered


# --------------------------------------------------------------------------- ingest


@router.post(
    f"{API}/events",
    summary="Record a usage event",
    status=202,
    body_model=UsageEventInput,
    response_model=QueuedEvent,
    responses=QUEUE_ERRORS,
    description="Durably queued before the answer; stored idempotently by event_id.  Field names follow the "
    "OpenTelemetry GenAI conventions where they exist (gen_ai.usage.input_tokens, ... are accepted as aliases).",
)
async def record_usage_event(call: Call[None, UsageEventInput]) -> Ok:
    event_id = await usage.log_event(call.user, call.body)
    return Ok({"event_id": event_id, "status": "queued"}, "Usage event queued", 202)


@router.post(
    f"{API}/events/batch",
    summary="Record up to 1,000 usage events",
    status=202,
    body_model=UsageBatchInput,
    response_model=QueuedBatch,
    responses=QUEUE_ERRORS,
    description="All or none; an invalid event rejects the batch naming `events.N.field`.",
)
async def record_usage_events(call: Call[None, UsageBatchInput]) -> Ok:
    ids = await usage.log_events(call.user, call.body.events)
    return Ok({"event_ids": ids, "queued": len(ids)}, f"{len(ids)} usage events queued", 202)


# --------------------------------------------------------------------------- prices and plan


@router.get(
    f"{API}/prices",
    summary="The model price map",
    query_model=PricesQuery,
    response_model=PriceList,
    description="Your organization's own price versions, then the shipped map (source and date included).",
)
async def list_model_prices(call: Call[PricesQuery, None]) -> Ok:
    return Ok(await usage.list_prices(call.user, call.query.model), "Prices retrieved successfully")


@router.post(
    f"{API}/prices",
    summary="Add an organization price for a model",
    status=201,
    body_model=PriceInput,
    response_model=PriceInfo,
    role=Role.ADMIN,
    responses={409: "A version of this model with the same valid_from exists"},
    description="USD per token, in force from valid_from.  Events stored afterwards are priced with it; "
    "stored events keep their cost.",
)
async def create_model_price(call: Call[None, PriceInput]) -> Ok:
    return Ok(await usage.set_price(call.user, call.body), "Price saved", 201)


@router.delete(
    f"{API}/prices/{{price_id}}",
    summary="Delete an organization price",
    status=204,
    path_model=PricePath,
    role=Role.ADMIN,
    responses={404: "No such price of your organization"},
)
async def delete_model_price(call: Call[None, None]) -> Response:
    await usage.delete_price(call.user, call.path.price_id)
    return Response(status_code=204)


@router.get(f"{API}/plan", summary="Your organization's plan", response_model=PlanInfo)
async def get_usage_plan(call: Call[None, None]) -> Ok:
    return Ok(await usage.get_plan(call.user), "Plan retrieved successfully")


@router.put(
    f"{API}/plan",
    summary="Set your organization's plan",
    body_model=PlanInput,
    response_model=PlanInfo,
    role=Role.ADMIN,
    description="Monthly limits per resource type, a USD budget, the period start day and the budget "
    "thresholds (default 80, 95, 100 %) that notify once per period each.",
)
async def set_usage_plan(call: Call[None, PlanInput]) -> Ok:
    return Ok(await usage.set_plan(call.user, call.body), "Plan saved")


# --------------------------------------------------------------------------- public profile


@router.get(
    f"{API}/profile",
    summary="Your public streaming profile",
    response_model=ProfileInfo,
    responses={404: "You have no public profile yet"},
)
async def get_public_profile(call: Call[None, None]) -> Ok:
    return Ok(await usage.get_profile(call.user), "Profile retrieved successfully")


@router.put(
    f"{API}/profile",
    summary="Create or change your public streaming profile",
    body_model=ProfileInput,
    response_model=ProfileInfo,
    responses={409: "Username taken"},
)
async def put_public_profile(call: Call[None, ProfileInput]) -> Ok:
    return Ok(await usage.put_profile(call.user, call.body), "Profile saved")


@router.delete(
    f"{API}/profile",
    summary="Delete your public streaming profile",
    status=204,
    responses={404: "You have no public profile yet"},
)
async def delete_public_profile(call: Call[None, None]) -> Response:
    await usage.delete_profile(call.user)
    return Response(status_code=204)


@router.post(
    f"{API}/profile/sessions",
    summary="Record a streaming session",
    status=201,
    body_model=SessionInput,
    response_model=SessionInfo,
    responses={404: "Create your profile first (PUT /api/v1/usage/profile)"},
)
async def add_stream_session(call: Call[None, SessionInput]) -> Ok:
    return Ok(await usage.add_session(call.user, call.body), "Session recorded", 201)
