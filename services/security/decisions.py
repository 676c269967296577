"""Decisions (CrowdSec's word): who is blocked, why, since and until when, and enforcing them.

A decision is ``{ip, scope: "ip", type: "ban", origin: automatic|manual, reason, since,
expires, duration, offence, by}``, one field per address in the Redis hash ``sec:dec``, with
its expiry in the sorted set ``sec:dec:exp`` (swept on every recorder flush and every read,
so decisions end on their own) and a version counter ``sec:dec:ver`` bumped on every change.

Enforcement is separate from detection.  Each process keeps a :class:`Snapshot` of the
decisions and of the monitoring switch; a request checks it with a dict lookup and a clock
comparison.  The snapshot is re-validated at most every ``SECURITY_CACHE_SECONDS`` (default
0.5 s) with one pipelined round trip (version + switch) and reloaded only when the version
moved, so an unblock (or a block) made through any process is enforced everywhere within
that time.  If Redis cannot be reached the last snapshot stays in force (fail open for new
decisions, closed for known ones): an outage must not lock every client out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from redis.exceptions import RedisError

from services.core.errors import Conflict, NotFound
from services.core.redis_client import get_redis, key
from services.identity import Principal, require_superuser
from services.security.addresses import AddressBook, require_ip
from services.security.schemas import BlockedList, Cleared, Decision, Switch, Unblocked
from services.security.settings import SecuritySettings, get_security_settings

log = logging.getLogger(__name__)

DECISIONS, EXPIRIES, HITS, VERSION, SWITCH = "sec:dec", "sec:dec:exp", "sec:dec:hits", "sec:dec:ver", "sec:enabled"
SWITCH_META = "sec:enabled:meta"
OFFENCES = "sec:off:"  # + ip: bans within SECURITY_REPEAT_WINDOW_SECONDS
FORGIVEN = "sec:forgive:"  # + ip: when it was unblocked by hand (signals observed before are ignored)
# + scenario:ip: a scenario's leaky bucket for an address, and the distinct values it has counted
BUCKET, BUCKET_DISTINCT = "sec:b:", "sec:bd:"
FORGIVE_SECONDS = 3600  # longer than any buffered signal waits for its flush
MAX_MANUAL_SECONDS = 366 * 86_400


def _k(name: str) -> str:
    return key(name)


@dataclass
class Snapshot:
    version: str | None = None
    enabled: bool = True
    blocked: dict[str, float] = field(default_factory=dict)  # address -> expires (epoch seconds)
    checked_at: float = float("-inf")  # monotonic


class Guard:
    """This process's view of the decisions and the switch, plus the address book."""

    def __init__(self, settings: SecuritySettings | None = None) -> None:
        self.settings = settings or get_security_settings()
        self.addresses = AddressBook(self.settings.allowlist, self.settings.trusted_proxies)
        self.snapshot = Snapshot(enabled=self.settings.monitoring_default)
        self._refreshing: asyncio.Task[None] | None = None
        self.refresh_error: str | None = None

    def stale(self) -> bool:
        return time.monotonic() - self.snapshot.checked_at >= self.settings.cache_seconds

    async def current(self) -> Snapshot:
        """The snapshot, re-validated first when older than the cache time (one request waits for it)."""
        if self.stale():
            task = self._refreshing
            if task is None or task.done():
                task = self._refreshing = asyncio.ensure_future(self.refresh())
            await asyncio.shield(task)
        return self.snapshot

    async def refresh(self) -> None:
        snap = self.snapshot
        try:
            redis = get_redis()
            version, enabled = await redis.mget(_k(VERSION), _k(SWITCH))
            blocked = snap.blocked
            if version != snap.version:
                raw = await redis.hgetall(_k(DECISIONS))
                blocked = {}
                for ip, text in raw.items():
                    try:
                        blocked[ip] = float(orjson.loads(text)["expires"])
                    except (ValueError, KeyError, TypeError):
                        continue
            on = self.settings.monitoring_default if enabled is None else enabled == "1"
            self.snapshot = Snapshot(version, on, blocked, time.monotonic())
            self.refresh_error = None
        except (RedisError, OSError) as exc:
            self.refresh_error = type(exc).__name__
            log.warning("security decisions refresh failed (%s); keeping the last snapshot", exc)
            snap.checked_at = time.monotonic()  # retry after the cache time, not on every request

    def invalidate(self) -> None:
        self.snapshot.checked_at = float("-inf")


GUARD = Guard()


# --------------------------------------------------------------------------- reading


def _iso(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(float(epoch), UTC)


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(float(epoch), UTC)


def render(decision: dict[str, Any], hits: int) -> Decision:
    now = time.time()
    return Decision(
        ip_address=decision["ip"],
        scope=decision.get("scope", "ip"),
        type=decision.get("type", "ban"),
        source=decision.get("origin", "automatic"),
        reason=decision.get("reason") or "",
        scenario=decision.get("reason") if decision.get("origin") == "automatic" else None,
        blocked_at=_at(decision["since"]),
        expires_at=_at(decision["expires"]),
        duration_seconds=round(float(decision["duration"])),
        remaining_seconds=max(0, int(float(decision["expires"]) - now)),
        offence=int(decision.get("offence") or 1),
        blocked_by=decision.get("by"),
        hits_while_blocked=hits,
    )


async def sweep_expired(now: float | None = None) -> int:
    """Remove decisions past their expiry (idempotent; several processes may race harmlessly)."""
    now = time.time() if now is None else now
    redis = get_redis()
    gone = await redis.zrangebyscore(_k(EXPIRIES), "-inf", now)
    if not gone:
        return 0
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hdel(_k(DECISIONS), *gone)
        pipe.hdel(_k(HITS), *gone)
        pipe.zrem(_k(EXPIRIES), *gone)
        pipe.incr(_k(VERSION))
        await pipe.execute()
    return len(gone)


async def active() -> list[Decision]:
    """Every decision in force, newest first (expired ones swept first)."""
    await sweep_expired()
    redis = get_redis()
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hgetall(_k(DECISIONS))
        pipe.hgetall(_k(HITS))
        raw, hits = await pipe.execute()
    now = time.time()
    out = []
    for ip, text in raw.items():
        decision = orjson.loads(text)
        if float(decision["expires"]) > now:
            out.append(render(decision, int(hits.get(ip, 0))))
    out.sort(key=lambda d: d.blocked_at, reverse=True)
    return out


async def blocked_set(addresses: list[str]) -> set[str]:
    """Which of ``addresses`` are blocked right now (one round trip)."""
    if not addresses:
        return set()
    values = await get_redis().hmget(_k(DECISIONS), addresses)
    now = time.time()
    return {ip for ip, text in zip(addresses, values, strict=True) if text and orjson.loads(text)["expires"] > now}


async def list_blocked(principal: Principal) -> BlockedList:
    require_superuser(principal)
    items = await active()
    return BlockedList(
        blocked_ips=items,
        total=len(items),
        automatic=sum(1 for d in items if d.source == "automatic"),
        manual=sum(1 for d in items if d.source == "manual"),
    )


# --------------------------------------------------------------------------- changing


async def block(
    principal: Principal, ip_address: str, duration_seconds: int | None = None, reason: str | None = None
) -> Decision:
    """A manual decision (replacing any decision in force for the address); allow-listed is a 409."""
    principal = require_superuser(principal)
    ip = require_ip(ip_address)
    settings = get_security_settings()
    if GUARD.addresses.is_allowed(ip):
        raise Conflict(f"{ip} is on the allow list (SECURITY_ALLOWLIST) and is never blocked")
    duration = float(duration_seconds or settings.manual_ban_seconds)
    now = time.time()
    decision = {
        "ip": ip,
        "scope": "ip",
        "type": "ban",
        "origin": "manual",
        "reason": reason or "manual block",
        "since": now,
        "expires": now + duration,
        "duration": duration,
        "offence": 1,
        "by": principal.user_id,
    }
    redis = get_redis()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(_k(DECISIONS), ip, orjson.dumps(decision).decode())
        pipe.hdel(_k(HITS), ip)
        pipe.zadd(_k(EXPIRIES), {ip: decision["expires"]})
        pipe.incr(_k(VERSION))
        await pipe.execute()
    GUARD.invalidate()
    from services.security import recorder  # the recorder imports this module

    recorder.RECORDER.derived(
        ip,
        "ip_blocked",
        {"origin": "manual", "reason": decision["reason"], "by": principal.user_id, "duration_seconds": int(duration)},
    )
    return render(decision, 0)


async def unblock(principal: Principal, ip_address: str, reason: str | None = None) -> Unblocked:
    """Lift the decision in force for the address (404 when there is none)."""
    principal = require_superuser(principal)
    ip = require_ip(ip_address)
    redis = get_redis()
    scenarios = get_security_settings().scenarios
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hget(_k(DECISIONS), ip)
        pipe.hget(_k(HITS), ip)
        pipe.hdel(_k(DECISIONS), ip)
        pipe.hdel(_k(HITS), ip)
        pipe.zrem(_k(EXPIRIES), ip)
        pipe.incr(_k(VERSION))
        # The unblock forgives what the address did so far: its buckets start empty, and signals
        # observed before now but still buffered in some web process do not count when they are
        # flushed (they re-banned an address right after its unblock).
        pipe.delete(*(_k(f"{b}{sc.name}:{ip}") for sc in scenarios for b in (BUCKET, BUCKET_DISTINCT)))
        pipe.set(_k(f"{FORGIVEN}{ip}"), repr(time.time()), ex=FORGIVE_SECONDS)
        text, hits, *_ = await pipe.execute()
    GUARD.invalidate()
    if text is None or orjson.loads(text)["expires"] <= time.time():
        raise NotFound(f"{ip} is not blocked")
    from services.security import recorder

    recorder.RECORDER.derived(ip, "ip_unblocked", {"reason": reason or "manual unblock", "by": principal.user_id})
    return Unblocked(ip_address=ip, unblocked=True, decision=render(orjson.loads(text), int(hits or 0)))


async def clear_all(principal: Principal) -> Cleared:
    """Lift every decision; returns how many were in force.  Repeat-offence counts are kept."""
    require_superuser(principal)
    redis = get_redis()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hgetall(_k(DECISIONS))
        pipe.delete(_k(DECISIONS), _k(HITS), _k(EXPIRIES))
        pipe.incr(_k(VERSION))
        raw, *_ = await pipe.execute()
    GUARD.invalidate()
    now = time.time()
    cleared = sum(1 for text in raw.values() if orjson.loads(text)["expires"] > now)
    return Cleared(cleared=cleared, cleared_at=datetime.now(UTC))


async def set_switch(principal: Principal, enabled: bool) -> Switch:
    """Start or stop detection and recording everywhere; decisions in force stay enforced."""
    principal = require_superuser(principal)
    redis = get_redis()
    now = time.time()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.get(_k(SWITCH))
        pipe.set(_k(SWITCH), "1" if enabled else "0")
        pipe.hset(_k(SWITCH_META), mapping={"changed_at": repr(now), "changed_by": principal.user_id})
        pipe.incr(_k(VERSION))
        before, *_ = await pipe.execute()
    GUARD.invalidate()
    was = get_security_settings().monitoring_default if before is None else before == "1"
    return Switch(
        monitoring_enabled=enabled,
        previously_enabled=was,
        changed_at=datetime.fromtimestamp(now, UTC),
        changed_by=principal.user_id,
        decisions_enforced=True,
    )


async def switch_state() -> dict[str, Any]:
    redis = get_redis()
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(_k(SWITCH))
        pipe.hgetall(_k(SWITCH_META))
        value, meta = await pipe.execute()
    enabled = get_security_settings().monitoring_default if value is None else value == "1"
    return {
        "enabled": enabled,
        "changed_at": _iso(float(meta["changed_at"])) if meta.get("changed_at") else None,
        "changed_by": int(meta["changed_by"]) if meta.get("changed_by") else None,
    }
