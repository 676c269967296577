"""Jobs of the database-performance domain: statistics samples and optimization runs."""

from __future__ import annotations

from typing import Any

from services import dbperf


async def sample_database_stats(ctx: dict[str, Any], relations: bool | None = None) -> dict[str, Any]:
    """Store one sample of pg_stat_database (the metrics route turns consecutive samples into rates) and,
    hourly or when ``relations`` is true, every table's and index's size and counters; prunes old samples."""
    return await dbperf.take_sample(relations)


async def optimize_database(ctx: dict[str, Any], run_id: int) -> dict[str, Any]:
    """Run one queued optimization run (ANALYZE / VACUUM / REINDEX CONCURRENTLY) and record its figures."""
    return await dbperf.execute_run(int(run_id))
