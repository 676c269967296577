"""Who may do what.  The single authorization policy that REST, GraphQL and jobs consult.

Roles are ordered: ``member`` < ``admin`` < ``superuser``.  A superuser is still a
member of one organization; platform-wide operations check :func:`require_superuser`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.core.errors import Forbidden, Unauthorized


class Role(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"
    SUPERUSER = "superuser"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"role must be one of {', '.join(r.value for r in cls)}") from None


_RANK = {Role.MEMBER: 0, Role.ADMIN: 1, Role.SUPERUSER: 2}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: what every service function receives first."""

    user_id: int
    organization_id: int
    role: Role
    auth_method: str = "jwt"  # "jwt" or "api_key"
    api_key_id: int | None = None
    rate_limit_per_minute: int | None = None  # per-key ingest limit; None means the default

    def has_role(self, role: Role) -> bool:
        return self.role.rank >= role.rank


def require_authenticated(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthorized("Invalid or missing authentication token")
    return principal


def require_role(principal: Principal | None, role: Role) -> Principal:
    principal = require_authenticated(principal)
    if not principal.has_role(role):
        raise Forbidden(f"This action requires the {role.value} role")
    return principal


def require_admin(principal: Principal | None) -> Principal:
    return require_role(principal, Role.ADMIN)


def require_superuser(principal: Principal | None) -> Principal:
    return require_role(principal, Role.SUPERUSER)


def can_grant(principal: Principal, role: Role) -> bool:
    """A caller can hand out (e.g. to an API key) at most its own role."""
    return principal.has_role(role)
