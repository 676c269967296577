"""Per-prompt analytics (seed 000): whole hours from rollups, ragged edges and dirty hours raw."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from tortoise.expressions import Q

from models.prompts import DataSource, PromptExecution, PromptRollupHourly
from services import rollups
from services.errors import BadRequest
from services.policy import Principal, require_authenticated
from services.prompts import get_prompt_row
from services.rollups import HOUR, RAW_FIELDS, Accumulator, hour_floor

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
    """Aggregate executions of ``prompt_ids`` in ``[start, end]`` (inclusive end, as documented).

    Whole clean hours come from rollups; the partial first/last hour and hours still
    marked dirty come from raw events.  Two or three queries, whatever the window.
    """
    results = {pid: Accumulator() for pid in prompt_ids}
    if not prompt_ids:
        return results
    first_whole = None
    if start is not None:
        first_whole = start if start == hour_floor(start) else hour_floor(start) + HOUR
    last_whole_end = hour_floor(end)  # hours strictly before this are whole
    dirty = await rollups.dirty_hours(*prompt_ids)

    # rollups for whole hours
    rq = PromptRollupHourly.filter(prompt_id__in=prompt_ids, bucket_start__lt=last_whole_end)
    if first_whole is not None:
        rq = rq.filter(bucket_start__gte=first_whole)
    for r in await rq:
        if r.bucket_start.astimezone(UTC) not in dirty[r.prompt_id]:
            results[r.prompt_id].add_rollup(r)

    # raw rows: leading partial hour, trailing partial hour (through ``end``), dirty whole hours
    raw = Q(occurred_at__gte=last_whole_end, occurred_at__lte=end)
    if start is not None and first_whole is not None and start < first_whole:
        raw |= Q(occurred_at__gte=start, occurred_at__lt=min(first_whole, last_whole_end))
    dirty_hours = {
        h for hs in dirty.values() for h in hs if h < last_whole_end and (first_whole is None or h >= first_whole)
    }
    for h in dirty_hours:
        raw |= Q(occurred_at__gte=h, occurred_at__lt=h + HOUR)
    raw_query = PromptExecution.filter(Q(prompt_id__in=prompt_ids) & raw)
    if start is not None:
        raw_query = raw_query.filter(occurred_at__gte=start)
    for row in await raw_query.values("prompt_id", *RAW_FIELDS):
        results[row["prompt_id"]].add_row(row)
    return results


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
