"""Collecting: probe targets concurrently, store one sample each, keep the collected snapshot fresh.

The worker's cron calls :func:`collect_due` every few seconds; it collects each enabled
target whose interval has passed (``COLLECT_CONCURRENCY`` at a time, each bounded by its
own timeout, so a cycle over many slow targets still ends within the shortest interval).
The read side keeps a *snapshot* per organization in Redis (the computed views, for
``SNAPSHOT_SECONDS``); a read that finds no snapshot collects the organization's targets
afresh first.  ``clear-cache`` drops it; a collection by the worker drops it too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import httpx

from models.gateway import GatewaySample, GatewayTarget
from services.core.redis_client import get_redis, key
from services.gateway import websocket
from services.gateway.probe import Probe, client, probe

COLLECT_CONCURRENCY = 32
SNAPSHOT_SECONDS = 30
RETENTION = timedelta(days=30)
SERVICE_SAMPLE_EVERY = 15  # seconds: the cron runs every 15 s; the first run of each minute samples


def snapshot_key(organization_id: int) -> str:
    return key("gateway", "snapshot", organization_id)


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
    samples = [
        GatewaySample(
            organization_id=t.organization_id,
            target_id=t.id,
            kind=t.kind,
            collected_at=now,
            healthy=r.healthy,
            response_ms=r.response_ms,
            http_status=r.http_status,
            error=r.error,
            figures=r.figures,
        )
        for t, r in zip(targets, results, strict=True)
    ]
    await GatewaySample.bulk_create(samples, batch_size=500)
    for t, r in zip(targets, results, strict=True):
        t.last_collected_at, t.last_healthy, t.last_error = now, r.healthy, r.error
    await GatewayTarget.bulk_update(targets, fields=["last_collected_at", "last_healthy", "last_error"], batch_size=500)
    await fresh_snapshots({t.organization_id for t in targets}, now)
    return samples


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
    """Collect every enabled target of one organization now (a read that found no snapshot)."""
    targets = await GatewayTarget.filter(organization_id=organization_id, enabled=True)
    return len(await collect(targets))


async def prune(before: datetime | None = None) -> int:
    """Delete samples older than the retention (30 days)."""
    cutoff = before or datetime.now(UTC) - RETENTION
    return await GatewaySample.filter(collected_at__lt=cutoff).delete()
