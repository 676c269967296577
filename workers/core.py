"""Jobs of the core domain: time-partition maintenance (``services/core/partitions.py``)."""

from __future__ import annotations

from typing import Any

from services.core import partitions


async def maintain_partitions(ctx: dict[str, Any]) -> dict[str, Any]:
    """Create the executions table's partitions ahead, sweep its default partition, drop expired ones."""
    return (await partitions.maintain()).model_dump()
