"""GraphQL request limits, introspection policy, and bad input that must never be a 500.

Limits (``GRAPHQL_MAX_*``) answer a GraphQL error with ``extensions.code`` ``QUERY_TOO_COMPLEX``
(HTTP 200, like every validation error); bad bodies answer the envelope's 400; bad values in
arguments or variables answer ``BAD_REQUEST`` naming the argument.
"""

from __future__ import annotations

import base64
import time

import pytest

from services.core.config import ConfigError, load_settings
from tests.api.test_graphql import gql

JSON = {"content-type": "application/json"}


def codes(out: dict) -> list[str]:
    return [e["extensions"]["code"] for e in out.get("errors", [])]


def only_error(out: dict) -> dict:
    assert out["data"] is None, out
    [error] = out["errors"]
    return error


# -- limits ------------------------------------------------------------------------------------


async def test_many_aliases_are_refused_before_any_work(client, make_tenant):
    tenant = await make_tenant()
    # The reported attack: 1,000 aliases of a nested analytics query (the token limit stops it in the parser).
    body = " ".join(
        f'a{i}: prompt(id: "{i}") {{ id analytics {{ executionCount p95LatencyMs }} }}' for i in range(1000)
    )
    started = time.perf_counter()
    error = only_error(await gql(client, "{" + body + "}", tenant.headers))
    assert time.perf_counter() - started < 2
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["limit"] == "GRAPHQL_MAX_TOKENS"

    aliased = "{" + " ".join(f'a{i}: prompt(id: "{i}") {{ analytics {{ executionCount }} }}' for i in range(40)) + "}"
    error = only_error(await gql(client, aliased, tenant.headers))
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["limit"] == "GRAPHQL_MAX_ALIASES"
    assert error["extensions"]["maximum"] == 30 and error["extensions"]["actual"] == 40
    assert "aliases 40 exceeds 30" in error["message"]
    fine = await gql(client, "{ a: viewer { role } b: viewer { role } }", tenant.headers)
    assert fine["data"] == {"a": {"role": "admin"}, "b": {"role": "admin"}}


async def test_depth_fields_and_tokens(client, make_tenant):
    tenant = await make_tenant()
    deep = "{ " + "a { " * 10 + "b" + " }" * 10 + " }"  # 11 levels of fields
    error = only_error(await gql(client, deep, tenant.headers))
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX" and error["extensions"]["limit"] == "GRAPHQL_MAX_DEPTH"
    assert error["extensions"]["actual"] == 11

    # Repeating one field is what makes graphql-core's overlapping-fields validation quadratic.
    repeated = "{" + " viewer { role }" * 150 + " }"
    error = only_error(await gql(client, repeated, tenant.headers))
    assert error["extensions"]["limit"] == "GRAPHQL_MAX_FIELDS" and error["extensions"]["actual"] == 300

    huge = "{" + " __typename" * 2500 + " }"
    error = only_error(await gql(client, huge, tenant.headers))
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX" and error["extensions"]["limit"] == "GRAPHQL_MAX_TOKENS"

    nested = "{" + "a {" * 300 + "b" + "}" * 300 + "}"  # few tokens, but past graphql-core's nesting guard
    error = only_error(await gql(client, nested, tenant.headers))
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "GRAPHQL_MAX_DEPTH"}


async def test_fragment_fan_out_is_measured_without_expanding_it(client, make_tenant):
    tenant = await make_tenant()
    fragments = ["fragment F0 on Query { viewer { role } }"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ... on Query {{ ...F{i - 1} }} }}" for i in range(1, 40)]
    query = "{ ...F39 } " + " ".join(fragments)  # 2**39 field selections once expanded
    started = time.perf_counter()
    out = await gql(client, query, tenant.headers)
    assert time.perf_counter() - started < 2
    assert set(codes(out)) == {"QUERY_TOO_COMPLEX"}
    by_limit = {e["extensions"]["limit"]: e["extensions"]["actual"] for e in out["errors"]}
    assert by_limit["GRAPHQL_MAX_FIELDS"] == 2**40 and by_limit["GRAPHQL_MAX_COST"] == 2**39
    cyclic = "{ ...A } fragment A on Query { viewer { role } ...B } fragment B on Query { ...A }"
    assert codes(await gql(client, cyclic, tenant.headers)) == ["GRAPHQL_VALIDATION_FAILED"]
    unknown = "{ ...Nope viewer { role } }"
    assert codes(await gql(client, unknown, tenant.headers)) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_cost_multiplies_page_sizes_from_literals_variables_and_defaults(client, make_tenant):
    tenant = await make_tenant("member")
    query = """query($n: Int!) { prompts(first: $n) { totalCount pageInfo { hasNextPage }
        edges { node { id name executions(first: 100) { edges { node { id status } } } } } } }"""
    # prompts 1 + pageInfo 1 + edges 1 + n * (node 1 + executions 1 + its edges 1 + 100 * node 1)
    error = only_error(await gql(client, query, tenant.headers, n=100))
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX" and error["extensions"]["limit"] == "GRAPHQL_MAX_COST"
    assert error["extensions"]["actual"] == 3 + 100 * (3 + 100) > 10_000
    ok = await gql(client, query, tenant.headers, n=10)
    assert "errors" not in ok and ok["data"]["prompts"]["totalCount"] == 0
    # executions(first:) defaults to 20: the default counts when the argument is left out
    defaulted = query.replace("executions(first: 100)", "executions").replace("$n: Int!", "$n: Int = 40")
    assert "errors" not in await gql(client, defaulted, tenant.headers)
    # a page far beyond what the resolver allows is still the resolver's BAD_REQUEST when it costs little
    out = await gql(client, "{ prompts(first: 500) { totalCount } }", tenant.headers)
    assert codes(out) == ["BAD_REQUEST"]


def test_limits_are_settings(monkeypatch):
    for name, value in (
        ("GRAPHQL_MAX_DEPTH", "4"),
        ("GRAPHQL_MAX_ALIASES", "0"),
        ("GRAPHQL_MAX_FIELDS", "50"),
        ("GRAPHQL_MAX_COST", "123"),
        ("GRAPHQL_MAX_TOKENS", "500"),
        ("GRAPHQL_INTROSPECTION", "off"),
        ("GRAPHQL_WS_KEEPALIVE_SECONDS", "0"),
    ):
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert (settings.graphql_max_depth, settings.graphql_max_aliases, settings.graphql_max_fields) == (4, 0, 50)
    assert (settings.graphql_max_cost, settings.graphql_max_tokens) == (123, 500)
    assert settings.graphql_introspection == "off" and settings.graphql_ws_keepalive_seconds == 0
    monkeypatch.setenv("GRAPHQL_INTROSPECTION", "sometimes")
    with pytest.raises(ConfigError):
        load_settings()
    monkeypatch.setenv("GRAPHQL_INTROSPECTION", "public")
    monkeypatch.setenv("GRAPHQL_MAX_COST", "-1")
    with pytest.raises(ConfigError):
        load_settings()


# -- introspection -----------------------------------------------------------------------------


async def test_introspection_needs_a_token(client, make_tenant):
    schema_query = "{ __schema { queryType { name } } }"
    error = only_error(await gql(client, schema_query))
    assert error["extensions"]["code"] == "UNAUTHORIZED" and "Authorization: Bearer" in error["message"]
    hidden = '{ ...T } fragment T on Query { __type(name: "Prompt") { name } }'
    assert codes(await gql(client, hidden)) == ["UNAUTHORIZED"]
    assert (await gql(client, "{ __typename }")) == {"data": {"__typename": "Query"}}

    tenant = await make_tenant("member")
    out = await gql(client, schema_query, tenant.headers)
    assert out == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    by_key = await gql(client, '{ __type(name: "Prompt") { name } }', tenant.key_headers)
    assert by_key["data"]["__type"]["name"] == "Prompt"


# -- bodies ------------------------------------------------------------------------------------


@pytest.mark.parametrize("authenticated", [False, True])
async def test_bad_bodies_are_400_in_the_envelope(client, make_tenant, authenticated):
    headers = dict(JSON)
    if authenticated:
        headers.update((await make_tenant()).headers)
    deep = b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    nested_65 = b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 64 + b"]" * 64 + b"}}"
    cases = {
        deep: "nested more than 64 levels",
        nested_65: "nested more than 64 levels",
        b'{"query": "{ __typename \xff\xfe }"}': "not valid UTF-8",
        b'\xef\xbb\xbf{"query": "{ __typename }"}': "not valid JSON",
        b'{"query": "{ __typename }"': "not valid JSON",
        b'"{ __typename }"': "must be a JSON object",
        b"[1, 2]": "Batching is not enabled",
        b'{"query": 5}': "must be a string",
        b"{}": "No GraphQL query found",
    }
    for body, message in cases.items():
        r = await client.post("/graphql", content=body, headers=headers)
        assert r.status_code == 400, (body[:60], r.text)
        payload = r.json()
        assert payload["success"] is False and payload["error"]["code"] == "BAD_REQUEST"
        assert message in payload["error"]["message"], (body[:60], payload)
        assert payload["error"]["details"][0]["field"] == "body"
    ok = await client.post(
        "/graphql", content=b'{"query": "{ __typename }", "variables": {"a": [[1]]}}', headers=headers
    )
    assert ok.status_code == 200 and ok.json() == {"data": {"__typename": "Query"}}


async def test_get_transport_errors_are_enveloped(client, make_tenant):
    tenant = await make_tenant()
    headers = {**tenant.headers, "accept": "application/json"}
    deep = "[" * 200 + "]" * 200
    r = await client.get("/graphql", params={"query": "{ __typename }", "variables": deep}, headers=headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "BAD_REQUEST"
    r = await client.get("/graphql", params={"query": "mutation { __typename }"}, headers=headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "BAD_REQUEST"
    assert "not allowed when using GET" in r.json()["error"]["message"]
    r = await client.put("/graphql", json={"query": "{ __typename }"}, headers=headers)
    assert r.status_code == 405 and r.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    r = await client.get("/graphql", params={"query": "{ viewer { role } }"}, headers=headers)
    assert r.status_code == 200 and r.json()["data"]["viewer"]["role"] == "admin"


# -- ids ---------------------------------------------------------------------------------------


def assert_bad(out: dict, field: str) -> dict:
    error = out["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST", out
    assert error["extensions"]["details"][0]["field"] == field, out
    return error


async def test_out_of_range_ids_are_bad_requests(client, make_tenant):
    tenant = await make_tenant()
    big = 10**20
    assert_bad(await gql(client, f'{{ prompt(id: "{big}") {{ id }} }}', tenant.headers), "id")
    assert_bad(await gql(client, f"{{ prompt(id: {big}) {{ id }} }}", tenant.headers), "id")
    assert_bad(await gql(client, "query($id: ID!) { prompt(id: $id) { id } }", tenant.headers, id=big), "id")
    assert_bad(await gql(client, '{ prompt(id: "\u00b2") { id } }', tenant.headers), "id")
    assert_bad(await gql(client, f"{{ user(id: {big}) {{ id }} }}", tenant.headers), "id")
    assert_bad(await gql(client, "query($id: Int!) { user(id: $id) { id } }", tenant.headers, id=big), "id")
    assert_bad(await gql(client, f"{{ alert(id: {2**31}) {{ id }} }}", tenant.headers), "id")
    assert codes(await gql(client, f"{{ prompt(id: {2**31 - 1}) {{ id }} }}", tenant.headers)) == ["NOT_FOUND"]

    cursor = base64.urlsafe_b64encode(f"prompt:{big}".encode()).decode()
    assert_bad(await gql(client, f'{{ prompts(after: "{cursor}") {{ totalCount }} }}', tenant.headers), "after")
    created = await gql(client, 'mutation { createPrompt(input: {name: "ids"}) { id } }', tenant.headers)
    pid = created["data"]["createPrompt"]["id"]
    cursor = base64.urlsafe_b64encode(f"2024-01-01T00:00:00+00:00|{big}".encode()).decode()
    q = "query($id: ID!, $a: String) { prompt(id: $id) { executions(after: $a) { edges { cursor } } } }"
    error = assert_bad(await gql(client, q, tenant.headers, id=str(pid), a=cursor), "after")
    assert error["path"] == ["prompt", "executions"]

    metric = "mutation($i: MetricPointInput!) { recordMetric(input: $i) { point { id } } }"
    point = {"name": "ids_metric", "value": 1, "type": "gauge", "promptId": str(big)}
    assert_bad(await gql(client, metric, tenant.headers, i=point), "prompt_id")
    rule = "mutation($i: AlertRuleInput!) { createAlertRule(input: $i) { id } }"
    spec = {"metric": "ids_metric", "comparison": "gt", "threshold": 1, "scope": {"promptId": str(big)}}
    assert_bad(await gql(client, rule, tenant.headers, i=spec), "scope.prompt_id")
    usage = "mutation($i: PromptUsageInput!) { logPromptUsage(input: $i) { queued } }"
    event = {"promptId": str(big), "versionHash": "v1"}
    assert_bad(await gql(client, usage, tenant.headers, i=event), "prompt_id")


# -- text no database can store ----------------------------------------------------------------


async def test_nul_and_lone_surrogates_are_refused_naming_the_argument(client, make_tenant):
    tenant = await make_tenant()
    create = "mutation($i: CreatePromptInput!) { createPrompt(input: $i) { id } }"
    error = assert_bad(await gql(client, create, tenant.headers, i={"name": "a\x00b"}), "i.name")
    assert error["extensions"]["details"][0]["message"] == "must not contain NUL characters"
    tags = {"name": "ok", "tags": {"team": "x\x00"}}
    assert_bad(await gql(client, create, tenant.headers, i=tags), "i.tags.team")

    surrogate = b'{"query": "' + create.encode() + b'", "variables": {"i": {"name": "a\\ud800b"}}}'
    r = await client.post("/graphql", content=surrogate, headers={**tenant.headers, **JSON})
    assert r.status_code == 200
    error = assert_bad(r.json(), "i.name")
    assert "surrogate" in error["extensions"]["details"][0]["message"]

    literal = 'mutation { createPrompt(input: {name: "ok", text: "a\\u0000b"}) { id } }'
    error = assert_bad(await gql(client, literal, tenant.headers), "input.text")
    assert error["locations"]
    listed = '{ timeSeries(metricName: "x\\u0000") { metric } }'
    assert_bad(await gql(client, listed, tenant.headers), "metricName")
    default = 'query($s: String = "a\\u0000") { promptHistory(search: $s) { pagination { page } } }'
    assert_bad(await gql(client, default, tenant.headers), "s")
    # A lone surrogate in a literal does not even parse: still BAD_REQUEST, pointing into the query.
    broken = '{ promptHistory(search: "\\ud800") { pagination { page } } }'
    error = assert_bad(await gql(client, broken, tenant.headers), "query")
    assert error["locations"] == [{"line": 1, "column": 26}]
    # Nothing was stored.
    names = await gql(client, "{ prompts { edges { node { name } } } }", tenant.headers)
    assert names["data"]["prompts"]["edges"] == []


async def test_bad_argument_values_name_the_argument(client, make_tenant):
    tenant = await make_tenant()
    out = await gql(client, '{ promptHistory(page: "one") { pagination { page } } }', tenant.headers)
    assert_bad(out, "page")
    out = await gql(client, 'mutation { createPrompt(input: {name: "x", workspaceId: "w"}) { id } }', tenant.headers)
    assert_bad(out, "input.workspaceId")
    out = await gql(client, "query($p: Int!) { promptHistory(page: $p) { pagination { page } } }", tenant.headers)
    assert_bad(out, "p")  # a required variable left out
    out = await gql(client, "{ viewer { nope } }", tenant.headers)
    assert codes(out) == ["GRAPHQL_VALIDATION_FAILED"]
