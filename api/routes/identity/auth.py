"""Password login and the caller's identity."""

from __future__ import annotations

from pydantic import BaseModel

from api.routing import Call, Ok, Router
from services import identity, security
from services.identity import IssuedToken, TokenRequest

router = Router("Auth")


class TokenResponse(IssuedToken):
    """The same payload as GraphQL's ``signIn`` (``services.identity.IssuedToken``)."""


class MeResponse(BaseModel):
    user_id: int
    email: str
    role: str
    organization_id: int
    organization_name: str
    auth_method: str
    api_key_id: int | None = None


@router.post(
    "/api/v1/auth/token",
    summary="Exchange email and password for a JWT",
    public=True,
    body_model=TokenRequest,
    response_model=TokenResponse,
    responses={401: "Invalid email or password", 429: "Too many login attempts; see Retry-After"},
)
async def issue_token(call: Call[None, TokenRequest]) -> Ok:
    client_ip = security.client_address(call.request.scope)
    return Ok(await identity.sign_in(call.body, client_ip), "Token issued")


@router.get("/api/v1/auth/me", summary="The authenticated caller", response_model=MeResponse)
async def me(call: Call[None, None]) -> Ok:
    principal = call.user
    user = await identity.get_user(principal, principal.user_id)
    org = await identity.get_organization(principal)
    return Ok(
        {
            "user_id": user.id,
            "email": user.email,
            "role": principal.role.value,
            "organization_id": org.id,
            "organization_name": org.name,
            "auth_method": principal.auth_method,
            "api_key_id": principal.api_key_id,
        },
        "Current user retrieved",
    )
