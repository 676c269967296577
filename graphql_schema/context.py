"""The typed GraphQL context: request, principal and this request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from graphql_schema.loaders import Loaders
from services.core.errors import Unauthorized
from services.identity import Principal, Role, authenticate_bearer, require_authenticated, require_role


@dataclass
class Context:
    request: Any
    response: Any
    principal: Principal | None
    loaders: Loaders = field(init=False)
    connection_params: dict[str, Any] | None = field(default=None, init=False)  # graphql-transport-ws init payload
    bearer: str | None = field(default=None, init=False)  # the token of the init payload, if it authenticated

    def __post_init__(self) -> None:
        self.loaders = Loaders.for_principal(self.principal)

    def authenticate(self, principal: Principal, bearer: str | None = None) -> None:
        """Adopt ``principal`` (a websocket authenticated by its connection_init payload)."""
        self.principal = principal
        self.loaders = Loaders.for_principal(principal)
        self.bearer = bearer

    @property
    def credential(self) -> str | None:
        """The bearer token this context was authenticated with (init payload, else the header)."""
        if self.bearer is not None:
            return self.bearer
        header = getattr(self.request, "headers", {}).get("authorization") or ""
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    async def recheck(self, role: Role) -> None:
        """Raise if the credential no longer holds ``role`` (revoked, user demoted, deactivated or gone).

        Long-lived operations (subscriptions) call this while they run: a role change or a
        deactivation reaches them within ``API_KEY_CACHE_SECONDS``, as it reaches new requests.
        """
        token = self.credential
        if token is None:
            raise Unauthorized("Invalid or missing authentication token")
        self.principal = await authenticate_bearer(token)
        require_role(self.principal, role)

    @property
    def user(self) -> Principal:
        return require_authenticated(self.principal)

    @property
    def request_id(self) -> str | None:
        state = getattr(self.request, "scope", {}).get("state", {})
        return state.get("request_id")


Info = StrawberryInfo[Context, None]
