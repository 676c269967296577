"""Jobs of the core domain: time-partition maintenance (``services/core/partitions.py``) and the job
queue's own upkeep (``services/core/job_queue.py``)."""

from __future__ import annotations

import logging
from typing import Any

from services.core import job_queue, partitions

log = logging.getLogger(__name__)


async def maintain_partitions(ctx: dict[str, Any]) -> dict[str, Any]:
    """Create the executions table's partitions ahead, sweep its default partition, drop expired ones."""
    return (await partitions.maintain()).model_dump()


async def release_stalled_jobs(ctx: dict[str, Any]) -> dict[str, Any]:
    """Give back the jobs a worker killed outright still holds (``job_queue.release_stalled``)."""
    released = await job_queue.release_stalled(ctx["redis"], ctx["job_timeouts"], ctx["in_progress_ttl_s"])
    if released:
        log.warning("released %d job(s) a stopped worker still held: %s", len(released), ", ".join(released))
    return {"released": released}
