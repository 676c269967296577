"""GraphQL over the prompt pipeline: same answers as REST, batched loads, Relay pagination, mutations."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from models.prompts import Prompt
from workers import jobs

CTX = {"worker_id": "test-graphql-prompts"}
NOW = datetime.now(UTC).replace(microsecond=0)

PROMPTS_QUERY = """
query($first: Int!, $after: String, $filter: PromptFilter) {
  prompts(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node {
      id uuid name status workspace { name } owner { email }
      versions { versionHash analytics { executionCount failureCount p95LatencyMs versionHash } }
      analytics { executionCount successRate avgScore totalCostUsd p95LatencyMs }
    } }
  }
}"""


async def gql(client, tenant, query: str, **variables) -> dict:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=tenant.headers)
    assert r.status_code == 200, r.text
    return r.json()


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Every SQL statement Tortoise sends, as its client logs them."""
    seen: list[str] = []

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if message.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
                seen.append(message)

    logger = logging.getLogger("tortoise.db_client")
    handler, level = Handler(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def seed(client, tenant, n_prompts: int, per_prompt: int, ws_id: int | None = None) -> list[uuid.UUID]:
    rng = random.Random(n_prompts)
    ids = [uuid.uuid4() for _ in range(n_prompts)]
    for pid in ids:
        made = await client.post(
            "/api/v1/prompts",
            json={"name": f"p-{pid.hex[:6]}", "uuid": str(pid), "workspace_id": ws_id},
            headers=tenant.headers,
        )
        assert made.status_code == 201
    events = [
        {
            "prompt_id": str(pid),
            "version_hash": rng.choice(["v1", "v2", "v3"]),
            "status": rng.choice(["completed", "completed", "failed"]),
            "latency_ms": rng.uniform(10, 500),
            "score": rng.random(),
            "cost_usd": round(rng.uniform(0, 0.01), 6),
            "timestamp": (
                NOW - timedelta(minutes=rng.randint(1, 3 * 24 * 60) if i > 1 else (1, 2 * 24 * 60)[i])
            ).isoformat(),
        }
        for pid in ids
        for i in range(per_prompt)  # every prompt has events today and days ago: same query shapes
    ]
    for i in range(0, len(events), 1000):
        r = await client.post(
            "/api/v1/prompts/analytics/batch", json={"events": events[i : i + 1000]}, headers=tenant.key_headers
        )
        assert r.status_code == 202
    await jobs.drain_ingest(CTX)
    await jobs.refresh_rollups(CTX)
    return ids


async def test_prompts_connection_matches_rest_and_pages(client, make_tenant):
    tenant = await make_tenant("member")
    ws = (await client.post("/api/v1/workspaces", json={"name": "gql"}, headers=tenant.headers)).json()["data"]
    await seed(client, tenant, 5, 40, ws["id"])
    first = await gql(client, tenant, PROMPTS_QUERY, first=3)
    conn = first["data"]["prompts"]
    assert conn["totalCount"] == 5 and conn["pageInfo"]["hasNextPage"] and not conn["pageInfo"]["hasPreviousPage"]
    nodes = [e["node"] for e in conn["edges"]]
    second = (await gql(client, tenant, PROMPTS_QUERY, first=3, after=conn["pageInfo"]["endCursor"]))["data"]
    more = [e["node"] for e in second["prompts"]["edges"]]
    assert len(more) == 2 and not second["prompts"]["pageInfo"]["hasNextPage"]
    assert [n["id"] for n in nodes + more] == sorted((n["id"] for n in nodes + more), reverse=True)

    for node in nodes + more:
        rest = (await client.get(f"/api/v1/prompts/{node['id']}/analytics", headers=tenant.headers)).json()["data"]
        got = node["analytics"]
        assert got["executionCount"] == rest["execution_count"] == 40
        assert got["successRate"] == rest["success_rate"] and got["p95LatencyMs"] == rest["p95_latency_ms"]
        assert abs(got["totalCostUsd"] - rest["total_cost_usd"]) < 1e-9
        assert node["workspace"] == {"name": "gql"} and node["owner"] == {"email": tenant.email}
        assert sum(v["analytics"]["executionCount"] for v in node["versions"]) == 40
        assert {v["analytics"]["versionHash"] for v in node["versions"]} == {v["versionHash"] for v in node["versions"]}

    filtered = await gql(client, tenant, PROMPTS_QUERY, first=10, filter={"search": nodes[0]["name"].upper()})
    assert [e["node"]["id"] for e in filtered["data"]["prompts"]["edges"]] == [nodes[0]["id"]]


async def test_query_count_does_not_grow_with_the_page(client, make_tenant):
    small, large = await make_tenant("member"), await make_tenant("member")
    await seed(client, small, 5, 6)
    await seed(client, large, 50, 6)
    counts = []
    for tenant, n in ((small, 5), (large, 50)):
        runs = []
        for _ in range(2):  # cold, then warm: parsed rollup rows are cached per process
            with counting_queries() as seen:
                data = await gql(client, tenant, PROMPTS_QUERY, first=50)
            assert "errors" not in data, data
            assert len(data["data"]["prompts"]["edges"]) == n
            assert all(len(e["node"]["versions"]) >= 1 for e in data["data"]["prompts"]["edges"])
            runs.append(len(seen))
        cold, warm = runs
        assert warm <= cold <= warm + 4, runs  # a cold read adds one fetch per rollup level, not one per row
        counts.append(warm)
    assert counts[0] == counts[1], counts
    assert counts[1] <= 20, counts


async def test_version_analytics_and_executions_pages(client, make_tenant):
    tenant = await make_tenant("member")
    (pid,) = await seed(client, tenant, 1, 30)
    prompt = await Prompt.get(uuid=pid)
    query = """query($id: ID!, $after: String) { prompt(id: $id) {
        id versions { versionHash analytics { executionCount } }
        executions(first: 12, after: $after) { pageInfo { hasNextPage endCursor }
          edges { cursor node { id versionHash occurredAt status } } } } }"""
    seen, after = [], None
    while True:
        data = (await gql(client, tenant, query, id=str(pid), after=after))["data"]["prompt"]
        seen += [e["node"] for e in data["executions"]["edges"]]
        if not data["executions"]["pageInfo"]["hasNextPage"]:
            break
        after = data["executions"]["pageInfo"]["endCursor"]
    assert len(seen) == 30 and len({e["id"] for e in seen}) == 30
    assert [e["occurredAt"] for e in seen] == sorted((e["occurredAt"] for e in seen), reverse=True)
    by_version: dict[str, int] = {}
    for e in seen:
        by_version[e["versionHash"]] = by_version.get(e["versionHash"], 0) + 1
    assert {v["versionHash"]: v["analytics"]["executionCount"] for v in data["versions"]} == by_version
    same = (await gql(client, tenant, "query($id: ID!) { prompt(id: $id) { uuid } }", id=str(prompt.id)))["data"]
    assert same["prompt"]["uuid"] == str(pid)

    bad = await gql(client, tenant, query, id=str(pid), after="not-a-cursor")
    assert bad["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert bad["errors"][0]["extensions"]["details"][0]["field"] == "after"


async def test_history_mutations_and_tenancy(client, make_tenant):
    tenant, other = await make_tenant("member"), await make_tenant("member")
    made = await gql(
        client,
        tenant,
        "mutation($in: CreatePromptInput!) { createPrompt(input: $in) { id uuid status promptText tags } }",
        **{"in": {"name": "Churn 🙂", "text": "x'; DROP TABLE prompts;--", "tags": {"team": "growth"}}},
    )
    created = made["data"]["createPrompt"]
    assert created["status"] == "draft" and created["promptText"] == "x'; DROP TABLE prompts;--"
    assert created["tags"] == {"team": "growth"}
    logged = await gql(
        client,
        tenant,
        "mutation($in: PromptUsageInput!) { logPromptUsage(input: $in) { eventId queued } }",
        **{"in": {"promptId": str(created["id"]), "versionHash": "h1", "latencyMs": 42.5, "status": "FAILED"}},
    )
    assert logged["data"]["logPromptUsage"]["queued"] is True
    await jobs.drain_ingest(CTX)
    history = await gql(
        client,
        tenant,
        "{ promptHistory(status: FAILED) { items { id status executionTimeMs } pagination { totalItems } } }",
    )
    rest = (await client.get("/api/v1/prompts/history", params={"status": "failed"}, headers=tenant.headers)).json()
    assert [i["id"] for i in history["data"]["promptHistory"]["items"]] == [i["id"] for i in rest["data"]["items"]]
    assert history["data"]["promptHistory"]["items"][0]["id"] == created["id"]

    bad = await gql(
        client,
        tenant,
        "mutation($in: PromptUsageInput!) { logPromptUsage(input: $in) { eventId } }",
        **{"in": {"promptId": str(created["id"]), "versionHash": "h1", "latencyMs": -1}},
    )
    assert bad["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert bad["errors"][0]["extensions"]["details"][0]["field"] == "latency_ms"
    empty_name = await gql(client, tenant, 'mutation { createPrompt(input: {name: ""}) { id } }')
    assert empty_name["errors"][0]["extensions"]["details"][0]["field"] == "name"
    bad_tags = await gql(client, tenant, 'mutation { createPrompt(input: {name: "t", tags: {team: 7}}) { id } }')
    assert bad_tags["errors"][0]["extensions"]["details"][0]["field"].startswith("tags")
    for q in (f'{{ prompt(id: "{created["id"]}") {{ id }} }}', f'{{ prompt(id: "{created["uuid"]}") {{ id }} }}'):
        foreign = await gql(client, other, q)
        assert foreign["data"] is None and foreign["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    theirs = await gql(client, other, "{ prompts(first: 50) { totalCount } }")
    assert theirs["data"]["prompts"]["totalCount"] == 0
    out_of_range = await gql(client, tenant, "{ prompts(first: 500) { totalCount } }")
    assert out_of_range["errors"][0]["extensions"]["details"][0]["field"] == "first"
    anonymous = await client.post("/graphql", json={"query": "{ prompts(first: 1) { totalCount } }"})
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"
