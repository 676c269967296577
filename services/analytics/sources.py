"""What the analysis routes read from the metric store and the alert store.

* :func:`custom_metric_known` / :func:`custom_metric_series`: recorded metrics
  (time series of a non-built-in ``metric_name``), bucketed in SQL;
* :func:`alert_annotations`: alerts that fired or resolved in a window (chart annotations);
* :func:`deployment_annotations`: deployments that went live in a window shipping a charted prompt;
* :func:`open_alerts`: open alerts by severity (the summary's health status).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from tortoise.expressions import Q

from models.alerts import Alert
from models.deployments import DeploymentPromptVersion
from models.metrics import MetricPoint
from services import metrics
from services.analytics.schemas import Annotation, OpenAlerts
from services.core.database import column


async def custom_metric_known(organization_id: int, name: str) -> bool:
    """Has this organization recorded a metric called ``name``? (No name longer than the column ever was.)"""
    if len(name) > MetricPoint.NAME_MAX_LENGTH:
        return False
    return await MetricPoint.exists(organization_id=organization_id, name=name)


async def custom_metric_series(
    organization_id: int, name: str, prompt_ids: Sequence[int] | None, start: datetime, size: timedelta, count: int
) -> dict[int | None, list[float | None]]:
    """Per prompt (None = points without a prompt), the mean of each bucket (None when empty)."""
    end = start + size * count
    found = await metrics.bucketed_by_prompt(
        metrics.PointFilter(organization_id, name, start, end - timedelta(microseconds=1)),
        int(size.total_seconds()),
    )
    wanted = set(prompt_ids) if prompt_ids else None
    series: dict[int | None, list[float | None]] = {}
    for (pid, k), stats in found.items():
        if wanted is not None and pid not in wanted:
            continue
        if 0 <= k < count:
            series.setdefault(pid, [None] * count)[k] = stats.avg
    return series


async def alert_annotations(
    organization_id: int, prompt_ids: Sequence[int] | None, start: datetime, end: datetime
) -> list[Annotation]:
    """Alerts that fired or resolved in ``[start, end)``, as chart annotations.

    An alert belongs to a prompt when its entity is that prompt (per-prompt rules) or its
    rule is scoped to it; alerts about the whole organization carry no prompt id.
    """
    rows = await Alert.filter(
        Q(organization_id=organization_id)
        & (Q(firing_at__gte=start, firing_at__lt=end) | Q(resolved_at__gte=start, resolved_at__lt=end))
    ).prefetch_related("rule")
    wanted = set(prompt_ids) if prompt_ids else None
    out: list[Annotation] = []
    for a in rows:
        pid = _prompt_of(a)
        if wanted is not None and pid is not None and pid not in wanted:
            continue
        for kind, at in (("alert_fired", a.firing_at), ("alert_resolved", a.resolved_at)):
            if at is not None and start <= at < end:
                out.append(
                    Annotation(
                        type=kind, at=at, prompt_id=pid, label=a.message or kind, alert_id=a.id, severity=a.severity
                    )
                )
    return out


async def deployment_annotations(
    organization_id: int, prompt_ids: Sequence[int] | None, start: datetime, end: datetime
) -> list[Annotation]:
    """Deployments that went live in ``[start, end)`` shipping one of these prompts: one marker per shipped
    version, at the moment the deployment finished (read from the deployments tables, like alerts above)."""
    query = DeploymentPromptVersion.filter(
        deployment__organization_id=organization_id,
        deployment__status__in=("succeeded", "rolled_back"),
        deployment__finished_at__gte=start,
        deployment__finished_at__lt=end,
    )
    if prompt_ids:
        query = query.filter(prompt_id__in=list(prompt_ids))
    rows = await query.values(
        "deployment_id",
        "prompt_id",
        "version_hash",
        "deployment__name",
        "deployment__version",
        "deployment__finished_at",
        "deployment__environment__name",
    )
    return [
        Annotation(
            type="deployment",
            at=r["deployment__finished_at"],
            prompt_id=r["prompt_id"],
            version_hash=r["version_hash"],
            deployment_id=r["deployment_id"],
            label=f"{r['deployment__name']} {r['deployment__version']} to {r['deployment__environment__name']}",
        )
        for r in rows
    ]


def _prompt_of(alert: Alert) -> int | None:
    if alert.entity.startswith("prompt:"):
        return int(alert.entity.split(":")[1])
    scope = (alert.rule.scope if alert.rule else None) or {}
    return scope.get("prompt_id") if isinstance(scope.get("prompt_id"), int) else None


async def open_alerts(organization_id: int) -> OpenAlerts:
    """Currently open (pending/firing/acknowledged) alerts, counted by severity."""
    rows = await column(
        Alert.filter(organization_id=organization_id, open_key__isnull=False).values_list("severity", flat=True)
    )
    by_severity: dict[str, int] = {}
    for severity in rows:
        by_severity[severity] = by_severity.get(severity, 0) + 1
    return OpenAlerts(total=len(rows), by_severity=by_severity)
