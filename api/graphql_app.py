"""Strawberry's ASGI app with our context (principal from the auth middleware + DataLoaders).

Websockets (graphql-transport-ws) authenticate in ``connection_init``: the payload
carries ``{"authorization": "Bearer <JWT or API key>"}`` (or ``{"token": ...}``),
because browsers cannot set headers on a websocket.  A bad or missing token closes
the socket with 4403 before any subscription starts.  Once acknowledged, the server
sends a graphql-transport-ws ``ping`` every ``GRAPHQL_WS_KEEPALIVE_SECONDS`` (clients
answer ``pong``), so idle subscriptions survive proxies' idle timeouts; the legacy
graphql-ws protocol gets strawberry's ``ka`` messages at the same interval.

Request bodies (and GET ``variables``, and websocket messages) are decoded strictly:
UTF-8 only, a JSON object, at most :data:`MAX_JSON_DEPTH` levels deep.  Anything else,
and strawberry's own transport errors (no query, batching, GET mutation), answer in the
REST envelope (``BAD_REQUEST`` 400 naming ``body``, ``METHOD_NOT_ALLOWED`` 405), never a 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from api.auth import principal_of
from api.envelope import error as envelope_error
from api.envelope import from_domain_error
from api.ide import graphiql_html
from graphql_schema.context import Context
from graphql_schema.extensions import bad_input
from graphql_schema.schema import schema
from services.core.config import get_settings
from services.core.errors import BadRequest, DomainError, FieldIssue, Unauthorized
from services.identity import authenticate_bearer

MAX_JSON_DEPTH = 64
_HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 415: "UNSUPPORTED_MEDIA_TYPE"}


class InvalidBody(json.JSONDecodeError):
    """A body we refuse to decode: a ``JSONDecodeError`` for strawberry (its 400 over HTTP, a 4400 close
    on a websocket) that carries the ``BadRequest`` the envelope shows."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "", 0)
        self.error = BadRequest(message, [FieldIssue("body", message, "invalid_body")])


def decode_json_strictly(data: str | bytes) -> object:
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidBody(f"Request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(data)
    except RecursionError:
        raise InvalidBody(f"JSON is nested more than {MAX_JSON_DEPTH} levels deep") from None
    except json.JSONDecodeError as exc:
        raise InvalidBody(
            f"Request body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(value, dict | list):
        raise InvalidBody("Request body must be a JSON object")
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidBody(f"JSON is nested more than {MAX_JSON_DEPTH} levels deep")
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return value


def subscribe_payload_issue(payload: object) -> FieldIssue | None:
    """What is wrong with a ``subscribe`` message's payload (strawberry would crash on it), or None."""
    if not isinstance(payload, dict):
        return FieldIssue("payload", "must be an object")
    if not isinstance(payload.get("query"), str):
        return FieldIssue("payload.query", "must be a string")
    if not isinstance(payload.get("variables"), dict | None):
        return FieldIssue("payload.variables", "must be an object or null")
    if not isinstance(payload.get("operationName"), str | None):
        return FieldIssue("payload.operationName", "must be a string or null")
    return None


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with server pings (strawberry's ``keep_alive`` only covers legacy graphql-ws),
    and a malformed ``subscribe`` payload answered with a BAD_REQUEST ``error`` message, not a crash."""

    _pinger: asyncio.Task[None] | None = None

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        interval = self.view.keep_alive_interval if self.view.keep_alive else None
        if interval:
            self._pinger = asyncio.create_task(self._ping_forever(interval))

    async def _ping_forever(self, interval: float) -> None:
        with contextlib.suppress(WebSocketDisconnected, RuntimeError):
            while True:
                await asyncio.sleep(interval)
                if self.connection_acknowledged:
                    await self.send_message({"type": "ping"})

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        issue = subscribe_payload_issue(message.get("payload"))
        if issue is not None and self.connection_acknowledged and isinstance(message.get("id"), str):
            error = bad_input(issue).formatted
            await self.send_message({"id": message["id"], "type": "error", "payload": [error]})
            return
        await super().handle_subscribe(message)

    async def shutdown(self) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pinger
        await super().shutdown()


class PromptOpsGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        interval = get_settings().graphql_ws_keepalive_seconds
        self.keep_alive = interval > 0
        self.keep_alive_interval = interval or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive=receive))
        except HTTPException as exc:  # strawberry's transport errors, in the envelope
            cause = exc.__cause__
            if isinstance(cause, InvalidBody | DomainError):
                response = from_domain_error(cause.error if isinstance(cause, InvalidBody) else cause)
            else:
                code = _HTTP_CODES.get(exc.status_code, "HTTP_ERROR")
                details = [FieldIssue("body", exc.reason).as_dict()] if exc.status_code == 400 else None
                response = envelope_error(exc.status_code, code, exc.reason, details)
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        return decode_json_strictly(data)

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(request=request, response=response, principal=principal_of(request))

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL on vendored assets (api.ide) instead of strawberry's CDN-loaded page."""
        return HTMLResponse(graphiql_html())

    async def on_ws_connect(self, context: Context) -> None:
        params = context.connection_params or {}
        raw = params.get("authorization") or params.get("Authorization") or params.get("token")
        if isinstance(raw, str) and raw.strip():
            scheme, _, token = raw.strip().partition(" ")
            token = token if scheme.lower() == "bearer" else raw.strip()
            try:
                context.authenticate(await authenticate_bearer(token), token)
            except Unauthorized:
                raise ConnectionRejectionError({"message": "Invalid or missing authentication token"}) from None
        elif context.principal is None:
            raise ConnectionRejectionError({"message": "connection_init payload must carry 'authorization'"})


def graphql_app() -> PromptOpsGraphQL:
    return PromptOpsGraphQL(schema, graphql_ide="graphiql", allow_queries_via_get=True)
