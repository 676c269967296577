"""api/routing.py without a database: the route table on a bare Starlette app.

Path parameters, the int4 bounds every route's integers get (``with_int_bounds``), one route per
path so a 405 lists every method in ``Allow``, literal paths before parameterised ones,
``body_required=False``, unstorable text, and a column's refusal mapped at the boundary.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from tortoise.exceptions import ValidationError as ColumnValidationError

from api.envelope import error, from_domain_error
from api.routing import Call, Endpoint, LiteralFirstRouter, Ok, Router, both, build_routes, path_parameters
from services.core.errors import DomainError, NotFound

INT4_MAX = 2**31 - 1


class ThingPath(BaseModel):
    thing_id: int


class Paging(BaseModel):
    page: int = 1
    limit: int = Field(default=10, ge=1, le=100)  # bounded by the field: kept as it is
    big: int = Field(default=0, le=2**40)  # an explicit bound wins over the int4 default
    ids: list[int] = []


class Body(BaseModel):
    name: str = "unnamed"
    count: int = 0


router = Router("test")


@router.get("/things", summary="List things", query_model=Paging)
async def list_things(call: Call[Paging, None]) -> Ok:
    return Ok(call.query.model_dump(), "listed")


@router.post("/things", summary="Create a thing", body_model=Body, status=201)
async def create_thing(call: Call[None, Body]) -> Ok:
    return Ok(call.body.model_dump(), "created", 201)


@router.post("/things/touch", summary="Touch things, body optional", body_model=Body, body_required=False)
async def touch_things(call: Call[None, Body]) -> Ok:
    return Ok(call.body.model_dump(), "touched")


@router.get("/things/special", summary="The special thing")
async def special_thing(call: Call[None, None]) -> Ok:
    return Ok({"special": True}, "special")


@router.get("/things/{thing_id}", summary="Get a thing", path_model=ThingPath)
async def get_thing(call: Call[None, None]) -> Ok:
    if call.path.thing_id == 404:
        raise NotFound("Thing not found")
    return Ok({"id": call.path.thing_id}, "got")


@router.delete("/things/{thing_id}", summary="Delete a thing", path_model=ThingPath, status=204)
async def delete_thing(call: Call[None, None]) -> Response:
    return Response(status_code=204)


@router.get("/raw/{name}", summary="A path parameter without a model")
async def raw_name(call: Call[None, None]) -> Ok:
    return Ok({"name": call.path["name"]}, "raw")


@router.post("/refused", summary="The column refuses what the model let through", body_model=Body)
async def refused(call: Call[None, Body]) -> Ok:
    raise ColumnValidationError("name: Length of 'xxxx' 4 > 3")


@router.get(*both("/admin/ping"), summary="Served under two prefixes")
async def ping(call: Call[None, None]) -> Ok:
    return Ok("pong", "pong")


for endpoint in router.endpoints:
    endpoint.public = True  # no authentication middleware here: the principal is None


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error(exc.status_code, "HTTP_ERROR", str(exc.detail), headers=dict(exc.headers or {}))


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return from_domain_error(exc)


def make_app() -> Starlette:
    routes = build_routes(router.endpoints)
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_exception, DomainError: _domain_error})
    app.router = LiteralFirstRouter(routes)  # as api.app does
    return app


@pytest.fixture(scope="module")
async def client():
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


def issue(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == 400, body
    assert body["error"]["code"] == "BAD_REQUEST"
    return body["error"]["details"][0]


# --- path parameters ------------------------------------------------------------------------------


def test_path_parameters():
    assert path_parameters("/a/{x}/b/{y:int}/c") == ["x", "y"]
    assert path_parameters("/plain") == []


def test_both_prefixes():
    assert both("/admin/ping") == ("/admin/ping", "/v1/admin/ping")


async def test_path_parameter_is_validated(client):
    r = await client.get("/things/7")
    assert r.status_code == 200 and r.json()["data"] == {"id": 7}
    assert issue(await client.get("/things/seven"))["field"] == "thing_id"


async def test_path_parameter_without_model_is_passed_on(client):
    r = await client.get("/raw/abc")
    assert r.json()["data"] == {"name": "abc"}


async def test_literal_path_wins_over_parameter(client):
    r = await client.get("/things/special")
    assert r.status_code == 200 and r.json()["data"] == {"special": True}


async def test_one_handler_under_two_prefixes(client):
    for path in ("/admin/ping", "/v1/admin/ping"):
        r = await client.get(path)
        assert r.status_code == 200 and r.json()["data"] == "pong"


async def test_domain_error_from_handler(client):
    r = await client.get("/things/404")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


async def test_unknown_path_is_404(client):
    assert (await client.get("/nothing/here")).status_code == 404


# --- int4 bounds (with_int_bounds, applied by Endpoint) ---------------------------------------------


async def test_path_integer_beyond_int4(client):
    assert (await client.get(f"/things/{INT4_MAX}")).status_code == 200
    found = issue(await client.get(f"/things/{INT4_MAX + 1}"))
    assert found["field"] == "thing_id" and str(INT4_MAX) in found["message"]
    assert issue(await client.get(f"/things/{-(2**31) - 1}"))["field"] == "thing_id"


async def test_query_integer_beyond_int4(client):
    r = await client.get("/things", params={"page": INT4_MAX})
    assert r.status_code == 200 and r.json()["data"]["page"] == INT4_MAX
    assert issue(await client.get("/things", params={"page": INT4_MAX + 1}))["field"] == "page"


async def test_integers_in_lists_are_bounded(client):
    r = await client.get("/things", params={"ids": "1,2"})
    assert r.json()["data"]["ids"] == [1, 2]
    assert issue(await client.get("/things", params={"ids": f"1,{INT4_MAX + 1}"}))["field"].startswith("ids")


async def test_explicit_bounds_are_kept(client):
    assert issue(await client.get("/things", params={"limit": 101}))["field"] == "limit"
    r = await client.get("/things", params={"big": 2**35})  # beyond int4, within the field's own bound
    assert r.status_code == 200 and r.json()["data"]["big"] == 2**35
    assert issue(await client.get("/things", params={"big": 2**40 + 1}))["field"] == "big"


async def test_body_integer_beyond_int4(client):
    r = await client.post("/things", json={"count": INT4_MAX})
    assert r.status_code == 201 and r.json()["data"]["count"] == INT4_MAX
    assert issue(await client.post("/things", json={"count": INT4_MAX + 1}))["field"] == "count"


def test_endpoint_bounds_its_models():
    (ep,) = [e for e in router.endpoints if e.handler is list_things]
    assert ep.query_model is not Paging and issubclass(ep.query_model, Paging)
    plain = Endpoint("GET", ("/x",), list_things, "x", "test")
    assert plain.query_model is None and plain.path_model is None and plain.body_model is None
    assert plain.operation_id == "list_things"


# --- methods ----------------------------------------------------------------------------------------


async def test_405_lists_every_method_of_the_path(client):
    r = await client.patch("/things/7")
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) >= {"GET", "DELETE"}
    r = await client.put("/things")
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


async def test_literal_path_owns_its_other_methods(client):
    # /things/touch is literal: a GET there is a 405, not GET /things/{thing_id} with thing_id "touch"
    r = await client.get("/things/touch")
    assert r.status_code == 405 and "POST" in r.headers["allow"]


async def test_head_answers_like_get(client):
    r = await client.head("/things/7")
    assert r.status_code == 200 and r.content == b""


async def test_delete_returns_the_handlers_response(client):
    assert (await client.delete("/things/7")).status_code == 204


def test_a_method_served_twice_is_refused():
    twice = Router("twice")
    twice.get("/dup", summary="one")(list_things)
    twice.get("/dup", summary="two")(special_thing)
    with pytest.raises(ValueError, match="GET /dup is served twice"):
        build_routes(twice.endpoints)


# --- bodies -----------------------------------------------------------------------------------------


async def test_body_required_by_default(client):
    found = issue(await client.post("/things", content=b""))
    assert found == {"field": "body", "message": "Request body is required", "type": "missing"}


async def test_body_optional_validates_as_empty_object(client):
    r = await client.post("/things/touch", content=b"")
    assert r.status_code == 200 and r.json()["data"] == {"name": "unnamed", "count": 0}
    r = await client.post("/things/touch", json={"name": "given"})
    assert r.json()["data"]["name"] == "given"


async def test_malformed_json(client):
    found = issue(await client.post("/things", content=b"{not json", headers={"content-type": "application/json"}))
    assert found["field"] == "body" and found["type"] == "json_invalid"


async def test_unstorable_text_is_refused_everywhere(client):
    assert issue(await client.post("/things", content=b'{"name": "a\\u0000b"}'))["field"] == "name"
    assert issue(await client.post("/things", content=b'{"name": "\\ud800"}'))["type"] == "string_unstorable"
    assert issue(await client.get("/things", params={"page": "1\x00"}))["field"] == "page"
    assert issue(await client.get("/raw/a%00b"))["field"] == "name"


async def test_column_refusal_is_a_400_naming_the_column(client):
    found = issue(await client.post("/refused", json={"name": "xxxx"}))
    assert found == {"field": "name", "message": "must be at most 3 characters", "type": "column_constraint"}
