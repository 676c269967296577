"""Collecting: probe targets concurrently, store one sample each, keep the collected snapshot fresh.

The worker's cron calls :func:`collect_due` every few seconds; it collects each enabled
target whose interval has passed (``COLLECT_CONCURRENCY`` at a time, each bounded by its
own timeout, so a cycle over many slow targets still ends within the shortest interval).
The read side keeps a *snapshot* per organization in Redis (the computed views, for
``SNAPSHOT_SECONDS``); a read that finds no snapshot recomputes the views from the stored
samples.  Reads collect inline (in the request) only when ``clear-cache`` left its marker (every
enabled target not collected since: if the worker got there first, nothing) or for enabled
targets never collected yet (just registered, or their URL changed), under a Redis ``SET NX``
lock per organization, so concurrent reads wait for one collection instead of each collecting.
``clear-cache`` drops the snapshot; a collection by the worker and any change of a target drop
it too.

Storing is per organization (one bulk insert each, in a transaction) and falls back to one row
at a time, so a sample PostgreSQL refuses, or one of a target deleted mid-cycle, costs only
that sample: every other target and organization is still recorded.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.gateway import GatewaySample, GatewayTarget
from services.core import leases
from services.core.redis_client import get_redis, key
from services.gateway import websocket
from services.gateway.probe import Probe, clean, client, probe

log = logging.getLogger(__name__)

COLLECT_CONCURRENCY = 32
SNAPSHOT_SECONDS = 30
RETENTION = timedelta(days=30)
SERVICE_SAMPLE_EVERY = 15  # seconds: the cron runs every 15 s; the first run of each minute samples
COLLECT_LOCK_SECONDS = 60  # a read's inline collection: longer than the longest target timeout (30 s) + storing
LOCK_POLL_SECONDS = 0.05
RECOLLECT_SECONDS = 3600  # clear-cache's marker, if no read follows
NOT_STORABLE = "answer not storable"


def snapshot_key(organization_id: int) -> str:
    return key("gateway", "snapshot", organization_id)


def recollect_key(organization_id: int) -> str:
    return key("gateway", "recollect", organization_id)


def lock_key(organization_id: int) -> str:
    return key("gateway", "collecting", organization_id)


async def _one(http: httpx.AsyncClient, target: GatewayTarget, gate: asyncio.Semaphore) -> Probe:
    async with gate:
        return await probe(http, target.kind, target.url, target.timeout_seconds)


async def collect(targets: list[GatewayTarget]) -> list[GatewaySample]:
    """Probe ``targets`` and store what each answered (one sample per target, one bulk insert)."""
    if not targets:
        return []
    gate = asyncio.Semaphore(COLLECT_CONCURRENCY)
    async with client() as http:
        results = await asyncio.gather(*(_one(http, t, gate) for t in targets))
    now = datetime.now(UTC)
    rows: dict[int, list[dict[str, Any]]] = {}
    for t, r in zip(targets, results, strict=True):
        r.error = clean(r.error, 200) if r.error is not None else None
        rows.setdefault(t.organization_id, []).append(
            {
                "organization_id": t.organization_id,
                "target_id": t.id,
                "kind": t.kind,
                "collected_at": now,
                "healthy": r.healthy,
                "response_ms": r.response_ms,
                "http_status": r.http_status,
                "error": r.error,
                "figures": r.figures,
            }
        )
    samples: list[GatewaySample] = []
    for organization_rows in rows.values():
        samples += await _store(organization_rows)
    stored = {s.target_id: s for s in samples}
    for t in targets:
        if (s := stored.get(t.id)) is not None:
            t.last_collected_at, t.last_healthy, t.last_error = now, s.healthy, s.error
    updated = [t for t in targets if t.id in stored]
    try:
        if updated:
            await GatewayTarget.bulk_update(
                updated, fields=["last_collected_at", "last_healthy", "last_error"], batch_size=500
            )
    except Exception:  # the samples are stored; the targets' summary catches up next cycle
        log.exception("updating the last collection of %d gateway targets failed", len(updated))
    await fresh_snapshots(rows.keys(), now)
    return samples


async def _store(rows: list[dict[str, Any]]) -> list[GatewaySample]:
    """One organization's samples: one bulk insert, else row by row (a refused row is kept without its
    figures, marked unhealthy; a row whose target was deleted mid-cycle is dropped)."""
    try:
        async with in_transaction() as tx:
            samples = [GatewaySample(**row) for row in rows]
            await GatewaySample.bulk_create(samples, batch_size=500, using_db=tx)
        return samples
    except Exception as exc:
        log.warning("storing %d gateway samples at once failed (%s); storing them one by one", len(rows), exc)
    kept: list[GatewaySample] = []
    for row in rows:
        for attempt in (row, {**row, "healthy": False, "error": NOT_STORABLE, "figures": {}}):
            try:
                kept.append(await GatewaySample.create(**attempt))
                break
            except IntegrityError:  # the target (or its organization) is gone
                if not await GatewayTarget.exists(id=row["target_id"]):
                    break
                log.exception("gateway sample of target %s refused", row["target_id"])
            except Exception:
                log.exception("gateway sample of target %s refused", row["target_id"])
    return kept


async def fresh_snapshots(organization_ids: Iterable[int], now: datetime) -> None:
    """Start a new, empty snapshot for each organization: views are recomputed from the new samples on
    their next read, and that read does not collect again while the snapshot lives."""
    async with get_redis().pipeline(transaction=True) as pipe:
        for org in organization_ids:
            pipe.delete(snapshot_key(org))
            pipe.hset(snapshot_key(org), "collected_at", now.isoformat())
            pipe.expire(snapshot_key(org), SNAPSHOT_SECONDS)
        await pipe.execute()


async def drop_snapshots(organization_ids: Iterable[int]) -> int:
    keys = [snapshot_key(o) for o in organization_ids]
    return int(await get_redis().delete(*keys)) if keys else 0


async def collect_due(now: datetime | None = None) -> dict[str, int]:
    """The worker's cycle: every enabled target whose interval has passed, plus this service's WebSocket figures."""
    now = now or datetime.now(UTC)
    candidates = await GatewayTarget.filter(enabled=True).only(
        "id", "organization_id", "kind", "url", "timeout_seconds", "interval_seconds", "last_collected_at"
    )
    due = [
        t
        for t in candidates
        if t.last_collected_at is None or t.last_collected_at <= now - timedelta(seconds=t.interval_seconds - 1)
    ]
    samples = await collect(due)
    if now.second < SERVICE_SAMPLE_EVERY:  # this service's WebSocket counters: one sample a minute
        await websocket.store_sample(now)
    return {"targets": len(due), "healthy": sum(1 for s in samples if s.healthy)}


async def collect_organization(organization_id: int) -> int:
    """Collect every enabled target of one organization now."""
    targets = await GatewayTarget.filter(organization_id=organization_id, enabled=True)
    return len(await collect(targets))


async def request_recollect(organization_id: int) -> None:
    """clear-cache: the next read collects every enabled target of the organization not collected since now."""
    await get_redis().set(recollect_key(organization_id), datetime.now(UTC).isoformat(), ex=RECOLLECT_SECONDS)


async def _marker(organization_id: int, take: bool = False) -> datetime | None:
    redis = get_redis()
    name = recollect_key(organization_id)
    raw = await (redis.getdel(name) if take else redis.get(name))
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw.decode() if isinstance(raw, bytes) else raw)
    except ValueError:
        return datetime.now(UTC)


async def collect_for_read(organization_id: int) -> int:
    """A read that found no snapshot: collect inline only what must be (after clear-cache: every enabled
    target not collected since; else targets never collected), once, under a lock; concurrent reads wait
    for it.  Returns how many targets this read collected (0 when nothing was due or another read did it)."""
    redis = get_redis()
    if not await _due_inline(organization_id, await _marker(organization_id)):
        return 0
    lock, token = lock_key(organization_id), uuid.uuid4().hex
    if not await leases.acquire(lock, token, COLLECT_LOCK_SECONDS, redis):
        for _ in range(int(COLLECT_LOCK_SECONDS / LOCK_POLL_SECONDS)):  # another read collects: wait for it
            if not await redis.exists(lock):
                break
            await asyncio.sleep(LOCK_POLL_SECONDS)
        return 0
    try:  # checked again: the read that held the lock a moment ago may have collected them
        targets = await _due_inline(organization_id, await _marker(organization_id, take=True))
        return len(await collect(targets)) if targets else 0
    finally:
        await leases.release(lock, token, redis)


async def _due_inline(organization_id: int, cleared_at: datetime | None) -> list[GatewayTarget]:
    """Enabled targets never collected, and (after clear-cache at ``cleared_at``) those not collected since."""
    due = Q(last_collected_at__isnull=True)
    if cleared_at is not None:
        due |= Q(last_collected_at__lt=cleared_at)
    return await GatewayTarget.filter(due, organization_id=organization_id, enabled=True)


async def prune(before: datetime | None = None) -> int:
    """Delete samples older than the retention (30 days)."""
    cutoff = before or datetime.now(UTC) - RETENTION
    return await GatewaySample.filter(collected_at__lt=cutoff).delete()
