"""Monitoring in GraphQL: same services, same roles, same validation as REST."""

from __future__ import annotations

from services.observability import requests as request_metrics

QUERY = """
query($hours: Int!, $sortBy: String!) {
  systemHealth { status services { name status latencyMs error } }
  endpointPerformance(hours: $hours, limit: 100, sortBy: $sortBy) { endpoint method count p95Ms errorRate }
  systemMetrics { host cpuPercent memoryTotalBytes processThreads load1 }
}
"""


async def gql(client, query, headers, **variables) -> dict:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_monitoring_queries(client, make_tenant):
    admin = await make_tenant("admin")
    # among the 100 busiest routes of the hour even after the suite's fuzzing (tests/api/test_schemathesis.py)
    for _ in range(200):
        await client.get("/api/v1/auth/me", headers=admin.headers)
    await request_metrics.flush()
    out = await gql(client, QUERY, admin.headers, hours=1, sortBy="count")
    assert "errors" not in out, out
    data = out["data"]
    assert {s["name"] for s in data["systemHealth"]["services"]} == {
        "database",
        "redis",
        "api",
        "core_tables",
        "worker",
    }
    assert data["systemHealth"]["status"] in {"healthy", "degraded"}
    rest = await client.get(
        "/v1/monitoring/endpoints/performance",
        params={"hours": 1, "limit": 100, "sort_by": "count"},
        headers=admin.headers,
    )
    rest_rows = {(e["method"], e["endpoint"]): e["count"] for e in rest.json()["data"]["endpoints"]}
    me = next(e for e in data["endpointPerformance"] if e["endpoint"] == "/api/v1/auth/me")
    assert me["count"] >= 1 and me["count"] <= rest_rows[("GET", "/api/v1/auth/me")]
    assert data["systemMetrics"]["memoryTotalBytes"] > 0 and data["systemMetrics"]["processThreads"] >= 1


async def test_monitoring_roles_and_validation(client, make_tenant):
    member = await make_tenant("member")
    out = await gql(client, "{ systemMetrics { host } }", member.headers)
    assert out["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin = await make_tenant("admin")
    out = await gql(client, "{ endpointPerformance(hours: 0) { endpoint } }", admin.headers)
    assert out["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    out = await gql(client, '{ endpointPerformance(sortBy: "fastest") { endpoint } }', admin.headers)
    assert out["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
