"""Job functions.  Plain ``async def job(ctx, ...)`` that call services and return JSON data."""

from __future__ import annotations

from typing import Any

from arq import Retry

from services import (
    alert_engine,
    authentication,
    notification_delivery,
    performance_alerts,
    prompt_ingest,
    rollups,
    system_metrics,
    worker_status,
)


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


async def deliver_notification(ctx: dict[str, Any], delivery_id: int) -> dict[str, Any]:
    """One attempt at a notification delivery; a retryable failure re-runs this job after a backoff."""
    outcome = await notification_delivery.attempt(delivery_id)
    if outcome.retry_in_seconds is not None:
        raise Retry(defer=outcome.retry_in_seconds)
    return {"delivery_id": outcome.delivery_id, "status": outcome.status, "attempts": outcome.attempts}


async def sample_system_metrics(ctx: dict[str, Any]) -> dict[str, Any]:
    """Store one psutil sample of this host while monitoring is started (``/v1/monitoring/start``)."""
    return await system_metrics.sample_if_enabled()


async def evaluate_alerts(ctx: dict[str, Any]) -> dict[str, Any]:
    """The minute alert cycle: every enabled rule, then performance thresholds; one worker at a time."""
    result = await alert_engine.evaluate_all()
    performance = await performance_alerts.sync() if result.ran else None
    return {
        "ran": result.ran,
        "rules": result.rules,
        "changes": [vars(c) for c in result.changes],
        "duration_ms": result.duration_ms,
        "performance": vars(performance) if performance else None,
    }
