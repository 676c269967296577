"""Key performance indicators of a set of executions, and period-over-period deltas.

Every value is a built-in metric (:mod:`services.metrics.builtin`) computed from the
same accumulators charts and alert rules use, so a KPI here equals the chart point
and the alert value for the same window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from services.analytics.schemas import Delta, KpiComparison, Kpis
from services.metrics import BUILTIN
from services.rollups import Accumulator, SliceKey

COMPARED = (
    "executions",
    "success_rate",
    "error_rate",
    "throughput",
    "latency_avg",
    "latency_p50",
    "latency_p95",
    "latency_p99",
    "cost_total",
    "cost_avg",
    "score_avg",
)


def merged(accumulators: Iterable[Accumulator]) -> Accumulator:
    total = Accumulator()
    for acc in accumulators:
        total.merge(acc)
    return total


def metric_value(name: str, acc: Accumulator, seconds: float) -> float | None:
    return BUILTIN[name].compute(acc, seconds)


def kpis_of(slices: Mapping[SliceKey, Accumulator], seconds: float) -> Kpis:
    """KPIs of slices keyed by (prompt, version, _): totals merged, active prompts/versions counted."""
    live = {k: acc for k, acc in slices.items() if acc.count}
    return kpis_from(merged(live.values()), seconds, len({k[0] for k in live}), len({(k[0], k[1]) for k in live}))


def kpis_from(acc: Accumulator, seconds: float, active_prompts: int, active_versions: int) -> Kpis:
    values = {name: metric_value(name, acc, seconds) for name in COMPARED}
    values["executions"] = acc.count
    values["cost_total"] = round(acc.total("cost_usd"), 8)
    return Kpis(
        successes=acc.success,
        failures=acc.failure,
        active_prompts=active_prompts,
        active_versions=active_versions,
        **values,
    )


def delta(metric: str, current: float | None, previous: float | None) -> Delta:
    absolute = current - previous if current is not None and previous is not None else None
    percent = absolute / abs(previous) * 100.0 if absolute is not None and previous else None
    return Delta(
        metric=metric,
        current=current,
        previous=previous,
        absolute=absolute,
        percent=percent,
        higher_is_better=metric in BUILTIN and BUILTIN[metric].higher_is_better,  # active_prompts: neither
    )


def compare(current: Kpis, previous: Kpis) -> KpiComparison:
    deltas = [delta(m, getattr(current, m), getattr(previous, m)) for m in (*COMPARED, "active_prompts")]
    return KpiComparison(current=current, previous=previous, deltas=deltas)


def per_prompt(slices: dict[SliceKey, Accumulator]) -> dict[int, tuple[Accumulator, int]]:
    """Merge version slices per prompt: (accumulator, versions with executions)."""
    out: dict[int, tuple[Accumulator, int]] = {}
    for (pid, _, _), acc in slices.items():
        if not acc.count:
            continue
        total, versions = out.get(pid, (Accumulator(), 0))
        out[pid] = (total.merge(acc), versions + 1)
    return out
