"""The REST route table.

An :class:`Endpoint` declares method, path(s), models and role once; from that
table we build the Starlette routes *and* the OpenAPI document, so the docs can
not drift from what is served.  One handler may be mounted under several
prefixes (``/admin/...`` and ``/v1/admin/...``) by listing several paths.

Handlers receive a :class:`Call` (principal, validated path/query/body) and
return :class:`Ok` or a ready :class:`Response` (204, files, Prometheus text).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.routing import Router as StarletteRouter
from starlette.types import Receive, Scope, Send

from api.auth import principal_of
from api.envelope import success
from services.errors import BadRequest
from services.policy import Principal, Role, require_authenticated, require_role
from services.validation import bad_request, issues_of, validated

Q = TypeVar("Q")
B = TypeVar("B")
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


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
    media_type: str | None = None  # non-JSON success bodies (CSV, Prometheus text, ...)
    body_required: bool = True  # False: an empty body validates as ``{}``

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


def _query_data(request: Request, model: type[BaseModel]) -> dict[str, Any]:
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
            data[alias] = values
        else:
            data[alias] = params[alias]
    return data


async def _body(request: Request, model: type[BaseModel], required: bool = True) -> BaseModel:
    raw = await request.body()
    if not raw.strip():
        if not required:
            return validated(model, {})
        raise BadRequest.field("body", "Request body is required", "missing")
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
        path = validated(ep.path_model, request.path_params) if ep.path_model else request.path_params
        query = validated(ep.query_model, _query_data(request, ep.query_model)) if ep.query_model else None
        body = await _body(request, ep.body_model, ep.body_required) if ep.body_model else None
        result = await ep.handler(Call(request, principal, path, query, body))
        if isinstance(result, Response):
            return result
        return success(result.data, result.message, result.status)

    endpoint.__name__ = ep.operation_id
    return endpoint


def _sort_key(path: str) -> tuple[int, ...]:
    """Literal segments before parameters, so ``/prompts/history`` wins over ``/prompts/{id}``."""
    return tuple(1 if _PARAM.fullmatch(seg) else 0 for seg in path.strip("/").split("/"))


def build_routes(endpoints: Iterable[Endpoint]) -> list[Route]:
    pairs = [(path, ep) for ep in endpoints for path in ep.paths]
    pairs.sort(key=lambda pair: _sort_key(pair[0]))
    return [
        Route(path, _starlette_endpoint(ep), methods=[ep.method], name=f"{ep.operation_id}:{path}")
        for path, ep in pairs
    ]


class LiteralFirstRouter(StarletteRouter):
    """Starlette's router plus one dict lookup for parameter-free paths before its linear scan.

    Starlette tries every route's regex in order, so a request to a path near the end of a
    long table (``POST /api/v1/prompts/analytics``, the ingest hot path) paid tens of regex
    matches before its handler ran.  Literal paths already win over parameterised ones in
    our table (see ``_sort_key``), so answering them from a dict changes no outcome; anything
    not matched fully here (other methods, 404s, 405s) takes Starlette's usual path.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.literal: dict[str, list[Route]] = {}
        for route in self.routes:
            if isinstance(route, Route) and not _PARAM.search(route.path):
                self.literal.setdefault(route.path, []).append(route)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self.literal.get(get_route_path(scope), ()):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.setdefault("router", self)
                    scope["route"] = route
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        await super().app(scope, receive, send)


def path_parameters(path: str) -> list[str]:
    return [m.group(1) for m in _PARAM.finditer(path)]
