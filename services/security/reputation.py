"""Per-address reputation: a decaying score from weighted events, counts by type, first/last seen.

Maintained by the recorder's flush (see :mod:`services.security.recorder`): three sorted sets
(log2 forward-decayed score, event count, last seen) and a hash per address.  Reading is one
ranged read of the set the caller sorts by plus one pipelined round trip for the page.
Weights per threat level: low 1, medium 3, high 7, critical 15; the half-life is
``SECURITY_REPUTATION_HALF_LIFE_HOURS`` (default 24).
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Literal

from services.core.redis_client import get_redis, key
from services.identity import Principal, require_superuser
from services.security import decisions
from services.security.classify import EVENT_TYPES, LEVEL_WEIGHTS
from services.security.recorder import LANDMARK, REP_EVENTS, REP_INFO, REP_LAST, REP_SCORE
from services.security.schemas import Reputation, ReputationList
from services.security.settings import get_security_settings

SortBy = Literal["score", "events", "last_seen"]
Order = Literal["asc", "desc"]
_SETS = {"score": REP_SCORE, "events": REP_EVENTS, "last_seen": REP_LAST}


def current_score(logged: float, now: float | None = None) -> float:
    now = time.time() if now is None else now
    half_life = get_security_settings().reputation_half_life_hours * 3600.0
    exponent = logged - (now - LANDMARK) / half_life
    return 0.0 if exponent < -1000 else round(math.pow(2.0, exponent), 4)


def risk(score: float) -> str:
    """A label for the score: one critical event (15) scores 'high' for a half-life."""
    if score >= 50:
        return "critical"
    if score >= 15:
        return "high"
    if score >= 3:
        return "medium"
    return "low"


async def ranking(principal: Principal, limit: int, sort_by: SortBy = "score", order: Order = "desc") -> ReputationList:
    require_superuser(principal)
    redis = get_redis()
    ordered = await redis.zrange(key(_SETS[sort_by]), 0, limit - 1, desc=order == "desc")
    total = await redis.zcard(key(REP_LAST))
    items = await describe(ordered)
    return ReputationList(
        items=items,
        count=len(items),
        total_addresses=total,
        sort_by=sort_by,
        order=order,
        half_life_hours=get_security_settings().reputation_half_life_hours,
        weights=LEVEL_WEIGHTS,
    )


async def describe(addresses: list[str]) -> list[Reputation]:
    if not addresses:
        return []
    redis = get_redis()
    async with redis.pipeline(transaction=False) as pipe:
        for ip in addresses:
            pipe.zscore(key(REP_SCORE), ip)
            pipe.zscore(key(REP_EVENTS), ip)
            pipe.zscore(key(REP_LAST), ip)
            pipe.hgetall(key(REP_INFO + ip))
        raw = await pipe.execute()
    blocked = await decisions.blocked_set(addresses)
    now = time.time()
    out = []
    for i, ip in enumerate(addresses):
        logged, events, last, info = raw[4 * i : 4 * i + 4]
        if logged is None:
            continue
        score = current_score(float(logged), now)
        counts = {f[2:]: int(v) for f, v in info.items() if f.startswith("c:") and f[2:] in EVENT_TYPES}
        out.append(
            Reputation.model_validate(
                {
                    "ip_address": ip,
                    "score": score,
                    "risk": risk(score),
                    "total_events": int(events or 0),
                    "events_by_type": dict(sorted(counts.items())),
                    "first_seen": datetime.fromtimestamp(float(info["first"]), UTC) if info.get("first") else None,
                    "last_seen": datetime.fromtimestamp(float(last), UTC) if last is not None else None,
                    "blocked": ip in blocked,
                }
            )
        )
    return out
