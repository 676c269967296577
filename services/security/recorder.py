"""The security recorder: observations buffered in-process, flushed to Redis in batches.

The request path only appends to a list (no I/O).  Every ``SECURITY_FLUSH_SECONDS``
(default 0.25 s) each web process flushes its buffer:

1. stored events go to the ingest stream as kind ``security``
   (``services.ingest.pipeline.enqueue_unmetered``, grouped by organization and user); the
   worker's drain writes them in batches, isolating poison entries (``events.write_events``);
2. one Lua call (atomic, so processes cannot race on a bucket) pours every observation into
   its scenario's leaky bucket per address, makes a decision for each overflow (duration
   ``SECURITY_BAN_SECONDS * SECURITY_BAN_FACTOR ** (offence - 1)``, at most
   ``SECURITY_BAN_MAX_SECONDS``; offences are remembered for ``SECURITY_REPEAT_WINDOW_SECONDS``),
   sweeps expired decisions, and folds the events into the per-address reputation;
3. the batch is published for the ``securityEvents`` subscription.

Overflows come back as events of their own (``ip_blocked``, ``bad_request_burst``,
``path_scan``) and ride the next flush.  If the queue is unreachable the batch is kept and
retried (the buffer is bounded by ``SECURITY_BUFFER_MAX``; what does not fit is counted as
dropped and shown by the health check).  A crash loses at most one flush interval of one
process's observations.

Reputation uses forward decay in log space: an event of weight ``w`` at time ``t`` adds
``2 ** (log2(w) + (t - L) / half_life)`` to a per-address sum kept as its log2 in a sorted
set, so the ranking by current score is the ranking of that set and the score now is
``2 ** (v - (now - L) / half_life)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from redis.exceptions import RedisError

from services import ingest
from services.core.errors import ServiceUnavailable
from services.core.redis_client import get_redis, key
from services.security import decisions
from services.security.classify import EVENT_TYPES, LEVEL_WEIGHTS, SIGNAL_OVERFLOW_TYPES, Observation
from services.security.decisions import GUARD
from services.security.settings import SecuritySettings, get_security_settings

log = logging.getLogger(__name__)
KIND = "security"
FINAL_FLUSH_SECONDS = 5.0  # what a stopping web process gives its last flush
LANDMARK = 1_700_000_000.0  # forward-decay landmark (2023-11-14); log space keeps the sums finite
LAST_FLUSH, LAST_DETECTION, DROPPED, COUNTS = "sec:last_flush", "sec:last_detection", "sec:dropped", "sec:count"
# forward-decayed reputation per address (sorted sets by ip) and its details (+ ip: a hash)
REP_SCORE, REP_EVENTS, REP_LAST, REP_INFO = "sec:rep:score", "sec:rep:events", "sec:rep:last", "sec:rep:i:"
# The key names _FLUSH writes, passed to it rather than spelled again in Lua.
_NAMES = {
    "dec": decisions.DECISIONS,
    "exp": decisions.EXPIRIES,
    "hits": decisions.HITS,
    "ver": decisions.VERSION,
    "off": decisions.OFFENCES,
    "forgive": decisions.FORGIVEN,
    "bucket": decisions.BUCKET,
    "distinct": decisions.BUCKET_DISTINCT,
    "count": COUNTS,
    "rep_score": REP_SCORE,
    "rep_events": REP_EVENTS,
    "rep_last": REP_LAST,
    "rep_info": REP_INFO,
}


def channel(organization_id: int | None) -> str:
    return key("sec", "events", "all" if organization_id is None else f"org:{organization_id}")


_FLUSH = r"""
local a = cjson.decode(ARGV[1])
local p, now, N = a.prefix, a.now, a.names
local out = {}
local function k(s) return p .. s end
local expired = redis.call('ZRANGEBYSCORE', k(N.exp), '-inf', now)
if #expired > 0 then
  for _, ip in ipairs(expired) do
    redis.call('HDEL', k(N.dec), ip)
    redis.call('HDEL', k(N.hits), ip)
  end
  redis.call('ZREMRANGEBYSCORE', k(N.exp), '-inf', now)
  redis.call('INCR', k(N.ver))
end
for _, s in ipairs(a.signals) do
  local ip, sc, cap, leak, distinct = s[1], s[2], s[3], s[4], s[5]
  local bk = k(N.bucket .. sc .. ':' .. ip)
  local dk = k(N.distinct .. sc .. ':' .. ip)
  local ttl = math.ceil(cap * leak) + 1
  local pour = true
  -- a signal observed before a manual unblock of its address (buffered meanwhile) does not count
  local forgiven = redis.call('GET', k(N.forgive .. ip))
  if forgiven and tonumber(forgiven) >= s[6] then pour = false end
  if pour and distinct ~= '' then
    pour = redis.call('SADD', dk, distinct) == 1
    redis.call('EXPIRE', dk, ttl)
  end
  if pour then
    local st = redis.call('HMGET', bk, 'l', 't')
    local level = 0
    if st[1] then level = math.max(0, tonumber(st[1]) - (now - tonumber(st[2])) / leak) end
    level = level + 1
    if level > cap then
      redis.call('DEL', bk, dk)
      local o = {ip = ip, scenario = sc, capacity = cap, leak_seconds = leak}
      local cur = redis.call('HGET', k(N.dec), ip)
      local active = false
      if cur then active = tonumber(cjson.decode(cur).expires) > now end
      if not active then
        local ok = k(N.off .. ip)
        local n = redis.call('INCR', ok)
        redis.call('EXPIRE', ok, a.ban.window)
        local dur = math.min(a.ban.base * (a.ban.factor ^ (n - 1)), a.ban.max)
        local d = {ip = ip, scope = 'ip', type = 'ban', origin = 'automatic', reason = sc,
                   since = now, expires = now + dur, duration = dur, offence = n}
        redis.call('HSET', k(N.dec), ip, cjson.encode(d))
        redis.call('HDEL', k(N.hits), ip)
        redis.call('ZADD', k(N.exp), now + dur, ip)
        redis.call('INCR', k(N.ver))
        o.decision = d
      end
      table.insert(out, cjson.encode(o))
    else
      redis.call('HSET', bk, 'l', level, 't', now)
      redis.call('EXPIRE', bk, ttl)
    end
  end
end
local r = a.rep
local ln2 = math.log(2)
for _, e in ipairs(a.events) do
  local ip, typ, w, ts = e[1], e[2], e[3], e[4]
  local x = math.log(w) / ln2 + (ts - r.landmark) / r.half_life
  local old = redis.call('ZSCORE', k(N.rep_score), ip)
  local v = x
  if old then
    old = tonumber(old)
    local hi, lo = math.max(old, x), math.min(old, x)
    v = hi + math.log(1 + 2 ^ (lo - hi)) / ln2
  end
  redis.call('ZADD', k(N.rep_score), v, ip)
  local last = redis.call('ZSCORE', k(N.rep_last), ip)
  if (not last) or tonumber(last) < ts then redis.call('ZADD', k(N.rep_last), ts, ip) end
  redis.call('ZINCRBY', k(N.rep_events), 1, ip)
  local h = k(N.rep_info .. ip)
  local first = redis.call('HGET', h, 'first')
  if (not first) or tonumber(first) > ts then redis.call('HSET', h, 'first', ts) end
  redis.call('HINCRBY', h, 'c:' .. typ, 1)
  redis.call('HINCRBY', k(N.count), typ, 1)
end
local stale = redis.call('ZRANGEBYSCORE', k(N.rep_last), '-inf', r.cutoff, 'LIMIT', 0, 1000)
local n = redis.call('ZCARD', k(N.rep_last)) - #stale
if n > r.max then
  local extra = redis.call('ZRANGE', k(N.rep_last), #stale, #stale + n - r.max - 1)
  for _, ip in ipairs(extra) do table.insert(stale, ip) end
end
for _, ip in ipairs(stale) do
  redis.call('ZREM', k(N.rep_last), ip)
  redis.call('ZREM', k(N.rep_score), ip)
  redis.call('ZREM', k(N.rep_events), ip)
  redis.call('DEL', k(N.rep_info .. ip))
end
return out
"""


@dataclass
class _Pending:
    ip: str
    at: float
    observation: Observation
    method: str = ""
    path: str = ""
    status: int | None = None
    organization_id: int | None = None
    user_id: int | None = None
    user_agent: str | None = None


class SecurityRecorder:
    def __init__(self) -> None:
        self._pending: list[_Pending] = []
        self._hits: Counter[str] = Counter()
        self._lock = asyncio.Lock()
        self.dropped = 0
        self.last_flush_at: float | None = None
        self.last_error: str | None = None
        self.flushed_events = 0

    @property
    def backlog(self) -> int:
        return len(self._pending)

    def add(self, item: _Pending) -> None:
        if len(self._pending) >= get_security_settings().buffer_max:
            self.dropped += 1
            return
        self._pending.append(item)

    def record(
        self,
        ip: str,
        observation: Observation,
        method: str,
        path: str,
        status: int | None,
        organization_id: int | None,
        user_id: int | None,
        user_agent: str | None,
    ) -> None:
        self.add(_Pending(ip, time.time(), observation, method, path, status, organization_id, user_id, user_agent))

    def derived(self, ip: str, event_type: str, detail: dict[str, Any]) -> None:
        """An event the detection (or an operator) produced, stored with the next flush."""
        self.add(_Pending(ip, time.time(), Observation(event_type, "", detail=detail)))

    def hit(self, ip: str) -> None:
        """A request refused by a decision (counted, not stored as an event: a flood stays cheap)."""
        self._hits[ip] += 1

    async def flush(self) -> int:
        """Write the buffer (see the module docstring); returns the number of events queued."""
        async with self._lock:
            return await self._flush(get_security_settings())

    async def _flush(self, settings: SecuritySettings) -> int:
        taken, self._pending = self._pending, []
        hits, self._hits = self._hits, Counter()
        if not taken and not hits:
            return 0
        stored = [p for p in taken if p.observation.stored]
        groups: dict[tuple[int | None, int | None], list[dict[str, Any]]] = {}
        for p in stored:
            groups.setdefault((p.organization_id, p.user_id), []).append(self._payload(p))
        try:
            for (org, user), payloads in groups.items():
                await ingest.enqueue_unmetered(KIND, org, user, payloads)
        except (ServiceUnavailable, RedisError, OSError) as exc:
            self._pending[:0] = taken[: max(0, settings.buffer_max - len(self._pending))]
            self._hits.update(hits)
            self.last_error = type(exc).__name__
            log.warning("security events flush failed (%s); kept %d for the next try", exc, len(taken))
            return 0
        now = time.time()
        try:
            overflows = await self._detect(settings, taken, hits, now)
            await self._publish(groups)
        except (RedisError, OSError) as exc:  # events are queued; only this batch's detection is lost
            self.last_error = type(exc).__name__
            log.warning("security detection failed (%s)", exc)
            return len(stored)
        for o in overflows:
            overflow_type = SIGNAL_OVERFLOW_TYPES.get(o["scenario"])
            detail = {"scenario": o["scenario"], "capacity": o["capacity"], "leak_seconds": o["leak_seconds"]}
            if overflow_type is not None:
                self.derived(o["ip"], overflow_type, detail)
            if "decision" in o:
                d = o["decision"]
                self.derived(
                    o["ip"],
                    "ip_blocked",
                    {**detail, "origin": "automatic", "duration_seconds": int(d["duration"]), "offence": d["offence"]},
                )
        if overflows:
            GUARD.invalidate()
        self.last_flush_at, self.last_error = now, None
        self.flushed_events += len(stored)
        return len(stored)

    @staticmethod
    def _payload(p: _Pending) -> dict[str, Any]:
        o = p.observation
        return {
            "event_id": str(uuid.uuid4()),
            "event_type": o.event_type,
            "threat_level": o.level,
            "source_ip": p.ip,
            "method": p.method,
            "path": p.path,
            "status": p.status,
            "user_agent": p.user_agent,
            "detail": o.detail,
            "occurred_at": datetime.fromtimestamp(p.at, UTC).isoformat(),
        }

    async def _detect(
        self, settings: SecuritySettings, taken: list[_Pending], hits: Counter[str], now: float
    ) -> list[dict[str, Any]]:
        signals = []
        for p in taken:
            if not p.observation.scenario:
                continue
            try:
                sc = settings.scenario(p.observation.scenario)
            except KeyError:
                continue
            signals.append(
                [p.ip, sc.name, sc.capacity, sc.leak_seconds, p.observation.distinct if sc.distinct else "", p.at]
            )
        events = [
            [p.ip, p.observation.event_type, LEVEL_WEIGHTS[EVENT_TYPES[p.observation.event_type][0]], p.at]
            for p in taken
            if p.observation.stored
        ]
        args = {
            "prefix": key(""),
            "names": _NAMES,
            "now": now,
            "signals": signals,
            "events": events,
            "ban": {
                "base": settings.ban_seconds,
                "factor": settings.ban_factor,
                "max": settings.ban_max_seconds,
                "window": int(settings.repeat_window_seconds),
            },
            "rep": {
                "landmark": LANDMARK,
                "half_life": settings.reputation_half_life_hours * 3600.0,
                "cutoff": now - settings.reputation_retention_days * 86_400.0,
                "max": settings.reputation_max_addresses,
            },
        }
        redis = get_redis()
        script = redis.register_script(_FLUSH)
        result = await script(keys=[], args=[orjson.dumps(args).decode()])
        async with redis.pipeline(transaction=False) as pipe:
            for ip, n in hits.items():
                pipe.hincrby(key(decisions.HITS), ip, n)
            pipe.set(key(LAST_FLUSH), repr(now))
            if signals:
                pipe.set(key(LAST_DETECTION), repr(now))
            if self.dropped:
                pipe.incrby(key(DROPPED), self.dropped)
            await pipe.execute()
        self.dropped = 0
        return [orjson.loads(item) for item in result]

    @staticmethod
    async def _publish(groups: dict[tuple[int | None, int | None], list[dict[str, Any]]]) -> None:
        if not groups:
            return
        everything: list[dict[str, Any]] = []
        by_org: dict[int, list[dict[str, Any]]] = {}
        for (org, user), payloads in groups.items():
            for payload in payloads:
                item = {**payload, "organization_id": org, "user_id": user}
                everything.append(item)
                if org is not None:
                    by_org.setdefault(org, []).append(item)
        async with get_redis().pipeline(transaction=False) as pipe:
            pipe.publish(channel(None), orjson.dumps(everything))
            for org, items in by_org.items():
                pipe.publish(channel(org), orjson.dumps(items))
            await pipe.execute()

    async def flush_forever(self) -> None:
        interval = get_security_settings().flush_seconds
        while True:
            await asyncio.sleep(interval)
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("security recorder flush failed")

    async def close(self, task: asyncio.Task[None] | None) -> None:
        """Stop the flush loop and flush once more, within ``FINAL_FLUSH_SECONDS``: a web process that
        is told to stop stops, even with Redis or the database not answering (what is left unsent is
        lost, as it would be if the process were killed)."""
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            await asyncio.wait_for(self.flush(), timeout=FINAL_FLUSH_SECONDS)
        except TimeoutError:
            log.warning(
                "the last security events flush did not finish in %s s; %d left",
                FINAL_FLUSH_SECONDS,
                len(self._pending),
            )
        except Exception:
            log.exception("the last security events flush failed")


RECORDER = SecurityRecorder()
