"""Root Query/Mutation and the schema object."""

from __future__ import annotations

import strawberry

from graphql_schema.extensions import DomainErrorMasking
from graphql_schema.permissions import IsAuthenticated
from graphql_schema.types.prompt_reports import AnalysisQuery
from graphql_schema.types.tenancy import User, Viewer, resolve_user, resolve_viewer


@strawberry.type
class Query(AnalysisQuery):
    viewer: Viewer = strawberry.field(
        resolver=resolve_viewer, permission_classes=[IsAuthenticated], description="The authenticated caller"
    )
    user: User = strawberry.field(
        resolver=resolve_user,
        permission_classes=[IsAuthenticated],
        description="A user of the caller's organization (404 otherwise)",
    )


class PromptOpsSchema(strawberry.Schema):
    def process_errors(self, errors: list, execution_context: object = None) -> None:
        """Logging is done by :class:`DomainErrorMasking`: unexpected errors only, with request id."""


schema = PromptOpsSchema(query=Query, extensions=[DomainErrorMasking])
