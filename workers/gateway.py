"""Jobs of the gateway domain: the scrape/probe cycle and sample retention."""

from __future__ import annotations

from typing import Any

from services import gateway


async def collect_gateway(ctx: dict[str, Any]) -> dict[str, int]:
    """Collect every enabled gateway target whose interval has passed (and this service's WebSocket counters)."""
    return await gateway.collect_due()


async def prune_gateway_samples(ctx: dict[str, Any]) -> dict[str, int]:
    """Drop samples past the 30-day retention."""
    return {"deleted": await gateway.prune()}
