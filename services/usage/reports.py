"""What an organization used and spent: the aggregate against its plan, costs with breakdowns and
a projection, the raw logs and request pages, and a prompt version's cost.

Aggregate and costs read rollup slices (:mod:`services.usage.rollups`), so they cost a few
hundred rows per month of data however many events there were.  Logs and request pages read raw
events through the ``(organization, user, occurred_at)`` and ``(organization, occurred_at)``
indexes, newest first.  Every figure is the organization's own; request lists are the caller's
own unless an admin widens them to the organization.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from models.usage import UsageEvent
from services.analytics import least_squares
from services.core.errors import BadRequest
from services.core.pagination import Pagination
from services.identity import Principal, Role, require_authenticated, require_role
from services.usage import rollups
from services.usage.plans import Plan, plan_of, window
from services.usage.schemas import (
    RESOURCE_TYPES,
    UNITS,
    BudgetStatus,
    DayCost,
    ModelCost,
    Progress,
    Projection,
    PromptCost,
    PromptVersionCost,
    ProviderCost,
    RequestPage,
    ResourceUsage,
    UsageAggregate,
    UsageCosts,
    UsageLogs,
    UsageRecord,
    UsageTotals,
    UserCost,
)

StatusName = Literal["ok", "warning", "critical", "exceeded", "unlimited"]
_COLORS: dict[str, Literal["green", "yellow", "orange", "red", "gray"]] = {
    "ok": "green",
    "warning": "yellow",
    "critical": "orange",
    "exceeded": "red",
    "unlimited": "gray",
}
PERIODS = ("current", "last_30_days", "all_time")
COST_PERIODS = ("current", "last_30_days")
TREND_DAYS = 7


def status_of(percent: float | None, thresholds: list[int]) -> StatusName:
    """ok below the first threshold, warning from it, critical from the one before 100 %, exceeded at 100 %."""
    if percent is None:
        return "unlimited"
    if percent >= 100:
        return "exceeded"
    below = sorted(t for t in thresholds if t < 100) or [80]
    if len(below) >= 2 and percent >= below[-1]:
        return "critical"
    if percent >= below[0]:
        return "warning"
    return "ok"


def _progress(used: float, limit: float | None, thresholds: list[int], unit: str) -> Progress:
    percent = used / limit * 100 if limit else (None if limit is None else (100.0 if used > 0 else 0.0))
    status = status_of(percent, thresholds)
    label = f"{used:,.2f} {unit}" if limit is None else f"{used:,.2f} / {limit:,.2f} {unit}"
    return Progress(
        value=used,
        max=limit,
        percent=None if percent is None else round(percent, 4),
        bar_percent=0.0 if percent is None else round(min(100.0, max(0.0, percent)), 2),
        color=_COLORS[status],
        label=label,
    )


def check_choice(value: str, allowed: tuple[str, ...], field: str) -> str:
    """``value`` if it is one of ``allowed``, else the envelope's 400 naming ``field``."""
    if value not in allowed:
        raise BadRequest.field(field, f"{field} must be one of {', '.join(allowed)}")
    return value


async def aggregate(principal: Principal, period: str = "current") -> UsageAggregate:
    """Per resource type: used, limit, percent, status and a progress bar; totals and the budget."""
    principal = require_authenticated(principal)
    check_choice(period, PERIODS, "period")
    org = principal.organization_id
    plan = await plan_of(org)
    start, end = window(period, plan)
    slices = await rollups.read(org, "resource", start)
    with_limits = period != "all_time"
    resources = []
    totals = rollups.Slice("total")
    for resource in RESOURCE_TYPES:
        s = slices.get((resource, None)) or rollups.Slice(resource)
        totals.add_row({**s.sums(), "latency": None}, False)
        limit = plan.limits.get(resource) if with_limits else None
        progress = _progress(s.quantity, limit, plan.thresholds, UNITS[resource])
        resources.append(
            ResourceUsage(
                resource_type=resource,
                unit=UNITS[resource],
                used=s.quantity,
                limit=limit,
                remaining=None if limit is None else max(0.0, limit - s.quantity),
                percent=progress.percent,
                status=status_of(progress.percent, plan.thresholds),
                requests=s.requests,
                cost_usd=round(s.cost_usd, 10),
                progress=progress,
            )
        )
    budget = plan.budget_usd if with_limits else None
    spent = round(totals.cost_usd, 10)
    budget_bar = _progress(spent, budget, plan.thresholds, "USD")
    return UsageAggregate(
        period=period,
        period_start=start,
        period_end=end,
        plan_name=plan.name,
        resources=resources,
        totals=UsageTotals(
            requests=totals.requests,
            errors=totals.errors,
            input_tokens=totals.input_tokens,
            output_tokens=totals.output_tokens,
            cached_tokens=totals.cached_tokens,
            reasoning_tokens=totals.reasoning_tokens,
            cost_usd=spent,
        ),
        budget=BudgetStatus(
            budget_usd=budget,
            spent_usd=spent,
            remaining_usd=None if budget is None else round(budget - spent, 10),
            percent=budget_bar.percent,
            status=status_of(budget_bar.percent, plan.thresholds),
            progress=budget_bar,
        ),
        thresholds=plan.thresholds,
        generated_at=datetime.now(UTC),
    )


def _share(part: float, whole: float) -> float:
    return round(part / whole * 100, 4) if whole > 0 else 0.0


def project(
    daily: dict[date, float], start: datetime, end: datetime, now: datetime, budget: float | None, thresholds: list[int]
) -> Projection:
    """Spend at the end of ``[start, end)``: what is spent plus the remaining days at the recent
    daily rate, moved along the least-squares trend of the daily costs (never below zero)."""
    spent = sum(daily.values())
    elapsed = max(0.0, min((now - start).total_seconds(), (end - start).total_seconds())) / 86400
    remaining = max(0.0, (end - now).total_seconds() / 86400)
    today = now.date()
    full_days = [start.date() + timedelta(days=i) for i in range(math.floor(elapsed))]
    full_days = [d for d in full_days if d < today]
    recent = full_days[-TREND_DAYS:]
    if recent:
        rate = sum(daily.get(d, 0.0) for d in recent) / len(recent)
    else:
        rate = spent / elapsed if elapsed > 0 else 0.0  # the first day: what today's hours say
    fit = least_squares([float(i) for i in range(len(full_days))], [daily.get(d, 0.0) for d in full_days])
    slope = fit.slope if fit is not None else 0.0
    projected = spent
    exhausted_on: date | None = None
    if budget is not None and spent >= budget > 0:
        exhausted_on = today
    whole, part = int(remaining), remaining - int(remaining)
    for i in range(1, whole + 2):
        share = 1.0 if i <= whole else part
        if share <= 0:
            break
        projected += max(0.0, rate + slope * i) * share
        if exhausted_on is None and budget is not None and budget > 0 and projected >= budget:
            exhausted_on = today + timedelta(days=i)
    percent = projected / budget * 100 if budget else None
    return Projection(
        method=f"linear: mean of the last {len(recent) or 0} full days plus the least-squares trend",
        days_elapsed=round(elapsed, 4),
        days_remaining=round(remaining, 4),
        daily_rate_usd=round(rate, 10),
        trend_usd_per_day=round(slope, 10),
        projected_total_usd=round(projected, 10),
        budget_usd=budget,
        projected_percent_of_budget=None if percent is None else round(percent, 4),
        projected_status=status_of(percent, thresholds),
        budget_exhausted_on=exhausted_on,
    )


async def costs(principal: Principal, period: str = "current") -> UsageCosts:
    """Total cost with breakdowns by model, provider, day, user and prompt, and the projection."""
    principal = require_authenticated(principal)
    check_choice(period, COST_PERIODS, "period")
    org = principal.organization_id
    plan = await plan_of(org)
    start, end = window(period, plan)
    assert start is not None
    now = datetime.now(UTC)
    wants = [("resource", True, False), ("model", False, True), ("user", False, False), ("prompt", False, False)]
    by_resource_day, models, users, prompts = await rollups.read_many(org, start, wants)
    daily: dict[date, list[float]] = {}
    for (_, day), s in by_resource_day.items():
        assert day is not None
        acc = daily.setdefault(day, [0, 0.0])
        acc[0] += s.requests
        acc[1] += s.cost_usd
    total = sum(v[1] for v in daily.values())
    requests = int(sum(v[0] for v in daily.values()))
    by_model = []
    providers: dict[str, list[float]] = {}
    for (k, _), s in models.items():
        provider, model = rollups.split(k)
        by_model.append(
            ModelCost(
                model=model,
                provider=provider,
                requests=s.requests,
                errors=s.errors,
                input_tokens=s.input_tokens,
                output_tokens=s.output_tokens,
                cached_tokens=s.cached_tokens,
                reasoning_tokens=s.reasoning_tokens,
                cost_usd=round(s.cost_usd, 10),
                share_percent=_share(s.cost_usd, total),
                latency_avg_ms=s.latency_avg_ms,
                latency_p50_ms=s.latency.quantile(0.5),
                latency_p95_ms=s.latency.quantile(0.95),
            )
        )
        p = providers.setdefault(provider, [0, 0.0])
        p[0] += s.requests
        p[1] += s.cost_usd
    by_user_acc: dict[str, list[float]] = {}
    for (k, _), s in users.items():
        user, _resource = rollups.split(k)
        u = by_user_acc.setdefault(user, [0, 0.0])
        u[0] += s.requests
        u[1] += s.cost_usd
    by_prompt = []
    for (k, _), s in prompts.items():
        prompt_id, version = rollups.split(k)
        by_prompt.append(
            PromptCost(
                prompt_id=int(prompt_id),
                version_hash=version or None,
                requests=s.requests,
                input_tokens=s.input_tokens,
                output_tokens=s.output_tokens,
                cost_usd=round(s.cost_usd, 10),
                share_percent=_share(s.cost_usd, total),
            )
        )
    by_day = [DayCost(date=d, requests=int(v[0]), cost_usd=round(v[1], 10)) for d, v in sorted(daily.items())]
    budget = plan.budget_usd
    return UsageCosts(
        period=period,
        period_start=start,
        period_end=end,
        total_usd=round(total, 10),
        requests=requests,
        by_model=sorted(by_model, key=lambda m: (-m.cost_usd, m.model)),
        by_provider=sorted(
            (
                ProviderCost(
                    provider=p, requests=int(v[0]), cost_usd=round(v[1], 10), share_percent=_share(v[1], total)
                )
                for p, v in providers.items()
            ),
            key=lambda p: (-p.cost_usd, p.provider),
        ),
        by_day=by_day,
        by_user=sorted(
            (
                UserCost(
                    user_id=int(u) if u else None,
                    requests=int(v[0]),
                    cost_usd=round(v[1], 10),
                    share_percent=_share(v[1], total),
                )
                for u, v in by_user_acc.items()
            ),
            key=lambda u: (-u.cost_usd, u.user_id or 0),
        ),
        by_prompt=sorted(by_prompt, key=lambda p: (-p.cost_usd, p.prompt_id, p.version_hash or "")),
        projection=project(
            {d: v[1] for d, v in daily.items()},
            start,
            end if period == "current" else now,
            now,
            budget if period == "current" else None,
            plan.thresholds,
        ),
        generated_at=now,
    )


async def period_spend(organization_id: int, plan: Plan, now: datetime | None = None) -> tuple[datetime, float]:
    """The current period's start and its spend so far (what budget checks compare)."""
    start, _ = window("current", plan, now)
    assert start is not None
    slices = await rollups.read(organization_id, "resource", start)
    return start, sum(s.cost_usd for s in slices.values())


# --------------------------------------------------------------------------- raw events

RECORD_FIELDS = (
    "event_id",
    "resource_type",
    "provider",
    "model",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "reasoning_tokens",
    "quantity",
    "latency_ms",
    "status",
    "cost_usd",
    "cost_source",
    "user_id",
    "api_key_id",
    "prompt_id",
    "version_hash",
    "request_id",
    "occurred_at",
)


def record(row: dict[str, Any]) -> UsageRecord:
    return UsageRecord(**{**row, "event_id": str(row["event_id"]), "cost_usd": float(row["cost_usd"])})


MAX_LOG_DAYS = 90
MAX_LOG_LIMIT = 1000


async def logs(principal: Principal, days: int = 7, resource_type: str = "all", limit: int = 100) -> UsageLogs:
    """The caller's own usage events of the last ``days`` days, newest first."""
    principal = require_authenticated(principal)
    check_choice(resource_type, ("all", *RESOURCE_TYPES), "resource_type")
    since = datetime.now(UTC) - timedelta(days=days)
    query = UsageEvent.filter(
        organization_id=principal.organization_id, user_id=principal.user_id, occurred_at__gte=since
    )
    if resource_type != "all":
        query = query.filter(resource_type=resource_type)
    rows = await query.order_by("-occurred_at", "-id").limit(limit + 1).values(*RECORD_FIELDS)
    items = [record(r) for r in rows[:limit]]
    return UsageLogs(
        items=items, count=len(items), days=days, resource_type=resource_type, limit=limit, truncated=len(rows) > limit
    )


MAX_PER_PAGE = 100


async def requests_page(principal: Principal, page: int = 1, per_page: int = 20, scope: str = "self") -> RequestPage:
    """LLM requests, newest first: the caller's own, or (admins) the whole organization's."""
    principal = require_authenticated(principal)
    check_choice(scope, ("self", "organization"), "scope")
    if scope == "organization":
        require_role(principal, Role.ADMIN)
    query = UsageEvent.filter(organization_id=principal.organization_id, resource_type="llm_tokens")
    if scope == "self":
        query = query.filter(user_id=principal.user_id)
    total = await _request_total(principal, scope)
    rows = (
        await query.order_by("-occurred_at", "-id").offset((page - 1) * per_page).limit(per_page).values(*RECORD_FIELDS)
    )
    return RequestPage(
        items=[record(r) for r in rows],
        pagination=Pagination.of(page, per_page, total),
        scope=scope,
    )


async def _request_total(principal: Principal, scope: str) -> int:
    """The number of LLM requests, from the rollups (a COUNT over millions of raw rows is what makes
    other usage pages slow)."""
    if scope == "organization":
        s = (await rollups.read(principal.organization_id, "resource", None)).get(("llm_tokens", None))
        return s.requests if s else 0
    s = (await rollups.read(principal.organization_id, "user", None)).get(
        (f"{principal.user_id}{rollups.SEP}llm_tokens", None)
    )
    return s.requests if s else 0


async def prompt_version_costs(principal: Principal, pairs: list[tuple[int, str]]) -> list[PromptVersionCost]:
    """All-time cost of each (prompt id, version hash) of the caller's organization (one rollup read)."""
    principal = require_authenticated(principal)
    slices = await rollups.read(principal.organization_id, "prompt", None)
    out = []
    for prompt_id, version in pairs:
        s = slices.get((f"{prompt_id}{rollups.SEP}{version}", None)) or rollups.Slice("")
        out.append(
            PromptVersionCost(
                prompt_id=prompt_id,
                version_hash=version,
                requests=s.requests,
                input_tokens=s.input_tokens,
                output_tokens=s.output_tokens,
                cost_usd=round(s.cost_usd, 10),
                avg_cost_usd=round(s.cost_usd / s.requests, 10) if s.requests else None,
            )
        )
    return out
