"""Ingest in the graph: ``logPromptUsage`` queues one prompt event, as ``POST /api/v1/prompts/analytics`` does;
``analyticsUpdates`` tells a dashboard when the drain stored events of its organization."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import orjson
import strawberry

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.ids import int_or_uuid
from graphql_schema.permissions import IsAuthenticated
from graphql_schema.types.catalog import ExecutionStatus
from services import ingest
from services.core.redis_client import listen
from services.core.validation import validated
from services.identity import Role
from services.ingest import AnalyticsUpdateInfo, UsageEvent, analytics_channel


@strawberry.input(description="One prompt invocation; the same fields as POST /api/v1/prompts/analytics")
class PromptUsageInput:
    prompt_id: str = strawberry.field(description="Prompt uuid, or integer id as a string")
    version_hash: str
    event_id: str | None = None
    latency_ms: float | None = None
    cost_usd: float | None = None
    score: float | None = None
    status: ExecutionStatus = ExecutionStatus.COMPLETED
    total_duration_ms: float | None = None
    ai_response_time_ms: float | None = None
    query_execution_time_ms: float | None = None
    data_source_ids: list[int] | None = None
    schema_names: list[str] | None = None
    timestamp: datetime | None = None
    prompt_name: str | None = None


@strawberry.type
class LoggedUsage:
    event_id: str
    queued: bool


@strawberry.type
class IngestMutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated], description="Queue one usage event (what the REST ingest route does)"
    )
    async def log_prompt_usage(self, info: Info, input: PromptUsageInput) -> LoggedUsage:
        raw = {k: v for k, v in strawberry.asdict(input).items() if v is not None}
        raw["status"] = input.status.value
        raw["prompt_id"] = int_or_uuid(raw["prompt_id"], "prompt_id")
        event = validated(UsageEvent, raw)
        event_id = await ingest.log_usage(info.context.user, event)
        return LoggedUsage(event_id=event_id, queued=True)


@model_type(
    AnalyticsUpdateInfo,
    description="The caller's organization's analytics changed: events were stored since the previous update",
)
class AnalyticsUpdate:
    pass


@strawberry.type
class IngestSubscription:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="One message whenever the drain has stored events of the caller's organization (prompt "
        "executions, usage events, tool calls), at most about one per second: a hint to re-read the figures",
    )
    async def analytics_updates(self, info: Info) -> AsyncGenerator[AnalyticsUpdate, None]:
        principal = info.context.user
        async for data in listen(
            analytics_channel(principal.organization_id), still_allowed=lambda: info.context.recheck(Role.MEMBER)
        ):
            update = AnalyticsUpdateInfo.model_validate(orjson.loads(data))
            if update.organization_id == principal.organization_id:
                yield AnalyticsUpdate.from_pydantic(update)
