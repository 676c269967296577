"""Strawberry's ASGI app with our context (principal from the auth middleware + DataLoaders).

Websockets (graphql-transport-ws) authenticate in ``connection_init``: the payload
carries ``{"authorization": "Bearer <JWT or API key>"}`` (or ``{"token": ...}``),
because browsers cannot set headers on a websocket.  A bad or missing token closes
the socket with 4403 before any subscription starts.
"""

from __future__ import annotations

from typing import Any

from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from api.auth import principal_of
from graphql_schema.context import Context
from graphql_schema.schema import schema
from services.authentication import authenticate_bearer
from services.errors import Unauthorized


class PromptOpsGraphQL(GraphQL[Context, None]):
    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(request=request, response=response, principal=principal_of(request))

    async def on_ws_connect(self, context: Context) -> None:
        params = context.connection_params or {}
        raw = params.get("authorization") or params.get("Authorization") or params.get("token")
        if isinstance(raw, str) and raw.strip():
            scheme, _, token = raw.strip().partition(" ")
            token = token if scheme.lower() == "bearer" else raw.strip()
            try:
                context.authenticate(await authenticate_bearer(token))
            except Unauthorized:
                raise ConnectionRejectionError({"message": "Invalid or missing authentication token"}) from None
        elif context.principal is None:
            raise ConnectionRejectionError({"message": "connection_init payload must carry 'authorization'"})


def graphql_app() -> PromptOpsGraphQL:
    return PromptOpsGraphQL(schema, graphql_ide="graphiql", allow_queries_via_get=True)
