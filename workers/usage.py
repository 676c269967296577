"""Jobs of the usage domain: keep the rollup slices exact, and check budgets."""

from __future__ import annotations

from typing import Any

from services import usage


async def refresh_usage_rollups(ctx: dict[str, Any]) -> dict[str, int]:
    """Rebuild the usage hours (and their days) that new or late events made dirty."""
    rebuilt = await usage.rebuild_dirty()
    await usage.publish()
    return {"hours": rebuilt}


async def check_usage_budgets(ctx: dict[str, Any]) -> dict[str, int]:
    """Notify budget thresholds crossed in the current period (once per period each)."""
    result = await usage.check_budgets()
    return {"organizations": result.organizations, "notified": result.notified, "resolved": result.resolved}
