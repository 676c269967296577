"""Jobs of the observability domain: worker heartbeats, host samples and the worker's own memory."""

from __future__ import annotations

from typing import Any

from services import observability


async def heartbeat(ctx: dict[str, Any]) -> dict[str, Any]:
    """Tell the web processes this worker is alive (read by /readyz and health views)."""
    hb = await observability.beat(ctx["worker_id"])
    return {"worker_id": hb.worker_id, "at": hb.at}


async def sample_system_metrics(ctx: dict[str, Any]) -> dict[str, Any]:
    """Store one psutil sample of this host while monitoring is started (``/v1/monitoring/start``)."""
    return await observability.sample_if_enabled()


async def release_memory(ctx: dict[str, Any]) -> dict[str, Any]:
    """Once a minute in every worker: return the C heap's free pages (see ``release_free_heap``)."""
    return observability.release_free_heap()
