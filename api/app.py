"""The Starlette application factory.

``create_app()`` wires settings, middleware, the REST route table, GraphQL and the
lifespan (Tortoise via ``RegisterTortoise``, the Redis pool).  ``app`` is what
uvicorn serves: ``uvicorn api.app:app``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from tortoise.contrib.starlette import RegisterTortoise

from api import dashboard, docs, ide
from api.auth import BearerAuthBackend, on_auth_error
from api.envelope import error, from_domain_error
from api.graphql_app import graphql_app
from api.middleware import RequestContextMiddleware
from api.openapi import build_openapi
from api.request_recording import RequestRecordingMiddleware
from api.routes import ROUTERS
from api.routes.gateway import MeteredWebSocket
from api.routing import Endpoint, LiteralFirstRouter, build_routes
from api.security_middleware import SecurityMiddleware
from api.self_check import asgi_self_check
from services import observability
from services.core import redis_client
from services.core.config import Settings, get_settings
from services.core.database import tortoise_config
from services.core.errors import DomainError
from services.core.process_tuning import tune_gc

VERSION = "0.1.0"
_HTTP_CODES = {
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED",
}


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"No route for {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"Method {request.method} not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    headers = dict(exc.headers) if exc.headers else None
    return error(exc.status_code, _HTTP_CODES.get(exc.status_code, "HTTP_ERROR"), message, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return from_domain_error(exc)


def all_endpoints() -> list[Endpoint]:
    return [ep for router in ROUTERS for ep in router.endpoints]


GRAPHQL_OPENAPI = {
    "/graphql": {
        "post": {
            "operationId": "graphql",
            "summary": "GraphQL endpoint (GraphiQL on GET from a browser)",
            "tags": ["GraphQL"],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["query"],
                            "properties": {
                                "query": {"type": "string"},
                                "variables": {"type": "object"},
                                "operationName": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "GraphQL result (errors carry extensions.code)",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }
}


def create_app(settings: Settings | None = None, *, orm_global_fallback: bool = True) -> Starlette:
    """Build the app.  ``orm_global_fallback=False`` is for a second app in a process whose
    Tortoise global context is already taken (Tortoise allows one per process)."""
    settings = settings or get_settings()
    settings.validate()
    logging.basicConfig(level=settings.log_level)
    endpoints = all_endpoints()
    gql = graphql_app()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tune_gc(settings)
        redis_client.connect(settings)
        flusher = None
        if settings.request_metrics_enabled:
            flusher = asyncio.create_task(observability.flush_forever(settings.request_metrics_flush_seconds))
        try:
            async with RegisterTortoise(
                app, config=tortoise_config(settings), _enable_global_fallback=orm_global_fallback
            ):
                yield
        finally:
            if flusher is not None:
                flusher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await flusher
            await redis_client.close()

    routes = [
        *build_routes(endpoints),
        Route("/openapi.json", docs.openapi_json, methods=["GET"], include_in_schema=False),
        Route("/docs", docs.docs_page, methods=["GET"], include_in_schema=False),
        *dashboard.ROUTES,  # GET / and /dashboard/{path}: the web dashboard (web/, built into api/static)
        Route(ide.VENDOR_PREFIX + "{path:path}", ide.vendor_asset, methods=["GET"], include_in_schema=False),
        Route("/graphql", gql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", MeteredWebSocket(gql)),  # counted for /v1/mcp/proxy/metrics/websocket
    ]
    recording = (
        [Middleware(RequestRecordingMiddleware, recorder=observability.RECORDER)]
        if settings.request_metrics_enabled
        else []
    )
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityMiddleware),  # security: outermost, so a blocked address costs nothing else
            *recording,
            Middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes),
            Middleware(AuthenticationMiddleware, backend=BearerAuthBackend(), on_error=on_auth_error),
        ],
        exception_handlers={HTTPException: _http_exception, DomainError: _domain_error},
        lifespan=lifespan,
    )
    app.router = LiteralFirstRouter(routes, lifespan=lifespan)  # what Starlette builds, plus a fast path
    app.state.settings = settings
    app.state.self_check = asgi_self_check(app)  # the health report's "api" check
    app.state.openapi = build_openapi(endpoints, "PromptOps Analytics", VERSION, GRAPHQL_OPENAPI)
    return app


app = create_app()
