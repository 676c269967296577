"""Usage-event ingest (seed 002): one event or a batch, durably queued before the answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.routing import Call, Ok, Router
from services import ingest
from services.ingest import UsageEvent, UsageEventItem

router = Router("Prompts")


class UsageBatch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    events: list[UsageEventItem] = Field(min_length=1, max_length=1000)


class BatchResult(BaseModel):
    accepted: int
    event_ids: list[str]


@router.post(
    "/api/v1/prompts/analytics",
    summary="Log a prompt usage event",
    status=204,
    body_model=UsageEvent,
    responses={204: "Logged (durably queued)", 429: "Rate limited for this API key", 503: "Queue unavailable"},
    description="SDKs call this after each prompt invocation. An unknown prompt uuid creates the prompt "
    "in the caller's organization.",
)
async def log_prompt_usage(call: Call[None, UsageEvent]) -> Response:
    await ingest.log_usage(call.user, call.body)
    return Response(status_code=204)


@router.post(
    "/api/v1/prompts/analytics/batch",
    summary="Log up to 1,000 usage events at once",
    status=202,
    body_model=UsageBatch,
    response_model=BatchResult,
    responses={429: "Rate limited for this API key", 503: "Queue unavailable"},
    description="All events of a valid batch are queued together; any invalid event rejects the batch "
    "with one `details` item per bad field (`events.N.field`).",
)
async def log_prompt_usage_batch(call: Call[None, UsageBatch]) -> Ok:
    ids = await ingest.log_usage_batch(call.user, call.body.events)
    return Ok({"accepted": len(ids), "event_ids": ids}, f"{len(ids)} events queued", 202)
