"""Prompt analytics (seed 000) and history (seed 001) over REST, from rollups + raw edges."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.prompts import Prompt
from services.rollups import build as rollups
from workers import jobs

CTX = {"worker_id": "test-analytics"}
BASE = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=3)


async def seed_events(client, tenant, pid: uuid.UUID, n: int, rng: random.Random, ds_ids: list[int]) -> list[dict]:
    events = []
    for _ in range(n):
        status = rng.choice(["completed", "completed", "completed", "failed", "processing"])
        events.append(
            {
                "prompt_id": str(pid),
                "version_hash": rng.choice(["v1", "v2"]),
                "status": status,
                "latency_ms": round(rng.uniform(5, 2000), 3),
                "cost_usd": round(rng.uniform(0, 0.05), 6),
                "score": round(rng.uniform(0, 1), 4),
                "total_duration_ms": round(rng.uniform(100, 9000), 2),
                "ai_response_time_ms": round(rng.uniform(50, 4000), 2),
                "query_execution_time_ms": round(rng.uniform(10, 5000), 2),
                "data_source_ids": rng.sample(ds_ids, rng.randint(0, len(ds_ids))),
                "schema_names": rng.sample(["public", "sales", "ünïcode"], rng.randint(0, 2)),
                "timestamp": (BASE + timedelta(seconds=rng.randint(0, 3 * 86400 - 1))).isoformat(),
            }
        )
    for i in range(0, n, 500):
        r = await client.post(
            "/api/v1/prompts/analytics/batch", json={"events": events[i : i + 500]}, headers=tenant.key_headers
        )
        assert r.status_code == 202, r.text
    await jobs.drain_ingest(CTX)
    return events


def expected(events: list[dict], start: datetime | None, end: datetime) -> dict:
    sel = [
        e
        for e in events
        if (start is None or datetime.fromisoformat(e["timestamp"]) >= start)
        and datetime.fromisoformat(e["timestamp"]) <= end
    ]
    ok = sum(e["status"] == "completed" for e in sel)
    bad = sum(e["status"] == "failed" for e in sel)
    avg = (lambda k: sum(e[k] for e in sel) / len(sel)) if sel else (lambda k: None)
    return {
        "execution_count": len(sel),
        "success_count": ok,
        "failure_count": bad,
        # finished runs only; 0.0 when every run is still processing, None without runs
        "success_rate": round(ok / (ok + bad), 6) if ok + bad else (0.0 if sel else None),
        "avg_total_duration_ms": avg("total_duration_ms"),
        "avg_score": avg("score"),
        "total_cost_usd": round(sum(e["cost_usd"] for e in sel), 8),
        "latencies": sorted(e["latency_ms"] for e in sel),
    }


def assert_matches(data: dict, want: dict) -> None:
    for k in ("execution_count", "success_count", "failure_count", "success_rate"):
        assert data[k] == want[k], k
    for k in ("avg_total_duration_ms", "avg_score"):
        assert (data[k] is None and want[k] is None) or abs(data[k] - want[k]) < 1e-6, k
    assert abs(data["total_cost_usd"] - want["total_cost_usd"]) < 1e-6
    lat = want["latencies"]
    if lat:
        true_p95 = lat[int(0.95 * (len(lat) - 1))]
        assert abs(data["p95_latency_ms"] - true_p95) <= 0.011 * true_p95 + 1e-9  # sketch: 1% relative


async def test_analytics_equal_raw_answers_before_and_after_rollup(client, make_tenant):
    await jobs.refresh_rollups(CTX)  # whatever earlier tests left dirty, so the count below is ours
    tenant = await make_tenant("member")
    ds = [
        (
            await client.post(
                "/api/v1/data-sources", json={"name": f"ds{i}", "kind": "postgresql"}, headers=tenant.headers
            )
        ).json()["data"]["id"]
        for i in range(3)
    ]
    pid = uuid.uuid4()
    events = await seed_events(client, tenant, pid, 400, random.Random(7), ds)
    prompt = await Prompt.get(uuid=pid)
    url = f"/api/v1/prompts/{prompt.id}/analytics"
    start, end = BASE + timedelta(hours=5, minutes=17), BASE + timedelta(days=2, hours=3, minutes=41)
    params = {"period_start": start.isoformat(), "period_end": end.isoformat()}

    # the drain added the events to the rollups as it stored them: nothing dirty, nothing to rebuild
    assert await rollups.dirty_hours(prompt.id) == {prompt.id: set()}
    assert await jobs.refresh_rollups(CTX) == {"buckets": 0, "minutes_pruned": 0}
    live = (await client.get(url, params=params, headers=tenant.headers)).json()["data"]
    assert_matches(live, expected(events, start, end))
    # every hour marked dirty (as a repair would): read from raw events, then rebuilt by the job
    hours = {datetime.fromisoformat(e["timestamp"]).replace(minute=0, second=0, microsecond=0) for e in events}
    await rollups.mark_dirty((tenant.organization_id, prompt.id, h) for h in hours)
    dirty = (await client.get(url, params=params, headers=tenant.headers)).json()["data"]
    assert_matches(dirty, expected(events, start, end))
    assert dirty["p95_latency_ms"] == live["p95_latency_ms"]
    assert await jobs.refresh_rollups(CTX) == {"buckets": len(hours), "minutes_pruned": 0}
    assert await rollups.dirty_hours(prompt.id) == {prompt.id: set()}
    r = await client.get(url, params=params, headers=tenant.headers)
    assert r.status_code == 200 and r.json()["message"] == "Analytics retrieved successfully"
    clean = r.json()["data"]
    assert_matches(clean, expected(events, start, end))
    assert clean["p95_latency_ms"] == dirty["p95_latency_ms"]  # same sketch whichever path
    assert clean["prompt_id"] == prompt.id
    assert clean["period_start"] == start.isoformat().replace("+00:00", "Z")
    top = clean["most_used_data_sources"][0]
    assert top["data_source_name"] in {"ds0", "ds1", "ds2"} and top["count"] > 0
    assert {s["schema_name"] for s in clean["most_used_schemas"]} <= {"public", "sales", "ünïcode"}

    everything = (await client.get(url, headers=tenant.headers)).json()["data"]
    assert everything["execution_count"] == 400 and everything["period_start"] is None

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.integers(0, 3 * 86400), st.integers(0, 3 * 86400))
    def windows(a: int, b: int) -> None:
        windows.cases.append((BASE + timedelta(seconds=min(a, b)), BASE + timedelta(seconds=max(a, b))))

    windows.cases = []
    windows()
    for s, e in windows.cases:
        got = await client.get(
            url, params={"period_start": s.isoformat(), "period_end": e.isoformat()}, headers=tenant.headers
        )
        assert_matches(got.json()["data"], expected(events, s, e))


async def test_analytics_errors(client, make_tenant):
    a = await make_tenant()
    b = await make_tenant()
    made = await client.post("/api/v1/prompts", json={"name": "p"}, headers=a.headers)
    pid = made.json()["data"]["id"]
    r = await client.get(f"/api/v1/prompts/{pid}/analytics", params={"period_start": "2024-13-01"}, headers=a.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "period_start"
    r = await client.get(
        f"/api/v1/prompts/{pid}/analytics",
        headers=a.headers,
        params={"period_start": "2024-12-31T00:00:00Z", "period_end": "2024-12-01T00:00:00+00:00"},
    )
    assert r.status_code == 400
    assert (await client.get(f"/api/v1/prompts/{pid}/analytics", headers=b.headers)).status_code == 404
    assert (await client.get("/api/v1/prompts/99999999/analytics", headers=a.headers)).status_code == 404
    assert (await client.get(f"/api/v1/prompts/{pid}/analytics")).status_code == 401
    empty = (await client.get(f"/api/v1/prompts/{pid}/analytics", headers=a.headers)).json()["data"]
    assert empty["execution_count"] == 0 and empty["success_rate"] is None and empty["most_used_schemas"] == []


async def test_history_filters_sort_and_pagination(client, make_tenant):
    tenant = await make_tenant("member")
    ws = (await client.post("/api/v1/workspaces", json={"name": "analytics"}, headers=tenant.headers)).json()["data"]
    ds = (await client.post("/api/v1/data-sources", json={"name": "warehouse"}, headers=tenant.headers)).json()["data"]
    names = ["Sales Report", "Churn by region", "sales forecast", "Draft idea"]
    ids = []
    for name in names:
        made = await client.post(
            "/api/v1/prompts",
            json={"name": name, "text": f"Show me {name.lower()}", "workspace_id": ws["id"]},
            headers=tenant.headers,
        )
        ids.append(made.json()["data"]["id"])
    now = datetime.now(UTC)
    runs = [
        (ids[0], "completed", 1250.0, now - timedelta(days=1), [ds["id"]]),
        (ids[1], "failed", 300.0, now - timedelta(days=10), []),
        (ids[2], "completed", 4000.0, now - timedelta(hours=2), [ds["id"]]),
    ]
    for pid, status, ms, when, dss in runs:
        r = await client.post(
            "/api/v1/prompts/analytics",
            headers=tenant.key_headers,
            json={
                "prompt_id": pid,
                "version_hash": "h",
                "status": status,
                "total_duration_ms": ms,
                "timestamp": when.isoformat(),
                "data_source_ids": dss,
            },
        )
        assert r.status_code == 204
    await jobs.drain_ingest(CTX)

    async def history(**params) -> dict:
        r = await client.get("/api/v1/prompts/history", params=params, headers=tenant.headers)
        assert r.status_code == 200, r.text
        return r.json()["data"]

    page = await history()
    assert [i["name"] for i in page["items"]][:3] == ["sales forecast", "Sales Report", "Churn by region"]
    assert page["pagination"] == {"page": 1, "page_size": 20, "total_items": 4, "total_pages": 1}
    first = page["items"][0]
    assert first["execution_time_ms"] == 4000.0 and first["data_source_ids"] == [ds["id"]]
    assert first["user_id"] == tenant.user_id and first["workspace_id"] == ws["id"] and "uuid" in first
    assert [i["name"] for i in (await history(time_period="last_7_days"))["items"]] == [
        "sales forecast",
        "Sales Report",
    ]
    assert [i["name"] for i in (await history(search="SALES"))["items"]] == ["sales forecast", "Sales Report"]
    assert [i["name"] for i in (await history(status="failed"))["items"]] == ["Churn by region"]
    assert [i["name"] for i in (await history(status="draft"))["items"]] == ["Draft idea"]
    assert {i["name"] for i in (await history(data_source_id=ds["id"]))["items"]} == {"sales forecast", "Sales Report"}
    by_time = await history(sort_by="execution_time", sort_order="asc", status="completed")
    assert [i["execution_time_ms"] for i in by_time["items"]] == [1250.0, 4000.0]
    paged = await history(page=2, page_size=3)
    assert len(paged["items"]) == 1 and paged["pagination"]["total_pages"] == 2
    for bad in (
        {"status": "exploded"},
        {"sort_by": "name"},
        {"page_size": 101},
        {"page": 0},
        {"time_period": "yesterday"},
        {"sort_order": "up"},
    ):
        r = await client.get("/api/v1/prompts/history", params=bad, headers=tenant.headers)
        assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == next(iter(bad))
    other = await make_tenant("member")
    assert (await client.get("/api/v1/prompts/history", headers=other.headers)).json()["data"]["items"] == []


async def test_prompt_crud_and_tenancy(client, make_tenant):
    a = await make_tenant()
    b = await make_tenant()
    made = await client.post(
        "/api/v1/prompts", json={"name": "Q3 revenue", "text": "SELECT 1; -- 🙂"}, headers=a.headers
    )
    assert made.status_code == 201
    p = made.json()["data"]
    assert p["prompt_text"] == "SELECT 1; -- 🙂" and p["status"] == "draft" and uuid.UUID(p["uuid"])
    listed = (await client.get("/api/v1/prompts", headers=a.headers)).json()["data"]
    assert [i["id"] for i in listed["items"]] == [p["id"]] and listed["items"][0]["uuid"] == p["uuid"]
    patched = await client.patch(f"/api/v1/prompts/{p['id']}", json={"name": "Q4 revenue"}, headers=a.headers)
    assert patched.json()["data"]["name"] == "Q4 revenue" and patched.json()["data"]["prompt_text"] == p["prompt_text"]
    for method in ("get", "patch", "delete"):
        kwargs = {"json": {"name": "x"}} if method == "patch" else {}
        r = await getattr(client, method)(f"/api/v1/prompts/{p['id']}", headers=b.headers, **kwargs)
        assert r.status_code == 404, method
    bad_ws = await client.post("/api/v1/prompts", json={"name": "x", "workspace_id": 99999999}, headers=a.headers)
    assert bad_ws.status_code == 400 and bad_ws.json()["error"]["details"][0]["field"] == "workspace_id"
    dup = await client.post("/api/v1/prompts", json={"name": "y", "uuid": p["uuid"]}, headers=a.headers)
    assert dup.status_code == 409
    assert (await client.delete(f"/api/v1/prompts/{p['id']}", headers=a.headers)).status_code == 204
    assert (await client.get(f"/api/v1/prompts/{p['id']}", headers=a.headers)).status_code == 404
