"""Redis leases: only the holder releases or renews, even after its lease expired and changed hands."""

from __future__ import annotations

import asyncio
import uuid

from services.core import leases
from services.core.redis_client import get_redis, key


async def test_a_lease_has_one_holder_and_only_its_token_releases_or_renews_it():
    lease = key("test-lease", uuid.uuid4().hex)
    assert await leases.acquire(lease, "a", 30)
    assert not await leases.acquire(lease, "b", 30)
    assert await leases.holder(lease) == "a"
    assert not await leases.release(lease, "b")
    assert not await leases.renew(lease, "b", 60)
    assert await leases.holder(lease) == "a"
    assert await leases.renew(lease, "a", 60)
    assert 30 < await get_redis().ttl(lease) <= 60
    assert await leases.release(lease, "a")
    assert await leases.holder(lease) is None


async def test_a_holder_whose_lease_expired_cannot_release_the_next_holders():
    """The bug a GET-then-DEL release had: A's lease expires mid-work, B takes it, A's release
    must leave B's lease in place (else a third process would run beside B)."""
    lease = key("test-lease", uuid.uuid4().hex)
    assert await leases.acquire(lease, "a", 1)
    await asyncio.sleep(1.2)
    assert await leases.acquire(lease, "b", 30)
    assert not await leases.release(lease, "a")
    assert not await leases.renew(lease, "a", 30)
    assert await leases.holder(lease) == "b"
    assert not await leases.acquire(lease, "c", 30)
    assert await leases.release(lease, "b")


async def test_a_lease_is_handed_over_only_by_its_holder():
    lease = key("test-lease", uuid.uuid4().hex)
    assert await leases.acquire(lease, "starting", 30)
    assert not await leases.hand_over(lease, "someone else", "run 7", 60)
    assert await leases.holder(lease) == "starting"
    assert await leases.hand_over(lease, "starting", "run 7", 60)
    assert await leases.holder(lease) == "run 7"
    assert 30 < await get_redis().ttl(lease) <= 60
    assert not await leases.release(lease, "starting")
    assert await leases.release(lease, "run 7")
    assert not await leases.hand_over(lease, "run 7", "run 8", 60)  # nobody holds it now: nothing to hand over
    assert await leases.holder(lease) is None
