"""The database-performance fields in GraphQL: the same services, roles and validation as REST."""

from __future__ import annotations

from tests.dbperf.helpers import IS_POSTGRES

QUERY = """
query {
  databaseHealth { dialect status durationMs summary { total ok }
                   checks { name status observed threshold evidenceQuery details detailsTotal } notApplicable { name } }
  databaseMetrics(period: "1h") { period sampling { samples job } tables { relation sizeBytes }
                                  topStatements { available note } }
  scalingRecommendations { period evaluated { name triggered evidence { measurement observed threshold source } } }
  optimizationRuns(limit: 5) { id status dryRun tasks statements { sql durationMs } before }
}
"""

START = """
mutation($input: DatabaseOptimizationInput!) {
  startDatabaseOptimization(input: $input) { id status dryRun tables statements { task sql } before }
}
"""


async def gql(client, query, headers, **variables) -> dict:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_graphql_fields_match_rest(client, make_tenant):
    su = await make_tenant("superuser")
    out = await gql(client, QUERY, su.headers)
    assert "errors" not in out, out
    data = out["data"]
    health = data["databaseHealth"]
    assert health["summary"]["total"] == len(health["checks"]) >= (15 if IS_POSTGRES else 8)
    assert all(c["evidenceQuery"] and isinstance(c["threshold"], dict) for c in health["checks"])
    rest = (await client.get("/admin/performance/database/health", headers=su.headers)).json()["data"]
    assert [c["name"] for c in health["checks"]] == [c["name"] for c in rest["checks"]]
    assert data["databaseMetrics"]["period"] == "1h" and data["databaseMetrics"]["sampling"]["job"]
    assert data["scalingRecommendations"]["evaluated"]

    started = await gql(client, START, su.headers, input={"tasks": ["analyze"], "tables": ["prompts"], "dryRun": True})
    run = started["data"]["startDatabaseOptimization"]
    assert run["status"] == "completed" and run["dryRun"] and run["statements"][0]["sql"] == 'ANALYZE "prompts"'
    assert run["before"]["prompts"]["table_bytes"] > 0
    runs = (await gql(client, QUERY, su.headers))["data"]["optimizationRuns"]
    assert runs[0]["id"] == run["id"]


async def test_graphql_roles_and_validation(client, make_tenant):
    admin = await make_tenant("admin")
    out = await gql(client, "{ databaseHealth { status } }", admin.headers)
    assert out["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    out = await gql(client, START, admin.headers, input={"tasks": ["analyze"], "dryRun": True})
    assert out["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    su = await make_tenant("superuser")
    bad = await gql(client, START, su.headers, input={"tasks": ["truncate"], "dryRun": True})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    bad = await gql(client, START, su.headers, input={"tasks": ["analyze"], "tables": ["nope"], "dryRun": True})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    bad = await gql(client, '{ databaseMetrics(period: "2y") { period } }', su.headers)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    bad = await gql(client, "{ optimizationRuns(limit: 1000) { id } }", su.headers)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
