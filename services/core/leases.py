"""Redis leases: one holder at a time across processes, released and renewed only by their holder.

A lease is a key set with ``SET NX EX`` to a token only its holder knows.  Releasing or
renewing compares the token and acts in one Lua call: done as a ``GET`` then a ``DEL``, a
holder whose lease had expired meanwhile (a long pause, a slow collection) could delete the
lease a second holder had just taken, and two holders would then run at once.
"""

from __future__ import annotations

from redis.asyncio import Redis

from services.core.redis_client import get_redis

_RELEASE_IF_HELD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_HAND_OVER_IF_HELD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
return false
"""
_RENEW_IF_HELD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


async def acquire(lease: str, token: str, seconds: float, redis: Redis | None = None) -> bool:
    """Take ``lease`` for ``seconds`` if nobody holds it."""
    redis = redis or get_redis()
    return bool(await redis.set(lease, token, nx=True, ex=max(1, round(seconds))))


async def release(lease: str, token: str, redis: Redis | None = None) -> bool:
    """Give ``lease`` back if ``token`` still holds it; False when it had expired or changed hands."""
    redis = redis or get_redis()
    return bool(await redis.eval(_RELEASE_IF_HELD, 1, lease, token))


async def renew(lease: str, token: str, seconds: float, redis: Redis | None = None) -> bool:
    """Extend ``lease`` to ``seconds`` from now if ``token`` still holds it."""
    redis = redis or get_redis()
    return bool(await redis.eval(_RENEW_IF_HELD, 1, lease, token, max(1, round(seconds))))


async def hand_over(lease: str, token: str, new_token: str, seconds: float, redis: Redis | None = None) -> bool:
    """Give ``lease`` to ``new_token`` for ``seconds`` if ``token`` still holds it (a starting
    holder naming the work it started, say); False when it had expired or changed hands."""
    redis = redis or get_redis()
    return bool(await redis.eval(_HAND_OVER_IF_HELD, 1, lease, token, new_token, max(1, round(seconds))))


async def holder(lease: str, redis: Redis | None = None) -> str | None:
    """The token holding ``lease`` now, if any."""
    value = await (redis or get_redis()).get(lease)
    return value.decode() if isinstance(value, bytes) else value
