"""Request recording middleware, endpoint performance and response-time trends."""

from __future__ import annotations

import uuid

from services.observability import requests as request_metrics


async def perf(client, tenant, **params) -> dict:
    r = await client.get("/v1/monitoring/endpoints/performance", params=params, headers=tenant.headers)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def row(data: dict, method: str, route: str) -> dict | None:
    return next((e for e in data["endpoints"] if e["method"] == method and e["endpoint"] == route), None)


async def test_requests_are_recorded_by_route_template(client, make_tenant):
    admin = await make_tenant("admin")
    await request_metrics.flush()
    before = await perf(client, admin, limit=500, sort_by="count")
    prev = row(before, "GET", "/api/v1/prompts/{prompt_id}") or {"count": 0, "client_errors": 0}
    prev_unmatched = row(before, "GET", request_metrics.UNMATCHED) or {"count": 0}
    for _ in range(3):
        r = await client.get(f"/api/v1/prompts/{uuid.uuid4().int % 10**9 + 10**8}", headers=admin.headers)
        assert r.status_code == 404
    r = await client.get(f"/no/such/{uuid.uuid4().hex}")
    assert r.status_code == 404
    await request_metrics.flush()
    after = await perf(client, admin, limit=500, sort_by="count")
    got = row(after, "GET", "/api/v1/prompts/{prompt_id}")
    assert got["count"] == prev["count"] + 3
    assert got["client_errors"] == prev["client_errors"] + 3
    assert got["p50_ms"] > 0 and got["p95_ms"] >= got["p50_ms"] and got["p99_ms"] >= got["p95_ms"]
    assert got["avg_ms"] > 0 and got["throughput_per_min"] > 0 and got["bytes_out"] > 0
    assert row(after, "GET", request_metrics.UNMATCHED)["count"] == prev_unmatched["count"] + 1
    # raw paths never become series
    assert not any("/no/such" in e["endpoint"] for e in after["endpoints"])
    assert not any(e["endpoint"].startswith("/api/v1/prompts/1") for e in after["endpoints"])


async def test_sorting_and_limit(client, make_tenant):
    admin = await make_tenant("admin")
    await client.get("/healthz")
    await request_metrics.flush()
    for field in ("count", "error_rate", "avg_ms", "p50_ms", "p95_ms", "p99_ms", "throughput_per_min"):
        data = await perf(client, admin, sort_by=field, limit=3, hours=2)
        values = [e[field] or 0 for e in data["endpoints"]]
        assert values == sorted(values, reverse=True), field
        assert len(data["endpoints"]) <= 3 and data["sort_by"] == field and data["hours"] == 2


async def test_bad_input_is_400_with_details(client, make_tenant):
    admin = await make_tenant("admin")
    cases = [
        ("/v1/monitoring/endpoints/performance", {"hours": 0}, "hours"),
        ("/v1/monitoring/endpoints/performance", {"hours": -1}, "hours"),
        ("/v1/monitoring/endpoints/performance", {"hours": 100000}, "hours"),
        ("/v1/monitoring/endpoints/performance", {"limit": 0}, "limit"),
        ("/v1/monitoring/endpoints/performance", {"sort_by": "fastest"}, "sort_by"),
        ("/v1/monitoring/trends/response-time", {"hours": 0}, "hours"),
        ("/v1/monitoring/dashboard", {"hours": 100000}, "hours"),
        ("/v1/monitoring/recommendations", {"hours": -1}, "hours"),
    ]
    for path, params, field in cases:
        r = await client.get(path, params=params, headers=admin.headers)
        assert r.status_code == 400, (path, params, r.text)
        body = r.json()
        assert body["error"]["code"] == "BAD_REQUEST"
        assert [d["field"] for d in body["error"]["details"]] == [field]


async def test_members_cannot_read_platform_metrics(client, make_tenant):
    member = await make_tenant("member")
    for path in (
        "/v1/monitoring/endpoints/performance",
        "/v1/monitoring/trends/response-time",
        "/v1/monitoring/dashboard",
        "/v1/monitoring/recommendations",
        "/v1/monitoring/metrics/current",
        "/v1/monitoring/health-check",
        "/metrics",
        "/v1/metrics/json",
        "/v1/metrics/summary",
    ):
        r = await client.get(path, headers=member.headers)
        assert r.status_code == 403, path
        assert (await client.get(path)).status_code == 401, path


async def test_trend_of_one_endpoint(client, make_tenant):
    admin = await make_tenant("admin")
    for _ in range(5):
        await client.get("/api/v1/auth/me", headers=admin.headers)
    await request_metrics.flush()
    r = await client.get(
        "/v1/monitoring/trends/response-time",
        params={"hours": 3, "endpoint": "GET /api/v1/auth/me"},
        headers=admin.headers,
    )
    data = r.json()["data"]
    assert len(data["buckets"]) == 3
    assert [b["hour"] for b in data["buckets"]] == sorted(b["hour"] for b in data["buckets"])
    current = data["buckets"][-1]
    assert current["count"] >= 5 and current["p95_ms"] >= current["p50_ms"] > 0
    # a direction needs at least three hours with data: here there is one
    assert data["trend"]["direction"] == "insufficient_data" and data["trend"]["points"] >= 1
    other = await client.get(
        "/v1/monitoring/trends/response-time", params={"endpoint": "/nothing/here"}, headers=admin.headers
    )
    assert all(b["count"] == 0 for b in other.json()["data"]["buckets"])


async def test_trend_direction_is_claimed_only_when_significant(client, make_tenant):
    admin = await make_tenant("admin")
    route = f"/trend-{uuid.uuid4().hex[:8]}/{{id}}"
    now = request_metrics.current_hour()
    for i, ms in enumerate((10.0, 20.0, 30.0, 40.0, 50.0)):
        hour = now - (4 - i) * request_metrics.HOUR_SECONDS
        for _ in range(20):
            request_metrics.RECORDER.record("GET", route, 200, ms / 1000, at=hour + 60)
    flat = f"/flat-{uuid.uuid4().hex[:8]}"
    for i, ms in enumerate((30.0, 10.0, 30.0, 10.0, 30.0)):
        hour = now - (4 - i) * request_metrics.HOUR_SECONDS
        for _ in range(20):
            request_metrics.RECORDER.record("GET", flat, 200, ms / 1000, at=hour + 60)
    await request_metrics.flush()
    r = await client.get(
        "/v1/monitoring/trends/response-time", params={"hours": 6, "endpoint": route}, headers=admin.headers
    )
    data = r.json()["data"]
    assert [b["count"] for b in data["buckets"]] == [0, 20, 20, 20, 20, 20]
    p95s = [b["p95_ms"] for b in data["buckets"][1:]]
    for got, want in zip(p95s, (10, 20, 30, 40, 50), strict=True):
        assert abs(got - want) <= want * 0.011  # the sketch's 1% relative accuracy
    trend = data["trend"]
    assert trend["direction"] == "increasing" and trend["significant"] and trend["p_value"] < 0.05
    assert abs(trend["slope_per_hour"] - 10) < 0.5 and trend["points"] == 5
    r = await client.get(
        "/v1/monitoring/trends/response-time", params={"hours": 6, "endpoint": f"GET {flat}"}, headers=admin.headers
    )
    assert r.json()["data"]["trend"]["direction"] == "stable"
    # the same data through the endpoint analysis: percentiles merged over hours
    data = await perf(client, admin, hours=6, sort_by="count", limit=500)
    merged = row(data, "GET", route)
    assert merged["count"] == 100 and abs(merged["avg_ms"] - 30) < 0.01
    assert abs(merged["p50_ms"] - 30) <= 0.31 and abs(merged["p99_ms"] - 50) <= 0.51
