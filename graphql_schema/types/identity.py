"""Organization, User and Viewer."""

from __future__ import annotations

import strawberry

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from services import identity
from services.identity import OrganizationInfo, UserInfo


@model_type(OrganizationInfo)
class Organization:
    pass


@model_type(UserInfo)
class User:
    organization_id: strawberry.Private[int]

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        found = await info.context.loaders.organization.load(self.organization_id)
        return Organization.from_pydantic(found) if found else None


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
        return User.from_pydantic(found) if found else None

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        found = await info.context.loaders.organization.load(self.organization_id)
        return Organization.from_pydantic(found) if found else None


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
    return User.from_pydantic(await identity.get_user(info.context.user, id))
