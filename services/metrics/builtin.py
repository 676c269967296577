"""Metrics derived from prompt executions, addressable by the same name everywhere.

Charts, alert rules, dashboards and exports all ask for e.g. ``latency_p95`` or
``error_rate`` and get the same number, computed from the same accumulators
(:mod:`services.rollups.query`).  These names are reserved: a recorded custom
metric may not use one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.prompts import Prompt
from services.core.database import column
from services.rollups import Accumulator, accumulate_slices


def finished_ratio(part: int, acc: Accumulator) -> float | None:
    """``part`` over finished runs (completed + failed): runs still ``processing`` are left out.

    0.0 when there were runs but none has finished yet, None only when there were no runs:
    the one definition of success and error rates for analytics, charts, rules and exports, the
    admin summary's top prompts and the deployment comparisons (there as ``100 * value`` %).
    Those two used to say None ("no data") when nothing had finished; 0.0 was kept because the
    per-prompt analytics documents and tests it (``tests/analytics/test_seed_semantics.py``).
    """
    finished = acc.success + acc.failure
    if finished:
        return part / finished
    return 0.0 if acc.count else None


def _rate(part: Callable[[Accumulator], int]) -> Callable[[Accumulator, float], float | None]:
    return lambda acc, seconds: finished_ratio(part(acc), acc)


@dataclass(frozen=True)
class BuiltinMetric:
    name: str
    unit: str
    description: str
    compute: Callable[[Accumulator, float], float | None]  # (slice, window length in seconds) -> value
    higher_is_better: bool = False


_METRICS = [
    BuiltinMetric("executions", "count", "Prompt executions", lambda a, s: float(a.count), True),
    BuiltinMetric(
        "throughput", "per_minute", "Executions per minute", lambda a, s: a.count * 60 / s if s else None, True
    ),
    BuiltinMetric("error_rate", "ratio", "failed / (completed + failed)", _rate(lambda a: a.failure)),
    BuiltinMetric("success_rate", "ratio", "completed / (completed + failed)", _rate(lambda a: a.success), True),
    BuiltinMetric("latency_avg", "ms", "Mean latency", lambda a, s: a.avg("latency_ms")),
    BuiltinMetric("latency_p50", "ms", "Median latency (sketch, 1% relative)", lambda a, s: a.latency.quantile(0.5)),
    BuiltinMetric("latency_p95", "ms", "95th percentile latency", lambda a, s: a.latency.quantile(0.95)),
    BuiltinMetric("latency_p99", "ms", "99th percentile latency", lambda a, s: a.latency.quantile(0.99)),
    BuiltinMetric("duration_avg", "ms", "Mean total duration", lambda a, s: a.avg("total_duration_ms")),
    BuiltinMetric("cost_total", "usd", "Total cost", lambda a, s: a.total("cost_usd")),
    BuiltinMetric("cost_avg", "usd", "Mean cost per execution", lambda a, s: a.avg("cost_usd")),
    BuiltinMetric("score_avg", "score", "Mean score", lambda a, s: a.avg("score"), True),
]
BUILTIN: dict[str, BuiltinMetric] = {m.name: m for m in _METRICS}


def is_builtin(name: str) -> bool:
    return name in BUILTIN


async def organization_prompt_ids(organization_id: int) -> list[int]:
    return await column(Prompt.filter(organization_id=organization_id).values_list("id", flat=True))


async def series(
    name: str, prompt_ids: Sequence[int], start: datetime, end: datetime, bucket: timedelta
) -> dict[int, list[tuple[datetime, float | None]]]:
    """Per prompt, one point per bucket over ``[start, end)`` (every bucket present; empty ones too)."""
    metric = BUILTIN[name]
    slices = await accumulate_slices(prompt_ids, start, end - timedelta(microseconds=1), bucket=bucket)
    out: dict[int, list[tuple[datetime, float | None]]] = {}
    for pid in prompt_ids:
        points = []
        t = start
        while t < end:
            seconds = (min(t + bucket, end) - t).total_seconds()
            points.append((t, metric.compute(slices.get((pid, None, t)) or Accumulator(), seconds)))
            t += bucket
        out[pid] = points
    return out


METRIC_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,99}$")  # built-in or recorded, as rules name them


def check_metric_name(name: str) -> str:
    """A pydantic validator body: the name, or a ValueError saying what a metric name may hold."""
    if not METRIC_NAME.match(name):
        raise ValueError("must start with a letter or _ and hold only letters, digits, _ . : - (max 100)")
    return name
