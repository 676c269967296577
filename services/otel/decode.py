"""OTLP/HTTP trace bodies -> plain spans: protobuf or JSON, optionally gzip-compressed.

Both encodings decode to the same :class:`Span` so that the mapping (:mod:`services.otel.mapping`)
never knows which one arrived.  The JSON encoding is OTLP/JSON, not protobuf's canonical JSON:
trace and span ids are hex strings, 64-bit integers may be strings or numbers, and unknown fields
are ignored (the specification requires it), so it is walked here rather than handed to
``json_format``.  Anything that does not decode is a :class:`Undecodable` (the route's 400).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
STATUS_ERROR = 2  # Status.StatusCode.STATUS_CODE_ERROR

Attributes = dict[str, Any]


class Undecodable(ValueError):
    """The body is not an ExportTraceServiceRequest in the declared encoding."""


class Unsupported(ValueError):
    """A content type or content encoding OTLP/HTTP does not define."""


@dataclass
class Span:
    name: str
    trace_id: str  # hex, as the OTLP/JSON encoding and every UI shows it
    span_id: str
    start_ns: int
    end_ns: int
    status_code: int  # 0 unset, 1 ok, 2 error
    status_message: str
    attributes: Attributes
    events: list[tuple[str, Attributes]] = field(default_factory=list)
    resource: Attributes = field(default_factory=dict)


def media_type(content_type: str | None) -> str:
    """``application/x-protobuf`` or ``application/json`` (parameters ignored), else :class:`Unsupported`."""
    base = (content_type or "").split(";", 1)[0].strip().lower()
    if base in (PROTOBUF, "application/protobuf"):
        return PROTOBUF
    if base == JSON:
        return JSON
    raise Unsupported(f"unsupported content type {base or '(none)'!r}; use {PROTOBUF} or {JSON}")


def decompress(body: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo ``Content-Encoding: gzip`` (or deflate), refusing output past ``limit`` bytes (a zip bomb)."""
    enc = (encoding or "identity").strip().lower()
    if enc in ("", "identity"):
        return body
    if enc not in ("gzip", "deflate"):
        raise Unsupported(f"unsupported content encoding {enc!r}; use gzip or none")
    inflater = zlib.decompressobj(wbits=47 if enc == "gzip" else 15)  # 47: gzip or zlib header, auto
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise Undecodable(f"{enc} body does not decompress: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise Undecodable(f"decompressed body exceeds {limit} bytes")
    if not inflater.eof:
        raise Undecodable(f"truncated {enc} body")
    return out


# --------------------------------------------------------------------------- protobuf


def _any_pb(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [_any_pb(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _any_pb(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, kind)


def _attrs_pb(kvs: Any) -> Attributes:
    return {kv.key: _any_pb(kv.value) for kv in kvs}


def from_protobuf(body: bytes) -> list[Span]:
    try:
        request = ExportTraceServiceRequest.FromString(body)
    except (DecodeError, ValueError, RecursionError) as exc:
        raise Undecodable(f"not an ExportTraceServiceRequest: {exc}") from None
    spans = []
    for rs in request.resource_spans:
        resource = _attrs_pb(rs.resource.attributes)
        for ss in rs.scope_spans:
            for s in ss.spans:
                spans.append(
                    Span(
                        name=s.name,
                        trace_id=s.trace_id.hex(),
                        span_id=s.span_id.hex(),
                        start_ns=s.start_time_unix_nano,
                        end_ns=s.end_time_unix_nano,
                        status_code=s.status.code,
                        status_message=s.status.message,
                        attributes=_attrs_pb(s.attributes),
                        events=[(e.name, _attrs_pb(e.attributes)) for e in s.events],
                        resource=resource,
                    )
                )
    return spans


# --------------------------------------------------------------------------- OTLP/JSON


def _int64(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise Undecodable(f"{what} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    if value is None:
        return 0
    raise Undecodable(f"{what} must be an integer")


def _uint64(value: Any, what: str) -> int:
    """A fixed64 field as protobuf would hold it (JSON can spell any integer; a datetime cannot)."""
    n = _int64(value, what)
    if not 0 <= n < 1 << 64:
        raise Undecodable(f"{what} must be an unsigned 64-bit integer")
    return n


def _any_json(value: Any) -> Any:
    if not isinstance(value, dict) or not value:
        return None
    kind, inner = next(iter(value.items()))
    if kind == "stringValue":
        return inner if isinstance(inner, str) else None
    if kind == "boolValue":
        return bool(inner)
    if kind == "intValue":
        return _int64(inner, "intValue")
    if kind == "doubleValue":
        return float(inner) if isinstance(inner, int | float | str) and not isinstance(inner, bool) else None
    if kind == "arrayValue":
        return [_any_json(v) for v in (inner or {}).get("values") or []]
    if kind == "kvlistValue":
        return _attrs_json((inner or {}).get("values"))
    if kind == "bytesValue":
        return inner
    return None


def _attrs_json(kvs: Any) -> Attributes:
    if not isinstance(kvs, list):
        return {}
    return {
        kv["key"]: _any_json(kv.get("value")) for kv in kvs if isinstance(kv, dict) and isinstance(kv.get("key"), str)
    }


def _list(obj: Any, name: str) -> list[Any]:
    value = obj.get(name) if isinstance(obj, dict) else None
    if value is None:
        return []
    if not isinstance(value, list):
        raise Undecodable(f"{name} must be an array")
    return value


def from_json(body: bytes) -> list[Span]:
    try:
        request = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        # orjson refuses a lone surrogate escape (\ud800) that the JSON grammar allows; the stdlib
        # keeps it, so only the span carrying it is rejected (by the mapping), not the whole request.
        try:
            request = json.loads(body)
        except (ValueError, RecursionError):
            raise Undecodable(f"not JSON: {exc}") from None
    if not isinstance(request, dict):
        raise Undecodable("an ExportTraceServiceRequest is a JSON object")
    spans = []
    try:
        for rs in _list(request, "resourceSpans"):
            resource = _attrs_json((rs.get("resource") or {}).get("attributes"))
            for ss in _list(rs, "scopeSpans"):
                for s in _list(ss, "spans"):
                    if not isinstance(s, dict):
                        raise Undecodable("a span must be an object")
                    status = s.get("status") or {}
                    spans.append(
                        Span(
                            name=str(s.get("name") or ""),
                            trace_id=str(s.get("traceId") or "").lower(),
                            span_id=str(s.get("spanId") or "").lower(),
                            start_ns=_uint64(s.get("startTimeUnixNano"), "startTimeUnixNano"),
                            end_ns=_uint64(s.get("endTimeUnixNano"), "endTimeUnixNano"),
                            status_code=_int64(status.get("code"), "status.code"),
                            status_message=str(status.get("message") or ""),
                            attributes=_attrs_json(s.get("attributes")),
                            events=[
                                (str(e.get("name") or ""), _attrs_json(e.get("attributes")))
                                for e in _list(s, "events")
                                if isinstance(e, dict)
                            ],
                            resource=resource,
                        )
                    )
    except (AttributeError, TypeError, ValueError) as exc:
        if isinstance(exc, Undecodable):
            raise
        raise Undecodable(f"not an OTLP/JSON ExportTraceServiceRequest: {exc}") from None
    return spans


def decode(body: bytes, content_type: str | None, content_encoding: str | None, limit: int) -> tuple[str, list[Span]]:
    """The body's media type and its spans; :class:`Unsupported` or :class:`Undecodable` otherwise."""
    media = media_type(content_type)
    raw = decompress(body, content_encoding, limit)
    return media, (from_protobuf(raw) if media == PROTOBUF else from_json(raw))
