"""The typed GraphQL context: request, principal and this request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from graphql_schema.loaders import Loaders
from services.identity.policy import Principal, require_authenticated


@dataclass
class Context:
    request: Any
    response: Any
    principal: Principal | None
    loaders: Loaders = field(init=False)
    connection_params: dict[str, Any] | None = field(default=None, init=False)  # graphql-transport-ws init payload

    def __post_init__(self) -> None:
        self.loaders = Loaders.for_principal(self.principal)

    def authenticate(self, principal: Principal) -> None:
        """Adopt ``principal`` (a websocket authenticated by its connection_init payload)."""
        self.principal = principal
        self.loaders = Loaders.for_principal(principal)

    @property
    def user(self) -> Principal:
        return require_authenticated(self.principal)

    @property
    def request_id(self) -> str | None:
        state = getattr(self.request, "scope", {}).get("state", {})
        return state.get("request_id")


Info = StrawberryInfo[Context, None]
