"""Admin analysis routes (seed 003): summary, time series, dashboard, report, export, health.

Events go in through the batch ingest route and the drain/rollup jobs; every number
asserted is recomputed here from the events that were sent.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import statistics
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from models.prompts import Prompt
from services.analytics import export as analytics_export
from services.observability import workers as worker_status
from services.rollups import build as rollups
from services.rollups.build import hour_floor
from workers import jobs

CTX = {"worker_id": "test-analysis"}
BASE = "/admin/prompt-analytics"
# Wikipedia, "Welch's t-test", example 1 (A1, A2): t = 2.46, df = 24.99 (~25), p = 0.021
WIKI_A1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
WIKI_A2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]


async def send(client, tenant, events: list[dict], rollup: bool = True) -> None:
    for i in range(0, len(events), 500):
        r = await client.post(
            "/api/v1/prompts/analytics/batch", json={"events": events[i : i + 500]}, headers=tenant.key_headers
        )
        assert r.status_code == 202, r.text
    await jobs.drain_ingest(CTX)
    if rollup:
        await jobs.refresh_rollups(CTX)


def ev(pid, when: datetime, version: str = "v1", **fields) -> dict:
    return {"prompt_id": str(pid), "version_hash": version, "timestamp": when.isoformat(), **fields}


async def make_prompt(client, tenant, name: str, workspace_id: int | None = None) -> tuple[int, str]:
    body = {"name": name, "uuid": str(uuid.uuid4())}
    if workspace_id:
        body["workspace_id"] = workspace_id
    r = await client.post("/api/v1/prompts", json=body, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"], body["uuid"]


async def get(client, tenant, path: str, status: int = 200, **params) -> dict:
    r = await client.get(path, params=params, headers=tenant.headers)
    assert r.status_code == status, r.text
    return r.json()


def close(a: float | None, b: float | None, rel: float = 1e-9) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
    )


def t_p_value(t: float, df: float) -> float:
    """Two-sided p by Simpson integration of the t density (independent of the incomplete beta)."""
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    n, hi = 20000, abs(t)
    h = hi / n
    f = [c * (1 + (i * h) ** 2 / df) ** (-(df + 1) / 2) for i in range(n + 1)]
    inner = h / 3 * (f[0] + f[-1] + 4 * sum(f[1:-1:2]) + 2 * sum(f[2:-1:2]))
    return 1 - 2 * inner


def welch_expected(a: list[float], b: list[float]) -> dict:
    va, vb = statistics.variance(a), statistics.variance(b)
    sa, sb = va / len(a), vb / len(b)
    t = (statistics.mean(b) - statistics.mean(a)) / math.sqrt(sa + sb)
    df = (sa + sb) ** 2 / (sa**2 / (len(a) - 1) + sb**2 / (len(b) - 1))
    return {
        "t": t,
        "df": df,
        "p": t_p_value(t, df),
        "diff": statistics.mean(b) - statistics.mean(a),
        "se": math.sqrt(sa + sb),
    }


# --------------------------------------------------------------------------------------------- summary


async def test_summary_kpis_deltas_health_and_usage(client, make_tenant):
    admin = await make_tenant("admin")
    now = datetime.now(UTC)
    ws = (await client.post("/api/v1/workspaces", json={"name": "growth"}, headers=admin.headers)).json()["data"]
    ds = (await client.post("/api/v1/data-sources", json={"name": "warehouse"}, headers=admin.headers)).json()["data"]
    _alpha, alpha_uuid = await make_prompt(client, admin, "alpha", ws["id"])
    _beta, beta_uuid = await make_prompt(client, admin, "beta")
    await make_prompt(client, admin, "never run")
    current = [
        ev(
            alpha_uuid,
            now - timedelta(hours=20, minutes=i),
            "a1" if i < 6 else "a2",
            latency_ms=100.0 + 10 * i,
            cost_usd=0.01,
            score=0.5 + i / 100,
            data_source_ids=[ds["id"]],
        )
        for i in range(10)
    ] + [
        ev(
            beta_uuid,
            now - timedelta(hours=30, minutes=i),
            status="failed" if i < 2 else "completed",
            latency_ms=400.0,
            cost_usd=0.02,
        )
        for i in range(5)
    ]
    previous = [
        ev(alpha_uuid, now - timedelta(days=10, minutes=i), latency_ms=50.0, cost_usd=0.01, score=0.4) for i in range(4)
    ]
    await send(client, admin, current + previous, rollup=False)
    dirty = (await get(client, admin, f"{BASE}/analytics/summary"))["data"]  # raw path: every hour still dirty
    await jobs.refresh_rollups(CTX)
    body = await get(client, admin, f"/v1{BASE}/analytics/summary", days=7)
    assert body["message"] == "Analytics summary retrieved successfully"
    data = body["data"]
    assert data["kpis"]["current"] == dirty["kpis"]["current"] or all(
        close(data["kpis"]["current"][k], dirty["kpis"]["current"][k]) for k in data["kpis"]["current"]
    )
    cur, prev = data["kpis"]["current"], data["kpis"]["previous"]
    assert (cur["executions"], cur["successes"], cur["failures"]) == (15, 13, 2)
    assert (prev["executions"], prev["successes"], prev["failures"]) == (4, 4, 0)
    assert close(cur["error_rate"], 2 / 15) and prev["error_rate"] == 0.0
    assert close(cur["cost_total"], 0.2) and close(prev["cost_total"], 0.04)
    assert close(cur["score_avg"], statistics.mean(0.5 + i / 100 for i in range(10)))
    assert close(cur["latency_avg"], statistics.mean([100.0 + 10 * i for i in range(10)] + [400.0] * 5))
    assert (cur["active_prompts"], cur["active_versions"], prev["active_prompts"], prev["active_versions"]) == (
        2,
        3,
        1,
        1,
    )
    assert close(cur["throughput"], 15 / (7 * 24 * 60))
    deltas = {d["metric"]: d for d in data["kpis"]["deltas"]}
    assert deltas["executions"]["absolute"] == 11 and close(deltas["executions"]["percent"], 275.0)
    assert close(deltas["error_rate"]["absolute"], 2 / 15) and deltas["error_rate"]["percent"] is None
    assert close(deltas["cost_total"]["percent"], 400.0) and deltas["executions"]["higher_is_better"] is True
    assert close(deltas["score_avg"]["absolute"], cur["score_avg"] - 0.4)
    assert abs(cur["latency_p50"] - 170.0) <= 0.011 * 170  # true median of the 15 latencies
    assert data["health"]["status"] == "degraded" and "error rate 13.3%" in data["health"]["reasons"][0]
    assert data["health"]["open_alerts"] == {"total": 0, "by_severity": {}}
    usage = data["usage"]
    assert (usage["total_prompts"], usage["active_prompts"]) == (3, 2)
    assert [(p["name"], p["executions"], p["versions"]) for p in usage["top_prompts"]] == [
        ("alpha", 10, 2),
        ("beta", 5, 1),
    ]
    assert close(usage["top_prompts"][0]["share"], 10 / 15) and close(usage["top_prompts"][1]["error_rate"], 0.4)
    assert [(w["workspace_id"], w["name"], w["executions"]) for w in usage["workspaces"]] == [
        (ws["id"], "growth", 10),
        (None, None, 5),
    ]
    assert usage["data_sources"] == [{"data_source_id": ds["id"], "name": "warehouse", "uses": 10}]
    start = datetime.fromisoformat(data["period_start"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(data["period_end"].replace("Z", "+00:00"))
    assert end - start == timedelta(days=7)

    one_day = (await get(client, admin, f"{BASE}/analytics/summary", days=1))["data"]
    assert one_day["kpis"]["current"]["executions"] == 10 and one_day["kpis"]["previous"]["executions"] == 5

    other = await make_tenant("admin")
    empty = (await get(client, other, f"{BASE}/analytics/summary"))["data"]
    assert empty["kpis"]["current"]["executions"] == 0 and empty["health"]["status"] == "idle"
    assert empty["usage"]["top_prompts"] == []
    for bad in ({"days": 0}, {"days": 366}, {"days": "week"}):
        r = await get(client, admin, f"{BASE}/analytics/summary", 400, **bad)
        assert r["error"]["details"][0]["field"] == "days"
    member = await make_tenant("member")
    assert (await client.get(f"{BASE}/analytics/summary", headers=member.headers)).status_code == 403
    assert (await client.get(f"{BASE}/analytics/summary")).status_code == 401


# --------------------------------------------------------------------------------------------- time series


async def test_time_series_points_trend_and_annotations(client, make_tenant):
    admin = await make_tenant("admin")
    busy, busy_uuid = await make_prompt(client, admin, "busy")
    quiet, quiet_uuid = await make_prompt(client, admin, "quiet")
    top = hour_floor(datetime.now(UTC))
    events, counts = [], {}
    for k in range(6):  # hours top-6h .. top-1h: 2, 4, ..., 12 executions, version v2 from the 4th hour
        hour = top - timedelta(hours=6 - k)
        counts[hour] = 2 * (k + 1)
        for i in range(2 * (k + 1)):
            events.append(
                ev(
                    busy_uuid,
                    hour + timedelta(minutes=1 + i),
                    "v1" if k < 3 else "v2",
                    status="failed" if i == 0 else "completed",
                    latency_ms=100.0 + k,
                )
            )
    events += [ev(quiet_uuid, top - timedelta(hours=2, minutes=-5), latency_ms=10.0)]
    await send(client, admin, events)

    data = (await get(client, admin, f"{BASE}/charts/time-series", metric_name="executions", time_window="24h"))["data"]
    assert data["bucket_seconds"] == 3600 and len(data["timestamps"]) == 24 and data["selection"] == "top_by_volume"
    assert data["source"] == "builtin" and data["unit"] == "count"
    stamps = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in data["timestamps"]]
    assert stamps[-1] in (top, top + timedelta(hours=1)) and all(
        b - a == timedelta(hours=1) for a, b in itertools.pairwise(stamps)
    )
    assert [s["prompt_id"] for s in data["series"]] == [busy, quiet]
    series = data["series"][0]
    assert series["values"] == [float(counts.get(t, 0)) for t in stamps] and series["executions"] == 42
    assert series["trend"]["direction"] == "up" and series["trend"]["slope_per_hour"] > 0
    assert len(series["trend_values"]) == 24 and series["trend"]["points"] == 24
    assert close(series["trend_values"][0], series["trend"]["start_value"])
    notes = [(a["type"], a["version_hash"], a["prompt_id"]) for a in data["annotations"]]
    assert notes == [
        ("version_first_seen", "v1", quiet),
        ("version_first_seen", "v1", busy),
        ("version_first_seen", "v2", busy),
    ] or sorted(notes) == sorted(
        [("version_first_seen", "v1", quiet), ("version_first_seen", "v1", busy), ("version_first_seen", "v2", busy)]
    )
    v2 = next(a for a in data["annotations"] if a["version_hash"] == "v2")
    assert v2["at"].startswith((top - timedelta(hours=3, minutes=-1)).strftime("%Y-%m-%dT%H:%M:%S"))

    err = (
        await get(
            client,
            admin,
            f"/v1{BASE}/charts/time-series",
            metric_name="error_rate",
            time_window="24h",
            prompt_ids=str(busy),
        )
    )["data"]
    assert err["selection"] == "requested" and [s["prompt_id"] for s in err["series"]] == [busy]
    assert err["series"][0]["values"] == [1 / counts[t] if t in counts else None for t in stamps]
    assert err["series"][0]["trend"]["direction"] == "down" and err["series"][0]["trend"]["points"] == 6

    week = (
        await get(
            client,
            admin,
            f"{BASE}/charts/time-series",
            metric_name="executions",
            time_window="7d",
            prompt_ids=f"{quiet},{busy}",
        )
    )["data"]
    assert week["bucket_seconds"] == 6 * 3600 and len(week["timestamps"]) == 28
    assert [s["prompt_id"] for s in week["series"]] == [quiet, busy]
    assert sum(week["series"][1]["values"]) == 42.0 and sum(week["series"][0]["values"]) == 1.0
    hour = (await get(client, admin, f"{BASE}/charts/time-series", metric_name="latency_p95", time_window="1h"))["data"]
    assert hour["bucket_seconds"] == 300 and len(hour["timestamps"]) == 12

    other = await make_tenant("admin")
    cases = [
        ({"metric_name": "bogus_metric"}, 400, "metric_name"),
        ({"metric_name": "executions", "time_window": "2w"}, 400, "time_window"),
        ({}, 400, "metric_name"),
        ({"metric_name": "executions", "prompt_ids": "x"}, 400, "prompt_ids.0"),
    ]
    for params, status, field in cases:
        r = await get(client, admin, f"{BASE}/charts/time-series", status, **params)
        assert r["error"]["details"][0]["field"] == field, r
    await get(client, other, f"{BASE}/charts/time-series", 404, metric_name="executions", prompt_ids=str(busy))
    member = await make_tenant("member")
    r = await client.get(f"{BASE}/charts/time-series", params={"metric_name": "executions"}, headers=member.headers)
    assert r.status_code == 403


# --------------------------------------------------------------------------------------------- report


async def test_report_welch_z_test_trend_and_benchmark(client, make_tenant):
    admin = await make_tenant("admin")
    # Anchor the runs half an hour into a half day, so the minutes they are spread over never straddle
    # midnight: a version's runs split over two daily buckets made the trend flat after 00:00 UTC.
    now = datetime.now(UTC)
    now = now.replace(hour=12 if now.hour >= 12 else 0, minute=30, second=0, microsecond=0)
    pid, puuid = await make_prompt(client, admin, "subject")
    high, high_uuid = await make_prompt(client, admin, "high scorer")
    _low, low_uuid = await make_prompt(client, admin, "low scorer")
    lat_a = [100.0 + 7 * i for i in range(15)]
    lat_b = [150.0 + 3 * i * i for i in range(15)]
    events = [
        ev(
            puuid,
            now - timedelta(days=3, minutes=i),
            "A",
            score=s,
            latency_ms=lat_a[i],
            cost_usd=0.001,
            status="failed" if i < 3 else "completed",
        )
        for i, s in enumerate(WIKI_A1)
    ] + [
        ev(
            puuid,
            now - timedelta(days=1, minutes=i),
            "B",
            score=s,
            latency_ms=lat_b[i],
            cost_usd=0.002,
            status="failed" if i < 1 else "completed",
        )
        for i, s in enumerate(WIKI_A2)
    ]
    events += [
        ev(high_uuid, now - timedelta(days=2, minutes=i), score=30.0, latency_ms=1000.0, cost_usd=0.01)
        for i in range(5)
    ]
    events += [
        ev(low_uuid, now - timedelta(days=2, minutes=i), score=10.0, latency_ms=5.0, status="failed", cost_usd=0.0001)
        for i in range(5)
    ]
    await send(client, admin, events)

    body = await get(client, admin, f"{BASE}/prompts/{pid}/report")
    assert body["message"] == "Prompt report retrieved successfully"
    report = body["data"]
    assert report["time_window"] == "30d" and report["executions"] == 30 and report["prompt_name"] == "subject"
    va, vb = report["versions"]
    assert (va["version_hash"], va["executions"], va["successes"], va["failures"]) == ("A", 15, 12, 3)
    assert (vb["version_hash"], vb["executions"], vb["successes"], vb["failures"]) == ("B", 15, 14, 1)
    assert close(va["score_avg"], statistics.mean(WIKI_A1)) and close(vb["cost_avg"], 0.002)
    assert va["first_seen_at"] is not None and va["scored"] == 15
    assert abs(va["latency_p50"] - statistics.median(lat_a)) <= 0.011 * statistics.median(lat_a)

    ab = report["ab_test"]
    assert (ab["version_a"], ab["version_b"], ab["selection"]) == ("A", "B", "most_used")
    score, want = ab["score"], welch_expected(WIKI_A1, WIKI_A2)
    assert close(score["t_statistic"], want["t"]) and close(score["degrees_of_freedom"], want["df"])
    assert abs(score["p_value"] - want["p"]) < 1e-8
    assert round(score["t_statistic"], 2) == 2.46 and round(score["degrees_of_freedom"]) == 25
    assert round(score["p_value"], 3) == 0.021 and score["significant"] is True
    assert close(score["variance_a"], statistics.variance(WIKI_A1)) and close(score["difference"], want["diff"])
    # 95% interval: diff +- t* se, with t* the 0.975 quantile of t(df): p(t*) must be 0.05
    half = score["ci95_high"] - score["difference"]
    assert (
        close(score["difference"] - score["ci95_low"], half)
        and abs(t_p_value(half / want["se"], want["df"]) - 0.05) < 1e-7
    )
    lat, want_lat = ab["latency"], welch_expected(lat_a, lat_b)
    assert close(lat["t_statistic"], want_lat["t"]) and abs(lat["p_value"] - want_lat["p"]) < 1e-8
    z = ab["success_rate"]
    p1, p2, pooled = 12 / 15, 14 / 15, 26 / 30
    want_z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (2 / 15))
    assert close(z["z_statistic"], want_z) and close(z["p_value"], 2 * (1 - statistics.NormalDist().cdf(want_z)))
    unpooled = math.sqrt(p1 * (1 - p1) / 15 + p2 * (1 - p2) / 15)
    assert close(z["ci95_low"], (p2 - p1) - statistics.NormalDist().inv_cdf(0.975) * unpooled)
    assert ab["min_samples"] == 30 and any("at least 30" in w for w in ab["warnings"])

    by_uuid = (await get(client, admin, f"{BASE}/prompts/{puuid}/report"))["data"]
    assert by_uuid["prompt_id"] == pid and by_uuid["ab_test"]["score"] == ab["score"]
    swapped = (await get(client, admin, f"/v1{BASE}/prompts/{pid}/report", version_a="B", version_b="A"))["data"]
    assert swapped["ab_test"]["selection"] == "requested"
    assert close(swapped["ab_test"]["score"]["t_statistic"], -want["t"])

    trend = report["quality_trend"]
    assert trend["bucket_seconds"] == 86400 and len(trend["timestamps"]) == 30 and sum(trend["executions"]) == 30
    assert trend["score_trend"]["direction"] == "up" and trend["success_rate_trend"]["direction"] == "up"
    assert trend["score_avg"][-2] == pytest.approx(statistics.mean(WIKI_A2)) or trend["score_avg"][-1] == pytest.approx(
        statistics.mean(WIKI_A2)
    )

    bench = {b["metric"]: b for b in report["benchmarks"]}
    assert bench["score_avg"]["peers"] == 3 and bench["score_avg"]["percentile_rank"] == 50.0
    assert bench["score_avg"]["better_than_pct"] == 50.0 and bench["score_avg"]["higher_is_better"] is True
    assert close(bench["score_avg"]["organization_median"], statistics.mean(WIKI_A1 + WIKI_A2))
    assert bench["latency_p95"]["better_than_pct"] == 50.0  # faster than "high", slower than "low"
    assert bench["error_rate"]["better_than_pct"] == 50.0 and close(bench["error_rate"]["value"], 4 / 30)
    assert bench["cost_avg"]["percentile_rank"] == 50.0

    other = await make_tenant("admin")
    await get(client, other, f"{BASE}/prompts/{pid}/report", 404)
    await get(client, admin, f"{BASE}/prompts/99999999/report", 404)
    r = await get(client, admin, f"{BASE}/prompts/{pid}/report", 400, time_window="yesterday")
    assert r["error"]["details"][0]["field"] == "time_window"
    r = await get(client, admin, f"{BASE}/prompts/{pid}/report", 400, version_a="nope")
    assert r["error"]["details"][0]["field"] == "version_a"
    lonely = (await get(client, admin, f"{BASE}/prompts/{high}/report", time_window="last_7_days"))["data"]
    assert lonely["ab_test"] is None and lonely["ab_test_unavailable_reason"] and lonely["time_window"] == "7d"
    member = await make_tenant("member")
    assert (await client.get(f"{BASE}/prompts/{pid}/report", headers=member.headers)).status_code == 403

    query = """query($id: Int!) { promptReport(promptId: $id, timeWindow: "30d") {
        promptName executions versions { versionHash executions }
        abTest { versionA versionB score { tStatistic pValue degreesOfFreedom } successRate { zStatistic } }
        benchmarks { metric percentileRank } } }"""
    out = (await client.post("/graphql", json={"query": query, "variables": {"id": pid}}, headers=admin.headers)).json()
    assert "errors" not in out, out
    g = out["data"]["promptReport"]
    assert g["executions"] == 30 and g["abTest"]["versionA"] == "A"
    assert g["abTest"]["score"]["pValue"] == score["p_value"]
    denied = (
        await client.post("/graphql", json={"query": query, "variables": {"id": pid}}, headers=other.headers)
    ).json()
    assert denied["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    summary_q = "{ analyticsSummary(days: 7) { kpis { current { executions } } health { status } } }"
    s = (await client.post("/graphql", json={"query": summary_q}, headers=admin.headers)).json()
    assert s["data"]["analyticsSummary"]["kpis"]["current"]["executions"] == 40
    ts_q = '{ timeSeries(metricName: "executions", timeWindow: "30d") { bucketSeconds series { promptId values } } }'
    t = (await client.post("/graphql", json={"query": ts_q}, headers=admin.headers)).json()
    assert sum(t["data"]["timeSeries"]["series"][0]["values"]) == 30.0


# --------------------------------------------------------------------------------------------- dashboard


async def test_dashboard_breakdowns_filters_and_regressions(client, make_tenant):
    admin = await make_tenant("admin")
    now = datetime.now(UTC)
    ws1 = (await client.post("/api/v1/workspaces", json={"name": "one"}, headers=admin.headers)).json()["data"]["id"]
    ws2 = (await client.post("/api/v1/workspaces", json={"name": "two"}, headers=admin.headers)).json()["data"]["id"]
    slow, slow_uuid = await make_prompt(client, admin, "getting slower", ws1)
    steady, steady_uuid = await make_prompt(client, admin, "steady", ws2)
    events = []
    for i in range(20):
        events.append(ev(slow_uuid, now - timedelta(days=9, minutes=i), "s1", latency_ms=100.0, cost_usd=0.01))
        events.append(
            ev(
                slow_uuid,
                now - timedelta(days=2, minutes=i),
                "s2",
                latency_ms=200.0,
                cost_usd=0.01,
                status="failed" if i < 5 else "completed",
            )
        )
        events.append(ev(steady_uuid, now - timedelta(days=9, minutes=i), latency_ms=50.0, cost_usd=0.001))
        events.append(ev(steady_uuid, now - timedelta(days=2, minutes=i), latency_ms=50.0, cost_usd=0.001))
    events.append(ev(steady_uuid, now - timedelta(days=1), status="processing"))
    await send(client, admin, events)
    for pid, tags in ((slow, {"team": "search", "env": "prod"}), (steady, {"team": "ranking", "env": "prod"})):
        r = await client.patch(f"/api/v1/prompts/{pid}", json={"tags": tags}, headers=admin.headers)
        assert r.status_code == 200 and r.json()["data"]["tags"] == tags, r.text
    r = await client.patch(f"/api/v1/prompts/{slow}", json={"tags": {"bad key!": "x"}}, headers=admin.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "tags"

    async def dash(status: int = 200, **body) -> dict:
        r = await client.post(f"{BASE}/dashboard", json=body, headers=admin.headers)
        assert r.status_code == status, r.text
        return r.json()

    data = (await dash(time_window="7d"))["data"]
    assert data["prompts_in_scope"] == 2 and data["filters"]["group_by"] == "prompt"
    assert data["kpis"]["current"]["executions"] == 41 and data["kpis"]["previous"]["executions"] == 40
    assert [(i["label"], i["executions"]) for i in data["breakdown"]] == [("steady", 21), ("getting slower", 20)]
    assert close(data["breakdown"][1]["kpis"]["error_rate"], 0.25)
    insights = data["insights"]
    assert {(i["prompt_id"], i["metric"]) for i in insights} == {(slow, "latency_p95"), (slow, "error_rate")}
    p95 = next(i for i in insights if i["metric"] == "latency_p95")
    assert (
        abs(p95["change_pct"] - 100.0) < 4.1
        and p95["severity"] == "critical"
        and "p95 latency" in p95["message"].lower()
    )
    err = next(i for i in insights if i["metric"] == "error_rate")
    assert close(err["current"], 0.25) and err["previous"] == 0.0 and err["change_pct"] is None
    series = {s["metric"]: s for s in data["trends"]["series"]}
    assert data["trends"]["bucket_seconds"] == 21600 and sum(series["executions"]["values"]) == 41.0

    by_status = (await dash(group_by="status"))["data"]["breakdown"]
    assert {i["key"]: i["executions"] for i in by_status} == {"completed": 35, "failed": 5, "processing": 1}
    by_version = (await dash(group_by="version"))["data"]["breakdown"]
    assert [(i["prompt_id"], i["version_hash"], i["executions"]) for i in by_version] == [
        (steady, "v1", 21),
        (slow, "s2", 20),
    ]
    by_ws = (await dash(group_by="workspace"))["data"]["breakdown"]
    assert [(i["workspace_id"], i["label"], i["executions"]) for i in by_ws] == [(ws2, "two", 21), (ws1, "one", 20)]

    only_two = (await dash(workspace_ids=[ws2], tags={"env": "prod"}))["data"]
    assert only_two["prompts_in_scope"] == 1 and only_two["kpis"]["current"]["executions"] == 21
    assert only_two["insights"] == [] and only_two["filters"]["unsupported_filters"] == []
    search = (await dash(tags={"team": "search", "env": "prod"}))["data"]
    assert search["prompts_in_scope"] == 1 and [i["label"] for i in search["breakdown"]] == ["getting slower"]
    assert (await dash(workspace_ids=[ws2], tags={"team": "search"}))["data"]["prompts_in_scope"] == 0
    s1 = (await dash(version_hashes=["s1"], time_window="30d"))["data"]
    assert s1["kpis"]["current"]["executions"] == 20 and s1["kpis"]["current"]["latency_p50"] == pytest.approx(
        100, rel=0.011
    )
    assert (await dash(prompt_ids=[slow], time_window="24h"))["data"]["kpis"]["current"]["executions"] == 0

    other = await make_tenant("admin")
    r = await client.post(f"{BASE}/dashboard", json={"prompt_ids": [slow]}, headers=other.headers)
    assert r.status_code == 404
    r = await client.post(f"{BASE}/dashboard", json={"workspace_ids": [ws1]}, headers=other.headers)
    assert r.status_code == 404
    for body, field in (
        ({"group_by": "color"}, "group_by"),
        ({"time_window": "5y"}, "time_window"),
        ({"prompt_ids": ["a"]}, "prompt_ids.0"),
    ):
        assert (await dash(400, **body))["error"]["details"][0]["field"] == field
    member = await make_tenant("member")
    assert (await client.post(f"/v1{BASE}/dashboard", json={}, headers=member.headers)).status_code == 403


# --------------------------------------------------------------------------------------------- export


async def test_export_json_csv_xlsx_agree(client, make_tenant, monkeypatch):
    admin = await make_tenant("admin")
    now = datetime.now(UTC)
    first, first_uuid = await make_prompt(client, admin, 'first, with "quotes"')
    second, second_uuid = await make_prompt(client, admin, "second ü")
    events = [
        ev(
            first_uuid,
            now - timedelta(days=1, minutes=i),
            "x" if i % 2 else "y",
            latency_ms=10.0 * (i + 1),
            cost_usd=0.003,
            score=0.25 * (i % 4),
            status="failed" if i == 3 else "completed",
        )
        for i in range(8)
    ]
    events += [ev(second_uuid, now - timedelta(days=3, minutes=i), latency_ms=5.0) for i in range(3)]
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=2)
    events.append(ev(second_uuid, midnight, latency_ms=5.0))  # exactly on a day boundary: counted once
    await send(client, admin, events)
    monkeypatch.setattr(analytics_export, "ROW_BUDGET", 1)  # one prompt per read: exercise paging

    async def export(fmt: str, status: int = 200, **params):
        r = await client.get(f"{BASE}/export/data", params={"format": fmt, **params}, headers=admin.headers)
        assert r.status_code == status, r.text
        return r

    r = await export("json")
    assert r.headers["content-disposition"].startswith('attachment; filename="prompt-analytics_7d_')
    assert r.headers["content-disposition"].endswith('.json"')
    doc = r.json()
    rows = doc["rows"]
    assert doc["columns"][:5] == ["date", "prompt_id", "prompt_uuid", "prompt_name", "version_hash"]
    assert sum(row["executions"] for row in rows) == 12 and sum(row["failures"] for row in rows) == 1
    assert {(row["prompt_id"], row["version_hash"]) for row in rows} >= {(first, "x"), (first, "y"), (second, "v1")}
    order = [(row["date"], row["prompt_id"], row["version_hash"]) for row in rows]
    assert order == sorted(order) and len(set(order)) == len(order)
    y = [row for row in rows if row["version_hash"] == "y"]
    assert sum(row["executions"] for row in y) == 4 and all(row["cost_avg_usd"] == pytest.approx(0.003) for row in y)
    ids = {first_uuid: first, second_uuid: second}
    want_counts: dict = {}
    for e in events:
        k = (e["timestamp"][:10], ids[e["prompt_id"]], e["version_hash"])
        want_counts[k] = want_counts.get(k, 0) + 1
    assert {o: row["executions"] for o, row in zip(order, rows, strict=True)} == want_counts
    assert all(row["score_avg"] is None and row["scored"] == 0 for row in rows if row["prompt_id"] == second)

    csv_r = await export("csv")
    assert csv_r.headers["content-type"].startswith("text/csv") and 'filename="' in csv_r.headers["content-disposition"]
    parsed = list(csv.reader(io.StringIO(csv_r.text)))
    assert parsed[0] == doc["columns"]
    xlsx_r = await export("xlsx")
    assert xlsx_r.headers["content-disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(xlsx_r.content), read_only=True)["prompt_metrics"]
    xrows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert list(xrows[0]) == doc["columns"]

    def norm(value):
        if value in (None, ""):
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            return value

    want = [[norm(row[c]) for c in doc["columns"]] for row in rows]
    assert [[norm(v) for v in r] for r in parsed[1:]] == want
    assert [[norm(v) for v in r] for r in xrows[1:]] == want

    volume = (await export("json", metric_types="volume,latency_p95_ms")).json()
    assert volume["columns"][5:] == [
        "executions",
        "successes",
        "failures",
        "success_rate",
        "error_rate",
        "latency_p95_ms",
    ]
    assert [r["executions"] for r in volume["rows"]] == [r["executions"] for r in rows]
    for params, field in (
        ({"format": "pdf"}, "format"),
        ({"metric_types": "vibes"}, "metric_types"),
        ({"time_window": "forever"}, "time_window"),
    ):
        r = await client.get(f"{BASE}/export/data", params=params, headers=admin.headers)
        assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == field
    other = await make_tenant("admin")
    r = await client.get(f"/v1{BASE}/export/data", params={"format": "json"}, headers=other.headers)
    assert r.status_code == 200 and r.json()["rows"] == []
    member = await make_tenant("member")
    assert (await client.get(f"{BASE}/export/data", headers=member.headers)).status_code == 403


# --------------------------------------------------------------------------------------------- health


async def test_health_probes_backlog_workers_and_rollup_lag(client, make_tenant):
    admin = await make_tenant("superuser")  # platform-wide figures are the superuser's
    await jobs.drain_ingest(CTX)
    await jobs.refresh_rollups(CTX)
    await jobs.heartbeat(CTX)
    try:
        await _check_health(client, admin, await make_tenant("member"), lambda: make_tenant("admin"))
    finally:
        await worker_status.forget(CTX["worker_id"])  # other tests count live workers


async def _check_health(client, admin, member, make_tenant_admin) -> None:
    clean = (await get(client, admin, f"{BASE}/health"))["data"]
    parts = {c["name"]: c for c in clean["components"]}
    assert set(parts) == {"database", "redis", "workers", "ingest_stream", "rollups"}
    assert parts["database"]["status"] == "ok" and parts["redis"]["detail"]["version"]
    assert CTX["worker_id"] in parts["workers"]["detail"]["worker_ids"] and parts["workers"]["status"] == "ok"
    assert parts["ingest_stream"]["detail"]["queued"] == 0 and parts["rollups"]["detail"]["dirty_prompts"] == 0
    # other tests of this run may have dead-lettered events: the only thing allowed to degrade it
    recent_dead = parts["ingest_stream"]["detail"]["dead_letters_recent"]
    assert clean["status"] == ("degraded" if recent_dead else "healthy")

    pid = uuid.uuid4()
    now = datetime.now(UTC)
    batch = [ev(pid, now - timedelta(minutes=i)) for i in range(3)]
    r = await client.post("/api/v1/prompts/analytics/batch", json={"events": batch}, headers=admin.key_headers)
    assert r.status_code == 202
    queued = {c["name"]: c for c in (await get(client, admin, f"/v1{BASE}/health"))["data"]["components"]}
    # one batch request of 3 events is one stream entry
    assert queued["ingest_stream"]["detail"]["queued"] == 1 and queued["ingest_stream"]["detail"]["undelivered"] == 1
    await jobs.drain_ingest(CTX)
    drained = {c["name"]: c for c in (await get(client, admin, f"{BASE}/health"))["data"]["components"]}
    assert drained["ingest_stream"]["detail"]["queued"] == 0
    # the drain updates the rollups as it stores: nothing is left dirty by ingest
    assert drained["rollups"]["detail"] == {"dirty_prompts": 0, "oldest_dirty_age_seconds": None}
    # a repair's mark shows as rollup lag until the job rebuilds it
    prompt = await Prompt.get(uuid=pid)
    await rollups.mark_dirty([(prompt.organization_id, prompt.id, now)])
    marked = {c["name"]: c for c in (await get(client, admin, f"{BASE}/health"))["data"]["components"]}
    assert marked["rollups"]["detail"]["dirty_prompts"] == 1
    assert 0 <= marked["rollups"]["detail"]["oldest_dirty_age_seconds"] < 60
    await jobs.refresh_rollups(CTX)
    rolled = {c["name"]: c for c in (await get(client, admin, f"{BASE}/health"))["data"]["components"]}
    assert rolled["rollups"]["detail"] == {"dirty_prompts": 0, "oldest_dirty_age_seconds": None}
    assert (await client.get(f"{BASE}/health", headers=member.headers)).status_code == 403
    org_admin = await make_tenant_admin()
    mine = (await get(client, org_admin, f"{BASE}/health"))["data"]
    for part in mine["components"]:  # an organization admin sees statuses, not platform figures
        assert not {"queued", "pending", "worker_ids", "version", "used_memory_bytes"} & set(part["detail"])
    assert json.loads((await client.get(f"{BASE}/health")).text)["error"]["code"] == "UNAUTHORIZED"


async def test_custom_metric_charts_alert_annotations_and_summary_health(client, make_tenant):
    """Analysis reads recorded metrics and alerts: a custom series, an alert marker, open-alert health."""
    admin = await make_tenant("admin")
    made = await client.post("/api/v1/prompts", json={"name": "custom-metric prompt"}, headers=admin.headers)
    pid = made.json()["data"]["id"]
    now = datetime.now(UTC)
    points = [(now - timedelta(minutes=m), v) for m, v in ((50, 10.0), (49, 30.0), (5, 7.0))]
    for when, value in points:
        r = await client.post(
            f"{BASE}/metrics",
            json={
                "name": "tokens_per_call",
                "value": value,
                "type": "gauge",
                "prompt_id": pid,
                "timestamp": when.isoformat(),
            },
            headers=admin.headers,
        )
        assert r.status_code == 200, r.text
    rule = await client.post(
        f"{BASE}/alerts/rules",
        json={
            "metric": "tokens_per_call",
            "aggregation": "max",
            "comparison": "gt",
            "threshold": 5,
            "window_minutes": 60,
        },
        headers=admin.headers,
    )
    assert rule.status_code == 200, rule.text
    await jobs.evaluate_alerts({"worker_id": "test-analysis"})

    chart = await get(client, admin, f"{BASE}/charts/time-series", metric_name="tokens_per_call", time_window="1h")
    data = chart["data"]
    assert data["source"] == "custom" and data["bucket_seconds"] == 300
    [series] = data["series"]
    assert series["prompt_id"] == pid
    stamps = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in data["timestamps"]]
    want = {}
    for when, value in points:
        k = max(i for i, s in enumerate(stamps) if s <= when)
        want.setdefault(k, []).append(value)
    assert {i: v for i, v in enumerate(series["values"]) if v is not None} == {
        k: sum(vs) / len(vs) for k, vs in want.items()
    }
    fired = [a for a in data["annotations"] if a["type"] == "alert_fired"]
    assert fired and fired[0]["alert_id"] and fired[0]["severity"]

    summary = (await get(client, admin, f"{BASE}/analytics/summary", days=1))["data"]
    assert summary["health"]["open_alerts"]["total"] == 1
    assert sum(summary["health"]["open_alerts"]["by_severity"].values()) == 1
