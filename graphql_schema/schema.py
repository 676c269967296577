"""Root Query/Mutation and the schema object.

Each domain module contributes a ``...Query`` / ``...Mutation`` mixin; the roots
inherit them, so adding a domain is one import and one base class here.
"""

from __future__ import annotations

import strawberry

from graphql_schema.extensions import DomainErrorMasking
from graphql_schema.permissions import IsAuthenticated
from graphql_schema.types.monitoring import MonitoringQuery
from graphql_schema.types.notifications import NotificationsMutation, NotificationsQuery
from graphql_schema.types.prompts import PromptsMutation, PromptsQuery
from graphql_schema.types.tenancy import User, Viewer, resolve_user, resolve_viewer


@strawberry.type
class Query(PromptsQuery, NotificationsQuery, MonitoringQuery):
    viewer: Viewer = strawberry.field(
        resolver=resolve_viewer, permission_classes=[IsAuthenticated], description="The authenticated caller"
    )
    user: User = strawberry.field(
        resolver=resolve_user,
        permission_classes=[IsAuthenticated],
        description="A user of the caller's organization (404 otherwise)",
    )


@strawberry.type
class Mutation(PromptsMutation, NotificationsMutation):
    pass


class PromptOpsSchema(strawberry.Schema):
    def process_errors(self, errors: list, execution_context: object = None) -> None:
        """Logging is done by :class:`DomainErrorMasking`: unexpected errors only, with request id."""


schema = PromptOpsSchema(query=Query, mutation=Mutation, extensions=[DomainErrorMasking])
