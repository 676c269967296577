"""A prompt's performance report: versions, an A/B test, quality trend, peer benchmark.

All numbers come from rollup reads (:func:`accumulate_slices`): per-version slices for
the performance table and the A/B test (means and sample variances from the stored
sums of squares, so Welch's test is exact over any number of executions), a bucketed
read for the trend, and one read over the organization's prompts for benchmarking.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from models.prompts import PromptVersion
from services.analytics.kpis import metric_value
from services.analytics.schemas import AbTest, Benchmark, PromptReport, QualityTrend, VersionPerformance, WelchTest
from services.analytics.scope import organization_prompts
from services.analytics.stats import percentile_rank, two_proportion_z_test, welch_t_test
from services.analytics.timeseries import with_trend
from services.analytics.windows import WINDOWS, buckets_for, checked, window
from services.catalog import get_prompt_row
from services.core.errors import BadRequest
from services.identity import Principal, require_admin
from services.metrics import BUILTIN
from services.rollups import DAY, Accumulator, accumulate_slices

MIN_SAMPLES = 30  # per arm; below this the A/B result carries a warning
BENCHMARK_METRICS = ("score_avg", "latency_p95", "error_rate", "cost_avg")


def version_performance(vhash: str, acc: Accumulator, seconds: float, seen: PromptVersion | None) -> VersionPerformance:
    """A version's row of the report: each figure is its built-in metric (total cost rounded to 8 digits)."""

    def value(name: str) -> float | None:
        return metric_value(name, acc, seconds)

    return VersionPerformance(
        version_hash=vhash,
        first_seen_at=seen.first_seen_at if seen else None,
        last_seen_at=seen.last_seen_at if seen else None,
        executions=acc.count,
        successes=acc.success,
        failures=acc.failure,
        success_rate=value("success_rate"),
        error_rate=value("error_rate"),
        latency_avg=value("latency_avg"),
        latency_p50=value("latency_p50"),
        latency_p95=value("latency_p95"),
        cost_avg=value("cost_avg"),
        cost_total=round(value("cost_total") or 0.0, 8),
        score_avg=value("score_avg"),
        scored=acc.n("score"),
    )


def _welch(a: Accumulator, b: Accumulator, measure: str) -> WelchTest | None:
    ma, mb = a.avg(measure), b.avg(measure)
    va, vb = a.variance(measure), b.variance(measure)
    if ma is None or mb is None or va is None or vb is None:
        return None
    return welch_t_test(a.n(measure), ma, va, b.n(measure), mb, vb)


def ab_test(version_a: str, version_b: str, a: Accumulator, b: Accumulator, selection: str) -> AbTest:
    warnings = []
    for label, measure in (("score", "score"), ("latency", "latency_ms")):
        if min(a.n(measure), b.n(measure)) < MIN_SAMPLES:
            warnings.append(
                f"{label}: {a.n(measure)} vs {b.n(measure)} samples; at least {MIN_SAMPLES} per version "
                "are needed for a reliable result"
            )
    if min(a.success + a.failure, b.success + b.failure) < MIN_SAMPLES:
        warnings.append(
            f"success rate: {a.success + a.failure} vs {b.success + b.failure} finished executions; "
            f"at least {MIN_SAMPLES} per version are needed for a reliable result"
        )
    score, latency = _welch(a, b, "score"), _welch(a, b, "latency_ms")
    rate = two_proportion_z_test(a.success, a.success + a.failure, b.success, b.success + b.failure)
    if score is None:
        warnings.append("score: not enough scored executions (or no variance) to test")
    if latency is None:
        warnings.append("latency: not enough executions with a latency (or no variance) to test")
    if rate is None:
        warnings.append("success rate: no finished executions on one side, or no variation to test")
    return AbTest(
        version_a=version_a,
        version_b=version_b,
        selection=selection,
        executions_a=a.count,
        executions_b=b.count,
        min_samples=MIN_SAMPLES,
        score=score,
        latency=latency,
        success_rate=rate,
        warnings=warnings,
    )


def benchmark(metric: str, own: float | None, peer_values: Sequence[float]) -> Benchmark:
    higher = BUILTIN[metric].higher_is_better
    if own is None or not peer_values:
        return Benchmark(
            metric=metric,
            value=own,
            higher_is_better=higher,
            peers=len(peer_values),
            percentile_rank=None,
            better_than_pct=None,
            organization_median=_median(peer_values),
        )
    others = len(peer_values) - 1
    beaten = sum(1 for v in peer_values if (v < own if higher else v > own))
    return Benchmark(
        metric=metric,
        value=own,
        higher_is_better=higher,
        peers=len(peer_values),
        percentile_rank=percentile_rank(own, peer_values),
        better_than_pct=beaten / others * 100.0 if others else None,
        organization_median=_median(peer_values),
    )


def _median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2.0


async def prompt_report(
    principal: Principal,
    prompt_id: int | str,
    time_window: str = "30d",
    version_a: str | None = None,
    version_b: str | None = None,
    now: datetime | None = None,
) -> PromptReport:
    principal = require_admin(principal)
    time_window = checked(time_window)
    prompt = await get_prompt_row(principal, prompt_id)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    win = window(time_window, now)
    seen = {v.version_hash: v for v in await PromptVersion.filter(prompt_id=prompt.id)}
    for field, requested in (("version_a", version_a), ("version_b", version_b)):
        if requested is not None and requested not in seen:
            raise BadRequest.field(field, f"prompt {prompt.id} has no version '{requested}'")
    if version_a is not None and version_a == version_b:
        raise BadRequest.field("version_b", "version_b must differ from version_a")

    slices, trend, peers = await asyncio.gather(
        accumulate_slices([prompt.id], win.start, win.end, by_version=True),
        quality_trend(prompt.id, time_window, now),
        benchmarks(principal.organization_id, prompt.id, win.start, win.end),
    )
    by_version = {k[1] or "": acc for k, acc in slices.items() if acc.count}
    ranked = sorted(by_version, key=lambda v: (-by_version[v].count, v))
    versions = [version_performance(v, by_version[v], win.seconds, seen.get(v)) for v in ranked]

    ab, reason = None, None
    if version_a or version_b:
        a = version_a or next((v for v in ranked if v != version_b), None)
        b = version_b or next((v for v in ranked if v != version_a), None)
        selection = "requested"
    else:
        a, b = (ranked[0], ranked[1]) if len(ranked) >= 2 else (None, None)
        selection = "most_used"
    if a is None or b is None:
        reason = "needs two versions with executions in the window"
    else:
        ab = ab_test(a, b, by_version.get(a) or Accumulator(), by_version.get(b) or Accumulator(), selection)

    return PromptReport(
        prompt_id=prompt.id,
        prompt_uuid=str(prompt.uuid),
        prompt_name=prompt.name,
        time_window=time_window,
        period_start=win.start,
        period_end=win.end,
        executions=sum(acc.count for acc in by_version.values()),
        versions=versions,
        ab_test=ab,
        ab_test_unavailable_reason=reason,
        quality_trend=trend,
        benchmarks=peers,
    )


async def quality_trend(prompt_id: int, time_window: str, now: datetime) -> QualityTrend:
    """Daily score and success rate (finer buckets for windows under a week)."""
    size = DAY if WINDOWS[time_window] >= timedelta(days=7) else None
    b = buckets_for(time_window, now, size)
    slices = await accumulate_slices([prompt_id], b.start, b.end - timedelta(microseconds=1), bucket=b.size)
    accs = [slices.get((prompt_id, None, t)) or Accumulator() for t in b.timestamps]
    seconds = b.size.total_seconds()
    scores = [metric_value("score_avg", acc, seconds) for acc in accs]
    rates = [metric_value("success_rate", acc, seconds) for acc in accs]
    score_trend, _ = with_trend(b, scores)
    rate_trend, _ = with_trend(b, rates)
    return QualityTrend(
        bucket_seconds=int(b.size.total_seconds()),
        timestamps=b.timestamps,
        executions=[acc.count for acc in accs],
        score_avg=scores,
        success_rate=rates,
        score_trend=score_trend,
        success_rate_trend=rate_trend,
    )


async def benchmarks(organization_id: int, prompt_id: int, start: datetime, end: datetime) -> list[Benchmark]:
    """Percentile rank of this prompt among the organization's prompts active in the window."""
    ids = list(await organization_prompts(organization_id))
    slices = await accumulate_slices(ids, start, end)
    seconds = (end - start).total_seconds()
    out = []
    for metric in BENCHMARK_METRICS:
        values = {k[0]: metric_value(metric, acc, seconds) for k, acc in slices.items() if acc.count}
        peers = [v for v in values.values() if v is not None]
        out.append(benchmark(metric, values.get(prompt_id), peers))
    return out
