"""Self-monitoring in the graph: system health, endpoint performance, system metrics.

Thin resolvers over the same services as the REST routes (``services/observability/health.py``,
``services/observability/performance.py``, ``services/observability/system.py``).  Byte counts are
``Float`` because GraphQL ``Int`` is 32-bit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.experimental.pydantic import type as pydantic_type

from graphql_schema.context import Info
from graphql_schema.permissions import IsAdmin, IsAuthenticated
from services.observability import health as health_status
from services.observability import performance as performance_monitoring
from services.observability import system as system_metrics
from services.observability.schemas import DependencyCheck, EndpointStats


@pydantic_type(model=DependencyCheck)
class ServiceCheck:
    name: strawberry.auto
    status: strawberry.auto
    latency_ms: strawberry.auto
    error: strawberry.auto


@strawberry.type
class SystemHealth:
    status: str
    checked_at: datetime
    duration_ms: float
    services: list[ServiceCheck]


@pydantic_type(model=EndpointStats)
class EndpointPerformance:
    endpoint: strawberry.auto
    method: strawberry.auto
    count: strawberry.auto
    errors: strawberry.auto
    client_errors: strawberry.auto
    error_rate: strawberry.auto
    avg_ms: strawberry.auto
    p50_ms: strawberry.auto
    p95_ms: strawberry.auto
    p99_ms: strawberry.auto
    throughput_per_min: strawberry.auto
    bytes_in: float  # GraphQL Int is 32-bit
    bytes_out: float


@strawberry.type
class SystemMetrics:
    host: str
    sampled_at: datetime
    cpu_percent: float
    memory_percent: float
    memory_used_bytes: float
    memory_total_bytes: float
    disk_percent: float
    disk_used_bytes: float
    network_bytes_sent: float
    network_bytes_recv: float
    load_1: float | None
    load_5: float | None
    load_15: float | None
    process_rss_bytes: float
    process_threads: int
    process_open_files: int


def _metrics(snap: dict[str, Any]) -> SystemMetrics:
    load = snap["load_average"] or {}
    return SystemMetrics(
        host=snap["host"],
        sampled_at=snap["sampled_at"],
        cpu_percent=snap["cpu"]["percent"],
        memory_percent=snap["memory"]["percent"],
        memory_used_bytes=snap["memory"]["used_bytes"],
        memory_total_bytes=snap["memory"]["total_bytes"],
        disk_percent=snap["disk"]["percent"],
        disk_used_bytes=snap["disk"]["used_bytes"],
        network_bytes_sent=snap["network"]["bytes_sent"],
        network_bytes_recv=snap["network"]["bytes_recv"],
        load_1=load.get("load_1"),
        load_5=load.get("load_5"),
        load_15=load.get("load_15"),
        process_rss_bytes=snap["process"]["rss_bytes"],
        process_threads=snap["process"]["threads"],
        process_open_files=snap["process"]["open_files"],
    )


async def resolve_system_health(info: Info) -> SystemHealth:
    data = await health_status.health(info.context.request.app.state.self_check)
    checks = data.services
    return SystemHealth(
        status=data.status,
        checked_at=data.checked_at,
        duration_ms=data.duration_ms,
        services=[
            ServiceCheck.from_pydantic(c)
            for c in (checks.database, checks.redis, checks.api, checks.core_tables, checks.worker)
        ],
    )


async def resolve_endpoint_performance(
    info: Info, hours: int = 24, limit: int = 20, sort_by: str = "p95_ms"
) -> list[EndpointPerformance]:
    data = await performance_monitoring.endpoint_performance(info.context.user, hours, limit, sort_by)
    return [EndpointPerformance.from_pydantic(row) for row in data.endpoints]


async def resolve_system_metrics(info: Info) -> SystemMetrics:
    return _metrics((await system_metrics.current(info.context.user)).model_dump())


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
