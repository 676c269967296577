"""Budget alerts: each threshold of an organization's budget notifies once per billing period.

The check (a worker cron, every minute) compares each budgeted organization's spend in the current
period with its thresholds (default 80 %, 95 %, 100 %).  Crossing one records a
``UsageBudgetNotice`` first -- its unique (organization, period, threshold) key is what makes
"once per period" hold with several workers -- then opens an alert in the shared alert store
(:func:`services.alerting.engine.raise_external`, source ``usage_budget``; it shows in the alert
lists and live alert subscriptions) and queues one delivery per notification channel
(:func:`services.notifications.channels.notify`, de-duplicated by key).  The plan names the
channels; without a list every enabled channel of the organization is notified.  Alerts of a
period that has ended are resolved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from tortoise.exceptions import IntegrityError

from models.usage import UsageBudgetNotice, UsagePlan
from services import alerting, notifications
from services.identity import Principal, Role
from services.usage.plans import Plan, plan_of
from services.usage.reports import period_spend

SOURCE = "usage_budget"
log = logging.getLogger(__name__)


@dataclass
class BudgetCheck:
    organizations: int = 0
    notified: int = 0
    resolved: int = 0


def _severity(threshold: int, thresholds: list[int]) -> str:
    below = sorted(t for t in thresholds if t < 100)
    return "critical" if threshold >= 100 or (len(below) >= 2 and threshold >= below[-1]) else "warning"


def _key(period_start: datetime, threshold: int) -> str:
    return f"budget:{period_start.date().isoformat()}:{threshold}"


async def _channel_ids(organization_id: int, plan: Plan) -> list[int]:
    if plan.channel_ids is not None:
        return plan.channel_ids
    # The budget check acts for the organization itself (no user): an admin-level reader of its channels.
    reader = Principal(user_id=0, organization_id=organization_id, role=Role.ADMIN, auth_method="system")
    ids: list[int] = []
    page = 1
    while True:
        found = await notifications.list_channels(reader, page, 100)
        ids.extend(c.id for c in found.items if c.enabled)
        if page * 100 >= found.pagination.total_items:
            return ids
        page += 1


async def check_organization(organization_id: int, now: datetime | None = None) -> tuple[int, int]:
    """Notify the thresholds this organization crossed in its current period. Returns (notified, resolved)."""
    now = now or datetime.now(UTC)
    plan = await plan_of(organization_id)
    notified = resolved = 0
    if plan.budget_usd is not None and plan.budget_usd > 0:
        start, spent = await period_spend(organization_id, plan, now)
        percent = spent / plan.budget_usd * 100
        for threshold in plan.thresholds:
            if percent < threshold:
                break
            try:
                notice = await UsageBudgetNotice.create(
                    organization_id=organization_id,
                    period_start=start.date(),
                    threshold_percent=threshold,
                    spent_usd=spent,
                    budget_usd=plan.budget_usd,
                )
            except IntegrityError:
                continue  # this threshold has notified in this period already
            message = (
                f"Usage budget {threshold}% reached: ${spent:,.2f} of ${plan.budget_usd:,.2f} "
                f"spent since {start.date().isoformat()}"
            )
            severity = _severity(threshold, plan.thresholds)
            alert = await alerting.raise_external(
                organization_id,
                SOURCE,
                _key(start, threshold),
                severity,
                message,
                spent,
                plan.budget_usd * threshold / 100,
            )
            await UsageBudgetNotice.filter(id=notice.id).update(alert_id=alert.id)
            event = {
                "title": f"Usage budget {threshold}% reached",
                "message": message,
                "severity": severity,
                "source": SOURCE,
                "threshold_percent": threshold,
                "spent_usd": round(spent, 6),
                "budget_usd": plan.budget_usd,
                "period_start": start.date().isoformat(),
            }
            await notifications.notify(
                organization_id,
                await _channel_ids(organization_id, plan),
                event,
                "alert_firing",
                alert.id,
                dedupe_key=f"usage-budget:{organization_id}:{start.date().isoformat()}:{threshold}",
            )
            notified += 1
        current_start = start.date()
    else:
        current_start = None
    # alerts of periods that have ended (or of a budget since removed) are resolved
    old = UsageBudgetNotice.filter(
        organization_id=organization_id, alert_id__isnull=False, created_at__gte=now - timedelta(days=70)
    )
    if current_start is not None:
        old = old.filter(period_start__lt=current_start)
    for notice in await old:
        start_dt = datetime(notice.period_start.year, notice.period_start.month, notice.period_start.day, tzinfo=UTC)
        if await alerting.clear_external(
            organization_id, SOURCE, _key(start_dt, notice.threshold_percent), "auto-resolved: the period ended"
        ):
            resolved += 1
    return notified, resolved


async def check_budgets(now: datetime | None = None) -> BudgetCheck:
    """Every organization with a plan: notify crossed thresholds, resolve alerts of ended periods."""
    result = BudgetCheck()
    for organization_id in cast(list[int], await UsagePlan.all().values_list("organization_id", flat=True)):
        try:
            notified, resolved = await check_organization(organization_id, now)
        except Exception:  # one organization's trouble must not starve the others
            log.exception("budget check of organization %s failed", organization_id)
            continue
        result.organizations += 1
        result.notified += notified
        result.resolved += resolved
    return result
