"""Every error class answers in the envelope with the right status and code."""

from __future__ import annotations

import httpx
from asgi_lifespan import LifespanManager
from starlette.routing import Route

from api.app import create_app
from services.core.config import get_settings


def _assert_error(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert body["message"] == body["error"]["message"] and body["message"]
    assert isinstance(body["error"]["details"], list)
    assert "x-request-id" in r.headers
    return body


async def test_success_envelope(client):
    r = await client.get("/healthz")
    assert r.json() == {"success": True, "data": {"status": "ok"}, "message": "Service is alive"}


async def test_400_malformed_json_and_per_field_details(client, make_tenant):
    tenant = await make_tenant()
    r = await client.post("/api/v1/api-keys", content=b'{"name": ', headers=tenant.headers)
    body = _assert_error(r, 400, "BAD_REQUEST")
    assert body["error"]["details"][0]["field"] == "body"
    r = await client.post(
        "/api/v1/api-keys", json={"name": "", "rate_limit_per_minute": "lots"}, headers=tenant.headers
    )
    body = _assert_error(r, 400, "BAD_REQUEST")
    fields = {d["field"] for d in body["error"]["details"]}
    assert fields == {"name", "rate_limit_per_minute"}
    assert "'name'" in body["message"]
    r = await client.post("/api/v1/api-keys", headers=tenant.headers)
    assert _assert_error(r, 400, "BAD_REQUEST")["error"]["details"][0]["type"] == "missing"
    r = await client.get("/api/v1/api-keys?include_revoked=maybe", headers=tenant.headers)
    assert _assert_error(r, 400, "BAD_REQUEST")["error"]["details"][0]["field"] == "include_revoked"


async def test_unknown_fields_are_ignored(client, make_tenant):
    tenant = await make_tenant()
    r = await client.post("/api/v1/api-keys", json={"name": "k", "colour": "blue"}, headers=tenant.headers)
    assert r.status_code == 201 and "colour" not in r.json()["data"]


async def test_401_403_404_405(client, make_tenant):
    _assert_error(await client.get("/api/v1/auth/me"), 401, "UNAUTHORIZED")
    member = await make_tenant("member")
    _assert_error(await client.get("/api/v1/users", headers=member.headers), 403, "FORBIDDEN")
    _assert_error(await client.get("/no/such/path"), 404, "NOT_FOUND")
    _assert_error(await client.get("/api/v1/users/999999", headers=member.headers), 404, "NOT_FOUND")
    r = await client.put("/healthz")
    _assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in r.headers["allow"]


async def test_413_oversized_body(client, make_tenant):
    tenant = await make_tenant()
    limit = get_settings().max_body_bytes
    big = b'{"name": "' + b"x" * (limit + 10) + b'"}'
    _assert_error(await client.post("/api/v1/api-keys", content=big, headers=tenant.headers), 413, "PAYLOAD_TOO_LARGE")

    async def chunks():  # no Content-Length: the streaming counter must catch it
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    r = await client.post("/api/v1/api-keys", content=chunks(), headers=tenant.headers)
    _assert_error(r, 413, "PAYLOAD_TOO_LARGE")


async def test_request_id_is_echoed_when_sane(client):
    r = await client.get("/healthz", headers={"X-Request-ID": "abc12345-trace"})
    assert r.headers["x-request-id"] == "abc12345-trace"
    r = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert r.headers["x-request-id"] != "bad id with spaces" and len(r.headers["x-request-id"]) == 32


async def test_500_is_masked_with_request_id(app):
    async def explode(request):
        raise RuntimeError("SELECT secret FROM vault -- should never leak")

    broken = create_app(orm_global_fallback=False)
    broken.router.routes.insert(0, Route("/explode", explode))
    async with LifespanManager(broken):
        transport = httpx.ASGITransport(app=broken, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            r = await http.get("/explode")
    body = _assert_error(r, 500, "INTERNAL_SERVER_ERROR")
    assert "SELECT" not in r.text and "Traceback" not in r.text
    assert body["error"]["request_id"] == r.headers["x-request-id"]


async def test_503_when_redis_is_down(app, make_tenant):
    tenant = await make_tenant()
    dead = create_app(
        get_settings().with_overrides(redis_url="redis://127.0.0.1:1/0", probe_timeout_seconds=0.5),
        orm_global_fallback=False,
    )
    async with LifespanManager(dead):
        transport = httpx.ASGITransport(app=dead, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            ready = await http.get("/readyz")
            login = await http.post("/api/v1/auth/token", json={"email": tenant.email, "password": tenant.password})
            mutation = 'mutation { recordMetric(input: {name: "m", value: 1, type: "gauge"}) { rulesEvaluated } }'
            graphql = await http.post("/graphql", json={"query": mutation}, headers=tenant.headers)
    body = _assert_error(ready, 503, "SERVICE_UNAVAILABLE")
    assert ready.headers["retry-after"] == "5"
    assert [d["field"] for d in body["error"]["details"]] == ["redis"]
    checks = {c["name"]: c for c in body["error"]["checks"]}
    assert checks["database"]["ok"] is True and checks["redis"]["ok"] is False
    _assert_error(login, 503, "SERVICE_UNAVAILABLE")
    assert int(login.headers["retry-after"]) > 0
    # one mapping for both adapters: GraphQL reports the same outage as SERVICE_UNAVAILABLE, not a masked 500
    assert graphql.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE", graphql.text


async def test_readyz_reports_database_and_redis(client):
    r = await client.get("/readyz")
    assert r.status_code == 200
    checks = {c["name"]: c for c in r.json()["data"]["checks"]}
    assert checks["database"]["ok"] and checks["redis"]["ok"]
    assert checks["database"]["detail"]["dialect"] == get_settings().dialect
