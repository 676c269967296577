"""The configurable dashboard: filters, KPIs vs the previous window, breakdowns, trends, insights.

Three rollup reads: current and previous window sliced by prompt x version (KPIs,
breakdowns, regressions) and a bucketed read of the current window (trend charts).
Insights are the largest regressions between the two windows per prompt (p95
latency or cost up, error rate up, score down), each with both values and the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from services.analytics.kpis import (
    compare,
    kpis_from,
    kpis_of,
    merged,
    metric_value,
    per_prompt,
)
from services.analytics.schemas import BreakdownItem, Dashboard, DashboardFilters, Insight, Trends, TrendSeries
from services.analytics.scope import (
    PromptRef,
    organization_prompts,
    require_known,
    require_workspaces,
    workspace_names,
)
from services.analytics.timeseries import with_trend
from services.analytics.windows import buckets_for, checked, window
from services.core.errors import BadRequest
from services.core.tags import matches
from services.identity import Principal, require_admin
from services.rollups import Accumulator, SliceKey, accumulate_slices

GROUP_BY = ("prompt", "version", "workspace", "status")
TREND_METRICS = ("executions", "error_rate", "latency_p95", "cost_total", "score_avg")
MIN_INSIGHT_SAMPLES = 10  # executions in each window before a change counts as a regression
MAX_INSIGHTS = 10
# metric -> (relative change that counts as a regression, worse direction)
REGRESSION_RULES = {
    "latency_p95": (0.20, +1),
    "cost_avg": (0.20, +1),
    "score_avg": (0.05, -1),
    "error_rate": (0.25, +1),
}
ERROR_RATE_MIN_POINTS = 0.02  # and at least 2 percentage points for error rates


async def _scope(
    org: int,
    prompts: dict[int, PromptRef],
    prompt_ids: Sequence[int] | None,
    workspace_ids: Sequence[int] | None,
    tags: dict[str, str] | None,
) -> tuple[list[int], list[str]]:
    require_known(prompts, prompt_ids)
    await require_workspaces(org, workspace_ids)
    ids = set(prompt_ids) if prompt_ids else set(prompts)
    if workspace_ids:
        ids = {p for p in ids if prompts[p].workspace_id in set(workspace_ids)}
    if tags:
        ids = {p for p in ids if matches(prompts[p].tags, tags)}
    return sorted(ids), []


async def breakdown(
    org: int, group_by: str, prompts: dict[int, PromptRef], slices: dict[SliceKey, Accumulator], seconds: float
) -> list[BreakdownItem]:
    live = {k: acc for k, acc in slices.items() if acc.count}
    total = sum(acc.count for acc in live.values()) or 1
    items: list[BreakdownItem] = []
    if group_by == "status":
        acc = merged(live.values())
        for status, n in (("completed", acc.success), ("failed", acc.failure)):
            items.append(BreakdownItem(key=status, label=status, share=n / total, kpis=None, executions=n))
        other = acc.count - acc.success - acc.failure
        items.append(
            BreakdownItem(key="processing", label="processing", share=other / total, kpis=None, executions=other)
        )
        return items
    if group_by == "version":
        for (pid, v, _), acc in live.items():
            items.append(
                BreakdownItem(
                    key=f"{pid}:{v}",
                    label=f"{prompts[pid].name} @ {v}",
                    prompt_id=pid,
                    version_hash=v,
                    share=acc.count / total,
                    kpis=kpis_from(acc, seconds, 1, 1),
                    executions=acc.count,
                )
            )
    elif group_by == "prompt":
        for pid, (acc, versions) in per_prompt(live).items():
            items.append(
                BreakdownItem(
                    key=str(pid),
                    label=prompts[pid].name,
                    prompt_id=pid,
                    share=acc.count / total,
                    kpis=kpis_from(acc, seconds, 1, versions),
                    executions=acc.count,
                )
            )
    else:  # workspace
        groups: dict[int | None, dict[SliceKey, Accumulator]] = {}
        for k, acc in live.items():
            groups.setdefault(prompts[k[0]].workspace_id, {})[k] = acc
        names = await workspace_names(org, [w for w in groups if w is not None]) if groups else {}
        for ws, part in groups.items():
            ws_kpis = kpis_of(part, seconds)
            items.append(
                BreakdownItem(
                    key=str(ws) if ws is not None else "none",
                    label=names.get(ws, str(ws)) if ws is not None else "(no workspace)",
                    workspace_id=ws,
                    share=ws_kpis.executions / total,
                    kpis=ws_kpis,
                    executions=ws_kpis.executions,
                )
            )
    items.sort(key=lambda i: (-i.executions, i.key))
    return items


def regressions(
    prompts: dict[int, PromptRef],
    current: dict[SliceKey, Accumulator],
    previous: dict[SliceKey, Accumulator],
    seconds: float,
) -> list[Insight]:
    cur, prev = per_prompt(current), per_prompt(previous)
    found: list[tuple[float, Insight]] = []
    for pid in cur.keys() & prev.keys():
        a, b = prev[pid][0], cur[pid][0]
        if min(a.count, b.count) < MIN_INSIGHT_SAMPLES:
            continue
        for metric, (threshold, worse) in REGRESSION_RULES.items():
            before, after = metric_value(metric, a, seconds), metric_value(metric, b, seconds)
            if before is None or after is None:
                continue
            change = after - before
            if change * worse <= 0:
                continue
            relative = abs(change) / abs(before) if before else float("inf")
            if relative < threshold or (metric == "error_rate" and abs(change) < ERROR_RATE_MIN_POINTS):
                continue
            pct = change / abs(before) * 100.0 if before else None
            name = prompts[pid].name
            if metric == "error_rate":
                text = f"Error rate of '{name}' up {change * 100:.1f} points ({before:.1%} -> {after:.1%})"
            elif metric == "score_avg":
                text = f"Average score of '{name}' down {abs(pct or 0):.1f}% ({before:.4g} -> {after:.4g})"
            else:
                label = {"latency_p95": "p95 latency", "cost_avg": "Average cost"}[metric]
                text = f"{label} of '{name}' up {pct:.1f}% ({before:.4g} -> {after:.4g})"
            found.append(
                (
                    relative / threshold,
                    Insight(
                        kind="regression",
                        metric=metric,
                        prompt_id=pid,
                        prompt_name=name,
                        previous=before,
                        current=after,
                        change_absolute=change,
                        change_pct=pct,
                        severity="critical" if relative >= 2 * threshold else "warning",
                        message=text[0].upper() + text[1:],
                    ),
                )
            )
    found.sort(key=lambda pair: (-pair[0], pair[1].prompt_id, pair[1].metric))
    return [insight for _, insight in found[:MAX_INSIGHTS]]


async def trends(ids: list[int], time_window: str, version_hashes: Sequence[str] | None, now: datetime) -> Trends:
    b = buckets_for(time_window, now)
    slices = await accumulate_slices(
        ids, b.start, b.end - timedelta(microseconds=1), bucket=b.size, version_hashes=version_hashes
    )
    per_bucket: dict[datetime, Accumulator] = {}
    for (_, _, t), acc in slices.items():
        assert t is not None
        per_bucket.setdefault(t, Accumulator()).merge(acc)
    out = []
    for metric in TREND_METRICS:
        values = []
        for t in b.timestamps:
            seconds = max(1.0, (min(t + b.size, now) - t).total_seconds())
            values.append(metric_value(metric, per_bucket.get(t) or Accumulator(), seconds))
        trend, _ = with_trend(b, values)
        out.append(TrendSeries(metric=metric, values=values, trend=trend))
    return Trends(bucket_seconds=int(b.size.total_seconds()), timestamps=b.timestamps, series=out)


async def dashboard(
    principal: Principal,
    time_window: str = "7d",
    prompt_ids: Sequence[int] | None = None,
    version_hashes: Sequence[str] | None = None,
    workspace_ids: Sequence[int] | None = None,
    tags: dict[str, str] | None = None,
    group_by: str = "prompt",
    now: datetime | None = None,
) -> Dashboard:
    principal = require_admin(principal)
    org = principal.organization_id
    time_window = checked(time_window)
    if group_by not in GROUP_BY:
        raise BadRequest.field("group_by", f"group_by must be one of {', '.join(GROUP_BY)}")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    win = window(time_window, now)
    prev = win.previous
    prompts = await organization_prompts(org)
    ids, unsupported = await _scope(org, prompts, prompt_ids, workspace_ids, tags)
    versions = list(version_hashes) if version_hashes else None
    current = await accumulate_slices(ids, win.start, win.end, by_version=True, version_hashes=versions)
    previous = await accumulate_slices(ids, prev.start, prev.end, by_version=True, version_hashes=versions)
    return Dashboard(
        filters=DashboardFilters(
            time_window=time_window,
            prompt_ids=list(prompt_ids) if prompt_ids else None,
            version_hashes=versions,
            workspace_ids=list(workspace_ids) if workspace_ids else None,
            tags=tags or None,
            group_by=group_by,
            unsupported_filters=unsupported,
        ),
        period_start=win.start,
        period_end=win.end,
        previous_period_start=prev.start,
        previous_period_end=prev.end,
        prompts_in_scope=len(ids),
        kpis=compare(kpis_of(current, win.seconds), kpis_of(previous, win.seconds)),
        breakdown=await breakdown(org, group_by, prompts, current, win.seconds),
        trends=await trends(ids, time_window, versions, now),
        insights=regressions(prompts, current, previous, win.seconds),
    )
