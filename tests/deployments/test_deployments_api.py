"""Environments and deployments over REST: the CI report, the state machine, configuration with ETag
and RFC 6902 history, tenancy (another organization's ids are 404, members get 403 on admin routes)
and hostile input (400 naming the field, never a 500)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.deployments.configuration_doc import apply_patch
from tests.deployments.helpers import BASE, deploy, environment, prompt

NOW = datetime.now(UTC).replace(microsecond=0)


async def test_ci_report_in_one_request_and_read_back(client, make_tenant):
    admin = await make_tenant("admin")
    env = await environment(client, admin, "prod-eu")
    pid, puuid = await prompt(client, admin, "summarizer")
    pid2, _ = await prompt(client, admin, "classifier")
    body = {
        "environment": "prod-eu",  # by name: what a pipeline knows
        "name": "api #42",
        "version": "v2.3.0-rc.1+build.7",
        "status": "succeeded",
        "started_at": (NOW - timedelta(minutes=30)).isoformat(),
        "finished_at": (NOW - timedelta(minutes=20)).isoformat(),
        "configuration": {"replicas": 3, "model": {"name": "gpt-4o", "temperature": 0.2}},
        "artifacts": [
            {"name": "api", "kind": "container_image", "ref": "ghcr.io/acme/api:2.3.0", "digest": "sha256:ab12"},
            {"name": "summarizer", "kind": "prompt_version", "ref": "summarizer@v7"},
        ],
        "prompt_versions": [{"prompt_id": puuid, "version_hash": "v7"}, {"prompt_id": pid2, "version_hash": "c3"}],
        "changes": [
            {"sha": "A1B2C3D", "committed_at": (NOW - timedelta(hours=5)).isoformat(), "message": "tune"},
            {"sha": "e" * 40, "committed_at": (NOW - timedelta(hours=3)).isoformat()},
        ],
    }
    r = await client.post("/api/v1/deployments", json=body, headers=admin.key_headers)  # an API key, as CI would
    assert r.status_code == 201, r.text
    d = r.json()["data"]
    assert d["environment"] == {**d["environment"], "id": env["id"], "name": "prod-eu", "kind": "production"}
    assert d["status"] == "succeeded" and d["duration_seconds"] == 600.0
    assert d["started_at"] == (NOW - timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    assert d["created_at"] == d["started_at"]  # reported after the fact: created when it started
    assert [(t["from_status"], t["to_status"]) for t in d["transitions"]] == [
        (None, "pending"),
        ("pending", "in_progress"),
        ("in_progress", "succeeded"),
    ]
    assert {t["actor_id"] for t in d["transitions"]} == {admin.user_id}
    assert d["transitions"][-1]["at"] == d["finished_at"]
    assert d["allowed_transitions"] == ["rolled_back"]
    assert [(a["kind"], a["name"], a["digest"]) for a in d["artifacts"]] == [
        ("container_image", "api", "sha256:ab12"),
        ("prompt_version", "summarizer", None),
    ]
    assert sorted((p["prompt_id"], p["version_hash"], p["prompt_name"]) for p in d["prompt_versions"]) == [
        (pid, "v7", "summarizer"),
        (pid2, "c3", "classifier"),
    ]
    assert [c["sha"] for c in d["changes"]] == ["a1b2c3d", "e" * 40]  # lower-cased, oldest first
    got = await client.get(f"/api/v1/deployments/{d['id']}", headers=admin.headers)
    assert got.json()["data"] == d


async def test_list_filters_and_pagination(client, make_tenant):
    admin = await make_tenant("admin")
    member = await make_tenant("member", org=None)
    prod = await environment(client, admin, "production")
    stage = await environment(client, admin, "staging", "staging")
    pid, _ = await prompt(client, admin)
    made = []
    for i in range(7):
        made.append(
            await deploy(
                client,
                admin,
                prod["id"] if i % 2 == 0 else stage["id"],
                name=f"r{i}",
                version=f"1.0.{i}",
                status="succeeded" if i < 5 else "pending",
                **({"started_at": NOW - timedelta(hours=10 - i)} if i < 5 else {}),
                prompt_versions=[{"prompt_id": pid, "version_hash": f"v{i}"}] if i in (1, 2) else [],
            )
        )

    async def page(**params):
        r = await client.get("/api/v1/deployments", params=params, headers=admin.headers)
        assert r.status_code == 200, r.text
        return r.json()["data"]

    first = await page(page_size=3)
    assert [d["name"] for d in first["items"]] == ["r6", "r5", "r4"]  # newest first
    assert first["pagination"] == {"page": 1, "page_size": 3, "total_items": 7, "total_pages": 3}
    last = await page(page_size=3, page=3)
    assert [d["name"] for d in last["items"]] == ["r0"]
    assert [d["name"] for d in (await page(environment_id=stage["id"]))["items"]] == ["r5", "r3", "r1"]
    assert [d["name"] for d in (await page(status="pending"))["items"]] == ["r6", "r5"]
    assert (await page(status=["pending", "succeeded"]))["pagination"]["total_items"] == 7
    assert [d["name"] for d in (await page(version="1.0.3"))["items"]] == ["r3"]
    assert [d["name"] for d in (await page(prompt_id=pid))["items"]] == ["r2", "r1"]
    later = datetime.now(UTC) + timedelta(minutes=1)
    window = await page(period_start=(NOW - timedelta(hours=8, minutes=30)).isoformat(), period_end=later.isoformat())
    assert [d["name"] for d in window["items"]] == ["r6", "r5", "r4", "r3", "r2"]
    assert (await page(page=9))["items"] == []
    # another organization sees none of it
    r = await client.get("/api/v1/deployments", headers=member.headers)
    assert r.json()["data"]["pagination"]["total_items"] == 0
    for bad in ({"page": 0}, {"page_size": 101}, {"status": "done"}, {"page": 2**31}):
        r = await client.get("/api/v1/deployments", params=bad, headers=admin.headers)
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["error"]["details"][0]["field"].split(".")[0] == next(iter(bad))


async def test_state_machine_history_and_illegal_transitions(client, make_tenant):
    admin = await make_tenant("admin")
    env = await environment(client, admin)
    d = await deploy(client, admin, env["id"])
    assert (
        d["status"] == "pending"
        and d["started_at"] is None
        and d["allowed_transitions"]
        == [
            "in_progress",
            "cancelled",
        ]
    )

    async def move(status: str, expect: int = 200, note: str | None = None) -> dict:
        body = {"status": status} if note is None else {"status": status, "note": note}
        r = await client.post(f"/api/v1/deployments/{d['id']}/transition", json=body, headers=admin.headers)
        assert r.status_code == expect, r.text
        return r.json()

    refused = await move("succeeded", 409)
    assert refused["error"]["code"] == "CONFLICT" and refused["error"]["details"][0]["field"] == "status"
    started = (await move("in_progress"))["data"]
    assert started["started_at"] is not None and started["finished_at"] is None
    done = (await move("succeeded", note="all green"))["data"]
    assert done["finished_at"] >= done["started_at"]
    back = (await move("rolled_back", note="p99 regression"))["data"]
    assert back["status"] == "rolled_back" and back["rolled_back_at"] >= back["finished_at"]
    assert back["finished_at"] == done["finished_at"]  # it was live from then until the rollback
    assert [(t["from_status"], t["to_status"], t["note"]) for t in back["transitions"]] == [
        (None, "pending", None),
        ("pending", "in_progress", None),
        ("in_progress", "succeeded", "all green"),
        ("succeeded", "rolled_back", "p99 regression"),
    ]
    assert all(t["actor_id"] == admin.user_id for t in back["transitions"])
    for status in ("pending", "in_progress", "succeeded", "cancelled"):
        assert (await move(status, 409))["error"]["code"] == "CONFLICT"  # rolled_back is final


async def test_racing_transitions_one_wins(client, make_tenant):
    admin = await make_tenant("admin")
    env = await environment(client, admin)
    d = await deploy(client, admin, env["id"], status="in_progress")
    answers = await asyncio.gather(
        *(
            client.post(f"/api/v1/deployments/{d['id']}/transition", json={"status": s}, headers=admin.headers)
            for s in ("succeeded", "failed", "cancelled", "succeeded")
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]
    final = (await client.get(f"/api/v1/deployments/{d['id']}", headers=admin.headers)).json()["data"]
    assert len(final["transitions"]) == 3  # created, in_progress, exactly one final move


async def test_configuration_etag_history_and_pending_only(client, make_tenant):
    admin = await make_tenant("admin")
    env = await environment(client, admin)
    d = await deploy(client, admin, env["id"], configuration={"replicas": 2, "flags": {"a/b": True, "x~y": 1}})
    url = f"{BASE}/configuration/{d['id']}"
    got = await client.get(url, headers=admin.headers)
    assert got.status_code == 200 and got.headers["etag"] == got.json()["data"]["etag"]
    first = got.json()["data"]
    assert first["revision"] == 1 and first["editable"] is True
    assert first["size_bytes"] == len(json.dumps(first["configuration"], separators=(",", ":")))
    new = {"replicas": 4, "flags": {"a/b": False}, "region": "eu"}
    put = await client.put(f"/v1{url}", json=new, headers={**admin.headers, "If-Match": got.headers["etag"]})
    assert put.status_code == 200, put.text
    assert put.headers["etag"] != got.headers["etag"]
    data = put.json()["data"]
    assert data["configuration"] == new and data["revision"] == 2
    assert data["history"][1]["patch"] == [
        {"op": "remove", "path": "/flags/x~0y"},
        {"op": "replace", "path": "/flags/a~1b", "value": False},
        {"op": "add", "path": "/region", "value": "eu"},
        {"op": "replace", "path": "/replicas", "value": 4},
    ]
    assert data["history"][1]["actor_id"] == admin.user_id
    doc: dict = {}
    for change in data["history"]:
        doc = apply_patch(doc, change["patch"])
    assert doc == new  # the history replays to the current value
    stale = await client.put(url, json={"replicas": 9}, headers={**admin.headers, "If-Match": got.headers["etag"]})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "PRECONDITION_FAILED"
    same = await client.put(url, json=new, headers=admin.headers)  # no change: no new revision
    assert same.json()["data"]["revision"] == 2
    await client.post(
        f"/api/v1/deployments/{d['id']}/transition", json={"status": "in_progress"}, headers=admin.headers
    )
    locked = await client.put(url, json={"replicas": 1}, headers=admin.headers)
    assert locked.status_code == 409
    after = await client.get(url, headers=admin.headers)
    assert after.json()["data"]["editable"] is False and after.json()["data"]["configuration"] == new


async def test_concurrent_configuration_writes_lose_nothing(client, make_tenant):
    admin = await make_tenant("admin")
    env = await environment(client, admin)
    d = await deploy(client, admin, env["id"])
    url = f"{BASE}/configuration/{d['id']}"
    writes = [{"writer": i, "shared": {"n": i}} for i in range(8)]
    answers = await asyncio.gather(*(client.put(url, json=w, headers=admin.headers) for w in writes))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    final = (await client.get(url, headers=admin.headers)).json()["data"]
    assert final["revision"] == 9 and [h["revision"] for h in final["history"]] == list(range(1, 10))
    doc: dict = {}
    states = []
    for change in final["history"]:
        doc = apply_patch(doc, change["patch"])
        states.append(doc)
    assert doc == final["configuration"]
    assert sorted(s["writer"] for s in states[1:]) == list(range(8))  # every write is a revision of its own
    # with If-Match, racing writers from the same revision: exactly one wins, the rest get 412
    etag = (await client.get(url, headers=admin.headers)).headers["etag"]
    raced = await asyncio.gather(
        *(client.put(url, json={"w": i}, headers={**admin.headers, "If-Match": etag}) for i in range(4))
    )
    assert sorted(a.status_code for a in raced) == [200, 412, 412, 412]


@pytest.mark.parametrize(
    ("raw", "field", "kind"),
    [
        (b"[1, 2]", "body", "not_an_object"),
        (b'"text"', "body", "not_an_object"),
        (b"null", "body", "not_an_object"),
        (json.dumps({"a": "x" * 70_000}).encode(), "body", "too_large"),
        (json.dumps(json.loads('{"a":' * 11 + "1" + "}" * 11)).encode(), "body", "too_deep"),
        (b'{"big": {"n": 9007199254740993}}', "big.n", "out_of_range"),
        (b'{"n": [NaN]}', "n.0", None),
        (b'{"bad": "a\\u0000b"}', "bad", "string_unstorable"),
        (b'{"bad": "\\ud800"}', "bad", "string_unstorable"),
        (b"{", "body", "json_invalid"),
    ],
)
async def test_configuration_body_refused(client, make_tenant, raw, field, kind):
    admin = await make_tenant("admin")
    env = await environment(client, admin)
    d = await deploy(client, admin, env["id"])
    r = await client.put(
        f"{BASE}/configuration/{d['id']}", content=raw, headers={**admin.headers, "content-type": "application/json"}
    )
    assert r.status_code == 400, r.text
    issue = r.json()["error"]["details"][0]
    assert issue["field"] == field
    if kind:
        assert issue["type"] == kind


async def test_tenancy_other_org_404_member_403(client, make_tenant):
    org = f"acme-{uuid.uuid4().hex[:8]}"
    admin = await make_tenant("admin", org=org)
    member = await make_tenant("member", org=org)
    other = await make_tenant("admin")
    env = await environment(client, admin)
    d1 = await deploy(client, admin, env["id"], status="succeeded")
    d2 = await deploy(client, admin, env["id"], status="succeeded")
    other_env = await environment(client, other)
    foreign = await deploy(client, other, other_env["id"], status="succeeded")
    same_org_member = member.headers
    assert (await client.get(f"/api/v1/deployments/{d1['id']}", headers=same_org_member)).status_code == 200
    admin_routes = [
        ("GET", f"{BASE}/compare?deployment_id1={d1['id']}&deployment_id2={d2['id']}", None),
        ("GET", f"/v1{BASE}/configuration/{d1['id']}", None),
        ("PUT", f"{BASE}/configuration/{d1['id']}", {"a": 1}),
        ("GET", f"{BASE}/metrics", None),
        ("GET", f"/v1{BASE}/status/summary", None),
        ("POST", "/api/v1/environments", {"name": "x", "kind": "staging"}),
        ("POST", "/api/v1/deployments", {"environment_id": env["id"], "name": "x", "version": "1.0.0"}),
        ("POST", f"/api/v1/deployments/{d1['id']}/transition", {"status": "rolled_back"}),
    ]
    for method, url, body in admin_routes:
        r = await client.request(method, url, json=body, headers=same_org_member)
        assert r.status_code == 403, (method, url, r.text)
    # another organization's ids: 404 everywhere, never 403
    for method, url, body in [
        ("GET", f"/api/v1/deployments/{foreign['id']}", None),
        ("GET", f"/api/v1/environments/{other_env['id']}", None),
        ("GET", f"{BASE}/configuration/{foreign['id']}", None),
        ("PUT", f"{BASE}/configuration/{foreign['id']}", {"a": 1}),
        ("POST", f"/api/v1/deployments/{foreign['id']}/transition", {"status": "rolled_back"}),
        ("GET", f"{BASE}/compare?deployment_id1={d1['id']}&deployment_id2={foreign['id']}", None),
        ("GET", f"{BASE}/compare?deployment_id1={foreign['id']}&deployment_id2={d1['id']}", None),
        ("GET", f"{BASE}/metrics?environment_id={other_env['id']}", None),
        ("GET", f"{BASE}/status/summary?environment_id={other_env['id']}", None),
        ("GET", f"/api/v1/deployments?environment_id={other_env['id']}", None),
        ("POST", "/api/v1/deployments", {"environment_id": other_env["id"], "name": "x", "version": "1.0.0"}),
    ]:
        r = await client.request(method, url, json=body, headers=admin.headers)
        assert r.status_code == 404, (method, url, r.text)
    # a prompt of another organization cannot be shipped
    _, foreign_prompt = await prompt(client, other)
    r = await client.post(
        "/api/v1/deployments",
        json={
            "environment_id": env["id"],
            "name": "x",
            "version": "1.0.0",
            "prompt_versions": [{"prompt_id": foreign_prompt, "version_hash": "v1"}],
        },
        headers=admin.headers,
    )
    assert r.status_code == 404 and r.json()["error"]["details"][0]["field"] == "prompt_versions.0.prompt_id"
    assert (await client.get("/api/v1/deployments")).status_code == 401


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"name": "a\x00b"}, "name"),
        ({"name": "\ud800"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "two\nlines"}, "name"),
        ({"name": None}, "name"),
        ({"version": "latest"}, "version"),
        ({"version": "1.0"}, "version"),
        ({"version": None}, "version"),
        ({"environment_id": 2**31}, "environment_id"),
        ({"environment_id": None, "environment": None}, "environment_id"),
        ({"status": "done"}, "status"),
        ({"configuration": [1]}, "configuration"),
        ({"artifacts": [{"name": "a", "kind": "binary", "ref": "r"}]}, "artifacts.0.kind"),
        ({"artifacts": [{"name": "a", "kind": "model", "ref": "r"}] * 2}, "artifacts.1.name"),
        ({"changes": [{"sha": "xyz", "committed_at": "2026-01-01T00:00:00Z"}]}, "changes.0.sha"),
        ({"changes": [{"sha": "abcdef0", "committed_at": "2999-01-01T00:00:00Z"}]}, "changes.0.committed_at"),
        ({"prompt_versions": [{"prompt_id": 2**40, "version_hash": "v"}]}, "prompt_versions.0.prompt_id"),
        ({"prompt_versions": [{"prompt_id": 1, "version_hash": ""}]}, "prompt_versions.0.version_hash"),
        ({"finished_at": "2026-01-01T00:00:00Z"}, "finished_at"),  # pending has no finish
        ({"status": "succeeded", "finished_at": "2999-01-01T00:00:00Z"}, "finished_at"),
        ({"unknown": 1}, "unknown"),
    ],
)
async def test_hostile_deployment_input(client, make_tenant, patch, field):
    admin = await make_tenant("admin")
    env = await environment(client, admin)
    body = {"environment_id": env["id"], "name": "r", "version": "1.2.3", **patch}
    r = await client.post(
        "/api/v1/deployments", content=json.dumps(body), headers={**admin.headers, "content-type": "application/json"}
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"]["details"][0]["field"] == field


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"{BASE}/metrics?days=0", "days"),
        (f"{BASE}/metrics?days=366", "days"),
        (f"{BASE}/metrics?days=abc", "days"),
        (f"{BASE}/metrics?interval=year", "interval"),
        (f"{BASE}/metrics?environment_id=99999999999", "environment_id"),
        (f"{BASE}/metrics?incident_horizon_hours=0", "incident_horizon_hours"),
        (f"{BASE}/status/summary?days=0", "days"),
        (f"{BASE}/status/summary?days=400", "days"),
        (f"{BASE}/compare?deployment_id1=1", "deployment_id2"),
        (f"{BASE}/compare?deployment_id1=1&deployment_id2=2&alpha=1.5", "alpha"),
        (f"{BASE}/compare?deployment_id1=1&deployment_id2=1", "deployment_id2"),
        (f"{BASE}/configuration/0", "deployment_id"),
        (f"{BASE}/configuration/3000000000", "deployment_id"),
        ("/api/v1/environments?kind=prod", "kind"),
    ],
)
async def test_hostile_query_parameters(client, make_tenant, url, field):
    admin = await make_tenant("admin")
    r = await client.get(url, headers=admin.headers)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["details"][0]["field"] == field


async def test_environment_names_are_unique_and_validated(client, make_tenant):
    admin = await make_tenant("admin")
    await environment(client, admin, "prod")
    dup = await client.post("/api/v1/environments", json={"name": "prod", "kind": "staging"}, headers=admin.headers)
    assert dup.status_code == 409
    for body, field in (({"name": "x", "kind": "qa"}, "kind"), ({"name": "", "kind": "staging"}, "name")):
        r = await client.post("/api/v1/environments", json=body, headers=admin.headers)
        assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == field
    listed = (await client.get("/api/v1/environments?kind=production", headers=admin.headers)).json()["data"]
    assert [e["name"] for e in listed["items"]] == ["prod"] and listed["total"] == 1
