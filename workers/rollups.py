"""Jobs of the rollups domain."""

from __future__ import annotations

from typing import Any

from services import rollups


async def refresh_rollups(ctx: dict[str, Any]) -> dict[str, int]:
    """Rebuild hourly rollup buckets that late events or repairs made dirty; prune the minute rows
    past their horizon."""
    return {"buckets": await rollups.rebuild_dirty(), "minutes_pruned": await rollups.prune_minutes()}
