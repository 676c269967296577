"""Prometheus exposition (+ promtool when installed), JSON metrics, summary and manual metric recording."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from asyncio.subprocess import PIPE, STDOUT

import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.observability import requests as request_metrics
from workers.outcomes import counted


def samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def scrape(client, tenant, path="/metrics") -> str:
    r = await client.get(path, headers=tenant.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return r.text


async def test_prometheus_counts_requests_by_template_with_histograms(client, make_tenant):
    admin = await make_tenant("superuser")
    await request_metrics.flush()
    before = samples(await scrape(client, admin))
    labels = (("method", "GET"), ("route", "/api/v1/users/{user_id}"), ("status_class", "4xx"))
    n0 = before.get(("promptops_http_requests_total", labels), 0)
    for _ in range(4):
        await client.get("/api/v1/users/987654321", headers=admin.headers)
    await request_metrics.flush()
    text = await scrape(client, admin, "/v1/metrics/prometheus")
    after = samples(text)
    assert after[("promptops_http_requests_total", labels)] == n0 + 4
    hist = (("method", "GET"), ("route", "/api/v1/users/{user_id}"))
    inf = after[("promptops_http_request_duration_seconds_bucket", tuple(sorted((*hist, ("le", "+Inf")))))]
    count = after[("promptops_http_request_duration_seconds_count", hist)]
    assert inf == count >= 4 and after[("promptops_http_request_duration_seconds_sum", hist)] > 0
    assert "987654321" not in text
    for name in (
        "promptops_ingest_stream_backlog",
        "promptops_rollup_lag_seconds",
        "promptops_workers_live",
        "promptops_organizations",
    ):
        assert (name, ()) in after, name
    assert after[("promptops_organizations", ())] >= 1


async def test_job_outcomes_are_counted(client, make_tenant):
    admin = await make_tenant("superuser")

    async def flaky_job(ctx, fail: bool):
        if fail:
            raise RuntimeError("boom")
        return {"ok": True}

    job = counted(flaky_job)
    before = samples(await scrape(client, admin))
    name = "test_job_outcomes_are_counted.<locals>.flaky_job"
    ok = (("function", name), ("outcome", "success"))
    bad = (("function", name), ("outcome", "failure"))
    assert await job({}, False) == {"ok": True}
    with pytest.raises(RuntimeError):
        await job({}, True)
    await job({}, False)
    after = samples(await scrape(client, admin))
    assert after[("promptops_worker_jobs_total", ok)] == before.get(("promptops_worker_jobs_total", ok), 0) + 2
    assert after[("promptops_worker_jobs_total", bad)] == before.get(("promptops_worker_jobs_total", bad), 0) + 1


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed (CI installs it)")
async def test_promtool_check_metrics_passes(client, make_tenant):
    admin = await make_tenant("superuser")
    await client.post(
        "/v1/metrics/record/agent",
        params={"agent_role": "planner", "status": "success", "duration": 1.5},
        headers=admin.headers,
    )
    await client.get("/healthz")
    await request_metrics.flush()
    text = await scrape(client, admin)
    proc = await asyncio.create_subprocess_exec("promtool", "check", "metrics", stdin=PIPE, stdout=PIPE, stderr=STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(text.encode()), timeout=30)
    assert proc.returncode == 0, out.decode()


async def test_record_endpoints_store_count_and_show(client, make_tenant):
    member = await make_tenant("member")
    admin = await make_tenant("superuser", org=None)
    before = samples(await scrape(client, admin))
    r = await client.post(
        "/v1/metrics/record/agent",
        params={"agent_role": "critic", "agent_type": "llm", "status": "failure", "duration": 2.25},
        headers=member.headers,
    )
    assert r.status_code == 200, r.text
    stored = r.json()["data"]
    assert stored["agent_role"] == "critic" and stored["status"] == "failure" and stored["duration"] == 2.25
    assert stored["id"] >= 1
    r = await client.post(
        "/v1/metrics/record/feedback",
        params={"feedback_type": "thumbs", "rating": "positive", "agent_role": "critic", "response_time": 3},
        headers=member.headers,
    )
    assert r.status_code == 200 and r.json()["data"]["rating"] == "positive"
    r = await client.post(
        "/v1/metrics/record/workflow",
        params={"workflow_type": "etl", "status": "success", "duration": 10, "steps_executed": 7},
        headers=member.headers,
    )
    assert r.status_code == 200 and r.json()["data"]["steps_executed"] == 7
    after = samples(await scrape(client, admin))
    key = ("promptops_agent_executions_total", (("status", "failure"),))
    assert after[key] == before.get(key, 0) + 1
    key = ("promptops_feedback_total", (("rating", "positive"),))
    assert after[key] == before.get(key, 0) + 1
    assert after[("promptops_workflow_steps_total", ())] == before.get(("promptops_workflow_steps_total", ()), 0) + 7
    # tenant-owned: another organization's admin does not see them
    other_org_admin = await make_tenant("superuser", org=f"org-{uuid.uuid4().hex[:6]}")
    r = await client.get("/v1/metrics/json", params={"include_system": "false"}, headers=other_org_admin.headers)
    org = r.json()["data"]["application"]["organization"]
    assert org["agents"]["total"] == 0 and "system" not in r.json()["data"]


async def test_json_metrics_and_summary_show_the_organizations_records(client, make_tenant):
    admin = await make_tenant("superuser")
    for status, duration in (("success", 1.0), ("success", 3.0), ("failure", 5.0)):
        r = await client.post(
            "/v1/metrics/record/agent",
            params={"agent_role": "planner", "status": status, "duration": duration},
            headers=admin.headers,
        )
        assert r.status_code == 200
    for rating in ("positive", "negative", "positive", "neutral"):
        await client.post(
            "/v1/metrics/record/feedback",
            params={"feedback_type": "stars", "rating": rating, "agent_role": "planner"},
            headers=admin.headers,
        )
    await client.post(
        "/v1/metrics/record/workflow",
        params={"workflow_type": "etl", "status": "failure", "duration": 4},
        headers=admin.headers,
    )
    r = await client.get("/v1/metrics/json", headers=admin.headers)
    data = r.json()["data"]
    org = data["application"]["organization"]
    assert org["agents"]["by_status"] == {"success": 2, "failure": 1}
    assert org["agents"]["avg_duration_seconds"]["success"] == 2.0
    assert abs(org["agents"]["success_rate"] - 2 / 3) < 1e-5
    assert org["feedback"]["by_rating"] == {"positive": 2, "negative": 1, "neutral": 1}
    assert org["feedback"]["positive_ratio"] == 0.5
    assert org["workflows"]["by_status"] == {"success": 0, "failure": 1} and org["workflows"]["success_rate"] == 0
    assert data["system"]["memory"]["total_bytes"] > 0
    assert data["application"]["requests_last_24h"]["requests"] >= 1
    r = await client.get("/v1/metrics/summary", headers=admin.headers)
    summary = r.json()["data"]
    assert summary["agents_last_24h"] == 3 and summary["feedback_last_24h"] == 4
    assert summary["workflows_last_24h"] == 1 and summary["workflow_success_rate_24h"] == 0
    assert summary["requests_last_24h"] >= 1 and isinstance(summary["sampler_enabled"], bool)


async def test_record_bad_input_is_400_naming_the_field(client, make_tenant):
    member = await make_tenant("member")
    cases = [
        ("agent", {"agent_role": "a", "status": "success", "duration": -3}, "duration"),
        ("agent", {"agent_role": "a", "status": "maybe", "duration": 1}, "status"),
        ("agent", {"status": "success", "duration": 1}, "agent_role"),
        ("agent", {"agent_role": "a", "status": "success", "duration": "nan"}, "duration"),
        ("feedback", {"feedback_type": "t", "rating": "great", "agent_role": "a"}, "rating"),
        (
            "feedback",
            {"feedback_type": "t", "rating": "positive", "agent_role": "a", "response_time": -1},
            "response_time",
        ),
        ("workflow", {"workflow_type": "w", "status": "success", "duration": -3}, "duration"),
        (
            "workflow",
            {"workflow_type": "w", "status": "success", "duration": 1, "steps_executed": -1},
            "steps_executed",
        ),
    ]
    for kind, params, field in cases:
        r = await client.post(f"/v1/metrics/record/{kind}", params=params, headers=member.headers)
        assert r.status_code == 400, (kind, params, r.text)
        assert [d["field"] for d in r.json()["error"]["details"]] == [field], (kind, params)
    assert (await client.post("/v1/metrics/record/agent", params=cases[0][1])).status_code == 401


def test_fast_request_writer_equals_prometheus_client_output():
    from prometheus_client import generate_latest

    from services.observability.prometheus import _OneShot, _request_families, request_text

    raw = {
        "GET /a/{x}|2xx": "3",
        "GET /a/{x}|4xx": "2",
        "GET /a/{x}|b0": "2",
        "GET /a/{x}|b5": "1",
        "GET /a/{x}|b11": "2",
        "GET /a/{x}|sum": "0.5",
        "GET /a/{x}|in": "10",
        "GET /a/{x}|out": "20",
        'POST /q"\\\n|5xx': "1",
    }
    fast = samples(request_text(raw))
    reference = samples(generate_latest(_OneShot(_request_families(raw))).decode())
    assert fast == reference and len(fast) == 2 + 2 * 14 + 2 * 2 + 1


async def test_platform_exposition_needs_the_superuser_role(client, make_tenant):
    """Platform-wide totals (organizations, users, prompts, dead letters) are no organization admin's."""
    admin = await make_tenant("admin")
    for path in ("/metrics", "/v1/metrics/prometheus"):
        r = await client.get(path, headers=admin.key_headers)
        assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
