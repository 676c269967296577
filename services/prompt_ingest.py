"""Usage-event ingest: validate and append to a Redis Stream (hot path); drain in batches (worker).

Hot path: one rate-limit round trip and one ``XADD``; a 204 means the event is in
Redis.  The drain reads the stream through a consumer group, writes a whole batch
with ``INSERT ... ON CONFLICT DO NOTHING`` on the event id, updates prompts and
versions, marks rollup buckets dirty, and only then ``XACK``s.  A worker killed
anywhere in between leaves the entries pending; they are re-claimed and re-written,
and the unique event id makes that a no-op, so nothing is lost or counted twice.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from redis.exceptions import RedisError
from tortoise.transactions import in_transaction

from models.prompts import Prompt, PromptExecution, PromptVersion
from services import rate_limit, rollups
from services.config import get_settings
from services.errors import BadRequest, ServiceUnavailable
from services.policy import Principal, require_authenticated
from services.redis_client import get_redis, key

log = logging.getLogger(__name__)
STREAM = "ingest:stream"
GROUP = "drainers"
DEAD_LETTER = "ingest:dead"
MAX_FUTURE = timedelta(minutes=5)
MAX_AGE = timedelta(days=3650)

Duration = Annotated[float, Field(ge=0, le=86_400_000 * 7, allow_inf_nan=False)]


class UsageEvent(BaseModel):
    """One prompt invocation.  EvalGuard's fields plus RiverGen's, all optional but the ids."""

    model_config = ConfigDict(extra="ignore")

    prompt_id: uuid.UUID | Annotated[int, Field(ge=1)]
    version_hash: str = Field(min_length=1, max_length=128)
    event_id: uuid.UUID | None = Field(default=None, description="Client id for idempotent retries")
    latency_ms: Duration | None = None
    cost_usd: Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)] | None = None
    score: Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)] | None = None
    status: Literal["completed", "failed", "processing"] = "completed"
    total_duration_ms: Duration | None = None
    ai_response_time_ms: Duration | None = None
    query_execution_time_ms: Duration | None = None
    data_source_ids: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list, max_length=50)
    schema_names: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(default_factory=list, max_length=50)
    timestamp: datetime | None = Field(default=None, description="When it ran (ISO 8601); default: now")
    prompt_name: str | None = Field(default=None, max_length=200, description="Name for an auto-created prompt")

    @field_validator("timestamp")
    @classmethod
    def _sane_time(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        now = datetime.now(UTC)
        if value > now + MAX_FUTURE:
            raise ValueError("timestamp is in the future")
        if value < now - MAX_AGE:
            raise ValueError("timestamp is too far in the past")
        return value.astimezone(UTC)


def _encode(principal: Principal, event: UsageEvent) -> dict[str, str]:
    payload = event.model_dump(mode="json", exclude_none=True)
    payload["event_id"] = payload.get("event_id") or str(uuid.uuid4())
    payload["timestamp"] = payload.get("timestamp") or datetime.now(UTC).isoformat()
    return {"o": str(principal.organization_id), "u": str(principal.user_id), "e": json.dumps(payload)}


async def _admit(principal: Principal, events: int) -> None:
    settings = get_settings()
    limit = principal.rate_limit_per_minute or settings.ingest_rate_limit_per_minute
    bucket = f"ingest:key:{principal.api_key_id}" if principal.api_key_id else f"ingest:user:{principal.user_id}"
    await rate_limit.hit(bucket, limit, cost=events)


async def log_usage(principal: Principal, event: UsageEvent) -> str:
    """Queue one event durably; returns its event id. Redis trouble is a 503, never a silent drop."""
    principal = require_authenticated(principal)
    await _admit(principal, 1)
    fields = _encode(principal, event)
    try:
        await get_redis().xadd(key(STREAM), fields)
    except RedisError as exc:
        raise ServiceUnavailable("Event queue unavailable, retry shortly", retry_after=2) from exc
    return json.loads(fields["e"])["event_id"]


async def log_usage_batch(principal: Principal, events: list[UsageEvent]) -> list[str]:
    """Queue many events in one pipelined transaction: all are queued, or none are."""
    principal = require_authenticated(principal)
    if len(events) > get_settings().ingest_batch_max:
        raise BadRequest.field("events", f"at most {get_settings().ingest_batch_max} events per batch", "too_long")
    await _admit(principal, len(events))
    encoded = [_encode(principal, e) for e in events]
    try:
        async with get_redis().pipeline(transaction=True) as pipe:
            for fields in encoded:
                pipe.xadd(key(STREAM), fields)
            await pipe.execute()
    except RedisError as exc:
        raise ServiceUnavailable("Event queue unavailable, retry shortly", retry_after=2) from exc
    return [json.loads(f["e"])["event_id"] for f in encoded]


# --------------------------------------------------------------------------- drain (worker side)


@dataclass
class DrainResult:
    read: int = 0
    inserted: int = 0
    dead: int = 0


async def ensure_group() -> None:
    try:
        await get_redis().xgroup_create(key(STREAM), GROUP, id="0", mkstream=True)
    except RedisError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


async def drain_once(consumer: str, count: int | None = None, claim_idle_ms: int = 60_000) -> DrainResult:
    """Write one batch from the stream: first stale pending entries (a dead worker's), then new ones."""
    redis = get_redis()
    count = count or get_settings().drain_batch_size
    await ensure_group()
    claimed = await redis.xautoclaim(key(STREAM), GROUP, consumer, claim_idle_ms, "0-0", count=count)
    entries = [e for e in claimed[1] if e[1]]  # Redis 7 adds a third element (deleted ids); 6.2 does not
    if not entries:
        got = await redis.xreadgroup(GROUP, consumer, {key(STREAM): ">"}, count=count)
        entries = got[0][1] if got else []
    if not entries:
        return DrainResult()
    result = await write_batch(entries)
    ids = [entry_id for entry_id, _ in entries]
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xack(key(STREAM), GROUP, *ids)
        pipe.xdel(key(STREAM), *ids)
        await pipe.execute()
    return result


async def drain(consumer: str, max_seconds: float = 5.0) -> DrainResult:
    """Drain until the stream is empty or ``max_seconds`` pass (keeps cron runs bounded)."""
    total = DrainResult()
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        batch = await drain_once(consumer)
        total.read += batch.read
        total.inserted += batch.inserted
        total.dead += batch.dead
        if batch.read == 0:
            break
    return total


def _parse(entries: list[tuple[str, dict[str, str]]]) -> list[tuple[int, int, dict[str, Any]]]:
    parsed = []
    for _, fields in entries:
        parsed.append((int(fields["o"]), int(fields["u"]), json.loads(fields["e"])))
    return parsed


async def _resolve_prompts(parsed: list[tuple[int, int, dict[str, Any]]]) -> dict[tuple[int, str], Prompt]:
    """Map (org, prompt ref) to a Prompt, creating prompts for unknown uuids in the caller's org."""
    uuids = {str(e["prompt_id"]) for _, _, e in parsed if isinstance(e["prompt_id"], str)}
    ints = {int(e["prompt_id"]) for _, _, e in parsed if isinstance(e["prompt_id"], int)}
    found: dict[tuple[int, str], Prompt] = {}
    if uuids:
        for p in await Prompt.filter(uuid__in=list(uuids)):
            found[(p.organization_id, str(p.uuid))] = p
    if ints:
        for p in await Prompt.filter(id__in=list(ints)):
            found[(p.organization_id, str(p.id))] = p
    taken = {str(p.uuid) for p in found.values()}
    missing: dict[str, Prompt] = {}
    for org, user, e in parsed:
        ref = str(e["prompt_id"])
        if isinstance(e["prompt_id"], str) and (org, ref) not in found and ref not in taken and ref not in missing:
            missing[ref] = Prompt(
                uuid=uuid.UUID(ref),
                organization_id=org,
                owner_id=user,
                name=(e.get("prompt_name") or f"prompt {ref[:8]}")[:200],
                status="draft",
            )
    for ref, prompt in missing.items():  # new prompts are rare: one statement each is fine
        created, _ = await Prompt.get_or_create(
            uuid=prompt.uuid,
            defaults={"organization_id": prompt.organization_id, "owner_id": prompt.owner_id, "name": prompt.name},
        )
        found[(created.organization_id, ref)] = created
    return found


async def write_batch(entries: list[tuple[str, dict[str, str]]]) -> DrainResult:
    parsed = _parse(entries)
    result = DrainResult(read=len(parsed))
    prompts = await _resolve_prompts(parsed)
    rows: list[PromptExecution] = []
    dead: list[dict[str, Any]] = []
    for org, user, e in parsed:
        prompt = prompts.get((org, str(e["prompt_id"])))
        if prompt is None:  # an integer id of no prompt of this org, or a uuid owned by another org
            dead.append({"o": org, "e": e, "reason": "unknown prompt"})
            continue
        latency = e.get("latency_ms", e.get("total_duration_ms"))
        cost = e.get("cost_usd")
        rows.append(
            PromptExecution(
                event_id=uuid.UUID(e["event_id"]),
                organization_id=org,
                prompt_id=prompt.id,
                version_hash=e.get("version_hash"),
                status=e.get("status", "completed"),
                total_duration_ms=e.get("total_duration_ms"),
                ai_response_time_ms=e.get("ai_response_time_ms"),
                query_execution_time_ms=e.get("query_execution_time_ms"),
                latency_ms=latency,
                cost_usd=Decimal(str(cost)) if cost is not None else None,
                score=e.get("score"),
                data_source_ids=e.get("data_source_ids", []),
                schema_names=e.get("schema_names", []),
                user_id=user,
                occurred_at=datetime.fromisoformat(e["timestamp"]),
            )
        )
    if rows:
        async with in_transaction():
            # Idempotency: skip ids already stored (a redelivery) or repeated in this batch (an SDK
            # retry).  The unique index on event_id stays the last guard: a conflict rolls the batch
            # back unacknowledged, and the retry then skips the stored ids.
            stored = set(
                await PromptExecution.filter(event_id__in=[r.event_id for r in rows]).values_list("event_id", flat=True)
            )
            fresh: dict[uuid.UUID, PromptExecution] = {}
            for r in rows:
                if r.event_id not in stored and str(r.event_id) not in stored:
                    fresh.setdefault(r.event_id, r)
            await PromptExecution.bulk_create(list(fresh.values()), batch_size=1000)
            result.inserted = len(fresh)
            await _update_versions(rows)
            await _update_latest(rows, prompts)
        await rollups.mark_dirty((r.organization_id, r.prompt_id, r.occurred_at) for r in rows)
    if dead:
        result.dead = len(dead)
        await get_redis().xadd(key(DEAD_LETTER), {"batch": json.dumps(dead)}, maxlen=10_000, approximate=True)
        log.warning("%d events had no prompt they could belong to; kept in %s", len(dead), key(DEAD_LETTER))
    return result


async def _update_versions(rows: list[PromptExecution]) -> None:
    span: dict[tuple[int, int, str], list[datetime]] = {}
    for r in rows:
        if not r.version_hash:
            continue
        k = (r.organization_id, r.prompt_id, r.version_hash)
        lo_hi = span.setdefault(k, [r.occurred_at, r.occurred_at])
        lo_hi[0], lo_hi[1] = min(lo_hi[0], r.occurred_at), max(lo_hi[1], r.occurred_at)
    if not span:
        return
    prompt_ids = {k[1] for k in span}
    existing = {(v.prompt_id, v.version_hash): v for v in await PromptVersion.filter(prompt_id__in=prompt_ids)}
    new, changed = [], []
    for (org, prompt_id, vhash), (lo, hi) in span.items():
        v = existing.get((prompt_id, vhash))
        if v is None:
            new.append(
                PromptVersion(
                    organization_id=org, prompt_id=prompt_id, version_hash=vhash, first_seen_at=lo, last_seen_at=hi
                )
            )
        elif lo < v.first_seen_at or hi > v.last_seen_at:
            v.first_seen_at, v.last_seen_at = min(lo, v.first_seen_at), max(hi, v.last_seen_at)
            changed.append(v)
    if new:
        await PromptVersion.bulk_create(new, ignore_conflicts=True)
    if changed:
        await PromptVersion.bulk_update(changed, fields=["first_seen_at", "last_seen_at"])


async def _update_latest(rows: list[PromptExecution], prompts: dict[tuple[int, str], Prompt]) -> None:
    latest: dict[int, PromptExecution] = {}
    for r in rows:
        if r.prompt_id not in latest or r.occurred_at > latest[r.prompt_id].occurred_at:
            latest[r.prompt_id] = r
    by_id = {p.id: p for p in prompts.values()}
    changed = []
    for prompt_id, r in latest.items():
        p = by_id[prompt_id]
        if p.last_executed_at is None or r.occurred_at >= p.last_executed_at:
            p.last_executed_at = r.occurred_at
            p.status = r.status
            p.last_execution_ms = r.total_duration_ms if r.total_duration_ms is not None else r.latency_ms
            p.last_data_source_ids = list(r.data_source_ids)
            p.last_data_source_key = (
                "," + ",".join(str(i) for i in r.data_source_ids) + "," if r.data_source_ids else ""
            )
            changed.append(p)
    if changed:
        await Prompt.bulk_update(
            changed,
            fields=["last_executed_at", "status", "last_execution_ms", "last_data_source_ids", "last_data_source_key"],
        )
