"""Organizations and users: bootstrap, lookups and batch loads for DataLoaders."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from models.tenancy import Organization, User
from services.core.errors import BadRequest, Conflict, Forbidden, NotFound
from services.identity import api_keys, authentication, credentials
from services.identity.policy import Principal, Role, can_grant, require_admin, require_authenticated
from services.identity.schemas import BootstrapResult, OrganizationInfo, UserInfo

BOOTSTRAP_KEY_NAME = "bootstrap"


def _org(row: Organization) -> OrganizationInfo:
    return OrganizationInfo.model_validate(row, from_attributes=True)


def _user(row: User) -> UserInfo:
    return UserInfo.model_validate(row, from_attributes=True)


async def bootstrap(org_name: str, email: str, role: Role, password: str | None = None) -> BootstrapResult:
    """Create (or find) an organization and a user, then hand out fresh credentials.

    Idempotent in what it stores: the same org and user come back on every run, the
    role and (if given) password are brought up to date, and the previous bootstrap
    API key is revoked when a new one is issued, so keys do not pile up.
    """
    email = email.strip().lower()
    async with in_transaction():
        org, _ = await Organization.get_or_create(name=org_name.strip())
        user = await User.get_or_none(email=email)
        if user is None:
            user = await User.create(organization=org, email=email, role=role.value)
        elif user.organization_id != org.id:
            raise ValueError(f"{email} already belongs to another organization")
        if user.role != role.value:
            user.credentials_changed_at = datetime.now(UTC)
        user.role = role.value
        if password:
            user.password_hash = credentials.hash_password(password)
        await user.save()
        authentication.forget_user(user.id)
        principal = Principal(user.id, org.id, role)
        await api_keys.revoke_named_keys(principal, BOOTSTRAP_KEY_NAME)
        created = await api_keys.create_api_key(principal, BOOTSTRAP_KEY_NAME, role)
    token, _ = credentials.issue_jwt(principal)
    return BootstrapResult(organization_id=org.id, user_id=user.id, api_key=created.key, access_token=token)


async def get_organization(principal: Principal, organization_id: int | None = None) -> OrganizationInfo:
    principal = require_authenticated(principal)
    target = organization_id or principal.organization_id
    if target != principal.organization_id:
        raise NotFound("Organization not found")
    row = await Organization.get_or_none(id=target)
    if row is None:
        raise NotFound("Organization not found")
    return _org(row)


async def get_user(principal: Principal, user_id: int) -> UserInfo:
    principal = require_authenticated(principal)
    row = await User.get_or_none(id=user_id, organization_id=principal.organization_id)
    if row is None:
        raise NotFound("User not found")
    return _user(row)


async def list_users(principal: Principal) -> list[UserInfo]:
    principal = require_admin(principal)
    return [_user(r) for r in await User.filter(organization_id=principal.organization_id).order_by("id")]


async def create_user(principal: Principal, email: str, role: Role, password: str | None = None) -> UserInfo:
    """Admins add users to their own organization, with at most their own role."""
    principal = require_admin(principal)
    if not can_grant(principal, role):
        raise BadRequest.field("role", f"cannot create a user with role {role.value} above your own")
    email = email.strip().lower()
    if await User.exists(email=email):
        raise Conflict(f"A user with email {email} already exists")
    row = await User.create(
        organization_id=principal.organization_id,
        email=email,
        role=role.value,
        password_hash=credentials.hash_password(password) if password else None,
    )
    return _user(row)


async def operator_principal(email: str) -> Principal | None:
    """The principal of the user with ``email`` as the operator's CLI acts for them (no token involved).

    Only for ``python -m api.cli`` commands run by whoever runs the service; None when there is
    no such active user.
    """
    user = await User.get_or_none(email=email.strip().lower(), is_active=True)
    return None if user is None else Principal(user.id, user.organization_id, Role(user.role))


async def update_user(
    principal: Principal, user_id: int, role: Role | None = None, is_active: bool | None = None
) -> UserInfo:
    """Change a user's role or deactivate/reactivate them; either change revokes their issued tokens.

    Admins grant at most their own role and cannot change users above it; nobody demotes or
    deactivates themselves (the organization could be left without an admin by accident).
    API keys keep working with at most the user's new role (see ``services.identity.authentication``).
    """
    principal = require_admin(principal)
    row = await User.get_or_none(id=user_id, organization_id=principal.organization_id)
    if row is None:
        raise NotFound("User not found")
    if not can_grant(principal, Role(row.role)):
        raise Forbidden("Cannot change a user whose role is above your own")
    if role is not None and not can_grant(principal, role):
        raise BadRequest.field("role", f"cannot grant role {role.value} above your own")
    demotes = role is not None and role.rank < Role(row.role).rank
    if row.id == principal.user_id and (demotes or is_active is False):
        raise Conflict("You cannot demote or deactivate yourself; ask another admin")
    changed = (role is not None and role.value != row.role) or (is_active is not None and is_active != row.is_active)
    if changed:
        row.role = role.value if role is not None else row.role
        row.is_active = row.is_active if is_active is None else is_active
        row.credentials_changed_at = datetime.now(UTC)
        await row.save(update_fields=["role", "is_active", "credentials_changed_at"])
        authentication.forget_user(row.id)
    return _user(row)


async def load_organizations(principal: Principal, ids: list[int]) -> list[OrganizationInfo | None]:
    """Batch loader: one query for many ids, scoped to the caller's organization."""
    allowed = [i for i in ids if i == principal.organization_id]
    rows = {r.id: _org(r) for r in await Organization.filter(id__in=allowed)} if allowed else {}
    return [rows.get(i) for i in ids]


async def load_users(principal: Principal, ids: list[int]) -> list[UserInfo | None]:
    """Batch loader: one query for many ids, scoped to the caller's organization."""
    query = User.filter(id__in=ids, organization_id=principal.organization_id)
    rows = {r.id: _user(r) for r in await query}
    return [rows.get(i) for i in ids]
