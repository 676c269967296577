"""Jobs of the ingest domain: draining the event stream into the database."""

from __future__ import annotations

from typing import Any

from services import ingest


async def drain_ingest(ctx: dict[str, Any]) -> dict[str, int]:
    """Move queued usage events from the Redis stream into the database (bounded run)."""
    result = await ingest.drain(ctx["worker_id"])
    return {"read": result.read, "inserted": result.inserted, "dead": result.dead}
