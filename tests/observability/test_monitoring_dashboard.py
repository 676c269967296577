"""Recommendations, threshold breaches and the dashboard, from measured (recorded) data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from models.monitoring import SystemMetricSample
from services.observability import requests as request_metrics
from services.observability import thresholds as performance_thresholds


def _record(route: str, status: int, ms: float, n: int, hours_ago: int = 0) -> None:
    at = request_metrics.current_hour() - hours_ago * request_metrics.HOUR_SECONDS + 30
    for _ in range(n):
        request_metrics.RECORDER.record("GET", route, status, ms / 1000, at=at)


async def test_recommendations_carry_their_evidence(client, make_tenant):
    admin = await make_tenant("admin")
    slow = f"/slow-{uuid.uuid4().hex[:8]}"
    spiky = f"/spiky-{uuid.uuid4().hex[:8]}"
    _record(slow, 200, 3000.0, 25)
    _record(spiky, 200, 5.0, 40, hours_ago=1)
    _record(spiky, 200, 5.0, 20)
    _record(spiky, 503, 5.0, 10)
    await request_metrics.flush()
    r = await client.get("/v1/monitoring/recommendations", headers=admin.headers)
    assert r.status_code == 200, r.text
    items = r.json()["data"]["recommendations"]
    by_subject = {(i["kind"], i["subject"]): i for i in items}
    slow_rec = by_subject[("slow_endpoint", f"GET {slow}")]
    assert slow_rec["severity"] == "critical"  # 3 s > 2 x the 1 s threshold
    assert abs(slow_rec["evidence"]["p95_ms"] - 3000) <= 30 and slow_rec["evidence"]["requests"] == 25
    spike = by_subject[("error_spike", f"GET {spiky}")]
    assert spike["evidence"]["latest_hour_errors"] == 10 and spike["evidence"]["latest_hour_requests"] == 30
    assert spike["evidence"]["baseline_error_rate"] == 0.0
    assert ("slow_endpoint", f"GET {spiky}") not in by_subject

    breaches = await performance_thresholds.breaches(1, live_probe=False)
    found = {(b.metric, b.subject): b for b in breaches}
    assert found[("p95_latency_ms", f"GET {slow}")].severity == "critical"
    rate = found[("error_rate", f"GET {spiky}")]
    assert abs(rate.value - 10 / 30) < 1e-6 and rate.severity == "critical" and rate.evidence["requests"] == 30


async def test_memory_growth_from_stored_samples(client, make_tenant):
    admin = await make_tenant("admin")
    host = f"growth-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rows = []
    # 30 samples an hour (other tests' real samples also weigh in the hourly averages; ours dominate)
    for i in range(5):
        for m in range(30):
            rows.append(
                SystemMetricSample(
                    host=host,
                    sampled_at=now - timedelta(hours=4 - i) + timedelta(minutes=1 + m),
                    cpu_percent=5.0,
                    memory_percent=10.0 + 15.0 * i,
                    memory_used_bytes=1,
                    disk_percent=1.0,
                    disk_used_bytes=1,
                    net_bytes_sent=0,
                    net_bytes_recv=0,
                    process_rss_bytes=1,
                    process_threads=1,
                    process_open_files=1,
                )
            )
    await SystemMetricSample.bulk_create(rows)
    try:
        r = await client.get("/v1/monitoring/dashboard", params={"hours": 6}, headers=admin.headers)
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        system = data["historical_trends"]["system"]
        assert len(system) >= 5
        hours = [h["hour"] for h in system]
        assert hours == sorted(hours)
        kinds = {rec["kind"]: rec for rec in data["recommendations"]}
        growth = kinds["memory_growth"]
        assert growth["evidence"]["trend"]["direction"] == "increasing"
        assert growth["evidence"]["trend"]["p_value"] < 0.05
    finally:
        await SystemMetricSample.filter(host=host).delete()


async def test_dashboard_sections(client, make_tenant):
    admin = await make_tenant("admin")
    await client.get("/healthz")
    await request_metrics.flush()
    r = await client.get("/v1/monitoring/dashboard", headers=admin.headers)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["hours"] == 24
    assert data["health_overview"]["total_requests"] >= 1
    assert data["health_overview"]["status"] in {"healthy", "warning", "critical"}
    assert data["current_metrics"]["memory"]["total_bytes"] > 0
    assert len(data["historical_trends"]["response_times"]) == 24
    assert "direction" in data["historical_trends"]["response_time_trend"]
    assert "threshold breaches" in data["active_alerts"]["source"]
    assert data["top_endpoints"]["busiest"][0]["count"] >= 1
    assert set(data["pipeline"]) == {"ingest", "rollups", "database_pool"}
    # an organization admin sees its own dead letters, not every organization's queue
    assert data["pipeline"]["ingest"] == {"scope": "organization", "dead_letters_recent": 0}
    assert not any(a["metric"].startswith("ingest_") for a in data["active_alerts"]["items"])
    assert isinstance(data["recommendations"], list)
    root = await make_tenant("superuser")
    r = await client.get("/v1/monitoring/dashboard", headers=root.headers)
    assert r.json()["data"]["pipeline"]["ingest"]["stream_length"] >= 0
