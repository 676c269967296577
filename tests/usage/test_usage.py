"""AI usage and costs through the public surface: ingest -> drain -> rollups -> reads, prices at the
event's time, plans and budget alerts, roles and tenancy, hostile input, public profiles."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.ingest import pipeline
from services.usage import budgets, rollups
from services.usage import caches as usage_caches
from tests.conftest import within_one_minute_window

BASE = "/v1/public/ai-usage"
API = "/api/v1/usage"


async def _ingest(client, headers, events):
    r = await client.post(f"{API}/events/batch", json={"events": events}, headers=headers)
    assert r.status_code == 202, r.text
    await pipeline.drain("test")
    return r.json()["data"]["event_ids"]


def _now(minutes_ago: int = 0) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


async def test_costs_use_the_price_in_force_at_the_event_time_and_cached_tokens_at_the_cache_read_price(
    client, make_tenant
):
    admin = await make_tenant("admin")
    h = admin.headers
    old, new = datetime.now(UTC) - timedelta(days=2), datetime.now(UTC) - timedelta(hours=1)
    # an organization price in force from 3 days ago, replaced 1 day ago
    for valid_from, price in ((old - timedelta(days=1), 1e-6), (new - timedelta(hours=23), 2e-6)):
        r = await client.post(
            f"{API}/prices",
            json={
                "model": "house-model",
                "provider": "acme",
                "input_cost_per_token": price,
                "output_cost_per_token": price * 4,
                "cache_read_input_token_cost": price / 10,
                "valid_from": valid_from.isoformat(),
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
    await _ingest(
        client,
        h,
        [
            {
                "model": "house-model",
                "input_tokens": 1000,
                "cached_tokens": 400,
                "output_tokens": 100,
                "timestamp": old.isoformat(),
                "latency_ms": 100,
            },
            {
                # OpenTelemetry GenAI names as aliases
                "gen_ai.request.model": "house-model",
                "gen_ai.usage.input_tokens": 1000,
                "gen_ai.usage.output_tokens": 100,
                "timestamp": new.isoformat(),
                "latency_ms": 300,
            },
            {"model": "gpt-4o", "input_tokens": 1_000_000, "output_tokens": 0, "timestamp": new.isoformat()},
            {"model": "house-model", "input_tokens": 5, "output_tokens": 5, "cost_usd": 0.5, "timestamp": _now()},
        ],
    )
    old_cost = 600 * 1e-6 + 400 * 1e-7 + 100 * 4e-6
    new_cost = 1000 * 2e-6 + 100 * 8e-6
    gpt4o = 2.5  # shipped map: $2.50 per million input tokens
    logs = (await client.get(f"{BASE}/logs", params={"days": 7}, headers=h)).json()["data"]
    by_time = sorted(logs["items"], key=lambda i: i["occurred_at"])
    assert by_time[0]["cost_usd"] == pytest.approx(old_cost) and by_time[0]["cost_source"] == "price_map"
    assert {i["cost_source"] for i in logs["items"]} == {"price_map", "event"}
    assert next(i for i in logs["items"] if i["model"] == "gpt-4o")["provider"] == "openai"

    costs = (await client.get(f"{BASE}/costs", params={"period": "last_30_days"}, headers=h)).json()["data"]
    assert costs["total_usd"] == pytest.approx(old_cost + new_cost + gpt4o + 0.5)
    house = next(m for m in costs["by_model"] if m["model"] == "house-model")
    assert house["cost_usd"] == pytest.approx(old_cost + new_cost + 0.5)
    assert house["cached_tokens"] == 400 and house["requests"] == 3
    assert house["latency_p50_ms"] == pytest.approx(100, rel=0.02)
    assert {p["provider"] for p in costs["by_provider"]} == {"acme", "openai"} or {
        p["provider"] for p in costs["by_provider"]
    } == {"", "openai"}
    assert costs["by_user"][0]["user_id"] == admin.user_id
    assert sum(d["cost_usd"] for d in costs["by_day"]) == pytest.approx(costs["total_usd"])

    # after the rollup job the answer is the same (dirty hours -> rollup rows)
    assert await rollups.rebuild_dirty() > 0
    again = (await client.get(f"{BASE}/costs", params={"period": "last_30_days"}, headers=h)).json()["data"]
    assert again["total_usd"] == pytest.approx(costs["total_usd"])
    assert again["by_model"] == costs["by_model"]


async def test_redelivery_is_idempotent_and_the_aggregate_follows_the_plan(client, make_tenant):
    admin = await make_tenant("admin")
    h = admin.headers
    r = await client.put(
        f"{API}/plan",
        json={"limits": {"llm_tokens": 1000, "mcp": 10}, "monthly_budget_usd": 100, "period_start_day": 1},
        headers=h,
    )
    assert r.status_code == 200, r.text
    event_id = str(uuid.uuid4())
    event = {"event_id": event_id, "model": "gpt-4o-mini", "input_tokens": 500, "output_tokens": 350}
    await _ingest(client, h, [event])
    await _ingest(client, h, [event])  # a client retry
    await _ingest(client, h, [{"resource_type": "mcp"}, {"resource_type": "mcp", "quantity": 2}])
    data = (await client.get(f"{BASE}/aggregate", headers=h)).json()["data"]
    llm = next(x for x in data["resources"] if x["resource_type"] == "llm_tokens")
    assert llm["used"] == 850 and llm["limit"] == 1000 and llm["requests"] == 1
    assert llm["percent"] == pytest.approx(85) and llm["status"] == "warning"
    assert llm["progress"]["bar_percent"] == pytest.approx(85) and llm["progress"]["color"] == "yellow"
    mcp = next(x for x in data["resources"] if x["resource_type"] == "mcp")
    assert mcp["used"] == 3 and mcp["status"] == "ok"
    storage = next(x for x in data["resources"] if x["resource_type"] == "storage")
    assert storage["status"] == "unlimited" and storage["percent"] is None
    assert data["budget"]["budget_usd"] == 100
    assert data["budget"]["spent_usd"] == pytest.approx(500 * 1.5e-7 + 350 * 6e-7)
    all_time = (await client.get(f"{BASE}/aggregate", params={"period": "all_time"}, headers=h)).json()["data"]
    assert all_time["period_start"] is None and all_time["totals"]["requests"] == 3


async def test_budget_thresholds_alert_once_per_period(client, make_tenant):
    admin = await make_tenant("admin")
    h = admin.headers
    await client.put(f"{API}/plan", json={"monthly_budget_usd": 1.0, "alert_thresholds": [50, 100]}, headers=h)
    await _ingest(client, h, [{"model": "gpt-4o", "input_tokens": 240_000, "output_tokens": 0}])  # $0.60
    notified, _ = await budgets.check_organization(admin.organization_id)
    assert notified == 1
    assert (await budgets.check_organization(admin.organization_id))[0] == 0  # once per period
    await _ingest(client, h, [{"model": "gpt-4o", "input_tokens": 200_000, "output_tokens": 0}])  # $1.10 total
    assert (await budgets.check_organization(admin.organization_id))[0] == 1
    alerts = (
        await client.get("/admin/monitoring-alerts/monitoring/alerts", params={"status": "open"}, headers=h)
    ).json()["data"]["items"]
    mine = [a for a in alerts if a.get("source") == "usage_budget" or "budget" in (a.get("message") or "")]
    assert len(mine) == 2
    data = (await client.get(f"{BASE}/costs", headers=h)).json()["data"]
    assert data["projection"]["budget_usd"] == 1.0
    assert data["projection"]["projected_total_usd"] >= data["total_usd"] == pytest.approx(1.1)
    assert data["projection"]["projected_status"] == "exceeded"


async def test_members_see_their_own_requests_admins_widen_and_other_organizations_stay_apart(client, make_tenant):
    admin = await make_tenant("admin")
    member = await make_tenant("member", org=None)
    # a member of the admin's organization
    from services.identity import tenancy
    from services.identity.policy import Role

    colleague = await tenancy.create_user(admin.principal, f"c-{uuid.uuid4().hex[:6]}@example.test", Role.MEMBER)
    from services.identity import credentials
    from services.identity.policy import Principal

    colleague_token = credentials.issue_jwt(Principal(colleague.id, admin.organization_id, Role.MEMBER))[0]
    ch = {"Authorization": f"Bearer {colleague_token}"}
    await _ingest(client, admin.headers, [{"model": "gpt-4o", "input_tokens": 10, "output_tokens": 1}])
    await _ingest(client, ch, [{"model": "gpt-4o", "input_tokens": 20, "output_tokens": 2}] * 3)
    own = (await client.get(f"{BASE}/requests", headers=ch)).json()["data"]
    assert own["pagination"]["total_items"] == 3 and {i["user_id"] for i in own["items"]} == {colleague.id}
    r = await client.get(f"{BASE}/requests", params={"scope": "organization"}, headers=ch)
    assert r.status_code == 403
    org = (
        await client.get(f"{BASE}/requests", params={"scope": "organization", "per_page": 2}, headers=admin.headers)
    ).json()["data"]
    assert org["pagination"] == {"page": 1, "page_size": 2, "total_items": 4, "total_pages": 2}
    # the other organization sees none of it
    other = (await client.get(f"{BASE}/costs", headers=member.headers)).json()["data"]
    assert other["total_usd"] == 0 and other["by_model"] == []
    r = await client.post(
        f"{API}/prices", json={"model": "x", "input_cost_per_token": 0, "output_cost_per_token": 0}, headers=ch
    )
    assert r.status_code == 403
    r = await client.put(f"{API}/plan", json={"monthly_budget_usd": 5}, headers=ch)
    assert r.status_code == 403
    # another organization's price id is a 404
    price = (
        await client.post(
            f"{API}/prices",
            json={"model": "x", "input_cost_per_token": 0, "output_cost_per_token": 0},
            headers=admin.headers,
        )
    ).json()["data"]
    other_admin = await make_tenant("admin")
    assert (await client.delete(f"{API}/prices/{price['id']}", headers=other_admin.headers)).status_code == 404
    # export: members their own rows, admins the organization's
    csv_rows = (await client.get(f"{BASE}/export", params={"format": "csv"}, headers=ch)).text.strip().splitlines()
    assert len(csv_rows) == 4 and csv_rows[0].startswith("event_id,")
    exported = (await client.get(f"{BASE}/export", params={"format": "json"}, headers=admin.headers)).json()
    assert len(exported) == 4
    # superuser-only operations
    for path in (f"{BASE}/cache/metrics", f"{BASE}/debug/version", f"{BASE}/debug/aggregate-raw"):
        assert (await client.get(path, headers=admin.headers)).status_code == 403


async def test_superuser_diagnostics_agree_with_the_rollups(client, make_tenant):
    su = await make_tenant("superuser")
    await _ingest(client, su.headers, [{"model": "gpt-4o", "input_tokens": 100, "output_tokens": 10}])
    raw = (await client.get(f"{BASE}/debug/aggregate-raw", headers=su.headers)).json()["data"]
    assert raw["matches"] is True and raw["raw"][0]["requests"] == 1
    await rollups.rebuild_dirty()
    raw = (await client.get(f"{BASE}/debug/aggregate-raw", headers=su.headers)).json()["data"]
    assert raw["matches"] is True and raw["dirty_hours"] == 0
    version = (await client.get(f"{BASE}/debug/version", headers=su.headers)).json()["data"]
    assert version["package"] == "promptops-analytics" and version["applied_migrations"]
    caches = (await client.get(f"{BASE}/cache/metrics", headers=su.headers)).json()["data"]
    price_map = next(c for c in caches["totals"] if c["name"] == "price_map")
    assert price_map["hits"] + price_map["misses"] >= 1
    assert {"api_key", "rollup_rows", "edge_hours", "usage_rollup_sketches"} <= {c["name"] for c in caches["totals"]}
    await client.get(f"{BASE}/aggregate", headers={"Authorization": f"Bearer {su.api_key}"})
    await client.get(f"{BASE}/aggregate", headers={"Authorization": f"Bearer {su.api_key}"})
    caches = (await client.get(f"{BASE}/cache/metrics", headers=su.headers)).json()["data"]
    # this process's own snapshot (other tests' server processes report under the same prefix)
    mine = next(p for p in caches["processes"] if p["process"] == usage_caches.PROCESS)
    api_key = next(c for c in mine["caches"] if c["name"] == "api_key")
    assert api_key["hits"] >= 1 and api_key["size"] >= 1 and api_key["ratio"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": "gpt-4o", "input_tokens": -1}, "input_tokens"),
        ({"model": "gpt-4o", "input_tokens": 2**63}, "input_tokens"),
        ({"model": "gpt-4o", "input_tokens": 5, "cached_tokens": 6}, "body"),
        ({"resource_type": "gold", "model": "m"}, "resource_type"),
        ({"input_tokens": 5}, "body"),
        ({"model": "a\u0000b"}, "model"),
        ({"model": "m" * 201}, "model"),
        ({"model": None}, "model"),
        ({"model": "gpt-4o", "prompt_id": 2**40}, "prompt_id"),
        ({"model": "gpt-4o", "timestamp": "2999-01-01T00:00:00Z"}, "timestamp"),
    ],
)
async def test_hostile_events_are_a_400_naming_the_field(client, make_tenant, body, field):
    tenant = await make_tenant("member")
    r = await client.post(f"{API}/events", json=body, headers=tenant.headers)
    assert r.status_code == 400, r.text
    fields = [d["field"] for d in r.json()["error"]["details"]]
    assert any(field in f for f in fields), fields


async def test_bad_query_parameters_are_a_400_and_another_organizations_prompt_is_a_404(client, make_tenant):
    tenant = await make_tenant("member")
    h = tenant.headers
    for path, params, field in (
        (f"{BASE}/aggregate", {"period": "forever"}, "period"),
        (f"{BASE}/costs", {"period": "all_time"}, "period"),
        (f"{BASE}/logs", {"resource_type": "gold"}, "resource_type"),
        (f"{BASE}/logs", {"days": 0}, "days"),
        (f"{BASE}/requests", {"per_page": 101}, "per_page"),
        (f"{BASE}/export", {"format": "xml"}, "format"),
    ):
        r = await client.get(path, params=params, headers=h)
        assert r.status_code == 400, (path, r.text)
        assert r.json()["error"]["details"][0]["field"] == field
    other = await make_tenant("admin")
    prompt = await client.post("/api/v1/prompts", json={"name": "p", "text": "t"}, headers=other.headers)
    assert prompt.status_code in (200, 201), prompt.text
    r = await client.post(
        f"{API}/events", json={"model": "gpt-4o", "prompt_id": prompt.json()["data"]["id"]}, headers=h
    )
    assert r.status_code == 404


async def test_a_prompt_version_has_a_cost(client, make_tenant):
    tenant = await make_tenant("admin")
    prompt = await client.post("/api/v1/prompts", json={"name": "p", "text": "t"}, headers=tenant.headers)
    pid = prompt.json()["data"]["id"]
    await _ingest(
        client,
        tenant.headers,
        [{"model": "gpt-4o", "input_tokens": 1000, "prompt_id": pid, "version_hash": "v1"}] * 2,
    )
    data = (await client.get(f"{BASE}/costs", headers=tenant.headers)).json()["data"]
    assert data["by_prompt"] == [
        {
            "prompt_id": pid,
            "version_hash": "v1",
            "requests": 2,
            "input_tokens": 2000,
            "output_tokens": 0,
            "cost_usd": pytest.approx(2000 * 2.5e-6),
            "share_percent": pytest.approx(100),
        }
    ]
    q = 'query($p: Int!) { usagePromptVersionCost(promptId: $p, versionHash: "v1") { requests costUsd } }'
    r = await client.post("/graphql", json={"query": q, "variables": {"p": pid}}, headers=tenant.headers)
    assert r.json()["data"]["usagePromptVersionCost"] == {"requests": 2, "costUsd": pytest.approx(0.005)}


async def test_public_user_analytics(client, make_tenant):
    tenant = await make_tenant("member")
    h = tenant.headers
    name = f"streamer_{uuid.uuid4().hex[:8]}"
    r = await client.put(
        f"{API}/profile", json={"username": name, "display_name": "Streamer", "partner_status": "affiliate"}, headers=h
    )
    assert r.status_code == 200, r.text
    url = f"/v1/public/api/public/users/{name}/analytics"
    assert (await client.get(url)).status_code == 404  # not published
    await client.put(
        f"{API}/profile",
        json={"username": name, "display_name": "Streamer", "partner_status": "affiliate", "published": True},
        headers=h,
    )
    for started, seconds, views, avg, cat in ((2, 3600, 100, 10, "chess"), (1, 7200, 50, 40, "music")):
        r = await client.post(
            f"{API}/profile/sessions",
            json={
                "started_at": (datetime.now(UTC) - timedelta(days=started)).isoformat(),
                "duration_seconds": seconds,
                "views": views,
                "followers_gained": 3,
                "average_viewers": avg,
                "peak_viewers": avg * 2,
                "category": cat,
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
    r = await client.get(url)
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["total_views"] == 150 and data["total_followers"] == 6
    assert data["total_stream_hours"] == 3 and data["most_popular_category"] == "music"
    assert data["average_concurrent_viewers"] == pytest.approx((10 * 3600 + 40 * 7200) / 10800)
    assert data["is_affiliate"] and not data["is_partner"]
    assert "email" not in r.text and tenant.email not in r.text and "user_id" not in data
    etag = r.headers["etag"]
    assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304
    assert (await client.get(f"/v1/public/api/public/users/nobody-{name}/analytics")).status_code == 404
    # another user cannot take the name
    other = await make_tenant("member")
    r = await client.put(f"{API}/profile", json={"username": name.upper(), "display_name": "x"}, headers=other.headers)
    assert r.status_code == 409
    assert (await client.delete(f"{API}/profile", headers=h)).status_code == 204
    assert (await client.get(url)).status_code == 404


async def test_prometheus_has_usage_counters_by_model_and_budget_gauges(client, make_tenant):
    su = await make_tenant("superuser")
    await client.put(f"{API}/plan", json={"monthly_budget_usd": 10}, headers=su.headers)
    await _ingest(client, su.headers, [{"model": "gpt-4o", "input_tokens": 400_000, "output_tokens": 0}])  # $1
    await rollups.rebuild_dirty()
    from services.core.redis_client import get_redis, key
    from services.usage import metrics as usage_metrics

    await get_redis().delete(key(usage_metrics.CACHE))
    text = (await client.get("/metrics", headers=su.headers)).text
    assert 'promptops_usage_cost_usd_total{model="gpt-4o",provider="openai"}' in text
    assert 'promptops_usage_tokens_total{model="gpt-4o",provider="openai",type="input"}' in text
    line = next(
        x
        for x in text.splitlines()
        if x.startswith(f'promptops_usage_budget_remaining_usd{{organization_id="{su.organization_id}"}}')
    )
    assert float(line.split()[-1]) == pytest.approx(9.0)


async def test_prompt_version_cost_in_the_graph(client, make_tenant):
    tenant = await make_tenant("admin")
    prompt = await client.post("/api/v1/prompts", json={"name": "p", "text": "t"}, headers=tenant.headers)
    pid = prompt.json()["data"]["id"]
    # the version exists for the catalog once a prompt event names it
    r = await client.post(
        "/api/v1/prompts/analytics", json={"prompt_id": pid, "version_hash": "v9"}, headers=tenant.headers
    )
    assert r.status_code == 204
    await _ingest(
        client, tenant.headers, [{"model": "gpt-4o", "output_tokens": 1000, "prompt_id": pid, "version_hash": "v9"}]
    )
    q = "query($id: ID!) { prompt(id: $id) { versions { versionHash cost { requests costUsd outputTokens } } } }"
    r = await client.post("/graphql", json={"query": q, "variables": {"id": str(pid)}}, headers=tenant.headers)
    body = r.json()
    assert "errors" not in body, body
    assert body["data"]["prompt"]["versions"] == [
        {"versionHash": "v9", "cost": {"requests": 1, "costUsd": pytest.approx(0.01), "outputTokens": 1000}}
    ]


def test_debug_routes_are_absent_in_production():
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json; from api.app import create_app; app = create_app(); "
        "print(json.dumps(sorted({getattr(r, 'path', '') for r in app.routes})))"
    )
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": "s" * 48}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    paths = json.loads(done.stdout.strip().splitlines()[-1])
    assert f"{BASE}/aggregate" in paths and f"{BASE}/cache/metrics" in paths
    assert f"{BASE}/debug/version" not in paths and f"{BASE}/debug/aggregate-raw" not in paths


async def test_the_jobs_rebuild_dirty_hours_and_check_budgets(client, make_tenant):
    from workers.usage import check_usage_budgets, refresh_usage_rollups

    admin = await make_tenant("admin")
    assert (
        await client.put(f"{API}/plan", json={"monthly_budget_usd": 0.001}, headers=admin.headers)
    ).status_code == 400
    await client.put(f"{API}/plan", json={"monthly_budget_usd": 0.01}, headers=admin.headers)
    await _ingest(client, admin.headers, [{"model": "gpt-4o", "input_tokens": 5000, "output_tokens": 0}])
    assert admin.organization_id in {int(m.split(":")[0]) for m in await _dirty_members()}
    assert (await refresh_usage_rollups({}))["hours"] >= 1
    assert admin.organization_id not in {int(m.split(":")[0]) for m in await _dirty_members()}
    result = await check_usage_budgets({})
    assert result["notified"] >= 3  # 80, 95 and 100 % of a $0.01 budget by a $0.0125 call
    raw = (await client.get(f"{BASE}/aggregate", headers=admin.headers)).json()["data"]
    assert raw["budget"]["status"] == "exceeded" and raw["budget"]["progress"]["bar_percent"] == 100


async def _dirty_members() -> list[str]:
    from services.core.redis_client import get_redis, key

    return list(await get_redis().zrange(key(rollups.DIRTY), 0, -1))


async def test_an_over_long_username_is_a_400_naming_it(client):
    r = await client.get(f"/v1/public/api/public/users/{'a' * 41}/analytics")
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "username"


async def test_public_analytics_are_rate_limited_per_address(app, client):
    """At most PUBLIC_RATE_LIMIT reads a minute per client address, known names or not (no cheap
    enumeration); another address keeps its own budget."""
    import httpx

    from api.routes.usage import PUBLIC_RATE_LIMIT

    def from_address(host: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(host, 40000))  # type: ignore[arg-type]
        return httpx.AsyncClient(transport=transport, base_url="http://test")

    url = f"/v1/public/api/public/users/nobody_{uuid.uuid4().hex[:8]}/analytics"
    for attempt in range(3):  # the limiter's windows are whole minutes: a burst must not straddle two
        host = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
        await within_one_minute_window(20)
        minute = int(time.time()) // 60
        async with from_address(host) as http:
            codes = [(await http.get(url)).status_code for _ in range(PUBLIC_RATE_LIMIT + 1)]
            r = await http.get(url)
        if int(time.time()) // 60 == minute or attempt == 2:
            break
    assert codes[:PUBLIC_RATE_LIMIT] == [404] * PUBLIC_RATE_LIMIT and codes[-1] == 429
    assert r.status_code == 429 and r.json()["error"]["code"] == "RATE_LIMITED" and "retry-after" in r.headers
    async with from_address("198.51.100.9" if host != "198.51.100.9" else "198.51.100.10") as other:
        assert (await other.get(url)).status_code == 404


USAGE_GRAPHQL = """query($period: String!) {
  usage(period: $period) {
    period
    aggregate { planName totals { requests inputTokens outputTokens costUsd }
                resources { resourceType used limit status progress { barPercent color } }
                budget { budgetUsd spentUsd status } }
    costs { totalUsd requests byModel { model provider requests costUsd latencyP95Ms }
            byDay { date costUsd } byUser { userId costUsd } projection { budgetUsd projectedStatus } }
  }
  usageRequests(perPage: 2) { items { model inputTokens } pagination { totalItems totalPages } scope }
  modelPrices(model: "gpt-4o") { model source inputCostPerToken }
  usagePlan { name monthlyBudgetUsd limits periodStartDay }
}"""


async def test_usage_in_the_graph_is_the_rest_answer(client, make_tenant):
    admin = await make_tenant("admin")
    member = await make_tenant("member", org=None)
    h = admin.headers

    async def graph(query: str, variables: dict | None = None, headers=h) -> dict:
        r = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    plan = await graph(
        'mutation { setUsagePlan(plan: {name: "team", monthlyBudgetUsd: 5, limits: {llm_tokens: 100000}}) '
        "{ name monthlyBudgetUsd limits } }"
    )
    assert plan["data"]["setUsagePlan"] == {"name": "team", "monthlyBudgetUsd": 5.0, "limits": {"llm_tokens": 100000.0}}
    price = await graph(
        'mutation { setModelPrice(price: {model: "gpt-4o", provider: "openai", inputCostPerToken: 0.00001, '
        'outputCostPerToken: 0.00002, validFrom: "2020-01-01T00:00:00Z"}) { model source inputCostPerToken } }'
    )
    assert price["data"]["setModelPrice"] == {"model": "gpt-4o", "source": "organization", "inputCostPerToken": 1e-05}
    await _ingest(
        client,
        h,
        [
            {"model": "gpt-4o", "provider": "openai", "input_tokens": 1000, "output_tokens": 500, "latency_ms": 120},
            {"model": "gpt-4o", "provider": "openai", "input_tokens": 2000, "output_tokens": 0, "latency_ms": 80},
            {"model": "gpt-4o-mini", "provider": "openai", "input_tokens": 100, "output_tokens": 100},
        ],
    )
    body = await graph(USAGE_GRAPHQL, {"period": "current"})
    assert "errors" not in body, body
    data = body["data"]
    rest_aggregate = (await client.get(f"{BASE}/aggregate", headers=h)).json()["data"]
    rest_costs = (await client.get(f"{BASE}/costs", headers=h)).json()["data"]
    rest_requests = (await client.get(f"{BASE}/requests", params={"per_page": 2}, headers=h)).json()["data"]
    aggregate, costs = data["usage"]["aggregate"], data["usage"]["costs"]
    assert aggregate["planName"] == rest_aggregate["plan_name"] == "team"
    assert aggregate["totals"]["requests"] == rest_aggregate["totals"]["requests"] == 3
    assert aggregate["totals"]["costUsd"] == pytest.approx(rest_aggregate["totals"]["cost_usd"])
    llm = next(r for r in aggregate["resources"] if r["resourceType"] == "llm_tokens")
    assert llm["used"] == 3700 and llm["limit"] == 100000 and llm["status"] == "ok"
    # the organization's own gpt-4o price applies: 3000 input x 1e-5 + 500 output x 2e-5
    gpt4o = next(m for m in costs["byModel"] if m["model"] == "gpt-4o")
    assert gpt4o["costUsd"] == pytest.approx(0.04) and gpt4o["requests"] == 2
    assert gpt4o["latencyP95Ms"] == next(m for m in rest_costs["by_model"] if m["model"] == "gpt-4o")["latency_p95_ms"]
    assert costs["totalUsd"] == pytest.approx(rest_costs["total_usd"]) and costs["requests"] == 3
    assert [d["costUsd"] for d in costs["byDay"]] == pytest.approx([d["cost_usd"] for d in rest_costs["by_day"]])
    assert costs["projection"]["budgetUsd"] == 5.0
    assert data["usageRequests"]["pagination"] == {"totalItems": 3, "totalPages": 2}
    assert [i["model"] for i in data["usageRequests"]["items"]] == [i["model"] for i in rest_requests["items"]]
    assert {p["source"] for p in data["modelPrices"]} >= {"organization", "shipped"}
    assert data["usagePlan"]["monthlyBudgetUsd"] == 5.0 and data["usagePlan"]["periodStartDay"] == 1

    bad = await graph(USAGE_GRAPHQL, {"period": "yesterday"})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    too_many = await graph("{ usageRequests(perPage: 101) { scope } }")
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_REQUEST" and "per_page" in str(too_many["errors"][0])
    forbidden = await graph('mutation { setUsagePlan(plan: {name: "x"}) { name } }', headers=member.headers)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await graph("{ usagePlan { name } }", headers=member.headers))["data"]["usagePlan"]["name"] != "team"
