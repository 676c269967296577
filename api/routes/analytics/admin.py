"""Admin prompt-analytics: summary, charts, dashboard, reports, export, health (seed 003, "Analysis").

Thin: each handler validates with a pydantic model and calls one service function.
Every route is served under ``/admin/...`` and ``/v1/admin/...``.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response, StreamingResponse

from api.envelope import error, success
from api.routing import Call, Ok, Router, both
from services import analytics
from services.analytics import (
    ACCEPTED,
    AnalyticsHealth,
    AnalyticsSummary,
    Dashboard,
    PromptReport,
    TimeSeriesChart,
    TimeWindowName,
)
from services.identity import Role

router = Router("Prompt Analytics (admin)")
BASE = "/admin/prompt-analytics"
WINDOW_HELP = f"One of {ACCEPTED}"
VersionHash = Annotated[str, Field(min_length=1, max_length=128)]  # the column's length


class SummaryQuery(BaseModel):
    days: int = Field(default=7, ge=1, le=365, description="Days in the window (1-365); compared with the days before")


class TimeSeriesQuery(BaseModel):
    metric_name: str = Field(
        min_length=1, max_length=100, description="A built-in metric (e.g. latency_p95) or a recorded one"
    )
    time_window: TimeWindowName = Field(default="24h", description=WINDOW_HELP)
    prompt_ids: list[int] | None = Field(
        default=None, max_length=50, description="Comma-separated; default: the 10 busiest prompts"
    )


class DashboardRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    time_window: TimeWindowName = Field(default="7d", description=WINDOW_HELP)
    prompt_ids: list[int] | None = Field(default=None, max_length=500)
    version_hashes: list[VersionHash] | None = Field(default=None, max_length=500)
    workspace_ids: list[int] | None = Field(default=None, max_length=500)
    tags: dict[str, str] | None = Field(default=None, description="Only prompts carrying every one of these tags")
    group_by: Literal["prompt", "version", "workspace", "status"] = "prompt"


class PromptPath(BaseModel):
    prompt_id: Annotated[int, Field(ge=1, le=2_147_483_647)] | UUID = Field(description="Integer id or uuid")


class ReportQuery(BaseModel):
    time_window: TimeWindowName = Field(default="30d", description=WINDOW_HELP)
    version_a: str | None = Field(default=None, max_length=128, description="Default: the most used version")
    version_b: str | None = Field(default=None, max_length=128, description="Default: the second most used version")


class ExportQuery(BaseModel):
    format: str = Field(default="json", max_length=10, description="json, csv or xlsx")
    time_window: TimeWindowName = Field(default="7d", description=WINDOW_HELP)
    metric_types: list[str] | None = Field(
        default=None,
        max_length=20,
        description="Families (volume, latency, cost, quality) and/or column names; default: all",
    )
    prompt_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] | None = Field(
        default=None, max_length=500, description="Comma-separated prompt ids; default: every prompt"
    )


@router.get(
    *both(f"{BASE}/analytics/summary"),
    summary="Get Analytics Summary",
    role=Role.ADMIN,
    query_model=SummaryQuery,
    response_model=AnalyticsSummary,
    description="KPIs of the last `days` days and of the `days` before, with deltas; health; usage statistics.",
)
async def get_analytics_summary(call: Call[SummaryQuery, None]) -> Ok:
    data = await analytics.analytics_summary(call.user, call.query.days)
    return Ok(data, "Analytics summary retrieved successfully")


@router.get(
    *both(f"{BASE}/charts/time-series"),
    summary="Get Time Series Chart",
    role=Role.ADMIN,
    query_model=TimeSeriesQuery,
    response_model=TimeSeriesChart,
    description="One series per prompt over aligned buckets (5 min for 1h ... 1 day for 30d), a least-squares "
    "trend line per series and annotations (new versions first seen, alerts).",
)
async def get_time_series_chart(call: Call[TimeSeriesQuery, None]) -> Ok:
    q = call.query
    data = await analytics.time_series(call.user, q.metric_name, q.time_window, q.prompt_ids)
    return Ok(data, "Time series retrieved successfully")


@router.post(
    *both(f"{BASE}/dashboard"),
    summary="Get Dashboard Data",
    role=Role.ADMIN,
    body_model=DashboardRequest,
    response_model=Dashboard,
    description="KPIs vs the previous window, a breakdown by `group_by`, trends and the largest regressions.",
)
async def get_dashboard_data(call: Call[None, DashboardRequest]) -> Ok:
    b = call.body
    data = await analytics.analytics_dashboard(
        call.user, b.time_window, b.prompt_ids, b.version_hashes, b.workspace_ids, b.tags, b.group_by
    )
    return Ok(data, "Dashboard data retrieved successfully")


@router.get(
    *both(f"{BASE}/prompts/{{prompt_id}}/report"),
    summary="Get Prompt Performance Report",
    role=Role.ADMIN,
    path_model=PromptPath,
    query_model=ReportQuery,
    response_model=PromptReport,
    responses={404: "No such prompt in your organization"},
    description="Per-version performance, an A/B test (Welch's t-test on score and latency, two-proportion "
    "z-test on success rate, 95% intervals), quality trend and peer benchmarking.",
)
async def get_prompt_report(call: Call[ReportQuery, None]) -> Ok:
    q = call.query
    data = await analytics.prompt_report(call.user, call.path.prompt_id, q.time_window, q.version_a, q.version_b)
    return Ok(data, "Prompt report retrieved successfully")


@router.get(
    *both(f"{BASE}/export/data"),
    summary="Export Analytics Data",
    role=Role.ADMIN,
    query_model=ExportQuery,
    media_type=tuple(media.split(";")[0] for media in analytics.FORMATS.values()),
    response_model=analytics.AnalyticsExport,  # the JSON file
    responses={200: "A file (Content-Disposition: attachment): JSON, CSV or XLSX"},
    description="Rows: prompt x version x UTC day with the selected metric columns; streamed.",
)
async def export_analytics_data(call: Call[ExportQuery, None]) -> Response:
    q = call.query
    export = await analytics.export_data(call.user, q.format, q.time_window, q.metric_types, prompt_ids=q.prompt_ids)
    return StreamingResponse(
        export.chunks,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


@router.get(
    *both(f"{BASE}/health"),
    summary="Health Check",
    role=Role.ADMIN,
    response_model=AnalyticsHealth,
    responses={503: "Database or Redis unreachable"},
    description="Database, Redis, worker heartbeats, ingest stream backlog and rollup lag, each probed with a timeout.",
)
async def analytics_health_check(call: Call[None, None]) -> Ok | Response:
    report = await analytics.analytics_health(call.user)
    if report.status == "unhealthy":
        down = ", ".join(c.name for c in report.components if c.status == "down")
        return error(
            503,
            "SERVICE_UNAVAILABLE",
            f"Analytics unhealthy: {down} unreachable",
            headers={"Retry-After": "5"},
            health=report.model_dump(mode="json"),
        )
    return success(report, f"Analytics service is {report.status}")
