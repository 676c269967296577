"""Gateway telemetry against real loopback servers: Kong exposition, container health URLs (up, down,
slow), a WebSocket proxy's stats, garbage; and real WebSocket clients on this service's /graphql."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import shutil
from asyncio.subprocess import STDOUT
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from models.gateway import GatewaySample
from models.prompts import RollupLevel
from models.tools import ToolRollup
from services.core.config import get_settings
from services.gateway import probe as probe_module
from services.ingest import pipeline
from tests.conftest import start_server
from tests.gateway.targets import TargetServer
from workers.gateway import collect_gateway

TARGETS = "/api/v1/gateway/targets"
PROXY = "/v1/mcp/proxy"
LOOPBACK = "127.0.0.0/8,::1/128"


@contextlib.contextmanager
def environment(**values: str):
    """Set environment variables (settings are re-read), restored afterwards."""
    old = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


@pytest.fixture
def server():
    with environment(OUTBOUND_ALLOW_CIDRS=LOOPBACK), TargetServer() as s:
        yield s


async def _target(client, tenant, name: str, kind: str, url: str, **extra) -> dict:
    r = await client.post(TARGETS, json={"name": name, "kind": kind, "url": url, **extra}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def _get(client, tenant, path: str, **params) -> dict:
    r = await client.get(f"{PROXY}{path}", params=params, headers=tenant.headers)
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def test_kong_scrapes_are_parsed_and_rated(client, make_tenant, server):
    admin = await make_tenant("admin")
    await _target(client, admin, "edge kong, eu", "kong", server.url("/kong/metrics"))
    assert (await collect_gateway({}))["targets"] >= 1
    kong = await _get(client, admin, "/metrics/kong")
    assert kong["total_targets"] == 1 and kong["healthy_targets"] == 1
    assert kong["requests_total"] == 1060 and kong["rate_limited_total"] == 10
    assert kong["requests_by_class"]["2xx"] == 1000 and kong["requests_by_class"]["5xx"] == 50
    assert kong["error_rate"] == pytest.approx(100 * 60 / 1060, abs=0.01)
    assert kong["server_error_rate"] == pytest.approx(100 * 50 / 1060, abs=0.01)
    assert kong["avg_request_latency_ms"] == 30 and kong["avg_upstream_latency_ms"] == 20
    assert kong["bandwidth_bytes"] == {"ingress": 16000, "egress": 64000}
    assert kong["active_connections"] == 7 and kong["upstream_targets"] == {"healthy": 1, "unhealthy": 1}
    figures = kong["targets"][0]["figures"]
    assert figures["request_latency_ms"]["p95"] == 87.5  # 50 + 50 * (95 - 80) / (100 - 80)
    assert figures["requests_by_service"] == {"mcp": 1050, "billing": 10} and figures["datastore_reachable"] is True
    assert kong["targets"][0]["requests_per_second"] is None  # one scrape so far

    server.kong["200"] += 600
    cleared = await client.post(f"{PROXY}/metrics/clear-cache", headers=admin.headers)
    assert cleared.status_code == 200 and cleared.json()["data"]["keys_removed"] == 1
    kong = await _get(client, admin, "/metrics/kong", include_historical="true", time_range="1h")
    samples = await GatewaySample.filter(organization_id=admin.organization_id).order_by("collected_at")
    assert len(samples) == 2
    seconds = (samples[1].collected_at - samples[0].collected_at).total_seconds()
    assert kong["requests_total"] == 1660
    assert kong["requests_per_second"] == pytest.approx(600 / seconds, rel=1e-3)
    assert [p["requests_total"] for p in kong["history"]] == [1060, 1660]
    # the snapshot is cached: a read within its lifetime does not collect again
    await _get(client, admin, "/metrics/kong")
    assert await GatewaySample.filter(organization_id=admin.organization_id).count() == 2


async def test_container_health_up_down_slow_and_garbage_are_recorded_never_a_500(client, make_tenant, server):
    admin = await make_tenant("admin")
    await _target(client, admin, "a", "mcp_server", server.url("/health/a"))
    await _target(client, admin, "b", "mcp_server", server.url("/health/b"))
    await _target(client, admin, "slow", "mcp_server", server.url("/health/slow"), timeout_seconds=0.5)
    await _target(client, admin, "garbage kong", "kong", server.url("/garbage"))
    closed = server.url("/x").replace(str(server.port), "1")  # nothing listens on port 1
    await _target(client, admin, "gone", "mcp_server", closed)
    await collect_gateway({})
    c = await _get(client, admin, "/metrics/containers")
    by_name = {x["name"]: x for x in c["containers"]}
    assert by_name["a"]["healthy"] is True and by_name["a"]["http_status"] == 200
    assert by_name["a"]["resources"] == {"memory_bytes": 1048576, "cpu_percent": 12.5}
    assert by_name["slow"]["healthy"] is False and by_name["slow"]["error"] == "timed out after 0.5s"
    assert by_name["gone"]["healthy"] is False and by_name["gone"]["error"] == "connection failed"
    assert c["total_containers"] == 4 and c["healthy_containers"] == 2 and c["unhealthy_containers"] == 2
    kong = await _get(client, admin, "/metrics/kong")
    assert kong["targets"][0]["healthy"] is False and kong["targets"][0]["error"].startswith("unparseable answer")

    server.container_status["b"] = 503
    await client.post(f"{PROXY}/metrics/clear-cache", headers=admin.headers)
    c = await _get(client, admin, "/metrics/containers")
    b = next(x for x in c["containers"] if x["name"] == "b")
    assert b["healthy"] is False and b["error"] == "HTTP 503" and b["uptime_percent"] == 50.0 and b["probes"] == 2
    assert c["uptime_percent"] == pytest.approx(100 * 3 / 8)

    health = await _get(client, admin, "/health")
    components = {x["name"]: x for x in health["components"]}
    assert components["containers"]["status"] == "degraded" and components["containers"]["score"] == 25.0
    assert components["kong"]["status"] == "unhealthy" and components["kong"]["score"] == 0.0
    assert components["websocket"]["status"] == "not_configured" and components["billing"]["status"] == "not_configured"
    assert health["health_score"] == 12.5 and health["status"] == "unhealthy"
    assert health["probes_24h"] == 10 and health["uptime_percentage"] == 30.0
    assert health["last_incident"]["source"] == "probe"


async def test_websocket_proxy_stats_and_this_services_own_graphql_sockets(client, make_tenant, server):
    import websockets

    admin = await make_tenant("admin")
    root = await make_tenant("superuser")
    await _target(client, admin, "ws proxy", "websocket_proxy", server.url("/ws/stats"))
    await collect_gateway({})
    ws = await _get(client, admin, "/metrics/websocket")
    assert ws["service"] is None  # platform-wide figures: superusers only
    proxy = ws["proxies"][0]["figures"]
    assert proxy == {
        "active_connections": 3,
        "total_connections": 40,
        "messages_sent": 900,
        "messages_received": 300,
        "bytes_sent": 90000,
        "bytes_received": 30000,
        "connection_errors": 2,
        "avg_connection_duration_seconds": 10.0,
    }
    before = (await _get(client, root, "/metrics/websocket"))["service"]
    proc, port = start_server()
    try:
        url = f"ws://127.0.0.1:{port}/graphql"
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as sock:
            await sock.send(
                orjson.dumps({"type": "connection_init", "payload": {"authorization": admin.access_token}}).decode()
            )
            assert orjson.loads(await sock.recv())["type"] == "connection_ack"
            await sock.send('{"type": "ping"}')
            assert orjson.loads(await sock.recv())["type"] == "pong"
        with contextlib.suppress(websockets.ConnectionClosed):  # a bad credential: closed by the server (4403)
            async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as sock:
                await sock.send('{"type": "connection_init", "payload": {"authorization": "nope"}}')
                await sock.recv()
        for _ in range(200):  # counters are flushed when the server sees the close; the machine may be busy
            after = (await _get(client, root, "/metrics/websocket"))["service"]
            if (
                after["total_connections"] >= before["total_connections"] + 2
                and after["connection_errors"] > before["connection_errors"]
            ):
                break
            await asyncio.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert after["total_connections"] >= before["total_connections"] + 2
    assert after["messages_received"] >= before["messages_received"] + 3
    assert after["messages_sent"] >= before["messages_sent"] + 2
    assert (
        after["bytes_received"] > before["bytes_received"]
        and after["connection_errors"] >= before["connection_errors"] + 1
    )
    assert after["avg_connection_duration_seconds"] is not None


async def test_targets_are_admin_crud_scoped_to_the_organization_under_the_outbound_policy(client, make_tenant, server):
    admin = await make_tenant("admin")
    member = await make_tenant("member")
    stranger = await make_tenant("admin")
    body = {"name": "k", "kind": "kong", "url": server.url("/kong/metrics")}
    assert (await client.post(TARGETS, json=body, headers=member.headers)).status_code == 403
    assert (await client.get(TARGETS, headers=member.headers)).status_code == 403
    created = await _target(client, admin, **body)
    assert created["interval_seconds"] == 60 and created["last_collected_at"] is None
    assert (await client.post(TARGETS, json=body, headers=admin.headers)).status_code == 409
    one = f"{TARGETS}/{created['id']}"
    for method in ("GET", "PATCH", "DELETE"):
        r = await client.request(
            method, one, json={"enabled": False} if method == "PATCH" else None, headers=stranger.headers
        )
        assert r.status_code == 404, (method, r.text)
    assert (await client.get(TARGETS, headers=stranger.headers)).json()["data"]["total"] == 0
    patched = await client.patch(one, json={"interval_seconds": 30, "enabled": False}, headers=admin.headers)
    assert patched.json()["data"]["interval_seconds"] == 30 and patched.json()["data"]["enabled"] is False
    bad = [
        ({**body, "name": "p", "url": "http://10.1.2.3/metrics"}, "url"),
        ({**body, "name": "m", "url": "http://169.254.169.254/latest/meta-data"}, "url"),
        ({**body, "name": "f", "url": "ftp://example.com/x"}, "url"),
        ({**body, "name": "o", "url": "http://0177.0.0.1/"}, "url"),
        ({**body, "name": "x\u0000"}, "name"),
        ({**body, "name": "x" * 101}, "name"),
        ({**body, "name": None}, "name"),
        ({**body, "name": "i", "interval_seconds": 5}, "interval_seconds"),
        ({**body, "name": "i", "interval_seconds": 2**31}, "interval_seconds"),
        ({**body, "name": "k2", "kind": "nginx"}, "kind"),
    ]
    for payload, field in bad:
        r = await client.post(TARGETS, json=payload, headers=admin.headers)
        assert r.status_code == 400, (payload, r.text)
        assert r.json()["error"]["details"][0]["field"] == field, r.json()
    with environment(OUTBOUND_ALLOW_CIDRS=""):
        r = await client.post(TARGETS, json={**body, "name": "loop"}, headers=admin.headers)
        assert r.status_code == 400 and "loopback" in r.json()["error"]["details"][0]["message"]
        r = await client.patch(one, json={"url": "http://192.168.1.10/x"}, headers=admin.headers)
        assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "url"
        # a target saved while loopback was allowed is refused at collection time, recorded as unhealthy
        await client.patch(one, json={"enabled": True}, headers=admin.headers)
        await client.post(f"{PROXY}/metrics/clear-cache", headers=admin.headers)
        kong = await _get(client, admin, "/metrics/kong")
        assert (
            kong["targets"][0]["healthy"] is False
            and kong["targets"][0]["error"] == "destination refused by outbound policy"
        )
    assert (await client.get(f"{TARGETS}/{2**31}", headers=admin.headers)).status_code == 400
    assert (await client.delete(one, headers=admin.headers)).status_code == 204
    assert (await client.get(one, headers=admin.headers)).status_code == 404


async def test_members_get_the_filtered_view_and_no_admin_routes(client, make_tenant, server):
    admin = await make_tenant("admin")
    member = await make_tenant("member", org=await _org_name(admin))
    await _target(client, admin, "a", "mcp_server", server.url("/health/a"))
    await _target(client, admin, "k", "kong", server.url("/kong/metrics"))
    full = await _get(client, admin, "/metrics")
    assert full["view"] == "full" and full["billing"] is not None
    assert full["containers"]["containers"][0]["url"].startswith("http://127.0.0.1")
    filtered = await _get(client, member, "/metrics")
    assert filtered["view"] == "filtered" and filtered["billing"] is None
    assert filtered["containers"]["containers"][0]["url"] == "" and filtered["kong"]["targets"][0]["figures"] == {}
    assert filtered["kong"]["requests_total"] == 1060  # aggregates stay
    assert (await _get(client, member, "/health"))["components"][0]["status"] == "healthy"
    for method, path in [
        ("GET", "/metrics/kong"),
        ("GET", "/metrics/websocket"),
        ("GET", "/metrics/containers"),
        ("GET", "/metrics/billing"),
        ("GET", "/metrics/prometheus"),
        ("POST", "/metrics/clear-cache"),
        ("POST", "/metrics/export"),
    ]:
        r = await client.request(method, f"{PROXY}{path}", headers=member.headers)
        assert r.status_code == 403, (path, r.text)
    assert (await client.get(f"{PROXY}/health")).status_code == 401
    r = await client.get(f"{PROXY}/metrics", params={"time_range": "5y"}, headers=admin.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "time_range"


async def _org_name(tenant) -> str:
    from models.tenancy import Organization

    return (await Organization.get(id=tenant.organization_id)).name


def parse_line_protocol(text: str) -> list[tuple[str, dict[str, str], dict[str, object], int]]:
    """An independent InfluxDB line protocol reader (escapes, quoted strings, i-suffixed integers, booleans)."""
    points = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        parts, current, quoted, i = [], "", False, 0
        while i < len(line):  # split on unescaped, unquoted spaces
            ch = line[i]
            if ch == "\\" and i + 1 < len(line):
                current += line[i : i + 2]
                i += 2
                continue
            if ch == '"':
                quoted = not quoted
            if ch == " " and not quoted:
                parts.append(current)
                current = ""
            else:
                current += ch
            i += 1
        parts.append(current)
        assert len(parts) == 3, line
        series, field_set, stamp = parts

        def split(text: str, sep: str) -> list[str]:
            out, cur, q, j = [], "", False, 0
            while j < len(text):
                c = text[j]
                if c == "\\" and j + 1 < len(text):
                    cur += text[j : j + 2]
                    j += 2
                    continue
                if c == '"':
                    q = not q
                if c == sep and not q:
                    out.append(cur)
                    cur = ""
                else:
                    cur += c
                j += 1
            out.append(cur)
            return out

        def unescape(text: str) -> str:
            return re.sub(r"\\(.)", r"\1", text)

        measurement, *tag_items = split(series, ",")
        tags = {}
        for item in tag_items:
            k, v = split(item, "=")
            tags[unescape(k)] = unescape(v)
        fields: dict[str, object] = {}
        for item in split(field_set, ","):
            k, v = split(item, "=")
            if v.startswith('"'):
                value: object = unescape(v[1:-1])
            elif v.endswith("i"):
                value = int(v[:-1])
            elif v in ("true", "false"):
                value = v == "true"
            else:
                value = float(v)
            fields[unescape(k)] = value
        points.append((unescape(measurement), tags, fields, int(stamp)))
    return points


async def test_exports_prometheus_influx_and_json(client, make_tenant, server):
    admin = await make_tenant("admin")
    await _target(client, admin, "edge kong, eu", "kong", server.url("/kong/metrics"))
    await _target(client, admin, "a", "mcp_server", server.url("/health/a"))
    await collect_gateway({})

    r = await client.get(f"{PROXY}/metrics/prometheus", headers=admin.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = {f.name: f for f in text_string_to_metric_families(r.text)}
    kong_requests = families["mcp_proxy_kong_requests"]
    assert kong_requests.type == "counter"
    assert [(s.name, s.labels, s.value) for s in kong_requests.samples] == [
        ("mcp_proxy_kong_requests_total", {"target": "edge kong, eu"}, 1060.0)
    ]
    for name in families:  # promtool's lint rules: HELP and TYPE for every family, counters end in _total
        assert f"# HELP {name}" in r.text or f"# HELP {name}_total" in r.text
    assert all(
        line.split("{")[0].split(" ")[0].endswith("_total")
        for line in r.text.splitlines()
        if "kong_requests" in line and not line.startswith("#")
    )
    up = {s.labels["target"]: s.value for s in families["mcp_proxy_target_up"].samples}
    assert up == {"edge kong, eu": 1.0, "a": 1.0}

    r = await client.post(f"{PROXY}/metrics/export", json={"format": "influx"}, headers=admin.headers)
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
    points = _check_influx(r.text)  # the hand reader and line-protocol-parser (a dev dependency) agree
    kong = next(p for p in points if p[0] == "kong")
    assert kong[1] == {"organization": str(admin.organization_id), "target": "edge kong, eu"}
    assert (
        kong[2]["requests_total"] == 1060.0 and kong[2]["up"] is True and kong[2]["bandwidth_egress_bytes"] == 64000.0
    )
    container = next(p for p in points if p[0] == "mcp_container")
    assert container[2]["resource_memory_bytes"] == 1048576.0 and container[2]["probes"] == 1
    assert len({p[3] for p in points}) == 1

    r = await client.post(f"{PROXY}/metrics/export", headers=admin.headers)  # default: json
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    exported = orjson.loads(r.content)
    assert (
        exported["metrics"]["kong"]["requests_total"] == 1060 and exported["health"]["components"][0]["name"] == "kong"
    )
    r = await client.post(f"{PROXY}/metrics/export", json={"format": "xml"}, headers=admin.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "format"


async def test_billing_combines_usage_costs_and_tool_calls(client, make_tenant, server):
    admin = await make_tenant("admin")
    member = await make_tenant("member", org=await _org_name(admin))
    calls = [{"tool_name": "search", "mcp_server": "web", "duration_ms": 10}] * 3 + [
        {"tool_name": "sql", "mcp_server": "db", "duration_ms": 40, "error_type": "Timeout"}
    ]
    for tenant, batch in ((admin, calls), (member, calls[:1])):
        r = await client.post("/api/v1/tools/executions/batch", json={"events": batch}, headers=tenant.headers)
        assert r.status_code == 202
    usage = {"resource_type": "api_credits", "quantity": 5, "cost_usd": 0.25, "provider": "acme"}
    r = await client.post("/api/v1/usage/events", json=usage, headers=member.headers)
    assert r.status_code == 202, r.text
    await pipeline.drain("test")
    b = await _get(client, admin, "/metrics/billing")
    assert b["tool_calls"] == 5 and b["llm_requests"] == 1 and b["total_api_calls"] == 6
    assert b["active_users"] == 2 and b["avg_calls_per_user"] == 3.0
    assert b["credits_consumed"] == pytest.approx(0.25) and b["avg_credits_per_user"] == pytest.approx(0.125)
    assert b["gateway_requests"] is None
    mcp = [x for x in b["cost_by_service"] if x["kind"] == "mcp_server"]
    assert mcp == [
        {"service": "web", "kind": "mcp_server", "calls": 4, "errors": 0, "cost_usd": None, "total_duration_ms": 40.0},
        {"service": "db", "kind": "mcp_server", "calls": 1, "errors": 1, "cost_usd": None, "total_duration_ms": 40.0},
    ]
    llm = [x for x in b["cost_by_service"] if x["kind"] == "llm_provider"]
    assert sum(x["calls"] for x in llm) == 1 and sum(x["cost_usd"] for x in llm) == pytest.approx(0.25)
    assert sum(p["calls"] for p in b["peak_hours"]) == 5
    health = await _get(client, admin, "/health")
    assert next(c for c in health["components"] if c["name"] == "billing")["status"] == "healthy"


GRAPHQL_HEALTH = "{ gatewayHealth { status healthScore uptimePercentage probes24h components { name status score } } }"
GRAPHQL_METRICS = "query($r: String!) { gatewayMetrics(timeRange: $r) { view timeRange kong containers billing } }"


async def test_graphql_gateway_health_and_metrics_match_rest(client, make_tenant, server):
    admin = await make_tenant("admin")
    member = await make_tenant("member", org=await _org_name(admin))
    await _target(client, admin, "a", "mcp_server", server.url("/health/a"))
    await _target(client, admin, "k", "kong", server.url("/kong/metrics"))
    await collect_gateway({})
    r = await client.post("/graphql", json={"query": GRAPHQL_HEALTH}, headers=admin.headers)
    health = r.json()["data"]["gatewayHealth"]
    rest = await _get(client, admin, "/health")
    assert health["healthScore"] == rest["health_score"] == 100.0 and health["status"] == "healthy"
    assert [c["status"] for c in health["components"]] == [c["status"] for c in rest["components"]]
    r = await client.post("/graphql", json={"query": GRAPHQL_METRICS, "variables": {"r": "1h"}}, headers=member.headers)
    m = r.json()["data"]["gatewayMetrics"]
    assert m["view"] == "filtered" and m["billing"] is None and m["kong"]["requests_total"] == 1060
    assert m["containers"]["containers"][0]["url"] == ""
    r = await client.post("/graphql", json={"query": GRAPHQL_METRICS, "variables": {"r": "1y"}}, headers=admin.headers)
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    r = await client.post("/graphql", json={"query": GRAPHQL_HEALTH})
    assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"


async def _promtool(text: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        "promtool", "check", "metrics", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(text.encode()), timeout=30)
    return proc.returncode or 0, out.decode()


@pytest.mark.skipif(
    shutil.which("promtool") is None and not os.environ.get("CI"),
    reason="promtool not installed (.ci/run installs it; with CI set its absence fails this test)",
)
async def test_prometheus_export_passes_promtool_check_metrics(client, make_tenant, server):
    """Every family the export can hold (Kong, containers, a WebSocket proxy, this service's sockets,
    billing), through both the scrape route and ``export?format=prometheus``, passes promtool's lint."""
    if shutil.which("promtool") is None:
        pytest.fail("CI is set and promtool is missing: .ci/run's ensure_promtool could not install it")
    admin = await make_tenant("admin")
    await _target(client, admin, "edge kong, eu", "kong", server.url("/kong/metrics"))
    await _target(client, admin, "a", "mcp_server", server.url("/health/a"))
    await _target(client, admin, "b", "mcp_server", server.url("/health/b"))
    await _target(client, admin, "ws proxy", "websocket_proxy", server.url("/ws/stats"))
    r = await client.post(
        "/api/v1/tools/executions/batch",
        json={"events": [{"tool_name": "search", "mcp_server": "web", "duration_ms": 10}]},
        headers=admin.headers,
    )
    assert r.status_code == 202, r.text
    usage = {"resource_type": "api_credits", "quantity": 5, "cost_usd": 0.25, "provider": "acme"}
    assert (await client.post("/api/v1/usage/events", json=usage, headers=admin.headers)).status_code == 202
    await pipeline.drain("test")
    await collect_gateway({})
    server.kong["200"] += 10  # a second scrape, so the request rate is exported too
    await client.post(f"{PROXY}/metrics/clear-cache", headers=admin.headers)
    await collect_gateway({})

    scraped = await client.get(f"{PROXY}/metrics/prometheus", headers=admin.headers)
    exported = await client.post(f"{PROXY}/metrics/export", json={"format": "prometheus"}, headers=admin.headers)
    assert scraped.status_code == exported.status_code == 200
    for text in (scraped.text, exported.text):
        families = {f.name for f in text_string_to_metric_families(text)}
        assert {"mcp_proxy_kong_requests", "mcp_proxy_target_response_seconds", "mcp_proxy_calls_30d"} <= families
        code, out = await _promtool(text)
        assert code == 0, out + "\n" + text


async def test_the_last_incident_is_the_latest_of_unhealthy_probes_and_the_organizations_alerts(
    client, make_tenant, server
):
    """An unhealthy probe is an incident; an alert of the organization that started later is the last one
    (admins; a member's filtered view has no alerts), and another organization's alert never shows."""
    from datetime import UTC, datetime, timedelta

    from models.alerts import Alert

    admin = await make_tenant("admin")
    member = await make_tenant("member", org=await _org_name(admin))
    stranger = await make_tenant("admin", org=None)
    server.container_status["b"] = 503
    await _target(client, admin, "b", "mcp_server", server.url("/health/b"))
    await collect_gateway({})
    health = await _get(client, admin, "/health")
    assert health["last_incident"]["source"] == "probe" and health["last_incident"]["detail"] == "b: HTTP 503"
    later = datetime.now(UTC) + timedelta(seconds=5)
    for tenant, message in ((stranger, "not yours"), (admin, "p95 latency above 800 ms")):
        await Alert.create(
            organization_id=tenant.organization_id,
            source="rule",
            status="firing",
            severity="critical",
            message=message,
            started_at=later,
            firing_at=later,
        )
    health = await _get(client, admin, "/health")
    assert health["last_incident"]["source"] == "alert"
    assert health["last_incident"]["detail"] == "p95 latency above 800 ms"
    assert (await _get(client, member, "/health"))["last_incident"]["source"] == "probe"


# --------------------------------------------------------------------------- garbage that parses (issue 15 review)

GRAPHQL_ALL = (
    "query($r: String!) { gatewayMetrics(includeHistorical: true, timeRange: $r) { view kong websocket containers "
    "billing } gatewayHealth { status healthScore } }"
)


async def _every_view_answers(client, tenant, time_range: str = "24h") -> dict[str, str]:
    """Every proxy view, export format and the GraphQL fields answer 200 (no errors); the text exports are returned.
    A member gets the views members may read."""
    r = await client.post(
        "/graphql", json={"query": GRAPHQL_ALL, "variables": {"r": time_range}}, headers=tenant.headers
    )
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    if tenant.role.value == "member":
        await _get(client, tenant, "/health")
        await _get(client, tenant, "/metrics", include_historical="true", time_range=time_range)
        return {}
    for path, params in [
        ("/health", {}),
        ("/metrics", {}),
        ("/metrics", {"include_historical": "true", "time_range": time_range}),
        ("/metrics/kong", {"include_historical": "true", "time_range": time_range}),
        ("/metrics/websocket", {}),
        ("/metrics/containers", {"time_range": time_range}),
        ("/metrics/billing", {}),
    ]:
        await _get(client, tenant, path, **params)
    texts = {}
    r = await client.get(f"{PROXY}/metrics/prometheus", headers=tenant.headers)
    assert r.status_code == 200, r.text
    texts["scrape"] = r.text
    for fmt in ("json", "prometheus", "influx"):
        body = {"format": fmt, "include_historical": True, "time_range": time_range}
        r = await client.post(f"{PROXY}/metrics/export", json=body, headers=tenant.headers)
        assert r.status_code == 200, (fmt, r.text)
        texts[fmt] = r.text
    r = await client.post(
        "/graphql", json={"query": GRAPHQL_ALL, "variables": {"r": time_range}}, headers=tenant.headers
    )
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    return texts


def _no_duplicate_series(text: str) -> None:
    seen = set()
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            series = (s.name, tuple(sorted(s.labels.items())))
            assert series not in seen, series
            seen.add(series)


def _check_influx(text: str) -> list:
    """Line protocol read by InfluxDB's own parser (line-protocol-parser, a dev dependency) and by the hand reader
    above, the same way; neither accepts NaN or inf, which the export must never write."""
    from line_protocol_parser import parse_line

    points = parse_line_protocol(text)
    independent = [parse_line(line) for line in text.splitlines()]
    assert [(x["measurement"], x["tags"], x["fields"], x["time"]) for x in independent] == points
    assert all(math.isfinite(v) for p in points for v in p[2].values() if isinstance(v, float)), text
    return points


async def test_garbage_that_parses_is_unhealthy_never_a_500_and_never_stops_the_others(client, make_tenant, server):
    """NaN/-Inf in Kong text, a NUL in a label value, NUL in a container's JSON status and field names, a binary
    body, JSON that does not parse: each target is unhealthy with its reason; plain "OK" stays healthy; the other
    targets and another organization are collected in the same cycle; every view answers 200."""
    admin = await make_tenant("admin")
    other = await make_tenant("admin")
    for name, kind, path in [
        ("good kong", "kong", "/kong/metrics"),
        ("nan kong", "kong", "/nan"),
        ("inf kong", "kong", "/inf"),
        ("nul kong", "kong", "/nul"),
        ("nul ws", "websocket_proxy", "/nul"),
        ("nul container", "mcp_server", "/cnul"),
        ("binary container", "mcp_server", "/binary"),
        ("broken json", "mcp_server", "/badjson"),
        ("plain ok", "mcp_server", "/plain"),
        ("a", "mcp_server", "/health/a"),
    ]:
        await _target(client, admin, name, kind, server.url(path))
    await _target(client, other, "theirs", "mcp_server", server.url("/health/a"))
    await collect_gateway({})

    errors = {
        t["name"]: (t["last_healthy"], t["last_error"])
        for t in (await client.get(TARGETS, headers=admin.headers)).json()["data"]["items"]
    }
    assert errors == {
        "good kong": (True, None),
        "nan kong": (False, "unparseable answer: non-finite value"),
        "inf kong": (False, "unparseable answer: non-finite value"),
        "nul kong": (False, "unparseable answer: NUL character in the answer"),
        "nul ws": (False, "unparseable answer: NUL character in the answer"),
        "nul container": (False, "unparseable answer: NUL character or invalid text in status"),
        "binary container": (False, "unparseable answer: not UTF-8 text"),
        "broken json": (False, "unparseable answer: invalid JSON"),
        "plain ok": (True, None),
        "a": (True, None),
    }
    assert await GatewaySample.filter(organization_id=admin.organization_id).count() == 10
    theirs = (await client.get(TARGETS, headers=other.headers)).json()["data"]["items"][0]
    assert theirs["last_healthy"] is True and theirs["last_collected_at"] is not None
    texts = await _every_view_answers(client, admin)
    for text in (texts["scrape"], texts["prometheus"]):
        _no_duplicate_series(text)
        assert "NaN" not in text and "Inf" not in text
    _check_influx(texts["influx"])
    kong = await _get(client, admin, "/metrics/kong")
    assert kong["requests_total"] == 1060 and kong["healthy_targets"] == 1  # only the good scrape counts
    await _every_view_answers(client, await make_tenant("member", org=await _org_name(admin)))


async def test_a_collector_bug_on_one_target_is_that_targets_unhealthy_probe_and_the_cycle_goes_on(
    client, make_tenant, server, monkeypatch
):
    """The probe's catch-all: a parser raising what it never should (a bug, injected here into the Kong
    parser) makes that target unhealthy naming the exception's type; the container target of the same
    cycle is collected and every view still answers 200."""
    admin = await make_tenant("admin")
    await _target(client, admin, "kong", "kong", server.url("/kong/metrics"))
    await _target(client, admin, "container", "mcp_server", server.url("/health/a"))

    def broken(text: str) -> dict:
        raise KeyError("a bug")

    monkeypatch.setattr(probe_module, "parse_kong", broken)
    await collect_gateway({})
    errors = {
        t["name"]: (t["last_healthy"], t["last_error"])
        for t in (await client.get(TARGETS, headers=admin.headers)).json()["data"]["items"]
    }
    assert errors == {"kong": (False, "collector error (KeyError)"), "container": (True, None)}
    assert await GatewaySample.filter(organization_id=admin.organization_id).count() == 2
    await _every_view_answers(client, admin)


async def test_a_container_answer_with_a_nul_field_name_is_refused(client, make_tenant, server):
    """The NUL in a field name alone (status clean) is refused too: jsonb cannot hold it."""
    admin = await make_tenant("admin")
    await _target(client, admin, "nul key", "mcp_server", server.url("/cnulkey"))
    c = await _get(client, admin, "/metrics/containers")  # never collected: this read collects it
    only = c["containers"][0]
    assert (
        only["healthy"] is False
        and only["error"] == "unparseable answer: NUL character or invalid text in a field name"
    )


async def test_label_breakdowns_are_capped(client, make_tenant, server):
    admin = await make_tenant("admin")
    await _target(client, admin, "many", "kong", server.url("/many"))
    kong = await _get(client, admin, "/metrics/kong")  # never collected: this read collects it
    by_service = kong["targets"][0]["figures"]["requests_by_service"]
    assert len(by_service) == 100 and max(len(k) for k in by_service) == 100  # long names cut, a hash keeps them apart
    assert by_service["(other)"] == 201 and sum(by_service.values()) == 300 == kong["requests_total"]
    assert all(k == "(other)" or re.fullmatch("s{91}~[0-9a-f]{8}", k) for k in by_service)


async def test_a_sample_the_database_refuses_is_kept_without_its_figures(make_tenant, server):
    """The storing fallback itself (the parsers refuse NUL before it): on PostgreSQL a row with a NUL in its
    figures fails the organization's bulk insert, then alone, and is kept unhealthy without figures, while
    the other row is stored as it was; SQLite stores both as they are."""
    from datetime import UTC, datetime

    from models.gateway import GatewayTarget
    from services.gateway import collect

    admin = await make_tenant("admin")
    a = await GatewayTarget.create(organization_id=admin.organization_id, name="a", kind="kong", url=server.url("/a"))
    b = await GatewayTarget.create(organization_id=admin.organization_id, name="b", kind="kong", url=server.url("/b"))
    row = {"organization_id": admin.organization_id, "kind": "kong", "collected_at": datetime.now(UTC)}
    kept = await collect._store(
        [
            {
                **row,
                "target_id": a.id,
                "healthy": True,
                "response_ms": 1.0,
                "http_status": 200,
                "error": None,
                "figures": {"requests_by_service": {"x\u0000y": 1.0}},
            },
            {
                **row,
                "target_id": b.id,
                "healthy": True,
                "response_ms": 1.0,
                "http_status": 200,
                "error": None,
                "figures": {"requests_total": 5.0},
            },
        ]
    )
    stored = {s.target_id: s for s in await GatewaySample.filter(organization_id=admin.organization_id)}
    assert sorted(s.target_id for s in kept) == sorted(stored) == sorted([a.id, b.id])
    assert stored[b.id].healthy is True and stored[b.id].figures == {"requests_total": 5.0}
    if get_settings().is_postgres:
        assert stored[a.id].healthy is False and stored[a.id].error == collect.NOT_STORABLE
        assert stored[a.id].figures == {}
    else:
        assert stored[a.id].figures == {"requests_by_service": {"x\u0000y": 1.0}}


async def test_stored_figures_with_nulls_read_as_zero(client, make_tenant, server):
    """Samples stored before non-finite values were refused hold null where NaN was (orjson writes NaN as null):
    every view and export still answers 200, the missing figures counting as 0."""
    from datetime import UTC, datetime, timedelta

    from models.gateway import GatewayTarget

    admin = await make_tenant("admin")
    kong = await _target(client, admin, "old kong", "kong", server.url("/kong/metrics"), enabled=False)
    ws = await _target(client, admin, "old ws", "websocket_proxy", server.url("/ws/stats"), enabled=False)
    box = await _target(client, admin, "old box", "mcp_server", server.url("/health/a"), enabled=False)
    nulls = {
        "kong": {
            "requests_total": None,
            "rate_limited_total": None,
            "client_errors_total": None,
            "requests_by_class": {"2xx": 5.0, "5xx": None},
            "bandwidth_bytes": {"ingress": None, "egress": 3.0},
            "upstream_targets": {"healthy": None},
            "connections": {"active": None},
            "request_latency_ms": {"sum": None, "count": 3.0, "avg": None},
        },
        "websocket_proxy": {"messages_sent": None, "duration_seconds_sum": None, "duration_seconds_count": 2.0},
        "mcp_server": {"status": "ok", "resources": {"cpu_percent": None}},
    }
    now = datetime.now(UTC)
    for target in (kong, ws, box):
        for age in (120, 60):
            await GatewaySample.create(
                organization_id=admin.organization_id,
                target_id=target["id"],
                kind=target["kind"],
                collected_at=now - timedelta(seconds=age),
                healthy=True,
                figures=nulls[target["kind"]],
            )
        await GatewayTarget.filter(id=target["id"]).update(
            last_collected_at=now - timedelta(seconds=60), last_healthy=True
        )
    texts = await _every_view_answers(client, admin, "1h")
    _check_influx(texts["influx"])
    k = await _get(client, admin, "/metrics/kong")
    assert k["requests_total"] == 0 and k["targets"][0]["requests_total"] is None
    assert k["requests_by_class"]["5xx"] == 0 and k["avg_request_latency_ms"] == 0.0
    w = await _get(client, admin, "/metrics/websocket")
    assert w["proxies"][0]["figures"]["avg_connection_duration_seconds"] == 0.0
    assert w["proxies"][0]["figures"]["messages_sent"] is None
    c = await _get(client, admin, "/metrics/containers")
    assert c["containers"][0]["resources"] == {"cpu_percent": 0.0}


async def test_a_target_deleted_mid_cycle_costs_only_its_own_sample(client, make_tenant, server):
    """The cycle's insert of a sample whose target was deleted while it was probed fails alone: the other
    targets of the organization and of another organization are stored."""
    admin = await make_tenant("admin")
    other = await make_tenant("admin")
    server.slow_seconds = 1.0
    doomed = await _target(client, admin, "doomed", "mcp_server", server.url("/health/slow"), timeout_seconds=5)
    await _target(client, admin, "a", "mcp_server", server.url("/health/a"))
    await _target(client, other, "theirs", "kong", server.url("/kong/metrics"))
    cycle = asyncio.create_task(collect_gateway({}))
    for _ in range(200):
        if server.hits.get("/health/slow"):
            break
        await asyncio.sleep(0.01)
    assert server.hits.get("/health/slow"), "the slow target was never probed"
    r = await client.delete(f"{TARGETS}/{doomed['id']}", headers=admin.headers)
    assert r.status_code == 204
    await cycle  # no exception
    assert await GatewaySample.filter(target_id=doomed["id"]).count() == 0
    mine = await GatewaySample.filter(organization_id=admin.organization_id).prefetch_related("target")
    assert [(s.target.name, s.healthy) for s in mine] == [("a", True)]
    assert (await _get(client, other, "/metrics/kong"))["requests_total"] == 1060
    await _every_view_answers(client, admin)


# --------------------------------------------------------------------------- reads do not collect (issue 15 review)


async def test_reads_serve_stored_samples_and_collect_inline_only_after_clear_cache_once(client, make_tenant, server):
    admin = await make_tenant("admin")
    member = await make_tenant("member", org=await _org_name(admin))
    k = await _target(client, admin, "k", "kong", server.url("/kong/metrics"))
    await collect_gateway({})
    assert server.hits["/kong/metrics"] == 1
    # a snapshot miss (here: a target changed, which drops the snapshot) recomputes from stored samples
    server.kong["200"] += 100
    await client.patch(f"{TARGETS}/{k['id']}", json={"interval_seconds": 30}, headers=admin.headers)
    for tenant in (member, admin, member):
        await _get(client, tenant, "/metrics")
    assert server.hits["/kong/metrics"] == 1
    assert (await _get(client, admin, "/metrics/kong"))["requests_total"] == 1060
    # clear-cache: concurrent reads (members' too) collect once between them
    assert (await client.post(f"{PROXY}/metrics/clear-cache", headers=admin.headers)).status_code == 200
    reads = [_get(client, t, "/metrics") for t in (member, admin, member, admin, member)]
    views = await asyncio.gather(*reads, _get(client, admin, "/metrics/kong"))
    assert server.hits["/kong/metrics"] == 2
    assert all(v["kong"]["requests_total"] == 1160 for v in views[:-1]) and views[-1]["requests_total"] == 1160
    await _get(client, admin, "/metrics/kong")
    assert server.hits["/kong/metrics"] == 2 and await GatewaySample.filter(target_id=k["id"]).count() == 2
    # clear-cache, then the worker collects before any read: that read has nothing left to collect
    from datetime import UTC, timedelta

    from services.gateway import collect_due

    await client.post(f"{PROXY}/metrics/clear-cache", headers=admin.headers)
    await collect_due(datetime.now(UTC) + timedelta(days=1))  # every target is due
    assert server.hits["/kong/metrics"] == 3
    await _get(client, admin, "/metrics")
    assert server.hits["/kong/metrics"] == 3


async def test_target_changes_drop_the_snapshot_and_a_new_url_starts_afresh(client, make_tenant, server):
    admin = await make_tenant("admin")
    await _target(client, admin, "a", "mcp_server", server.url("/health/a"))
    await collect_gateway({})
    assert (await _get(client, admin, "/metrics/containers"))["total_containers"] == 1
    b = await _target(client, admin, "b", "mcp_server", server.url("/health/b"))
    c = await _get(client, admin, "/metrics/containers")  # created: snapshot dropped; b never collected: collected
    assert c["total_containers"] == 2 and c["healthy_containers"] == 2
    assert server.hits["/health/a"] == 1 and server.hits["/health/b"] == 1
    server.container_status["b"] = 503
    await client.post(f"{PROXY}/metrics/clear-cache", headers=admin.headers)
    assert (
        next(x for x in (await _get(client, admin, "/metrics/containers"))["containers"] if x["name"] == "b")["error"]
        == "HTTP 503"
    )
    r = await client.patch(f"{TARGETS}/{b['id']}", json={"url": server.url("/plain")}, headers=admin.headers)
    assert r.status_code == 200, r.text
    fresh = r.json()["data"]
    assert fresh["last_healthy"] is None and fresh["last_error"] is None and fresh["last_collected_at"] is None
    c = await _get(client, admin, "/metrics/containers")
    b_now = next(x for x in c["containers"] if x["name"] == "b")
    assert b_now["healthy"] is True and server.hits["/plain"] == 1
    r = await client.delete(f"{TARGETS}/{b['id']}", headers=admin.headers)
    assert r.status_code == 204
    assert (await _get(client, admin, "/metrics/containers"))["total_containers"] == 1


# --------------------------------------------------------------------------- PATCH nulls, named windows, duplicates


async def test_patch_with_null_is_a_400_naming_the_field(client, make_tenant, server):
    admin = await make_tenant("admin")
    t = await _target(client, admin, "k", "kong", server.url("/kong/metrics"))
    for field in ("name", "url", "enabled", "interval_seconds", "timeout_seconds"):
        r = await client.patch(f"{TARGETS}/{t['id']}", json={field: None}, headers=admin.headers)
        assert r.status_code == 400, (field, r.text)
        assert r.json()["error"]["details"][0]["field"] == field
    r = await client.patch(f"{TARGETS}/{t['id']}", json={"name": "k2"}, headers=admin.headers)
    assert r.status_code == 200 and r.json()["data"]["name"] == "k2" and r.json()["data"]["enabled"] is True


async def test_time_range_takes_the_named_windows(client, make_tenant, server):
    admin = await make_tenant("admin")
    await _target(client, admin, "k", "kong", server.url("/kong/metrics"))
    await _target(client, admin, "a", "mcp_server", server.url("/health/a"))
    await collect_gateway({})
    for window in ("1h", "24h", "7d", "30d", "90d"):
        m = await _get(client, admin, "/metrics", include_historical="true", time_range=window)
        assert m["time_range"] == window and len(m["kong"]["history"]) == 1
        assert (await _get(client, admin, "/metrics/containers", time_range=window))["containers"][0]["probes"] == 1
        await _every_view_answers(client, admin, window)
    for bad in ("6h", "1y", "last_7_days"):
        r = await client.get(f"{PROXY}/metrics/kong", params={"time_range": bad}, headers=admin.headers)
        assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "time_range"


async def test_exports_keep_colliding_names_apart(client, make_tenant, server):
    """A WebSocket proxy named "service" next to this service's own sockets, an MCP server named "(unspecified)"
    next to calls that named no server: distinct series in Prometheus text and distinct points in line protocol."""
    root = await make_tenant("superuser")
    await _target(client, root, "service", "websocket_proxy", server.url("/ws/stats"))
    events = [
        {"tool_name": "search", "mcp_server": "(unspecified)", "duration_ms": 10},
        {"tool_name": "search", "duration_ms": 10},
        {"tool_name": "search", "duration_ms": 10},
    ]
    r = await client.post("/api/v1/tools/executions/batch", json={"events": events}, headers=root.headers)
    assert r.status_code == 202, r.text
    await pipeline.drain("test")
    await collect_gateway({})
    b = await _get(client, root, "/metrics/billing")
    servers = {x["service"]: x["calls"] for x in b["cost_by_service"] if x["kind"] == "mcp_server"}
    assert servers == {None: 2, "(unspecified)": 1}
    texts = await _every_view_answers(client, root)
    for text in (texts["scrape"], texts["prometheus"]):
        _no_duplicate_series(text)
        families = {f.name: f for f in text_string_to_metric_families(text)}
        active = {
            (s.labels["kind"], s.labels["source"]) for s in families["mcp_proxy_websocket_active_connections"].samples
        }
        assert active == {("websocket_proxy", "service"), ("service", "service")}
        calls = {
            s.labels["service"]: s.value
            for s in families["mcp_proxy_calls_30d"].samples
            if s.labels["kind"] == "mcp_server"
        }
        assert calls == {"": 2.0, "(unspecified)": 1.0}
        if shutil.which("promtool"):
            code, out = await _promtool(text)
            assert code == 0, out + "\n" + text
    points = _check_influx(texts["influx"])
    billing = [
        (p[1].get("service"), p[2]["calls"])
        for p in points
        if p[0] == "mcp_billing_service" and p[1]["kind"] == "mcp_server"
    ]
    assert sorted(billing, key=str) == sorted([(None, 2), ("(unspecified)", 1)], key=str)


# --------------------------------------------------------------------------- history of websocket, containers, billing


async def test_websocket_containers_and_billing_views_have_history(client, make_tenant, server):
    admin = await make_tenant("admin")
    await _target(client, admin, "ws proxy", "websocket_proxy", server.url("/ws/stats"))
    await _target(client, admin, "a", "mcp_server", server.url("/health/a"))
    events = [{"tool_name": "search", "mcp_server": "web", "duration_ms": 10}] * 2 + [
        {"tool_name": "sql", "mcp_server": "db", "duration_ms": 40, "error_type": "Timeout"}
    ]
    r = await client.post("/api/v1/tools/executions/batch", json={"events": events}, headers=admin.headers)
    assert r.status_code == 202, r.text
    await pipeline.drain("test")
    await collect_gateway({})
    server.ws_sent += 600
    server.container_status["a"] = 503
    await client.post(f"{PROXY}/metrics/clear-cache", headers=admin.headers)

    ws = await _get(client, admin, "/metrics/websocket", include_historical="true", time_range="1h")
    samples = await GatewaySample.filter(organization_id=admin.organization_id, kind="websocket_proxy").order_by("id")
    assert len(samples) == 2
    seconds = (samples[1].collected_at - samples[0].collected_at).total_seconds()
    history = ws["history"]
    assert [p["target"] for p in history] == ["ws proxy", "ws proxy"]
    assert history[0]["messages_per_second"] is None
    assert history[1]["messages_per_second"] == pytest.approx(600 / seconds, rel=1e-3)
    assert history[1]["active_connections"] == 3 and history[1]["connection_errors"] == 2
    assert (await _get(client, admin, "/metrics/websocket"))["history"] is None

    c = await _get(client, admin, "/metrics/containers", include_historical="true", time_range="1h")
    probes = [(p["target"], p["healthy"], p["http_status"]) for p in c["history"]]
    assert probes == [("a", True, 200), ("a", False, 503)]
    assert c["history"][1]["error"] == "HTTP 503"
    assert (await _get(client, admin, "/metrics/containers", time_range="1h"))["history"] is None

    for window, step, buckets in (("1h", 300, (12, 13)), ("24h", 3600, (24, 25)), ("7d", 21600, (28, 29))):
        b = await _get(client, admin, "/metrics/billing", include_historical="true", time_range=window)
        points = b["history"]
        assert len(points) in buckets, (window, len(points))
        assert sum(p["tool_calls"] for p in points) == 3 and sum(p["errors"] for p in points) == 1
        assert sum(p["total_duration_ms"] for p in points) == 60.0
        assert all(
            (datetime.fromisoformat(p["end"]) - datetime.fromisoformat(p["start"])).total_seconds() == step
            for p in points
        )
        assert points[-1]["tool_calls"] == 3 or sum(p["tool_calls"] for p in points[-2:]) == 3  # just now
    assert (await _get(client, admin, "/metrics/billing"))["history"] is None

    m = await _get(client, admin, "/metrics", include_historical="true", time_range="24h")
    assert len(m["websocket"]["history"]) == 2 and len(m["containers"]["history"]) == 2
    assert sum(p["tool_calls"] for p in m["billing"]["history"]) == 3
    member = await make_tenant("member", org=await _org_name(admin))
    filtered = await _get(client, member, "/metrics", include_historical="true", time_range="24h")
    assert filtered["billing"] is None and len(filtered["containers"]["history"]) == 2
    await _every_view_answers(client, admin, "90d")


async def test_billing_history_of_past_hours_comes_from_rollups_and_equals_the_raw_calls(client, make_tenant):
    """Past hours' calls are summed from the tool rollups once rolled up (dirty hours and the open hour from
    raw calls): the 7-day history is the same before the rebuild, after it, and with a late call."""
    from services import tools

    admin = await make_tenant("admin")
    now = datetime.now(UTC)
    calls = [(3, "a", 10.0, None), (3, "b", 20.0, "Timeout"), (30, "a", 5.5, None), (100, "c", 7.0, None)]

    async def log(rows):
        events = [
            {"tool_name": t, "duration_ms": d, "started_at": (now - timedelta(hours=h)).isoformat(),
             **({"error_type": e} if e else {})}
            for h, t, d, e in rows
        ]  # fmt: skip
        r = await client.post("/api/v1/tools/executions/batch", json={"events": events}, headers=admin.headers)
        assert r.status_code == 202, r.text
        await pipeline.drain("test")

    async def history():
        await client.post(f"{PROXY}/metrics/clear-cache", headers=admin.headers)  # views are kept 30 s
        b = await _get(client, admin, "/metrics/billing", include_historical="true", time_range="7d")
        return {
            datetime.fromisoformat(p["start"]): (p["tool_calls"], p["errors"], p["total_duration_ms"])
            for p in b["history"]
            if p["tool_calls"]
        }

    def expected(rows):
        out = {}
        for h, _, d, e in rows:
            start = (now - timedelta(hours=h)).timestamp() // 21600 * 21600
            key = datetime.fromtimestamp(start, UTC)
            n, errors, total = out.get(key, (0, 0, 0.0))
            out[key] = (n + 1, errors + (e is not None), total + d)
        return out

    await log(calls)
    assert await history() == expected(calls)  # dirty hours: raw calls
    assert await tools.rebuild_dirty() > 0
    assert await history() == expected(calls)  # rolled up: from the hourly rollup rows
    late = [(30, "a", 1.25, "Late")]
    await log(late)
    assert await history() == expected(calls + late)  # a late call re-opens its hour: raw again


async def test_billing_counts_servers_users_and_hours_from_rollups_equal_to_the_raw_calls(client, make_tenant):
    """Billing's per-server calls, callers and peak hours come from the tool rollups once rolled up
    (the edges, dirty hours and the open hour from raw calls): the same before the rebuild, after it,
    with a late call, and through the upgrade that added servers to rollup rows built without them."""
    from services import tools
    from workers.tools import refresh_tool_rollups

    admin = await make_tenant("admin")
    member = await make_tenant("member", org=await _org_name(admin))
    now = datetime.now(UTC)
    # (tenant, hours ago, tool, server, duration, error type)
    calls = [
        (admin, 0.01, "search", "web", 10.0, None),
        (admin, 3, "search", "web", 20.0, "Timeout"),
        (member, 3, "sql", "db", 5.5, None),
        (admin, 30, "sql", "db", 7.0, None),
        (member, 100, "search", None, 1.25, None),
        (admin, 100, "fetch", "web", 2.0, "HTTP 502"),
    ]

    async def log(rows):
        for tenant in (admin, member):
            events = [
                {"tool_name": t, "duration_ms": d, "started_at": (now - timedelta(hours=h)).isoformat(),
                 **({"mcp_server": s} if s else {}), **({"error_type": e} if e else {})}
                for who, h, t, s, d, e in rows if who is tenant
            ]  # fmt: skip
            if events:
                r = await client.post("/api/v1/tools/executions/batch", json={"events": events}, headers=tenant.headers)
                assert r.status_code == 202, r.text
        await pipeline.drain("test")

    async def billing():
        await client.post(f"{PROXY}/metrics/clear-cache", headers=admin.headers)  # views are kept 30 s
        b = await _get(client, admin, "/metrics/billing")
        servers = {x["service"]: (x["calls"], x["errors"], x["total_duration_ms"]) for x in b["cost_by_service"]}
        return servers, b["active_users"], b["tool_calls"], [(p["hour"], p["calls"]) for p in b["peak_hours"]]

    def expected(rows):
        servers, hours = {}, {}
        for _, h, _, s, d, e in rows:
            n, errors, total = servers.get(s, (0, 0, 0.0))
            servers[s] = (n + 1, errors + (e is not None), round(total + d, 3))
            hour = (now - timedelta(hours=h)).hour
            hours[hour] = hours.get(hour, 0) + 1
        peak = sorted(hours.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        return servers, 2, len(rows), peak

    await log(calls)
    assert await billing() == expected(calls)  # dirty hours: raw calls
    assert await tools.rebuild_dirty() > 0
    assert await billing() == expected(calls)  # rolled up: hour and day rows
    late = [(member, 30, "sql", "db", 0.5, "Late")]
    await log(late)
    assert await billing() == expected(calls + late)  # a late call re-opens its hour: raw again
    await tools.rebuild_dirty()

    # Rows built before the upgrade had no server: the job marks their hours dirty once and rebuilds them.
    assert await ToolRollup.filter(organization_id=admin.organization_id, mcp_server__isnull=False).count() > 0
    await ToolRollup.filter(organization_id=admin.organization_id).update(mcp_server=None)
    await RollupLevel.filter(name="tool_servers").update(complete_from=datetime.now(UTC))
    assert await tools.upgrade_servers() >= 3  # the hours of 3, 30 and 100 hours ago at least
    assert await billing() == expected(calls + late)  # marked dirty: raw calls meanwhile
    done = await refresh_tool_rollups({})
    assert done["upgraded_hours"] == 0 and done["hours"] >= 3  # marked by upgrade_servers above, rebuilt now
    assert await billing() == expected(calls + late)  # rebuilt, with servers
    assert (await RollupLevel.get(name="tool_servers")).complete_from.year == 2000
