"""Worker heartbeats in Redis, written by arq workers and read by probes and health views."""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from services.core.config import get_settings
from services.core.redis_client import get_redis, key

HEARTBEAT_KEY = "worker:heartbeat"


@dataclass
class Heartbeat:
    worker_id: str
    hostname: str
    pid: int
    at: float

    @property
    def age_seconds(self) -> float:
        return max(0.0, time.time() - self.at)


async def beat(worker_id: str) -> Heartbeat:
    """Record that ``worker_id`` is alive.  Entries expire after three missed beats."""
    settings = get_settings()
    hb = Heartbeat(worker_id, socket.gethostname(), os.getpid(), time.time())
    redis = get_redis()
    name = key(HEARTBEAT_KEY)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(name, worker_id, json.dumps(hb.__dict__))
        pipe.expire(name, settings.worker_heartbeat_seconds * 3)
        await pipe.execute()
    return hb


async def forget(worker_id: str) -> None:
    await get_redis().hdel(key(HEARTBEAT_KEY), worker_id)


async def live_workers() -> list[Heartbeat]:
    """Workers whose last beat is recent (within three beat intervals)."""
    limit = get_settings().worker_heartbeat_seconds * 3
    raw: dict[str, str] = await get_redis().hgetall(key(HEARTBEAT_KEY))
    beats = [Heartbeat(**json.loads(v)) for v in raw.values()]
    return sorted((b for b in beats if b.age_seconds <= limit), key=lambda b: b.worker_id)


def describe(beats: list[Heartbeat]) -> dict[str, Any]:
    return {
        "workers": len(beats),
        "last_heartbeat_age_seconds": round(min(b.age_seconds for b in beats), 3) if beats else None,
    }
