"""Alert rules, the evaluation job and the alert lifecycle, through REST and the job function."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from models.alerts import Alert
from models.prompts import Prompt
from services.alerting import engine as alert_engine
from workers import jobs

CTX = {"worker_id": "test-alerting"}
RULES = "/admin/prompt-analytics/alerts/rules"
MON = "/admin/monitoring-alerts/monitoring"


async def ingest(
    client, tenant, prompt: uuid.UUID, statuses: list[str], latency: float = 100.0, ago_s: int = 60
) -> None:
    now = datetime.now(UTC)
    events = [
        {
            "prompt_id": str(prompt),
            "version_hash": "v1",
            "status": s,
            "latency_ms": latency,
            "timestamp": (now - timedelta(seconds=ago_s + i)).isoformat(),
        }
        for i, s in enumerate(statuses)
    ]
    r = await client.post("/api/v1/prompts/analytics/batch", json={"events": events}, headers=tenant.key_headers)
    assert r.status_code == 202, r.text
    await jobs.drain_ingest(CTX)


async def alerts_of(client, tenant, **params) -> list[dict]:
    r = await client.get(f"{MON}/alerts", params=params, headers=tenant.headers)
    assert r.status_code == 200, r.text
    return r.json()["data"]["items"]


async def evaluate() -> dict:
    out = await jobs.evaluate_alerts(CTX)
    assert out["ran"] is True
    return out


async def make_rule(client, tenant, path: str = RULES, **body) -> dict:
    r = await client.post(path, json=body, headers=tenant.headers)
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def test_builtin_rule_pending_then_firing_dedup_and_auto_resolve(client, make_tenant):
    tenant = await make_tenant()
    prompt = uuid.uuid4()
    await ingest(client, tenant, prompt, ["failed"] * 3 + ["completed"])  # error rate 0.75
    hooks = []
    for name in ("ops", "oncall"):
        made = await client.post(
            f"{MON}/notifications",
            json={"name": name, "type": "webhook", "config": {"url": "http://127.0.0.1:9/hook"}},
            headers=tenant.headers,
        )
        assert made.status_code in (200, 201), made.text
        hooks.append(made.json()["data"]["id"])
    rule = await make_rule(
        client,
        tenant,
        name="errors",
        metric="error_rate",
        comparison="gt",
        threshold=0.5,
        window_minutes=10,
        pending_minutes=2,
        severity="critical",
        channel_ids=[hooks[0], hooks[0], hooks[1]],
    )
    assert rule["builtin"] is True and rule["aggregation"] is None and rule["channel_ids"] == hooks
    assert rule["state"] == "ok" and rule["open_alerts"] == 0

    await evaluate()
    [alert] = await alerts_of(client, tenant)
    assert alert["status"] == "pending" and alert["rule_id"] == rule["id"] and alert["severity"] == "critical"
    assert alert["value"] == 0.75 and alert["threshold"] == 0.5 and alert["firing_at"] is None

    await evaluate()  # still breached, pending duration not over: same alert, no duplicate
    [again] = await alerts_of(client, tenant)
    assert again["id"] == alert["id"] and again["status"] == "pending"

    # the breach has lasted the pending duration (moved back in time rather than sleeping 2 minutes)
    await Alert.filter(id=alert["id"]).update(started_at=datetime.now(UTC) - timedelta(minutes=3))
    await evaluate()
    [firing] = await alerts_of(client, tenant)
    assert firing["id"] == alert["id"] and firing["status"] == "firing" and firing["firing_at"] is not None
    deliveries = (
        await client.get(f"{MON}/notifications/deliveries", params={"alert_id": alert["id"]}, headers=tenant.headers)
    ).json()["data"]
    items = deliveries["items"] if isinstance(deliveries, dict) else deliveries
    assert sorted((d["channel_id"], d["kind"]) for d in items) == [(h, "alert_firing") for h in hooks]
    assert all(d["payload"]["alert"]["id"] == alert["id"] for d in items)
    got = (await client.get(f"{MON}/alert-rules", headers=tenant.headers)).json()["data"]
    assert got["total"] == 1 and got["items"][0]["state"] == "firing" and got["items"][0]["open_alerts"] == 1

    await ingest(client, tenant, prompt, ["completed"] * 8)  # 3 / 12 = 0.25: the condition clears
    await evaluate()
    [resolved] = await alerts_of(client, tenant)
    assert resolved["status"] == "resolved" and resolved["resolved_by"] is None
    assert resolved["note"] == "auto-resolved: condition cleared" and resolved["value"] == 0.25

    deliveries = (
        await client.get(f"{MON}/notifications/deliveries", params={"alert_id": alert["id"]}, headers=tenant.headers)
    ).json()["data"]
    items = deliveries["items"] if isinstance(deliveries, dict) else deliveries
    assert sorted(d["kind"] for d in items) == ["alert_firing"] * 2 + ["alert_resolved"] * 2
    other = await make_tenant()
    foreign = await client.post(
        RULES,
        json={"metric": "error_rate", "comparison": "gt", "threshold": 0.5, "channel_ids": [hooks[0]]},
        headers=other.headers,
    )
    assert foreign.status_code == 400 and foreign.json()["error"]["details"][0]["field"] == "channel_ids.0"

    detail = (await client.get(f"/api/v1/alerts/{alert['id']}", headers=tenant.headers)).json()["data"]
    assert [(e["kind"], e["from_status"], e["to_status"]) for e in detail["history"]] == [
        ("pending", None, "pending"),
        ("firing", "pending", "firing"),
        ("resolved", "firing", "resolved"),
    ]
    assert [e["value"] for e in detail["history"]] == [0.75, 0.75, 0.25]


async def test_per_prompt_rule_fires_for_each_breaching_prompt(client, make_tenant):
    tenant = await make_tenant()
    slow, fast = uuid.uuid4(), uuid.uuid4()
    await ingest(client, tenant, slow, ["completed"] * 5, latency=1500.0)
    await ingest(client, tenant, fast, ["completed"] * 5, latency=20.0)
    rule = await make_rule(
        client,
        tenant,
        path=f"{MON}/alert-rules",
        metric_name="latency_p95",
        condition=">",
        threshold=1000,
        time_window="15m",
        per_entity="prompt",
        severity="warning",
    )
    assert rule["comparison"] == "gt" and rule["window_minutes"] == 15 and rule["scope"] == {"per_entity": "prompt"}
    await evaluate()
    slow_id = (await Prompt.get(uuid=slow)).id
    [alert] = await alerts_of(client, tenant, status="firing")
    assert alert["entity"] == f"prompt:{slow_id}"
    assert abs(alert["value"] - 1500.0) <= 15.0  # sketch: 1% relative accuracy


async def test_many_alerts_opened_at_once_each_recorded_announced_and_not_duplicated(client, make_tenant):
    """A per-prompt rule breached by several prompts opens their alerts together (one statement on
    PostgreSQL); two evaluators racing over the same rule still open each alert once, with one
    history row and one delivery per channel."""
    import asyncio

    from models.alerts import AlertEvent, AlertRule
    from models.notifications import NotificationDelivery

    tenant = await make_tenant("admin")
    prompts = [uuid.uuid4() for _ in range(6)]
    for p in prompts:
        await ingest(client, tenant, p, ["failed"] * 3 + ["completed"])
    made = await client.post(
        f"{MON}/notifications",
        json={"name": "ops", "type": "webhook", "config": {"url": "http://127.0.0.1:9/hook"}},
        headers=tenant.headers,
    )
    hook = made.json()["data"]["id"]
    rule = await make_rule(
        client, tenant, metric="error_rate", comparison="gt", threshold=0.5, per_entity="prompt", channel_ids=[hook]
    )
    stored = await AlertRule.get(id=rule["id"])
    first, second = await asyncio.gather(alert_engine.evaluate_rules([stored]), alert_engine.evaluate_rules([stored]))
    assert len(first) + len(second) == 6  # each prompt's alert opened by exactly one of them
    opened = await alerts_of(client, tenant)
    ids = {(await Prompt.get(uuid=p)).id for p in prompts}
    assert sorted(a["entity"] for a in opened) == sorted(f"prompt:{i}" for i in ids)
    assert all(a["status"] == "firing" and a["value"] == 0.75 for a in opened)
    alert_ids = [a["id"] for a in opened]
    history = await AlertEvent.filter(alert_id__in=alert_ids).values_list(
        "alert_id", "kind", "from_status", "to_status"
    )
    assert sorted(history) == sorted((i, "firing", None, "firing") for i in alert_ids)
    deliveries = await NotificationDelivery.filter(alert_id__in=alert_ids).values_list("alert_id", "channel_id", "kind")
    assert sorted(deliveries) == sorted((i, hook, "alert_firing") for i in alert_ids)
    assert await alert_engine.evaluate_rules([stored]) == []  # already open: nothing new


async def test_warning_threshold_then_escalation(client, make_tenant):
    tenant = await make_tenant()
    prompt = uuid.uuid4()
    await ingest(client, tenant, prompt, ["failed"] + ["completed"] * 3)  # 0.25
    await make_rule(
        client, tenant, metric="error_rate", comparison="gte", threshold=0.5, warning_threshold=0.2, severity="critical"
    )
    await evaluate()
    [alert] = await alerts_of(client, tenant)
    assert alert["status"] == "firing" and alert["severity"] == "warning" and alert["threshold"] == 0.2
    await ingest(client, tenant, prompt, ["failed"] * 4)  # 5 / 8
    await evaluate()
    [alert] = await alerts_of(client, tenant)
    assert alert["severity"] == "critical" and alert["threshold"] == 0.5 and alert["value"] == 0.625
    kinds = [
        e["kind"]
        for e in (await client.get(f"/api/v1/alerts/{alert['id']}", headers=tenant.headers)).json()["data"]["history"]
    ]
    assert kinds == ["firing", "severity"]


async def record(client, tenant, name: str, value: float, **extra) -> dict:
    r = await client.post(
        "/admin/prompt-analytics/metrics",
        json={"name": name, "value": value, "type": "gauge", **extra},
        headers=tenant.headers,
    )
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def test_recorded_metric_is_checked_at_once(client, make_tenant):
    tenant = await make_tenant()
    first = await record(client, tenant, "queue_depth", 1)
    assert first["rules_evaluated"] == 0 and first["alert_changes"] == []
    rule = await make_rule(
        client, tenant, metric="queue_depth", aggregation="avg", comparison="gt", threshold=10, window_minutes=5
    )
    assert rule["aggregation"] == "avg" and rule["builtin"] is False
    fired = await record(client, tenant, "queue_depth", 100)
    assert fired["rules_evaluated"] == 1
    [change] = fired["alert_changes"]
    assert change["transition"] == "firing" and change["rule_id"] == rule["id"]
    [alert] = await alerts_of(client, tenant)
    assert alert["id"] == change["alert_id"] and alert["value"] == 50.5
    still = await record(client, tenant, "queue_depth", 20)  # avg 121/3: still firing, same alert
    assert still["alert_changes"] == []
    cleared = await record(client, tenant, "queue_depth", -200)  # avg -79/4
    assert [c["transition"] for c in cleared["alert_changes"]] == ["resolved"]
    [alert] = await alerts_of(client, tenant)
    assert alert["status"] == "resolved" and alert["value"] == -19.75


async def test_rules_over_long_windows_are_left_to_the_minute_cycle(client, make_tenant):
    """A point is checked at once against rules of up to an hour; a longer window (up to 7 days of
    raw points, 79-454 ms per recorded point at one point a second) waits for the minute cycle."""
    tenant = await make_tenant()
    await record(client, tenant, "backlog", 5)
    hour = await make_rule(
        client, tenant, metric="backlog", aggregation="max", comparison="gt", threshold=10, window_minutes=60
    )
    week = await make_rule(
        client, tenant, metric="backlog", aggregation="sum", comparison="gt", threshold=50, window_minutes=7 * 1440
    )
    done = await record(client, tenant, "backlog", 60)  # max 60 > 10, sum 65 > 50
    assert (done["rules_evaluated"], done["rules_left_to_cycle"]) == (1, 1)
    assert [(c["rule_id"], c["transition"]) for c in done["alert_changes"]] == [(hour["id"], "firing")]
    assert {a["rule_id"] for a in await alerts_of(client, tenant)} == {hour["id"]}
    await evaluate()  # the minute cycle
    assert {a["rule_id"] for a in await alerts_of(client, tenant)} == {hour["id"], week["id"]}
    mutation = """mutation {
      recordMetric(input: {name: "backlog", value: 1, type: "gauge"}) { rulesEvaluated rulesLeftToCycle }
    }"""
    r = await client.post("/graphql", json={"query": mutation}, headers=tenant.headers)
    assert r.json()["data"]["recordMetric"] == {"rulesEvaluated": 1, "rulesLeftToCycle": 1}, r.text


async def test_long_windows_of_recorded_metrics_are_evaluated_at_their_interval(client, make_tenant):
    """The minute cycle evaluates a rule on a recorded metric every minute up to an hour's window and
    less often beyond (``EVALUATION_TIERS``: a day's window every 15 minutes, a week's hourly), since
    each evaluation aggregates the window's raw points; built-in metrics every minute; a changed
    rule at the next cycle."""
    from models.alerts import AlertRule

    tenant = await make_tenant()
    await record(client, tenant, "queue_depth", 5)
    rule = {"metric": "queue_depth", "aggregation": "max", "comparison": "gt", "threshold": 10}
    hour = await make_rule(client, tenant, **rule, window_minutes=60)
    day = await make_rule(client, tenant, **rule, window_minutes=1440)
    week = await make_rule(client, tenant, **rule, window_minutes=10080)
    builtin = await make_rule(
        client, tenant, metric="latency_p95", comparison="gt", threshold=1e9, window_minutes=10080
    )
    assert [r["evaluation_interval_minutes"] for r in (hour, day, week, builtin)] == [1, 15, 60, 1]
    await evaluate()  # new rules are due at once
    assert (await AlertRule.get(id=week["id"])).last_evaluated_at is not None
    done = await record(client, tenant, "queue_depth", 50)  # the hour's rule fires at once
    assert (done["rules_evaluated"], done["rules_left_to_cycle"]) == (1, 2)
    out = await evaluate()  # a minute later: the day's and the week's rules are not due
    assert out["rules_not_due"] >= 2
    assert {a["rule_id"] for a in await alerts_of(client, tenant)} == {hour["id"]}
    last = (await AlertRule.get(id=day["id"])).last_evaluated_at
    assert last is not None
    await AlertRule.filter(id=day["id"]).update(last_evaluated_at=last - timedelta(minutes=15))  # 15 minutes on
    await evaluate()
    assert {a["rule_id"] for a in await alerts_of(client, tenant)} == {hour["id"], day["id"]}
    changed = await client.patch(f"/api/v1/alert-rules/{week['id']}", json={"threshold": 20}, headers=tenant.headers)
    assert changed.status_code == 200 and changed.json()["data"]["last_evaluated_at"] is None, changed.text
    await evaluate()
    assert {a["rule_id"] for a in await alerts_of(client, tenant)} == {hour["id"], day["id"], week["id"]}


async def test_percentile_count_and_rate_per_entity_over_recorded_points(client, make_tenant):
    tenant = await make_tenant()
    p1 = (await client.post("/api/v1/prompts", json={"name": "a"}, headers=tenant.headers)).json()["data"]["id"]
    p2 = (await client.post("/api/v1/prompts", json={"name": "b"}, headers=tenant.headers)).json()["data"]["id"]
    for v in range(1, 21):  # p1: 1..20
        await record(client, tenant, "tokens", v, prompt_id=p1, tags={"env": "prod"})
    for v in (5, 6):
        await record(client, tenant, "tokens", v, prompt_id=p2, tags={"env": "prod"})
    await record(client, tenant, "tokens", 1000, prompt_id=p2, tags={"env": "dev"})
    p95 = await make_rule(
        client,
        tenant,
        metric="tokens",
        aggregation="p95",
        comparison="gte",
        threshold=19,
        scope={"per_entity": "prompt", "tags": {"env": "prod"}},
    )
    count = await make_rule(client, tenant, metric="tokens", aggregation="count", comparison="eq", threshold=23)
    rate = await make_rule(
        client,
        tenant,
        metric="tokens",
        aggregation="rate",
        comparison="gt",
        threshold=0,
        scope={"prompt_id": p2},
        window_minutes=2,
    )
    await evaluate()
    by_rule = {}
    for a in await alerts_of(client, tenant):
        by_rule.setdefault(a["rule_id"], []).append(a)
    [a95] = by_rule[p95["id"]]  # nearest rank: p95 of 1..20 is 19; of (5, 6) is 6
    assert a95["entity"] == f"prompt:{p1}" and a95["value"] == 19
    assert by_rule[count["id"]][0]["value"] == 23
    assert by_rule[rate["id"]][0]["value"] == (5 + 6 + 1000) / 2  # per minute over a 2-minute window


async def test_acknowledge_and_resolve_record_who_when_and_409s(client, make_tenant):
    tenant = await make_tenant()
    await record(client, tenant, "temp", 1)
    await make_rule(client, tenant, metric="temp", comparison="gt", threshold=40, severity="critical")
    alert_id = (await record(client, tenant, "temp", 99))["alert_changes"][0]["alert_id"]
    r = await client.post(f"{MON}/alerts/{alert_id}/acknowledge", json={"note": "on it"}, headers=tenant.headers)
    assert r.status_code == 200, r.text
    acked = r.json()["data"]
    assert acked["status"] == "acknowledged" and acked["acknowledged_by"] == tenant.user_id
    assert acked["note"] == "on it" and acked["acknowledged_at"] is not None
    again = await client.post(f"/v1{MON}/alerts/{alert_id}/acknowledge", headers=tenant.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "CONFLICT"
    assert "acknowledged" in again.json()["error"]["message"]

    r = await client.post(f"{MON}/alerts/{alert_id}/resolve", json={"note": "fixed the cooler"}, headers=tenant.headers)
    assert r.status_code == 200, r.text
    done = r.json()["data"]
    assert done["status"] == "resolved" and done["resolved_by"] == tenant.user_id and done["note"] == "fixed the cooler"
    for path in (f"{MON}/alerts/{alert_id}/resolve", f"/v1/monitoring/alerts/{alert_id}/resolve"):
        assert (await client.post(path, headers=tenant.headers)).status_code == 409
    assert (await client.post(f"{MON}/alerts/{alert_id}/acknowledge", headers=tenant.headers)).status_code == 409

    history = (await client.get(f"/api/v1/alerts/{alert_id}", headers=tenant.headers)).json()["data"]["history"]
    assert [(e["kind"], e["actor_id"], e["note"]) for e in history] == [
        ("firing", None, None),
        ("acknowledged", tenant.user_id, "on it"),
        ("resolved", tenant.user_id, "fixed the cooler"),
    ]
    # the condition still holds: the engine opens a new alert (a user resolve is not a mute)
    reopened = await record(client, tenant, "temp", 99)
    new_id = reopened["alert_changes"][0]["alert_id"]
    assert new_id != alert_id
    r = await client.post(f"/v1/monitoring/alerts/{new_id}/resolve", headers=tenant.headers)  # no body at all
    assert r.status_code == 200 and r.json()["data"]["note"] is None and r.json()["data"]["status"] == "resolved"


async def test_dashboard_counts_mtta_and_mttr_from_stored_times(client, make_tenant):
    tenant = await make_tenant()
    await record(client, tenant, "load", 0)
    rule = await make_rule(client, tenant, metric="load", comparison="gt", threshold=5, per_entity="prompt")
    assert rule["scope"] == {"per_entity": "prompt"}
    p = [
        (await client.post("/api/v1/prompts", json={"name": f"p{i}"}, headers=tenant.headers)).json()["data"]["id"]
        for i in range(3)
    ]
    ids = [(await record(client, tenant, "load", 9, prompt_id=pid))["alert_changes"][0]["alert_id"] for pid in p]
    t0 = datetime.now(UTC) - timedelta(hours=2)
    await Alert.filter(id__in=ids).update(started_at=t0, firing_at=t0)
    await client.post(f"{MON}/alerts/{ids[0]}/acknowledge", headers=tenant.headers)
    await client.post(f"{MON}/alerts/{ids[1]}/acknowledge", headers=tenant.headers)
    await client.post(f"{MON}/alerts/{ids[0]}/resolve", headers=tenant.headers)
    await Alert.filter(id=ids[0]).update(
        acknowledged_at=t0 + timedelta(seconds=60), resolved_at=t0 + timedelta(seconds=600)
    )
    await Alert.filter(id=ids[1]).update(acknowledged_at=t0 + timedelta(seconds=120))
    r = await client.get(f"{MON}/dashboard", params={"hours": 24}, headers=tenant.headers)
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["open_alerts"]["total"] == 2
    assert d["open_alerts"]["by_status"] == {"pending": 0, "firing": 1, "acknowledged": 1}
    assert d["open_alerts"]["by_severity"]["warning"] == 2
    assert d["window"]["total"] == 3 and d["window"]["by_status"]["resolved"] == 1
    assert d["window"]["mtta_seconds"] == 90.0 and d["window"]["mttr_seconds"] == 600.0
    assert d["rules"] == {"total": 1, "enabled": 1, "firing": 1}
    assert {a["id"] for a in d["recent_alerts"]} == set(ids)


async def test_many_alerts_clearing_at_once_are_each_resolved_recorded_and_announced(client, make_tenant):
    """A storm's alerts clearing in one cycle, and a rule with many open alerts disabled: every alert
    resolved with its note, last value and history row, and each announced to the rule's channel
    (on PostgreSQL in two statements for all of them)."""
    tenant = await make_tenant()
    hook = await client.post(
        f"{MON}/notifications",
        json={"name": "ops", "type": "webhook", "config": {"url": "http://127.0.0.1:9/hook"}},
        headers=tenant.headers,
    )
    assert hook.status_code in (200, 201), hook.text
    prompts = []
    for i in range(24):
        made = await client.post("/api/v1/prompts", json={"name": f"storm {i}"}, headers=tenant.headers)
        prompts.append(made.json()["data"]["id"])
    for i, pid in enumerate(prompts):
        await record(client, tenant, "queue_depth", 50 + i, prompt_id=pid)
    body = {"metric": "queue_depth", "aggregation": "max", "comparison": "gt", "threshold": 10}
    channels = [hook.json()["data"]["id"]]
    storm = await make_rule(client, tenant, **body, scope={"per_entity": "prompt"}, channel_ids=channels)
    other = await make_rule(client, tenant, **body, name="second", scope={"per_entity": "prompt"}, channel_ids=channels)
    await evaluate()
    opened = await alerts_of(client, tenant, status="firing", page_size=100)
    assert len(opened) == 48
    changed = await client.patch(f"/api/v1/alert-rules/{storm['id']}", json={"threshold": 1000}, headers=tenant.headers)
    assert changed.status_code == 200, changed.text
    out = await evaluate()  # every prompt's max (50..73) is now under the threshold
    cleared = [c for c in out["changes"] if c["rule_id"] == storm["id"]]
    assert len(cleared) == 24 and {c["transition"] for c in cleared} == {"resolved"}
    disabled = await client.patch(f"/api/v1/alert-rules/{other['id']}", json={"enabled": False}, headers=tenant.headers)
    assert disabled.status_code == 200 and disabled.json()["data"]["open_alerts"] == 0, disabled.text
    resolved = await alerts_of(client, tenant, status="resolved", page_size=100)
    by_rule = {rule["id"]: [a for a in resolved if a["rule_id"] == rule["id"]] for rule in (storm, other)}
    assert len(by_rule[storm["id"]]) == 24 and len(by_rule[other["id"]]) == 24
    values = {a["entity"]: a["value"] for a in by_rule[storm["id"]]}
    assert values == {f"prompt:{pid}": 50 + i for i, pid in enumerate(prompts)}  # the last value read
    assert {a["note"] for a in by_rule[storm["id"]]} == {"auto-resolved: condition cleared"}
    assert {(a["note"], a["resolved_by"]) for a in by_rule[other["id"]]} == {("rule disabled", tenant.user_id)}
    for alert in (by_rule[storm["id"]][0], by_rule[other["id"]][-1]):
        detail = (await client.get(f"/api/v1/alerts/{alert['id']}", headers=tenant.headers)).json()["data"]
        assert [(e["kind"], e["from_status"], e["to_status"]) for e in detail["history"]] == [
            ("firing", None, "firing"),
            ("resolved", "firing", "resolved"),
        ]
    deliveries = (
        await client.get(
            f"{MON}/notifications/deliveries",
            params={"alert_id": by_rule[other["id"]][-1]["id"]},  # no cycle since: no repair of missed ones
            headers=tenant.headers,
        )
    ).json()["data"]
    items = deliveries["items"] if isinstance(deliveries, dict) else deliveries
    assert sorted(d["kind"] for d in items) == ["alert_firing", "alert_resolved"]


async def test_rule_update_disable_and_delete_keep_history(client, make_tenant):
    tenant = await make_tenant()
    await record(client, tenant, "errors_seen", 3)
    rule = await make_rule(client, tenant, metric="errors_seen", aggregation="sum", comparison="gte", threshold=3)
    await evaluate()
    [alert] = await alerts_of(client, tenant, status="open")
    r = await client.patch(
        f"/api/v1/alert-rules/{rule['id']}", json={"threshold": 2, "name": "renamed"}, headers=tenant.headers
    )
    assert r.status_code == 200 and r.json()["data"]["threshold"] == 2 and r.json()["data"]["name"] == "renamed"
    r = await client.patch(f"/api/v1/alert-rules/{rule['id']}", json={"enabled": False}, headers=tenant.headers)
    assert r.json()["data"]["state"] == "disabled"
    [closed] = await alerts_of(client, tenant)
    assert closed["id"] == alert["id"] and closed["status"] == "resolved" and closed["note"] == "rule disabled"
    assert closed["resolved_by"] == tenant.user_id
    assert (await client.delete(f"/api/v1/alert-rules/{rule['id']}", headers=tenant.headers)).status_code == 204
    assert (await client.get(f"/api/v1/alert-rules/{rule['id']}", headers=tenant.headers)).status_code == 404
    kept = (await client.get(f"/api/v1/alerts/{alert['id']}", headers=tenant.headers)).json()["data"]
    assert kept["rule_id"] is None and len(kept["history"]) == 2


async def test_another_organizations_rule_and_alert_are_404(client, make_tenant):
    a, b = await make_tenant(), await make_tenant()
    await record(client, a, "secret_metric", 1)
    rule = await make_rule(client, a, metric="secret_metric", comparison="gt", threshold=0)
    alert_id = (await record(client, a, "secret_metric", 5))["alert_changes"][0]["alert_id"]
    for method, path in [
        ("GET", f"/api/v1/alert-rules/{rule['id']}"),
        ("PATCH", f"/api/v1/alert-rules/{rule['id']}"),
        ("DELETE", f"/api/v1/alert-rules/{rule['id']}"),
        ("GET", f"/api/v1/alerts/{alert_id}"),
        ("POST", f"{MON}/alerts/{alert_id}/acknowledge"),
        ("POST", f"/v1{MON}/alerts/{alert_id}/acknowledge"),
        ("POST", f"{MON}/alerts/{alert_id}/resolve"),
        ("POST", f"/v1{MON}/alerts/{alert_id}/resolve"),
        ("POST", f"/v1/monitoring/alerts/{alert_id}/resolve"),
    ]:
        r = await client.request(method, path, json={"threshold": 1} if method == "PATCH" else None, headers=b.headers)
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["error"]["code"] == "NOT_FOUND"
    assert (await client.get(f"{MON}/alert-rules", headers=b.headers)).json()["data"]["total"] == 0
    assert await alerts_of(client, b) == []
    assert (await client.get("/v1/monitoring/alerts", headers=b.headers)).json()["data"]["alerts"] == []
    # b may not even name a's metric or prompt in its own rules
    r = await client.post(
        RULES, json={"metric": "secret_metric", "comparison": "gt", "threshold": 1}, headers=b.headers
    )
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "metric"
    prompt = (await client.post("/api/v1/prompts", json={"name": "x"}, headers=a.headers)).json()["data"]["id"]
    r = await client.post(
        RULES,
        json={"metric": "error_rate", "comparison": "gt", "threshold": 1, "scope": {"prompt_id": prompt}},
        headers=b.headers,
    )
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "scope.prompt_id"
    assert (await client.get(f"/api/v1/alerts/{alert_id}", headers=a.headers)).status_code == 200


async def test_bad_rule_input_names_the_field(client, make_tenant):
    tenant = await make_tenant()
    base = {"metric": "error_rate", "comparison": "gt", "threshold": 0.5}
    cases = [
        ({"metric": "no_such_metric"}, "metric"),
        ({"metric": "bad name!"}, "metric"),
        ({"aggregation": "median"}, "aggregation"),
        ({"aggregation": "avg"}, "aggregation"),  # built-in metrics define their own
        ({"threshold": "abc"}, "threshold"),
        ({"threshold": "NaN"}, "threshold"),
        ({"window_minutes": 0}, "window_minutes"),
        ({"window_minutes": 10**6}, "window_minutes"),
        ({"comparison": "bigger"}, "comparison"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"channel_ids": [0]}, "channel_ids.0"),
        ({"pending_minutes": -1}, "pending_minutes"),
        ({"warning_threshold": 0.9}, "warning_threshold"),
        ({"scope": {"version_hash": "v1"}}, "scope"),
        ({"scope": {"tags": {"env": "prod"}}}, "scope.tags"),
        ({"scope": {"prompt_id": 2_000_000_000}}, "scope.prompt_id"),
    ]
    for change, field in cases:
        r = await client.post(RULES, json={**base, **change}, headers=tenant.headers)
        assert r.status_code == 400, (change, r.text)
        fields = [d["field"] for d in r.json()["error"]["details"]]
        assert fields[0] == field, (change, fields)
    missing = await client.post(RULES, json={"metric": "error_rate"}, headers=tenant.headers)
    assert {d["field"] for d in missing.json()["error"]["details"]} == {"comparison", "threshold"}
    for params, field in [({"status": "exploded"}, "status"), ({"limit": 0}, "limit"), ({"limit": 501}, "limit")]:
        r = await client.get(f"{MON}/alerts", params=params, headers=tenant.headers)
        assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == field
    r = await client.get("/v1/monitoring/alerts", params={"hours": 0}, headers=tenant.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "hours"
    r = await client.post(f"{MON}/alerts/abc/resolve", headers=tenant.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "alert_id"


async def test_member_role_is_forbidden(client, make_tenant):
    member = await make_tenant("member")
    for method, path in [
        ("GET", f"{MON}/alert-rules"),
        ("POST", RULES),
        ("GET", f"/v1{MON}/alerts"),
        ("GET", f"{MON}/dashboard"),
        ("GET", f"{MON}/health"),
        ("GET", f"{MON}/metrics"),
        ("GET", "/v1/monitoring/alerts"),
        ("POST", "/admin/prompt-analytics/metrics"),
        ("GET", "/admin/prompt-analytics/metrics/realtime"),
    ]:
        r = await client.request(method, path, json={} if method == "POST" else None, headers=member.headers)
        assert r.status_code == 403, (path, r.text)


async def test_platform_performance_alerts_are_for_superusers(client, make_tenant):
    su, admin = await make_tenant("superuser"), await make_tenant("admin")
    key = f"p95-{uuid.uuid4().hex[:6]}"
    raised = await alert_engine.raise_external(
        None, "performance", key, "warning", "API p95 1200ms > 1000ms", 1200, 1000
    )
    again = await alert_engine.raise_external(
        None, "performance", key, "critical", "API p95 2500ms > 1000ms", 2500, 1000
    )
    assert again.id == raised.id and again.severity == "critical"
    data = (await client.get("/v1/monitoring/alerts", params={"resolved": "false"}, headers=su.headers)).json()["data"]
    mine = [a for a in data["alerts"] if a["id"] == raised.id]
    assert (
        mine and mine[0]["source"] == "performance" and mine[0]["organization_id"] is None and mine[0]["value"] == 2500
    )
    assert data["statistics"]["by_source"]["performance"] >= 1
    seen_by_admin = (await client.get("/v1/monitoring/alerts", headers=admin.headers)).json()["data"]["alerts"]
    assert all(a["id"] != raised.id for a in seen_by_admin)
    assert (await client.post(f"/v1/monitoring/alerts/{raised.id}/resolve", headers=admin.headers)).status_code == 404
    assert await alert_engine.clear_external(None, "performance", key) is True
    assert await alert_engine.clear_external(None, "performance", key) is False
    done = (await client.get(f"/api/v1/alerts/{raised.id}", headers=su.headers)).json()["data"]
    assert done["status"] == "resolved" and [e["kind"] for e in done["history"]] == ["firing", "severity", "resolved"]


async def test_health_reports_the_last_cycle(client, make_tenant):
    tenant = await make_tenant()
    await make_rule(client, tenant, metric="error_rate", comparison="gt", threshold=0.9)
    await evaluate()
    r = await client.get(f"/v1{MON}/health", headers=tenant.headers)
    assert r.status_code == 200, r.text
    h = r.json()["data"]
    assert h["evaluation"]["lag_seconds"] < 30 and h["evaluation"]["last_rules_evaluated"] >= 1
    assert h["rules_total"] == 1 and h["rules_enabled"] == 1
    assert {c["name"]: c["ok"] for c in h["checks"]}["database"] is True
    assert h["status"] in ("healthy", "degraded")  # degraded only for lack of a live worker in tests
    assert all(i.startswith("worker") for i in h["issues"])


async def test_two_evaluators_never_duplicate_an_alert(client, make_tenant):
    import asyncio

    tenant = await make_tenant()
    await record(client, tenant, "dup_check", 7)
    await make_rule(client, tenant, metric="dup_check", comparison="gt", threshold=1, enabled=True)
    from models.alerts import AlertRule

    rules = await AlertRule.filter(organization_id=tenant.organization_id)
    await Alert.filter(organization_id=tenant.organization_id).delete()
    await asyncio.gather(*(alert_engine.evaluate_rules(rules) for _ in range(4)))
    assert len(await alerts_of(client, tenant)) == 1


async def test_measured_threshold_breaches_become_platform_alerts_and_clear(client, make_tenant):
    from dataclasses import replace

    from services.alerting import platform as performance_alerts
    from services.core.config import get_settings

    su = await make_tenant("superuser")
    strict = replace(get_settings(), threshold_memory_percent=0.0)  # any host's memory use breaches this
    first = await performance_alerts.sync(settings=strict)
    assert first.breached >= 1
    data = (await client.get("/v1/monitoring/alerts", params={"resolved": "false"}, headers=su.headers)).json()["data"]
    memory = [a for a in data["alerts"] if a["source"] == "performance" and a["entity"].startswith("memory_percent:")]
    assert memory and memory[0]["threshold"] == 0.0 and memory[0]["value"] > 0 and memory[0]["status"] == "firing"
    lax = replace(get_settings(), **{f"threshold_{m}": 1e9 for m in ("cpu_percent", "memory_percent", "disk_percent")})
    # every measured figure under its threshold, dead letters too (another test may have left some this hour)
    lax = replace(lax, threshold_p95_ms=1e12, threshold_error_rate=1e9, threshold_dead_letters=10**9)
    cleared = await performance_alerts.sync(settings=lax)
    assert cleared.breached == 0 and cleared.resolved >= 1
    done = (await client.get(f"/api/v1/alerts/{memory[0]['id']}", headers=su.headers)).json()["data"]
    assert done["status"] == "resolved" and done["note"] == "auto-resolved: back under the threshold"
