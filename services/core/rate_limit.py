"""Fixed-window rate limiting in Redis, shared by every process.

One ``INCR`` + ``EXPIRE`` per check (pipelined, atomic via MULTI).  A Redis outage
is a 503, not an open door: limits exist to protect the service.  :class:`Window`
names the counter, so callers that fold the check into a larger atomic script (the
ingest hot path) count in the very same key.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from redis.exceptions import RedisError

from services.core.errors import RateLimited, ServiceUnavailable
from services.core.redis_client import get_redis, key


@dataclass(frozen=True)
class Window:
    """The current fixed window of ``bucket``: its Redis key, expiry and retry hint."""

    key: str
    seconds: int
    now: int
    start: int

    @classmethod
    def of(cls, bucket: str, window_seconds: int = 60) -> Window:
        now = int(time.time())
        start = now - now % window_seconds
        return cls(key("ratelimit", bucket, start), window_seconds, now, start)

    @property
    def ttl(self) -> int:
        return self.seconds + 1

    def exceeded(self, limit: int) -> RateLimited:
        retry_after = max(1, self.start + self.seconds - self.now)
        return RateLimited(f"Rate limit of {limit} requests per {self.seconds}s exceeded", retry_after=retry_after)


async def hit(bucket: str, limit: int, window_seconds: int = 60, cost: int = 1) -> int:
    """Count ``cost`` hits in ``bucket``; raise :class:`RateLimited` past ``limit``. Returns hits so far."""
    window = Window.of(bucket, window_seconds)
    try:
        async with get_redis().pipeline(transaction=True) as pipe:
            pipe.incrby(window.key, cost)
            pipe.expire(window.key, window.ttl)
            count, _ = await pipe.execute()
    except RedisError as exc:
        raise ServiceUnavailable("Rate limiter unavailable, retry shortly", retry_after=5) from exc
    if count > limit:
        raise window.exceeded(limit)
    return int(count)
