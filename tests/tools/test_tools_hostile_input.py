"""Hostile input, route by route: tool ingest (single and batch) and the three tool analytics routes.

Every case is a 4xx in the error envelope naming the field, and nothing is queued for a refused
request: a batch is all or none (README: "an invalid call rejects the batch naming
``events.N.field``"), so the good calls of a refused batch are not accepted either, and the same
calls sent again without the bad one are all stored.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.core.redis_client import get_redis, key
from services.ingest import pipeline

INGEST = "/api/v1/tools/executions"
BATCH = f"{INGEST}/batch"
ANALYTICS = ("/v1/tools/analytics/summary", "/v1/tools/analytics/by-tool", "/v1/tools/analytics/recent")
JSON = {"content-type": "application/json"}
INT4 = 2_147_483_647
NUL, SURROGATE = "\\u0000", "\\ud800"  # as JSON escapes: the only way a JSON text carries them


def _good(**extra: object) -> dict[str, object]:
    return {"tool_name": "search", "duration_ms": 12.5, **extra}


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


# (raw JSON of one call, the field the 400 must name)
STRING_FIELDS = ("tool_name", "mcp_server", "error_type", "prompt_version", "operation", "event_id", "started_at")
CALL_CASES: list[tuple[str, str]] = []
for _field in STRING_FIELDS:
    for _escape in (NUL, SURROGATE):
        _call = _good(status="error") if _field == "error_type" else _good()
        _body = json.dumps(_call)[:-1] + f', "{_field}": "a{_escape}b"}}'
        CALL_CASES.append((_body, _field))
for _attribute in ("gen_ai.tool.name", "error.type", "server.address", "mcp.method.name"):
    for _escape in (NUL, SURROGATE):
        CALL_CASES.append((f'{{"duration_ms": 1, "{_attribute}": "x{_escape}"}}', _attribute))
CALL_CASES += [
    (json.dumps(_good(**{name: value})), name)
    for name in ("prompt_id", "result_size", "arguments_size")
    for value in (INT4 + 1, 2**63, 10**40, -1)
]
CALL_CASES += [
    (json.dumps(_good(prompt_id=0)), "prompt_id"),
    (json.dumps(_good(prompt_id=1.5)), "prompt_id"),
    (json.dumps(_good(prompt_id="7; DROP TABLE tool_executions")), "prompt_id"),
    (json.dumps(_good(mcp_server="m" * 201)), "mcp_server"),
    (json.dumps(_good(status="error", error_type="e" * 201)), "error_type"),
    (json.dumps(_good(prompt_version="v" * 129)), "prompt_version"),
    (json.dumps(_good(operation="o" * 65)), "operation"),
    (json.dumps(_good(tool_name="t" * 201)), "tool_name"),
    (json.dumps(_good(tool_name="two\nlines")), "tool_name"),
    (json.dumps(_good(mcp_server="")), "mcp_server"),
    (json.dumps(_good(tool_name=None)), "tool_name"),
    (json.dumps(_good(duration_ms=None)), "duration_ms"),
    (json.dumps({"duration_ms": 1}), "tool_name"),
    (json.dumps(_good(duration_ms="fast")), "duration_ms"),
    ('{"tool_name": "x", "duration_ms": 1e999}', "duration_ms"),
    (json.dumps(_good(duration_ms=-0.5)), "duration_ms"),
    (json.dumps({"tool_name": "x", "mcp.server.operation.duration": 1e300}), "duration_ms"),
    (json.dumps({"tool_name": "x", "mcp.server.operation.duration": "1s"}), "mcp.server.operation.duration"),
    (json.dumps(_good(status="maybe")), "status"),
    (json.dumps(_good(event_id="not-a-uuid")), "event_id"),
    (json.dumps(_good(event_id=12)), "event_id"),
    (json.dumps(_good(started_at="yesterday-ish")), "started_at"),
    (json.dumps(_good(started_at="1970-01-01T00:00:00Z")), "started_at"),
    (json.dumps(_good(started_at="9999-12-31T23:59:59Z")), "started_at"),
    (json.dumps(_good(tool_name=["search"])), "tool_name"),
    (json.dumps(_good(tool_name={"$ne": ""})), "tool_name"),
    # deep JSON: in a field the model reads, in one it ignores, and with an escape the edge checks
    (json.dumps(_good())[:-1] + f', "tool_name": {_deep(5000)}}}', "body"),
    (json.dumps(_good())[:-1] + f', "extra": {_deep(5000)}}}', "body"),
]
# Deep JSON holding a NUL escape: api/routing.py's storable-text walk parses the body with json.loads,
# whose RecursionError (not a ValueError) escapes as a 500 on every JSON route.  Not this domain's code:
# reported; strict, so the fix turns this into a failure to remove the mark.
DEEP_WITH_NUL = json.dumps(_good())[:-1] + f', "extra": {"[" * 5000}"{NUL}"{"]" * 5000}}}'


async def _stream_length() -> int:
    return int(await get_redis().xlen(key(pipeline.STREAM)))


def _fields(response) -> list[str]:
    body = response.json()
    assert body["success"] is False and body["error"]["code"], body
    return [d["field"] for d in body["error"]["details"]]


def _names(fields: list[str], field: str) -> bool:
    return any(f == field or f.startswith(f"{field}.") or f.endswith(f".{field}") for f in fields)


@pytest.fixture
async def member(make_tenant):
    return await make_tenant("member")


@pytest.mark.parametrize(("raw", "field"), CALL_CASES, ids=range(len(CALL_CASES)))
async def test_a_hostile_call_is_a_400_naming_the_field_and_queues_nothing(client, member, raw, field):
    before = await _stream_length()
    r = await client.post(INGEST, content=raw.encode(), headers={**member.headers, **JSON})
    assert r.status_code == 400, (raw[:200], r.status_code, r.text[:500])
    fields = _fields(r)
    assert _names(fields, field), (raw[:200], fields)
    # the same call inside a batch, after a good one: the batch is refused naming events.1.<field>
    body = '{"events": [' + json.dumps(_good()) + ", " + raw + "]}"
    r = await client.post(BATCH, content=body.encode(), headers={**member.headers, **JSON})
    assert r.status_code == 400, (raw[:200], r.status_code, r.text[:500])
    fields = _fields(r)
    expected = "body" if field == "body" else f"events.1.{field}"
    assert _names(fields, expected), (raw[:200], fields)
    assert await _stream_length() == before


async def test_deep_json_with_a_nul_escape_is_a_400(client, member):
    r = await client.post(INGEST, content=DEEP_WITH_NUL.encode(), headers={**member.headers, **JSON})
    assert r.status_code == 400, r.text[:300]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (json.dumps({"events": [_good()] * 1001}), "events"),
        (json.dumps({"events": []}), "events"),
        (json.dumps({"events": None}), "events"),
        (json.dumps({"events": _good()}), "events"),
        (json.dumps({}), "events"),
        (json.dumps([_good()]), "body"),
        (json.dumps({"events": [_good(), None]}), "events.1"),
        (json.dumps({"events": [_good(), "search"]}), "events.1"),
        ('{"events": [', "body"),
        ("", "body"),
        (json.dumps({"events": [[_good()]]}), "events.0"),
        ('{"events": ' + _deep(5000) + "}", "body"),
    ],
)
async def test_a_hostile_batch_is_a_400_naming_the_field_and_queues_nothing(client, member, raw, field):
    before = await _stream_length()
    r = await client.post(BATCH, content=raw.encode(), headers={**member.headers, **JSON})
    assert r.status_code == 400, (raw[:200], r.status_code, r.text[:500])
    assert _names(_fields(r), field), (raw[:200], _fields(r))
    assert await _stream_length() == before


async def test_a_refused_batch_accepts_nothing_and_its_good_calls_sent_again_are_all_stored(client, member):
    when = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    good = [_good(event_id=str(uuid.uuid4()), tool_name="kept", started_at=when) for _ in range(3)]
    bad = _good(tool_name="kept", prompt_id=INT4 + 1)
    r = await client.post(BATCH, json={"events": [good[0], bad, *good[1:]]}, headers=member.headers)
    assert r.status_code == 400 and _fields(r) == ["events.1.prompt_id"]
    await pipeline.drain("test")
    r = await client.get(ANALYTICS[0], params={"tool_name": "kept"}, headers=member.headers)
    assert r.json()["data"]["total_calls"] == 0  # all or none: nothing of the refused batch was accepted
    r = await client.post(BATCH, json={"events": good}, headers=member.headers)
    assert r.status_code == 202 and r.json()["data"]["accepted"] == 3
    await pipeline.drain("test")
    r = await client.get(ANALYTICS[2], params={"tool_name": "kept"}, headers=member.headers)
    assert sorted(e["event_id"] for e in r.json()["data"]["executions"]) == sorted(g["event_id"] for g in good)


# (query string, the field the 400 must name); sent raw so the percent-escapes reach the server as written
QUERY_CASES = [
    ("start_date=2024-02-01&end_date=2024-01-01", "start_date"),
    ("start_date=2024-01-01T10:00:01Z&end_date=2024-01-01T10:00:00Z", "start_date"),
    ("start_date=yesterday", "start_date"),
    ("end_date=2024-13-45", "end_date"),
    ("end_date=2024-01-01T25:00:00Z", "end_date"),
    ("start_date=0001-01-01", "start_date"),
    ("end_date=9999-12-31", "end_date"),
    ("end_date=0001-01-01", "end_date"),
    ("end_date=0001-01-01T00:00:00Z", "end_date"),
    ("start_date=2024-01-01&end_date=0001-01-01", "end_date"),
    ("start_date=1e308", "start_date"),
    ("start_date=%00", "start_date"),
    ("start_date=2024-01-01%00", "start_date"),
    ("start_date=", "start_date"),
    ("tool_name=a%00b", "tool_name"),
    ("tool_name=a%ED%A0%80b", "tool_name"),  # a lone surrogate, UTF-8-encoded as a client might
    ("tool_name=a%FFb", "tool_name"),  # not UTF-8 at all
    ("tool_name=" + "t" * 201, "tool_name"),
    ("tool_name=", "tool_name"),
    ("admin=maybe", "admin"),
    ("admin=%00", "admin"),
]
RECENT_CASES = [
    ("limit=101", "limit"),
    ("limit=0", "limit"),
    ("limit=-1", "limit"),
    (f"limit={INT4 + 1}", "limit"),
    ("limit=99999999999999999999999", "limit"),
    ("limit=ten", "limit"),
    ("limit=1.5", "limit"),
]


@pytest.mark.parametrize("path", ANALYTICS)
@pytest.mark.parametrize(("query", "field"), QUERY_CASES)
async def test_hostile_analytics_parameters_are_a_400_naming_the_field(client, member, path, query, field):
    r = await client.get(f"{path}?{query}", headers=member.headers)
    assert r.status_code == 400, (path, query, r.status_code, r.text[:500])
    assert _names(_fields(r), field), (path, query, _fields(r))


@pytest.mark.parametrize(("query", "field"), RECENT_CASES)
async def test_hostile_recent_limits_are_a_400_naming_the_field(client, member, query, field):
    r = await client.get(f"{ANALYTICS[2]}?{query}", headers=member.headers)
    assert r.status_code == 400, (query, r.status_code, r.text[:500])
    assert _names(_fields(r), field), (query, _fields(r))


async def test_analytics_answer_an_odd_but_valid_window_and_tool_name(client, member):
    """The edges of what is allowed: a zero-length window, a tool name of every script, no calls."""
    for path in ANALYTICS:
        params = {
            "start_date": "2024-01-01T00:00:00Z",
            "end_date": "2024-01-01T00:00:00Z",
            "tool_name": "ツール 🔧 ';--",
        }
        r = await client.get(path, params=params, headers=member.headers)
        assert r.status_code == 200, (path, r.text)
        # the earliest end allowed: the default start (30 days before it) stops at the earliest start
        r = await client.get(path, params={"end_date": "1900-01-02"}, headers=member.headers)
        assert r.status_code == 200, (path, r.text)
        assert r.json()["data"]["window"]["start_date"].startswith("1900-01-01T00:00:00")
