"""Organization, User and Viewer; ``signIn``, the password sign-in REST serves at ``/api/v1/auth/token``."""

from __future__ import annotations

import strawberry

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from services import identity, security
from services.core.errors import BadRequest, RateLimited, Unauthorized
from services.core.validation import validated
from services.identity import IssuedToken, OrganizationInfo, TokenRequest, UserInfo
from services.security import flag_request


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


@model_type(IssuedToken, description="A signed-in session: the same payload as POST /api/v1/auth/token")
class SignInPayload:
    pass


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        description="Exchange e-mail and password for a JWT (public; the same limits and brute-force detection "
        "as POST /api/v1/auth/token). A wrong password and an unknown e-mail are the same UNAUTHORIZED error; "
        "too many attempts are RATE_LIMITED with extensions.retry_after (and a Retry-After header)."
    )
    async def sign_in(self, info: Info, email: str, password: str) -> SignInPayload:
        request = info.context.request
        scope = getattr(request, "scope", None) or {}
        if scope.get("type") != "http":
            # The security middleware observes HTTP requests only: a sign-in it could not see would
            # escape the brute-force detection, so it is not served over a websocket.
            raise BadRequest.field("signIn", "signIn is served over HTTP (POST /graphql), not over a websocket")
        body = validated(TokenRequest, {"email": email, "password": password})
        client_ip = security.client_address(scope)  # as the REST route counts it
        try:
            issued = await identity.sign_in(body, client_ip)
        except Unauthorized:
            flag_request(scope, "failed_login")  # counts as a 401 on the token route
            raise
        except RateLimited as exc:
            flag_request(scope, "login_rate_limited")  # counts as a 429 on the token route
            response = info.context.response
            if exc.retry_after is not None and response is not None:
                response.headers["Retry-After"] = str(exc.retry_after)
            raise
        return SignInPayload.from_pydantic(issued)
