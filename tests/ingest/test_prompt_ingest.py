"""Usage-event ingest: validation, rate limits, durability and idempotent draining."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from asgi_lifespan import LifespanManager

from api.app import create_app
from models.prompts import Prompt, PromptExecution, PromptRollupHourly, PromptVersion
from services.core.config import get_settings
from services.core.redis_client import get_redis, key
from services.ingest import pipeline as prompt_ingest
from workers import jobs

CTX = {"worker_id": "test-drainer"}


def event(prompt: uuid.UUID | int, **extra) -> dict:
    return {
        "prompt_id": str(prompt) if isinstance(prompt, uuid.UUID) else prompt,
        "version_hash": "v1",
        "latency_ms": 120.5,
        "cost_usd": 0.0021,
        "score": 0.8,
        **extra,
    }


async def drain() -> dict:
    return await jobs.drain_ingest(CTX)


async def test_event_is_acknowledged_then_stored_and_creates_its_prompt(client, make_tenant):
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    r = await client.post(
        "/api/v1/prompts/analytics",
        json=event(pid, prompt_name="Sales 'report'; DROP TABLE"),
        headers=tenant.key_headers,
    )
    assert r.status_code == 204 and r.content == b""
    assert (await drain())["inserted"] >= 1
    prompt = await Prompt.get(uuid=pid)
    assert prompt.organization_id == tenant.organization_id and prompt.owner_id == tenant.user_id
    assert prompt.name == "Sales 'report'; DROP TABLE" and prompt.status == "completed"
    row = await PromptExecution.get(prompt_id=prompt.id)
    assert row.version_hash == "v1" and row.latency_ms == 120.5 and str(row.cost_usd) == "0.00210000"
    got = await client.get(f"/api/v1/prompts/{prompt.id}", headers=tenant.headers)
    assert got.json()["data"]["uuid"] == str(pid)


async def test_validation_errors_name_the_field(client, make_tenant):
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    cases = [
        ({"prompt_id": str(pid)}, "version_hash"),
        ({**event(pid), "latency_ms": -1}, "latency_ms"),
        ({**event(pid), "cost_usd": "cheap"}, "cost_usd"),
        ({**event(pid), "prompt_id": "not-a-uuid"}, "prompt_id"),
        ({**event(pid), "version_hash": "x" * 129}, "version_hash"),
        ({**event(pid), "timestamp": (datetime.now(UTC) + timedelta(days=2)).isoformat()}, "timestamp"),
        ({**event(pid), "timestamp": "yesterday"}, "timestamp"),
        ({**event(pid), "status": "exploded"}, "status"),
        ({**event(pid), "data_source_ids": [2**31]}, "data_source_ids"),  # past an integer column
        ({**event(pid), "schema_names": [None]}, "schema_names"),
    ]
    for body, field in cases:
        r = await client.post("/api/v1/prompts/analytics", json=body, headers=tenant.key_headers)
        assert r.status_code == 400, (body, r.text)
        details = r.json()["error"]["details"]
        assert any(d["field"].split(".")[0] == field for d in details), (field, details)
    nan = b'{"prompt_id": "%s", "version_hash": "v", "latency_ms": NaN}' % str(pid).encode()
    r = await client.post("/api/v1/prompts/analytics", content=nan, headers=tenant.key_headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "latency_ms"  # NaN: not finite
    r = await client.post("/api/v1/prompts/analytics", content=b'{"prompt_id": ', headers=tenant.key_headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "body"
    assert r.json()["error"]["details"][0]["type"] == "json_invalid"
    r = await client.post("/api/v1/prompts/analytics", json=event(pid, colour="blue"), headers=tenant.key_headers)
    assert r.status_code == 204  # unknown fields are ignored
    r = await client.post("/api/v1/prompts/analytics", json=event(pid))
    assert r.status_code == 401


async def test_batch_limits_and_per_item_errors(client, make_tenant):
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    too_many = {"events": [event(pid)] * 1001}
    r = await client.post("/api/v1/prompts/analytics/batch", json=too_many, headers=tenant.key_headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "events"
    bad = {"events": [event(pid), {**event(pid), "score": -3}]}
    r = await client.post("/api/v1/prompts/analytics/batch", json=bad, headers=tenant.key_headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "events.1.score"
    good = {"events": [event(pid, event_id=str(uuid.uuid4())) for _ in range(250)]}
    r = await client.post("/api/v1/prompts/analytics/batch", json=good, headers=tenant.key_headers)
    assert r.status_code == 202 and r.json()["data"]["accepted"] == 250
    await drain()
    prompt = await Prompt.get(uuid=pid)
    assert await PromptExecution.filter(prompt_id=prompt.id).count() == 250


async def test_rate_limit_per_api_key(client, make_tenant):
    tenant = await make_tenant("member")
    made = await client.post(
        "/api/v1/api-keys", json={"name": "slow", "rate_limit_per_minute": 3}, headers=tenant.headers
    )
    headers = {"Authorization": f"Bearer {made.json()['data']['key']}"}
    statuses = [
        (await client.post("/api/v1/prompts/analytics", json=event(uuid.uuid4()), headers=headers)).status_code
        for _ in range(4)
    ]
    if statuses[-1] != 429:  # the minute rolled over mid-loop
        statuses += [
            (await client.post("/api/v1/prompts/analytics", json=event(uuid.uuid4()), headers=headers)).status_code
            for _ in range(4)
        ]
    assert 429 in statuses and statuses.count(204) <= 6
    r = await client.post("/api/v1/prompts/analytics", json=event(uuid.uuid4()), headers=headers)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    # another key of the same user is not affected
    ok = await client.post("/api/v1/prompts/analytics", json=event(uuid.uuid4()), headers=tenant.key_headers)
    assert ok.status_code == 204


async def test_redis_down_is_503_and_writes_nothing(app, make_tenant):
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    dead = create_app(
        get_settings().with_overrides(redis_url="redis://127.0.0.1:1/0", probe_timeout_seconds=0.5),
        orm_global_fallback=False,
    )
    async with LifespanManager(dead):
        transport = httpx.ASGITransport(app=dead, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            r = await http.post("/api/v1/prompts/analytics", json=event(pid), headers=tenant.headers)
    assert r.status_code == 503 and r.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert int(r.headers["retry-after"]) >= 1
    await drain()
    assert not await Prompt.exists(uuid=pid)


async def test_worker_killed_between_insert_and_ack_counts_once(client, make_tenant):
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    for _ in range(5):
        r = await client.post("/api/v1/prompts/analytics", json=event(pid), headers=tenant.key_headers)
        assert r.status_code == 204
    # the same client-side event id sent twice (an SDK retry) is stored once
    retry_id = str(uuid.uuid4())
    for _ in range(2):
        await client.post("/api/v1/prompts/analytics", json=event(pid, event_id=retry_id), headers=tenant.key_headers)
    await prompt_ingest.ensure_group()
    redis = get_redis()
    got = await redis.xreadgroup(prompt_ingest.GROUP, "doomed-worker", {key(prompt_ingest.STREAM): ">"}, count=10_000)
    entries = got[0][1]
    await prompt_ingest.write_batch(entries)  # committed ... and then the worker dies before XACK
    result = await prompt_ingest.drain_once("rescuer", claim_idle_ms=0)
    assert result.read == len(entries) and result.inserted == 0
    prompt = await Prompt.get(uuid=pid)
    assert await PromptExecution.filter(prompt_id=prompt.id).count() == 6
    pending = await redis.xpending(key(prompt_ingest.STREAM), prompt_ingest.GROUP)
    assert pending["pending"] == 0


async def test_a_redis_that_lost_the_drain_group_is_drained_again(client, make_tenant):
    """The drain creates its consumer group once per Redis client, not before every read; a Redis
    restarted without its data (the stream and group gone) is answered NOGROUP, and the drain
    creates the group again and stores what is queued since."""
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    r = await client.post("/api/v1/prompts/analytics", json=event(pid), headers=tenant.key_headers)
    assert r.status_code == 204
    assert (await drain())["inserted"] == 1
    redis = get_redis()
    await redis.delete(key(prompt_ingest.STREAM))  # what a restart with nothing on disk leaves
    r = await client.post("/api/v1/prompts/analytics", json=event(pid), headers=tenant.key_headers)
    assert r.status_code == 204  # XADD made the stream again, without the group
    assert (await drain())["inserted"] == 1
    prompt = await Prompt.get(uuid=pid)
    assert await PromptExecution.filter(prompt_id=prompt.id).count() == 2
    groups = await redis.xinfo_groups(key(prompt_ingest.STREAM))
    assert [g["name"] for g in groups] == [prompt_ingest.GROUP]


async def test_a_batch_mixing_stored_and_new_events_stores_and_counts_only_the_new_ones(client, make_tenant):
    """The drain inserts without a conflict clause and falls back to one only when a batch meets a
    stored key (a redelivery next to fresh events, an SDK retry): the stored events are skipped,
    the new ones stored once, and the rollups count exactly the stored rows."""
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    at = (datetime.now(UTC) - timedelta(minutes=3)).isoformat()
    first = [event(pid, event_id=str(uuid.uuid4()), timestamp=at) for _ in range(4)]
    r = await client.post("/api/v1/prompts/analytics/batch", json={"events": first}, headers=tenant.key_headers)
    assert r.status_code == 202
    await drain()
    dead_before = await prompt_ingest.dead_letters_recent(0, tenant.organization_id)
    fresh = [event(pid, event_id=str(uuid.uuid4()), timestamp=at, latency_ms=300.0) for _ in range(3)]
    again = fresh[:1]  # and one repeated within the batch itself: the drain keeps the first
    r = await client.post(
        "/api/v1/prompts/analytics/batch", json={"events": first + fresh + again}, headers=tenant.key_headers
    )
    assert r.status_code == 202
    await drain()
    prompt = await Prompt.get(uuid=pid)
    stored = await PromptExecution.filter(prompt_id=prompt.id).values_list("event_id", flat=True)
    assert sorted(str(e) for e in stored) == sorted(e["event_id"] for e in first + fresh)
    assert await prompt_ingest.dead_letters_recent(0, tenant.organization_id) == dead_before  # skipped, not refused
    if get_settings().is_postgres:  # rolled up in the drain's transaction (SQLite: by the rollup job)
        rows = await PromptRollupHourly.filter(prompt_id=prompt.id).values_list("count", flat=True)
        assert sum(rows) == 7


async def test_integer_prompt_id_of_another_organization_is_a_404_and_nothing_is_queued(client, make_tenant):
    a = await make_tenant("member")
    b = await make_tenant("member")
    created = await client.post("/api/v1/prompts", json={"name": "A's prompt"}, headers=a.headers)
    prompt_id = created.json()["data"]["id"]
    before = await get_redis().xlen(key(prompt_ingest.STREAM))
    r = await client.post("/api/v1/prompts/analytics", json=event(prompt_id), headers=b.key_headers)
    assert r.status_code == 404
    assert r.json()["error"]["details"][0]["field"] == "prompt_id"
    batch = [event(uuid.uuid4()), event(prompt_id), event(2_000_000_000)]
    r = await client.post("/api/v1/prompts/analytics/batch", json={"events": batch}, headers=b.key_headers)
    assert r.status_code == 404
    assert [d["field"] for d in r.json()["error"]["details"]] == ["events.1.prompt_id", "events.2.prompt_id"]
    assert await get_redis().xlen(key(prompt_ingest.STREAM)) == before  # all or nothing: nothing queued
    # the owner's integer id is accepted (and then answered from the per-process cache)
    for _ in range(2):
        r = await client.post("/api/v1/prompts/analytics", json=event(prompt_id), headers=a.key_headers)
        assert r.status_code == 204
    await drain()
    assert await PromptExecution.filter(prompt_id=prompt_id).count() == 2


async def test_a_uuid_names_a_prompt_within_one_organization_only(client, make_tenant):
    """Sending another tenant's uuid first must not capture (or drop) that tenant's events."""
    a = await make_tenant("member")
    b = await make_tenant("member")
    for shared in (uuid.uuid4(), uuid.UUID(int=0)):  # the seed's own example uses the nil uuid
        r = await client.post("/api/v1/prompts/analytics", json=event(shared, prompt_name="B's"), headers=b.key_headers)
        assert r.status_code == 204
        await drain()
        r = await client.post("/api/v1/prompts/analytics", json=event(shared, prompt_name="A's"), headers=a.key_headers)
        assert r.status_code == 204
        result = await drain()
        assert result["inserted"] == 1 and result["dead"] == 0
        mine = await Prompt.get(uuid=shared, organization_id=a.organization_id)
        theirs = await Prompt.get(uuid=shared, organization_id=b.organization_id)
        assert mine.id != theirs.id and (mine.name, theirs.name) == ("A's", "B's")
        assert await PromptExecution.filter(prompt_id=mine.id, organization_id=a.organization_id).count() == 1
        assert await PromptExecution.filter(prompt_id=theirs.id, organization_id=b.organization_id).count() == 1


async def test_nul_and_lone_surrogates_are_refused_at_the_edge_naming_the_field(client, make_tenant):
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    before = await get_redis().xlen(key(prompt_ingest.STREAM))
    single = '{"prompt_id": "' + str(pid) + '", "version_hash": "v1", "prompt_name": "evil\\u0000"}'
    r = await client.post(
        "/api/v1/prompts/analytics",
        content=single.encode(),
        headers={**tenant.key_headers, "content-type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "prompt_name"
    batch = '{"events": [{"prompt_id": "%s", "version_hash": "v1"}, {"prompt_id": "%s", "version_hash": "\\ud800x"}]}'
    r = await client.post(
        "/api/v1/prompts/analytics/batch",
        content=(batch % (pid, pid)).encode(),
        headers={**tenant.key_headers, "content-type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "events.1.version_hash"
    assert await get_redis().xlen(key(prompt_ingest.STREAM)) == before


async def test_a_poison_event_is_dead_lettered_and_every_good_event_around_it_is_stored_once(make_tenant):
    """Entries as an older edge (or a bug) could have queued them: the drain must isolate the bad ones."""
    import orjson

    a = await make_tenant("member")
    b = await make_tenant("member")
    pa, pb = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC).isoformat()

    def good(pid: uuid.UUID) -> dict:
        return {**event(pid), "event_id": str(uuid.uuid4()), "timestamp": now}

    poison_time = {**good(pa), "timestamp": "not a time"}  # fails on every backend
    poison_nul = {**good(pb), "version_hash": "evil\x00"}  # PostgreSQL cannot store NUL in text
    entries = [
        (a, [good(pa)]),
        (a, [good(pa), poison_time, good(pa)]),
        (b, [good(pb), poison_nul, good(pb)]),
        (b, [good(pb)]),
    ]
    redis = get_redis()
    stream = key(prompt_ingest.STREAM)
    await drain()  # start from an empty stream
    dead_before = await redis.xlen(key(prompt_ingest.DEAD_LETTER))
    for tenant, events in entries:
        await redis.xadd(stream, {"o": tenant.organization_id, "u": tenant.user_id, "e": orjson.dumps(events)})
    await redis.xadd(stream, {"o": a.organization_id, "u": a.user_id, "e": b"{not json"})  # undecodable entry
    result = await drain()
    nul_is_poison = get_settings().is_postgres
    expected_dead = 2 + (1 if nul_is_poison else 0)
    assert result["dead"] == expected_dead
    assert result["inserted"] == 6 + (0 if nul_is_poison else 1)
    good_ids = [e["event_id"] for _, events in entries for e in events if e not in (poison_time, poison_nul)]
    stored = await PromptExecution.filter(event_id__in=good_ids).values_list("event_id", flat=True)
    assert sorted(str(i) for i in stored) == sorted(good_ids)  # every good event, exactly once
    assert await PromptExecution.filter(organization_id=b.organization_id).count() == 3 + (0 if nul_is_poison else 1)
    pending = await redis.xpending(stream, prompt_ingest.GROUP)
    assert pending["pending"] == 0 and await redis.xlen(stream) == 0  # nothing left to fail again
    dead = await redis.xrange(key(prompt_ingest.DEAD_LETTER), count=10_000)
    assert len(dead) - dead_before == expected_dead
    reasons = [item["reason"] for _, fields in dead[dead_before:] for item in orjson.loads(fields["batch"])]
    assert any("not a time" in r for r in reasons) and any("JSONDecodeError" in r for r in reasons)
    assert await prompt_ingest.dead_letters_recent(organization_id=a.organization_id) == 2
    assert await prompt_ingest.dead_letters_recent(organization_id=b.organization_id) == (1 if nul_is_poison else 0)
    assert (await drain())["read"] == 0


async def test_concurrent_events_share_round_trips_and_are_each_stored_once(client, make_tenant):
    import asyncio

    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    sent = [str(uuid.uuid4()) for _ in range(40)]
    replies = await asyncio.gather(
        *(
            client.post("/api/v1/prompts/analytics", json=event(pid, event_id=eid), headers=tenant.key_headers)
            for eid in sent
        )
    )
    assert [r.status_code for r in replies] == [204] * 40
    batch = {"events": [event(pid, latency_ms=1000.0 + i) for i in range(250)]}  # 3 stream entries of <= 100
    r = await client.post("/api/v1/prompts/analytics/batch", json=batch, headers=tenant.key_headers)
    assert r.status_code == 202 and len(set(r.json()["data"]["event_ids"])) == 250
    result = await drain()
    assert result["inserted"] >= 290
    prompt = await Prompt.get(uuid=pid)
    stored = await PromptExecution.filter(prompt_id=prompt.id).values_list("event_id", flat=True)
    assert len(stored) == 290 and set(sent) <= {str(e) for e in stored}
    latencies = sorted(
        await PromptExecution.filter(prompt_id=prompt.id, latency_ms__gte=1000).values_list("latency_ms", flat=True)
    )
    assert latencies == [1000.0 + i for i in range(250)]


async def test_script_batcher_reloads_a_script_redis_does_not_know_and_runs_each_call_once(app):
    import asyncio

    from services.core.redis_batching import ScriptBatcher

    counter = key("test", "batcher", uuid.uuid4().hex)
    batcher = ScriptBatcher(get_redis(), f"-- {uuid.uuid4()}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])")
    results = await asyncio.gather(*(batcher([counter], [n]) for n in (1, 2, 3, 4)))
    assert sorted(results)[-1] == 10 and int(await get_redis().get(counter)) == 10  # NOSCRIPT retried once each
    await get_redis().delete(counter)


HEALTH = "/admin/prompt-analytics/health"


def _ingest_component(body: dict) -> dict:
    report = body["error"]["health"] if body["success"] is False else body["data"]
    return next(c for c in report["components"] if c["name"] == "ingest_stream")


async def test_dead_letters_degrade_health_per_organization_and_fire_a_platform_alert(client, make_tenant):
    import orjson

    from models.alerts import Alert
    from services.alerting import platform as performance_alerts

    a = await make_tenant("admin")
    b = await make_tenant("admin")
    root = await make_tenant("superuser")
    await drain()
    poison = {**event(uuid.uuid4()), "event_id": str(uuid.uuid4()), "timestamp": "yesterday-ish"}
    await get_redis().xadd(
        key(prompt_ingest.STREAM), {"o": a.organization_id, "u": a.user_id, "e": orjson.dumps([poison])}
    )
    assert (await drain())["dead"] == 1

    r = await client.get(HEALTH, headers=a.headers)
    assert r.status_code == 200 and r.json()["data"]["status"] == "degraded"
    ingest = _ingest_component(r.json())
    assert ingest["status"] == "degraded" and ingest["detail"]["dead_letters_recent"] == 1
    assert "stream_length" not in ingest["detail"]  # platform figures are the superuser's
    r = await client.get(HEALTH, headers=b.headers)  # another organization's dead letters are not B's
    ingest = _ingest_component(r.json())
    assert ingest["status"] == "ok" and ingest["detail"]["dead_letters_recent"] == 0
    r = await client.get(HEALTH, headers=root.headers)
    ingest = _ingest_component(r.json())
    assert ingest["detail"]["dead_letters_recent"] >= 1 and ingest["detail"]["queued"] == 0

    await performance_alerts.sync()
    alert = await Alert.get(source="performance", entity="ingest_dead_letters:ingest", open_key__isnull=False)
    assert alert.status == "firing" and alert.organization_id is None


async def test_a_stalled_stream_makes_health_unhealthy_until_it_drains(client, make_tenant, monkeypatch):
    from services.observability import probes as platform_probes

    admin = await make_tenant("admin")
    await drain()
    r = await client.post("/api/v1/prompts/analytics", json=event(uuid.uuid4()), headers=admin.key_headers)
    assert r.status_code == 204
    stalled = get_settings().with_overrides(ingest_stall_seconds=0.001)
    monkeypatch.setattr(platform_probes, "get_settings", lambda: stalled)
    import asyncio

    await asyncio.sleep(0.01)
    r = await client.get(HEALTH, headers=admin.headers)
    assert r.status_code == 503
    ingest = _ingest_component(r.json())
    assert ingest["status"] == "down" and "waited" in ingest["detail"]["reasons"][0]
    await drain()
    r = await client.get(HEALTH, headers=admin.headers)
    assert _ingest_component(r.json())["status"] in ("ok", "degraded")


async def test_deleting_a_prompt_deletes_its_executions_and_a_drain_racing_it_dead_letters_the_rest(
    client, make_tenant, monkeypatch
):
    """Executions carry no foreign keys (their per-row checks were ~40% of the drain's database time):
    deleting a prompt deletes them, and a drain that resolved the prompt before it was deleted stores
    none of its events (the drain's lock on the prompt row is the check) but dead-letters them."""
    tenant = await make_tenant("admin")
    kept, doomed = uuid.uuid4(), uuid.uuid4()
    for pid in (kept, doomed):
        r = await client.post(
            "/api/v1/prompts/analytics/batch", json={"events": [event(pid)] * 3}, headers=tenant.key_headers
        )
        assert r.status_code == 202
    await drain()
    gone = await Prompt.get(uuid=doomed)
    stale = {(tenant.organization_id, str(doomed)): gone}
    assert await PromptExecution.filter(prompt_id=gone.id).count() == 3
    if get_settings().is_postgres:  # rolled up in the drain's transaction (SQLite: by the rollup job)
        assert await PromptRollupHourly.filter(prompt_id=gone.id).count() > 0
    assert (await client.delete(f"/api/v1/prompts/{gone.id}", headers=tenant.headers)).status_code == 204
    assert await PromptExecution.filter(prompt_id=gone.id).count() == 0
    assert await PromptRollupHourly.filter(prompt_id=gone.id).count() == 0
    assert await PromptExecution.filter(prompt_id=(await Prompt.get(uuid=kept)).id).count() == 3

    # the race: the drain resolved the prompt just before the deletion committed
    resolve = prompt_ingest._resolve_prompts

    async def resolved_before_the_delete(events):
        found = await resolve([e for e in events if e[2]["prompt_id"] != str(doomed)])
        return {**found, **stale}

    monkeypatch.setattr(prompt_ingest, "_resolve_prompts", resolved_before_the_delete)
    dead_before = await prompt_ingest.dead_letters_recent(0, tenant.organization_id)
    r = await client.post(
        "/api/v1/prompts/analytics/batch", json={"events": [event(doomed), event(kept)]}, headers=tenant.key_headers
    )
    assert r.status_code == 202
    await drain()
    assert await PromptExecution.filter(prompt_id=gone.id).count() == 0  # no orphan row
    assert await PromptExecution.filter(prompt_id=(await Prompt.get(uuid=kept)).id).count() == 4
    if get_settings().is_postgres:  # the ORM path (SQLite) has the constraints, and resolves in its transaction
        assert await prompt_ingest.dead_letters_recent(0, tenant.organization_id) == dead_before + 1


async def test_an_event_id_names_an_event_within_its_organization_only(client, make_tenant):
    """Two tenants sending the same event id (with and without a time) each get their event stored
    once; a re-send within one tenant is still a no-op.  Before, the second tenant's event was taken
    for a duplicate of the first's and dropped."""
    a, b = await make_tenant("member"), await make_tenant("member")
    shared, untimed = str(uuid.uuid4()), str(uuid.uuid4())
    at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    for tenant in (a, b, a, b):
        pid = uuid.UUID(int=tenant.organization_id)  # each tenant's own prompt
        for extra in ({"event_id": shared, "timestamp": at}, {"event_id": untimed}):
            r = await client.post("/api/v1/prompts/analytics", json=event(pid, **extra), headers=tenant.key_headers)
            assert r.status_code == 204
        await drain()  # re-sent in a later batch too
    for tenant in (a, b):
        stored = await PromptExecution.filter(organization_id=tenant.organization_id).values_list("event_id", flat=True)
        assert sorted(str(e) for e in stored) == sorted([shared, untimed])


async def test_drain_keeps_versions_first_and_last_seen_and_each_prompts_latest_run(client, make_tenant):
    """Versions' first/last seen span every stored run, across batches arriving out of order; the
    prompt's latest run is the newest by time (the last sent among equal times), never an older
    batch's that drained later."""
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)

    def at(minutes: int, **extra) -> dict:
        return event(pid, timestamp=(base + timedelta(minutes=minutes)).isoformat(), **extra)

    newer = [
        at(120, version_hash="v1", latency_ms=10.0),
        at(180, version_hash="v2", status="failed", latency_ms=30.0, data_source_ids=[7, 3]),
        at(180, version_hash="v2", latency_ms=20.0, total_duration_ms=25.0, data_source_ids=[4, 9]),
    ]
    older = [at(30, version_hash="v1"), at(-40, version_hash="v2"), at(60, version_hash="v3")]
    for batch in (newer, older):
        r = await client.post("/api/v1/prompts/analytics/batch", json={"events": batch}, headers=tenant.key_headers)
        assert r.status_code == 202
        await drain()
    prompt = await Prompt.get(uuid=pid)
    spans = {v.version_hash: (v.first_seen_at, v.last_seen_at) for v in await PromptVersion.filter(prompt_id=prompt.id)}
    minutes = {h: tuple(round((t - base).total_seconds() / 60) for t in span) for h, span in spans.items()}
    assert minutes == {"v1": (30, 120), "v2": (-40, 180), "v3": (60, 60)}
    assert (prompt.last_executed_at - base).total_seconds() == 180 * 60
    assert prompt.status == "completed" and prompt.last_execution_ms == 25.0  # the total, else the latency
    assert prompt.last_data_source_ids == [4, 9] and prompt.last_data_source_key == ",4,9,"


async def test_ids_given_by_the_server_are_distinct_time_ordered_uuids_and_are_the_stored_ones(client, make_tenant):
    """Ids are made for a whole batch at once (and one by one for a few events): both ways give
    canonical version-7 uuids (RFC 9562) carrying the time they were made, so a later request's ids
    sort after an earlier one's, distinct, and the events are stored under them."""
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    given: list[str] = []
    for size in (40, 3):
        if given:
            await asyncio.sleep(0.002)  # the next millisecond
        before = int(time.time() * 1000)
        r = await client.post(
            "/api/v1/prompts/analytics/batch", json={"events": [event(pid)] * size}, headers=tenant.key_headers
        )
        after = int(time.time() * 1000)
        assert r.status_code == 202
        ids = r.json()["data"]["event_ids"]
        assert all(before <= uuid.UUID(i).int >> 80 <= after for i in ids)  # the 48-bit Unix time in ms
        if given:
            assert max(given) < min(ids)  # an earlier millisecond's ids sort first
        given += ids
    parsed = [uuid.UUID(i) for i in given]
    assert [str(u) for u in parsed] == given and {u.version for u in parsed} == {7}
    assert {u.variant for u in parsed} == {uuid.RFC_4122} and len(set(given)) == 43
    await drain()
    prompt = await Prompt.get(uuid=pid)
    stored = await PromptExecution.filter(prompt_id=prompt.id).values_list("event_id", flat=True)
    assert sorted(str(e) for e in stored) == sorted(given)
