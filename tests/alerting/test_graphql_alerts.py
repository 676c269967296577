"""Alerting over GraphQL: queries, mutations, and the metricUpdates subscription over a real websocket."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import websockets

from tests.api.test_graphql import gql
from tests.conftest import start_server

ROOT = Path(__file__).resolve().parents[2]
RULE_FIELDS = (
    "id name metric builtin aggregation comparison threshold windowMinutes severity state "
    "scope { promptId perEntity tags }"
)


async def test_rules_alerts_and_metrics_through_graphql(client, make_tenant):
    tenant = await make_tenant()
    out = await gql(
        client,
        "mutation($i: MetricPointInput!) { recordMetric(input: $i) { point { id name value tags } rulesEvaluated } }",
        tenant.headers,
        i={"name": "gq_metric", "value": 2, "type": "gauge", "tags": {"env": "prod"}},
    )
    assert "errors" not in out, out
    assert out["data"]["recordMetric"]["point"]["tags"] == {"env": "prod"}

    created = await gql(
        client,
        f"mutation($i: AlertRuleInput!) {{ createAlertRule(input: $i) {{ {RULE_FIELDS} }} }}",
        tenant.headers,
        i={
            "metric": "gq_metric",
            "comparison": "gt",
            "threshold": 5,
            "aggregation": "max",
            "scope": {"tags": {"env": "prod"}},
            "severity": "critical",
        },
    )
    assert "errors" not in created, created
    rule = created["data"]["createAlertRule"]
    assert rule["aggregation"] == "max" and rule["scope"]["tags"] == {"env": "prod"} and rule["state"] == "ok"

    fired = await gql(
        client,
        "mutation($i: MetricPointInput!) { recordMetric(input: $i) { alertChanges { alertId transition } } }",
        tenant.headers,
        i={"name": "gq_metric", "value": 9, "type": "gauge", "tags": {"env": "prod"}},
    )
    [change] = fired["data"]["recordMetric"]["alertChanges"]
    assert change["transition"] == "firing"
    alert_id = change["alertId"]

    listed = await gql(
        client,
        '{ alerts(status: "firing", first: 5) { id ruleId severity value } alertRules { id state } }',
        tenant.headers,
    )
    assert listed["data"]["alerts"] == [{"id": alert_id, "ruleId": rule["id"], "severity": "critical", "value": 9.0}]
    assert listed["data"]["alertRules"] == [{"id": rule["id"], "state": "firing"}]

    ack = await gql(
        client,
        'mutation($id: Int!) { acknowledgeAlert(id: $id, note: "mine") { status acknowledgedBy note } }',
        tenant.headers,
        id=alert_id,
    )
    assert ack["data"]["acknowledgeAlert"] == {
        "status": "acknowledged",
        "acknowledgedBy": tenant.user_id,
        "note": "mine",
    }
    again = await gql(
        client, "mutation($id: Int!) { acknowledgeAlert(id: $id) { status } }", tenant.headers, id=alert_id
    )
    assert again["errors"][0]["extensions"]["code"] == "CONFLICT"
    res = await gql(
        client, "mutation($id: Int!) { resolveAlert(id: $id) { status resolvedBy } }", tenant.headers, id=alert_id
    )
    assert res["data"]["resolveAlert"] == {"status": "resolved", "resolvedBy": tenant.user_id}
    one = await gql(
        client, "query($id: Int!) { alert(id: $id) { status history { kind actorId } } }", tenant.headers, id=alert_id
    )
    assert [h["kind"] for h in one["data"]["alert"]["history"]] == ["firing", "acknowledged", "resolved"]

    patched = await gql(
        client,
        "mutation($id: Int!) { updateAlertRule(id: $id, input: {threshold: 50, enabled: false}) { threshold state } }",
        tenant.headers,
        id=rule["id"],
    )
    assert patched["data"]["updateAlertRule"] == {"threshold": 50.0, "state": "disabled"}

    other = await make_tenant()
    for query in (
        "query($id: Int!) { alert(id: $id) { id } }",
        "mutation($id: Int!) { resolveAlert(id: $id) { id } }",
        "mutation($id: Int!) { deleteAlertRule(id: $id) }",
    ):
        target = rule["id"] if "Rule" in query else alert_id
        denied = await gql(client, query, other.headers, id=target)
        assert denied["errors"][0]["extensions"]["code"] == "NOT_FOUND", query
    gone = await gql(client, "mutation($id: Int!) { deleteAlertRule(id: $id) }", tenant.headers, id=rule["id"])
    assert gone["data"]["deleteAlertRule"] is True


async def test_graphql_bad_input_and_roles(client, make_tenant):
    tenant = await make_tenant()
    bad = await gql(
        client,
        'mutation { createAlertRule(input: {metric: "error_rate", comparison: "gt", threshold: 1, '
        "windowMinutes: 0}) { id } }",
        tenant.headers,
    )
    err = bad["errors"][0]
    assert err["extensions"]["code"] == "BAD_REQUEST" and err["extensions"]["details"][0]["field"] == "window_minutes"
    bad = await gql(client, '{ alerts(status: "nope") { id } }', tenant.headers)
    assert bad["errors"][0]["extensions"]["details"][0]["field"] == "status"
    member = await make_tenant("member")
    denied = await gql(client, "{ alertRules { id } }", member.headers)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_metric_updates_subscription_over_websocket(client, make_tenant):
    tenant, other = await make_tenant(), await make_tenant()
    proc, port = start_server()
    url = f"ws://127.0.0.1:{port}/graphql"
    try:
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer nonsense"}}))
            await asyncio.wait_for(ws.wait_closed(), 5)
            assert ws.close_code == 4403

        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(
                json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {tenant.access_token}"}})
            )
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
            query = 'subscription { metricUpdates(names: ["ws_metric"]) { name value tags promptId } }'
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
            await asyncio.sleep(0.3)  # let the server subscribe to the channel

            async def post(who, name: str, value: float) -> None:
                r = await client.post(
                    "/admin/prompt-analytics/metrics",
                    json={"name": name, "value": value, "type": "gauge"},
                    headers=who.headers,
                )
                assert r.status_code == 200, r.text

            await post(other, "ws_metric", 666)  # another organization: never delivered
            await post(tenant, "not_watched", 1)  # filtered out by names
            await post(tenant, "ws_metric", 3.5)
            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert message["type"] == "next" and message["id"] == "1"
            assert message["payload"]["data"]["metricUpdates"] == {
                "name": "ws_metric",
                "value": 3.5,
                "tags": {},
                "promptId": None,
            }
            await ws.send(json.dumps({"id": "1", "type": "complete"}))

            # alertEvents: a rule on the metric fires as soon as a breaching point is recorded
            events = 'subscription { alertEvents(events: ["firing"]) { event alert { status severity value } } }'
            await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": {"query": events}}))
            await asyncio.sleep(0.3)
            rule = await client.post(
                "/admin/prompt-analytics/alerts/rules",
                json={
                    "metric": "ws_metric",
                    "aggregation": "max",
                    "comparison": "gt",
                    "threshold": 3,
                    "severity": "warning",
                },
                headers=tenant.headers,
            )
            assert rule.status_code == 200, rule.text
            await post(tenant, "ws_metric", 9)
            fired = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert fired["id"] == "2" and fired["payload"]["data"]["alertEvents"] == {
                "event": "firing",
                "alert": {"status": "firing", "severity": "warning", "value": 9.0},
            }
            await ws.send(json.dumps({"id": "2", "type": "complete"}))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
