"""GraphQL subscriptions over a real websocket (uvicorn in a subprocess) and real Redis pub/sub.

A subscription must outlive quiet periods: ``pubsub.listen()`` used to block in one read
bounded by the Redis socket timeout (``PROBE_TIMEOUT_SECONDS``) and end both
subscriptions with INTERNAL_SERVER_ERROR after ~2 s of silence.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import websockets

from services.alerting import events as alert_events
from services.core.config import get_settings
from services.metrics.recorded import updates_channel
from tests.conftest import eventually, redis_subscribers, start_server

ROOT = Path(__file__).resolve().parents[2]
KEEPALIVE = 0.5


async def test_subscriptions_stay_open_through_silence_with_pings(client, make_tenant):
    tenant = await make_tenant()
    quiet = get_settings().probe_timeout_seconds + 1.5  # longer than the Redis socket timeout
    proc, port = start_server(GRAPHQL_WS_KEEPALIVE_SECONDS=str(KEEPALIVE))
    metrics_channel = updates_channel(tenant.organization_id)
    alerts_channel = alert_events.channel(tenant.organization_id)
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {tenant.access_token}"}}
            await ws.send(json.dumps(init))
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
            metric_sub = 'subscription { metricUpdates(names: ["quiet_metric"]) { name value } }'
            alert_sub = 'subscription { alertEvents(events: ["firing"]) { event alert { value } } }'
            await ws.send(json.dumps({"id": "m", "type": "subscribe", "payload": {"query": metric_sub}}))
            await ws.send(json.dumps({"id": "a", "type": "subscribe", "payload": {"query": alert_sub}}))

            async def both_listening() -> bool:
                return await redis_subscribers(metrics_channel) == 1 and await redis_subscribers(alerts_channel) == 1

            assert await eventually(both_listening)

            # Silence for longer than the socket timeout: only keep-alive pings may arrive.
            pings, deadline = 0, time.monotonic() + quiet
            while (left := deadline - time.monotonic()) > 0:
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), left))
                except TimeoutError:
                    break
                assert message["type"] == "ping", message  # no error, no complete
                pings += 1
                await ws.send(json.dumps({"type": "pong"}))
            assert pings >= 2, pings
            assert await both_listening()

            recorded = await client.post(
                "/admin/prompt-analytics/metrics",
                json={"name": "quiet_metric", "value": 1.5, "type": "gauge"},
                headers=tenant.headers,
            )
            assert recorded.status_code == 200, recorded.text
            rule = await client.post(
                "/admin/prompt-analytics/alerts/rules",
                json={"metric": "quiet_metric", "aggregation": "max", "comparison": "gt", "threshold": 3},
                headers=tenant.headers,
            )
            assert rule.status_code == 200, rule.text
            breach = await client.post(
                "/admin/prompt-analytics/metrics",
                json={"name": "quiet_metric", "value": 7, "type": "gauge"},
                headers=tenant.headers,
            )
            assert breach.status_code == 200, breach.text

            got: dict[str, dict] = {}
            while len(got) < 3:
                message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                if message["type"] == "ping":
                    continue
                assert message["type"] == "next", message
                key = message["id"] if message["id"] == "a" else f"m{len(got)}"
                got[key] = message["payload"]["data"]
            assert got["a"] == {"alertEvents": {"event": "firing", "alert": {"value": 7.0}}}
            metric_values = [v["metricUpdates"]["value"] for k, v in got.items() if k != "a"]
            assert metric_values == [1.5, 7.0]

            await ws.send(json.dumps({"id": "m", "type": "complete"}))
            assert await eventually(lambda: _numsub_is(metrics_channel, 0))
            assert await redis_subscribers(alerts_channel) == 1

        # The client went away: the server releases the other subscription's Redis connection too.
        assert await eventually(lambda: _numsub_is(alerts_channel, 0))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def _numsub_is(channel: str, expected: int) -> bool:
    return await redis_subscribers(channel) == expected


async def test_subscription_limits_and_bad_input_over_websocket(make_tenant):
    tenant = await make_tenant()
    proc, port = start_server(GRAPHQL_MAX_DEPTH="2")
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {tenant.access_token}"}}
            await ws.send(json.dumps(init))
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"

            deep = "subscription { alertEvents { alert { history { kind } } } }"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": deep}}))
            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert message["type"] == "error" and message["id"] == "1"
            assert message["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"

            nul = "subscription($n: [String!]) { metricUpdates(names: $n) { name } }"
            payload = {"query": nul, "variables": {"n": ["ok", "bad\u0000"]}}
            await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": payload}))
            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert message["type"] == "error" and message["id"] == "2"
            [error] = message["payload"]
            assert error["extensions"]["code"] == "BAD_REQUEST"
            assert error["extensions"]["details"][0]["field"] == "n.1"

            for n, payload in enumerate(
                ["{ viewer { role } }", {"query": 5}, {"query": "{ __typename }", "variables": [1]}]
            ):
                await ws.send(json.dumps({"id": f"p{n}", "type": "subscribe", "payload": payload}))
                message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                assert message["type"] == "error" and message["id"] == f"p{n}", message
                assert message["payload"][0]["extensions"]["code"] == "BAD_REQUEST"
                assert message["payload"][0]["extensions"]["details"][0]["field"].startswith("payload")

            # A message nested too deeply is not JSON we accept: the socket closes with 4400, no crash.
            await ws.send('{"type": "subscribe", "id": "3", "payload": {"variables": ' + "[" * 5000 + "]" * 5000 + "}}")
            await asyncio.wait_for(ws.wait_closed(), 5)
            assert ws.close_code == 4400
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_a_deactivated_or_demoted_subscriber_is_cut_off(client, make_tenant):
    """A role change reaches an open subscription as it reaches new requests (API_KEY_CACHE_SECONDS)."""
    boss = await make_tenant("admin")
    proc, port = start_server(GRAPHQL_WS_KEEPALIVE_SECONDS="5", API_KEY_CACHE_SECONDS="0.5")
    channel = updates_channel(boss.organization_id)

    async def listening() -> bool:
        return await redis_subscribers(channel) >= 1

    async def released() -> bool:
        return await redis_subscribers(channel) == 0

    try:
        for change in ({"is_active": False}, {"role": "member"}):
            email = f"sub-{time.monotonic_ns()}@example.test"
            made = await client.post(
                "/api/v1/users",
                json={"email": email, "role": "admin", "password": "pw-long-enough"},
                headers=boss.headers,
            )
            user_id = made.json()["data"]["id"]
            login = await client.post("/api/v1/auth/token", json={"email": email, "password": "pw-long-enough"})
            token = login.json()["data"]["access_token"]
            url = f"ws://127.0.0.1:{port}/graphql"
            async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
                init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
                await ws.send(json.dumps(init))
                assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
                sub = {"query": "subscription { metricUpdates { name value } }"}
                await ws.send(json.dumps({"id": "m", "type": "subscribe", "payload": sub}))
                assert await eventually(listening)
                r = await client.patch(f"/api/v1/users/{user_id}", json=change, headers=boss.headers)
                assert r.status_code == 200, r.text
                message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                errors = message.get("payload") if message["type"] == "error" else message["payload"].get("errors")
                assert errors and errors[0]["extensions"]["code"] in {"UNAUTHORIZED", "FORBIDDEN"}, message
                assert await eventually(released)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
