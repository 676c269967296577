"""Jobs of the rollups domain."""

from __future__ import annotations

from typing import Any

from services import rollups


async def refresh_rollups(ctx: dict[str, Any]) -> dict[str, int]:
    """Rebuild hourly rollup buckets that new or late events made dirty."""
    return {"buckets": await rollups.rebuild_dirty()}
