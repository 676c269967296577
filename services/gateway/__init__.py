"""Gateway telemetry: registered Kong / MCP server / WebSocket proxy targets, their collection
(scrape and probe under the outbound policy), this service's own WebSocket figures, and the
MCP proxy views (health, metrics, kong, websocket, containers, billing, export, Prometheus)."""

from services.gateway import export
from services.gateway.collect import collect_due, collect_organization, prune
from services.gateway.schemas import (
    BillingMetrics,
    CacheCleared,
    ContainerMetrics,
    ExportRequest,
    KongMetrics,
    ProxyHealth,
    ProxyMetrics,
    TargetInfo,
    TargetInput,
    TargetList,
    TargetUpdate,
    TimeRange,
    WebSocketMetrics,
)
from services.gateway.targets import create_target, delete_target, get_target, list_targets, update_target
from services.gateway.views import (
    billing,
    clear_cache,
    containers,
    export_metrics,
    health,
    kong,
    metrics,
    prometheus_text,
    websocket_metrics,
)
from services.gateway.websocket import SocketMeter

__all__ = [
    "BillingMetrics",
    "CacheCleared",
    "ContainerMetrics",
    "ExportRequest",
    "KongMetrics",
    "ProxyHealth",
    "ProxyMetrics",
    "SocketMeter",
    "TargetInfo",
    "TargetInput",
    "TargetList",
    "TargetUpdate",
    "TimeRange",
    "WebSocketMetrics",
    "billing",
    "clear_cache",
    "collect_due",
    "collect_organization",
    "containers",
    "create_target",
    "delete_target",
    "export",
    "export_metrics",
    "get_target",
    "health",
    "kong",
    "list_targets",
    "metrics",
    "prometheus_text",
    "prune",
    "update_target",
    "websocket_metrics",
]
