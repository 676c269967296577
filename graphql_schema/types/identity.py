"""Organization, User and Viewer."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graphql_schema.context import Info
from services.identity import tenancy
from services.identity.schemas import OrganizationInfo, UserInfo


@strawberry.type
class Organization:
    id: int
    name: str
    created_at: datetime

    @classmethod
    def of(cls, info: OrganizationInfo) -> Organization:
        return cls(id=info.id, name=info.name, created_at=info.created_at)


@strawberry.type
class User:
    id: int
    email: str
    role: str
    is_active: bool
    created_at: datetime
    organization_id: strawberry.Private[int]

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        found = await info.context.loaders.organization.load(self.organization_id)
        return Organization.of(found) if found else None

    @classmethod
    def of(cls, info: UserInfo) -> User:
        return cls(
            id=info.id,
            email=info.email,
            role=info.role,
            is_active=info.is_active,
            created_at=info.created_at,
            organization_id=info.organization_id,
        )


@strawberry.type
class Viewer:
    """The authenticated caller: who, in which organization, with which role, by which credential."""

    role: str
    auth_method: str
    api_key_id: int | None
    user_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        found = await info.context.loaders.user.load(self.user_id)
        return User.of(found) if found else None

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        found = await info.context.loaders.organization.load(self.organization_id)
        return Organization.of(found) if found else None


async def resolve_viewer(info: Info) -> Viewer:
    principal = info.context.user
    return Viewer(
        role=principal.role.value,
        auth_method=principal.auth_method,
        api_key_id=principal.api_key_id,
        user_id=principal.user_id,
        organization_id=principal.organization_id,
    )


async def resolve_user(info: Info, id: int) -> User:
    return User.of(await tenancy.get_user(info.context.user, id))
