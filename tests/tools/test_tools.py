"""Tool executions through the public surface: ingest over HTTP, the drain, rollups, the analytics routes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services import tools
from services.ingest import pipeline
from services.rollups.sketch import Sketch

SUMMARY = "/v1/tools/analytics/summary"
BY_TOOL = "/v1/tools/analytics/by-tool"
RECENT = "/v1/tools/analytics/recent"
INGEST = "/api/v1/tools/executions"


def _exact_quantile(values: list[float], q: float) -> float:
    sketch = Sketch()
    for v in values:
        sketch.add(v)
    return round(sketch.quantile(q), 3)  # type: ignore[arg-type]


async def _log(client, tenant, events: list[dict]) -> list[str]:
    r = await client.post(f"{INGEST}/batch", json={"events": events}, headers=tenant.headers)
    assert r.status_code == 202, r.text
    return r.json()["data"]["event_ids"]


async def test_calls_are_queued_drained_and_summarised_with_sketch_percentiles(client, make_tenant):
    admin = await make_tenant("admin")
    when = datetime.now(UTC) - timedelta(minutes=5)
    search = [float(d) for d in range(10, 110, 10)]  # 10..100 ms
    events = [
        {"tool_name": "search", "mcp_server": "web", "duration_ms": d, "started_at": when.isoformat()} for d in search
    ]
    events[3] |= {"status": "error", "error_type": "TimeoutError"}
    events[4] |= {"error_type": "TimeoutError"}  # status defaults to error
    events[5] |= {"error_type": "ValueError"}
    # OpenTelemetry names: gen_ai.tool.name, error.type, mcp.server.operation.duration in seconds
    events.append({"gen_ai.tool.name": "fetch", "mcp.server.operation.duration": 0.25, "error.type": "HTTP 502"})
    single = await client.post(INGEST, json={"tool_name": "fetch", "duration_ms": 150}, headers=admin.headers)
    assert single.status_code == 202 and single.json()["data"]["accepted"] == 1
    await _log(client, admin, events)
    await pipeline.drain("test")

    s = (await client.get(SUMMARY, headers=admin.headers)).json()["data"]
    assert s["total_calls"] == 12 and s["total_errors"] == 4 and s["successful_calls"] == 8
    assert s["success_rate"] == pytest.approx(66.67) and s["error_rate"] == pytest.approx(33.33)
    assert s["avg_execution_time_ms"] == pytest.approx((sum(search) + 250 + 150) / 12, abs=1e-3)
    assert s["unique_tools"] == 2 and s["window"]["scope"] == "user"

    data = (await client.get(BY_TOOL, headers=admin.headers)).json()["data"]
    assert [t["tool_name"] for t in data["tools"]] == ["search", "fetch"]
    row = data["tools"][0]
    assert row["total_calls"] == 10 and row["errors"] == 3 and row["error_rate"] == 30.0
    assert row["p50_ms"] == _exact_quantile(search, 0.5) and row["p50_ms"] == pytest.approx(50, rel=0.02)
    assert row["p95_ms"] == pytest.approx(90, rel=0.02) and row["p99_ms"] == pytest.approx(90, rel=0.02)
    assert row["common_errors"] == [
        {"error_type": "TimeoutError", "count": 2},
        {"error_type": "ValueError", "count": 1},
    ]
    fetch = data["tools"][1]
    assert fetch["common_errors"] == [{"error_type": "HTTP 502", "count": 1}] and fetch["p99_ms"] == _exact_quantile(
        [150.0, 250.0], 0.99
    )

    only = (await client.get(BY_TOOL, params={"tool_name": "fetch"}, headers=admin.headers)).json()["data"]
    assert [t["tool_name"] for t in only["tools"]] == ["fetch"]
    recent = (await client.get(RECENT, params={"limit": 3}, headers=admin.headers)).json()["data"]
    assert recent["count"] == 3 and recent["limit"] == 3
    assert recent["executions"][0]["tool_name"] == "fetch" and recent["executions"][0]["duration_ms"] == 250
    default = (await client.get(RECENT, headers=admin.headers)).json()["data"]
    assert default["limit"] == 50 and default["count"] == 12


async def test_rollups_answer_exactly_what_raw_rows_say_across_days_hours_and_edges(client, make_tenant):
    admin = await make_tenant("admin")
    now = datetime.now(UTC).replace(microsecond=0)
    starts = [now - timedelta(days=d, hours=h, minutes=7) for d in range(0, 4) for h in (0, 5, 13)]
    events = [
        {
            "tool_name": f"t{i % 3}",
            "duration_ms": 5.0 + i * 3,
            "started_at": t.isoformat(),
            **({"error_type": "E"} if i % 4 == 0 else {}),
        }
        for i, t in enumerate(starts)
    ]
    await _log(client, admin, events)
    await pipeline.drain("test")
    params = {"start_date": (now - timedelta(days=5)).isoformat(), "end_date": now.isoformat()}
    raw = (await client.get(BY_TOOL, params=params, headers=admin.headers)).json()["data"]
    assert await tools.rebuild_dirty() > 0
    rolled = (await client.get(BY_TOOL, params=params, headers=admin.headers)).json()["data"]
    assert rolled["tools"] == raw["tools"] and sum(t["total_calls"] for t in rolled["tools"]) == 12
    # a window that starts and ends inside hours: the edges come from raw rows
    edge = {
        "start_date": (starts[4] - timedelta(minutes=1)).isoformat(),
        "end_date": (starts[1] + timedelta(minutes=1)).isoformat(),
    }
    inside = [
        e
        for e, t in zip(events, starts, strict=True)
        if starts[4] - timedelta(minutes=1) <= t <= starts[1] + timedelta(minutes=1)
    ]
    s = (await client.get(SUMMARY, params=edge, headers=admin.headers)).json()["data"]
    assert s["total_calls"] == len(inside) > 0
    assert s["total_errors"] == sum(1 for e in inside if "error_type" in e)


async def test_a_windows_ragged_edge_hour_answers_like_its_raw_rows_and_sees_late_calls(client, make_tenant):
    """A window starting mid-hour: the part of that hour is summed from raw rows and the rest from
    rollups (on PostgreSQL a repeated window reuses each level's merged rows); every figure must
    equal the raw rows', for the organization, one user and one tool, and a late call into the hour
    must show (dirty: raw rows; rebuilt: fresh rollup rows)."""
    from services.core.config import get_settings
    from services.tools import rollups as tool_rollups

    admin = await make_tenant("admin")
    member = await make_tenant("member", org=await _org_name(admin))
    hour = (datetime.now(UTC) - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    calls = []  # (who, tool, minute, duration, error type)
    for i in range(24):
        who = admin if i % 3 else member
        calls.append(
            (who, f"t{i % 4}", 2 + i * 2.5, 3.0 + i * 7.5, ("Timeout", "HTTP 502")[i % 2] if i % 5 == 0 else None)
        )
    for who in (admin, member):
        events = [
            {
                "tool_name": tool,
                "duration_ms": duration,
                "started_at": (hour + timedelta(minutes=minute)).isoformat(),
                **({"error_type": error} if error else {}),
            }
            for w, tool, minute, duration, error in calls
            if w is who
        ]
        await _log(client, who, events)
    await pipeline.drain("test")
    await tools.rebuild_dirty()
    start = hour + timedelta(minutes=21, seconds=30)
    params = {"start_date": start.isoformat(), "end_date": (hour + timedelta(hours=2)).isoformat()}

    def expected(rows, tool=None):
        out = {}
        for _, name, minute, duration, error in rows:
            if hour + timedelta(minutes=minute) >= start and (tool is None or name == tool):
                out.setdefault(name, []).append((duration, error))
        return {
            name: {
                "total_calls": len(v),
                "errors": sum(1 for _, e in v if e),
                "p50_ms": _exact_quantile([d for d, _ in v], 0.5),
                "p95_ms": _exact_quantile([d for d, _ in v], 0.95),
                "avg_execution_time_ms": pytest.approx(sum(d for d, _ in v) / len(v), abs=1e-3),
                "common_errors": sorted(
                    ({"error_type": e, "count": sum(1 for _, x in v if x == e)} for e in {e for _, e in v if e}),
                    key=lambda c: (-c["count"], c["error_type"]),
                ),
            }
            for name, v in out.items()
        }

    async def served(tenant, **extra):
        r = await client.get(BY_TOOL, params={**params, **extra}, headers=tenant.headers)
        assert r.status_code == 200, r.text
        keys = ("total_calls", "errors", "p50_ms", "p95_ms", "avg_execution_time_ms", "common_errors")
        return {t["tool_name"]: {k: t[k] for k in keys} for t in r.json()["data"]["tools"]}

    hits = tool_rollups.ROLLUP_MERGES.hits
    for _ in range(2):  # the second read reuses the merged rollup rows on PostgreSQL
        assert await served(admin, admin="true") == expected(calls)
        assert await served(member) == expected([c for c in calls if c[0] is member])
        assert await served(admin, admin="true", tool_name="t1") == expected(calls, "t1")
    if get_settings().is_postgres:
        assert tool_rollups.ROLLUP_MERGES.hits >= hits + 3

    late = (member, "t1", 40.0, 999.0, "Late")
    await _log(client, member, [{"tool_name": "t1", "duration_ms": 999.0, "error_type": "Late",
                                 "started_at": (hour + timedelta(minutes=40)).isoformat()}])  # fmt: skip
    await pipeline.drain("test")
    assert await served(admin, admin="true") == expected([*calls, late])  # the hour is dirty: raw rows
    assert await tools.rebuild_dirty() > 0
    assert await served(admin, admin="true") == expected([*calls, late])  # rebuilt: new rollup rows
    assert await served(member, tool_name="t1") == expected([c for c in [*calls, late] if c[0] is member], "t1")


async def test_scope_is_the_callers_own_calls_and_admin_widens_to_the_organization(client, make_tenant):
    admin = await make_tenant("admin")
    member = await make_tenant("member", org=None)
    colleague = await make_tenant("member", org=None)
    same_org_member = await make_tenant("member", org=await _org_name(admin))
    await _log(client, admin, [{"tool_name": "a", "duration_ms": 1}])
    await _log(client, same_org_member, [{"tool_name": "b", "duration_ms": 2}, {"tool_name": "b", "duration_ms": 4}])
    await _log(client, member, [{"tool_name": "c", "duration_ms": 3}])
    await pipeline.drain("test")

    mine = (await client.get(SUMMARY, headers=same_org_member.headers)).json()["data"]
    assert mine["total_calls"] == 2 and mine["window"]["scope"] == "user"
    forbidden = await client.get(SUMMARY, params={"admin": "true"}, headers=same_org_member.headers)
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "FORBIDDEN"
    for path in (BY_TOOL, RECENT):
        assert (await client.get(path, params={"admin": "true"}, headers=same_org_member.headers)).status_code == 403
    org = (await client.get(BY_TOOL, params={"admin": "true"}, headers=admin.headers)).json()["data"]
    assert sorted(t["tool_name"] for t in org["tools"]) == ["a", "b"]  # not the other organization's "c"
    assert (await client.get(SUMMARY, headers=admin.headers)).json()["data"]["total_calls"] == 1
    recent = (await client.get(RECENT, params={"admin": "true"}, headers=admin.headers)).json()["data"]
    assert {e["user_id"] for e in recent["executions"]} == {admin.user_id, same_org_member.user_id}
    other = (await client.get(RECENT, headers=colleague.headers)).json()["data"]
    assert other["count"] == 0


async def _org_name(tenant) -> str:
    from models.tenancy import Organization

    return (await Organization.get(id=tenant.organization_id)).name


async def test_a_retried_event_is_stored_once(client, make_tenant):
    admin = await make_tenant("admin")
    event_id = str(uuid.uuid4())
    for _ in range(2):
        await _log(client, admin, [{"event_id": event_id, "tool_name": "once", "duration_ms": 7}])
        await pipeline.drain("test")
    s = (await client.get(SUMMARY, params={"tool_name": "once"}, headers=admin.headers)).json()["data"]
    assert s["total_calls"] == 1


async def test_the_same_event_id_from_two_organizations_is_two_calls_and_a_resend_is_one(client, make_tenant):
    """An event id is an idempotency key within its organization, not across organizations."""
    first, second = await make_tenant("admin"), await make_tenant("admin")
    event_id = str(uuid.uuid4())
    when = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
    one = {"event_id": event_id, "tool_name": "shared-id", "duration_ms": 5, "started_at": when}
    r = await client.post(INGEST, json=one, headers=first.headers)  # the single route
    assert r.status_code == 202, r.text
    await pipeline.drain("test")
    await _log(client, second, [{**one, "duration_ms": 9}])  # the batch route, a later drain
    await pipeline.drain("test")
    # both organizations in one drain batch, each re-sending the id (and one twice in its batch)
    await _log(client, first, [one, one])
    await _log(client, second, [{**one, "duration_ms": 9}])
    await pipeline.drain("test")
    for tenant, duration in ((first, 5), (second, 9)):
        r = await client.get(RECENT, params={"tool_name": "shared-id"}, headers=tenant.headers)
        executions = r.json()["data"]["executions"]
        assert [(e["event_id"], e["duration_ms"]) for e in executions] == [(event_id, duration)], executions
        s = await client.get(SUMMARY, params={"tool_name": "shared-id", "admin": "true"}, headers=tenant.headers)
        assert s.json()["data"]["total_calls"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tool_name": "x\u0000y", "duration_ms": 1}, "tool_name"),
        ({"tool_name": "", "duration_ms": 1}, "tool_name"),
        ({"tool_name": "x" * 201, "duration_ms": 1}, "tool_name"),
        ({"tool_name": None, "duration_ms": 1}, "tool_name"),
        ({"tool_name": "x", "duration_ms": -1}, "duration_ms"),
        ({"tool_name": "x"}, "duration_ms"),
        ({"tool_name": "x", "duration_ms": 1, "arguments_size": 2**31}, "arguments_size"),
        ({"tool_name": "x", "duration_ms": 1, "started_at": "2999-01-01T00:00:00Z"}, "started_at"),
        ({"tool_name": "x", "duration_ms": 1, "status": "success", "error_type": "E"}, "body"),
    ],
)
async def test_bad_calls_are_a_400_naming_the_field(client, make_tenant, body, field):
    admin = await make_tenant("member")
    r = await client.post(INGEST, json=body, headers=admin.headers)
    assert r.status_code == 400, r.text
    details = r.json()["error"]["details"]
    assert any(d["field"] == field or d["field"].startswith(field) for d in details) or field == "body", details


async def test_bad_analytics_parameters_are_a_400(client, make_tenant):
    admin = await make_tenant("admin")
    cases = [
        (RECENT, {"limit": 101}, "limit"),
        (RECENT, {"limit": 0}, "limit"),
        (SUMMARY, {"start_date": "2024-02-01", "end_date": "2024-01-01"}, "start_date"),
        (SUMMARY, {"start_date": "yesterday"}, "start_date"),
        (BY_TOOL, {"tool_name": "x" * 201}, "tool_name"),
        (BY_TOOL, {"admin": "maybe"}, "admin"),
    ]
    for path, params, field in cases:
        r = await client.get(path, params=params, headers=admin.headers)
        assert r.status_code == 400, (path, params, r.text)
        assert r.json()["error"]["details"][0]["field"] == field
    assert (await client.get(SUMMARY)).status_code == 401


TOOL_QUERY = """query($admin: Boolean!, $tool: String) {
  toolAnalytics(admin: $admin, toolName: $tool) {
    summary { totalCalls totalErrors successRate window { scope } }
    byTool { toolName totalCalls p50Ms p95Ms p99Ms commonErrors { errorType count } }
    recent(limit: 2) { toolName durationMs userId }
  }
}"""


async def test_graphql_tool_analytics_is_the_same_service(client, make_tenant, monkeypatch):
    from services.tools import rollups as tool_rollups

    admin = await make_tenant("admin")
    member = await make_tenant("member", org=await _org_name(admin))
    await _log(client, admin, [{"tool_name": "q", "duration_ms": d} for d in (5, 10, 20)])
    await _log(client, member, [{"tool_name": "q", "duration_ms": 40, "error_type": "Boom"}])
    await pipeline.drain("test")
    reads = []
    window_by_tool = tool_rollups.window_by_tool

    async def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(args)
        return await window_by_tool(*args, **kwargs)

    monkeypatch.setattr(tool_rollups, "window_by_tool", counted)
    variables = {"admin": True, "tool": "q"}
    r = await client.post("/graphql", json={"query": TOOL_QUERY, "variables": variables}, headers=admin.headers)
    data = r.json()["data"]["toolAnalytics"]
    assert len(reads) == 1  # summary and byTool from one read of the window
    rest = (await client.get(BY_TOOL, params={"admin": "true", "tool_name": "q"}, headers=admin.headers)).json()["data"]
    assert data["summary"] == {
        "totalCalls": 4,
        "totalErrors": 1,
        "successRate": 75.0,
        "window": {"scope": "organization"},
    }
    assert data["byTool"][0]["p95Ms"] == rest["tools"][0]["p95_ms"] and data["byTool"][0]["totalCalls"] == 4
    assert data["byTool"][0]["commonErrors"] == [{"errorType": "Boom", "count": 1}]
    assert len(data["recent"]) == 2
    r = await client.post("/graphql", json={"query": TOOL_QUERY, "variables": variables}, headers=member.headers)
    assert r.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    r = await client.post(
        "/graphql", json={"query": TOOL_QUERY, "variables": {"admin": False, "tool": None}}, headers=member.headers
    )
    assert r.json()["data"]["toolAnalytics"]["summary"]["totalCalls"] == 1
