"""Single events sent at the same moment share one Redis script call and one stream entry per API key,
and each request is still admitted, refused and stored on its own."""

from __future__ import annotations

import asyncio
import uuid

from models.prompts import Prompt, PromptExecution
from services.core.redis_client import get_redis, key
from services.ingest import pipeline as prompt_ingest
from workers import jobs

CTX = {"worker_id": "test-coalescing"}


def event(prompt: uuid.UUID, **extra: object) -> dict[str, object]:
    return {"prompt_id": str(prompt), "version_hash": "v1", "latency_ms": 100.0, **extra}


async def stream_length() -> int:
    return int(await get_redis().xlen(key(prompt_ingest.STREAM)))


async def test_concurrent_single_events_of_one_key_become_few_stream_entries_each_stored_once(client, make_tenant):
    tenant = await make_tenant("member")
    pid = uuid.uuid4()
    await jobs.drain_ingest(CTX)
    before = await stream_length()
    sent = [str(uuid.uuid4()) for _ in range(60)]
    replies = await asyncio.gather(
        *(
            client.post(
                "/api/v1/prompts/analytics", json=event(pid, event_id=eid, score=i / 100), headers=tenant.key_headers
            )
            for i, eid in enumerate(sent)
        )
    )
    assert [r.status_code for r in replies] == [204] * 60
    entries = await stream_length() - before
    assert 1 <= entries < 60  # merged: at most 100 single events per entry
    assert (await jobs.drain_ingest(CTX))["inserted"] == 60
    prompt = await Prompt.get(uuid=pid)
    rows = await PromptExecution.filter(prompt_id=prompt.id).values_list("event_id", "score")
    assert sorted((str(e), s) for e, s in rows) == sorted((eid, i / 100) for i, eid in enumerate(sent))


async def test_each_coalesced_call_is_counted_against_the_limit_on_its_own(client, make_tenant):
    tenant = await make_tenant("member")
    made = await client.post(
        "/api/v1/api-keys", json={"name": "five", "rate_limit_per_minute": 5}, headers=tenant.headers
    )
    headers = {"Authorization": f"Bearer {made.json()['data']['key']}"}
    pid = uuid.uuid4()
    await jobs.drain_ingest(CTX)
    for _ in range(2):  # a second try when the minute rolled over between the calls
        sent = [str(uuid.uuid4()) for _ in range(8)]
        replies = await asyncio.gather(
            *(client.post("/api/v1/prompts/analytics", json=event(pid, event_id=e), headers=headers) for e in sent)
        )
        if [r.status_code for r in replies].count(204) == 5:
            break
    statuses = [r.status_code for r in replies]
    assert statuses.count(204) == 5 and statuses.count(429) == 3, statuses
    assert all(int(r.headers["retry-after"]) >= 1 for r in replies if r.status_code == 429)
    admitted = {e for e, r in zip(sent, replies, strict=True) if r.status_code == 204}
    await jobs.drain_ingest(CTX)
    prompt = await Prompt.get(uuid=pid)
    stored = {str(e) for e in await PromptExecution.filter(prompt_id=prompt.id).values_list("event_id", flat=True)}
    assert admitted <= stored and not (set(sent) - admitted) & stored  # refused events were never queued


async def test_tenants_sending_at_once_keep_their_own_events_and_batches_mix_with_singles(client, make_tenant):
    a = await make_tenant("member")
    b = await make_tenant("member")
    pid = uuid.uuid4()  # the same uuid from two organizations names two different prompts
    await jobs.drain_ingest(CTX)
    calls = []
    for tenant in (a, b):
        calls += [
            client.post("/api/v1/prompts/analytics", json=event(pid, latency_ms=float(i)), headers=tenant.key_headers)
            for i in range(10)
        ]
        batch = {"events": [event(pid, latency_ms=1000.0 + i) for i in range(150)]}
        calls.append(client.post("/api/v1/prompts/analytics/batch", json=batch, headers=tenant.key_headers))
    replies = await asyncio.gather(*calls)
    assert sorted(r.status_code for r in replies) == [202] * 2 + [204] * 20
    assert (await jobs.drain_ingest(CTX))["inserted"] == 320
    for tenant in (a, b):
        prompt = await Prompt.get(uuid=pid, organization_id=tenant.organization_id)
        latencies = sorted(await PromptExecution.filter(prompt_id=prompt.id).values_list("latency_ms", flat=True))
        assert latencies == [float(i) for i in range(10)] + [1000.0 + i for i in range(150)]
        assert prompt.owner_id == tenant.user_id
