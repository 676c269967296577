"""Deployments in the graph: the same figures as REST, relations through DataLoaders (statements do
not grow with the number of deployments), mutations with the REST rules, tenancy and roles."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.core.config import get_settings
from tests.catalog.test_graphql_prompts import counting_queries
from tests.deployments.helpers import BASE, deploy, environment, ev, prompt, send

LIST = """
query($size: Int!) {
  deployments(pageSize: $size) {
    pagination { totalItems totalPages }
    items {
      id name version status durationSeconds allowedTransitions configuration
      environment { name kind }
      createdBy { email }
      transitions { fromStatus toStatus actorId }
      artifacts { name kind ref }
      changes { sha }
      configurationHistory { revision patch }
      promptVersions { versionHash promptName prompt { name } version { versionHash }
                       analytics { executionCount failureCount } }
    }
  }
}"""


async def gql(client, headers, query: str, **variables) -> dict:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_fifty_deployments_cost_what_five_cost(client, make_tenant):
    admin = await make_tenant("admin")
    env = await environment(client, admin)
    prompts = [await prompt(client, admin, f"p{i}") for i in range(3)]
    now = datetime.now(UTC)
    await send(client, admin, [ev(u, now - timedelta(hours=1), "v1", latency_ms=10.0) for _, u in prompts])

    async def make(n: int) -> None:
        for i in range(n):
            await deploy(
                client,
                admin,
                env["id"],
                name=f"d{i}",
                status="succeeded",
                configuration={"i": i},
                artifacts=[{"name": "api", "kind": "container_image", "ref": f"api:{i}"}],
                changes=[{"sha": f"{i:07x}", "committed_at": (now - timedelta(hours=2)).isoformat()}],
                prompt_versions=[{"prompt_id": pid, "version_hash": "v1"} for pid, _ in prompts],
            )

    await make(5)
    with counting_queries() as five:
        small = await gql(client, admin.headers, LIST, size=50)
    assert "errors" not in small, small
    await make(45)
    with counting_queries() as fifty:
        big = await gql(client, admin.headers, LIST, size=50)
    assert "errors" not in big, big
    items = big["data"]["deployments"]["items"]
    assert len(items) == 50 and big["data"]["deployments"]["pagination"] == {"totalItems": 50, "totalPages": 1}
    assert len(fifty) <= len(five), (len(five), len(fifty))
    assert len(fifty) <= 16, fifty
    one = items[-1]
    assert one["name"] == "d0" and one["environment"] == {"name": "production", "kind": "production"}
    assert one["createdBy"]["email"] == admin.email and one["configuration"] == {"i": 0}
    assert [t["toStatus"] for t in one["transitions"]] == ["pending", "in_progress", "succeeded"]
    assert one["configurationHistory"] == [{"revision": 1, "patch": [{"op": "add", "path": "/i", "value": 0}]}]
    assert one["allowedTransitions"] == ["rolled_back"]
    shipped = {p["prompt"]["name"]: p for p in one["promptVersions"]}
    assert set(shipped) == {"p0", "p1", "p2"}
    assert all(p["analytics"]["executionCount"] == 1 and p["version"]["versionHash"] == "v1" for p in shipped.values())
    # the same deployment over REST
    rest = (await client.get(f"/api/v1/deployments/{one['id']}", headers=admin.headers)).json()["data"]
    assert [t["to_status"] for t in rest["transitions"]] == [t["toStatus"] for t in one["transitions"]]
    assert rest["duration_seconds"] == one["durationSeconds"]


async def test_mutations_comparison_metrics_and_rules(client, make_tenant):
    org = "gql-deploy-org"
    admin = await make_tenant("admin", org=org)
    member = await make_tenant("member", org=org)
    other = await make_tenant("admin")
    made = await gql(
        client,
        admin.headers,
        'mutation { createEnvironment(input: {name: "prod", kind: "production"}) { id name kind } }',
    )
    env = made["data"]["createEnvironment"]
    pid, _ = await prompt(client, admin)
    created = await gql(
        client,
        admin.headers,
        """mutation($input: CreateDeploymentInput!) {
             createDeployment(input: $input) { id status configurationRevision promptVersions { promptId versionHash } }
           }""",
        input={
            "environment": "prod",
            "name": "web",
            "version": "2.0.0",
            "configuration": {"a": 1},
            "promptVersions": [{"promptId": str(pid), "versionHash": "h1"}],
        },
    )
    d = created["data"]["createDeployment"]
    assert d["status"] == "pending" and d["promptVersions"] == [{"promptId": pid, "versionHash": "h1"}]
    bad = await gql(
        client,
        admin.headers,
        'mutation($id: ID!) { transitionDeployment(id: $id, status: "succeeded") { status } }',
        id=str(d["id"]),
    )
    assert bad["errors"][0]["extensions"]["code"] == "CONFLICT"
    conf = await gql(
        client,
        admin.headers,
        "mutation($id: ID!, $c: JSON!, $m: String) { configureDeployment(id: $id, configuration: $c, ifMatch: $m) "
        "{ revision etag configuration history { revision patch } } }",
        id=str(d["id"]),
        c={"a": 2},
        m=f'"deployment-{d["id"]}-config-1"',
    )
    assert conf["data"]["configureDeployment"]["revision"] == 2
    assert conf["data"]["configureDeployment"]["history"][1]["patch"] == [{"op": "replace", "path": "/a", "value": 2}]
    stale = await gql(
        client,
        admin.headers,
        'mutation($id: ID!) { configureDeployment(id: $id, configuration: {a: 3}, ifMatch: "\\"x\\"") { revision } }',
        id=str(d["id"]),
    )
    assert stale["errors"][0]["extensions"]["code"] == "PRECONDITION_FAILED"
    not_object = await gql(
        client,
        admin.headers,
        "mutation($id: ID!) { configureDeployment(id: $id, configuration: [1]) { revision } }",
        id=str(d["id"]),
    )
    assert not_object["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    for status in ("in_progress", "succeeded"):
        moved = await gql(
            client,
            admin.headers,
            "mutation($id: ID!, $s: String!) { transitionDeployment(id: $id, status: $s) { "
            "status startedAt finishedAt allowedTransitions transitions { toStatus } } }",
            id=str(d["id"]),
            s=status,
        )
        got = moved["data"]["transitionDeployment"]
        stored = (await client.get(f"/api/v1/deployments/{d['id']}", headers=admin.headers)).json()["data"]
        assert got["status"] == stored["status"] == status
        times = [got["startedAt"], got["finishedAt"], stored["started_at"], stored["finished_at"]]
        parsed = [datetime.fromisoformat(t) if t else None for t in times]
        assert parsed[:2] == parsed[2:] and parsed[0] is not None
        assert got["allowedTransitions"] == stored["allowed_transitions"]
        assert [t["toStatus"] for t in got["transitions"]] == [t["to_status"] for t in stored["transitions"]]
    second = await deploy(
        client, admin, env["id"], status="succeeded", prompt_versions=[{"prompt_id": pid, "version_hash": "h2"}]
    )
    compared = await gql(
        client,
        admin.headers,
        "query($id: ID!, $w: ID!) { deployment(id: $id) { comparison(with: $w) { overallVerdict "
        "baseline { window { endReason } } promptVersions verdicts { metric verdict counted } } } }",
        id=str(d["id"]),
        w=str(second["id"]),
    )
    cmp = compared["data"]["deployment"]["comparison"]
    rest = (
        await client.get(
            f"{BASE}/compare", params={"deployment_id1": d["id"], "deployment_id2": second["id"]}, headers=admin.headers
        )
    ).json()["data"]
    assert cmp["overallVerdict"] == rest["overall_verdict"] == "inconclusive"
    assert cmp["baseline"]["window"]["endReason"] == "next_deployment"
    assert cmp["promptVersions"]["changed"][0]["new_version_hash"] == "h2"
    metrics = await gql(
        client,
        admin.headers,
        "{ deploymentMetrics(days: 7) { total { deployments dora { deploymentFrequency { deployments band } } } } "
        "deploymentStatusSummary(days: 7) { current { total byStatus } } }",
    )
    rest_metrics = (await client.get(f"{BASE}/metrics", params={"days": 7}, headers=admin.headers)).json()["data"]
    assert metrics["data"]["deploymentMetrics"]["total"]["deployments"] == rest_metrics["total"]["deployments"] == 2
    assert metrics["data"]["deploymentStatusSummary"]["current"]["byStatus"]["succeeded"] == 2
    # roles and tenancy
    forbidden = await gql(client, member.headers, "{ deploymentMetrics { days } }")
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    readable = await gql(client, member.headers, "query($id: ID!) { deployment(id: $id) { name } }", id=str(d["id"]))
    assert readable["data"]["deployment"]["name"] == "web"
    hidden = await gql(client, other.headers, "query($id: ID!) { deployment(id: $id) { name } }", id=str(d["id"]))
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    huge = await gql(client, admin.headers, '{ deployment(id: "99999999999") { name } }')
    assert huge["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    days = await gql(client, admin.headers, "{ deploymentMetrics(days: 0) { days } }")
    assert days["errors"][0]["extensions"]["details"][0]["field"] == "days"


IMPACTS = """
query($env: ID!, $w: ID!) { deployments(pageSize: 50, environmentId: $env) { items { id impact {
  hours unavailableReason prompts { promptId versionHash overallVerdict before { executions } after { executions } }
} comparison(with: $w) { overallVerdict baseline { metrics { executions } } candidate { metrics { executions } } }
} } }"""


async def test_impact_and_comparison_on_a_list_read_the_deployments_once(client, make_tenant):
    """``impact`` and ``comparison(with:)`` on every item of a list: the deployments, their artifacts,
    what they ship and their windows' ends are read once for the list (only each window's figures
    are per deployment; the one compared with is measured once), and every item equals REST."""
    org = f"impacts-{uuid.uuid4().hex[:8]}"
    admin = await make_tenant("admin", org=org)
    env = await environment(client, admin)
    pid, puuid = await prompt(client, admin, "shipped")
    now = datetime.now(UTC).replace(microsecond=0)
    await send(client, admin, [ev(puuid, now - timedelta(minutes=10 * i + 5), "v1", latency_ms=i) for i in range(60)])

    async def make(numbers: range) -> None:
        for i in numbers:
            await deploy(
                client,
                admin,
                env["id"],
                name=f"d{i}",
                status="succeeded",
                finished_at=now - timedelta(minutes=97 + 11 * i),
                prompt_versions=[{"prompt_id": pid, "version_hash": "v1"}],
            )

    def about_deployments(statements: list[str]) -> list[str]:
        return [s for s in statements if "deployment" in s.lower()]

    def executions(side: dict) -> dict | None:
        return side["metrics"] and {"executions": side["metrics"]["executions"]}

    staging = await environment(client, admin, "staging", "staging")
    ref = await deploy(
        client,
        admin,
        staging["id"],
        name="reference",
        status="succeeded",
        finished_at=now - timedelta(minutes=300),
        prompt_versions=[{"prompt_id": pid, "version_hash": "v1"}],
    )
    ids = {"env": str(env["id"]), "w": str(ref["id"])}

    await make(range(2))
    with counting_queries() as two:
        small = await gql(client, admin.headers, IMPACTS, **ids)
    assert "errors" not in small, small
    await make(range(2, 8))
    await deploy(client, admin, env["id"], name="pending")  # never live: no window, no figures
    with counting_queries() as nine:
        big = await gql(client, admin.headers, IMPACTS, **ids)
    assert "errors" not in big, big
    items = big["data"]["deployments"]["items"]
    assert len(items) == 9
    if get_settings().is_postgres:  # elsewhere each window's end is a statement per deployment
        assert len(about_deployments(nine)) == len(about_deployments(two)), about_deployments(nine)
    for item in items:
        rest = (await client.get(f"/api/v1/deployments/{item['id']}/impact", headers=admin.headers)).json()["data"]
        got = item["impact"]
        assert abs(got["hours"] - rest["hours"]) < 0.01  # the latest one's window ends now
        assert got["unavailableReason"] == rest["unavailable_reason"]
        assert [
            (p["promptId"], p["versionHash"], p["overallVerdict"], p["before"]["executions"], p["after"]["executions"])
            for p in got["prompts"]
        ] == [
            (
                p["prompt_id"],
                p["version_hash"],
                p["overall_verdict"],
                p["before"]["executions"],
                p["after"]["executions"],
            )
            for p in rest["prompts"]
        ]
        compared = (
            await client.get(
                f"{BASE}/compare",
                params={"deployment_id1": item["id"], "deployment_id2": ref["id"]},
                headers=admin.headers,
            )
        ).json()["data"]
        assert item["comparison"] == {
            "overallVerdict": compared["overall_verdict"],
            "baseline": {"metrics": executions(compared["baseline"])},
            "candidate": {"metrics": executions(compared["candidate"])},
        }
    assert items[0]["comparison"]["candidate"]["metrics"]["executions"] == 30  # since 300 minutes ago
    windows = [i["impact"] for i in items if i["impact"]["prompts"]]
    assert len(windows) == 8 and sum(w["prompts"][0]["after"]["executions"] for w in windows) == sum(
        1 for i in range(60) if 10 * i + 5 <= 97 + 11 * 7
    )  # the windows cut [the first finish, now] into pieces
    stranger = await make_tenant("admin")  # another organization's deployment is not found, as over REST
    theirs = await deploy(client, stranger, (await environment(client, stranger))["id"], status="succeeded")
    foreign = await client.post(
        "/graphql", json={"query": IMPACTS, "variables": {**ids, "w": str(theirs["id"])}}, headers=admin.headers
    )
    assert {e["extensions"]["code"] for e in foreign.json()["errors"]} == {"NOT_FOUND"}, foreign.text
    assert str(theirs["id"]) in foreign.json()["errors"][0]["message"] and "release" not in foreign.text
    member = await make_tenant("member", org=org)
    denied = await client.post("/graphql", json={"query": IMPACTS, "variables": ids}, headers=member.headers)
    assert denied.json().get("errors"), denied.json()
