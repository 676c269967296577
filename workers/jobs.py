"""Job functions.  Plain ``async def job(ctx, ...)`` that call services and return JSON data."""

from __future__ import annotations

from typing import Any

from services import alert_engine, authentication, prompt_ingest, rollups, worker_status


async def heartbeat(ctx: dict[str, Any]) -> dict[str, Any]:
    """Tell the web processes this worker is alive (read by /readyz and health views)."""
    hb = await worker_status.beat(ctx["worker_id"])
    return {"worker_id": hb.worker_id, "at": hb.at}


async def flush_api_key_usage(ctx: dict[str, Any]) -> dict[str, int]:
    """Persist API-key last-used times noted in Redis by the request path."""
    return {"updated": await authentication.flush_api_key_usage()}


async def drain_ingest(ctx: dict[str, Any]) -> dict[str, int]:
    """Move queued usage events from the Redis stream into the database (bounded run)."""
    result = await prompt_ingest.drain(ctx["worker_id"])
    return {"read": result.read, "inserted": result.inserted, "dead": result.dead}


async def refresh_rollups(ctx: dict[str, Any]) -> dict[str, int]:
    """Rebuild hourly rollup buckets that new or late events made dirty."""
    return {"buckets": await rollups.rebuild_dirty()}


async def evaluate_alerts(ctx: dict[str, Any]) -> dict[str, Any]:
    """The minute alert cycle: every enabled rule, one worker at a time (Redis lock)."""
    result = await alert_engine.evaluate_all()
    return {
        "ran": result.ran,
        "rules": result.rules,
        "changes": [vars(c) for c in result.changes],
        "duration_ms": result.duration_ms,
    }
