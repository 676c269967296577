"""Per-prompt analytics (seed 000), answered by :mod:`services.rollup_query` (rollups + raw edges)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from models.prompts import DataSource
from services.errors import BadRequest
from services.policy import Principal, require_authenticated
from services.prompts import get_prompt_row
from services.rollup_query import accumulate_slices
from services.rollups import Accumulator

TOP_N = 10


class DataSourceUsage(BaseModel):
    data_source_id: int
    data_source_name: str | None
    count: int


class SchemaUsage(BaseModel):
    schema_name: str
    count: int


class PromptAnalytics(BaseModel):
    """Seed 000's fields plus percentiles, cost and score; also the REST response schema."""

    prompt_id: int
    execution_count: int
    success_count: int
    failure_count: int
    success_rate: float | None
    avg_total_duration_ms: float | None
    avg_ai_response_time_ms: float | None
    avg_query_execution_time_ms: float | None
    most_used_data_sources: list[DataSourceUsage]
    most_used_schemas: list[SchemaUsage]
    period_start: datetime | None
    period_end: datetime
    last_calculated_at: datetime
    p50_latency_ms: float | None
    p95_latency_ms: float | None
    p99_latency_ms: float | None
    avg_latency_ms: float | None
    total_cost_usd: float
    avg_cost_usd: float | None
    avg_score: float | None


def check_period(start: datetime | None, end: datetime | None) -> tuple[datetime | None, datetime]:
    end = (end or datetime.now(UTC)).astimezone(UTC)
    if start is not None:
        start = start.astimezone(UTC)
        if start > end:
            raise BadRequest.field("period_start", "period_start must not be after period_end")
    return start, end


async def accumulate(prompt_ids: list[int], start: datetime | None, end: datetime) -> dict[int, Accumulator]:
    """Aggregate executions of ``prompt_ids`` in ``[start, end]`` (inclusive end, as documented), per prompt."""
    slices = await accumulate_slices(prompt_ids, start, end)
    return {pid: slices.get((pid, None, None)) or Accumulator() for pid in prompt_ids}


async def prompt_analytics(
    principal: Principal, prompt_id: int, period_start: datetime | None = None, period_end: datetime | None = None
) -> PromptAnalytics:
    principal = require_authenticated(principal)
    start, end = check_period(period_start, period_end)
    prompt = await get_prompt_row(principal, prompt_id)
    acc = (await accumulate([prompt.id], start, end))[prompt.id]
    return await render(prompt.id, acc, start, end)


async def render(prompt_id: int, acc: Accumulator, start: datetime | None, end: datetime) -> PromptAnalytics:
    top_ds = sorted(acc.data_sources.items(), key=lambda kv: (-kv[1], int(kv[0])))[:TOP_N]
    names = {}
    if top_ds:
        names = dict(await DataSource.filter(id__in=[int(k) for k, _ in top_ds]).values_list("id", "name"))
    top_schemas = sorted(acc.schemas.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
    decided = acc.success + acc.failure
    return PromptAnalytics(
        prompt_id=prompt_id,
        execution_count=acc.count,
        success_count=acc.success,
        failure_count=acc.failure,
        success_rate=round(acc.success / decided, 6) if decided else None,
        avg_total_duration_ms=acc.avg("total_duration_ms"),
        avg_ai_response_time_ms=acc.avg("ai_response_time_ms"),
        avg_query_execution_time_ms=acc.avg("query_execution_time_ms"),
        most_used_data_sources=[
            DataSourceUsage(data_source_id=int(k), data_source_name=names.get(int(k)), count=n) for k, n in top_ds
        ],
        most_used_schemas=[SchemaUsage(schema_name=k, count=n) for k, n in top_schemas],
        period_start=start,
        period_end=end,
        last_calculated_at=datetime.now(UTC),
        p50_latency_ms=acc.latency.quantile(0.50),
        p95_latency_ms=acc.latency.quantile(0.95),
        p99_latency_ms=acc.latency.quantile(0.99),
        avg_latency_ms=acc.avg("latency_ms"),
        total_cost_usd=round(acc.total("cost_usd"), 8),
        avg_cost_usd=acc.avg("cost_usd"),
        avg_score=acc.avg("score"),
    )
