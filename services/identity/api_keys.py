"""API keys of the caller's organization: create (shown once), list, revoke."""

from __future__ import annotations

from datetime import UTC, datetime

from models.tenancy import ApiKey
from services.core.errors import BadRequest, NotFound
from services.identity import authentication, credentials
from services.identity.policy import Principal, Role, can_grant, require_authenticated
from services.identity.schemas import ApiKeyInfo, CreatedApiKey


async def create_api_key(
    principal: Principal,
    name: str,
    role: Role | None = None,
    rate_limit_per_minute: int | None = None,
) -> CreatedApiKey:
    """Mint a key acting as the caller (never with a higher role than the caller's)."""
    principal = require_authenticated(principal)
    role = role or principal.role
    if not can_grant(principal, role):
        raise BadRequest.field("role", f"cannot create a key with role {role.value} above your own")
    full, prefix, digest = credentials.new_api_key()
    row = await ApiKey.create(
        organization_id=principal.organization_id,
        user_id=principal.user_id,
        name=name,
        prefix=prefix,
        key_hash=digest,
        role=role.value,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    return CreatedApiKey(key=full, info=ApiKeyInfo.of(row))


async def list_api_keys(principal: Principal, include_revoked: bool = False) -> list[ApiKeyInfo]:
    """Members see their own keys; admins see every key of the organization."""
    principal = require_authenticated(principal)
    query = ApiKey.filter(organization_id=principal.organization_id)
    if not principal.has_role(Role.ADMIN):
        query = query.filter(user_id=principal.user_id)
    if not include_revoked:
        query = query.filter(revoked_at__isnull=True)
    return [ApiKeyInfo.of(row) for row in await query.order_by("-id")]


async def revoke_api_key(principal: Principal, key_id: int) -> ApiKeyInfo:
    principal = require_authenticated(principal)
    row = await ApiKey.get_or_none(id=key_id, organization_id=principal.organization_id)
    if row is None or (row.user_id != principal.user_id and not principal.has_role(Role.ADMIN)):
        raise NotFound("API key not found")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await row.save(update_fields=["revoked_at"])
        authentication.forget_api_keys()
    return ApiKeyInfo.of(row)


async def revoke_named_keys(principal: Principal, name: str) -> int:
    """Revoke the caller's own active keys called ``name`` (used when rotating bootstrap keys)."""
    revoked = await ApiKey.filter(
        organization_id=principal.organization_id,
        user_id=principal.user_id,
        name=name,
        revoked_at__isnull=True,
    ).update(revoked_at=datetime.now(UTC))
    authentication.forget_api_keys()
    return revoked
