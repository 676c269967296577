"""Permission classes: thin adapters over :mod:`services.identity.policy`, so GraphQL and REST agree.

The policy raises ``Unauthorized``/``Forbidden``; the error extension turns those
into ``extensions.code`` exactly as REST turns them into envelope codes.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from services.identity import Role, require_authenticated, require_role


class IsAuthenticated(BasePermission):
    message = "Invalid or missing authentication token"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        require_authenticated(info.context.principal)
        return True


class IsAdmin(BasePermission):
    message = "This action requires the admin role"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        require_role(info.context.principal, Role.ADMIN)
        return True


class IsSuperuser(BasePermission):
    message = "This action requires the superuser role"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        require_role(info.context.principal, Role.SUPERUSER)
        return True
