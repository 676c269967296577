"""Which spans become which facts: the whole OpenTelemetry -> PromptOps mapping, in one place.

A span is classified by its attributes (GenAI semantic conventions first, then OpenInference and
Langfuse names), and may become more than one fact: an OpenInference LLM span that carries a prompt
template is both a usage event and a prompt execution.  Each fact is validated with its own domain's
input model (:class:`services.usage.schemas.UsageEventInput`, :class:`services.tools.ToolCall`,
:class:`services.ingest.pipeline.UsageEvent`), so a span is accepted exactly when the REST ingest
routes would accept the same facts; a span whose facts fail is rejected whole (OTLP partial success)
and the rest of the batch goes on.  A span that matches no row below is *unknown*: counted, not
stored, not an error.

==================  =========================================  ==========================================
fact (ingest kind)  a span is one when                         fields (first attribute present wins)
==================  =========================================  ==========================================
usage event         ``gen_ai.operation.name`` is absent or an  model: ``gen_ai.response.model``,
(``usage``)         inference operation (``chat``,            ``gen_ai.request.model``, ``llm.model_name``;
                    ``text_completion``, ``generate_content``, provider: ``gen_ai.provider.name``,
                    ``embeddings``), the span is no tool       ``gen_ai.system``, ``llm.provider``, ``llm.system``;
                    span, and it carries a model or token      input/output tokens: ``gen_ai.usage.input_tokens``
                    attribute (GenAI or OpenInference)         / ``gen_ai.usage.output_tokens``,
                                                               ``llm.token_count.prompt`` / ``.completion``;
                                                               cached: ``gen_ai.usage.cache_read.input_tokens``,
                                                               ``llm.token_count.prompt_details.cache_read``;
                                                               reasoning: ``gen_ai.usage.reasoning.output_tokens``,
                                                               ``llm.token_count.completion_details.reasoning``;
                                                               cost: ``gen_ai.usage.cost`` (else the usage
                                                               domain's price map, at the span's start);
                                                               request_id: ``gen_ai.response.id``;
                                                               latency: end - start; status: ``error`` when the
                                                               span status is ERROR, else ``success``;
                                                               timestamp: span start
tool execution      ``gen_ai.operation.name`` =                tool_name: ``gen_ai.tool.name``, else
(``tool``)          ``execute_tool``, or ``gen_ai.tool.name``  ``mcp.method.name`` (``tools/list``, ...);
                    or ``mcp.method.name`` is present          operation: ``mcp.method.name``, else
                                                               ``gen_ai.operation.name``; mcp_server:
                                                               ``mcp.server.name``, ``server.address``;
                                                               status: ``error`` when the span status is ERROR
                                                               or ``error.type`` is set; error_type:
                                                               ``error.type``; duration: end - start;
                                                               started_at: span start
prompt execution    a prompt identity (``OTEL_PROMPT_ID_       prompt: the identity if it is a UUID, else
(``prompt``)        ATTRIBUTES``: ``promptops.prompt.id``,     uuid5 of it (the prompt is created in the
                    ``llm.prompt_template.name``, ``langfuse.  caller's organization on first sight, named by
                    observation.prompt.name``; else the        the identity or the template's first line);
                    template text, ``OTEL_PROMPT_TEMPLATE_     version_hash: the version; latency: end - start;
                    ATTRIBUTES``: ``llm.prompt_template.       status: ``failed`` when the span status is ERROR,
                    template``) AND a version (``OTEL_PROMPT_  else ``completed``; cost: ``gen_ai.usage.cost``,
                    VERSION_ATTRIBUTES``: ``promptops.prompt.  else the price-map cost of the span's own tokens;
                    version``, ``llm.prompt_template.          score: ``OTEL_SCORE_ATTRIBUTES``
                    version``, ``langfuse.observation.         (``promptops.score``, ``gen_ai.evaluation.score.
                    prompt.version``)                          value``, ``eval.score``), else the first span
                                                               event ``gen_ai.evaluation.result``'s
                                                               ``gen_ai.evaluation.score.value``
unknown             none of the above (``invoke_agent``,       counted per organization
(counted)           ``create_agent``, HTTP, DB spans, ...)     (``GET /api/v1/otel/stats``), not stored
==================  =========================================  ==========================================

Agent spans (``invoke_agent``, ``create_agent``) are never billed even when they report token
totals: the inference spans beneath them carry the same tokens, and billing both would double the
cost.  Resource attributes ``service.name``, ``deployment.environment.name`` (or the older
``deployment.environment``) and ``service.version`` are read for every span (:func:`resource_of`).

Event ids are uuid5 of (organization, kind, trace id, span id): an exporter's retry of a batch that
was already queued is a no-op in every writer, whatever part of it had been stored.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from services.core.validation import issues_of, unstorable, unstorable_issue
from services.ingest import UsageEvent
from services.otel.config import OtelSettings
from services.otel.decode import STATUS_ERROR, Span
from services.tools import ToolCall
from services.usage import UsageEventInput

NAMESPACE = uuid.UUID("6f1c2f8e-5b7a-4f35-9a4e-2d1c0b9e7a31")  # event ids and prompt ids of this domain

INFERENCE_OPERATIONS = frozenset({"chat", "text_completion", "generate_content", "embeddings"})
TOOL_OPERATION = "execute_tool"

MODEL = ("gen_ai.response.model", "gen_ai.request.model", "llm.model_name")
PROVIDER = ("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")
INPUT_TOKENS = ("gen_ai.usage.input_tokens", "llm.token_count.prompt")
OUTPUT_TOKENS = ("gen_ai.usage.output_tokens", "llm.token_count.completion")
CACHED_TOKENS = ("gen_ai.usage.cache_read.input_tokens", "llm.token_count.prompt_details.cache_read")
REASONING_TOKENS = ("gen_ai.usage.reasoning.output_tokens", "llm.token_count.completion_details.reasoning")
COST = ("gen_ai.usage.cost",)
RESPONSE_ID = ("gen_ai.response.id",)
TOOL_NAME = ("gen_ai.tool.name",)
MCP_METHOD = ("mcp.method.name",)
MCP_SERVER = ("mcp.server.name", "server.address")
ERROR_TYPE = ("error.type",)
EVALUATION_EVENT = "gen_ai.evaluation.result"
EVALUATION_SCORE = "gen_ai.evaluation.score.value"

SERVICE_NAME = ("service.name",)
ENVIRONMENT = ("deployment.environment.name", "deployment.environment")
SERVICE_VERSION = ("service.version",)
RESOURCE_TEXT_MAX = 200


def first(attributes: dict[str, Any], names: tuple[str, ...]) -> Any:
    get = attributes.get
    for name in names:
        value = get(name)
        if value is not None and value != "":
            return value
    return None


def _unstorable(data: dict[str, Any]) -> str | None:
    """The first field of a flat fact whose text no column can hold (NUL, lone surrogate), with why."""
    for name, value in data.items():
        if isinstance(value, str) and (problem := unstorable(value)):
            return f"{name}: {problem}"
    return None


@dataclass
class Facts:
    """What one span became: its facts (queue payloads per kind), or why it was rejected."""

    usage: UsageEventInput | None = None
    tool: ToolCall | None = None
    prompt: UsageEvent | None = None
    rejected: str | None = None  # the reason, naming the fact and its field

    @property
    def unknown(self) -> bool:
        return self.rejected is None and self.usage is None and self.tool is None and self.prompt is None


def event_id(organization_id: int, kind: str, span: Span) -> uuid.UUID:
    """uuid5 of (organization, kind, trace, span): ``uuid.uuid5`` without its per-call overhead."""
    digest = hashlib.sha1(_NAMESPACE_BYTES + f"{organization_id}/{kind}/{span.trace_id}/{span.span_id}".encode())
    value = (int.from_bytes(digest.digest()[:16], "big") & _CLEAR_VERSION) | _VERSION_5
    return uuid.UUID(int=value)


_NAMESPACE_BYTES = NAMESPACE.bytes
_CLEAR_VERSION = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_VERSION_5 = (0x5000 << 64) | (0x8000 << 48)


@lru_cache(maxsize=4096)  # a few templates account for most spans
def prompt_uuid(identity: str) -> uuid.UUID:
    """The prompt a span names: the identity itself when it is a UUID, else a stable uuid5 of it."""
    try:
        return uuid.UUID(identity)
    except ValueError:
        return uuid.uuid5(NAMESPACE, f"prompt/{identity}")


def _valid_id(hex_id: str, digits: int) -> bool:
    if len(hex_id) != digits or hex_id == "0" * digits:
        return False
    try:
        int(hex_id, 16)
    except ValueError:
        return False
    return True


def _start(span: Span) -> datetime:
    return datetime.fromtimestamp(span.start_ns / 1e9, UTC)


def _duration_ms(span: Span) -> float:
    return max(0, span.end_ns - span.start_ns) / 1e6


def is_tool(attributes: dict[str, Any]) -> bool:
    return (
        attributes.get("gen_ai.operation.name") == TOOL_OPERATION
        or first(attributes, TOOL_NAME) is not None
        or first(attributes, MCP_METHOD) is not None
    )


def is_llm(attributes: dict[str, Any]) -> bool:
    operation = attributes.get("gen_ai.operation.name")
    if operation is not None and operation not in INFERENCE_OPERATIONS:
        return False
    if is_tool(attributes):
        return False
    return any(first(attributes, names) is not None for names in (MODEL, INPUT_TOKENS, OUTPUT_TOKENS))


def _usage(span: Span) -> dict[str, Any]:
    a = span.attributes
    data = {
        "resource_type": "llm_tokens",
        "model": first(a, MODEL),
        "provider": first(a, PROVIDER),
        "input_tokens": first(a, INPUT_TOKENS),
        "output_tokens": first(a, OUTPUT_TOKENS),
        "cached_tokens": first(a, CACHED_TOKENS),
        "reasoning_tokens": first(a, REASONING_TOKENS),
        "cost_usd": first(a, COST),
        "request_id": first(a, RESPONSE_ID),
        "latency_ms": _duration_ms(span),
        "status": "error" if span.status_code == STATUS_ERROR else "success",
        "timestamp": _start(span),
    }
    return {k: v for k, v in data.items() if v is not None}


def _tool(span: Span) -> dict[str, Any]:
    a = span.attributes
    method = first(a, MCP_METHOD)
    error_type = first(a, ERROR_TYPE)
    failed = span.status_code == STATUS_ERROR or error_type is not None
    data = {
        "tool_name": first(a, TOOL_NAME) or method,
        "operation": method or a.get("gen_ai.operation.name") or TOOL_OPERATION,
        "mcp_server": first(a, MCP_SERVER),
        "status": "error" if failed else "success",
        "error_type": error_type,
        "duration_ms": _duration_ms(span),
        "started_at": _start(span),
    }
    return {k: v for k, v in data.items() if v is not None}


def _score(span: Span, settings: OtelSettings) -> Any:
    score = first(span.attributes, settings.score_attributes)
    if score is not None:
        return score
    for name, attributes in span.events:
        if name == EVALUATION_EVENT and attributes.get(EVALUATION_SCORE) is not None:
            return attributes[EVALUATION_SCORE]
    return None


def _prompt(span: Span, settings: OtelSettings) -> dict[str, Any] | None:
    a = span.attributes
    version = first(a, settings.prompt_version_attributes)
    if version is None:
        return None
    name = first(a, settings.prompt_id_attributes)
    template = first(a, settings.prompt_template_attributes)
    identity = name if name is not None else template
    if identity is None:
        return None
    identity = str(identity)
    label = identity if name is not None else (identity.strip().splitlines() or ["template"])[0]
    data = {
        "prompt_id": prompt_uuid(identity),
        "prompt_name": label[:200],
        "version_hash": str(version),
        "latency_ms": _duration_ms(span),
        "status": "failed" if span.status_code == STATUS_ERROR else "completed",
        "cost_usd": first(a, COST),
        "score": _score(span, settings),
        "timestamp": _start(span),
    }
    return {k: v for k, v in data.items() if v is not None}


def _reason(kind: str, exc: ValidationError) -> str:
    issue = issues_of(exc)[0]
    return f"{kind}: {issue.field}: {issue.message}"


def map_span(organization_id: int, span: Span, settings: OtelSettings) -> Facts:
    """The facts ``span`` becomes (validated by their domains' models), or why it is rejected."""
    if not _valid_id(span.trace_id, 32) or not _valid_id(span.span_id, 16):
        # the event ids derive from them: spans without ids would all collapse into one event
        return Facts(rejected="trace_id and span_id must be 16 and 8 non-zero bytes (hex in OTLP/JSON)")
    facts = Facts()
    candidates: list[tuple[str, dict[str, Any]]] = []
    if is_tool(span.attributes):
        candidates.append(("tool", _tool(span)))
    elif is_llm(span.attributes):
        candidates.append(("usage", _usage(span)))
    prompt = _prompt(span, settings)
    if prompt is not None:
        candidates.append(("prompt", prompt))
    for kind, data in candidates:
        # NUL and lone surrogates: every text column refuses them, and not every model's field does.
        problem = _unstorable(data)
        if problem is not None:
            return Facts(rejected=f"{kind}: {problem}")
        data["event_id"] = event_id(organization_id, kind, span)
        try:
            if kind == "tool":
                facts.tool = ToolCall.model_validate(data)
            elif kind == "usage":
                facts.usage = UsageEventInput.model_validate(data)
            else:
                facts.prompt = UsageEvent.model_validate(data)
        except ValidationError as exc:
            return Facts(rejected=_reason(kind, exc))
    return facts


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)[:RESOURCE_TEXT_MAX]
    return "" if unstorable_issue(text) else text


def resource_of(span: Span) -> tuple[str, str, str]:
    """(service.name, deployment environment, service.version) of the span's resource; "" when absent."""
    r = span.resource
    return _text(first(r, SERVICE_NAME)), _text(first(r, ENVIRONMENT)), _text(first(r, SERVICE_VERSION))
