"""Fixed-window rate limiting in Redis, shared by every process.

One ``INCR`` + ``EXPIRE`` per check (pipelined, atomic via MULTI).  A Redis outage
is a 503, not an open door: limits exist to protect the service.
"""

from __future__ import annotations

import time

from redis.exceptions import RedisError

from services.errors import RateLimited, ServiceUnavailable
from services.redis_client import get_redis, key


async def hit(bucket: str, limit: int, window_seconds: int = 60, cost: int = 1) -> int:
    """Count ``cost`` hits in ``bucket``; raise :class:`RateLimited` past ``limit``. Returns hits so far."""
    now = int(time.time())
    window = now - now % window_seconds
    name = key("ratelimit", bucket, window)
    try:
        async with get_redis().pipeline(transaction=True) as pipe:
            pipe.incrby(name, cost)
            pipe.expire(name, window_seconds + 1)
            count, _ = await pipe.execute()
    except RedisError as exc:
        raise ServiceUnavailable("Rate limiter unavailable, retry shortly", retry_after=5) from exc
    if count > limit:
        retry_after = max(1, window + window_seconds - now)
        raise RateLimited(f"Rate limit of {limit} requests per {window_seconds}s exceeded", retry_after=retry_after)
    return int(count)
