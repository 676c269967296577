"""Monitoring (seed 003): Prometheus exposition, JSON metrics, summary, manual metric recording."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.responses import Response

from api.routing import Call, Ok, Router
from services import metrics, observability
from services.identity import Role
from services.observability import (
    AgentRecord,
    AgentRecorded,
    FeedbackRecord,
    FeedbackRecorded,
    JsonMetrics,
    MetricsHealth,
    MetricsSummary,
    WorkflowRecord,
    WorkflowRecorded,
)

router = Router("Monitoring")


class JsonMetricsQuery(BaseModel):
    include_system: bool = Field(default=True, description="Include system metrics (CPU, memory, ...)")
    include_app: bool = Field(default=True, description="Include application metrics")


@router.get(
    "/metrics",
    "/v1/metrics/prometheus",
    summary="Prometheus metrics",
    role=Role.SUPERUSER,
    media_type=observability.CONTENT_TYPE,
    description="Prometheus text exposition, platform-wide totals aggregated through Redis (correct under any "
    "number of web and worker processes). Platform-wide, so scrape with a superuser API key as a bearer token.",
)
async def prometheus_metrics(call: Call[None, None]) -> Response:
    body = await observability.render(call.user)
    return Response(body, media_type=observability.CONTENT_TYPE)


BY_DIMENSION = (
    "`{agents: {agent_role, agent_type}, workflows: {workflow_type}, feedback: {feedback_type, agent_role, "
    "response_time}}`, each `{value: figures}` for the runs recorded through `/v1/metrics/record/*` in the "
    "caller's organization: agents and workflows `count, success, failure, success_rate, avg/min/max_duration_seconds` "
    "(workflows also `steps_executed, avg_steps_executed`), feedback `count, positive, negative, neutral, "
    "positive_ratio, timed, avg/min/max_response_time_seconds`. `response_time` groups feedback by seconds until "
    f"it arrived ({', '.join(name for _, name in metrics.RESPONSE_TIME_BUCKETS)}, gte_5m, unknown); a run "
    f'recorded without an agent type is under `""`. At most {metrics.BREAKDOWN_LIMIT} values per dimension, '
    "most frequent first; `truncated` lists the dimensions that had more."
)


@router.get(
    "/v1/metrics/json",
    summary="JSON Metrics",
    query_model=JsonMetricsQuery,
    role=Role.ADMIN,
    response_model=JsonMetrics,
    description="With `include_app`, `application.organization.by_dimension` breaks the organization's recorded "
    f"runs down by dimension, over all time: {BY_DIMENSION}",
)
async def json_metrics(call: Call[JsonMetricsQuery, None]) -> Ok:
    q = call.query
    data = await observability.json_metrics(call.user, q.include_system, q.include_app)
    left_out = {name for name in ("system", "application") if getattr(data, name) is None}
    return Ok(data.model_dump(mode="json", exclude=left_out), "Metrics retrieved successfully")


@router.get(
    "/v1/metrics/summary",
    summary="Metrics Summary",
    role=Role.ADMIN,
    response_model=MetricsSummary,
    description=f"`by_dimension_24h` breaks the last 24 hours' recorded runs down by dimension: {BY_DIMENSION}",
)
async def metrics_summary(call: Call[None, None]) -> Ok:
    return Ok(await observability.summary(call.user), "Metrics summary retrieved successfully")


@router.get("/v1/metrics/health", summary="Metrics Health Check", public=True, response_model=MetricsHealth)
async def metrics_health(call: Call[None, None]) -> Ok:
    data = await observability.metrics_health()
    return Ok(data, f"Metrics collection is {data.status}")


@router.post(
    "/v1/metrics/record/agent", summary="Record Agent Metrics", query_model=AgentRecord, response_model=AgentRecorded
)
async def record_agent_metrics(call: Call[AgentRecord, None]) -> Ok:
    return Ok(await observability.record_agent(call.user, call.query), "Agent metrics recorded")


@router.post(
    "/v1/metrics/record/feedback",
    summary="Record RLHF Feedback Metrics",
    query_model=FeedbackRecord,
    response_model=FeedbackRecorded,
)
async def record_feedback_metrics(call: Call[FeedbackRecord, None]) -> Ok:
    return Ok(await observability.record_feedback(call.user, call.query), "Feedback metrics recorded")


@router.post(
    "/v1/metrics/record/workflow",
    summary="Record Workflow Metrics",
    query_model=WorkflowRecord,
    response_model=WorkflowRecorded,
)
async def record_workflow_metrics(call: Call[WorkflowRecord, None]) -> Ok:
    return Ok(await observability.record_workflow(call.user, call.query), "Workflow metrics recorded")
