"""The stream carries several kinds of events; each kind's writer stores its own, with the same promises."""

from __future__ import annotations

from typing import Any

import pytest

from services.core.errors import ServiceUnavailable
from services.core.redis_client import get_redis, key
from services.ingest import kinds, pipeline

STORED: dict[str, dict[str, Any]] = {}


async def write_probe_events(events: list[tuple[Any, Any, dict[str, Any]]]) -> int:
    """A writer for the test kind: keeps events by id (idempotent), refuses a poison payload."""
    new = 0
    if any(e.get("poison") for _, _, e in events):
        raise ValueError("poison payload")
    for org, user, event in events:
        if event["event_id"] not in STORED:
            STORED[event["event_id"]] = {"org": org, "user": user, **event}
            new += 1
    return new


@pytest.fixture
def probe_kind(monkeypatch):
    monkeypatch.setitem(kinds.KINDS, "probe", f"{__name__}:write_probe_events")
    kinds.writer.cache_clear()
    STORED.clear()
    yield
    kinds.writer.cache_clear()


async def test_a_kind_is_drained_by_its_writer_beside_prompt_events_and_a_poison_event_stands_alone(
    probe_kind, make_tenant
):
    tenant = await make_tenant()
    before = await pipeline.dead_letters_recent(organization_id=tenant.organization_id)
    payloads = [{"n": i} for i in range(7)] + [{"n": 7, "poison": True}] + [{"n": 8, "event_id": "fixed-id"}]
    ids = await pipeline.enqueue(tenant.principal, "probe", payloads)
    assert ids[8] == "fixed-id" and len(set(ids)) == 9
    await pipeline.enqueue_unmetered("probe", None, None, [{"n": 9}])
    await pipeline.enqueue(tenant.principal, "probe", [{"n": 10, "event_id": "fixed-id"}])  # a retry
    await pipeline.drain("test")
    assert sorted(e["n"] for e in STORED.values()) == [0, 1, 2, 3, 4, 5, 6, 8, 9]
    assert STORED[ids[0]]["org"] == tenant.organization_id and STORED[ids[0]]["user"] == tenant.user_id
    anonymous = next(e for e in STORED.values() if e["n"] == 9)
    assert anonymous["org"] is None and anonymous["user"] is None
    assert await pipeline.dead_letters_recent(organization_id=tenant.organization_id) == before + 1


async def test_unknown_kinds_are_refused_before_queueing_and_dead_lettered_when_found_in_the_stream(make_tenant):
    tenant = await make_tenant()
    with pytest.raises(ValueError):
        await pipeline.enqueue(tenant.principal, "no-such-kind", [{"n": 1}])
    before = await pipeline.dead_letters_recent(organization_id=tenant.organization_id)
    entry = {"o": str(tenant.organization_id), "u": "1", "k": "from-the-future", "e": "{}"}
    await get_redis().xadd(key(pipeline.STREAM), entry)
    result = await pipeline.drain("test")
    assert result.dead >= 1
    assert await pipeline.dead_letters_recent(organization_id=tenant.organization_id) == before + 1


async def test_enqueue_unmetered_is_a_503_when_redis_is_unreachable(probe_kind, monkeypatch):
    from redis.asyncio import Redis

    from services.core import redis_client

    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    monkeypatch.setattr(redis_client, "get_redis", lambda: dead)
    monkeypatch.setattr(pipeline, "get_redis", lambda: dead)
    with pytest.raises(ServiceUnavailable):
        await pipeline.enqueue_unmetered("probe", 1, 1, [{"n": 1}])
    assert STORED == {}
