"""The documented deployment-analytics operations, value for value: compare (live windows, diffs,
figures from the rollups, verdicts with their tests), metrics with the DORA keys and bands, and the
status summary.  Events go in through the batch ingest route and the drain/rollup jobs; every
expected number is recomputed here from what was sent."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta

from models.alerts import Alert
from services.rollups.build import day_floor
from tests.deployments.helpers import BASE, deploy, environment, ev, prompt, send


def welch_p(a: list[float], b: list[float]) -> tuple[float, float]:
    """(t, two-sided p) of Welch's test by Simpson integration of the t density (independent of the service)."""
    va, vb = statistics.variance(a), statistics.variance(b)
    sa, sb = va / len(a), vb / len(b)
    t = (statistics.mean(b) - statistics.mean(a)) / math.sqrt(sa + sb)
    df = (sa + sb) ** 2 / (sa**2 / (len(a) - 1) + sb**2 / (len(b) - 1))
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    n, hi = 20000, abs(t)
    h = hi / n
    f = [c * (1 + (i * h) ** 2 / df) ** (-(df + 1) / 2) for i in range(n + 1)]
    return t, 1 - 2 * (h / 3 * (f[0] + f[-1] + 4 * sum(f[1:-1:2]) + 2 * sum(f[2:-1:2])))


def quantile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))]


async def test_compare_windows_diffs_figures_and_verdicts(client, make_tenant):
    admin = await make_tenant("admin")
    env = await environment(client, admin)
    pid, puuid = await prompt(client, admin, "answerer")
    _, other_uuid = await prompt(client, admin, "unshipped")
    now = datetime.now(UTC).replace(microsecond=0)
    t0, t1 = now - timedelta(hours=10), now - timedelta(hours=5)
    d1 = await deploy(
        client,
        admin,
        env["id"],
        name="one",
        version="1.0.0",
        status="succeeded",
        finished_at=t0,
        configuration={"model": "a", "limits": {"rpm": 10, "burst": 5}, "old": True},
        artifacts=[
            {"name": "api", "kind": "container_image", "ref": "api:1", "digest": "sha256:1"},
            {"name": "base", "kind": "model", "ref": "m:1"},
            {"name": "gone", "kind": "config", "ref": "c:1"},
        ],
        prompt_versions=[{"prompt_id": puuid, "version_hash": "v1"}],
    )
    d2 = await deploy(
        client,
        admin,
        env["id"],
        name="two",
        version="abcdef1",
        status="succeeded",
        finished_at=t1,
        configuration={"model": "b", "limits": {"rpm": 10}, "new/key": 1},
        artifacts=[
            {"name": "api", "kind": "container_image", "ref": "api:2", "digest": "sha256:2"},
            {"name": "base", "kind": "model", "ref": "m:1"},
            {"name": "extra", "kind": "config", "ref": "c:2"},
        ],
        prompt_versions=[{"prompt_id": pid, "version_hash": "v2"}],
    )
    lat_a = [100.0 + (i * 7) % 23 for i in range(40)]
    lat_b = [150.0 + (i * 11) % 31 for i in range(40)]
    events = [
        ev(puuid, t0 + timedelta(minutes=5 + i * 6), "v1", latency_ms=lat_a[i], cost_usd=0.001 + (i % 5) * 1e-4)
        for i in range(40)
    ]
    events += [
        ev(
            puuid,
            t1 + timedelta(minutes=5 + i * 6),
            "v2",
            latency_ms=lat_b[i],
            cost_usd=0.002 + (i % 5) * 1e-4,
            status="failed" if i < 4 else "completed",
        )
        for i in range(40)
    ]
    # outside the windows or not shipped: must not count
    events += [ev(puuid, t1 + timedelta(minutes=30), "v1", latency_ms=9999.0)]  # v1 after d1's window
    events += [ev(puuid, t0 + timedelta(minutes=30), "v2", latency_ms=9999.0)]  # v2 before d2 went live
    events += [ev(other_uuid, t1 + timedelta(minutes=30), "v2", latency_ms=9999.0)]
    await send(client, admin, events)

    r = await client.get(
        f"{BASE}/compare", params={"deployment_id1": d1["id"], "deployment_id2": d2["id"]}, headers=admin.headers
    )
    assert r.status_code == 200, r.text
    c = r.json()["data"]
    base, cand = c["baseline"], c["candidate"]
    assert base["window"]["start"] == t0.isoformat().replace("+00:00", "Z")
    assert base["window"]["end"] == t1.isoformat().replace("+00:00", "Z")
    assert base["window"]["end_reason"] == "next_deployment" and base["window"]["next_deployment_id"] == d2["id"]
    assert base["window"]["hours"] == 5.0
    assert cand["window"]["end_reason"] == "now" and cand["window"]["next_deployment_id"] is None
    assert base["metrics"]["executions"] == 40 and cand["metrics"]["executions"] == 40
    assert base["metrics"]["error_rate"] == 0.0 and cand["metrics"]["error_rate"] == 10.0
    assert cand["metrics"]["success_rate"] == 90.0
    assert math.isclose(base["metrics"]["latency_avg"], statistics.mean(lat_a))
    assert math.isclose(cand["metrics"]["cost_per_execution"], 0.0022)
    for side, values in ((base, lat_a), (cand, lat_b)):
        for q in ("p50", "p95", "p99"):
            expected = quantile(values, {"p50": 0.5, "p95": 0.95, "p99": 0.99}[q])
            assert math.isclose(side["metrics"][f"latency_{q}"], expected, rel_tol=0.02), (q, side["metrics"])
    # diffs
    cfg = c["configuration"]
    assert cfg["identical"] is False
    assert cfg["added"] == [{"path": "/new~1key", "value": 1}]
    assert cfg["removed"] == [{"path": "/limits/burst", "value": 5}, {"path": "/old", "value": True}]
    assert cfg["changed"] == [{"path": "/model", "old": "a", "new": "b"}]
    assert [(a["kind"], a["name"]) for a in c["artifacts"]["added"]] == [("config", "extra")]
    assert [(a["kind"], a["name"]) for a in c["artifacts"]["removed"]] == [("config", "gone")]
    assert c["artifacts"]["changed"] == [
        {
            "kind": "container_image",
            "name": "api",
            "old_ref": "api:1",
            "new_ref": "api:2",
            "old_digest": "sha256:1",
            "new_digest": "sha256:2",
        }
    ]
    assert c["artifacts"]["unchanged"] == 1
    assert c["prompt_versions"]["changed"] == [
        {"prompt_id": pid, "prompt_name": "answerer", "old_version_hash": "v1", "new_version_hash": "v2"}
    ]
    # verdicts
    v = {x["metric"]: x for x in c["verdicts"]}
    rate = v["success_rate"]
    assert rate["verdict"] == "failed" and rate["test"] == "two_proportion_z"
    assert (rate["n_baseline"], rate["n_candidate"]) == (40, 40)
    pooled = 76 / 80
    z = (0.9 - 1.0) / math.sqrt(pooled * (1 - pooled) * (2 / 40))
    assert math.isclose(rate["p_value"], math.erfc(abs(z) / math.sqrt(2)), rel_tol=1e-9)
    lat = v["latency_p99"]
    t, p = welch_p(lat_a, lat_b)
    assert lat["verdict"] == "failed" and lat["test"] == "welch_t"
    assert math.isclose(lat["welch"]["t_statistic"], t, rel_tol=1e-9)
    assert math.isclose(lat["p_value"], p, rel_tol=1e-3, abs_tol=1e-12)
    assert v["cost_per_execution"]["verdict"] == "failed" and v["cost_per_execution"]["counted"] is True
    assert v["score"]["counted"] is False and v["score"]["verdict"] == "inconclusive"  # nobody logs scores
    assert c["overall_verdict"] == "failed"

    # the other way round the candidate is better: successful; too few samples: inconclusive
    r = await client.get(
        f"/v1{BASE}/compare", params={"deployment_id1": d2["id"], "deployment_id2": d1["id"]}, headers=admin.headers
    )
    back = r.json()["data"]
    assert {x["metric"]: x["verdict"] for x in back["verdicts"]}["latency_p99"] == "successful"
    assert back["overall_verdict"] == "successful", back["verdicts"]
    r = await client.get(
        f"{BASE}/compare",
        params={"deployment_id1": d1["id"], "deployment_id2": d2["id"], "min_samples": 100},
        headers=admin.headers,
    )
    assert r.json()["data"]["overall_verdict"] == "inconclusive"
    assert "too little data" in r.json()["data"]["verdicts"][0]["reason"]
    # looser thresholds: 90 % success is fine at 85, +60 % p99 is fine at 100, cost doubling fine at 150
    r = await client.get(
        f"{BASE}/compare",
        params={
            "deployment_id1": d1["id"],
            "deployment_id2": d2["id"],
            "min_success_rate": 85,
            "max_latency_p99_increase_pct": 100,
            "max_cost_increase_pct": 150,
        },
        headers=admin.headers,
    )
    assert r.json()["data"]["overall_verdict"] == "successful"
    assert r.json()["data"]["thresholds"]["min_success_rate"] == 85


async def test_compare_capped_by_horizon_and_rollback(client, make_tenant):
    admin = await make_tenant("admin")
    env = await environment(client, admin)
    pid, _ = await prompt(client, admin)
    now = datetime.now(UTC).replace(microsecond=0)
    d1 = await deploy(
        client,
        admin,
        env["id"],
        status="succeeded",
        finished_at=now - timedelta(hours=50),
        prompt_versions=[{"prompt_id": pid, "version_hash": "a"}],
    )
    d2 = await deploy(
        client, admin, env["id"], status="in_progress", prompt_versions=[{"prompt_id": pid, "version_hash": "b"}]
    )
    r = await client.get(
        f"{BASE}/compare",
        params={"deployment_id1": d1["id"], "deployment_id2": d2["id"], "horizon_hours": 24},
        headers=admin.headers,
    )
    c = r.json()["data"]
    assert c["baseline"]["window"]["end_reason"] == "horizon" and c["baseline"]["window"]["hours"] == 24.0
    assert c["candidate"]["window"] is None and "never went live" in c["candidate"]["unavailable_reason"]
    assert c["overall_verdict"] == "inconclusive"
    await client.post(
        f"/api/v1/deployments/{d1['id']}/transition", json={"status": "rolled_back"}, headers=admin.headers
    )
    r = await client.get(
        f"{BASE}/compare", params={"deployment_id1": d1["id"], "deployment_id2": d2["id"]}, headers=admin.headers
    )
    assert r.json()["data"]["baseline"]["window"]["end_reason"] == "rolled_back"


async def test_metrics_buckets_and_dora_keys(client, make_tenant):
    admin = await make_tenant("admin")
    prod = await environment(client, admin, "prod")
    stage = await environment(client, admin, "stage", "staging")
    pid, _ = await prompt(client, admin)
    now = datetime.now(UTC)
    today = day_floor(now)

    async def made(env_id, status, finished, changes=(), versions=(), started_before=timedelta(minutes=10)):
        return await deploy(
            client,
            admin,
            env_id,
            status=status,
            started_at=finished - started_before,
            finished_at=finished,
            changes=[{"sha": f"{n:07x}", "committed_at": (finished - lag).isoformat()} for n, lag in changes],
            prompt_versions=[{"prompt_id": pid, "version_hash": v} for v in versions],
        )

    y = today - timedelta(days=1) + timedelta(hours=12)
    a = await made(prod["id"], "succeeded", y, [(1, timedelta(hours=2))])
    b = await made(
        prod["id"], "succeeded", y + timedelta(hours=1), [(2, timedelta(hours=4))], started_before=timedelta(minutes=30)
    )
    d3 = today - timedelta(days=3) + timedelta(hours=10)
    await made(prod["id"], "failed", d3, [(3, timedelta(hours=5))])
    await made(prod["id"], "rolled_back", d3 + timedelta(hours=1), [(4, timedelta(hours=3))])
    d5 = today - timedelta(days=5) + timedelta(hours=8)
    hit = await made(prod["id"], "succeeded", d5, [(5, timedelta(days=1))], versions=["v9"])
    await made(stage["id"], "succeeded", y)  # not production: in the counts, not in DORA
    await made(prod["id"], "succeeded", today - timedelta(days=20))  # before the window
    await deploy(client, admin, prod["id"])  # pending: not finished, not counted
    # incidents: one on the shipped version 2h after (resolved in 30 min), one too late, one on another version
    for fired, version, resolved in (
        (d5 + timedelta(hours=2), "v9", timedelta(minutes=30)),
        (d5 + timedelta(hours=30), "v9", timedelta(minutes=5)),
        (d5 + timedelta(hours=3), "v8", timedelta(minutes=5)),
    ):
        await Alert.create(
            organization_id=admin.organization_id,
            source="rule",
            entity=f"prompt:{pid}:version:{version}",
            status="resolved",
            severity="critical",
            started_at=fired,
            firing_at=fired,
            resolved_at=fired + resolved,
        )
    r = await client.get(f"{BASE}/metrics", params={"days": 7}, headers=admin.headers)
    assert r.status_code == 200, r.text
    m = r.json()["data"]
    assert m["dora_environment_ids"] == [prod["id"]] and m["interval"] == "day"
    assert len(m["buckets"]) == 7 and m["buckets"][0]["start"] == (today - timedelta(days=6)).isoformat().replace(
        "+00:00", "Z"
    )
    per_day = [bk["deployments"] for bk in m["buckets"]]
    assert per_day == [0, 1, 0, 2, 0, 3, 0]  # zero-filled, oldest first
    total = m["total"]
    assert (total["deployments"], total["successes"], total["failures"], total["rollbacks"]) == (6, 4, 1, 1)
    assert math.isclose(total["success_rate"], 4 / 6 * 100)
    assert total["median_duration_seconds"] == 600.0
    dora = total["dora"]
    span_days = (
        datetime.fromisoformat(m["period_end"]) - datetime.fromisoformat(m["period_start"])
    ).total_seconds() / 86400
    assert dora["deployment_frequency"]["deployments"] == 4
    assert math.isclose(dora["deployment_frequency"]["per_day"], 4 / span_days, rel_tol=1e-6)
    assert dora["deployment_frequency"]["band"] == "high"  # 4 in 6-7 days: between weekly and daily
    assert dora["lead_time_for_changes"] == {"changes": 4, "median_seconds": 12600.0, "band": "elite"}
    assert dora["change_failure_rate"] == {
        "deployments": 5,
        "failed_changes": 3,
        "incidents": 1,
        "rate": 60.0,
        "band": "low",
    }
    assert dora["time_to_restore"] == {"incidents_resolved": 1, "median_seconds": 1800.0, "band": "elite"}
    yesterday = m["buckets"][-2]["dora"]
    assert yesterday["lead_time_for_changes"]["median_seconds"] == 10800.0  # 2h and 4h
    assert m["buckets"][-2]["median_duration_seconds"] == 600.0  # 10, 30 and 10 minutes
    assert m["buckets"][-2]["deployments"] == 3  # two prod + the staging one
    # one environment; weeks; a longer incident horizon catches the late alert too
    r = await client.get(
        f"/v1{BASE}/metrics",
        params={"days": 7, "environment_id": stage["id"], "interval": "week"},
        headers=admin.headers,
    )
    s = r.json()["data"]
    assert s["dora_environment_ids"] == [stage["id"]] and sum(bk["deployments"] for bk in s["buckets"]) == 1
    assert s["buckets"][0]["start"] == s["period_start"] and s["buckets"][-1]["end"] == s["period_end"]
    r = await client.get(f"{BASE}/metrics", params={"days": 7, "incident_horizon_hours": 48}, headers=admin.headers)
    assert r.json()["data"]["total"]["dora"]["time_to_restore"]["incidents_resolved"] == 2
    assert r.json()["data"]["total"]["dora"]["change_failure_rate"]["incidents"] == 1  # still one deployment
    del a, b, hit


async def test_status_summary_against_previous_period(client, make_tenant):
    admin = await make_tenant("admin")
    prod = await environment(client, admin, "prod")
    stage = await environment(client, admin, "stage", "staging")
    now = datetime.now(UTC)
    for days_ago, status in ((40, "succeeded"), (35, "failed"), (50, "succeeded")):
        await deploy(
            client,
            admin,
            prod["id"],
            status=status,
            started_at=now - timedelta(days=days_ago),
            finished_at=now - timedelta(days=days_ago) + timedelta(minutes=5),
        )
    last = await deploy(
        client,
        admin,
        prod["id"],
        status="succeeded",
        started_at=now - timedelta(days=2),
        finished_at=now - timedelta(days=2) + timedelta(minutes=5),
    )
    for status in ("failed", "rolled_back"):
        await deploy(client, admin, prod["id"], status=status, started_at=now - timedelta(days=1))
    running = await deploy(client, admin, stage["id"], status="in_progress")
    await deploy(client, admin, stage["id"])
    r = await client.get(f"{BASE}/status/summary", params={"days": 30}, headers=admin.headers)
    assert r.status_code == 200, r.text
    s = r.json()["data"]
    assert s["current"]["total"] == 5
    assert s["current"]["by_status"] == {
        "pending": 1,
        "in_progress": 1,
        "succeeded": 1,
        "failed": 1,
        "rolled_back": 1,
        "cancelled": 0,
    }
    assert math.isclose(s["current"]["success_rate"], 100 / 3)
    assert s["previous"]["total"] == 3 and math.isclose(s["previous"]["success_rate"], 200 / 3)
    assert math.isclose(s["success_rate_change"], 100 / 3 - 200 / 3)
    assert math.isclose(s["total_change_pct"], 200 / 3)
    envs = {e["environment"]["name"]: e for e in s["by_environment"]}
    assert envs["prod"]["total"] == 3 and envs["stage"]["total"] == 2
    assert envs["prod"]["last_successful"]["id"] == last["id"]
    assert envs["stage"]["last_successful"] is None
    assert [d["id"] for d in s["in_progress"]] == [running["id"]]
    r = await client.get(
        f"/v1{BASE}/status/summary", params={"environment_id": stage["id"], "days": 30}, headers=admin.headers
    )
    one = r.json()["data"]
    assert one["current"]["total"] == 2 and [e["environment"]["id"] for e in one["by_environment"]] == [stage["id"]]


async def test_deployments_are_annotations_on_the_time_series_chart(client, make_tenant):
    admin = await make_tenant("admin")
    env = await environment(client, admin, "prod-us")
    pid, puuid = await prompt(client, admin, "charted")
    other_pid, _ = await prompt(client, admin, "elsewhere")
    now = datetime.now(UTC).replace(microsecond=0)
    await send(client, admin, [ev(puuid, now - timedelta(hours=h), "v3", latency_ms=50.0) for h in (1, 2, 3)])
    live = await deploy(
        client,
        admin,
        env["id"],
        name="web",
        version="3.1.4",
        status="succeeded",
        finished_at=now - timedelta(hours=2),
        prompt_versions=[{"prompt_id": pid, "version_hash": "v3"}],
    )
    await deploy(
        client,
        admin,
        env["id"],
        status="failed",
        finished_at=now - timedelta(hours=1),
        prompt_versions=[{"prompt_id": pid, "version_hash": "v4"}],
    )  # never live: no marker
    await deploy(
        client,
        admin,
        env["id"],
        status="succeeded",
        finished_at=now - timedelta(hours=1),
        prompt_versions=[{"prompt_id": other_pid, "version_hash": "x"}],
    )  # another prompt
    r = await client.get(
        "/admin/prompt-analytics/charts/time-series",
        params={"metric_name": "latency_p95", "time_window": "24h", "prompt_ids": [pid]},
        headers=admin.headers,
    )
    assert r.status_code == 200, r.text
    marks = [a for a in r.json()["data"]["annotations"] if a["type"] == "deployment"]
    assert marks == [
        {
            "type": "deployment",
            "at": (now - timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
            "prompt_id": pid,
            "label": "web 3.1.4 to prod-us",
            "version_hash": "v3",
            "alert_id": None,
            "severity": None,
            "deployment_id": live["id"],
        }
    ]


async def test_before_and_after_a_deployment(client, make_tenant):
    admin = await make_tenant("admin")
    env = await environment(client, admin)
    pid, puuid = await prompt(client, admin, "impacted")
    now = datetime.now(UTC).replace(microsecond=0)
    finished = now - timedelta(hours=5)
    before = [100.0 + (i * 7) % 13 for i in range(40)]
    after = [180.0 + (i * 5) % 17 for i in range(40)]
    events = [ev(puuid, finished - timedelta(minutes=5 + i * 7), "v1", latency_ms=x) for i, x in enumerate(before)]
    events += [ev(puuid, finished + timedelta(minutes=5 + i * 7), "v2", latency_ms=x) for i, x in enumerate(after)]
    events += [ev(puuid, finished - timedelta(hours=6), "v1", latency_ms=1.0)]  # older than the before side
    await send(client, admin, events)
    d = await deploy(
        client,
        admin,
        env["id"],
        status="succeeded",
        finished_at=finished,
        prompt_versions=[{"prompt_id": pid, "version_hash": "v2"}],
    )
    r = await client.get(f"/api/v1/deployments/{d['id']}/impact", headers=admin.headers)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert abs(data["hours"] - 5.0) < 0.05  # the live window runs until now
    before_start = datetime.fromisoformat(data["before_start"])
    assert abs((before_start - (finished - timedelta(hours=data["hours"]))).total_seconds()) < 1e-3
    (one,) = data["prompts"]
    assert (one["prompt_id"], one["version_hash"]) == (pid, "v2")
    assert one["before"]["executions"] == 40 and one["after"]["executions"] == 40
    assert math.isclose(one["before"]["latency_avg"], statistics.mean(before))
    assert math.isclose(one["after"]["latency_avg"], statistics.mean(after))
    latency = next(v for v in one["verdicts"] if v["metric"] == "latency_p99")
    t, p = welch_p(before, after)
    assert latency["verdict"] == "failed" and math.isclose(latency["welch"]["t_statistic"], t, rel_tol=1e-9)
    assert math.isclose(latency["p_value"], p, rel_tol=1e-3, abs_tol=1e-12)
    assert one["overall_verdict"] == "failed"
    gql = await client.post(
        "/graphql",
        json={
            "query": "query($id: ID!) { deployment(id: $id) { impact { hours prompts { overallVerdict "
            "after { executions } } } } }",
            "variables": {"id": str(d["id"])},
        },
        headers=admin.headers,
    )
    assert gql.json()["data"]["deployment"]["impact"]["prompts"] == [
        {"overallVerdict": "failed", "after": {"executions": 40}}
    ]
    pending = await deploy(client, admin, env["id"])
    r = await client.get(f"/api/v1/deployments/{pending['id']}/impact", headers=admin.headers)
    assert r.json()["data"]["prompts"] == [] and "never went live" in r.json()["data"]["unavailable_reason"]
    member = await make_tenant("member")
    assert (await client.get(f"/api/v1/deployments/{d['id']}/impact", headers=member.headers)).status_code == 403
    other = await make_tenant("admin")
    assert (await client.get(f"/api/v1/deployments/{d['id']}/impact", headers=other.headers)).status_code == 404


async def test_metrics_follow_every_write_at_once(client, make_tenant):
    """Metrics may be served from a per-process copy of the aggregates, keyed by the organization's
    write counter: a report, a transition and a new production environment each show on the next read."""
    admin = await make_tenant("admin")
    stage = await environment(client, admin, "stage", "staging")

    async def metrics() -> dict:
        r = await client.get(f"{BASE}/metrics", params={"days": 7}, headers=admin.headers)
        assert r.status_code == 200, r.text
        return r.json()["data"]

    now = datetime.now(UTC)
    await deploy(client, admin, stage["id"], status="succeeded", started_at=now - timedelta(minutes=9), finished_at=now)
    first = await metrics()
    assert first["total"]["deployments"] == 1 and first["dora_environment_ids"] == [stage["id"]]
    again = await metrics()  # nothing written: the same figures (the window's end moves with the clock)
    assert [b["deployments"] for b in again["buckets"]] == [b["deployments"] for b in first["buckets"]]
    running = await deploy(client, admin, stage["id"])
    for status in ("in_progress", "failed"):
        r = await client.post(
            f"/api/v1/deployments/{running['id']}/transition", json={"status": status}, headers=admin.headers
        )
        assert r.status_code == 200, r.text
        if status == "in_progress":
            assert (await metrics())["total"]["deployments"] == 1  # not finished yet
    second = await metrics()
    assert second["total"]["deployments"] == 2 and second["total"]["failures"] == 1
    prod = await environment(client, admin, "prod")  # the DORA scope becomes production only
    third = await metrics()
    assert third["dora_environment_ids"] == [prod["id"]]
    assert third["total"]["dora"]["deployment_frequency"]["deployments"] == 0
