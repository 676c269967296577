"""OpenTelemetry ingest in the graph: ``otelStats`` (span counters and the resources seen).

The same service function and pydantic models as ``GET /api/v1/otel/stats``.  Traces themselves
arrive only over OTLP/HTTP (``POST /v1/traces``); there is no GraphQL mutation for them.
"""

from __future__ import annotations

import strawberry

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.permissions import IsAuthenticated
from services import otel
from services.otel import OtelStats as OtelStatsModel
from services.otel import ResourceInfo


@model_type(ResourceInfo, description="An OTLP resource: service, environment, version")
class OtelResource:
    pass


@model_type(OtelStatsModel, description="Span counters of the organization")
class OtelStats:
    pass


async def resolve_otel_stats(info: Info) -> OtelStats:
    return OtelStats.from_pydantic(await otel.stats(info.context.principal))


@strawberry.type
class OtelQuery:
    otel_stats: OtelStats = strawberry.field(
        resolver=resolve_otel_stats,
        permission_classes=[IsAuthenticated],
        description="Spans received over OTLP/HTTP: counts by fact, unknown and rejected; resources with their "
        "environment and deployment",
    )
