"""One question, one number: every built-in metric is the same over REST, GraphQL and exports.

The formulas live once, in ``services/metrics/builtin.py``; charts, the GraphQL graph and the
export columns all read them.  This test asks each surface the same question (one prompt, one
version, 30 days in UTC-day buckets) and compares the answers, metric by metric.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

from services.metrics.builtin import BUILTIN
from workers import jobs

CTX = {"worker_id": "test-one-number"}
BASE = "/admin/prompt-analytics"
EXPORT_COLUMN = {  # built-in metric -> its export column (rows are UTC days)
    "executions": "executions",
    "success_rate": "success_rate",
    "error_rate": "error_rate",
    "latency_avg": "latency_avg_ms",
    "latency_p50": "latency_p50_ms",
    "latency_p95": "latency_p95_ms",
    "latency_p99": "latency_p99_ms",
    "duration_avg": "duration_avg_ms",
    "cost_total": "cost_total_usd",
    "cost_avg": "cost_avg_usd",
    "score_avg": "score_avg",
}
GQL = """query($m: String!, $ids: [Int!]) {
  timeSeries(metricName: $m, timeWindow: "30d", promptIds: $ids) { timestamps series { promptId values } }
}"""


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))


async def test_every_builtin_metric_is_the_same_number_over_rest_graphql_and_export(client, make_tenant):
    admin = await make_tenant("admin")
    prompt_uuid = str(uuid.uuid4())
    r = await client.post("/api/v1/prompts", json={"name": "one number", "uuid": prompt_uuid}, headers=admin.headers)
    assert r.status_code == 201, r.text
    prompt_id = r.json()["data"]["id"]
    now = datetime.now(UTC)
    yesterday = now.replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    events = [
        {
            "prompt_id": prompt_uuid,
            "version_hash": "v1",
            "timestamp": (yesterday + timedelta(minutes=i)).isoformat(),
            "latency_ms": 10.0 + 7.5 * i,
            "total_duration_ms": 20.0 + 3 * i,
            "cost_usd": 0.001 * (i % 5),
            "score": 0.1 * (i % 10) if i % 3 else None,
            "status": "failed" if i % 7 == 0 else ("processing" if i % 11 == 0 else "completed"),
        }
        for i in range(60)
    ]
    events = [{k: v for k, v in e.items() if v is not None} for e in events]
    r = await client.post("/api/v1/prompts/analytics/batch", json={"events": events}, headers=admin.key_headers)
    assert r.status_code == 202, r.text
    await jobs.drain_ingest(CTX)
    await jobs.refresh_rollups(CTX)

    r = await client.get(f"{BASE}/export/data", params={"format": "json", "time_window": "30d"}, headers=admin.headers)
    assert r.status_code == 200, r.text
    (row,) = [row for row in r.json()["rows"] if row["prompt_id"] == prompt_id]
    assert row["date"] == yesterday.date().isoformat() and row["executions"] == 60

    for name in BUILTIN:
        r = await client.get(
            f"{BASE}/charts/time-series",
            params={"metric_name": name, "time_window": "30d", "prompt_ids": [prompt_id]},
            headers=admin.headers,
        )
        assert r.status_code == 200, (name, r.text)
        rest = r.json()["data"]
        day = rest["timestamps"].index(yesterday.replace(hour=0).isoformat().replace("+00:00", "Z"))
        rest_value = rest["series"][0]["values"][day]
        r = await client.post(
            "/graphql", json={"query": GQL, "variables": {"m": name, "ids": [prompt_id]}}, headers=admin.headers
        )
        body = r.json()
        assert "errors" not in body, (name, body)
        graph = body["data"]["timeSeries"]
        assert [parse(t) for t in graph["timestamps"]] == [parse(t) for t in rest["timestamps"]]
        pairs = zip(graph["series"][0]["values"], rest["series"][0]["values"], strict=True)
        assert all(same(g, r) for g, r in pairs), name
        if name in EXPORT_COLUMN:
            assert same(row[EXPORT_COLUMN[name]], rest_value), (name, row[EXPORT_COLUMN[name]], rest_value)
        assert rest_value is not None, name
