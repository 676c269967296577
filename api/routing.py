"""The REST route table.

An :class:`Endpoint` declares method, path(s), models and role once; from that
table we build the Starlette routes *and* the OpenAPI document, so the docs can
not drift from what is served.  One handler may be mounted under several
prefixes (``/admin/...`` and ``/v1/admin/...``) by listing several paths.

Handlers receive a :class:`Call` (principal, validated path/query/body) and
return :class:`Ok` or a ready :class:`Response` (204, files, Prometheus text).

Bad input is a 400 naming the field before any handler runs, for every route alike:
integers outside the int4 range of the database columns unless the field says otherwise
(:func:`services.core.validation.with_int_bounds`, also what /openapi.json documents), and text no
database can store (NUL, lone surrogates) in the path, the query or a JSON body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import unquote_to_bytes

from pydantic import BaseModel, ValidationError
from starlette._utils import get_route_path
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.routing import Router as StarletteRouter
from starlette.types import Receive, Scope, Send

from api.auth import principal_of
from api.envelope import success
from services.core.errors import BadRequest, DomainError, FieldIssue, domain_error
from services.core.validation import bad_request, issues_of, unstorable, unstorable_issue, validated, with_int_bounds
from services.identity import Principal, Role, require_authenticated, require_role

Q = TypeVar("Q")
B = TypeVar("B")
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
# A JSON text can only carry a NUL or a lone surrogate as a \u escape (raw control characters are
# invalid JSON): bodies without such an escape, i.e. nearly all, skip the walk over the parsed body.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89abcdefABCDEF][0-9a-fA-F]{2})")


@dataclass
class Call(Generic[Q, B]):
    request: Request
    principal: Principal | None
    path: Any
    query: Q
    body: B

    @property
    def user(self) -> Principal:
        """The authenticated principal (routes that are not public always have one)."""
        return require_authenticated(self.principal)


@dataclass
class Ok:
    data: Any
    message: str
    status: int = 200


Handler = Callable[[Call[Any, Any]], Awaitable[Ok | Response]]


@dataclass
class Endpoint:
    method: str
    paths: tuple[str, ...]
    handler: Handler
    summary: str
    tag: str
    path_model: type[BaseModel] | None = None
    query_model: type[BaseModel] | None = None
    body_model: type[BaseModel] | None = None
    response_model: Any = None
    status: int = 200
    public: bool = False
    role: Role | None = None
    description: str = ""
    responses: dict[int, str] = field(default_factory=dict)
    media_type: str | tuple[str, ...] | None = None  # non-enveloped success bodies (files, Prometheus text, ...)
    body_required: bool = True  # False: an empty body validates as ``{}``
    raw_body: dict[str, Any] | None = None  # a body the handler decodes itself: media type -> schema (docs only)

    def __post_init__(self) -> None:
        # Every integer the route takes gets the int4 range unless its field is bounded already.
        self.path_model = with_int_bounds(self.path_model) if self.path_model else None
        self.query_model = with_int_bounds(self.query_model) if self.query_model else None
        self.body_model = with_int_bounds(self.body_model) if self.body_model else None

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


class Router:
    """Collects endpoints of one domain module; ``api.app`` gathers every router."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.endpoints: list[Endpoint] = []

    def route(self, method: str, *paths: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(method.upper(), tuple(paths), handler, summary, options.pop("tag", self.tag), **options)
            )
            return handler

        return register

    def get(self, *paths: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("GET", *paths, summary=summary, **options)

    def post(self, *paths: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("POST", *paths, summary=summary, **options)

    def patch(self, *paths: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("PATCH", *paths, summary=summary, **options)

    def put(self, *paths: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("PUT", *paths, summary=summary, **options)

    def delete(self, *paths: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("DELETE", *paths, summary=summary, **options)


def both(path: str) -> tuple[str, str]:
    """A documented ``/admin/...`` path and its ``/v1/admin/...`` twin."""
    return (path, "/v1" + path)


def _storable(field: str, value: str) -> str:
    problem = unstorable(value)
    if problem:
        raise bad_request([FieldIssue(field, problem, "string_unstorable")])
    return value


def _path_data(request: Request) -> dict[str, Any]:
    params = request.path_params
    for name, value in params.items():
        if isinstance(value, str):
            _storable(name, value)
    return params


def _utf8_query(request: Request) -> None:
    """A query parameter whose bytes are not UTF-8 (an encoded lone surrogate, a stray byte) is a 400
    naming it: decoded, it would become U+FFFD and the answer would be for a name nobody sent."""
    raw: bytes = request.scope.get("query_string", b"")
    if raw.isascii() and b"%" not in raw:
        return
    for part in raw.split(b"&"):
        name, _, value = part.partition(b"=")
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            field = unquote_to_bytes(name).decode("utf-8", "replace")
            raise BadRequest.field(field, "must be UTF-8 text (no lone surrogates)", "string_unstorable") from None


def _query_data(request: Request, model: type[BaseModel]) -> dict[str, Any]:
    _utf8_query(request)
    params = request.query_params
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        alias = info.alias or name
        if alias not in params:
            continue
        origin = getattr(info.annotation, "__origin__", None)
        if origin in (list, tuple, set) or "list[" in str(info.annotation):
            values: list[str] = []
            for raw in params.getlist(alias):
                values.extend(v for v in raw.split(",") if v != "")
            data[alias] = [_storable(alias, v) for v in values]
        else:
            data[alias] = _storable(alias, params[alias])
    return data


def _check_storable_body(raw: bytes) -> None:
    """A 400 naming the first field of a JSON body whose text no database can store."""
    if b"\x00" not in raw and not _SUSPECT_ESCAPE.search(raw):
        return
    try:
        parsed = json.loads(raw)  # the stdlib keeps lone surrogates, so the walk can find and name them
        issue = unstorable_issue(parsed)
    except ValueError:
        return  # not JSON: validation answers with its own 400
    except RecursionError:  # nested past the interpreter's limit: no route takes such a body
        raise BadRequest.field("body", "JSON nested too deeply", "json_too_deep") from None
    if issue is not None:
        raise bad_request([issue])


async def _read_body(request: Request) -> bytes:
    """The request's body, read as ``Request.body()`` reads it but without its async generator (a
    few microseconds of the single-event ingest path's CPU).  Read once, by :func:`_body` only."""
    chunks: list[bytes] = []
    while True:
        message = await request.receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect


async def _body(request: Request, model: type[BaseModel], required: bool = True) -> BaseModel:
    raw = await _read_body(request)
    if not raw.strip():
        if not required:
            return validated(model, {})
        raise BadRequest.field("body", "Request body is required", "missing")
    _check_storable_body(raw)
    # Parse and validate in one pass in pydantic-core (no intermediate Python dicts): the
    # batch-ingest hot path spent about half its time in these two steps when done apart.
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            if err["type"] == "json_invalid":
                raise BadRequest.field("body", f"Malformed JSON: {err['msg']}", "json_invalid") from None
        raise bad_request(issues_of(exc)) from None


def _starlette_endpoint(ep: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        principal = principal_of(request)
        if not ep.public:
            require_role(principal, ep.role) if ep.role else require_authenticated(principal)
        path = validated(ep.path_model, _path_data(request)) if ep.path_model else _path_data(request)
        query = validated(ep.query_model, _query_data(request, ep.query_model)) if ep.query_model else None
        body = await _body(request, ep.body_model, ep.body_required) if ep.body_model else None
        try:
            result = await ep.handler(Call(request, principal, path, query, body))
        except DomainError:
            raise
        except Exception as exc:
            # A column's refusal of input the route's model let through is a 400 naming the field
            # (services.core.errors.domain_error, the boundary GraphQL uses too); outages go on to
            # the middleware, which answers them as 503s; anything else is a 500.
            refused = domain_error(exc)
            if not isinstance(refused, BadRequest):
                raise
            raise refused from None
        if isinstance(result, Response):
            return result
        return success(result.data, result.message, result.status)

    endpoint.__name__ = ep.operation_id
    return endpoint


def _dispatcher(by_method: dict[str, Callable[[Request], Awaitable[Response]]]) -> Callable[..., Any]:
    """One endpoint for all methods of a path (HEAD answers like GET)."""
    if "GET" in by_method:
        by_method = {**by_method, "HEAD": by_method["GET"]}

    async def endpoint(request: Request) -> Response:
        return await by_method[request.method](request)

    return endpoint


def _sort_key(path: str) -> tuple[int, ...]:
    """Literal segments before parameters, so ``/prompts/history`` wins over ``/prompts/{id}``."""
    return tuple(1 if _PARAM.fullmatch(seg) else 0 for seg in path.strip("/").split("/"))


def build_routes(endpoints: Iterable[Endpoint]) -> list[Route]:
    """One route per path serving all its methods, so a 405 lists them all in ``Allow``."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for ep in endpoints:
        for path in ep.paths:
            methods = by_path.setdefault(path, {})
            if ep.method in methods:
                raise ValueError(f"{ep.method} {path} is served twice")
            methods[ep.method] = ep
    routes = []
    for path in sorted(by_path, key=_sort_key):
        eps = by_path[path]
        handlers = {method: _starlette_endpoint(ep) for method, ep in eps.items()}
        endpoint = handlers[next(iter(handlers))] if len(handlers) == 1 else _dispatcher(handlers)
        name = "|".join(f"{ep.operation_id}" for ep in eps.values())
        routes.append(Route(path, endpoint, methods=list(eps), name=f"{name}:{path}"))
    return routes


class LiteralFirstRouter(StarletteRouter):
    """Starlette's router plus one dict lookup for parameter-free paths before its linear scan.

    Starlette tries every route's regex in order, so a request to a path near the end of a
    long table (``POST /api/v1/prompts/analytics``, the ingest hot path) paid tens of regex
    matches before its handler ran.  Literal paths already win over parameterised ones in
    our table (see ``_sort_key``), so answering them from a dict changes no outcome for the
    methods they serve.  A literal path also owns its other methods: ``PATCH
    /api/v1/prompts/analytics`` is a 405 listing the methods the path allows, not a try of
    ``PATCH /api/v1/prompts/{prompt_id}`` with the id ``analytics``.  Paths with no literal
    route (parameterised ones, 404s) take Starlette's usual path.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.literal: dict[str, list[Route]] = {}
        for route in self.routes:
            if isinstance(route, Route) and not _PARAM.search(route.path):
                self.literal.setdefault(route.path, []).append(route)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            chosen: tuple[Route, MutableMapping[str, Any]] | None = None
            for route in self.literal.get(get_route_path(scope), ()):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    chosen = (route, child_scope)
                    break
                if match is Match.PARTIAL and chosen is None:
                    chosen = (route, child_scope)
            if chosen is not None:
                route, child_scope = chosen
                scope.setdefault("router", self)
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)  # a partial match answers 405 with Allow
                return
        await super().app(scope, receive, send)


def path_parameters(path: str) -> list[str]:
    return [m.group(1) for m in _PARAM.finditer(path)]
