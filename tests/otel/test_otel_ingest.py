"""OTLP/HTTP ingest end to end: the real opentelemetry-sdk and its OTLP HTTP exporter against the app
under uvicorn, the drain, and the analytics those spans became (usage cost, tool summary, prompt
analytics); OTLP answers (partial success, 400, 415, 401); hostile spans refused one by one."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from services.ingest import pipeline
from tests.conftest import start_server

GPT4O_IN, GPT4O_OUT = 2.5e-6, 1e-5  # the shipped price map's gpt-4o prices
RESOURCE = {"service.name": "support-bot", "deployment.environment.name": "production", "service.version": "1.4.2"}
MS = 1_000_000


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    proc, port = start_server()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _spans(build: Any, resource: dict[str, str] | None = None) -> list[ReadableSpan]:
    """Spans recorded by the real SDK (``build(tracer, t0)`` starts and ends them)."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create(resource or RESOURCE))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    build(provider.get_tracer("tests.otel"), time.time_ns() - 60_000 * MS)
    provider.shutdown()
    return list(memory.get_finished_spans())


def _span(tracer: Any, name: str, start: int, ms: float, attributes: dict[str, Any], error: bool = False) -> None:
    span = tracer.start_span(name, start_time=start, attributes=attributes)
    if error:
        span.set_status(Status(StatusCode.ERROR, "boom"))
    span.end(end_time=start + int(ms * MS))


def _llm_app(tracer: Any, t0: int) -> None:
    """A support bot: three chat calls on a prompt template (one failing, one scored), two tool calls,
    an MCP call, an agent span (not billed) and an HTTP span (unknown)."""
    template = {"llm.prompt_template.template": "Answer the customer: {question}", "llm.prompt_template.version": "v3"}
    chat = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.model": "gpt-4o",
    }
    _span(
        tracer,
        "chat gpt-4o",
        t0,
        400,
        {
            **chat,
            **template,
            "gen_ai.usage.input_tokens": 1000,
            "gen_ai.usage.output_tokens": 200,
            "promptops.score": 0.9,
        },
    )
    _span(
        tracer,
        "chat gpt-4o",
        t0 + 1000 * MS,
        800,
        {
            **chat,
            **template,
            "gen_ai.usage.input_tokens": 2000,
            "gen_ai.usage.output_tokens": 100,
            "promptops.score": 0.5,
        },
    )
    _span(
        tracer,
        "chat gpt-4o",
        t0 + 2000 * MS,
        1200,
        {**chat, **template, "gen_ai.usage.input_tokens": 500, "gen_ai.usage.output_tokens": 0},
        error=True,
    )
    _span(
        tracer,
        "execute_tool search",
        t0 + 3000 * MS,
        50,
        {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search"},
    )
    _span(
        tracer,
        "execute_tool search",
        t0 + 3100 * MS,
        150,
        {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search", "error.type": "TimeoutError"},
        error=True,
    )
    _span(
        tracer,
        "tools/call fetch",
        t0 + 3200 * MS,
        100,
        {"mcp.method.name": "tools/call", "gen_ai.tool.name": "fetch", "server.address": "mcp.internal"},
    )
    _span(
        tracer,
        "invoke_agent support",
        t0 + 4000 * MS,
        2500,
        {"gen_ai.operation.name": "invoke_agent", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 3500},
    )
    _span(tracer, "GET /health", t0 + 5000 * MS, 3, {"http.request.method": "GET"})


async def _post(server: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        return await http.post("/v1/traces", content=body, headers=headers)


def _protobuf_headers(tenant: Any) -> dict[str, str]:
    return {**tenant.key_headers, "Content-Type": "application/x-protobuf"}


def _partial(response: httpx.Response) -> tuple[int, str]:
    message = ExportTraceServiceResponse.FromString(response.content)
    return message.partial_success.rejected_spans, message.partial_success.error_message


def _hex(n: int, width: int) -> str:
    return format(n, f"0{width}x")


def _json_body(spans: list[ReadableSpan]) -> bytes:
    """The OTLP/JSON encoding of SDK spans (the Python exporter speaks only protobuf): hex ids,
    camelCase fields, enum integers, 64-bit integers as strings."""

    def value(v: Any) -> dict[str, Any]:
        if isinstance(v, bool):
            return {"boolValue": v}
        if isinstance(v, int):
            return {"intValue": str(v)}
        if isinstance(v, float):
            return {"doubleValue": v}
        return {"stringValue": str(v)}

    def attributes(attrs: Any) -> list[dict[str, Any]]:
        return [{"key": k, "value": value(v)} for k, v in (attrs or {}).items()]

    return orjson.dumps(
        {
            "resourceSpans": [
                {
                    "resource": {"attributes": attributes(spans[0].resource.attributes)},
                    "scopeSpans": [
                        {
                            "scope": {"name": "tests.otel"},
                            "spans": [
                                {
                                    "traceId": _hex(s.context.trace_id, 32),
                                    "spanId": _hex(s.context.span_id, 16),
                                    "name": s.name,
                                    "kind": 1,
                                    "startTimeUnixNano": str(s.start_time),
                                    "endTimeUnixNano": str(s.end_time),
                                    "attributes": attributes(s.attributes),
                                    "status": {"code": s.status.status_code.value},
                                }
                                for s in spans
                            ],
                        }
                    ],
                }
            ]
        }
    )


async def _prompt_named(client: Any, tenant: Any, name: str) -> dict[str, Any]:
    items = (await client.get("/api/v1/prompts", params={"page_size": 100}, headers=tenant.headers)).json()["data"]
    return next(p for p in items["items"] if p["name"] == name)


async def test_sdk_exporter_spans_become_usage_tool_and_prompt_facts(server, client, make_tenant):
    admin = await make_tenant("admin")
    exporter = OTLPSpanExporter(
        endpoint=f"{server}/v1/traces",
        headers={"Authorization": f"Bearer {admin.api_key}"},
        compression=Compression.Gzip,
    )
    spans = _spans(_llm_app)
    assert exporter.export(spans) == SpanExportResult.SUCCESS
    exporter.shutdown()
    # the same spans again: every event id is derived from (organization, kind, trace, span), so a
    # retried export stores nothing twice
    again = await _post(server, encode_spans(spans).SerializeToString(), _protobuf_headers(admin))
    assert again.status_code == 200 and again.headers["content-type"] == "application/x-protobuf"
    rejected, message = _partial(again)
    assert rejected == 0 and message.startswith("2 span(s) matched no LLM, tool or prompt mapping")
    await pipeline.drain("test")

    # usage: three chat calls priced by the shipped map; the agent span is not billed
    logs = (await client.get("/v1/public/ai-usage/logs", params={"days": 1}, headers=admin.headers)).json()["data"]
    assert len(logs["items"]) == 3
    costs = sorted(i["cost_usd"] for i in logs["items"])
    expected = sorted([1000 * GPT4O_IN + 200 * GPT4O_OUT, 2000 * GPT4O_IN + 100 * GPT4O_OUT, 500 * GPT4O_IN])
    assert costs == pytest.approx(expected)
    assert {i["cost_source"] for i in logs["items"]} == {"price_map"}
    assert sorted(i["status"] for i in logs["items"]) == ["error", "success", "success"]

    # tools: two execute_tool spans (one failed) and an MCP tools/call
    summary = (await client.get("/v1/tools/analytics/summary", headers=admin.headers)).json()["data"]
    assert summary["total_calls"] == 3 and summary["total_errors"] == 1 and summary["unique_tools"] == 2
    assert summary["avg_execution_time_ms"] == pytest.approx((50 + 150 + 100) / 3, abs=1e-3)

    # prompt executions: created prompt named by the template's first line, version v3
    prompt = await _prompt_named(client, admin, "Answer the customer: {question}")
    analytics = (await client.get(f"/api/v1/prompts/{prompt['id']}/analytics", headers=admin.headers)).json()["data"]
    assert analytics["execution_count"] == 3
    assert analytics["success_count"] == 2 and analytics["failure_count"] == 1
    assert analytics["avg_latency_ms"] == pytest.approx((400 + 800 + 1200) / 3, abs=1e-3)
    assert analytics["total_cost_usd"] == pytest.approx(sum(expected))
    assert analytics["avg_score"] == pytest.approx(0.7)

    # resources link to the environment of that name and the deployment of that version there
    env = await client.post(
        "/api/v1/environments", json={"name": "production", "kind": "production"}, headers=admin.headers
    )
    assert env.status_code == 201, env.text
    shipped = []
    for version in ("1.4.1", "1.4.2"):
        body = {"environment": "production", "name": "support-bot", "version": version, "status": "succeeded"}
        d = await client.post("/api/v1/deployments", json=body, headers=admin.headers)
        assert d.status_code == 201, d.text
        shipped.append(d.json()["data"]["id"])
    stats = (await client.get("/api/v1/otel/stats", headers=admin.headers)).json()["data"]
    assert stats["requests"] == 2 and stats["spans"] == 16 and stats["unknown"] == 4 and stats["rejected"] == 0
    assert stats["usage_events"] == 6 and stats["tool_executions"] == 6 and stats["prompt_executions"] == 6
    [resource] = stats["resources"]
    assert (resource["service_name"], resource["environment"], resource["service_version"], resource["spans"]) == (
        "support-bot",
        "production",
        "1.4.2",
        16,
    )
    assert resource["environment_id"] == env.json()["data"]["id"] and resource["deployment_id"] == shipped[1]
    # the same figures in the graph
    query = "{ otelStats { spans unknown usageEvents resources { serviceName spans environmentId deploymentId } } }"
    graph = (await client.post("/graphql", json={"query": query}, headers=admin.headers)).json()
    assert graph["data"]["otelStats"] == {
        "spans": 16,
        "unknown": 4,
        "usageEvents": 6,
        "resources": [
            {
                "serviceName": "support-bot",
                "spans": 16,
                "environmentId": resource["environment_id"],
                "deploymentId": shipped[1],
            }
        ],
    }
    # the newest deployment of that version, however many deployments of other versions came after it
    body = {"environment": "production", "name": "support-bot", "version": "1.4.2", "status": "succeeded"}
    again = (await client.post("/api/v1/deployments", json=body, headers=admin.headers)).json()["data"]["id"]
    for i in range(101):
        other = {**body, "version": f"2.0.{i}"}
        assert (await client.post("/api/v1/deployments", json=other, headers=admin.headers)).status_code == 201
    stats = (await client.get("/api/v1/otel/stats", headers=admin.headers)).json()["data"]
    assert stats["resources"][0]["deployment_id"] == again


async def test_json_encoding_and_gzip_are_read_like_protobuf(server, client, make_tenant):
    admin = await make_tenant("admin")

    def build(tracer: Any, t0: int) -> None:
        _span(
            tracer,
            "chat",
            t0,
            250,
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.system": "openai",
                "gen_ai.request.model": "gpt-4o",
                "gen_ai.usage.input_tokens": 4000,
                "gen_ai.usage.output_tokens": 1000,
                "promptops.prompt.id": "triage",
                "promptops.prompt.version": 7,
            },
        )
        _span(tracer, "execute_tool lookup", t0 + 500 * MS, 40, {"gen_ai.tool.name": "lookup"})

    body = gzip.compress(_json_body(_spans(build)))
    headers = {**admin.key_headers, "Content-Type": "application/json", "Content-Encoding": "gzip"}
    r = await _post(server, body, headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json" and r.json() == {}
    await pipeline.drain("test")
    logs = (await client.get("/v1/public/ai-usage/logs", params={"days": 1}, headers=admin.headers)).json()["data"]
    [item] = logs["items"]
    assert item["cost_usd"] == pytest.approx(4000 * GPT4O_IN + 1000 * GPT4O_OUT) and item["model"] == "gpt-4o"
    prompt = await _prompt_named(client, admin, "triage")
    analytics = (await client.get(f"/api/v1/prompts/{prompt['id']}/analytics", headers=admin.headers)).json()["data"]
    assert analytics["execution_count"] == 1 and analytics["avg_latency_ms"] == pytest.approx(250, abs=1e-3)
    assert analytics["total_cost_usd"] == pytest.approx(4000 * GPT4O_IN + 1000 * GPT4O_OUT)
    versions = await client.get(f"/api/v1/prompts/{prompt['id']}/analytics", params={}, headers=admin.headers)
    assert versions.status_code == 200
    summary = (await client.get("/v1/tools/analytics/summary", headers=admin.headers)).json()["data"]
    assert summary["total_calls"] == 1 and summary["avg_execution_time_ms"] == pytest.approx(40, abs=1e-3)


async def test_hostile_spans_are_rejected_one_by_one_and_the_rest_is_stored(server, client, make_tenant):
    admin = await make_tenant("admin")
    chat = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 10}

    def build(tracer: Any, t0: int) -> None:
        _span(tracer, "huge model", t0, 10, {**chat, "gen_ai.request.model": "m" * 100_000})
        _span(tracer, "nul tool", t0, 10, {"gen_ai.tool.name": "se\x00arch"})
        _span(
            tracer,
            "nul version",
            t0,
            10,
            {**chat, "llm.prompt_template.template": "T", "llm.prompt_template.version": "v\x001"},
        )
        _span(tracer, "negative tokens", t0, 10, {**chat, "gen_ai.usage.output_tokens": -5})
        _span(
            tracer,
            "score out of range",
            t0,
            10,
            {"promptops.prompt.id": "p", "promptops.prompt.version": "1", "promptops.score": -1.0},
        )
        _span(tracer, "ok", t0, 10, {**chat, "gen_ai.usage.output_tokens": 10})

    r = await _post(server, encode_spans(_spans(build)).SerializeToString(), _protobuf_headers(admin))
    assert r.status_code == 200
    rejected, message = _partial(r)
    assert rejected == 5 and "model" in message and "NUL" in message
    await pipeline.drain("test")
    logs = (await client.get("/v1/public/ai-usage/logs", params={"days": 1}, headers=admin.headers)).json()["data"]
    assert [i["cost_usd"] for i in logs["items"]] == [pytest.approx(10 * GPT4O_IN + 10 * GPT4O_OUT)]
    assert (await client.get("/v1/tools/analytics/summary", headers=admin.headers)).json()["data"]["total_calls"] == 0
    stats = (await client.get("/api/v1/otel/stats", headers=admin.headers)).json()["data"]
    assert stats["rejected"] == 5 and stats["usage_events"] == 1 and stats["spans"] == 6

    # a NUL and a lone surrogate through OTLP/JSON escapes
    def one(tracer: Any, t0: int) -> None:
        _span(tracer, "tool", t0, 10, {"gen_ai.tool.name": "PLACEHOLDER"})
        _span(tracer, "tool", t0, 10, {"gen_ai.tool.name": "fine"})

    body = _json_body(_spans(one)).replace(b"PLACEHOLDER", b"bad\\ud800", 1)
    r = await _post(server, body, {**admin.key_headers, "Content-Type": "application/json"})
    assert r.status_code == 200 and r.json()["partialSuccess"]["rejectedSpans"] == 1
    assert "surrogate" in r.json()["partialSuccess"]["errorMessage"]

    # spans without ids are refused (their event ids would collide), the valid one is kept
    now = time.time_ns()
    span = {
        "name": "t",
        "startTimeUnixNano": str(now - 10 * MS),
        "endTimeUnixNano": str(now),
        "attributes": [{"key": "gen_ai.tool.name", "value": {"stringValue": "kept"}}],
    }
    spans = [
        span,
        {**span, "traceId": "0" * 32, "spanId": "1" * 16},
        {**span, "traceId": "ab" * 16, "spanId": "cd" * 8},
    ]
    body = {"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}
    r = await _post(server, orjson.dumps(body), {**admin.key_headers, "Content-Type": "application/json"})
    assert r.status_code == 200 and r.json()["partialSuccess"]["rejectedSpans"] == 2
    await pipeline.drain("test")
    summary = (await client.get("/v1/tools/analytics/summary", headers=admin.headers)).json()["data"]
    assert summary["total_calls"] == 2  # "fine" above and "kept" here

    other = await make_tenant("admin")
    theirs = (await client.get("/api/v1/otel/stats", headers=other.headers)).json()["data"]
    assert theirs["spans"] == 0 and theirs["resources"] == []  # counters are per organization


async def test_otlp_errors_malformed_bodies_media_types_and_credentials(server, make_tenant):
    admin = await make_tenant("member")
    headers = _protobuf_headers(admin)
    # malformed protobuf: a length-delimited field that claims more bytes than there are
    r = await _post(server, b"\x0a\xff\xff\x03\x01", headers)
    assert r.status_code == 400 and r.headers["content-type"] == "application/x-protobuf"
    assert b"not an ExportTraceServiceRequest" in r.content
    r = await _post(server, b"{not json", {**admin.key_headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == 3
    r = await _post(server, b"\x1f\x8b garbage", {**headers, "Content-Encoding": "gzip"})
    assert r.status_code == 400
    r = await _post(server, gzip.compress(b"\x00" * (17 * 1_048_576)), {**headers, "Content-Encoding": "gzip"})
    assert r.status_code == 400 and b"exceeds" in r.content  # a zip bomb is refused, not inflated
    huge_time = {"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": "9" * 40}]}]}]}
    r = await _post(server, orjson.dumps(huge_time), {**admin.key_headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["success"] is False and "64-bit" in r.json()["message"]
    r = await _post(server, b"x", {**admin.key_headers, "Content-Type": "text/plain"})
    assert r.status_code == 415 and r.json()["code"] == 3
    r = await _post(server, b"", {**headers, "Content-Encoding": "br"})
    assert r.status_code == 415
    r = await _post(server, b"", {"Content-Type": "application/x-protobuf"})
    assert r.status_code == 401
    r = await _post(server, b"", headers)  # an empty request is a valid, empty export
    assert r.status_code == 200 and _partial(r) == (0, "")


async def test_rate_limit_answers_429_with_retry_after_and_queues_nothing(make_tenant, client):
    admin = await make_tenant("admin")
    proc_server, port = start_server(INGEST_RATE_LIMIT_PER_MINUTE="3")
    try:

        def build(tracer: Any, t0: int) -> None:
            for i in range(4):
                _span(tracer, "tool", t0 + i * MS, 10, {"gen_ai.tool.name": f"t{i}"})

        r = await _post(
            f"http://127.0.0.1:{port}", encode_spans(_spans(build)).SerializeToString(), _protobuf_headers(admin)
        )
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        await pipeline.drain("test")
        summary = (await client.get("/v1/tools/analytics/summary", headers=admin.headers)).json()["data"]
        assert summary["total_calls"] == 0
    finally:
        proc_server.terminate()
        proc_server.wait(timeout=20)


async def test_redis_unreachable_answers_503_with_retry_after(make_tenant):
    admin = await make_tenant("admin")
    proc_server, port = start_server(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:

        def build(tracer: Any, t0: int) -> None:
            _span(tracer, "tool", t0, 10, {"gen_ai.tool.name": "t"})

        body = encode_spans(_spans(build)).SerializeToString()
        r = await _post(f"http://127.0.0.1:{port}", body, _protobuf_headers(admin))
        assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
    finally:
        proc_server.terminate()
        proc_server.wait(timeout=20)
