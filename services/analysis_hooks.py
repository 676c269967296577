"""Where analysis meets the alerting helper's work: custom metrics, alerts, prompt tags.

Recorded metrics (``MetricPoint``), alerts and prompt tags are built on another branch.
Each integration point is ONE small function here, returning "nothing yet", so the
analysis services stay complete and the lead wires each at merge:

* :func:`custom_metric_known` / :func:`custom_metric_series` <- the metric store
  (time-series of a non-built-in ``metric_name``);
* :func:`alert_annotations` <- alerts fired in a window (chart annotations);
* :func:`open_alerts` <- open alerts by severity (health status of the summary);
* :func:`prompt_ids_with_tags` <- prompt tags (dashboard ``tags`` filter).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel


class Annotation(BaseModel):
    """A marker on a chart: a new version first seen, an alert fired, ..."""

    type: str  # version_first_seen | alert_fired | alert_resolved
    at: datetime
    prompt_id: int | None = None
    label: str
    version_hash: str | None = None
    alert_id: int | None = None
    severity: str | None = None


class OpenAlerts(BaseModel):
    total: int = 0
    by_severity: dict[str, int] = {}


async def custom_metric_known(organization_id: int, name: str) -> bool:
    """HOOK (metric store): does this organization record a metric called ``name``?"""
    return False


async def custom_metric_series(
    organization_id: int, name: str, prompt_ids: Sequence[int] | None, start: datetime, size: timedelta, count: int
) -> dict[int | None, list[float | None]]:
    """HOOK (metric store): per prompt (None = unscoped points), one aggregated value per bucket."""
    return {}


async def alert_annotations(
    organization_id: int, prompt_ids: Sequence[int] | None, start: datetime, end: datetime
) -> list[Annotation]:
    """HOOK (alerts): alerts that fired (or resolved) in ``[start, end)``, as chart annotations."""
    return []


async def open_alerts(organization_id: int) -> OpenAlerts:
    """HOOK (alerts): currently open (pending/firing/acknowledged) alerts, counted by severity."""
    return OpenAlerts()


async def prompt_ids_with_tags(organization_id: int, tags: dict[str, str]) -> set[int] | None:
    """HOOK (prompt tags): prompts carrying all ``tags``; None while no tag store exists (filter not applied)."""
    return None
