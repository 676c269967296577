"""The admin analytics summary: KPIs for the last N days vs the N days before, health, usage.

Two rollup reads (current and previous window, sliced by prompt x version) answer
everything: KPIs, deltas, active prompts/versions, top prompts, workspaces and data
sources, whatever the number of events.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from models.prompts import DataSource
from services.analytics import sources as analysis_sources
from services.analytics.kpis import compare, kpis_from, kpis_of, merged, metric_value, per_prompt
from services.analytics.schemas import (
    AnalyticsSummary,
    HealthStatus,
    OpenAlerts,
    PromptUsage,
    SummaryDataSourceUsage,
    UsageStatistics,
    WorkspaceUsage,
)
from services.analytics.scope import PromptRef, organization_prompts, workspace_names
from services.analytics.windows import Window, days_window
from services.identity import Principal, require_admin
from services.rollups import Accumulator, accumulate_slices

TOP_N = 10
# Health from the window's error rate: above DEGRADED -> degraded, above CRITICAL -> critical.
ERROR_RATE_DEGRADED = 0.05
ERROR_RATE_CRITICAL = 0.20


def health_status(error_rate: float | None, executions: int, alerts: OpenAlerts) -> HealthStatus:
    reasons: list[str] = []
    status = "healthy" if executions else "idle"
    if error_rate is not None and error_rate > ERROR_RATE_CRITICAL:
        status = "critical"
        reasons.append(f"error rate {error_rate:.1%} above {ERROR_RATE_CRITICAL:.0%}")
    elif error_rate is not None and error_rate > ERROR_RATE_DEGRADED:
        status = "degraded"
        reasons.append(f"error rate {error_rate:.1%} above {ERROR_RATE_DEGRADED:.0%}")
    critical = alerts.by_severity.get("critical", 0)
    others = alerts.total - critical
    if critical:
        status = "critical"
        reasons.append(f"{critical} critical alert(s) open")
    if others:
        status = "degraded" if status in ("healthy", "idle") else status
        reasons.append(f"{others} other alert(s) open")
    return HealthStatus(status=status, error_rate=error_rate, reasons=reasons, open_alerts=alerts)


async def usage_statistics(
    organization_id: int,
    prompts: dict[int, PromptRef],
    by_prompt: dict[int, tuple[Accumulator, int]],
    all_: Accumulator,
    seconds: float,
) -> UsageStatistics:
    """``by_prompt``: (accumulator, active versions) per prompt; ``all_``: their merge; ``seconds``: the window.

    A top prompt's error rate is the built-in ``error_rate`` (0.0 when it ran but nothing finished yet).
    """
    total = all_.count
    share = (lambda n: n / total) if total else (lambda n: 0.0)
    ranked = sorted(by_prompt.items(), key=lambda kv: (-kv[1][0].count, kv[0]))[:TOP_N]
    top = []
    for pid, (acc, versions) in ranked:
        ref = prompts[pid]
        top.append(
            PromptUsage(
                prompt_id=pid,
                prompt_uuid=ref.uuid,
                name=ref.name,
                executions=acc.count,
                share=share(acc.count),
                error_rate=metric_value("error_rate", acc, seconds),
                versions=versions,
            )
        )
    by_ws: dict[int | None, list[int]] = {}
    for pid, (acc, _) in by_prompt.items():
        counts = by_ws.setdefault(prompts[pid].workspace_id, [0, 0])
        counts[0] += acc.count
        counts[1] += 1
    names = await workspace_names(organization_id, [w for w in by_ws if w is not None]) if by_ws else {}
    workspaces = [
        WorkspaceUsage(workspace_id=w, name=names.get(w) if w else None, executions=n, prompts=p, share=share(n))
        for w, (n, p) in sorted(by_ws.items(), key=lambda kv: (-kv[1][0], kv[0] or 0))
    ]
    ds_counts = all_.data_sources
    top_ds = sorted(ds_counts.items(), key=lambda kv: (-kv[1], int(kv[0])))[:TOP_N]
    ds_names: dict[int, str] = {}
    if top_ds:
        ds_names = dict(
            await DataSource.filter(organization_id=organization_id, id__in=[int(k) for k, _ in top_ds]).values_list(
                "id", "name"
            )
        )
    return UsageStatistics(
        total_prompts=len(prompts),
        active_prompts=len(by_prompt),
        top_prompts=top,
        workspaces=workspaces,
        data_sources=[
            SummaryDataSourceUsage(data_source_id=int(k), name=ds_names.get(int(k)), uses=n) for k, n in top_ds
        ],
    )


async def analytics_summary(principal: Principal, days: int = 7, now: datetime | None = None) -> AnalyticsSummary:
    principal = require_admin(principal)
    org = principal.organization_id
    win: Window = days_window(days, now)
    prev = win.previous
    prompts = await organization_prompts(org)
    ids = list(prompts)
    # the two windows' reads overlap: one's database round trips while the other merges
    current, previous, alerts = await asyncio.gather(
        accumulate_slices(ids, win.start, win.end, by_version=True),
        accumulate_slices(ids, prev.start, prev.end, by_version=True),
        analysis_sources.open_alerts(org),
    )
    by_prompt = per_prompt(current)
    everything = merged(acc for acc, _ in by_prompt.values())
    active_versions = sum(versions for _, versions in by_prompt.values())
    now_kpis = kpis_from(everything, win.seconds, len(by_prompt), active_versions)
    kpis = compare(now_kpis, kpis_of(previous, win.seconds))
    return AnalyticsSummary(
        days=days,
        period_start=win.start,
        period_end=win.end,
        previous_period_start=prev.start,
        previous_period_end=prev.end,
        kpis=kpis,
        health=health_status(kpis.current.error_rate, kpis.current.executions, alerts),
        usage=await usage_statistics(org, prompts, by_prompt, everything, win.seconds),
        generated_at=win.end,
    )
