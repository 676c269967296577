"""Usage-event ingest: validate and append to a Redis Stream (hot path); drain in batches (worker).

Hot path: ONE Redis round trip.  A Lua script counts the events against the API key's
rate-limit window and, only if the window has room, appends them to the stream; a
204/202 means the events are in Redis.  Concurrent requests share that round trip
(``services/core/redis_batching.py``: one pipeline of script calls per event-loop tick).
A batch is queued as a few stream entries of up to ``ENTRY_MAX_EVENTS`` events each
rather than one entry per event.

Drain: a worker reads the stream through a consumer group and writes the events in
transactions of about ``DRAIN_BATCH_SIZE`` events.  On PostgreSQL that is a binary COPY
into a session temp table, then a few set-based statements: ``INSERT ... SELECT`` into the
executions, idempotent on ``(organization_id, event_id, occurred_at)`` (the partitioned table's
unique key must hold the partition key; repeats within the batch and ids already stored within
a day of the event's time are skipped too, so a retry whose time the server filled in is not
stored twice), and upserts of prompt versions and each prompt's latest execution.  On SQLite it is the ORM
(``bulk_create`` after skipping stored ids).
The same transaction adds the inserted rows (``RETURNING``) to the hourly and daily
rollup rows (``services.rollups.build.add_to_rollups``), and the entries are ``XACK``ed
only after the commit.  A worker killed anywhere in between leaves its entries pending; they are
re-claimed and re-written, and the event id makes that a no-op, so nothing is lost or
counted twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator
from redis.exceptions import RedisError, ResponseError
from tortoise import connections
from tortoise.transactions import in_transaction

from models.prompts import Prompt, PromptExecution, PromptVersion
from services import rollups
from services.core import rate_limit
from services.core.config import get_settings
from services.core.database import column, ping_database
from services.core.dates import EVENT_MAX_AGE, check_event_time
from services.core.errors import BadRequest, FieldIssue, NotFound, ServiceUnavailable
from services.core.redis_batching import CoalescingScriptBatcher
from services.core.redis_client import get_redis, key
from services.core.validation import fields_as_typed_dict
from services.identity import Principal, require_authenticated
from services.ingest import kinds, live
from services.ingest.kinds import PROMPT_KIND

log = logging.getLogger(__name__)
STREAM = "ingest:stream"
GROUP = "drainers"
DEAD_LETTER = "ingest:dead"
DEAD_LETTER_COUNTS = "ingest:dead:hour:"  # + epoch hour: hash organization id -> events
DEAD_LETTER_COUNT_TTL = 48 * 3600
ENTRY_MAX_EVENTS = 100  # a batch is queued as stream entries of at most this many events
# Set on an event that came with the client's id but not its time: the server filled in the time,
# so a retry of the same event carries another one, and the drain looks for the id within a day
# of it.  An event with its own time (a retry repeats it) or with a server id (no retry can name
# it) is unique by (id, time), which the insert's conflict clause already checks.
RETRY_TIME_MAY_DIFFER = "retry_time_may_differ"

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
    data_source_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] = Field(default_factory=list, max_length=50)
    schema_names: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(default_factory=list, max_length=50)
    timestamp: datetime | None = Field(default=None, description="When it ran (ISO 8601); default: now")
    prompt_name: str | None = Field(default=None, max_length=200, description="Name for an auto-created prompt")

    @field_validator("timestamp")
    @classmethod
    def _sane_time(cls, value: datetime | None) -> datetime | None:
        # past the executions' retention an event would land in a partition the next
        # maintenance drops: refused at the door instead of accepted and lost
        days = get_settings().executions_retention_days
        return (
            None
            if value is None
            else check_event_time(value, min(timedelta(days=days), EVENT_MAX_AGE) if days else EVENT_MAX_AGE)
        )


# The same event as a TypedDict (fields, constraints, the time check): what a batch's items are
# validated into.  The batch route is the bulk path, and a model instance per event (then copied
# into a dict for the queue) was two thirds of its web CPU.
if TYPE_CHECKING:
    UsageEventItem = dict[str, Any]
else:
    UsageEventItem = fields_as_typed_dict(UsageEvent, "UsageEventItem")


# --------------------------------------------------------------------------- hot path (web side)

# Rate limit and enqueue atomically in one round trip: count each call's events in the key's
# window and append its entries only if the window still has room (a throttled call queues
# nothing).  The calls of one API key made in the same event-loop tick arrive together
# (CoalescingScriptBatcher): each is admitted or refused on its own, in order, exactly as
# separate calls would be, and their single events (JSON objects) are appended as ONE entry of
# up to ENTRY_MAX_EVENTS (a JSON array), so the drain reads, acknowledges and deletes one
# stream entry per tick instead of one per request.  Batch slices (arrays) are appended as is.
# KEYS: window counter, stream.  ARGV: limit, window ttl, organization, user, kind, number of
# calls, then per call: the length of its tail, its cost, its entries.
# Prompt events carry no kind field (the stream's original entry shape, still read as "prompt").
_ADMIT_AND_QUEUE = """
local limit = tonumber(ARGV[1])
local function add(entry)
  if ARGV[5] == '' then
    redis.call('XADD', KEYS[2], '*', 'o', ARGV[3], 'u', ARGV[4], 'e', entry)
  else
    redis.call('XADD', KEYS[2], '*', 'o', ARGV[3], 'u', ARGV[4], 'k', ARGV[5], 'e', entry)
  end
end
local counts, singles = {}, {}
local pos = 7
for call = 1, tonumber(ARGV[6]) do
  local n = tonumber(ARGV[pos])
  local count = redis.call('INCRBY', KEYS[1], ARGV[pos + 1])
  counts[call] = count
  if count <= limit then
    for i = pos + 2, pos + n do
      if string.byte(ARGV[i], 1) == 123 then -- '{': one event; '[': a slice of a batch
        singles[#singles + 1] = ARGV[i]
        if #singles == ENTRY_MAX_EVENTS then
          add('[' .. table.concat(singles, ',') .. ']')
          singles = {}
        end
      else
        add(ARGV[i])
      end
    end
  end
  pos = pos + n + 1
end
if #singles == 1 then
  add(singles[1])
elseif #singles > 1 then
  add('[' .. table.concat(singles, ',') .. ']')
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return counts
""".replace("ENTRY_MAX_EVENTS", str(ENTRY_MAX_EVENTS))
_batchers: dict[int, CoalescingScriptBatcher] = {}  # id(redis client) -> its batcher (replaced on reconnect)


def _new_ids(n: int) -> Iterator[str]:
    """``n`` new version-7 UUID strings (RFC 9562: the Unix time in ms, then 74 random bits): ids
    for events sent without one.

    Time-ordered rather than random (version 4): the executions' unique key is
    (organization, event id, time), and random ids put every insert on a random page of that
    index.  Once the index outgrew PostgreSQL's buffers, each stored event read a page back in
    (``bench/soak.py``: 9.8M index reads for the first ~14M events, the 823 MB index of one partition);
    ids that grow with time append at the index's right edge, as the time indexes do.

    One ``os.urandom`` call for all ``n``; the random hex is laid out with its dashes for all at
    once (numpy) for a batch's worth, one by one for a few (numpy's fixed cost per call is
    several microseconds).
    """
    stamp = f"{time.time_ns() // 1_000_000:012x}"  # 48 bits of ms: the same for all ids of one call
    if n < 32:
        head = f"{stamp[:8]}-{stamp[8:]}-7"
        hexed = os.urandom(10 * n).hex()
        return (
            f"{head}{h[:3]}-{_VARIANT[h[3]]}{h[4:7]}-{h[7:19]}"
            for h in (hexed[i : i + 20] for i in range(0, 20 * n, 20))
        )
    digits = np.frombuffer(os.urandom(10 * n).hex().encode(), dtype="S1").reshape(n, 20)
    laid_out = np.empty((n, 36), dtype="S1")
    laid_out[:, :14] = np.frombuffer(f"{stamp[:8]}-{stamp[8:]}-".encode(), dtype="S1")
    laid_out[:, 14] = b"7"
    laid_out[:, 15:18] = digits[:, :3]
    laid_out[:, 18] = b"-"
    laid_out[:, 19] = _VARIANT_DIGITS[digits[:, 3].view(np.uint8)]
    laid_out[:, 20:23] = digits[:, 4:7]
    laid_out[:, 23] = b"-"
    laid_out[:, 24:] = digits[:, 7:19]
    text = laid_out.tobytes().decode()
    return (text[i : i + 36] for i in range(0, 36 * n, 36))


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}  # the variant bits 10xx of a digit
_VARIANT_DIGITS = np.array([_VARIANT.get(chr(b), "8").encode() for b in range(256)], dtype="S1")  # by byte


def _payloads(events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Validated events (``UsageEventItem`` dicts, given away: filled in place) without their null
    fields, event id and timestamp filled in, plus the ids.

    Every value is one orjson serializes natively (UUID, datetime, lists): no ``model_dump()``,
    whose copy was tens of microseconds per event of a batch.
    """
    fresh = _new_ids(sum(1 for e in events if e.get("event_id") is None))
    now = datetime.now(UTC)
    payloads, ids = [], []
    for event in events:
        payload = {k: v for k, v in event.items() if v is not None} if None in event.values() else event
        event_id = payload.get("event_id")
        if event_id is None:
            event_id = payload["event_id"] = next(fresh)
        else:
            event_id = payload["event_id"] = str(event_id)
            if "timestamp" not in payload:  # a retry of it will carry another server time
                payload[RETRY_TIME_MAY_DIFFER] = True
        payload.setdefault("timestamp", now)
        payloads.append(payload)
        ids.append(event_id)
    return payloads, ids


def ingest_bucket(principal: Principal) -> str:
    """The rate-limit bucket every ingest route of this caller counts against (its API key, else the user)."""
    return f"ingest:key:{principal.api_key_id}" if principal.api_key_id else f"ingest:user:{principal.user_id}"


async def _queue(principal: Principal, cost: int, entries: list[bytes], kind: str = PROMPT_KIND) -> None:
    """Admit ``cost`` events against the caller's ingest limit and append ``entries`` (one round trip)."""
    settings = get_settings()
    limit = principal.rate_limit_per_minute or settings.ingest_rate_limit_per_minute
    window = rate_limit.Window.of(ingest_bucket(principal), 60)
    redis = get_redis()
    batcher = _batchers.get(id(redis))
    if batcher is None or batcher.redis is not redis:
        _batchers.clear()
        batcher = _batchers[id(redis)] = CoalescingScriptBatcher(redis, _ADMIT_AND_QUEUE)
    try:
        count = await batcher(
            [window.key, key(STREAM)],
            [limit, window.ttl, principal.organization_id, principal.user_id, "" if kind == PROMPT_KIND else kind],
            [cost, *entries],
        )
    except RedisError as exc:
        raise ServiceUnavailable("Event queue unavailable, retry shortly", retry_after=2) from exc
    if int(count) > limit:
        raise window.exceeded(limit)


# (organization id, prompt id) -> monotonic time until which "this prompt is the organization's" holds.
# Prompts never change organization, so a positive answer can be reused; negative ones are never kept.
_owned_prompts: dict[tuple[int, int], float] = {}
OWNED_PROMPT_TTL = 300.0
_OWNED_MAX = 100_000


async def _check_integer_prompt_ids(principal: Principal, prompt_ids: list[uuid.UUID | int], field: str) -> None:
    """An integer ``prompt_id`` that is not one of the caller's prompts is a 404 now, not a silent drop later.

    uuids need no check: an unknown uuid creates the prompt in the caller's organization.  Known
    ids are remembered per process for ``OWNED_PROMPT_TTL`` seconds, so the hot path does no
    query for ids it has seen; a prompt deleted meanwhile is dead-lettered by the drain.
    """
    org = principal.organization_id
    now = time.monotonic()
    wanted = {pid for pid in prompt_ids if isinstance(pid, int)}
    unknown = {pid for pid in wanted if _owned_prompts.get((org, pid), 0.0) < now}
    if not unknown:
        return
    found = set(await column(Prompt.filter(organization_id=org, id__in=list(unknown)).values_list("id", flat=True)))
    if len(_owned_prompts) + len(found) > _OWNED_MAX:
        _owned_prompts.clear()
    for pid in found:
        _owned_prompts[(org, pid)] = now + OWNED_PROMPT_TTL
    missing = unknown - found
    if missing:
        issues = [
            FieldIssue(field.format(i), f"prompt {pid} not found", "not_found")
            for i, pid in enumerate(prompt_ids)
            if pid in missing and isinstance(pid, int)
        ]
        raise NotFound(f"Prompt {sorted(missing)[0]} not found", issues)


async def log_usage(principal: Principal, event: UsageEvent) -> str:
    """Queue one event durably; returns its event id. Redis trouble is a 503, never a silent drop."""
    principal = require_authenticated(principal)
    await _check_integer_prompt_ids(principal, [event.prompt_id], "prompt_id")
    payloads, ids = _payloads([dict(event.__dict__)])
    await _queue(principal, 1, [orjson.dumps(payloads[0])])
    return ids[0]


async def log_usage_batch(principal: Principal, events: list[UsageEventItem]) -> list[str]:
    """Queue many events (validated as ``UsageEventItem``) atomically, all or none, as a few stream
    entries; returns their ids."""
    principal = require_authenticated(principal)
    if len(events) > get_settings().ingest_batch_max:
        raise BadRequest.field("events", f"at most {get_settings().ingest_batch_max} events per batch", "too_long")
    if not events:
        return []
    await _check_integer_prompt_ids(principal, [e["prompt_id"] for e in events], "events.{}.prompt_id")
    payloads, ids = _payloads(events)
    step = ENTRY_MAX_EVENTS
    await _queue(principal, len(events), [orjson.dumps(payloads[i : i + step]) for i in range(0, len(payloads), step)])
    return ids


def _with_ids(payloads: list[dict[str, Any]]) -> list[str]:
    """Give every payload an ``event_id`` (kept when the client sent one); returns the ids in order."""
    missing = [p for p in payloads if not p.get("event_id")]
    for payload, fresh in zip(missing, _new_ids(len(missing)), strict=True):
        payload["event_id"] = fresh
    return [str(p["event_id"]) for p in payloads]


def _entries(payloads: list[dict[str, Any]]) -> list[bytes]:
    step = ENTRY_MAX_EVENTS
    return [orjson.dumps(payloads[i : i + step]) for i in range(0, len(payloads), step)]


async def enqueue(principal: Principal, kind: str, payloads: list[dict[str, Any]]) -> list[str]:
    """Queue events of another domain (``kind``, see :mod:`services.ingest.kinds`) on the same stream.

    Same promise as prompt events: all or none, durable in Redis before this returns,
    counted against the caller's ingest rate limit (429), 503 when Redis is unreachable.
    The payloads are JSON-serializable dicts (datetimes allowed); events without an
    ``event_id`` get one.  Returns the event ids in order.
    """
    principal = require_authenticated(principal)
    kinds.writer_path(kind)  # an unknown kind is a programming error, raised before anything is queued
    if not payloads:
        return []
    ids = _with_ids(payloads)
    await _queue(principal, len(payloads), _entries(payloads), kind)
    return ids


async def enqueue_unmetered(
    kind: str, organization_id: int | None, user_id: int | None, payloads: list[dict[str, Any]]
) -> list[str]:
    """Queue events the service itself observed (no caller to rate-limit), e.g. security events.

    ``organization_id``/``user_id`` may be unknown (``None``): the writer receives ``None``.
    Raises :class:`ServiceUnavailable` when Redis is unreachable.
    """
    kinds.writer_path(kind)
    if not payloads:
        return []
    ids = _with_ids(payloads)
    stream = key(STREAM)
    org, user = ("" if v is None else str(v) for v in (organization_id, user_id))
    fields_base = {"o": org, "u": user}
    try:
        async with get_redis().pipeline(transaction=True) as pipe:
            for entry in _entries(payloads):
                pipe.xadd(stream, {**fields_base, "k": kind, "e": entry})
            await pipe.execute()
    except RedisError as exc:
        raise ServiceUnavailable("Event queue unavailable, retry shortly", retry_after=2) from exc
    return ids


# --------------------------------------------------------------------------- drain (worker side)


@dataclass
class DrainResult:
    read: int = 0  # events read from the stream
    inserted: int = 0  # events newly stored (redeliveries and repeated ids are skipped)
    dead: int = 0  # events dead-lettered (no prompt of their organization)
    backlog: bool = False  # drain() stopped at its time limit with entries still waiting

    def add(self, other: DrainResult) -> None:
        self.read += other.read
        self.inserted += other.inserted
        self.dead += other.dead


_Event = tuple[Any, Any, dict[str, Any]]  # (organization id, user id, event payload); ids None when unknown


# Stream entries per read: the transaction budget divided by the events per entry seen in the
# previous read (singles: 1, batches: up to ENTRY_MAX_EVENTS).  A per-process tuning hint only.
_events_per_entry = ENTRY_MAX_EVENTS


# Redis clients (by id) that have seen the drain group exist: the drain then reads without
# creating it first.  Each read used to begin with an XGROUP CREATE answered BUSYGROUP: a round
# trip per batch, and an exception whose traceback cycle the worker's gc collected only later.
# A Redis that lost the group (restarted with nothing on disk) answers NOGROUP: see _read_group.
_group_seen: set[int] = set()


async def ensure_group() -> None:
    redis = get_redis()
    try:
        await redis.xgroup_create(key(STREAM), GROUP, id="0", mkstream=True)
    except RedisError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
    _group_seen.add(id(redis))


async def _read_group(read: Callable[[], Awaitable[Any]]) -> Any:
    """``read()`` on the drain group, creating the group first on a client that has not seen it,
    and again (once) when Redis answers that it has none."""
    if id(get_redis()) not in _group_seen:
        await ensure_group()
    try:
        return await read()
    except ResponseError as exc:
        if "NOGROUP" not in str(exc):
            raise
        _group_seen.discard(id(get_redis()))
        await ensure_group()
        return await read()


def _id(value: str | None) -> int | None:
    return int(value) if value else None


def _decode(fields: dict[str, str]) -> tuple[str, list[_Event]]:
    kind = fields.get("k") or PROMPT_KIND
    kinds.writer_path(kind)  # an entry of a kind this version does not know is dead-lettered, not guessed at
    org, user = _id(fields["o"]), _id(fields["u"])
    body = orjson.loads(fields["e"])
    return kind, [(org, user, e) for e in body] if isinstance(body, list) else [(org, user, body)]


@dataclass
class _Chunk:
    ids: list[str]  # stream entry ids, acknowledged together once the chunk is stored
    events: dict[str, list[_Event]]  # kind -> its events, in stream order
    undecodable: list[dict[str, Any]]  # dead letters for entries that do not even decode
    size: int = 0

    def add(self, kind: str, events: list[_Event]) -> None:
        self.events.setdefault(kind, []).extend(events)
        self.size += len(events)


def _chunks(entries: list[tuple[str, dict[str, str]]], budget: int) -> Iterator[_Chunk]:
    """Whole entries grouped into transactions of about ``budget`` events, decoded one chunk at a time."""
    chunk = _Chunk([], {}, [])
    for entry_id, fields in entries:
        chunk.ids.append(entry_id)
        try:
            chunk.add(*_decode(fields))
        except Exception as exc:  # a malformed entry (only a bug or a hand-written XADD makes one)
            chunk.undecodable.append({"o": fields.get("o"), "entry": fields, "reason": _reason(exc)})
        if chunk.size >= budget:
            yield chunk
            chunk = _Chunk([], {}, [])
    if chunk.ids:
        yield chunk


async def drain_once(consumer: str, count: int | None = None, claim_idle_ms: int | None = None) -> DrainResult:
    """Write one read of the stream: this consumer's own pending entries, stale ones (a dead
    worker's), then new ones.

    A chunk's entries are acknowledged only after every event in them is either stored or
    dead-lettered, so a crash anywhere re-delivers them (and the event id makes that a no-op).
    Own pending entries come first: a write that failed on an outage left them pending here,
    and leaving them to the idle claim stalled recovery by ``INGEST_CLAIM_IDLE_SECONDS``.
    """
    global _events_per_entry
    redis = get_redis()
    settings = get_settings()
    budget = count or settings.drain_batch_size
    per_read = max(1, budget // max(1, _events_per_entry))
    idle_ms = int(settings.ingest_claim_idle_seconds * 1000) if claim_idle_ms is None else claim_idle_ms
    stream = key(STREAM)
    own = await _read_group(lambda: redis.xreadgroup(GROUP, consumer, {stream: "0"}, count=per_read))
    entries = [e for e in own[0][1] if e[1]] if own else []
    if not entries:
        claimed = await _read_group(lambda: redis.xautoclaim(stream, GROUP, consumer, idle_ms, "0-0", count=per_read))
        entries = [e for e in claimed[1] if e[1]]  # Redis 7 adds a third element (deleted ids); 6.2 does not
    if not entries:
        got = await _read_group(lambda: redis.xreadgroup(GROUP, consumer, {stream: ">"}, count=per_read))
        entries = got[0][1] if got else []
    total = DrainResult()
    for chunk in _chunks(entries, budget):
        for kind, events in chunk.events.items():
            written = await _write_isolating(kinds.writer(kind), events)
            total.add(written)
            if written.inserted and kind != PROMPT_KIND:  # prompt events are noted by _write, with their ids
                live.note_rows(kind, [(org, None) for org, _, _ in events])
        if chunk.undecodable:
            await dead_letter(chunk.undecodable)
            total.dead += len(chunk.undecodable)
        async with redis.pipeline(transaction=True) as pipe:
            pipe.xack(key(STREAM), GROUP, *chunk.ids)
            pipe.xdel(key(STREAM), *chunk.ids)
            await pipe.execute()
    if entries:
        _events_per_entry = max(1, -(-total.read // len(entries)))
    # The live "analytics updated" signal (services/ingest/live.py): after the acknowledgement, one
    # pipelined PUBLISH per organization due (at most one per second each); an idle read sends what
    # a throttled one kept back. No notes pending: no I/O.
    await live.publish_due()
    return total


async def drain(consumer: str, max_seconds: float = 5.0, linger: float = 0.0) -> DrainResult:
    """Drain until the stream is empty or ``max_seconds`` pass (keeps cron runs bounded).

    ``linger`` (seconds): after a read of less than half a transaction, wait this long before the
    next read, as a producer's ``linger.ms`` does.  A steady trickle of single events otherwise
    makes a transaction of a few dozen events each time, and a transaction's fixed cost (the
    COPY, the merge's statements, the rollup upserts, the commit, the acknowledgement) is then
    most of the drain's and the database's CPU per event.  It delays an event's visibility by at
    most ``linger``; a backlog is read at full size without waiting.
    """
    total = DrainResult()
    deadline = time.monotonic() + max_seconds
    half = get_settings().drain_batch_size // 2
    while True:
        batch = await drain_once(consumer)
        total.add(batch)
        if batch.read == 0:
            return total
        if time.monotonic() >= deadline:
            total.backlog = True
            return total
        if linger > 0 and batch.read < half:
            await asyncio.sleep(linger)


async def write_batch(entries: list[tuple[str, dict[str, str]]]) -> DrainResult:
    """Store the events of these stream entries (idempotent: stored event ids are skipped)."""
    total = DrainResult()
    for chunk in _chunks(entries, len(entries) * ENTRY_MAX_EVENTS + 1):
        for kind, events in chunk.events.items():
            total.add(await _write_isolating(kinds.writer(kind), events))
    return total


# --------------------------------------------------------------------------- poison isolation

# SQLSTATE classes that say "try again later", not "this data is bad": connection exceptions,
# transaction rollbacks (deadlock, serialization), insufficient resources, operator intervention,
# system errors.  Everything else (22 data exception, 23 integrity, ...) is the data's fault.
_TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "57", "58"})


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}".rstrip(": ")


def _sqlstate(exc: BaseException) -> str | None:
    seen: BaseException | None = exc
    for _ in range(5):  # Tortoise wraps the driver's exception; look down the chain
        if seen is None:
            return None
        state = getattr(seen, "sqlstate", None)
        if isinstance(state, str):
            return state
        seen = seen.__cause__ or seen.__context__
    return None


async def _is_outage(exc: BaseException) -> bool:
    """True when ``exc`` says the database or Redis is unavailable, not that the events are bad.

    An outage must leave the entries pending (they are retried), never dead-letter them.
    """
    if isinstance(exc, RedisError | ConnectionError | TimeoutError | OSError):
        return True
    state = _sqlstate(exc)
    if state is not None:
        return state[:2] in _TRANSIENT_SQLSTATE_CLASSES
    if "locked" in str(exc).lower():  # SQLite: "database is locked"
        return True
    try:
        await ping_database()
    except Exception:
        return True
    return False


async def _write_isolating(write: kinds.Writer, events: list[_Event]) -> DrainResult:
    """Store ``events`` with their kind's writer; if that fails on their content, split until each
    bad event stands alone.

    A failing batch is halved and each half retried, so one poison event costs about
    2·log2(batch) extra transactions and every other event is stored; the poison event goes
    to the dead-letter stream with the reason.  An outage is re-raised untouched: the entries
    stay pending and are retried when the database or Redis is back.
    """
    try:
        return await _stored(write, events)
    except Exception as exc:
        if await _is_outage(exc):
            raise
        if len(events) == 1:
            org, user, event = events[0]
            await dead_letter([{"o": org, "u": user, "e": event, "reason": _reason(exc)}])
            log.warning("poison event of organization %s dead-lettered: %s", org, _reason(exc))
            return DrainResult(read=1, dead=1)
        mid = len(events) // 2
        result = await _write_isolating(write, events[:mid])
        result.add(await _write_isolating(write, events[mid:]))
        return result


async def _stored(write: kinds.Writer, events: list[_Event]) -> DrainResult:
    if write is write_prompt_events:  # the prompt writer also reports events it dead-lettered itself
        return await _write(events)
    return DrainResult(read=len(events), inserted=await write(events))


async def dead_letter(items: list[dict[str, Any]]) -> None:
    """Keep ``items`` (``{"o": organization, "e": event, "reason": ...}``) in the dead-letter stream.

    Beside the stream (capped at 10,000 entries), a per-hour count per organization is kept
    for 48 hours: health, alerts and each organization's own view read those counts.
    """
    hour = int(time.time() // 3600)
    counts: dict[str, int] = {}
    for item in items:
        org = str(item.get("o") or "unknown")
        counts[org] = counts.get(org, 0) + 1
    hour_key = key(f"{DEAD_LETTER_COUNTS}{hour}")
    async with get_redis().pipeline(transaction=True) as pipe:
        pipe.xadd(key(DEAD_LETTER), {"batch": orjson.dumps(items, default=str)}, maxlen=10_000, approximate=True)
        for org, n in counts.items():
            pipe.hincrby(hour_key, org, n)
        pipe.expire(hour_key, DEAD_LETTER_COUNT_TTL)
        await pipe.execute()


async def dead_letters_recent(hours: int = 1, organization_id: int | None = None) -> int:
    """Events dead-lettered in this clock hour and the ``hours`` before it (one organization's, or all)."""
    now = int(time.time() // 3600)
    redis = get_redis()
    async with redis.pipeline(transaction=False) as pipe:
        for hour in range(now - hours, now + 1):
            hour_key = key(f"{DEAD_LETTER_COUNTS}{hour}")
            if organization_id is None:
                pipe.hvals(hour_key)
            else:
                pipe.hget(hour_key, str(organization_id))
        got = await pipe.execute()
    if organization_id is None:
        return sum(int(v) for values in got for v in values)
    return sum(int(v) for v in got if v is not None)


async def _resolve_prompts(events: list[_Event]) -> dict[tuple[int, str | int], Prompt]:
    """Map (org, prompt ref as sent: uuid text or integer id) to a Prompt, creating prompts for
    unknown uuids in the caller's org.

    A uuid names a prompt within one organization (unique per organization), so two tenants
    sending the same uuid each get their own prompt and neither can capture the other's events.
    """
    refs = {(org, e["prompt_id"]): user for org, user, e in events}
    orgs = {org for org, _ in refs}
    uuids = {ref for _, ref in refs if isinstance(ref, str)}
    ints = {ref for _, ref in refs if isinstance(ref, int)}
    found: dict[tuple[int, str | int], Prompt] = {}
    if uuids:
        for p in await Prompt.filter(organization_id__in=list(orgs), uuid__in=list(uuids)):
            found[(p.organization_id, str(p.uuid))] = p
    if ints:
        for p in await Prompt.filter(organization_id__in=list(orgs), id__in=list(ints)):
            found[(p.organization_id, p.id)] = p
    new = [(org, ref) for org, ref in refs if isinstance(ref, str) and (org, ref) not in found]
    if not new:
        return found
    names: dict[tuple[int, str], str] = {}  # looked for only when a prompt is new: a pass over the batch
    for org, _, e in events:
        if e.get("prompt_name") and isinstance(e["prompt_id"], str):
            names.setdefault((org, e["prompt_id"]), e["prompt_name"])
    for org, ref in new:  # new prompts are rare: one statement each is fine
        created, _ = await Prompt.get_or_create(
            organization_id=org,
            uuid=uuid.UUID(ref),
            defaults={"owner_id": refs[(org, ref)], "name": (names.get((org, ref)) or f"prompt {ref[:8]}")[:200]},
        )
        found[(org, ref)] = created
    return found


# One stored event as the buffer's COPY record (``_ROW_COLUMNS``): ``EXECUTION_COLUMNS``, then
# whether its id needs the retry-time look-up.  Built once, in that shape, for the COPY.  The two
# lists are JSON text, what the buffer's (and the table's) jsonb columns take: asyncpg's binary
# array encoding of two short lists was half the COPY's client-side cost (1.5 of 2.9 us per event).
_Row = tuple[Any, ...]


def _json_list(values: list[Any] | None) -> str:
    return orjson.dumps(values).decode() if values else "[]"


def _row(org: int, user: int, e: dict[str, Any], prompt_id: int) -> _Row:
    get = e.get
    latency = get("latency_ms")
    total = get("total_duration_ms")
    return (
        e["event_id"],
        org,
        prompt_id,
        get("version_hash"),
        get("status", "completed"),
        total,
        get("ai_response_time_ms"),
        get("query_execution_time_ms"),
        total if latency is None else latency,
        get("cost_usd"),
        get("score"),
        _json_list(get("data_source_ids")),
        _json_list(get("schema_names")),
        user,
        datetime.fromisoformat(e["timestamp"]),
        get(RETRY_TIME_MAY_DIFFER) is True,
    )


async def write_prompt_events(events: list[_Event]) -> int:
    """The ``prompt`` kind's writer (see :mod:`services.ingest.kinds`)."""
    return (await _write(events)).inserted


async def _write(events: list[_Event]) -> DrainResult:
    result = DrainResult(read=len(events))
    if not events:
        return result
    prompts = await _resolve_prompts(events)
    ids = {k: p.id for k, p in prompts.items()}
    rows: list[_Row] = []
    sources: list[tuple[int, dict[str, Any]]] = []
    dead: list[dict[str, Any]] = []
    # An id repeated within the batch (an SDK's retry drained with the original) is stored once, the
    # first in stream order; ids stored by earlier batches are the insert's business (_store_postgres).
    # Done here rather than by a DISTINCT ON in the insert: its sort was 1.4 us per event there.
    named: set[tuple[int, str]] = set()
    for org, user, e in events:
        prompt_id = ids.get((org, e["prompt_id"]))
        if prompt_id is None:  # an integer id of no prompt of this org, or a uuid owned by another org
            dead.append({"o": org, "e": e, "reason": "unknown prompt"})
            continue
        event = (org, e["event_id"])
        if event in named:
            continue
        named.add(event)
        rows.append(_row(org, user, e, prompt_id))
        sources.append((org, e))
    if rows:
        # the rollups are updated in the same transaction: no dirty marks (services/rollups/build.py)
        if get_settings().is_postgres:
            result.inserted, orphans = await _store_postgres(rows)
            for i in orphans:
                org, e = sources[i]
                dead.append({"o": org, "e": e, "reason": "prompt deleted"})
        else:
            result.inserted = await _store_orm(rows, prompts)
        if result.inserted:  # committed: note it for the live signal (published by drain_once, throttled)
            live.note_rows(PROMPT_KIND, [(row[_ROW_ORG], row[_ROW_PROMPT]) for row in rows])
    if dead:
        result.dead = len(dead)
        await dead_letter(dead)
        log.warning("%d events had no prompt they could belong to; kept in %s", len(dead), key(DEAD_LETTER))
    return result


# --------------------------------------------------------------------------- PostgreSQL: COPY + set-based SQL

EXECUTION_COLUMNS = (  # what an ingested execution fills in prompt_executions (also seed-demo's COPY)
    "event_id",
    "organization_id",
    "prompt_id",
    "version_hash",
    "status",
    "total_duration_ms",
    "ai_response_time_ms",
    "query_execution_time_ms",
    "latency_ms",
    "cost_usd",
    "score",
    "data_source_ids",
    "schema_names",
    "user_id",
    "occurred_at",
)
_ROW_COLUMNS = (*EXECUTION_COLUMNS, "probe")
_ROW_PROBE, _ROW_ORG, _ROW_PROMPT, _ROW_STATUS, _ROW_TOTAL, _ROW_LATENCY, _ROW_SOURCES, _ROW_OCCURRED = (
    _ROW_COLUMNS.index(c)
    for c in (
        "probe",
        "organization_id",
        "prompt_id",
        "status",
        "total_duration_ms",
        "latency_ms",
        "data_source_ids",
        "occurred_at",
    )
)
# Session temp table (one per pooled connection, emptied at every commit; no WAL, no indexes).
# cost_usd travels as float8 and is cast to the exact DECIMAL(18,8) column on insert (a binary COPY
# straight into the executions would send it as a numeric: a Decimal per event, about 1 us); the two
# lists travel as JSON text into jsonb columns, the executions' own type.
_CREATE_BUFFER = """
CREATE TEMP TABLE IF NOT EXISTS ingest_buffer (
    event_id uuid, organization_id int, prompt_id int, version_hash varchar(128),
    status varchar(20), total_duration_ms float8, ai_response_time_ms float8,
    query_execution_time_ms float8, latency_ms float8, cost_usd float8, score float8,
    data_source_ids jsonb, schema_names jsonb, user_id int, occurred_at timestamptz, probe bool
) ON COMMIT DELETE ROWS
"""
# The batch's prompt rows are locked in two steps, each in id order (so concurrent
# drainers never deadlock), and held to the commit:
#
# 1. ``FOR KEY SHARE`` before the insert.  Executions have no foreign keys (their per-row checks
#    were ~40% of the insert), so this is their check: a prompt deleted since the batch resolved
#    it has no row to lock, and its events leave the buffer here, returned to be dead-lettered.
#    A deletion (``FOR UPDATE``, services/catalog/prompts.delete_prompt) waits for it, then
#    deletes what this transaction inserted.  Key-share locks do not exclude each other, so the
#    drain lanes insert their batches of the same prompts side by side.
# 2. ``FOR NO KEY UPDATE`` (``_LOCK_EXCLUSIVE``, then ``_MERGE``) before the rollup merge and the prompts' latest
#    execution: one writer of a prompt's rollup rows at a time (rebuilds take the same lock,
#    services/rollups/build.py).  A rebuild that runs between a lane's insert and its merge reads
#    only committed raw events, so the lane's increment afterwards is still exactly its own rows.
#
# Held across the insert, the exclusive lock serialized the lanes: a wait sampler on the batch
# benchmark found the other lane waiting on it 43% of the time while the insert ran.  A batch
# holding a RETRY_TIME_MAY_DIFFER event still takes it before the insert: that event's duplicate
# check is a look-up, not the unique key, and two lanes must not both miss each other's copy.
#
_LOCK_PROMPTS = "SELECT id FROM prompts WHERE id = ANY($1::int[]) ORDER BY id FOR {mode}"
_LOCK_SHARED = _LOCK_PROMPTS.format(mode="KEY SHARE")
_LOCK_EXCLUSIVE = _LOCK_PROMPTS.format(mode="NO KEY UPDATE")
_DROP_ORPHANS = "DELETE FROM ingest_buffer WHERE prompt_id = ANY($1::int[])"
# After the insert: the exclusive lock (its own round trip, taken in id order before anything
# below locks a prompt row), then the versions' first/last seen and each prompt's latest
# execution, from what Python already holds: the delta's spans per version and the batch's
# latest row per prompt.  Computed from the buffer they were a scan, a hash aggregate
# and a sort of the whole batch (0.9 us per event).
_MERGE = """
WITH versions AS (
    INSERT INTO prompt_versions (organization_id, prompt_id, version_hash, first_seen_at, last_seen_at)
    SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::timestamptz[], $5::timestamptz[]) ORDER BY 2, 3
    ON CONFLICT (prompt_id, version_hash) DO UPDATE
    SET first_seen_at = LEAST(prompt_versions.first_seen_at, EXCLUDED.first_seen_at),
        last_seen_at = GREATEST(prompt_versions.last_seen_at, EXCLUDED.last_seen_at)
    WHERE EXCLUDED.first_seen_at < prompt_versions.first_seen_at OR EXCLUDED.last_seen_at > prompt_versions.last_seen_at
)
UPDATE prompts AS p
SET last_executed_at = l.occurred_at, status = l.status, last_execution_ms = l.ms,
    last_data_source_ids = l.data_source_ids::jsonb, last_data_source_key = l.data_source_key
FROM unnest($6::int[], $7::timestamptz[], $8::text[], $9::float8[], $10::text[], $11::text[])
    AS l(prompt_id, occurred_at, status, ms, data_source_ids, data_source_key)
WHERE p.id = l.prompt_id AND (p.last_executed_at IS NULL OR l.occurred_at >= p.last_executed_at)
"""
# The executions, returning what was actually inserted (a re-sent duplicate is skipped, so it is
# not returned and not added to the rollups twice).  Its own statement, run with a fetch: a
# script's RETURNING rows are not returned.
_INSERT_EXECUTIONS = """
INSERT INTO prompt_executions (
    event_id, organization_id, prompt_id, version_hash, status, total_duration_ms, ai_response_time_ms,
    query_execution_time_ms, latency_ms, cost_usd, score, data_source_ids, schema_names, user_id,
    occurred_at, received_at)
SELECT event_id, organization_id, prompt_id, version_hash, status, total_duration_ms, ai_response_time_ms,
    query_execution_time_ms, latency_ms, cost_usd, score, data_source_ids, schema_names, user_id, occurred_at, now()
FROM ingest_buffer AS b  -- no id twice: _write keeps the first of an id repeated within the batch
-- An event id names an event within its organization (another tenant's ids never collide with
-- it).  prompt_executions is partitioned by occurred_at, so the unique key is (organization_id,
-- event_id, occurred_at):
-- a retry whose time the server filled in differs, hence this look-up within a day of it, for
-- those events only (``probe``: RETRY_TIME_MAY_DIFFER).  Behind ``NOT b.probe OR`` it is a
-- correlated subplan run only for them: a per-event index probe of the one or two partitions in
-- range.  (A plain NOT EXISTS was planned as a hash anti-join reading every partition whole: 2.5 s
-- on 300k rows; a LEFT JOIN LATERAL re-scanned an Append of every partition for each event, probe
-- or not: 2.8 us per event.)
WHERE NOT b.probe OR NOT EXISTS (SELECT 1 FROM prompt_executions e
    WHERE e.organization_id = b.organization_id AND e.event_id = b.event_id
    AND e.occurred_at BETWEEN b.occurred_at - interval '1 day' AND b.occurred_at + interval '1 day')
"""
# The same INSERT, as one statement returning what it inserted summed per rollup row, for the
# batches whose inserted rows only the database knows: ids that need the look-up, or a batch that
# met a stored (or concurrently inserted) key.  ``ON CONFLICT`` makes every row a speculative
# insertion (an extra index descent and WAL record): 17% of the statement, paid only after a plain
# insert met a stored key (a redelivery, an SDK retry).
_INSERT_FRESH = rollups.aggregated_insert(_INSERT_EXECUTIONS)
_INSERT_SKIPPING_STORED = rollups.aggregated_insert(
    _INSERT_EXECUTIONS + "ON CONFLICT (organization_id, event_id, occurred_at) DO NOTHING"
)
_UNIQUE_VIOLATION = "23505"


async def _store_postgres(rows: list[_Row]) -> tuple[int, list[int]]:
    """COPY the rows into the temp buffer and merge them (idempotent on event_id).

    Returns the rows inserted and the indexes (in ``rows``) of those whose prompt was deleted meanwhile.

    PostgreSQL buys: one binary COPY and one round trip of set-based SQL per batch (inserts, version
    and latest-execution upserts, rollups) instead of the ORM's per-table statements (:func:`_store_orm`).

    The rollup delta: a batch whose every id is checked by the unique key (no look-ups) is inserted
    plainly, in a savepoint, so it inserts every row or none; its rows are then summed in Python
    (``RollupDelta.of_columns``).  Summing them in the statement (``aggregated_insert``: every
    inserted row returned into a grouping pass) was 5-10 us of the database's CPU per event
    (``bench/ingest_batch.py``); it stays for the batches where only the database knows which rows
    it inserted.
    """
    client: Any = connections.get("default")
    async with client.acquire_connection() as conn, conn.transaction():
        await conn.execute(_CREATE_BUFFER)
        await conn.copy_records_to_table("ingest_buffer", records=rows, columns=_ROW_COLUMNS)
        latest = _latest_per_prompt(rows)
        prompt_ids = sorted(latest)
        probes = any(r[_ROW_PROBE] for r in rows)
        locked = {r[0] for r in await conn.fetch(_LOCK_EXCLUSIVE if probes else _LOCK_SHARED, prompt_ids)}
        orphans: list[int] = []
        if len(locked) < len(prompt_ids):
            await conn.execute(_DROP_ORPHANS, [pid for pid in prompt_ids if pid not in locked])
            orphans = [i for i, r in enumerate(rows) if r[_ROW_PROMPT] not in locked]
            rows = [r for r in rows if r[_ROW_PROMPT] in locked]
        delta = None if probes else await _insert_all(conn, rows)
        if delta is None:
            delta = await _insert_aggregated(conn, first_as_is=probes)
        await conn.execute(_LOCK_EXCLUSIVE, prompt_ids)
        await conn.execute(_MERGE, *_merge_arguments(delta, latest))
        await rollups.add_to_rollups(delta, conn)
    return delta.events, orphans


async def _insert_all(conn: Any, rows: list[_Row]) -> rollups.RollupDelta | None:
    """Insert the buffer whole and return its rows' delta; None (nothing inserted) if one of their
    keys is stored already."""
    try:
        async with conn.transaction():  # a savepoint: a repeated key undoes this statement only
            await conn.execute(_INSERT_EXECUTIONS)
    except Exception as exc:
        if _sqlstate(exc) != _UNIQUE_VIOLATION:
            raise
        return None
    columns = {name: list(map(get, rows)) for name, get in _DELTA_COLUMNS.items()}
    measures = {m: columns.pop(m) for m in rollups.MEASURES}
    return rollups.RollupDelta.of_columns(**columns, measures=measures)


async def _insert_aggregated(conn: Any, first_as_is: bool) -> rollups.RollupDelta:
    """Insert the buffer skipping stored ids (and, for flagged rows, ids the look-up finds), summing
    what was inserted in the statement.  ``first_as_is``: try without the conflict clause first."""
    if first_as_is:
        try:
            async with conn.transaction():
                return rollups.RollupDelta.of_aggregates(await conn.fetch(_INSERT_FRESH))
        except Exception as exc:
            if _sqlstate(exc) != _UNIQUE_VIOLATION:
                raise
    return rollups.RollupDelta.of_aggregates(await conn.fetch(_INSERT_SKIPPING_STORED))


# RollupDelta.of_columns' arguments, each a column of the rows
_DELTA_COLUMNS = {
    name: itemgetter(_ROW_COLUMNS.index(column))
    for name, column in (
        ("organizations", "organization_id"),
        ("prompts", "prompt_id"),
        ("versions", "version_hash"),
        ("statuses", "status"),
        ("occurred", "occurred_at"),
        ("sources", "data_source_ids"),
        ("schemas", "schema_names"),
        *((m, m) for m in rollups.MEASURES),
    )
}


def _latest_per_prompt(rows: list[_Row]) -> dict[int, _Row]:
    """Each prompt's last row by time, the last in stream order among equal times."""
    latest: dict[int, _Row] = {}
    for r in rows:
        seen = latest.get(r[_ROW_PROMPT])
        if seen is None or r[_ROW_OCCURRED] >= seen[_ROW_OCCURRED]:
            latest[r[_ROW_PROMPT]] = r
    return latest


def _merge_arguments(delta: rollups.RollupDelta, latest: dict[int, _Row]) -> list[list[Any]]:
    """``_MERGE``'s eleven arrays: the versions seen (from the inserted rows), then the latest rows."""
    spans = [(pid, vhash, seen) for (pid, vhash), seen in delta.versions.items() if vhash]
    prompts = list(latest.values())
    lists = [orjson.loads(r[_ROW_SOURCES]) for r in prompts]
    return [
        [delta.organizations[pid] for pid, _, _ in spans],
        [pid for pid, _, _ in spans],
        [vhash for _, vhash, _ in spans],
        [seen[0] for _, _, seen in spans],
        [seen[1] for _, _, seen in spans],
        [r[_ROW_PROMPT] for r in prompts],
        [r[_ROW_OCCURRED] for r in prompts],
        [r[_ROW_STATUS] for r in prompts],
        [r[_ROW_LATENCY] if r[_ROW_TOTAL] is None else r[_ROW_TOTAL] for r in prompts],
        [r[_ROW_SOURCES] for r in prompts],
        [data_source_key(ids) for ids in lists],
    ]


def data_source_key(data_source_ids: list[int]) -> str:
    """A prompt's ``last_data_source_key``: its latest run's data-source ids as ``,1,5,`` ('' for none)."""
    return "," + ",".join(str(i) for i in data_source_ids) + "," if data_source_ids else ""


# --------------------------------------------------------------------------- SQLite (and any other backend): ORM


def _execution(row: _Row) -> PromptExecution:
    fields = dict(zip(_ROW_COLUMNS, row, strict=True))
    del fields["probe"]
    cost = fields["cost_usd"]
    fields.update(
        event_id=uuid.UUID(fields["event_id"]),
        cost_usd=None if cost is None else rollups.stored_cost(cost),
        data_source_ids=orjson.loads(fields["data_source_ids"]),
        schema_names=orjson.loads(fields["schema_names"]),
    )
    return PromptExecution(**fields)


async def _store_orm(rows: list[_Row], prompts: dict[tuple[int, str | int], Prompt]) -> int:
    executions = [_execution(r) for r in rows]
    async with in_transaction():
        # Idempotency: skip ids already stored (a redelivery) or repeated in this batch (an SDK
        # retry), per organization (an event id names an event within its tenant).  The unique
        # index stays the last guard: a conflict rolls the batch back unacknowledged, and the
        # retry then skips the stored ids.
        stored = {
            (org, str(eid))
            for org, eid in await PromptExecution.filter(
                event_id__in=[x.event_id for x in executions],
                organization_id__in=list({x.organization_id for x in executions}),
            ).values_list("organization_id", "event_id")
        }
        fresh: dict[tuple[int, str], PromptExecution] = {}
        for x in executions:
            named = (x.organization_id, str(x.event_id))
            if named not in stored:
                fresh.setdefault(named, x)
        await PromptExecution.bulk_create(list(fresh.values()), batch_size=1000)
        await _update_versions(executions)
        await _update_latest(executions, prompts)
        # what was inserted, added to the rollups in the same transaction (SQLite serializes writers)
        delta = rollups.RollupDelta()
        for x in fresh.values():
            delta.add(x.organization_id, x.prompt_id, {f: getattr(x, f) for f in rollups.RAW_FIELDS})
        await rollups.add_to_rollups(delta)
    return len(fresh)


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


async def _update_latest(rows: list[PromptExecution], prompts: dict[tuple[int, str | int], Prompt]) -> None:
    latest: dict[int, PromptExecution] = {}
    for r in rows:
        if r.prompt_id not in latest or r.occurred_at >= latest[r.prompt_id].occurred_at:
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
            p.last_data_source_key = data_source_key(r.data_source_ids)
            changed.append(p)
    if changed:
        await Prompt.bulk_update(
            changed,
            fields=["last_executed_at", "status", "last_execution_ms", "last_data_source_ids", "last_data_source_key"],
        )
