"""Results of the OpenTelemetry ingest (pydantic), shared by REST and GraphQL."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ExportResult(BaseModel):
    """What one OTLP export request became; the route renders it as an ExportTraceServiceResponse."""

    spans: int = Field(description="Spans in the request")
    usage_events: int = Field(description="LLM spans queued as usage events")
    tool_executions: int = Field(description="Tool and MCP spans queued as tool executions")
    prompt_executions: int = Field(description="Spans with a prompt identity and version queued as prompt executions")
    unknown: int = Field(description="Spans matching no mapping: counted, not stored")
    rejected: int = Field(description="Spans refused (reason in message); the rest of the request was queued")
    message: str = Field(description="The first rejection reasons, or a note on unknown spans; empty when neither")


class ResourceInfo(BaseModel):
    service_name: str = Field(description="service.name")
    environment: str = Field(description="deployment.environment.name (or deployment.environment)")
    service_version: str = Field(description="service.version")
    spans: int = Field(description="Spans received from this resource")
    last_seen_at: datetime
    environment_id: int | None = Field(description="The organization's environment of that name, if any")
    deployment_id: int | None = Field(
        description="The newest deployment of service.version to that environment, if any"
    )


class OtelStats(BaseModel):
    """Span counts of the caller's organization since it first exported, and the resources seen."""

    requests: int
    spans: int
    usage_events: int
    tool_executions: int
    prompt_executions: int
    unknown: int
    rejected: int
    resources: list[ResourceInfo]
