"""Strawberry's ASGI app with our context (principal from the auth middleware + DataLoaders)."""

from __future__ import annotations

from typing import Any

from strawberry.asgi import GraphQL

from api.auth import principal_of
from graphql_schema.context import Context
from graphql_schema.schema import schema


class PromptOpsGraphQL(GraphQL[Context, None]):
    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(request=request, response=response, principal=principal_of(request))


def graphql_app() -> PromptOpsGraphQL:
    return PromptOpsGraphQL(schema, graphql_ide="graphiql", allow_queries_via_get=True)
