"""One all-or-none enqueue of several event kinds, with the OTLP counters, in one Redis round trip.

Why this exists beside :func:`services.ingest.pipeline.enqueue`: one OTLP export request becomes
usage events, tool calls and prompt executions at once, and ``enqueue`` takes one kind per call.
Three calls would not be all or none (a 429 or a Redis failure on the second call after the first
succeeded), and OTLP's answer is about the whole request.  So this module runs the same admission
as the pipeline (the caller's ingest window, the same limit, the same bucket so OTLP and the REST
ingest routes share one budget) and appends every kind's entries to the same stream, in the same
entry shape the drain decodes (``o``, ``u``, ``k``, ``e``; prompt entries without ``k``), plus the
per-organization span counters, in ONE Lua script: either all of it happened or none of it.

What it borrows from the pipeline: ``STREAM``, ``ENTRY_MAX_EVENTS``, ``ingest_bucket`` and the entry
shape.  If the pipeline grows an ``enqueue_many`` this module should become a call to it
(asked for in the issue 19 report).
"""

from __future__ import annotations

from typing import Any

import orjson
from redis.exceptions import RedisError

from services import ingest
from services.core import rate_limit
from services.core.config import get_settings
from services.core.errors import ServiceUnavailable
from services.core.redis_client import get_redis, key
from services.identity import Principal, require_authenticated
from services.ingest import PROMPT_KIND

# KEYS: window counter, stream, span counters hash, resource span counts hash, resource last-seen hash.
# ARGV: cost, limit, window ttl, organization, user, n entries, n counters, n resources, now,
#       then n (kind, entry) pairs, n (counter, increment) pairs, n (resource, spans) pairs.
_ADMIT_AND_QUEUE_MANY = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if count > tonumber(ARGV[2]) then return count end
local entries, counters, resources = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local i = 10
for _ = 1, entries do
  if ARGV[i] == '' then
    redis.call('XADD', KEYS[2], '*', 'o', ARGV[4], 'u', ARGV[5], 'e', ARGV[i + 1])
  else
    redis.call('XADD', KEYS[2], '*', 'o', ARGV[4], 'u', ARGV[5], 'k', ARGV[i], 'e', ARGV[i + 1])
  end
  i = i + 2
end
for _ = 1, counters do
  redis.call('HINCRBY', KEYS[3], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for _ = 1, resources do
  redis.call('HINCRBY', KEYS[4], ARGV[i], ARGV[i + 1])
  redis.call('HSET', KEYS[5], ARGV[i], ARGV[9])
  i = i + 2
end
return count
"""


def counters_key(organization_id: int) -> str:
    return key("otel", "spans", organization_id)


def resources_key(organization_id: int) -> str:
    return key("otel", "resources", organization_id)


def resources_seen_key(organization_id: int) -> str:
    return key("otel", "resources", "seen", organization_id)


async def enqueue_many(
    principal: Principal,
    by_kind: dict[str, list[dict[str, Any]]],
    counters: dict[str, int],
    resources: dict[str, int],
    now: int,
) -> int:
    """Queue every kind's payloads (each with its ``event_id`` set) and bump the counters, all or none.

    Costs one event per payload against the caller's ingest limit (429 with ``Retry-After`` past it,
    nothing queued); 503 with ``Retry-After`` when Redis is unreachable.  Returns the events queued.
    """
    principal = require_authenticated(principal)
    args: list[Any] = []
    entries = 0
    cost = 0
    step = ingest.ENTRY_MAX_EVENTS
    for kind, payloads in by_kind.items():
        ingest.writer_path(kind)  # a kind the drain does not know is a programming error, before anything queues
        cost += len(payloads)
        for i in range(0, len(payloads), step):
            args += ["" if kind == PROMPT_KIND else kind, orjson.dumps(payloads[i : i + step])]
            entries += 1
    for name, n in counters.items():
        args += [name, n]
    for resource, n in resources.items():
        args += [resource, n]
    settings = get_settings()
    limit = principal.rate_limit_per_minute or settings.ingest_rate_limit_per_minute
    window = rate_limit.Window.of(ingest.ingest_bucket(principal), 60)
    org = principal.organization_id
    try:
        script = get_redis().register_script(_ADMIT_AND_QUEUE_MANY)
        count = await script(
            keys=[window.key, key(ingest.STREAM), counters_key(org), resources_key(org), resources_seen_key(org)],
            args=[
                cost,
                limit,
                window.ttl,
                org,
                principal.user_id,
                entries,
                len(counters),
                len(resources),
                now,
                *args,
            ],
        )
    except RedisError as exc:
        raise ServiceUnavailable("Event queue unavailable, retry shortly", retry_after=2) from exc
    if int(count) > limit:
        raise window.exceeded(limit)
    return cost
