"""OTLP/HTTP trace receiver (``POST /v1/traces``) and the organization's span counters.

The receiver answers the way the OTLP specification asks, so that stock exporters retry and back
off correctly: 200 with an ``ExportTraceServiceResponse`` in the request's encoding (partial
success carries the rejected span count and the reasons); errors as a ``google.rpc.Status`` in the
request's encoding (in JSON also the usual error envelope) with 400 (undecodable, retrying will
not help), 415 (unsupported content type or encoding), 429/503 with ``Retry-After`` (exporters
retry after that delay).  A missing or bad API key is the service's usual 401 envelope.
"""

from __future__ import annotations

from typing import Any

import orjson
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTracePartialSuccess,
    ExportTraceServiceResponse,
)
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema
from starlette.responses import Response

from api.envelope import error_body
from api.routing import Call, Ok, Router
from services import otel
from services.core.errors import DomainError
from services.otel import JSON, PROTOBUF, media_type

router = Router("OpenTelemetry")

# HTTP status -> gRPC status code (google.rpc.Code), as OTLP/HTTP maps them.
_GRPC_CODE = {400: 3, 401: 16, 403: 7, 404: 5, 413: 3, 415: 3, 429: 8, 503: 14}


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _status_body(media: str, exc: DomainError) -> bytes:
    """A ``google.rpc.Status`` (code = 1, message = 2) in ``media``; two fields need no generated module.

    In JSON it is also the service's error envelope (``success``, ``error``, ``message``), which
    the OpenAPI document promises for every error: Status' ``code`` and ``message`` sit beside it.
    """
    code = _GRPC_CODE.get(exc.status, 13)
    if media == JSON:
        envelope = error_body(exc.code, exc.message, [d.as_dict() for d in exc.details])
        return orjson.dumps({**envelope, "code": code})
    text = exc.message.encode()
    return b"\x08" + _varint(code) + b"\x12" + _varint(len(text)) + text


def _error(media: str, exc: DomainError) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return Response(_status_body(media, exc), status_code=exc.status, media_type=media, headers=headers)


class PartialSuccess(BaseModel):
    rejected_spans: int = Field(serialization_alias="rejectedSpans", description="Spans not accepted")
    error_message: str = Field(serialization_alias="errorMessage", description="Why they were not")


class TraceExportAck(BaseModel):
    """``ExportTraceServiceResponse`` in OTLP/JSON: ``{}``, or ``partialSuccess`` when spans were rejected."""

    partial_success: PartialSuccess | SkipJsonSchema[None] = Field(default=None, serialization_alias="partialSuccess")


def _json_ack(result: otel.ExportResult) -> dict[str, Any]:
    if not (result.rejected or result.message):
        return TraceExportAck().model_dump(mode="json", by_alias=True, exclude_unset=True)
    partial = PartialSuccess(rejected_spans=result.rejected, error_message=result.message)
    return TraceExportAck(partial_success=partial).model_dump(mode="json", by_alias=True, exclude_unset=True)


# Request bodies the handler decodes itself (an OTLP ExportTraceServiceRequest, optionally gzipped).
OTLP_REQUEST = {
    PROTOBUF: {"type": "string", "format": "binary", "description": "ExportTraceServiceRequest (protobuf)"},
    JSON: {
        "type": "object",
        "description": "ExportTraceServiceRequest in OTLP/JSON",
        "properties": {"resourceSpans": {"type": "array", "items": {"type": "object"}}},
    },
}


def _answer(media: str, result: otel.ExportResult) -> Response:
    partial = bool(result.rejected or result.message)
    if media == JSON:
        return Response(orjson.dumps(_json_ack(result)), media_type=JSON)
    response = ExportTraceServiceResponse()
    if partial:
        response.partial_success.CopyFrom(
            ExportTracePartialSuccess(rejected_spans=result.rejected, error_message=result.message)
        )
    return Response(response.SerializeToString(), media_type=PROTOBUF)


@router.post(
    "/v1/traces",
    summary="Receive OpenTelemetry traces (OTLP/HTTP)",
    media_type=(PROTOBUF, JSON),
    response_model=TraceExportAck,  # the JSON answer
    raw_body=OTLP_REQUEST,
    responses={
        200: "ExportTraceServiceResponse in the request's encoding; partialSuccess names rejected spans",
        400: "Undecodable body (google.rpc.Status)",
        415: "Content type other than application/x-protobuf or application/json, or an encoding other than gzip",
        429: "Ingest rate limit of the API key (Retry-After)",
        503: "Queue unavailable (Retry-After)",
    },
    description="Point any OTLP/HTTP exporter at this service (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=<base>/v1/traces`, "
    "`OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer <api key>`). LLM spans (gen_ai.*) become usage events "
    "priced by the price map, tool and MCP spans tool executions, spans with a prompt template identity and "
    "version prompt executions; other spans are counted as unknown. All facts of a request are queued "
    "together before the answer. Bodies: protobuf or OTLP/JSON, optionally gzip.",
)
async def export_traces(call: Call[None, None]) -> Response:
    request = call.request
    try:
        media = media_type(request.headers.get("content-type"))
    except ValueError:
        media = JSON  # an unsupported type is answered in JSON, the only encoding a client without one can read
    try:
        body = await request.body()
        _, spans = otel.decode_request(
            body, request.headers.get("content-type"), request.headers.get("content-encoding")
        )
        result = await otel.export_spans(call.user, spans)
    except DomainError as exc:
        return _error(media, exc)
    return _answer(media, result)


@router.get(
    "/api/v1/otel/stats",
    summary="Span counters of the caller's organization and the resources seen",
    response_model=otel.OtelStats,
    description="Counts since the organization's first export: spans received, queued as usage events, tool "
    "executions and prompt executions, unknown (matched no mapping) and rejected. Resources are "
    "(service.name, deployment.environment.name, service.version) with their span counts, linked to the "
    "environment of that name and the newest deployment of that version there when the deployments domain "
    "has them (at most 100 resources, most spans first).",
)
async def otel_stats(call: Call[None, None]) -> Ok:
    return Ok(await otel.stats(call.user), "OpenTelemetry ingest statistics retrieved")
