"""GraphQL ``signIn``: the REST token route's payload, limits and brute-force detection, over /graphql.

Clients act as other hosts through ``from_ip`` (tests/security/conftest.py): loopback is on the
default allow list (never observed, never blocked) and shares one per-address login budget with
the whole suite, so the limit and detection tests come from addresses of their own.
"""

from __future__ import annotations

import asyncio
import json
import random

import jwt
import websockets

from services.core.config import get_settings
from services.identity.policy import Principal, Role
from services.security import GUARD, decisions
from tests.conftest import start_server, within_one_minute_window
from tests.security.conftest import from_ip, monitoring_on, settle  # noqa: F401 (fixtures)

LOGIN = "/api/v1/auth/token"
SIGN_IN = """
mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    accessToken tokenType expiresAt userId organizationId role
  }
}
"""


def _address() -> str:
    return f"198.51.100.{random.randint(1, 254)}"


async def _sign_in(http, email: str, password: str):
    return await http.post("/graphql", json={"query": SIGN_IN, "variables": {"email": email, "password": password}})


async def test_sign_in_answers_the_rest_payload_and_its_token_works_on_graphql(client, make_tenant):
    tenant = await make_tenant("member")
    r = await _sign_in(client, tenant.email, tenant.password)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    signed = body["data"]["signIn"]
    assert signed["tokenType"] == "bearer" and signed["role"] == "member"
    assert (signed["userId"], signed["organizationId"]) == (tenant.user_id, tenant.organization_id)
    claims = jwt.decode(signed["accessToken"], get_settings().secret_key, algorithms=["HS256"])
    assert claims["sub"] == str(tenant.user_id) and claims["org"] == tenant.organization_id

    rest = (await client.post(LOGIN, json={"email": tenant.email.upper(), "password": tenant.password})).json()
    camel = {"".join(w.capitalize() if i else w for i, w in enumerate(k.split("_"))) for k in rest["data"]}
    assert camel == set(signed)  # the same payload, field for field

    viewer = await client.post(
        "/graphql",
        json={"query": "{ viewer { role authMethod user { email } organization { id } } }"},
        headers={"Authorization": f"Bearer {signed['accessToken']}"},
    )
    assert viewer.json() == {
        "data": {
            "viewer": {
                "role": "member",
                "authMethod": "jwt",
                "user": {"email": tenant.email},
                "organization": {"id": tenant.organization_id},
            }
        }
    }


async def test_a_wrong_password_is_the_same_error_as_an_unknown_email(client, make_tenant):
    tenant = await make_tenant()
    http = client  # loopback, allow-listed: this test is about the answer, not the detection
    wrong = (await _sign_in(http, tenant.email, "not-the-password")).json()
    ghost = (await _sign_in(http, f"ghost-{random.randint(0, 10**9)}@example.test", "whatever")).json()
    assert wrong["data"] is None and ghost["data"] is None
    assert wrong["errors"][0]["extensions"] == {"code": "UNAUTHORIZED"}
    strip = [{k: v for k, v in e.items() if k != "locations"} for e in wrong["errors"]]
    assert strip == [{k: v for k, v in e.items() if k != "locations"} for e in ghost["errors"]]
    rest = (await http.post(LOGIN, json={"email": tenant.email, "password": "not-the-password"})).json()
    assert wrong["errors"][0]["message"] == rest["error"]["message"] == "Invalid email or password"


async def test_rest_and_graphql_attempts_share_one_login_budget(from_ip, make_tenant):  # noqa: F811
    tenant = await make_tenant()
    limit = get_settings().login_rate_limit_per_minute
    root = Principal(0, 0, Role.SUPERUSER)
    await decisions.set_switch(root, False)  # the limits, not the brute-force bucket (its own test below)
    GUARD.invalidate()
    try:
        http = from_ip(_address())
        await within_one_minute_window()
        answers = []
        for n in range(limit):  # alternate: REST, GraphQL, REST, ...
            if n % 2:
                errors = (await _sign_in(http, tenant.email.upper(), "bad")).json()["errors"]
                answers.append(errors[0]["extensions"]["code"])
            else:
                r = await http.post(LOGIN, json={"email": tenant.email, "password": "bad"})
                answers.append({401: "UNAUTHORIZED"}.get(r.status_code, r.status_code))
        assert answers == ["UNAUTHORIZED"] * limit
        # The budget is spent, whichever adapter spent it: both refuse the next attempt, even the right password.
        r = await _sign_in(http, tenant.email, tenant.password)
        [error] = r.json()["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED", error
        assert 1 <= error["extensions"]["retry_after"] <= 60
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert r.json()["data"] is None
        r = await http.post(LOGIN, json={"email": tenant.email, "password": tenant.password})
        assert r.status_code == 429 and r.json()["error"]["code"] == "RATE_LIMITED"
    finally:
        await decisions.set_switch(root, True)
        GUARD.invalidate()


async def _until_refused(http, tenant) -> int:
    status = 0
    for _ in range(60):
        status = (await _sign_in(http, tenant.email, tenant.password)).status_code
        if status == 403:
            return status
        await asyncio.sleep(0.05)
    return status


async def test_failed_graphql_sign_ins_count_as_failed_logins_and_a_blocked_address_is_refused(
    client,
    from_ip,  # noqa: F811
    make_tenant,
):
    root = await make_tenant("superuser")
    victim = await make_tenant("member")
    address = _address()
    attacker = from_ip(address)
    await within_one_minute_window()
    refused = 0
    try:
        # http-bf-login holds 5: three failed REST logins and three failed GraphQL sign-ins overflow it.
        for n in range(8):  # 8: leeway for a slow run, as the REST test allows
            if n % 2:
                r = await _sign_in(attacker, victim.email, "wrong")
                if r.status_code == 200:
                    assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"
                    refused += 1
            else:
                r = await attacker.post(LOGIN, json={"email": victim.email, "password": "wrong"})
                refused += r.status_code == 401
            assert r.status_code in (200, 401, 403), r.text
        await settle()
        # Blocked: even a correct sign-in over GraphQL is refused at the door, in the REST envelope.
        assert await _until_refused(attacker, victim) == 403
        r = await _sign_in(attacker, victim.email, victim.password)
        assert r.json()["error"]["code"] == "FORBIDDEN" and int(r.headers["retry-after"]) > 800
        await settle()
        blocked = (await client.get("/v1/security/blocked-ips", headers=root.headers)).json()["data"]
        decision = next(d for d in blocked["blocked_ips"] if d["ip_address"] == address)
        assert decision["source"] == "automatic" and decision["reason"] == "http-bf-login"
        found = await client.get("/v1/security/events", params={"source_ip": address}, headers=root.headers)
        events = found.json()["data"]["events"]
        failed = [e for e in events if e["event_type"] == "failed_login"]
        assert len(failed) == refused >= 6
        assert sum(e["path"] == "/graphql" for e in failed) >= 3
        assert all(e["detail"] == {"graphql": "signIn"} for e in failed if e["path"] == "/graphql")
    finally:
        await client.post(f"/v1/security/blocked-ips/{address}/unblock", headers=root.headers)


async def test_unstorable_or_malformed_input_is_a_bad_request_naming_the_field(client, make_tenant):
    tenant = await make_tenant()
    cases = [
        ({"email": "a\x00b@example.test", "password": "x"}, "email"),
        ({"email": tenant.email, "password": "pw\x00"}, "password"),
        ({"email": "x" * 321 + "@example.test", "password": "x"}, "email"),
        ({"email": "no-at-sign", "password": "x"}, "email"),
        ({"email": tenant.email, "password": ""}, "password"),
        ({"email": tenant.email, "password": "p" * 1025}, "password"),
    ]
    for variables, field in cases:
        r = await client.post("/graphql", json={"query": SIGN_IN, "variables": variables})
        [error] = r.json()["errors"]
        assert error["extensions"]["code"] == "BAD_REQUEST", (variables, error)
        assert error["extensions"]["details"][0]["field"] == field, (variables, error)
        assert r.json()["data"] is None
    # A lone surrogate (valid JSON, not storable text) in a variable, and NUL in an inline literal.
    variables = '{"email": "a\\ud800@example.test", "password": "x"}'  # json.dumps would not write it
    raw = '{"query": ' + json.dumps(SIGN_IN) + ', "variables": ' + variables + "}"
    r = await client.post("/graphql", content=raw, headers={"content-type": "application/json"})
    assert r.status_code in (200, 400), r.text
    body = r.json()
    error = body["errors"][0] if "errors" in body else body["error"]
    code = error["extensions"]["code"] if "extensions" in error else error["code"]
    details = error["extensions"]["details"] if "extensions" in error else error["details"]
    assert code == "BAD_REQUEST" and details[0]["field"] == "email", body
    inline = 'mutation { signIn(email: "a\\u0000b@example.test", password: "x") { accessToken } }'
    [error] = (await client.post("/graphql", json={"query": inline})).json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST" and error["extensions"]["details"][0]["field"] == "email"
    # None of them was a login attempt: the right password still signs in at once.
    r = await _sign_in(client, tenant.email, tenant.password)
    assert r.json()["data"]["signIn"]["userId"] == tenant.user_id


async def test_sign_in_is_not_served_over_a_websocket(make_tenant):
    """The security middleware observes HTTP only: a sign-in it could not count is refused."""
    tenant = await make_tenant()
    proc, port = start_server()
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {tenant.access_token}"}}
            await ws.send(json.dumps(init))
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
            payload = {"query": SIGN_IN, "variables": {"email": tenant.email, "password": tenant.password}}
            await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": payload}))
            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
            assert errors[0]["extensions"]["code"] == "BAD_REQUEST", message
            assert errors[0]["extensions"]["details"][0]["field"] == "signIn"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
