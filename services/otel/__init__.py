"""OpenTelemetry ingest: OTLP/HTTP trace export (protobuf or JSON, gzip) mapped to usage events, tool
executions and prompt executions on the lossless ingest stream; span counters and the resources
(service, environment, version) seen, linked to environments and deployments."""

from services.otel.ingest import UnsupportedMediaType, decode_request, export_spans, stats
from services.otel.mapping import map_span
from services.otel.schemas import ExportResult, OtelStats, ResourceInfo

__all__ = [
    "ExportResult",
    "OtelStats",
    "ResourceInfo",
    "UnsupportedMediaType",
    "decode_request",
    "export_spans",
    "map_span",
    "stats",
]
