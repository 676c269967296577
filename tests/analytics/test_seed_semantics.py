"""Seed semantics (issue 10, item 10): date-only window ends, success_rate, data-source filters, 405s."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from workers import jobs

CTX = {"worker_id": "test-seed-semantics"}
DAY = (datetime.now(UTC) - timedelta(days=3)).date()  # a whole day safely in the past


def at(day_offset: int, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(DAY + timedelta(days=day_offset), time(hh, mm), tzinfo=UTC)


async def new_prompt(client, tenant, name: str = "p") -> int:
    r = await client.post("/api/v1/prompts", json={"name": name}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"]


async def new_source(client, tenant, name: str) -> int:
    r = await client.post("/api/v1/data-sources", json={"name": name}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"]


async def log_runs(client, tenant, runs: list[dict]) -> None:
    events = [{"version_hash": "v1", **run, "timestamp": run["timestamp"].isoformat()} for run in runs]
    r = await client.post("/api/v1/prompts/analytics/batch", json={"events": events}, headers=tenant.key_headers)
    assert r.status_code == 202, r.text
    await jobs.drain_ingest(CTX)


async def analytics(client, tenant, prompt_id: int, **params) -> dict:
    r = await client.get(f"/api/v1/prompts/{prompt_id}/analytics", params=params, headers=tenant.headers)
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def test_date_only_period_bounds_cover_whole_days(client, make_tenant):
    tenant = await make_tenant("member")
    pid = await new_prompt(client, tenant)
    times = [at(-1, 23, 59), at(0, 0, 0), at(0, 10), at(0, 23, 59), at(1, 0, 0)]
    await log_runs(client, tenant, [{"prompt_id": pid, "timestamp": t} for t in times])
    day = DAY.isoformat()

    one_day = await analytics(client, tenant, pid, period_start=day, period_end=day)
    assert one_day["execution_count"] == 3  # 00:00, 10:00 and 23:59 of DAY; not the day before or after
    assert one_day["period_start"] == f"{day}T00:00:00Z"
    assert one_day["period_end"] == f"{day}T23:59:59.999999Z"
    # a date-only end alone is inclusive of its whole day too
    assert (await analytics(client, tenant, pid, period_end=day))["execution_count"] == 4
    # timestamps keep their exact meaning; a naive one is UTC
    exact = await analytics(client, tenant, pid, period_start=f"{day}T00:00:00Z", period_end=f"{day}T10:00:00")
    assert exact["execution_count"] == 2 and exact["period_end"] == f"{day}T10:00:00Z"
    shifted = await analytics(client, tenant, pid, period_start=f"{day}T01:00:00+01:00", period_end=day)
    assert shifted["execution_count"] == 3  # 01:00+01:00 is 00:00Z
    # the same date as start and end is one day, not "start after end"; a bad date is the seed's 400
    r = await client.get(
        f"/api/v1/prompts/{pid}/analytics", params={"period_end": "2024-02-30"}, headers=tenant.headers
    )
    assert r.status_code == 400
    issue = r.json()["error"]["details"][0]
    assert issue["field"] == "period_end" and issue["message"].startswith("Invalid date format (use ISO 8601")


async def test_success_rate_is_over_finished_runs_and_never_null_when_there_were_runs(client, make_tenant):
    tenant = await make_tenant("member")
    busy = await new_prompt(client, tenant, "still running")
    mixed = await new_prompt(client, tenant, "mixed")
    idle = await new_prompt(client, tenant, "never ran")
    await log_runs(
        client,
        tenant,
        [
            {"prompt_id": busy, "status": "processing", "timestamp": at(0, 9)},
            {"prompt_id": busy, "status": "processing", "timestamp": at(0, 10)},
            {"prompt_id": mixed, "status": "completed", "timestamp": at(0, 9)},
            {"prompt_id": mixed, "status": "completed", "timestamp": at(0, 10)},
            {"prompt_id": mixed, "status": "completed", "timestamp": at(0, 11)},
            {"prompt_id": mixed, "status": "failed", "timestamp": at(0, 12)},
            {"prompt_id": mixed, "status": "processing", "timestamp": at(0, 13)},
            {"prompt_id": mixed, "status": "processing", "timestamp": at(0, 14)},
        ],
    )
    running = await analytics(client, tenant, busy)
    assert running["execution_count"] == 2 and running["success_rate"] == 0.0
    both = await analytics(client, tenant, mixed)
    assert (both["execution_count"], both["success_count"], both["failure_count"]) == (6, 3, 1)
    assert both["success_rate"] == 0.75  # 3 / (3 + 1): the two processing runs are not in the denominator
    assert (await analytics(client, tenant, idle))["success_rate"] is None  # no runs at all
    # the same figures after the hours are rolled up
    await jobs.refresh_rollups(CTX)
    assert (await analytics(client, tenant, busy))["success_rate"] == 0.0
    assert (await analytics(client, tenant, mixed))["success_rate"] == 0.75
    spec = (await client.get("/openapi.json")).json()
    described = spec["components"]["schemas"]["PromptAnalytics"]["properties"]["success_rate"]["description"]
    assert "processing" in described and "0.0" in described


async def test_history_data_source_filter_matches_any_run_in_the_period(client, make_tenant):
    tenant = await make_tenant("member")
    other = await make_tenant("member")
    warehouse = await new_source(client, tenant, "warehouse")
    lake = await new_source(client, tenant, "lake")
    now = datetime.now(UTC)
    recent = await new_prompt(client, tenant, "used it 2 days ago")
    old = await new_prompt(client, tenant, "used it 20 days ago")
    latest = await new_prompt(client, tenant, "uses it in its latest run")
    never = await new_prompt(client, tenant, "never used it")
    await log_runs(
        client,
        tenant,
        [
            {"prompt_id": recent, "data_source_ids": [lake, warehouse], "timestamp": now - timedelta(days=2)},
            {"prompt_id": recent, "data_source_ids": [lake], "timestamp": now - timedelta(hours=1)},
            {"prompt_id": old, "data_source_ids": [warehouse], "timestamp": now - timedelta(days=20)},
            {"prompt_id": old, "data_source_ids": [], "timestamp": now - timedelta(hours=2)},
            {"prompt_id": latest, "data_source_ids": [warehouse], "timestamp": now - timedelta(hours=3)},
            {"prompt_id": never, "data_source_ids": [lake], "timestamp": now - timedelta(days=1)},
        ],
    )
    # another organization's prompt citing the same id never shows up
    foreign = await new_prompt(client, other, "foreign")
    await log_runs(client, other, [{"prompt_id": foreign, "data_source_ids": [warehouse], "timestamp": now}])

    async def names(**params) -> set[str]:
        r = await client.get("/api/v1/prompts/history", params=params, headers=tenant.headers)
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        assert data["pagination"]["total_items"] == len(data["items"])
        return {i["name"] for i in data["items"]}

    everyone = {"used it 2 days ago", "used it 20 days ago", "uses it in its latest run"}
    assert await names(data_source_id=warehouse) == everyone
    assert await names(data_source_id=warehouse, time_period="last_30_days") == everyone
    assert await names(data_source_id=warehouse, time_period="last_7_days") == everyone - {"used it 20 days ago"}
    assert await names(data_source_id=lake, time_period="last_7_days") == {"used it 2 days ago", "never used it"}
    assert await names(data_source_id=warehouse, status="completed", search="latest") == {"uses it in its latest run"}
    assert await names(data_source_id=999_999_999) == set()
    r = await client.get("/api/v1/prompts/history", params={"data_source_id": warehouse}, headers=other.headers)
    assert [i["name"] for i in r.json()["data"]["items"]] == ["foreign"]  # its own prompt, never ours

    # GraphQL's prompts(filter: {dataSourceId}) is the same filter over all time
    query = "query($ds: Int) { prompts(filter: {dataSourceId: $ds}) { totalCount edges { node { name } } } }"
    r = await client.post("/graphql", json={"query": query, "variables": {"ds": warehouse}}, headers=tenant.headers)
    found = r.json()["data"]["prompts"]
    assert found["totalCount"] == 3 and {e["node"]["name"] for e in found["edges"]} == everyone

    # analytics lists every source the period's runs used (what GraphQL Prompt.dataSources resolves)
    assert (await analytics(client, tenant, recent))["data_sources_used"] == [lake, warehouse]
    last_day = await analytics(client, tenant, recent, period_start=(now - timedelta(days=1)).isoformat())
    assert last_day["data_sources_used"] == [lake]

    # GraphQL Prompt.dataSources: the sources of the selected period, not only the latest run's
    query = """query($since: DateTime) { prompts(first: 10) { edges { node {
        name dataSourceIds all: dataSources { name } recent: dataSources(periodStart: $since) { name } } } } }"""
    since = (now - timedelta(days=7)).isoformat()
    r = await client.post("/graphql", json={"query": query, "variables": {"since": since}}, headers=tenant.headers)
    assert "errors" not in r.json(), r.json()
    nodes = {e["node"]["name"]: e["node"] for e in r.json()["data"]["prompts"]["edges"]}
    assert nodes["used it 2 days ago"]["dataSourceIds"] == [lake]
    assert [d["name"] for d in nodes["used it 2 days ago"]["all"]] == ["lake", "warehouse"]
    assert [d["name"] for d in nodes["used it 20 days ago"]["all"]] == ["warehouse"]
    assert nodes["used it 20 days ago"]["recent"] == []
    assert [d["name"] for d in nodes["uses it in its latest run"]["recent"]] == ["warehouse"]


async def test_data_source_filter_window_edges_before_and_after_rollup(client, make_tenant):
    """Runs just inside and just outside "last 7 days", read from raw hours and then from rollups."""
    tenant = await make_tenant("member")
    warehouse = await new_source(client, tenant, "warehouse")
    lake = await new_source(client, tenant, "lake")
    now = datetime.now(UTC)
    cutoff = now - timedelta(days=7)
    offsets = {  # when each prompt used the warehouse, relative to the cutoff (first hour, hours, days)
        "just outside": -timedelta(minutes=5),
        "five minutes in": timedelta(minutes=5),
        "65 minutes in": timedelta(minutes=65),
        "a day in": timedelta(hours=25),
        "three days in": timedelta(days=3, hours=5),
        "an hour ago": timedelta(days=7) - timedelta(hours=1),
    }
    runs = []
    for name, offset in offsets.items():
        pid = await new_prompt(client, tenant, name)
        runs.append({"prompt_id": pid, "data_source_ids": [warehouse], "timestamp": cutoff + offset})
        # the latest run never cites the warehouse, so only the period's earlier runs can match
        runs.append({"prompt_id": pid, "data_source_ids": [lake], "timestamp": now - timedelta(minutes=30)})
    await log_runs(client, tenant, runs)
    inside = set(offsets) - {"just outside"}

    async def names(**params) -> set[str]:
        r = await client.get("/api/v1/prompts/history", params=params, headers=tenant.headers)
        assert r.status_code == 200, r.text
        return {i["name"] for i in r.json()["data"]["items"]}

    for _ in ("raw (dirty hours)", "rollups"):
        assert await names(data_source_id=warehouse, time_period="last_7_days") == inside
        assert await names(data_source_id=warehouse, time_period="last_30_days") == set(offsets)
        assert await names(data_source_id=warehouse) == set(offsets)
        assert await names(data_source_id=lake, time_period="last_7_days") == set(offsets)
        while (await jobs.refresh_rollups(CTX))["buckets"]:
            pass


async def test_delete_on_the_history_path_is_405_with_allow(client, make_tenant):
    tenant = await make_tenant("member")
    r = await client.delete("/api/v1/prompts/history", headers=tenant.headers)
    assert r.status_code == 405, r.text
    allowed = {m.strip() for m in r.headers["allow"].split(",")}
    assert "GET" in allowed and "DELETE" not in allowed
    body = r.json()
    assert body["success"] is False and body["error"]["code"] == "METHOD_NOT_ALLOWED"
    # the prompt routes it used to fall into still work for real ids
    pid = await new_prompt(client, tenant)
    assert (await client.delete(f"/api/v1/prompts/{pid}", headers=tenant.headers)).status_code == 204
    assert (await client.get("/api/v1/prompts/history", headers=tenant.headers)).status_code == 200


async def test_a_window_past_the_supported_range_is_a_400_not_a_500(client, make_tenant):
    tenant = await make_tenant("admin")
    made = await client.post("/api/v1/prompts", json={"name": "range"}, headers=tenant.headers)
    pid = made.json()["data"]["id"]
    for params, field in (
        ({"period_end": "9999-12-31"}, "period_end"),
        ({"period_start": "0001-01-01"}, "period_start"),
    ):
        r = await client.get(f"/api/v1/prompts/{pid}/analytics", params=params, headers=tenant.headers)
        assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == field, r.text
    query = 'query($id: ID!) { prompt(id: $id) { analytics(periodEnd: "9999-12-31T23:59:59Z") { executionCount } } }'
    query = {"query": query, "variables": {"id": str(pid)}}
    out = (await client.post("/graphql", json=query, headers=tenant.headers)).json()
    assert out["errors"][0]["extensions"]["code"] == "BAD_REQUEST", out
    r = await client.get(
        f"/api/v1/prompts/{pid}/analytics", params={"period_end": "9000-01-01"}, headers=tenant.headers
    )
    assert r.status_code == 200 and r.json()["data"]["execution_count"] == 0
