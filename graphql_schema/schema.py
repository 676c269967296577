"""Root Query/Mutation/Subscription and the schema object.

Domain mixins (``AlertsQuery``, ``AlertsMutation``, ``MetricsSubscription``, ...) are
combined here by inheritance, so each domain keeps its fields in its own module.
"""

from __future__ import annotations

import strawberry

from graphql_schema.extensions import DomainErrorMasking, QueryGuard, TokenLimit
from graphql_schema.permissions import IsAuthenticated
from graphql_schema.types.alerting import AlertsMutation, AlertsQuery, AlertsSubscription
from graphql_schema.types.analytics import AnalysisQuery
from graphql_schema.types.catalog import PromptsMutation, PromptsQuery
from graphql_schema.types.dbperf import DatabasePerformanceMutation, DatabasePerformanceQuery
from graphql_schema.types.deployments import DeploymentsMutation, DeploymentsQuery
from graphql_schema.types.gateway import GatewayQuery
from graphql_schema.types.identity import IdentityMutation, User, Viewer, resolve_user, resolve_viewer
from graphql_schema.types.ingest import IngestMutation, IngestSubscription
from graphql_schema.types.metrics import MetricsSubscription
from graphql_schema.types.notifications import NotificationsMutation, NotificationsQuery
from graphql_schema.types.observability import MonitoringQuery
from graphql_schema.types.otel import OtelQuery
from graphql_schema.types.security import SecurityMutation, SecurityQuery, SecuritySubscription
from graphql_schema.types.tools import ToolsQuery
from graphql_schema.types.usage import UsageMutation, UsageQuery


@strawberry.type
class Query(
    PromptsQuery,
    NotificationsQuery,
    MonitoringQuery,
    AlertsQuery,
    AnalysisQuery,
    DeploymentsQuery,
    SecurityQuery,
    DatabasePerformanceQuery,
    UsageQuery,
    ToolsQuery,
    GatewayQuery,
    OtelQuery,
):
    viewer: Viewer = strawberry.field(
        resolver=resolve_viewer, permission_classes=[IsAuthenticated], description="The authenticated caller"
    )
    user: User = strawberry.field(
        resolver=resolve_user,
        permission_classes=[IsAuthenticated],
        description="A user of the caller's organization (404 otherwise)",
    )


@strawberry.type
class Mutation(
    IdentityMutation,
    PromptsMutation,
    IngestMutation,
    NotificationsMutation,
    AlertsMutation,
    DeploymentsMutation,
    SecurityMutation,
    DatabasePerformanceMutation,
    UsageMutation,
):
    pass


@strawberry.type
class Subscription(MetricsSubscription, AlertsSubscription, SecuritySubscription, IngestSubscription):
    pass


class PromptOpsSchema(strawberry.Schema):
    def process_errors(self, errors: list, execution_context: object = None) -> None:
        """Logging is done by :class:`DomainErrorMasking`: unexpected errors only, with request id."""


# Extensions are classes: strawberry builds them per operation, so settings are read then.
schema = PromptOpsSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=[TokenLimit, QueryGuard, DomainErrorMasking],
)
