"""Cache metrics per process and summed across processes.

Each process keeps its own in-memory caches, so one process cannot see another's counters: every
process publishes a snapshot of its counters to a Redis hash (field = host:pid) whenever it uses a
usage cache in earnest (the ingest writer after each batch, the web process when asked), and the
report reads every snapshot younger than ``STALE_SECONDS``.

Reported: the caches other domains register in :mod:`services.core.cache_stats` (API-key lookups,
parsed prompt rollup rows, rollup edge hours) and this domain's price map, parsed rollup
sketches and merged sketches.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import UTC, datetime
from typing import Any

import orjson
from redis.exceptions import RedisError

from services.core import cache_stats
from services.core.redis_client import get_redis, key
from services.identity import Principal, require_superuser
from services.usage.schemas import CacheMetrics, CacheStats, ProcessCaches

SNAPSHOTS = "usage:cache:snapshots"
STALE_SECONDS = 600
PROCESS = f"{socket.gethostname()}:{os.getpid()}"
NOT_INSTRUMENTED: list[str] = []
_last_publish = 0.0


def _local() -> list[dict[str, Any]]:
    return cache_stats.snapshot()


async def publish(min_interval: float = 5.0) -> None:
    """Store this process's counters (at most every ``min_interval`` seconds; best effort)."""
    global _last_publish
    now = time.time()
    if now - _last_publish < min_interval:
        return
    _last_publish = now
    try:
        await get_redis().hset(key(SNAPSHOTS), PROCESS, orjson.dumps({"at": now, "caches": _local()}))
    except RedisError:
        return


def _stats(c: dict[str, Any]) -> CacheStats:
    lookups = c["hits"] + c["misses"]
    return CacheStats(
        name=c["name"],
        description=c["description"],
        hits=c["hits"],
        misses=c["misses"],
        ratio=round(c["hits"] / lookups, 6) if lookups else None,
        size=c["size"],
        capacity=c["capacity"],
        evictions=c["evictions"],
    )


async def cache_metrics(principal: Principal) -> CacheMetrics:
    """Every live process's cache counters and their sums (superuser: the caches are platform-wide)."""
    require_superuser(principal)
    await publish(0)
    raw = await get_redis().hgetall(key(SNAPSHOTS))
    now = time.time()
    processes: list[ProcessCaches] = []
    sums: dict[str, dict[str, Any]] = {}
    stale = []
    for process, blob in sorted(raw.items()):
        snap = orjson.loads(blob)
        if now - snap["at"] > STALE_SECONDS:
            stale.append(process)
            continue
        caches = [_stats(c) for c in snap["caches"]]
        processes.append(
            ProcessCaches(process=process, reported_at=datetime.fromtimestamp(snap["at"], UTC), caches=caches)
        )
        for c in snap["caches"]:
            acc = sums.setdefault(c["name"], {**c, "hits": 0, "misses": 0, "size": 0, "evictions": 0, "capacity": 0})
            for field in ("hits", "misses", "size", "evictions", "capacity"):
                acc[field] += c[field] or 0
    if stale:
        await get_redis().hdel(key(SNAPSHOTS), *stale)
    return CacheMetrics(
        processes=processes, totals=[_stats(c) for c in sums.values()], not_instrumented=NOT_INSTRUMENTED
    )
