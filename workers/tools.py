"""Jobs of the tools domain."""

from __future__ import annotations

from typing import Any

from services import tools


async def refresh_tool_rollups(ctx: dict[str, Any]) -> dict[str, int]:
    """Rebuild the tool-call hours (and their days) that new or late calls made dirty (and, once after
    the upgrade that added servers to the rollups, the hours rolled up before it)."""
    upgraded = await tools.upgrade_servers()
    return {"hours": await tools.rebuild_dirty(), "upgraded_hours": upgraded}
