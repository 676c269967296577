"""Starlette authentication backend: ``Authorization: Bearer <JWT or API key>`` to a Principal."""

from __future__ import annotations

from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser
from starlette.requests import HTTPConnection
from starlette.responses import Response

from api.envelope import error
from services.core.errors import Unauthorized
from services.identity import Principal, authenticate_bearer


class PrincipalUser(BaseUser):
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return f"user:{self.principal.user_id}"

    @property
    def identity(self) -> str:
        return str(self.principal.user_id)


class BearerAuthBackend(AuthenticationBackend):
    """No header means anonymous (routes decide); a bad header is always a 401."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("Authorization header must be 'Bearer <token>'")
        try:
            principal = await authenticate_bearer(token)
        except Unauthorized as exc:
            raise AuthenticationError(exc.message) from None
        return AuthCredentials(["authenticated", principal.role.value]), PrincipalUser(principal)


def on_auth_error(conn: HTTPConnection, exc: Exception) -> Response:
    return error(
        401,
        "UNAUTHORIZED",
        str(exc) or "Invalid or missing authentication token",
        headers={"WWW-Authenticate": "Bearer"},
    )


def principal_of(conn: HTTPConnection) -> Principal | None:
    user = conn.scope.get("user")
    return user.principal if isinstance(user, PrincipalUser) else None
