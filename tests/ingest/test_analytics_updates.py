"""GraphQL ``analyticsUpdates`` over a real websocket (uvicorn in a subprocess) and real Redis pub/sub.

The drain (here, in the test process, as a worker runs it) announces per organization that its
analytics changed; a subscriber hears its own organization's notices and never another's, and a
burst is throttled to about one notice per second without losing its tail.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import websockets

from models.prompts import Prompt
from services.core.redis_client import get_redis
from services.ingest import analytics_channel, live, pipeline
from tests.conftest import eventually, redis_subscribers, start_server

SUBSCRIPTION = "subscription { analyticsUpdates { organizationId at events kinds promptIds promptIdsTruncated } }"


async def _subscribe(port: int, token: str):
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "u", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
    return ws


async def _next(ws, within: float) -> dict | None:
    """The next update on ``ws`` within ``within`` seconds (pings answered), or None."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), left))
        except TimeoutError:
            return None
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
            continue
        assert message["type"] == "next", message
        return message["payload"]["data"]["analyticsUpdates"]
    return None


async def _log(client, tenant, prompt: str, n: int) -> None:
    for _ in range(n):
        body = {"prompt_id": prompt, "version_hash": "v1", "latency_ms": 12.5, "prompt_name": "live"}
        r = await client.post("/api/v1/prompts/analytics", json=body, headers=tenant.key_headers)
        assert r.status_code == 204, r.text


async def test_a_drain_notifies_its_organization_only_throttled_without_losing_the_tail(
    client, make_tenant, monkeypatch
):
    monkeypatch.setattr(live, "INTERVAL", 3.0)  # the drain runs here: a throttle window no slow run outlasts
    a = await make_tenant("member")  # members may subscribe: they read their organization's figures
    b = await make_tenant("admin")
    prompt_a, prompt_b = str(uuid.uuid4()), str(uuid.uuid4())
    proc, port = start_server(GRAPHQL_WS_KEEPALIVE_SECONDS="5")
    try:
        ws_a, ws_b = await _subscribe(port, a.access_token), await _subscribe(port, b.access_token)
        try:

            async def listening() -> bool:
                return (
                    await redis_subscribers(analytics_channel(a.organization_id)) == 1
                    and await redis_subscribers(analytics_channel(b.organization_id)) == 1
                )

            assert await eventually(listening)

            await _log(client, a, prompt_a, 3)
            await pipeline.drain("test-live")
            update = await _next(ws_a, 5)
            stored_a = await Prompt.get(organization_id=a.organization_id, uuid=prompt_a)
            assert update is not None
            assert update["organizationId"] == a.organization_id
            assert update["events"] == 3 and update["kinds"] == ["prompt"]
            assert update["promptIds"] == [stored_a.id] and update["promptIdsTruncated"] is False

            # A burst right after a notice is held back, then sent whole once the window is over
            # (the drain's idle reads send what a throttled read kept), never one notice per batch.
            await _log(client, a, prompt_a, 2)
            await pipeline.drain("test-live")
            await _log(client, a, prompt_a, 2)
            await pipeline.drain("test-live")
            assert await _next(ws_a, 0.5) is None
            deadline = time.monotonic() + 6
            tail = None
            while tail is None and time.monotonic() < deadline:
                await pipeline.drain("test-live")  # an idle read, as the worker's pump makes every 0.2 s
                tail = await _next(ws_a, 0.2)
            assert tail is not None and tail["events"] == 4 and tail["promptIds"] == [stored_a.id]
            assert await _next(ws_a, 0.5) is None

            # Nothing of A's reached B (B's first message below is B's own); B's events reach B, not A;
            # a tool call is an update too.
            await _log(client, b, prompt_b, 1)
            r = await client.post(
                "/api/v1/tools/executions", json={"tool_name": "fetch", "duration_ms": 15}, headers=b.headers
            )
            assert r.status_code == 202, r.text
            await pipeline.drain("test-live")
            seen: dict[str, int] = {}
            while (got := await _next(ws_b, 2.5)) is not None:
                assert got["organizationId"] == b.organization_id
                for kind in got["kinds"]:
                    seen[kind] = seen.get(kind, 0) + 1
                if {"prompt", "tool"} <= set(seen):
                    break
                await pipeline.drain("test-live")
            assert {"prompt", "tool"} <= set(seen), seen
            assert await _next(ws_a, 1.0) is None
        finally:
            await ws_a.close()
            await ws_b.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_analytics_updates_needs_a_credential(make_tenant):
    proc, port = start_server()
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer nope"}}))
            await asyncio.wait_for(ws.wait_closed(), 5)
            assert ws.close_code == 4403
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_two_drain_processes_announce_an_organization_once_per_window(monkeypatch):
    """The throttle window is kept in Redis: a second drain process (here: this process with its
    memory of the first notice forgotten) that stored events for the same organization within the
    window holds its notice back, and sends it, whole, when the first process's window ends."""
    monkeypatch.setattr(live, "INTERVAL", 2.0)
    org = 2_000_000_000 + uuid.uuid4().int % 100_000_000  # no database row needed: notes are plain ids
    pubsub = get_redis().pubsub()
    await pubsub.subscribe(analytics_channel(org))
    try:
        assert (await pubsub.get_message(timeout=2))["type"] == "subscribe"

        async def notices(wait: float) -> list[dict]:
            got, deadline = [], time.monotonic() + wait
            while (left := deadline - time.monotonic()) > 0:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
                if message is not None:
                    got.append(json.loads(message["data"]))
            return got

        live.note("prompt", org, 3, [11])
        await live.publish_due()
        assert [n["events"] for n in await notices(0.3)] == [3]

        live._sent.pop(org)  # the other process: it never announced this organization itself
        live.note("tool", org, 2)
        await live.publish_due()
        await live.publish_due()
        assert await notices(0.5) == []  # the first process's window holds in Redis
        assert live._notes[org].events == 2  # kept, not dropped

        deadline = time.monotonic() + 5
        tail: list[dict] = []
        while not tail and time.monotonic() < deadline:
            await live.publish_due()  # the drain's idle reads
            tail = await notices(0.2)
        assert [(n["events"], n["kinds"]) for n in tail] == [(2, ["tool"])]
        assert org not in live._notes
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()
