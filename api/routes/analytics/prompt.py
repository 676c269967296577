"""Per-prompt analytics (seed 000)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.routes.catalog.prompts import PromptPath
from api.routing import Call, Ok, Router
from services import analytics
from services.analytics import PromptAnalytics
from services.core.dates import PeriodEnd, PeriodStart

router = Router("Prompts")


class AnalyticsQuery(BaseModel):
    period_start: PeriodStart | None = Field(
        default=None, description="ISO 8601 start, e.g. 2024-12-01T00:00:00Z; a date means 00:00:00Z of that day"
    )
    period_end: PeriodEnd | None = Field(
        default=None,
        description="ISO 8601 end (inclusive), e.g. 2024-12-31T23:59:59Z; a date means the end of that day "
        "(2024-12-31 = 2024-12-31T23:59:59.999999Z); default now",
    )


@router.get(
    "/api/v1/prompts/{prompt_id}/analytics",
    summary="Get Prompt Analytics",
    path_model=PromptPath,
    query_model=AnalyticsQuery,
    response_model=PromptAnalytics,
)
async def get_prompt_analytics(call: Call[AnalyticsQuery, None]) -> Ok:
    q = call.query
    data = await analytics.prompt_analytics(call.user, call.path.prompt_id, q.period_start, q.period_end)
    return Ok(data, "Analytics retrieved successfully")
