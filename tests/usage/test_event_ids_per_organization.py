"""An event id is an idempotency key within its organization: another organization's usage event
with the same id is its own event (stored), a re-send within one organization is stored once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.ingest import pipeline

BASE = "/v1/public/ai-usage"
API = "/api/v1/usage"


async def test_two_organizations_may_send_the_same_event_id_and_a_resend_is_stored_once(client, make_tenant):
    first, second = await make_tenant("admin"), await make_tenant("admin")
    assert first.organization_id != second.organization_id
    shared, own = str(uuid.uuid4()), str(uuid.uuid4())
    when = (datetime.now(UTC) - timedelta(minutes=3)).isoformat()

    def event(event_id: str, tokens: int) -> dict[str, object]:
        return {
            "event_id": event_id,
            "model": "gpt-4o-mini",
            "input_tokens": tokens,
            "output_tokens": 1,
            "timestamp": when,
        }

    single = await client.post(f"{API}/events", json=event(shared, 10), headers=first.headers)
    assert single.status_code == 202, single.text
    await pipeline.drain("test")
    # the second organization: the same id in a batch (another drain), then both re-send it
    r = await client.post(
        f"{API}/events/batch", json={"events": [event(shared, 20), event(own, 30)]}, headers=second.headers
    )
    assert r.status_code == 202, r.text
    await pipeline.drain("test")
    for tenant, tokens in ((first, 10), (second, 20), (first, 10)):
        r = await client.post(f"{API}/events/batch", json={"events": [event(shared, tokens)]}, headers=tenant.headers)
        assert r.status_code == 202, r.text
    await pipeline.drain("test")

    async def logs(tenant) -> list[tuple[str, int]]:
        r = await client.get(f"{BASE}/logs", params={"days": 1}, headers=tenant.headers)
        assert r.status_code == 200, r.text
        return sorted((i["event_id"], i["input_tokens"]) for i in r.json()["data"]["items"])

    assert await logs(first) == [(shared, 10)]
    assert await logs(second) == sorted([(shared, 20), (own, 30)])
