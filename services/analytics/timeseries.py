"""Time-series charts: one series per prompt, aligned buckets, a trend line, annotations.

Built-in metrics come from one bucketed rollup read for all candidate prompts (which
also ranks them by volume when no ``prompt_ids`` are given).  Custom recorded metrics
and alert annotations come through :mod:`services.analytics.sources`.  The answer is
shaped for chart libraries: one ``timestamps`` array shared by every series'
``values`` (None = no data in that bucket) and ``trend_values`` (the fitted line).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from models.prompts import PromptVersion
from services.analytics import sources as analysis_sources
from services.analytics.schemas import Annotation, ChartSeries, TimeSeriesChart, TrendLine
from services.analytics.scope import PromptRef, organization_prompts, require_known
from services.analytics.stats import trend_line
from services.analytics.windows import Buckets, buckets_for, checked
from services.core.errors import BadRequest
from services.identity import Principal, require_admin
from services.metrics import BUILTIN
from services.rollups import Accumulator, accumulate_slices

DEFAULT_TOP_PROMPTS = 10
MAX_PROMPTS = 50


def unknown_metric(name: str) -> BadRequest:
    return BadRequest.field(
        "metric_name", f"Unknown metric '{name}'; built-in metrics are {', '.join(BUILTIN)} (or a recorded metric)"
    )


def _bucket_seconds(b: Buckets, now: datetime) -> list[float]:
    """Each bucket's elapsed length: the current bucket only counts up to now (for rates)."""
    return [max(1.0, (min(t + b.size, now) - t).total_seconds()) for t in b.timestamps]


def with_trend(b: Buckets, values: list[float | None]) -> tuple[TrendLine | None, list[float] | None]:
    offsets = [(t - b.start).total_seconds() for t in b.timestamps]
    trend = trend_line(offsets, values, b.size.total_seconds())
    if trend is None:
        return None, None
    slope = trend.slope_per_hour / 3600.0
    return trend, [trend.intercept + slope * x for x in offsets]


async def version_annotations(
    prompts: dict[int, PromptRef], ids: Sequence[int], start: datetime, end: datetime
) -> list[Annotation]:
    rows = await PromptVersion.filter(
        prompt_id__in=list(ids), first_seen_at__gte=start, first_seen_at__lt=end
    ).order_by("first_seen_at", "id")
    return [
        Annotation(
            type="version_first_seen",
            at=v.first_seen_at,
            prompt_id=v.prompt_id,
            version_hash=v.version_hash,
            label=f"New version {v.version_hash} of '{prompts[v.prompt_id].name}'",
        )
        for v in rows
    ]


async def time_series(
    principal: Principal,
    metric_name: str,
    time_window: str = "24h",
    prompt_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> TimeSeriesChart:
    principal = require_admin(principal)
    org = principal.organization_id
    time_window = checked(time_window)
    name = metric_name.strip()
    builtin = BUILTIN.get(name)
    if builtin is None and not await analysis_sources.custom_metric_known(org, name):
        raise unknown_metric(name)
    if prompt_ids is not None and len(prompt_ids) > MAX_PROMPTS:
        raise BadRequest.field("prompt_ids", f"at most {MAX_PROMPTS} prompts per chart")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    prompts = await organization_prompts(org)
    require_known(prompts, prompt_ids)
    requested = list(dict.fromkeys(prompt_ids)) if prompt_ids else None
    b = buckets_for(time_window, now)
    series: list[ChartSeries] = []
    if builtin is not None:
        candidates = requested or list(prompts)
        slices = await accumulate_slices(candidates, b.start, b.end - timedelta(microseconds=1), bucket=b.size)
        volume: dict[int, int] = {}
        for (pid, _, _), acc in slices.items():
            volume[pid] = volume.get(pid, 0) + acc.count
        chosen = (
            requested
            or sorted((p for p, n in volume.items() if n), key=lambda p: (-volume[p], p))[:DEFAULT_TOP_PROMPTS]
        )
        seconds = _bucket_seconds(b, now)
        for pid in chosen:
            values = [
                builtin.compute(slices.get((pid, None, t)) or Accumulator(), s)
                for t, s in zip(b.timestamps, seconds, strict=True)
            ]
            trend, fitted = with_trend(b, values)
            series.append(
                ChartSeries(
                    prompt_id=pid,
                    prompt_name=prompts[pid].name,
                    executions=volume.get(pid, 0),
                    values=values,
                    trend=trend,
                    trend_values=fitted,
                )
            )
    else:
        custom = await analysis_sources.custom_metric_series(org, name, requested, b.start, b.size, b.count)
        chosen = [p for p in custom if p is not None]
        for custom_pid, custom_values in custom.items():
            trend, fitted = with_trend(b, custom_values)
            series.append(
                ChartSeries(
                    prompt_id=custom_pid,
                    prompt_name=prompts[custom_pid].name if custom_pid in prompts else None,
                    executions=None,
                    values=custom_values,
                    trend=trend,
                    trend_values=fitted,
                )
            )
    annotations = await version_annotations(prompts, chosen, b.start, b.end)
    annotations += await analysis_sources.alert_annotations(org, chosen, b.start, b.end)
    annotations += await analysis_sources.deployment_annotations(org, chosen, b.start, b.end)
    annotations.sort(key=lambda a: a.at)
    return TimeSeriesChart(
        metric_name=name,
        source="builtin" if builtin else "custom",
        unit=builtin.unit if builtin else None,
        description=builtin.description if builtin else None,
        time_window=time_window,
        bucket_seconds=int(b.size.total_seconds()),
        start=b.start,
        end=b.end,
        selection="requested" if requested else "top_by_volume",
        timestamps=b.timestamps,
        series=series,
        annotations=annotations,
    )
