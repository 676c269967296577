"""Jobs of the alerting domain: the minute evaluation cycle."""

from __future__ import annotations

from typing import Any

from services import alerting


async def evaluate_alerts(ctx: dict[str, Any]) -> dict[str, Any]:
    """The minute alert cycle: every enabled rule that is due, then performance thresholds; one worker at a time."""
    result = await alerting.evaluate_all()
    performance = await alerting.sync() if result.ran else None
    return {
        "ran": result.ran,
        "rules": result.rules,
        "rules_not_due": result.not_due,
        "changes": [vars(c) for c in result.changes],
        "duration_ms": result.duration_ms,
        "performance": vars(performance) if performance else None,
    }
