"""Per-prompt analytics (seed 000), answered by :mod:`services.rollups.query` (rollups + raw edges)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from models.prompts import DataSource, Prompt
from services.analytics.kpis import metric_value
from services.analytics.schemas import DataSourceUsage, PromptAnalytics, SchemaUsage
from services.catalog import get_prompt_row
from services.core.database import column
from services.core.dates import as_utc, check_in_range
from services.core.errors import BadRequest
from services.identity import Principal, require_authenticated
from services.rollups import Accumulator, accumulate_slices

TOP_N = 10


def check_period(start: datetime | None, end: datetime | None) -> tuple[datetime | None, datetime]:
    """UTC bounds (a naive timestamp is UTC) with ``end`` defaulting to now; start after end is a 400."""
    end = check_in_range(as_utc(end), "period_end") if end is not None else datetime.now(UTC)
    if start is not None:
        start = check_in_range(as_utc(start), "period_start")
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
    return (await render(principal.organization_id, [(prompt.id, None, acc)], start, end))[0]


VersionKey = tuple[int, str]


async def analytics_many(
    principal: Principal, prompt_ids: list[int], start: datetime | None, end: datetime | None
) -> list[PromptAnalytics]:
    """Batch: analytics of many of the caller's prompts over one window, in a fixed number of queries."""
    principal = require_authenticated(principal)
    start, end = check_period(start, end)
    mine = set(
        await column(
            Prompt.filter(id__in=prompt_ids, organization_id=principal.organization_id).values_list("id", flat=True)
        )
    )
    accs = await accumulate([p for p in prompt_ids if p in mine], start, end)
    items = [(pid, None, accs.get(pid) or Accumulator()) for pid in prompt_ids]
    return await render(principal.organization_id, items, start, end)


async def version_analytics_many(
    principal: Principal, keys: list[VersionKey], start: datetime | None, end: datetime | None
) -> list[PromptAnalytics]:
    """Batch: analytics per (prompt, version hash) over one window, in a fixed number of queries."""
    principal = require_authenticated(principal)
    start, end = check_period(start, end)
    prompt_ids = list({pid for pid, _ in keys})
    mine = set(
        await column(
            Prompt.filter(id__in=prompt_ids, organization_id=principal.organization_id).values_list("id", flat=True)
        )
    )
    slices = await accumulate_slices(
        [p for p in prompt_ids if p in mine], start, end, by_version=True, version_hashes={v for _, v in keys}
    )
    items = [(pid, vhash, slices.get((pid, vhash, None)) or Accumulator()) for pid, vhash in keys]
    return await render(principal.organization_id, items, start, end)


async def render(
    organization_id: int, items: Sequence[tuple[int, str | None, Accumulator]], start: datetime | None, end: datetime
) -> list[PromptAnalytics]:
    """Accumulators to responses; data-source names for all of them in one query.

    Names are looked up in the caller's organization only: an event may cite any data
    source id, and another organization's names must not leak through it.
    """
    tops = [sorted(acc.data_sources.items(), key=lambda kv: (-kv[1], int(kv[0])))[:TOP_N] for _, _, acc in items]
    wanted = {int(k) for top in tops for k, _ in top}
    names = {}
    if wanted:
        found = DataSource.filter(id__in=list(wanted), organization_id=organization_id)
        names = dict(await found.values_list("id", "name"))
    now = datetime.now(UTC)
    return [
        _render_one(pid, vhash, acc, top, names, start, end, now)
        for (pid, vhash, acc), top in zip(items, tops, strict=True)
    ]


def _render_one(
    prompt_id: int,
    version_hash: str | None,
    acc: Accumulator,
    top_ds: list[tuple[str, int]],
    names: dict[int, str],
    start: datetime | None,
    end: datetime,
    now: datetime,
) -> PromptAnalytics:
    """One prompt's (or version's) figures: every built-in metric through its one definition
    (:data:`services.metrics.BUILTIN`); the success rate rounded to 6 digits and the total cost
    to 8, as this response has always given them.  The two stage timings are no built-in metric."""
    seconds = (end - start).total_seconds() if start is not None else 0.0  # only throughput reads it

    def value(name: str) -> float | None:
        return metric_value(name, acc, seconds)

    rate = value("success_rate")
    top_schemas = sorted(acc.schemas.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
    return PromptAnalytics(
        prompt_id=prompt_id,
        version_hash=version_hash,
        execution_count=acc.count,
        success_count=acc.success,
        failure_count=acc.failure,
        success_rate=None if rate is None else round(rate, 6),
        avg_total_duration_ms=value("duration_avg"),
        avg_ai_response_time_ms=acc.avg("ai_response_time_ms"),
        avg_query_execution_time_ms=acc.avg("query_execution_time_ms"),
        most_used_data_sources=[
            DataSourceUsage(data_source_id=int(k), data_source_name=names.get(int(k)), count=n) for k, n in top_ds
        ],
        most_used_schemas=[SchemaUsage(schema_name=k, count=n) for k, n in top_schemas],
        period_start=start,
        period_end=end,
        last_calculated_at=now,
        p50_latency_ms=value("latency_p50"),
        p95_latency_ms=value("latency_p95"),
        p99_latency_ms=value("latency_p99"),
        avg_latency_ms=value("latency_avg"),
        total_cost_usd=round(value("cost_total") or 0.0, 8),
        avg_cost_usd=value("cost_avg"),
        avg_score=value("score_avg"),
        data_sources_used=[int(k) for k, _ in sorted(acc.data_sources.items(), key=lambda kv: (-kv[1], int(kv[0])))],
    )
