"""OTLP trace export -> facts on the lossless ingest stream (web side), and the span counters.

One request: decode (protobuf or JSON, gzip) -> map every span (:mod:`services.otel.mapping`) ->
price the prompt executions that carry tokens but no cost -> ONE all-or-none enqueue of every kind
plus the counters (:mod:`services.otel.queue`).  The drain then stores each kind with its own
domain's writer (``usage``, ``tool``, ``prompt``), so OTLP facts are priced, rolled up and read
exactly like the ones the REST ingest routes take.  An answer without an error means every
accepted span's facts are in Redis.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import orjson
from redis.exceptions import RedisError

from services import usage as usage_domain
from services.core.errors import BadRequest, DomainError, ServiceUnavailable
from services.core.redis_client import get_redis
from services.deployments import list_environments, newest_deployments
from services.identity import Principal, require_authenticated
from services.otel import decode as otlp
from services.otel import mapping, queue
from services.otel.config import otel_settings
from services.otel.schemas import ExportResult, OtelStats, ResourceInfo

REASONS_SHOWN = 3
RESOURCES_SHOWN = 100
COUNTERS = ("requests", "spans", "usage_events", "tool_executions", "prompt_executions", "unknown", "rejected")


class UnsupportedMediaType(DomainError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415


def _message(rejections: list[str], rejected: int, unknown: int) -> str:
    parts = []
    if rejected:
        parts.append(f"{rejected} span(s) rejected: " + "; ".join(rejections[:REASONS_SHOWN]))
    if unknown:
        parts.append(f"{unknown} span(s) matched no LLM, tool or prompt mapping (counted as unknown, not stored)")
    return ". ".join(parts)


async def _price_prompts(organization_id: int, facts: list[mapping.Facts]) -> None:
    """A prompt execution without its own cost gets the price-map cost of the span's tokens.

    The usage event of the same span is priced again by the usage writer, at the same price in
    force at the span's start (both read :func:`services.usage.pricing.prices_for`), so the two
    agree unless an organization price changes between queueing and storing.
    """
    todo = [f for f in facts if f.prompt is not None and f.prompt.cost_usd is None and f.usage is not None]
    if not todo:
        return
    prices = (await usage_domain.prices_for({organization_id}))[organization_id]
    for f in todo:
        assert f.prompt is not None and f.usage is not None
        u = f.usage
        if u.cost_usd is not None:
            f.prompt.cost_usd = u.cost_usd
            continue
        price = prices.price(u.model, u.timestamp) if u.timestamp else None
        if price is not None:
            cost = price.cost(u.input_tokens, u.output_tokens, u.cached_tokens, u.reasoning_tokens)
            f.prompt.cost_usd = round(cost, 10)


def decode_request(body: bytes, content_type: str | None, content_encoding: str | None) -> tuple[str, list[otlp.Span]]:
    """The media type and spans of an export request; 415 for other encodings, 400 when undecodable."""
    settings = otel_settings()
    try:
        media, spans = otlp.decode(body, content_type, content_encoding, settings.max_decompressed_bytes)
    except otlp.Unsupported as exc:
        raise UnsupportedMediaType(str(exc)) from None
    except otlp.Undecodable as exc:
        raise BadRequest.field("body", str(exc)[:500], "undecodable") from None
    if len(spans) > settings.max_spans_per_request:
        raise BadRequest.field(
            "body",
            f"at most {settings.max_spans_per_request} spans per request (OTEL_MAX_SPANS_PER_REQUEST)",
            "too_long",
        )
    return media, spans


async def export_spans(principal: Principal, spans: list[otlp.Span]) -> ExportResult:
    """Map and queue the spans of one export request (all or none); see the module docstring."""
    principal = require_authenticated(principal)
    org = principal.organization_id
    settings = otel_settings()
    facts = [mapping.map_span(org, s, settings) for s in spans]
    await _price_prompts(org, facts)
    usage: list[dict[str, Any]] = []
    tools: list[dict[str, Any]] = []
    prompts: list[dict[str, Any]] = []
    rejections: list[str] = []
    resources: dict[str, int] = {}
    unknown = 0
    for span, f in zip(spans, facts, strict=True):
        if f.rejected is not None:
            if len(rejections) < REASONS_SHOWN:
                rejections.append(f"span {span.span_id or '?'} ({span.name[:100]!r}): {f.rejected}")
            continue
        if f.unknown:
            unknown += 1
        resource = orjson.dumps(mapping.resource_of(span)).decode()
        resources[resource] = resources.get(resource, 0) + 1
        if f.usage is not None:
            payload = f.usage.model_dump(exclude_none=True)
            if principal.api_key_id is not None:
                payload["api_key_id"] = principal.api_key_id  # as the usage domain's own edge stamps it
            usage.append(payload)
        if f.tool is not None:
            tools.append(f.tool.model_dump(mode="json", exclude_none=True))
        if f.prompt is not None:
            prompts.append(f.prompt.model_dump(exclude_none=True))
    rejected = sum(1 for f in facts if f.rejected is not None)
    by_kind = {k: v for k, v in (("usage", usage), ("tool", tools), ("prompt", prompts)) if v}
    counters = {
        "requests": 1,
        "spans": len(spans),
        "usage_events": len(usage),
        "tool_executions": len(tools),
        "prompt_executions": len(prompts),
        "unknown": unknown,
        "rejected": rejected,
    }
    await queue.enqueue_many(principal, by_kind, {k: v for k, v in counters.items() if v}, resources, int(time.time()))
    return ExportResult(
        spans=len(spans),
        usage_events=len(usage),
        tool_executions=len(tools),
        prompt_executions=len(prompts),
        unknown=unknown,
        rejected=rejected,
        message=_message(rejections, rejected, unknown),
    )


async def stats(principal: Principal) -> OtelStats:
    """The organization's span counters and the resources (service, environment, version) seen.

    Each resource is linked to the organization's environment of the same name and the newest
    deployment of ``service.version`` there, through the deployments domain's public reads (one
    environment list, then one read of the newest deployment of every (environment, version) seen).
    """
    principal = require_authenticated(principal)
    org = principal.organization_id
    try:
        async with get_redis().pipeline(transaction=False) as pipe:
            pipe.hgetall(queue.counters_key(org))
            pipe.hgetall(queue.resources_key(org))
            pipe.hgetall(queue.resources_seen_key(org))
            counts, spans_by_resource, seen = await pipe.execute()
    except RedisError as exc:  # the counters live only in Redis
        raise ServiceUnavailable("Span counters unavailable, retry shortly", retry_after=2) from exc
    top = sorted(spans_by_resource.items(), key=lambda kv: (-int(kv[1]), kv[0]))[:RESOURCES_SHOWN]
    environments = {e.name: e.id for e in await list_environments(principal)}
    parsed = [(orjson.loads(r), int(n), int(seen.get(r, 0))) for r, n in top]
    newest = await newest_deployments(
        principal,
        {(environments[env], version) for (_, env, version), _, _ in parsed if env in environments and version},
    )
    resources = []
    for (service, env, version), n, at in parsed:
        environment_id = environments.get(env)
        resources.append(
            ResourceInfo(
                service_name=service,
                environment=env,
                service_version=version,
                spans=n,
                last_seen_at=datetime.fromtimestamp(at, UTC),
                environment_id=environment_id,
                deployment_id=None if environment_id is None else newest.get((environment_id, version)),
            )
        )
    values = {name: int(counts.get(name, 0)) for name in COUNTERS}
    return OtelStats(**values, resources=resources)
