"""Self-monitoring in the graph: system health, endpoint performance, system metrics.

Thin resolvers over the same services as the REST routes (``services/observability/health.py``,
``services/observability/performance.py``, ``services/observability/system.py``).  Byte counts are
``Float`` because GraphQL ``Int`` is 32-bit.
"""

from __future__ import annotations

from typing import Any

import strawberry

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.permissions import IsAdmin, IsAuthenticated
from services import observability
from services.observability import DependencyCheck, EndpointStats, HostMetrics, SystemHealthReport


@model_type(DependencyCheck)
class ServiceCheck:
    details: strawberry.Private[dict[str, Any]]


@model_type(SystemHealthReport, name="SystemHealth", exclude=("timeout_seconds", "summary"))
class SystemHealth:
    services: list[ServiceCheck]  # the five checks as a list (REST: an object keyed by check)


@model_type(EndpointStats)
class EndpointPerformance:
    bytes_in: float  # GraphQL Int is 32-bit
    bytes_out: float


@model_type(HostMetrics, name="SystemMetrics")
class SystemMetrics:
    pass


async def resolve_system_health(info: Info) -> SystemHealth:
    data = await observability.service_health(info.context.request.app.state.self_check)
    checks = data.services
    listed = [checks.database, checks.redis, checks.api, checks.core_tables, checks.worker]
    return SystemHealth.from_pydantic(data.model_copy(update={"services": listed}))


async def resolve_endpoint_performance(
    info: Info, hours: int = 24, limit: int = 20, sort_by: str = "p95_ms"
) -> list[EndpointPerformance]:
    data = await observability.endpoint_performance(info.context.user, hours, limit, sort_by)
    return [EndpointPerformance.from_pydantic(row) for row in data.endpoints]


async def resolve_system_metrics(info: Info) -> SystemMetrics:
    return SystemMetrics.from_pydantic(HostMetrics.of(await observability.current(info.context.user)))


@strawberry.type
class MonitoringQuery:
    system_health: SystemHealth = strawberry.field(
        resolver=resolve_system_health,
        permission_classes=[IsAuthenticated],
        description="Database, Redis, API self-check, core tables and worker checks (5 s timeout each)",
    )
    endpoint_performance: list[EndpointPerformance] = strawberry.field(
        resolver=resolve_endpoint_performance,
        permission_classes=[IsAdmin],
        description="Per route template over the last `hours` (1-720); sortBy: count, error_rate, avg_ms, "
        "p50_ms, p95_ms, p99_ms, throughput_per_min",
    )
    system_metrics: SystemMetrics = strawberry.field(
        resolver=resolve_system_metrics,
        permission_classes=[IsAdmin],
        description="A fresh psutil probe of the serving host",
    )
