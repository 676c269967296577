"""Per-request DataLoaders: every relation that could fan out is batched into one query."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from services import tenancy
from services.policy import Principal
from services.tenancy import OrganizationInfo, UserInfo


@dataclass
class Loaders:
    organization: DataLoader[int, OrganizationInfo | None]
    user: DataLoader[int, UserInfo | None]

    @classmethod
    def for_principal(cls, principal: Principal | None) -> Loaders:
        async def organizations(ids: list[int]) -> list[OrganizationInfo | None]:
            return await tenancy.load_organizations(principal, ids) if principal else [None] * len(ids)

        async def users(ids: list[int]) -> list[UserInfo | None]:
            return await tenancy.load_users(principal, ids) if principal else [None] * len(ids)

        return cls(organization=DataLoader(organizations), user=DataLoader(users))
