"""Jobs of the notifications domain: one delivery attempt per run, retried with backoff."""

from __future__ import annotations

from typing import Any

from arq import Retry

from services import notifications


async def deliver_notification(ctx: dict[str, Any], delivery_id: int) -> dict[str, Any]:
    """One attempt at a notification delivery; a retryable failure re-runs this job after a backoff."""
    outcome = await notifications.attempt(delivery_id)
    if outcome.retry_in_seconds is not None:
        raise Retry(defer=outcome.retry_in_seconds)
    return {"delivery_id": outcome.delivery_id, "status": outcome.status, "attempts": outcome.attempts}
