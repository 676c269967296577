"""Recorded metrics: durable rows, the realtime buffer and its trends, pub/sub, metric series."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import orjson

from models.metrics import MetricPoint
from models.monitoring import AgentMetric
from services.core.redis_client import get_redis
from services.metrics.recorded import updates_channel
from tests.alerting.test_alerting import ingest

METRICS = "/admin/prompt-analytics/metrics"
REALTIME = "/admin/prompt-analytics/metrics/realtime"
MON = "/admin/monitoring-alerts/monitoring"


async def post_point(client, tenant, name: str, value: float, at: datetime | None = None, **extra) -> dict:
    body = {"name": name, "value": value, "type": "gauge", **extra}
    if at is not None:
        body["timestamp"] = at.isoformat()
    r = await client.post(METRICS, json=body, headers=tenant.headers)
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def test_record_stores_the_point_and_publishes_it(client, make_tenant):
    tenant = await make_tenant()
    prompt = (await client.post("/api/v1/prompts", json={"name": "p"}, headers=tenant.headers)).json()["data"]
    pubsub = get_redis().pubsub()
    await pubsub.subscribe(updates_channel(tenant.organization_id))
    try:
        await pubsub.get_message(timeout=1)  # the subscribe confirmation
        at = (datetime.now(UTC) - timedelta(minutes=3)).replace(microsecond=123456)
        data = await post_point(
            client, tenant, "tokens_in", 42.5, at, prompt_id=prompt["uuid"], version_hash="v9", tags={"env": "prod"}
        )
        assert data["prompt_id"] == prompt["id"] and data["value"] == 42.5 and data["tags"] == {"env": "prod"}
        row = await MetricPoint.get(id=data["id"])
        assert (row.organization_id, row.name, row.value, row.type, row.version_hash, row.tags_key) == (
            tenant.organization_id,
            "tokens_in",
            42.5,
            "gauge",
            "v9",
            "|env=prod|",
        )
        assert row.timestamp == at
        message = None
        for _ in range(20):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
            if message:
                break
        assert message is not None
        published = orjson.loads(message["data"])
        assert published["id"] == data["id"] and published["name"] == "tokens_in" and published["value"] == 42.5
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()


async def test_realtime_trends_are_exact(client, make_tenant):
    tenant = await make_tenant()
    now = datetime.now(UTC)
    series = {
        "up_metric": ([10, 20], [30, 30]),  # previous avg 15 -> 30: +100 %
        "flat_metric": ([10], [10.05]),  # +0.5 %: within 1 %
        "down_metric": ([10], [5]),  # -50 %
        "new_metric": ([], [7]),  # nothing before: no trend
    }
    for name, (before, current) in series.items():
        for i, v in enumerate(before):
            await post_point(client, tenant, name, v, now - timedelta(minutes=7, seconds=i))
        for i, v in enumerate(current):
            await post_point(client, tenant, name, v, now - timedelta(minutes=2, seconds=-i))
    await post_point(client, tenant, "old_metric", 1, now - timedelta(minutes=30))  # outside both windows
    r = await client.get(REALTIME, params={"last_n_minutes": 5}, headers=tenant.headers)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["window_minutes"] == 5 and data["buffer_size"] == 1000
    got = {m["name"]: m for m in data["metrics"]}
    assert sorted(got) == ["down_metric", "flat_metric", "new_metric", "up_metric"]
    up = got["up_metric"]
    assert (up["count"], up["avg"], up["min"], up["max"], up["sum"]) == (2, 30.0, 30.0, 30.0, 60.0)
    assert (up["previous_count"], up["previous_avg"], up["trend"], up["change_pct"]) == (2, 15.0, "up", 100.0)
    assert up["latest"]["value"] == 30.0 and [p["value"] for p in up["points"]] == [30.0, 30.0]
    assert got["flat_metric"]["trend"] == "flat" and abs(got["flat_metric"]["change_pct"] - 0.5) < 1e-9
    assert got["down_metric"]["trend"] == "down" and got["down_metric"]["change_pct"] == -50.0
    assert got["new_metric"]["trend"] is None and got["new_metric"]["previous_avg"] is None
    assert all(m["buffer_complete"] for m in data["metrics"])

    chosen = await client.get(f"/v1{REALTIME}", params={"metric_names": "up_metric,old_metric"}, headers=tenant.headers)
    names = {m["name"]: m for m in chosen.json()["data"]["metrics"]}
    assert sorted(names) == ["old_metric", "up_metric"] and names["old_metric"]["count"] == 0
    wide = await client.get(
        REALTIME, params={"metric_names": "old_metric", "last_n_minutes": 60}, headers=tenant.headers
    )
    assert wide.json()["data"]["metrics"][0]["count"] == 1

    other = await make_tenant()
    assert (await client.get(REALTIME, headers=other.headers)).json()["data"]["metrics"] == []


async def test_metric_series_from_the_store_and_from_rollups(client, make_tenant):
    tenant = await make_tenant()
    now = datetime.now(UTC)
    values = [(now - timedelta(minutes=1), 4.0), (now - timedelta(minutes=2), 8.0), (now - timedelta(minutes=40), 1.0)]
    for at, v in values:
        await post_point(client, tenant, "disk_used", v, at)
    r = await client.get(
        f"{MON}/metrics", params={"metric_type": "disk_used", "time_range": "1h"}, headers=tenant.headers
    )
    assert r.status_code == 200, r.text
    s = r.json()["data"]
    assert s["bucket_seconds"] == 300 and len(s["points"]) == 12 and s["builtin"] is False
    start = datetime.fromisoformat(s["start"])
    expected: dict[int, list[float]] = {}
    for at, v in values:
        expected.setdefault(int((at - start).total_seconds() // 300), []).append(v)
    for k, point in enumerate(s["points"]):
        vals = expected.get(k, [])
        assert point["count"] == len(vals)
        assert point["value"] == (sum(vals) / len(vals) if vals else None)
    assert s["max"] == max(sum(v) / len(v) for v in expected.values())

    await ingest(client, tenant, uuid.uuid4(), ["completed", "failed", "completed"])
    r = await client.get(f"/v1{MON}/metrics", params={"metric_type": "executions"}, headers=tenant.headers)
    b = r.json()["data"]
    assert b["builtin"] is True and b["bucket_seconds"] == 3600 and len(b["points"]) == 24
    assert sum(p["value"] or 0 for p in b["points"]) == 3
    r = await client.get(
        f"{MON}/metrics", params={"metric_type": "error_rate", "time_range": "24h"}, headers=tenant.headers
    )
    assert [p["value"] for p in r.json()["data"]["points"] if p["value"] is not None] == [1 / 3]

    overview = (await client.get(f"{MON}/metrics", headers=tenant.headers)).json()["data"]
    builtin = {m["name"]: m["value"] for m in overview["builtin"]}
    assert builtin["executions"] == 3 and builtin["error_rate"] == 1 / 3
    [recorded] = overview["recorded"]
    assert (recorded["name"], recorded["count"], recorded["min"], recorded["max"]) == ("disk_used", 3, 1.0, 8.0)
    assert abs(recorded["avg"] - 13 / 3) < 1e-9


async def test_bad_metric_input_names_the_field(client, make_tenant):
    tenant, other = await make_tenant(), await make_tenant()
    foreign = (await client.post("/api/v1/prompts", json={"name": "x"}, headers=other.headers)).json()["data"]["id"]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    base = {"name": "ok_metric", "value": 1, "type": "gauge"}
    for change, field in [
        ({"name": "latency_p95"}, "name"),
        ({"name": "has space"}, "name"),
        ({"value": "abc"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"type": "summary"}, "type"),
        ({"timestamp": future}, "timestamp"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"tags": {"bad key!": "x"}}, "tags"),
        ({"tags": {"env": "a|b"}}, "tags"),
        ({"prompt_id": foreign}, "prompt_id"),
    ]:
        r = await client.post(METRICS, json={**base, **change}, headers=tenant.headers)
        assert r.status_code == 400, (change, r.text)
        assert r.json()["error"]["details"][0]["field"] == field, (change, r.json())
    missing = await client.post(METRICS, json={"name": "x"}, headers=tenant.headers)
    assert {d["field"] for d in missing.json()["error"]["details"]} == {"value", "type"}
    for params, field in [
        ({"last_n_minutes": 0}, "last_n_minutes"),
        ({"last_n_minutes": 1441}, "last_n_minutes"),
        ({"metric_names": "bad name!"}, "metric_names"),
    ]:
        r = await client.get(REALTIME, params=params, headers=tenant.headers)
        assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == field, r.text
    for params, field in [({"time_range": "2y"}, "time_range"), ({"metric_type": "never_recorded"}, "metric_type")]:
        r = await client.get(f"{MON}/metrics", params=params, headers=tenant.headers)
        assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == field, r.text
    assert await MetricPoint.filter(organization_id=tenant.organization_id).count() == 0


async def test_concurrent_records_keep_every_point_in_the_buffer(client, make_tenant):
    tenant = await make_tenant()
    await asyncio.gather(*(post_point(client, tenant, "burst", float(i)) for i in range(20)))
    r = await client.get(REALTIME, params={"metric_names": "burst"}, headers=tenant.headers)
    m = r.json()["data"]["metrics"][0]
    assert m["count"] == 20 and m["sum"] == sum(range(20))


async def test_recorded_runs_are_grouped_by_dimension_in_json_and_summary(client, make_tenant, monkeypatch):
    from services.metrics import query as metrics_query

    admin = await make_tenant("admin")
    other = await make_tenant("admin")

    async def record(kind: str, tenant=admin, **params) -> dict:
        r = await client.post(f"/v1/metrics/record/{kind}", params=params, headers=tenant.headers)
        assert r.status_code == 200, r.text
        return r.json()["data"]

    for role, kind, status, duration in [
        ("planner", "llm", "success", 1.0),
        ("planner", "llm", "success", 3.0),
        ("planner", None, "failure", 8.0),
        ("critic", "llm", "failure", 2.0),
    ]:
        await record(
            "agent", agent_role=role, status=status, duration=duration, **({"agent_type": kind} if kind else {})
        )
    old = await record("agent", agent_role="critic", agent_type="rules", status="success", duration=4.0)
    await AgentMetric.filter(id=old["id"]).update(recorded_at=datetime.now(UTC) - timedelta(days=2))
    for wtype, status, duration, steps in [
        ("etl", "success", 10, 7),
        ("etl", "failure", 4, None),
        ("rag", "success", 2, 3),
    ]:
        await record(
            "workflow",
            workflow_type=wtype,
            status=status,
            duration=duration,
            **({"steps_executed": steps} if steps else {}),
        )
    for ftype, rating, role, response_time in [
        ("thumbs", "positive", "planner", 0.5),
        ("thumbs", "negative", "planner", 12),
        ("thumbs", "positive", "critic", None),
        ("stars", "neutral", "critic", 400),
    ]:
        extra = {"response_time": response_time} if response_time is not None else {}
        await record("feedback", feedback_type=ftype, rating=rating, agent_role=role, **extra)
    await record("agent", other, agent_role="planner", agent_type="llm", status="success", duration=99)  # not ours

    r = await client.get("/v1/metrics/json", params={"include_system": "false"}, headers=admin.headers)
    assert r.status_code == 200, r.text
    dims = r.json()["data"]["application"]["organization"]["by_dimension"]
    roles = dims["agents"]["agent_role"]
    assert list(roles) == ["planner", "critic"]  # most frequent first
    assert roles["planner"] == {
        "count": 3,
        "success": 2,
        "failure": 1,
        "success_rate": 0.666667,
        "avg_duration_seconds": 4.0,
        "min_duration_seconds": 1.0,
        "max_duration_seconds": 8.0,
    }
    assert roles["critic"]["count"] == 2 and roles["critic"]["avg_duration_seconds"] == 3.0  # all time: old one too
    types = dims["agents"]["agent_type"]
    assert {k: v["count"] for k, v in types.items()} == {"llm": 3, "": 1, "rules": 1}
    assert types["llm"]["success_rate"] == 0.666667 and types[""]["failure"] == 1
    etl = dims["workflows"]["workflow_type"]["etl"]
    assert (etl["count"], etl["success"], etl["avg_duration_seconds"], etl["steps_executed"]) == (2, 1, 7.0, 7)
    assert etl["avg_steps_executed"] == 7.0 and dims["workflows"]["workflow_type"]["rag"]["success_rate"] == 1.0
    thumbs = dims["feedback"]["feedback_type"]["thumbs"]
    assert (thumbs["count"], thumbs["positive"], thumbs["negative"], thumbs["neutral"]) == (3, 2, 1, 0)
    assert thumbs["timed"] == 2 and thumbs["avg_response_time_seconds"] == 6.25
    assert thumbs["min_response_time_seconds"] == 0.5 and thumbs["max_response_time_seconds"] == 12.0
    assert dims["feedback"]["agent_role"]["critic"]["positive_ratio"] == 0.5
    assert {k: v["count"] for k, v in dims["feedback"]["response_time"].items()} == {
        "lt_1s": 1,
        "5s_30s": 1,
        "gte_5m": 1,
        "unknown": 1,
    }
    assert dims["truncated"] == []

    monkeypatch.setattr(metrics_query, "BREAKDOWN_LIMIT", 1)  # each dimension's most frequent value only
    r = await client.get("/v1/metrics/json", params={"include_system": "false"}, headers=admin.headers)
    top = r.json()["data"]["application"]["organization"]["by_dimension"]
    assert top["agents"]["agent_role"] == {"planner": roles["planner"]}
    assert list(top["agents"]["agent_type"]) == ["llm"] and list(top["feedback"]["feedback_type"]) == ["thumbs"]
    assert top["truncated"] == [
        "agents.agent_role",
        "agents.agent_type",
        "workflows.workflow_type",
        "feedback.feedback_type",
        "feedback.agent_role",
        "feedback.response_time",
    ]
    monkeypatch.undo()

    r = await client.get("/v1/metrics/summary", headers=admin.headers)
    day = r.json()["data"]["by_dimension_24h"]
    assert {k: v["count"] for k, v in day["agents"]["agent_role"].items()} == {"planner": 3, "critic": 1}
    assert "rules" not in day["agents"]["agent_type"]  # recorded two days ago
    assert day["feedback"]["feedback_type"]["stars"]["neutral"] == 1

    theirs = await client.get("/v1/metrics/summary", headers=other.headers)
    assert theirs.json()["data"]["by_dimension_24h"]["agents"]["agent_role"]["planner"]["count"] == 1
    assert theirs.json()["data"]["by_dimension_24h"]["feedback"]["feedback_type"] == {}


async def test_all_time_figures_from_running_totals_equal_the_records_under_concurrent_writes(client, make_tenant):
    """``GET /v1/metrics/json`` reads all-time figures from running totals kept with each record;
    ``/v1/metrics/summary`` reads the last 24 hours from the records themselves.  With every record
    made just now, by concurrent requests on the same totals rows, the two must agree exactly."""
    admin = await make_tenant("admin")

    async def record(kind: str, **params) -> None:
        r = await client.post(f"/v1/metrics/record/{kind}", params=params, headers=admin.headers)
        assert r.status_code == 200, r.text

    calls = []
    for i in range(36):
        status = "failure" if i % 3 == 0 else "success"
        agent = {"agent_role": f"role{i % 4}", "status": status, "duration": 0.1 * i + 0.05}
        calls.append(record("agent", **agent, **({"agent_type": "llm"} if i % 2 else {})))
        steps = {"steps_executed": i % 5} if i % 4 else {}
        calls.append(record("workflow", workflow_type=f"w{i % 3}", status=status, duration=1.5 * i, **steps))
        timed = {"response_time": [0.2, 3, 29.5, 299, 301][i % 5]} if i % 6 else {}
        rating = ("positive", "negative", "neutral")[i % 3]
        calls.append(record("feedback", feedback_type=f"f{i % 2}", rating=rating, agent_role=f"role{i % 4}", **timed))
    await asyncio.gather(*calls)

    every = (await client.get("/v1/metrics/json", params={"include_system": "false"}, headers=admin.headers)).json()
    day = (await client.get("/v1/metrics/summary", headers=admin.headers)).json()["data"]
    organization = every["data"]["application"]["organization"]
    assert organization["by_dimension"] == day["by_dimension_24h"]
    assert organization["by_dimension"]["agents"]["agent_role"]["role1"]["count"] == 9
    assert organization["by_dimension"]["feedback"]["response_time"]["unknown"]["count"] == 6
    agents, workflows, feedback = organization["agents"], organization["workflows"], organization["feedback"]
    assert (agents["total"], agents["success_rate"]) == (day["agents_last_24h"], day["agent_success_rate_24h"])
    assert (workflows["total"], workflows["success_rate"]) == (36, day["workflow_success_rate_24h"])
    assert (feedback["total"], feedback["positive_ratio"]) == (36, day["feedback_positive_ratio_24h"])
    assert agents["by_status"] == {"success": 24, "failure": 12}
    assert agents["avg_duration_seconds"]["failure"] == round(sum(0.1 * i + 0.05 for i in range(0, 36, 3)) / 12, 6)
    assert workflows["steps_executed"] == sum(i % 5 for i in range(36) if i % 4)


async def test_metrics_json_and_summary_keep_platform_ingest_figures_for_superusers(client, make_tenant):
    admin = await make_tenant("admin")
    root = await make_tenant("superuser")
    summary = (await client.get("/v1/metrics/summary", headers=admin.headers)).json()["data"]
    assert summary["ingest_backlog"] is None and summary["dead_letters_last_hour"] == 0
    data = (await client.get("/v1/metrics/json", headers=admin.headers)).json()["data"]
    assert data["application"]["ingest"] == {"scope": "organization", "dead_letters_recent": 0}
    summary = (await client.get("/v1/metrics/summary", headers=root.headers)).json()["data"]
    assert summary["ingest_backlog"] >= 0
    data = (await client.get("/v1/metrics/json", headers=root.headers)).json()["data"]
    assert data["application"]["ingest"]["stream_length"] >= 0


async def test_a_recorded_value_is_bounded_so_aggregates_stay_finite(client, make_tenant):
    admin = await make_tenant("admin")
    for value in (1.7e308, -1e16):
        r = await client.post(
            "/admin/prompt-analytics/metrics",
            json={"name": "huge", "value": value, "type": "gauge"},
            headers=admin.headers,
        )
        assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "value", r.text
    for _ in range(2):
        r = await client.post(
            "/admin/prompt-analytics/metrics",
            json={"name": "huge", "value": 1e15, "type": "gauge"},
            headers=admin.headers,
        )
        assert r.status_code == 200, r.text
    r = await client.get(
        "/admin/prompt-analytics/charts/time-series",
        params={"metric_name": "huge", "time_window": "1h"},
        headers=admin.headers,
    )
    assert r.status_code == 200, r.text
