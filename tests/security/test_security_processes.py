"""Security across real processes: uvicorn servers sharing the test Redis and database.

Clients bind their own loopback source address (127.0.0.x) to act as distinct hosts; only
127.0.0.1 is on the default allow list.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.conftest import start_server
from tests.security.conftest import settle

LOGIN = "/api/v1/auth/token"


@pytest.fixture
async def servers() -> AsyncIterator[Callable[..., int]]:
    procs = []

    def start(**env: str) -> int:
        for attempt in range(3):  # on a loaded machine uvicorn may miss start_server's 15 s
            try:
                proc, port = start_server(**env)
            except RuntimeError:
                if attempt == 2:
                    raise
                continue
            procs.append(proc)
            return port
        raise AssertionError("unreachable")

    yield start
    for proc in procs:
        proc.terminate()  # uvicorn's lifespan shutdown flushes the process's recorder
    for proc in procs:
        proc.wait(timeout=20)
    await settle()


def host(port: int, source: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    return httpx.AsyncClient(transport=transport, base_url=f"http://127.0.0.1:{port}", timeout=10)


async def until(client: httpx.AsyncClient, status: int, seconds: float, **kw: object) -> float:
    """Seconds until ``GET /api/v1/auth/me`` answers ``status`` (fails after ``seconds``)."""
    started = time.monotonic()
    last = None
    while time.monotonic() - started < seconds:
        last = (await client.get("/api/v1/auth/me", **kw)).status_code  # type: ignore[arg-type]
        if last == status:
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    raise AssertionError(f"still {last} after {seconds}s, wanted {status}")


async def decision_of(admin: httpx.AsyncClient, token: str, ip: str) -> dict:
    r = await admin.get("/v1/security/blocked-ips", headers={"Authorization": f"Bearer {token}"})
    return next(d for d in r.json()["data"]["blocked_ips"] if d["ip_address"] == ip)


async def test_failed_logins_block_everywhere_expire_grow_and_unblock_within_a_second(servers, make_tenant):
    root, victim = await make_tenant("superuser"), await make_tenant("member")
    env = {"SECURITY_BAN_SECONDS": "2", "SECURITY_BAN_FACTOR": "2"}
    a, b = servers(**env), servers(**env)
    ip = "127.0.0.23"
    async with host(a, ip) as attacker_a, host(b, ip) as attacker_b, host(a) as admin_a:
        for _ in range(20):
            r = await attacker_a.post(LOGIN, json={"email": victim.email, "password": "wrong"})
            assert r.status_code in (401, 429, 403)
        await until(attacker_a, 403, 3)
        await until(attacker_b, 403, 3)  # the other process enforces the same decision
        d = await decision_of(admin_a, root.access_token, ip)
        assert (d["source"], d["reason"], d["duration_seconds"], d["offence"]) == (
            "automatic",
            "http-bf-login",
            2,
            1,
        )
        assert (await attacker_b.get("/healthz")).status_code == 200
        await until(attacker_b, 401, 5)  # the block expires on its own
        for _ in range(20):  # the repeat offender's second block is twice as long
            await attacker_b.post(LOGIN, json={"email": victim.email, "password": "wrong"})
        await until(attacker_a, 403, 3)
        d = await decision_of(admin_a, root.access_token, ip)
        assert (d["duration_seconds"], d["offence"]) == (4, 2)
        await until(attacker_b, 403, 3)
        r = await admin_a.post(f"/v1/security/blocked-ips/{ip}/unblock", headers=root.headers)
        assert r.status_code == 200
        assert await until(attacker_b, 401, 1.0) < 1.0  # unblocked in the other process within a second


async def test_forwarded_for_is_honoured_only_from_trusted_proxies(client, servers, make_tenant):
    root = await make_tenant("superuser")
    trusting = servers(TRUSTED_PROXIES="127.0.0.1/32,10.0.0.0/8")
    plain = servers()
    blocked = "203.0.113.77"
    r = await client.post(f"/v1/security/blocked-ips/{blocked}/block", headers=root.headers)
    assert r.status_code == 200
    try:
        xff = {"X-Forwarded-For": blocked}
        async with host(trusting) as proxy, host(trusting, "127.0.0.45") as forger, host(plain, "127.0.0.45") as other:
            await until(proxy, 403, 3, headers=xff)  # from the trusted proxy: the client is 203.0.113.77
            await until(proxy, 403, 3, headers={"X-Forwarded-For": f"198.51.100.99, {blocked}, 10.1.2.3"})
            # the first untrusted hop from the right is the client; what it claims further left is ignored
            await until(proxy, 401, 3, headers={"X-Forwarded-For": f"{blocked}, 198.51.100.99"})
            await until(proxy, 401, 3, headers={"X-Forwarded-For": f"{blocked}, not-an-address"})
            assert (await proxy.get("/healthz", headers=xff)).status_code == 200
            # a forged header from an untrusted peer changes nothing, with or without trusted proxies
            for _ in range(10):
                assert (await forger.get("/api/v1/auth/me", headers=xff)).status_code == 401
                assert (await other.get("/api/v1/auth/me", headers=xff)).status_code == 401
    finally:
        await client.post(f"/v1/security/blocked-ips/{blocked}/unblock", headers=root.headers)


async def _listen(port: int, token: str, query: str) -> Any:
    import json

    import websockets

    ws = await websockets.connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": {"query": query}}))
    return ws


async def _next_events(ws: Any, want: int) -> list[dict]:
    import json

    got: list[dict] = []
    while len(got) < want:
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if message["type"] == "ping":
            continue
        assert message["type"] == "next", message
        got.append(message["payload"]["data"]["securityEvents"])
    return got


async def test_security_events_subscription_is_scoped(servers, from_ip, make_tenant):
    from redis.asyncio import Redis

    from services.security.recorder import channel

    org = f"org-sub-{time.time_ns()}"
    member, admin = await make_tenant("member", org=org), await make_tenant("admin", org=org)
    root, member_member_only = await make_tenant("superuser"), None
    port = servers()
    query = 'subscription { securityEvents(minLevel: "medium") { eventType sourceIp organizationId } }'
    platform = await _listen(port, root.access_token, query)
    scoped = await _listen(port, admin.access_token, query)
    try:
        redis = Redis.from_url(os.environ["REDIS_URL"])
        try:
            for name in (channel(None), channel(admin.organization_id)):
                for _ in range(50):
                    [(_, count)] = await redis.pubsub_numsub(name)
                    if int(count) >= 1:
                        break
                    await asyncio.sleep(0.1)
        finally:
            await redis.aclose()
        assert (await from_ip("198.51.100.80").get("/v1/security/events", headers=member.headers)).status_code == 403
        await from_ip("198.51.100.81").get("/wp-admin/")
        await settle()
        mine = await _next_events(scoped, 1)
        assert mine == [
            {"eventType": "forbidden", "sourceIp": "198.51.100.80", "organizationId": admin.organization_id}
        ]
        everything = await _next_events(platform, 2)
        assert {e["eventType"] for e in everything} == {"forbidden", "probe_path"}
    finally:
        await platform.close()
        await scoped.close()
    assert member_member_only is None
