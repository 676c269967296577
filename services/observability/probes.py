"""Read-only probes of the pipeline and the database pool, shared by recommendations,
thresholds, the dashboard and the Prometheus export.

The ingest stream and the rollup dirty-set are owned by ``services/ingest/pipeline.py`` and
``services/rollups/build.py``; this module only reads them (XLEN, XPENDING, ZCARD, ZRANGE).
It is also the one home of the two facts' units and thresholds (:data:`INGEST_BACKLOG`,
:data:`ROLLUP_LAG`): the analytics health, the performance recommendations and the Prometheus
export read the figures here and judge them here.
"""

from __future__ import annotations

import time
from typing import Any, Literal, NamedTuple

from redis.exceptions import ResponseError
from tortoise import connections

from services.core.config import Settings, get_settings
from services.core.redis_client import get_redis, key
from services.identity import Principal, Role
from services.ingest import DEAD_LETTER, GROUP, STREAM, dead_letters_recent
from services.rollups import DIRTY_PROMPTS


class Limits(NamedTuple):
    """One fact's two thresholds, in the fact's own unit: ``warning`` <= value < ``critical`` is a
    warning, ``critical`` <= value is critical.  Every surface judges the fact with :meth:`judge`:
    the recommendations (severity), the analytics health (its component is ``degraded`` at either
    level: the health's ``unhealthy`` stays reserved for outages and stalled ingest, see
    :func:`ingest_status`) and the Prometheus export (one ``..._threshold`` gauge per level)."""

    warning: float
    critical: float
    unit: str

    def judge(self, value: float) -> Literal["ok", "warning", "critical"]:
        if value >= self.critical:
            return "critical"
        return "warning" if value >= self.warning else "ok"


INGEST_BACKLOG = Limits(warning=1_000, critical=10_000, unit="stream entries")
"""The ingest backlog, judged on ``stream_length`` in stream entries, not events: an entry holds 1
event (a single) to ``ENTRY_MAX_EVENTS`` (a batch) and counting events would read every entry.
Warning at 1,000 entries (up to 100,000 events: a few seconds of the drain's measured peak of
14-27k events/s; the soak at half the peak kept 20-90 entries queued), critical at 10,000 (up to
1M events).  This pair replaces two readings of the same count: the health said "degraded" past
1,000 entries (written as 100,000 events) and the recommendation warned at 10,000 (called events)."""

ROLLUP_LAG = Limits(warning=300.0, critical=900.0, unit="seconds")
"""The age of the oldest rollup dirty mark.  ``refresh_rollups`` runs every minute (timeout 300 s),
so a mark 300 s old means about five runs missed it (failing or behind): warning; 900 s: critical.
This pair replaces the recommendation's 300 s and the health's 900 s: the health now says
"degraded" from 300 s (it hid a failing job for 15 minutes).  Queries read still-dirty hours from
raw events, so a lag slows reads but never makes an answer wrong: it never makes health unhealthy."""


async def ingest_backlog(organization_id: int | None = None) -> dict[str, Any]:
    """The ingest pipeline's state, the one reading every surface uses: stream entries queued
    (``stream_length``) and pending, how old the oldest is, dead letters.

    Counts are **stream entries** (``INGEST_BACKLOG.unit``), each of 1 to ``ENTRY_MAX_EVENTS``
    events (dead letters: one entry per failed batch).  The events they hold are not counted
    (that would read every entry), so no surface reports them as events; the analytics health
    shows the bound ``events_per_entry_max`` beside the entries.
    ``oldest_entry_age_seconds`` is the age of the oldest entry still in the stream (its id is
    the time it was queued), whether no worker has read it yet or a worker keeps failing it:
    either way those events are not stored.  ``dead_letters_recent`` counts events dead-lettered
    in this clock hour and the previous one (one organization's when ``organization_id`` is given).
    """
    redis = get_redis()
    async with redis.pipeline(transaction=False) as pipe:
        pipe.xlen(key(STREAM))
        pipe.xlen(key(DEAD_LETTER))
        pipe.xrange(key(STREAM), count=1)
        length, dead, oldest = await pipe.execute()
    try:
        pending = (await redis.xpending(key(STREAM), GROUP))["pending"]
    except ResponseError:  # no group yet: nothing was ever drained
        pending = 0
    age = None
    if oldest:
        queued_ms = int(str(oldest[0][0]).split("-")[0])
        age = round(max(0.0, time.time() - queued_ms / 1000), 3)
    return {
        "stream_length": int(length),
        "pending": int(pending),
        "dead_letter": int(dead),
        "dead_letters_recent": await dead_letters_recent(1, organization_id),
        "oldest_entry_age_seconds": age,
    }


async def ingest_view(principal: Principal) -> dict[str, Any]:
    """:func:`ingest_backlog` as ``principal`` may see it: all of it for a superuser, else the
    organization's own dead letters.  Queue sizes and dead letters count every organization's
    events, so they are platform-wide figures."""
    if principal.has_role(Role.SUPERUSER):
        return await ingest_backlog()
    own = await ingest_backlog(principal.organization_id)
    return {"scope": "organization", "dead_letters_recent": own["dead_letters_recent"]}


INGEST_LAG_DEGRADED_SECONDS = 60.0  # the oldest queued entry: a healthy drain stores events within seconds


def backlog_level(backlog: dict[str, Any]) -> Literal["ok", "warning", "critical"]:
    """:data:`INGEST_BACKLOG`'s judgement of :func:`ingest_backlog`'s ``stream_length``."""
    return INGEST_BACKLOG.judge(backlog["stream_length"])


def ingest_status(backlog: dict[str, Any], settings: Settings | None = None) -> tuple[str, list[str]]:
    """``ok`` | ``degraded`` | ``down`` for :func:`ingest_backlog`'s figures, with the reasons.

    ``down``: an entry has waited longer than ``INGEST_STALL_SECONDS`` (events are not being
    stored: no worker, or a failure the drain cannot get past).  ``degraded``: events were
    dead-lettered recently, the oldest entry is older than a minute, or the backlog reached
    :data:`INGEST_BACKLOG`'s warning level.
    """
    settings = settings or get_settings()
    age = backlog.get("oldest_entry_age_seconds") or 0.0
    reasons = []
    if age > settings.ingest_stall_seconds:
        reasons.append(f"oldest queued entry waited {age:.0f}s (limit {settings.ingest_stall_seconds:g}s)")
        return "down", reasons
    if age > INGEST_LAG_DEGRADED_SECONDS:
        reasons.append(f"oldest queued entry waited {age:.0f}s")
    if backlog.get("dead_letters_recent"):
        reasons.append(f"{backlog['dead_letters_recent']} events dead-lettered in the last hour")
    level = backlog_level(backlog)
    if level != "ok":
        limit = INGEST_BACKLOG.warning if level == "warning" else INGEST_BACKLOG.critical
        reasons.append(f"{backlog['stream_length']} {INGEST_BACKLOG.unit} queued ({level} at {limit:g})")
    return ("degraded" if reasons else "ok"), reasons


async def rollup_lag() -> dict[str, Any]:
    """How many prompts have dirty rollup hours, and how long the oldest mark has waited, in seconds:
    one atomic Redis read (``ZCARD`` + ``ZRANGE`` in one ``MULTI``).  Idle means no dirty prompt
    (``dirty_prompts == 0``); ``lag_seconds`` is then 0.0 (surfaces that show "no mark" as null
    derive it from ``dirty_prompts``, never from a second read)."""
    redis = get_redis()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zcard(key(DIRTY_PROMPTS))
        pipe.zrange(key(DIRTY_PROMPTS), 0, 0, withscores=True)
        count, oldest = await pipe.execute()
    lag = round(max(0.0, time.time() - float(oldest[0][1])), 3) if count and oldest else 0.0
    return {"dirty_prompts": int(count), "lag_seconds": lag}


def rollup_lag_level(lag: dict[str, Any]) -> Literal["ok", "warning", "critical"]:
    """:data:`ROLLUP_LAG`'s judgement of :func:`rollup_lag` (idle is ``ok``)."""
    return ROLLUP_LAG.judge(lag["lag_seconds"]) if lag["dirty_prompts"] else "ok"


async def database_pool() -> dict[str, Any]:
    """This process's pool use and, on PostgreSQL, server-wide connection use vs max_connections.

    Dialect: SQLite has no pool, no server and no ``pg_stat_activity``.
    """
    settings = get_settings()
    if not settings.is_postgres:
        return {"dialect": "sqlite", "pool_size": None, "in_use": None, "max_size": None, "utilization": None}
    conn = connections.get("default")
    pool = getattr(conn, "_pool", None)
    size = pool.get_size() if pool else 0
    idle = pool.get_idle_size() if pool else 0
    maximum = pool.get_max_size() if pool else settings.db_pool_max
    server = await conn.execute_query_dict(
        "SELECT (SELECT count(*) FROM pg_stat_activity) AS used, "
        "current_setting('max_connections')::int AS max_connections"
    )
    used, max_conn = int(server[0]["used"]), int(server[0]["max_connections"])
    return {
        "dialect": "postgres",
        "pool_size": size,
        "in_use": size - idle,
        "max_size": maximum,
        "utilization": round((size - idle) / maximum, 4) if maximum else None,
        "server_connections": used,
        "server_max_connections": max_conn,
        "server_utilization": round(used / max_conn, 4) if max_conn else None,
    }
