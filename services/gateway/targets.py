"""Registered scrape/probe targets: admin CRUD, scoped to the caller's organization.

URLs pass the outbound address policy when saved (a refused address is a 400 naming
``url``) and again, resolved, before every collection (:mod:`services.gateway.probe`).
Every change drops the organization's snapshot (views are recomputed on the next read); a new
URL starts the target afresh (not collected, health unknown), so the next read collects it.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models.gateway import GatewayTarget
from services.core.errors import BadRequest, Conflict, NotFound
from services.gateway import collect
from services.gateway.schemas import TargetInfo, TargetInput, TargetUpdate
from services.identity import Principal, require_admin

MAX_TARGETS = 500  # per organization
NOT_NULL = ("name", "url", "enabled", "interval_seconds", "timeout_seconds")  # PATCH may omit them, not null them


def info(t: GatewayTarget) -> TargetInfo:
    return TargetInfo(
        id=t.id,
        name=t.name,
        kind=t.kind,
        url=t.url,
        enabled=t.enabled,
        interval_seconds=t.interval_seconds,
        timeout_seconds=t.timeout_seconds,
        last_collected_at=t.last_collected_at,
        last_healthy=t.last_healthy,
        last_error=t.last_error,
        created_at=t.created_at,
        updated_at=t.updated_at,
    )


async def _row(principal: Principal, target_id: int) -> GatewayTarget:
    target = await GatewayTarget.get_or_none(id=target_id, organization_id=principal.organization_id)
    if target is None:
        raise NotFound("Gateway target not found")
    return target


async def create_target(principal: Principal, data: TargetInput) -> TargetInfo:
    principal = require_admin(principal)
    if await GatewayTarget.filter(organization_id=principal.organization_id).count() >= MAX_TARGETS:
        raise Conflict(f"An organization can register at most {MAX_TARGETS} targets")
    try:
        target = await GatewayTarget.create(organization_id=principal.organization_id, **data.model_dump())
    except IntegrityError:
        raise Conflict(f"A target named {data.name!r} already exists") from None
    await collect.drop_snapshots([principal.organization_id])
    return info(target)


async def list_targets(principal: Principal, kind: str | None = None) -> list[TargetInfo]:
    principal = require_admin(principal)
    query = GatewayTarget.filter(organization_id=principal.organization_id)
    if kind is not None:
        query = query.filter(kind=kind)
    return [info(t) for t in await query.order_by("id")]


async def get_target(principal: Principal, target_id: int) -> TargetInfo:
    return info(await _row(require_admin(principal), target_id))


async def update_target(principal: Principal, target_id: int, data: TargetUpdate) -> TargetInfo:
    principal = require_admin(principal)
    changes = data.model_dump(exclude_unset=True)
    for name in NOT_NULL:
        if name in changes and changes[name] is None:
            raise BadRequest.field(name, "may not be null")
    target = await _row(principal, target_id)
    if not changes:
        return info(target)
    if "url" in changes and changes["url"] != target.url:  # another endpoint: its history says nothing yet
        changes |= {"last_collected_at": None, "last_healthy": None, "last_error": None}
    target.update_from_dict(changes)
    try:
        await target.save()
    except IntegrityError:
        raise Conflict(f"A target named {changes.get('name')!r} already exists") from None
    await collect.drop_snapshots([principal.organization_id])
    return info(target)


async def delete_target(principal: Principal, target_id: int) -> None:
    principal = require_admin(principal)
    target = await _row(principal, target_id)
    await target.delete()
    await collect.drop_snapshots([principal.organization_id])
