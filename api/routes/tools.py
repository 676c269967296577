"""Tool executions: ingest (``/api/v1/tools/executions``) and the tool analytics of seed 003."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.routing import Call, Ok, Router
from services import tools
from services.core.dates import PeriodEnd, PeriodStart

router = Router("Tool Analytics")
SCOPE = (
    "User-scoped by default (the caller's own calls); admin=true widens to the organization "
    "(admin role, 403 otherwise)."
)
INGEST_ERRORS = {429: "Rate limited for this API key", 503: "Queue unavailable"}


class AnalyticsQuery(BaseModel):
    start_date: PeriodStart | None = Field(
        default=None, description="Start date (ISO format); default the start of the hour 30 days before end_date"
    )
    end_date: PeriodEnd | None = Field(default=None, description="End date (ISO format, inclusive); default now")
    tool_name: str | None = Field(
        default=None, min_length=1, max_length=200, description="Filter by specific tool name"
    )
    admin: bool = Field(default=False, description="Admin mode - see all users (admin only)")


class RecentQuery(AnalyticsQuery):
    limit: int = Field(
        default=tools.RECENT_DEFAULT,
        ge=1,
        le=tools.RECENT_MAX,
        description="Number of recent executions to return (max 100)",
    )


@router.post(
    "/api/v1/tools/executions",
    summary="Log one tool execution",
    status=202,
    body_model=tools.ToolCall,
    response_model=tools.Accepted,
    responses=INGEST_ERRORS,
    description="An MCP client or gateway reports one execute_tool span (OpenTelemetry GenAI/MCP attribute names "
    "accepted). Durably queued before the answer; stored and rolled up by the worker.",
)
async def log_tool_execution(call: Call[None, tools.ToolCall]) -> Ok:
    ids = await tools.log_tool_calls(call.user, [call.body])
    return Ok({"accepted": len(ids), "event_ids": ids}, "Tool execution queued", 202)


@router.post(
    "/api/v1/tools/executions/batch",
    summary="Log up to 1,000 tool executions",
    status=202,
    body_model=tools.ToolCallBatch,
    response_model=tools.Accepted,
    responses=INGEST_ERRORS,
    description="All calls of a valid batch are queued together; an invalid call rejects the batch naming "
    "`events.N.field`.",
)
async def log_tool_executions(call: Call[None, tools.ToolCallBatch]) -> Ok:
    ids = await tools.log_tool_calls(call.user, call.body.events)
    return Ok({"accepted": len(ids), "event_ids": ids}, f"{len(ids)} tool executions queued", 202)


@router.get(
    "/v1/tools/analytics/summary",
    summary="Get Analytics Summary",
    query_model=AnalyticsQuery,
    response_model=tools.ToolSummary,
    description="Total calls, success rate, average execution time, total errors. " + SCOPE,
    responses={403: "admin=true without the admin role"},
)
async def get_tool_analytics_summary(call: Call[AnalyticsQuery, None]) -> Ok:
    q = call.query
    data = await tools.summary(call.principal, q.start_date, q.end_date, q.tool_name, q.admin)
    return Ok(data, "Tool analytics summary retrieved successfully")


@router.get(
    "/v1/tools/analytics/by-tool",
    summary="Get Analytics By Tool",
    query_model=AnalyticsQuery,
    response_model=tools.ByTool,
    description="Per tool: calls, success/error rates, p50/p95/p99 execution time from duration sketches, "
    "most common error types. " + SCOPE,
    responses={403: "admin=true without the admin role"},
)
async def get_tool_analytics_by_tool(call: Call[AnalyticsQuery, None]) -> Ok:
    q = call.query
    data = await tools.by_tool(call.principal, q.start_date, q.end_date, q.tool_name, q.admin)
    return Ok(data, "Per-tool analytics retrieved successfully")


@router.get(
    "/v1/tools/analytics/recent",
    summary="Get Recent Executions",
    query_model=RecentQuery,
    response_model=tools.RecentExecutions,
    description="Most recent tool executions, newest first. Default limit 50, maximum 100. " + SCOPE,
    responses={403: "admin=true without the admin role"},
)
async def get_recent_tool_executions(call: Call[RecentQuery, None]) -> Ok:
    q = call.query
    data = await tools.recent(call.principal, q.limit, q.start_date, q.end_date, q.tool_name, q.admin)
    return Ok(data, "Recent tool executions retrieved successfully")
