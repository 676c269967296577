"""Registered scrape/probe targets: admin CRUD, scoped to the caller's organization.

URLs pass the outbound address policy when saved (a refused address is a 400 naming
``url``) and again, resolved, before every collection (:mod:`services.gateway.probe`).
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models.gateway import GatewayTarget
from services.core.errors import Conflict, NotFound
from services.gateway.schemas import TargetInfo, TargetInput, TargetUpdate
from services.identity import Principal, require_admin

MAX_TARGETS = 500  # per organization


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
    target = await _row(require_admin(principal), target_id)
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "url", "enabled", "interval_seconds", "timeout_seconds"):
        if name in changes and changes[name] is None:
            changes.pop(name)
    if not changes:
        return info(target)
    target.update_from_dict(changes)
    try:
        await target.save()
    except IntegrityError:
        raise Conflict(f"A target named {changes.get('name')!r} already exists") from None
    return info(target)


async def delete_target(principal: Principal, target_id: int) -> None:
    target = await _row(require_admin(principal), target_id)
    await target.delete()
