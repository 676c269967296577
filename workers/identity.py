"""Jobs of the identity domain: API-key bookkeeping."""

from __future__ import annotations

from typing import Any

from services import identity


async def flush_api_key_usage(ctx: dict[str, Any]) -> dict[str, int]:
    """Persist API-key last-used times noted in Redis by the request path."""
    return {"updated": await identity.flush_api_key_usage()}
