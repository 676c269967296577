"""Plans and billing periods: monthly limits per resource type, a USD budget, the period start day.

An organization without a plan has no limits and no budget (``configured`` false): usage is still
metered and costed.  A period runs from ``period_start_day`` 00:00 UTC of one month to the same day
of the next (days 1..28, so every month has it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from models.usage import UsagePlan
from services.core.errors import BadRequest
from services.identity import Principal, require_admin, require_authenticated
from services.usage.schemas import PlanInfo, PlanInput

DEFAULT_THRESHOLDS = [80, 95, 100]
LAST_30_DAYS = timedelta(days=30)


@dataclass(frozen=True)
class Plan:
    name: str
    limits: dict[str, float]
    budget_usd: float | None
    period_start_day: int
    thresholds: list[int]
    channel_ids: list[int] | None
    configured: bool


DEFAULT_PLAN = Plan("none", {}, None, 1, DEFAULT_THRESHOLDS, None, False)


def _add_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, d.day)


def period_bounds(start_day: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The current billing period ``[start, end)`` for a plan starting on ``start_day``."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    candidate = date(now.year, now.month, start_day)
    if candidate > now.date():
        candidate = date(now.year - (now.month == 1), (now.month - 2) % 12 + 1, start_day)
    start = datetime(candidate.year, candidate.month, candidate.day, tzinfo=UTC)
    end_day = _add_month(candidate)
    return start, datetime(end_day.year, end_day.month, end_day.day, tzinfo=UTC)


def window(period: str, plan: Plan, now: datetime | None = None) -> tuple[datetime | None, datetime]:
    """``(start, end)`` of a named period; start is an hour boundary (None: all time), end is exclusive."""
    now = now or datetime.now(UTC)
    if period == "current":
        return period_bounds(plan.period_start_day, now)
    if period == "last_30_days":
        return (now - LAST_30_DAYS).replace(minute=0, second=0, microsecond=0), now
    if period == "all_time":
        return None, now
    raise BadRequest.field("period", "period must be one of current, last_30_days, all_time")


async def plan_of(organization_id: int) -> Plan:
    row = await UsagePlan.get_or_none(organization_id=organization_id)
    return DEFAULT_PLAN if row is None else _plan(row)


async def budgeted_plans() -> dict[int, Plan]:
    """Organization id -> plan, for every plan with a monthly budget (one statement)."""
    rows = await UsagePlan.filter(monthly_budget_usd__isnull=False).order_by("organization_id")
    return {row.organization_id: _plan(row) for row in rows}


def _plan(row: UsagePlan) -> Plan:
    return Plan(
        name=row.name,
        limits={k: float(v) for k, v in (row.limits or {}).items()},
        budget_usd=float(row.monthly_budget_usd) if row.monthly_budget_usd is not None else None,
        period_start_day=row.period_start_day,
        thresholds=sorted(set(row.alert_thresholds or DEFAULT_THRESHOLDS)),
        channel_ids=_channels(row.notification_channel_ids),
        configured=True,
    )


def _channels(stored: object) -> list[int] | None:
    ids = stored.get("ids") if isinstance(stored, dict) else stored
    return None if ids is None else [int(i) for i in ids]  # type: ignore[union-attr]


def _info(plan: Plan) -> PlanInfo:
    start, end = period_bounds(plan.period_start_day)
    return PlanInfo(
        name=plan.name,
        limits=plan.limits,
        monthly_budget_usd=plan.budget_usd,
        period_start_day=plan.period_start_day,
        alert_thresholds=plan.thresholds,
        notification_channel_ids=plan.channel_ids,
        configured=plan.configured,
        current_period_start=start.date(),
        current_period_end=end.date(),
    )


async def get_plan(principal: Principal) -> PlanInfo:
    principal = require_authenticated(principal)
    return _info(await plan_of(principal.organization_id))


async def set_plan(principal: Principal, data: PlanInput) -> PlanInfo:
    """Create or replace the organization's plan (admin)."""
    principal = require_admin(principal)
    values = {
        "name": data.name,
        "limits": {k: float(v) for k, v in data.limits.items()},
        "monthly_budget_usd": Decimal(str(round(data.monthly_budget_usd, 2)))
        if data.monthly_budget_usd is not None
        else None,
        "period_start_day": data.period_start_day,
        "alert_thresholds": sorted(set(data.alert_thresholds)),
        # stored as {"ids": [...] | null}: null (every enabled channel) must survive a NOT NULL JSON column
        "notification_channel_ids": {"ids": data.notification_channel_ids},
    }
    await UsagePlan.update_or_create(defaults=values, organization_id=principal.organization_id)
    return _info(await plan_of(principal.organization_id))
