"""Compare two deployments: what changed (configuration, artifacts, prompt versions) and what it did.

Each deployment is measured over its *live window*: from the moment it finished to the next
deployment that went live in the same environment (or its own rollback), capped at a horizon
and at now.  Its figures are those of the prompt versions it ships, read from the rollups
(:func:`services.rollups.query.accumulate_slices`: counts, sums, sums of squares and latency
sketches), so a comparison over millions of executions never loads one.

Verdicts follow Argo Rollouts' analysis: each metric is ``successful``, ``failed`` or
``inconclusive``, and the run is the worst of its counted metrics.  Deployment 1 is the baseline
and deployment 2 the candidate.  For each metric:

1. fewer than ``min_samples`` on either side: ``inconclusive`` (too little data);
2. the threshold is met: ``successful``;
3. missed, and the candidate is significantly worse than the baseline (two-proportion z-test for
   the success rate, Welch's t-test on the means for latency, cost and score; p < ``alpha``):
   ``failed``;
4. missed but not significantly worse: ``inconclusive``.

Thresholds default like Flagger's (success rate >= 99 %, p99 latency at most 10 % above the
baseline's), plus cost per execution (+20 %) and score (-5 %); all are request parameters.  The
success rate and p99 latency always count; cost and score count when both sides have enough
samples (many prompts log neither).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise import connections

from models.deployments import Deployment
from services.analytics import ProportionTest, WelchTest, two_proportion_z_test, welch_t_test
from services.core.config import get_settings
from services.core.errors import BadRequest, FieldIssue, NotFound
from services.deployments.configuration_doc import diff, summarize
from services.deployments.schemas import (
    ArtifactChange,
    ArtifactDiff,
    ArtifactInfo,
    Comparison,
    ConfigurationDiff,
    DeploymentImpact,
    DeploymentSide,
    LiveWindow,
    MetricVerdict,
    PromptImpact,
    PromptVersionChange,
    PromptVersionDiff,
    ShippedPromptVersion,
    Thresholds,
    ValueAt,
    ValueChange,
    WindowMetrics,
)
from services.deployments.store import deployment_ref, deployment_row, load_artifacts, load_prompt_versions
from services.identity import Principal, require_admin
from services.metrics import BUILTIN
from services.rollups import Accumulator, accumulate_slices

LIVE = ("succeeded", "rolled_back")  # statuses of deployments that went live
DEFAULT_THRESHOLDS = Thresholds(
    min_success_rate=99.0,
    max_latency_p99_increase_pct=10.0,
    max_cost_increase_pct=20.0,
    max_score_decrease_pct=5.0,
    min_samples=30,
    alpha=0.05,
    horizon_hours=168,
)


# ------------------------------------------------------------------------------------------ windows


async def live_window(row: Deployment, horizon: timedelta, now: datetime) -> LiveWindow | None:
    """[finished, next live deployment in the environment | rollback | horizon | now]; None if it never went live."""
    if row.status not in LIVE or row.finished_at is None:
        return None
    following = (
        await Deployment.filter(
            environment_id=row.environment_id,
            status__in=LIVE,
            finished_at__gt=row.finished_at,
            organization_id=row.organization_id,
        )
        .order_by("finished_at", "id")
        .only("id", "finished_at")
        .first()
    )
    return window_of(row, (following.id, following.finished_at) if following is not None else None, horizon, now)


def window_of(
    row: Deployment, following: tuple[int, datetime | None] | None, horizon: timedelta, now: datetime
) -> LiveWindow | None:
    """The live window of ``row`` given the next live deployment of its environment (id, finish) if any."""
    if row.status not in LIVE or row.finished_at is None:
        return None
    start = row.finished_at
    ends: list[tuple[datetime, str, int | None]] = [(start + horizon, "horizon", None), (now, "now", None)]
    if following is not None and following[1] is not None:
        ends.append((following[1], "next_deployment", following[0]))
    if row.rolled_back_at is not None:
        ends.append((row.rolled_back_at, "rolled_back", None))
    end, reason, next_id = min(ends, key=lambda e: e[0])
    end = max(end, start)
    return LiveWindow(
        start=start,
        end=end,
        end_reason=reason,
        next_deployment_id=next_id,
        hours=(end - start).total_seconds() / 3600.0,
    )


_PG_NEXT_LIVE = """
SELECT d.id, n.id AS next_id, n.finished_at AS next_finished_at
FROM deployments d
JOIN LATERAL (
  SELECT x.id, x.finished_at FROM deployments x
  WHERE x.environment_id = d.environment_id AND x.organization_id = d.organization_id
    AND x.status IN ('succeeded', 'rolled_back') AND x.finished_at > d.finished_at
  ORDER BY x.finished_at, x.id LIMIT 1
) n ON true
WHERE d.id = ANY($1::int[]) AND d.organization_id = $2 AND d.status IN ('succeeded', 'rolled_back')
"""


async def _next_live(organization_id: int, ids: list[int]) -> dict[int, tuple[int, datetime | None]]:
    """Deployment id -> the next live deployment of its environment (id, finish), one statement for all.

    PostgreSQL buys: both windows' ends in one LATERAL statement run alongside the other reads, instead of
    one query per deployment after the deployments are loaded (:func:`live_window`, SQLite).
    """
    _, rows = await connections.get("default").execute_query(_PG_NEXT_LIVE, [ids, organization_id])
    return {r["id"]: (r["next_id"], r["next_finished_at"]) for r in rows}


async def window_accumulator(shipped: list[ShippedPromptVersion], window: LiveWindow) -> Accumulator:
    """The executions of exactly these (prompt, version) pairs inside the window, from the rollups."""
    total = Accumulator()
    if not shipped:
        return total
    pairs = {(s.prompt_id, s.version_hash) for s in shipped}
    slices = await accumulate_slices(
        sorted({p for p, _ in pairs}),
        window.start,
        window.end,
        by_version=True,
        version_hashes={v for _, v in pairs},
    )
    for (pid, vhash, _), acc in slices.items():
        if (pid, vhash or "") in pairs:
            total.merge(acc)
    return total


PERCENT = ("success_rate", "error_rate")  # built-in ratios this domain reports in %


def metric(name: str, acc: Accumulator) -> float | None:
    """The built-in metric ``name`` (:data:`services.metrics.BUILTIN`) of a window's executions.

    Rates are given in percent (``100 * value``): 0.0 when the window had executions but none
    finished yet, None without executions, as everywhere else.  None of the metrics used here
    depends on the window's length (only ``throughput`` does).
    """
    value = BUILTIN[name].compute(acc, 0.0)
    return 100.0 * value if value is not None and name in PERCENT else value


def window_metrics(acc: Accumulator) -> WindowMetrics:
    return WindowMetrics(
        executions=acc.count,
        successes=acc.success,
        failures=acc.failure,
        success_rate=metric("success_rate", acc),
        error_rate=metric("error_rate", acc),
        latency_avg=metric("latency_avg", acc),
        latency_p50=metric("latency_p50", acc),
        latency_p95=metric("latency_p95", acc),
        latency_p99=metric("latency_p99", acc),
        cost_per_execution=metric("cost_avg", acc),
        cost_total=round(metric("cost_total", acc) or 0.0, 8),
        score_avg=metric("score_avg", acc),
        scored=acc.n("score"),
    )


@dataclass
class _Measured:
    side: DeploymentSide
    acc: Accumulator | None


async def _measure(row: Deployment, shipped: list[ShippedPromptVersion], window: LiveWindow | None) -> _Measured:
    reason = None
    acc = None
    if window is None:
        reason = f"status is '{row.status}': the deployment never went live, so it has no live window"
    elif not shipped:
        reason = "the deployment ships no prompt versions, so no executions belong to it"
    else:
        acc = await window_accumulator(shipped, window)
    return _Measured(
        DeploymentSide(
            deployment=deployment_ref(row),
            window=window,
            metrics=window_metrics(acc) if acc is not None else None,
            unavailable_reason=reason,
        ),
        acc,
    )


# ------------------------------------------------------------------------------------------ diffs


def configuration_diff(old: dict, new: dict) -> ConfigurationDiff:  # type: ignore[type-arg]
    patch = diff(old, new)
    added, removed, changed = summarize(patch, old)
    return ConfigurationDiff(
        identical=not patch,
        added=[ValueAt(**a) for a in added],
        removed=[ValueAt(**r) for r in removed],
        changed=[ValueChange(**c) for c in changed],
        patch=patch,
    )


def artifact_diff(old: list[ArtifactInfo], new: list[ArtifactInfo]) -> ArtifactDiff:
    a = {(x.kind, x.name): x for x in old}
    b = {(x.kind, x.name): x for x in new}
    changed = [
        ArtifactChange(
            kind=k[0], name=k[1], old_ref=a[k].ref, new_ref=b[k].ref, old_digest=a[k].digest, new_digest=b[k].digest
        )
        for k in sorted(a.keys() & b.keys())
        if (a[k].ref, a[k].digest) != (b[k].ref, b[k].digest)
    ]
    return ArtifactDiff(
        added=[b[k] for k in sorted(b.keys() - a.keys())],
        removed=[a[k] for k in sorted(a.keys() - b.keys())],
        changed=changed,
        unchanged=len(a.keys() & b.keys()) - len(changed),
    )


def prompt_version_diff(old: list[ShippedPromptVersion], new: list[ShippedPromptVersion]) -> PromptVersionDiff:
    a = {x.prompt_id: x for x in old}
    b = {x.prompt_id: x for x in new}
    both = sorted(a.keys() & b.keys())
    return PromptVersionDiff(
        added=[b[k] for k in sorted(b.keys() - a.keys())],
        removed=[a[k] for k in sorted(a.keys() - b.keys())],
        changed=[
            PromptVersionChange(
                prompt_id=k,
                prompt_name=b[k].prompt_name,
                old_version_hash=a[k].version_hash,
                new_version_hash=b[k].version_hash,
            )
            for k in both
            if a[k].version_hash != b[k].version_hash
        ],
        unchanged=[b[k] for k in both if a[k].version_hash == b[k].version_hash],
    )


# ------------------------------------------------------------------------------------------ verdicts


def _welch(a: Accumulator, b: Accumulator, measure: str, alpha: float) -> WelchTest | None:
    ma, mb, va, vb = a.avg(measure), b.avg(measure), a.variance(measure), b.variance(measure)
    if ma is None or mb is None or va is None or vb is None:
        return None
    return welch_t_test(a.n(measure), ma, va, b.n(measure), mb, vb, alpha)


def _pct_change(old: float | None, new: float | None) -> float | None:
    if old is None or new is None or old == 0:
        return None
    return (new - old) / abs(old) * 100.0


def _judge(
    name: str,
    builtin: str,
    *,
    required: bool,
    baseline: float | None,
    candidate: float | None,
    n_baseline: int,
    n_candidate: int,
    threshold: str,
    met: bool | None,
    welch: WelchTest | None,
    proportion: ProportionTest | None,
    t: Thresholds,
) -> MetricVerdict:
    """The verdict ``name`` on the built-in metric ``builtin``, whose direction says which change is worse."""
    higher_is_worse = not BUILTIN[builtin].higher_is_better
    test = welch or proportion
    p_value = test.p_value if test is not None else None
    enough = min(n_baseline, n_candidate) >= t.min_samples
    if not enough:
        verdict = "inconclusive"
        reason = f"too little data: {n_baseline} vs {n_candidate} samples, at least {t.min_samples} per side needed"
    elif met:
        verdict, reason = "successful", f"threshold met ({threshold})"
    elif test is None:
        verdict, reason = "inconclusive", "threshold missed, but there is no variation to test"
    else:
        worse = test.difference > 0 if higher_is_worse else test.difference < 0
        if worse and test.p_value < t.alpha:
            verdict = "failed"
            reason = f"threshold missed ({threshold}) and significantly worse (p = {test.p_value:.3g} < {t.alpha})"
        else:
            verdict = "inconclusive"
            reason = f"threshold missed ({threshold}) but not significantly worse (p = {test.p_value:.3g})"
    return MetricVerdict(
        metric=name,
        verdict=verdict,
        required=required,
        counted=required or enough,
        baseline=baseline,
        candidate=candidate,
        change_pct=_pct_change(baseline, candidate),
        threshold=threshold,
        threshold_met=met,
        test="two_proportion_z" if builtin == "success_rate" else "welch_t",
        p_value=p_value,
        n_baseline=n_baseline,
        n_candidate=n_candidate,
        welch=welch,
        proportion=proportion,
        reason=reason,
    )


def _within(builtin: str, baseline: float | None, candidate: float | None, pct: float) -> bool | None:
    """Whether ``candidate`` is at most ``pct`` % worse than ``baseline``, in the metric's direction."""
    if baseline is None or candidate is None:
        return None
    if BUILTIN[builtin].higher_is_better:
        return candidate >= baseline - abs(baseline) * pct / 100.0
    return candidate <= baseline * (1 + pct / 100.0)  # the lower-is-better ones here (latency, cost) are >= 0


def verdicts(a: Accumulator, b: Accumulator, t: Thresholds) -> list[MetricVerdict]:
    """Baseline ``a`` against candidate ``b``: each value is its built-in metric (:func:`metric`)."""
    out = []
    na, nb = a.success + a.failure, b.success + b.failure
    rate_a, rate_b = metric("success_rate", a), metric("success_rate", b)
    out.append(
        _judge(
            "success_rate",
            "success_rate",
            required=True,
            baseline=rate_a,
            candidate=rate_b,
            n_baseline=na,
            n_candidate=nb,
            threshold=f"success rate >= {t.min_success_rate:g} %",
            met=rate_b >= t.min_success_rate if rate_b is not None else None,
            welch=None,
            proportion=two_proportion_z_test(a.success, na, b.success, nb, t.alpha),
            t=t,
        )
    )
    p99_a, p99_b = metric("latency_p99", a), metric("latency_p99", b)
    out.append(
        _judge(
            "latency_p99",
            "latency_p99",
            required=True,
            baseline=p99_a,
            candidate=p99_b,
            n_baseline=a.n("latency_ms"),
            n_candidate=b.n("latency_ms"),
            threshold=f"p99 latency <= baseline + {t.max_latency_p99_increase_pct:g} %",
            met=_within("latency_p99", p99_a, p99_b, t.max_latency_p99_increase_pct),
            welch=_welch(a, b, "latency_ms", t.alpha),
            proportion=None,
            t=t,
        )
    )
    cost_a, cost_b = metric("cost_avg", a), metric("cost_avg", b)
    out.append(
        _judge(
            "cost_per_execution",
            "cost_avg",
            required=False,
            baseline=cost_a,
            candidate=cost_b,
            n_baseline=a.n("cost_usd"),
            n_candidate=b.n("cost_usd"),
            threshold=f"cost per execution <= baseline + {t.max_cost_increase_pct:g} %",
            met=_within("cost_avg", cost_a, cost_b, t.max_cost_increase_pct),
            welch=_welch(a, b, "cost_usd", t.alpha),
            proportion=None,
            t=t,
        )
    )
    score_a, score_b = metric("score_avg", a), metric("score_avg", b)
    out.append(
        _judge(
            "score",
            "score_avg",
            required=False,
            baseline=score_a,
            candidate=score_b,
            n_baseline=a.n("score"),
            n_candidate=b.n("score"),
            threshold=f"score >= baseline - {t.max_score_decrease_pct:g} %",
            met=_within("score_avg", score_a, score_b, t.max_score_decrease_pct),
            welch=_welch(a, b, "score", t.alpha),
            proportion=None,
            t=t,
        )
    )
    return out


def overall(items: list[MetricVerdict]) -> tuple[str, str]:
    counted = [v for v in items if v.counted]
    failed = [v.metric for v in counted if v.verdict == "failed"]
    if failed:
        return "failed", f"failed: {', '.join(failed)}"
    unsure = [v.metric for v in counted if v.verdict == "inconclusive"]
    if unsure:
        return "inconclusive", f"inconclusive: {', '.join(unsure)}"
    return "successful", f"every counted metric passed: {', '.join(v.metric for v in counted)}"


# ------------------------------------------------------------------------------------------ compare


async def compare(
    principal: Principal,
    deployment_id1: int,
    deployment_id2: int,
    thresholds: Thresholds | None = None,
    now: datetime | None = None,
) -> Comparison:
    """Deployment 1 (baseline) against deployment 2 (candidate), both of the caller's organization."""
    (result,) = await comparisons(principal, [(deployment_id1, deployment_id2)], thresholds, now)
    if isinstance(result, Exception):
        raise result
    return result


async def comparisons(
    principal: Principal,
    pairs: Sequence[tuple[int, int]],
    thresholds: Thresholds | None = None,
    now: datetime | None = None,
    fields: tuple[str, str] = ("deployment_id1", "deployment_id2"),
) -> list[Comparison | Exception]:
    """:func:`compare` of many (baseline, candidate) pairs, each answer or its error (a GraphQL list's
    ``comparison(with:)``: every row against the same deployment).  Rows, artifacts, shipped versions
    and windows' ends are one statement each for all of them, and each deployment's window is read
    once however many pairs it is in.  ``fields``: what the errors call the two ids."""
    principal = require_admin(principal)
    t = thresholds or DEFAULT_THRESHOLDS
    now = (now or datetime.now(UTC)).astimezone(UTC)
    ids = list(dict.fromkeys(i for pair in pairs for i in pair))
    org = principal.organization_id
    horizon = timedelta(hours=t.horizon_hours)
    # everything but the figures in one round of concurrent statements (a pooled connection each on
    # PostgreSQL), scoped to the caller's organization by each statement itself
    postgres = get_settings().is_postgres
    rows, artifact_lists, shipped_lists, following = await asyncio.gather(
        Deployment.filter(id__in=ids, organization_id=org),
        load_artifacts(principal, ids),
        load_prompt_versions(principal, ids),
        _next_live(org, ids) if postgres else asyncio.sleep(0, {}),
    )
    found = {r.id: r for r in rows}
    artifacts = dict(zip(ids, artifact_lists, strict=True))
    shipped = dict(zip(ids, shipped_lists, strict=True))
    present = [found[i] for i in ids if i in found]
    windows = await _live_windows(org, present, horizon, now, following if postgres else None)
    sides = await asyncio.gather(*(_measure(r, shipped[r.id], w) for r, w in zip(present, windows, strict=True)))
    measured = {r.id: side for r, side in zip(present, sides, strict=True)}
    out: list[Comparison | Exception] = []
    for first_id, second_id in pairs:
        missing = next((k for k, i in enumerate((first_id, second_id)) if i not in found), None)
        if first_id == second_id:
            out.append(BadRequest("Compare two different deployments", [FieldIssue(fields[1], f"same as {fields[0]}")]))
        elif missing is not None:  # another organization's is not found either
            wanted = (first_id, second_id)[missing]
            out.append(NotFound(f"Deployment not found: {wanted}", [FieldIssue(fields[missing], "no such deployment")]))
        else:
            first, second = found[first_id], found[second_id]
            out.append(
                _comparison(
                    first,
                    second,
                    measured[first_id],
                    measured[second_id],
                    (artifacts[first_id], artifacts[second_id]),
                    (shipped[first_id], shipped[second_id]),
                    t,
                )
            )
    return out


def _comparison(
    first: Deployment,
    second: Deployment,
    base: _Measured,
    cand: _Measured,
    artifacts: tuple[list[ArtifactInfo], list[ArtifactInfo]],
    shipped: tuple[list[ShippedPromptVersion], list[ShippedPromptVersion]],
    t: Thresholds,
) -> Comparison:
    if base.acc is not None and cand.acc is not None:
        items = verdicts(base.acc, cand.acc, t)
    else:
        items = verdicts(base.acc or Accumulator(), cand.acc or Accumulator(), t)
        missing = base.side.unavailable_reason or cand.side.unavailable_reason or ""
        for v in items:
            v.verdict, v.reason = "inconclusive", f"no live-window data: {missing}"
    verdict, reason = overall(items)
    return Comparison(
        baseline=base.side,
        candidate=cand.side,
        same_environment=first.environment_id == second.environment_id,
        configuration=configuration_diff(first.configuration, second.configuration),
        artifacts=artifact_diff(artifacts[0], artifacts[1]),
        prompt_versions=prompt_version_diff(shipped[0], shipped[1]),
        thresholds=t,
        verdicts=items,
        overall_verdict=verdict,
        overall_reason=reason,
    )


# ------------------------------------------------------------------------------------------ before / after


async def impact(
    principal: Principal, deployment_id: int, thresholds: Thresholds | None = None, now: datetime | None = None
) -> DeploymentImpact:
    """What one deployment did to each prompt it ships: the prompt (all its versions, as its users saw it)
    over its live window against the same length just before the deployment finished, with verdicts."""
    principal = require_admin(principal)
    row = await deployment_row(principal, deployment_id)
    return (await _impacts_of(principal, [row], thresholds, now))[0]


async def impacts(
    principal: Principal,
    deployment_ids: Sequence[int],
    thresholds: Thresholds | None = None,
    now: datetime | None = None,
) -> list[DeploymentImpact | None]:
    """:func:`impact` of many deployments (None for one that is not the caller's): a GraphQL list's
    ``impact`` field.  The deployments, what they ship and where their windows end are one statement
    each for all of them; only the two window reads are per deployment, since every window differs."""
    principal = require_admin(principal)
    rows = {
        r.id: r
        for r in await Deployment.filter(id__in=list(set(deployment_ids)), organization_id=principal.organization_id)
    }
    found = [rows[i] for i in dict.fromkeys(deployment_ids) if i in rows]
    by_id = {r.id: m for r, m in zip(found, await _impacts_of(principal, found, thresholds, now), strict=True)}
    return [by_id.get(i) for i in deployment_ids]


async def _live_windows(
    organization_id: int,
    rows: Sequence[Deployment],
    horizon: timedelta,
    now: datetime,
    following: dict[int, tuple[int, datetime | None]] | None = None,
) -> list[LiveWindow | None]:
    """Each row's live window: one statement for all on PostgreSQL (``following``: its answer, when
    already read alongside other statements), one per row elsewhere."""
    if not get_settings().is_postgres:
        return list(await asyncio.gather(*(live_window(r, horizon, now) for r in rows)))
    if following is None:
        following = await _next_live(organization_id, [r.id for r in rows])
    return [window_of(r, following.get(r.id), horizon, now) for r in rows]


async def _impacts_of(
    principal: Principal, rows: Sequence[Deployment], thresholds: Thresholds | None, now: datetime | None
) -> list[DeploymentImpact]:
    t = thresholds or DEFAULT_THRESHOLDS
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if not rows:
        return []
    ids = [r.id for r in rows]
    shipped, windows = await asyncio.gather(
        load_prompt_versions(principal, ids, checked=True),
        _live_windows(principal.organization_id, rows, timedelta(hours=t.horizon_hours), now),
    )
    return list(
        await asyncio.gather(*(_impact(row, s, w, t) for row, s, w in zip(rows, shipped, windows, strict=True)))
    )


async def _impact(
    row: Deployment, shipped: list[ShippedPromptVersion], window: LiveWindow | None, t: Thresholds
) -> DeploymentImpact:
    ref = deployment_ref(row)
    if window is None or not shipped:
        reason = (
            f"status is '{row.status}': the deployment never went live"
            if window is None
            else "the deployment ships no prompt versions"
        )
        start = row.finished_at or row.created_at
        return DeploymentImpact(
            deployment=ref,
            before_start=start,
            after_end=start,
            hours=0.0,
            thresholds=t,
            prompts=[],
            unavailable_reason=reason,
        )
    length = window.end - window.start
    before_start = window.start - length
    ids = [s.prompt_id for s in shipped]
    before, after = await asyncio.gather(
        accumulate_slices(ids, before_start, window.start - timedelta(microseconds=1)),
        accumulate_slices(ids, window.start, window.end),
    )
    prompts = []
    for s in shipped:
        a = before.get((s.prompt_id, None, None)) or Accumulator()
        b = after.get((s.prompt_id, None, None)) or Accumulator()
        items = verdicts(a, b, t)
        verdict, reason = overall(items)
        prompts.append(
            PromptImpact(
                prompt_id=s.prompt_id,
                prompt_name=s.prompt_name,
                version_hash=s.version_hash,
                before=window_metrics(a),
                after=window_metrics(b),
                verdicts=items,
                overall_verdict=verdict,
                overall_reason=reason,
            )
        )
    return DeploymentImpact(
        deployment=ref,
        before_start=before_start,
        after_end=window.end,
        hours=window.hours,
        thresholds=t,
        prompts=prompts,
        unavailable_reason=None,
    )
