"""API keys: created (shown once), listed, revoked."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.routing import Call, Ok, Router
from services import identity
from services.identity import Role

router = Router("API keys")


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=100)
    role: Role | None = Field(default=None, description="Defaults to the caller's role; never above it")
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=1_000_000)


class ApiKeyOut(BaseModel):
    id: int
    name: str
    prefix: str
    role: str
    user_id: int
    rate_limit_per_minute: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The full key. Shown only in this response; store it now.")


class ApiKeyList(BaseModel):
    items: list[ApiKeyOut]


class ApiKeyListQuery(BaseModel):
    include_revoked: bool = False


class ApiKeyPath(BaseModel):
    key_id: int = Field(ge=1)


@router.post(
    "/api/v1/api-keys",
    summary="Create an API key (returned once)",
    status=201,
    body_model=ApiKeyCreate,
    response_model=ApiKeyCreated,
)
async def create_api_key(call: Call[None, ApiKeyCreate]) -> Ok:
    body = call.body
    created = await identity.create_api_key(call.user, body.name, body.role, body.rate_limit_per_minute)
    return Ok(
        {**created.info.model_dump(), "key": created.key}, "API key created; store it now, it is not shown again", 201
    )


@router.get(
    "/api/v1/api-keys",
    summary="List API keys (admins see the whole organization)",
    query_model=ApiKeyListQuery,
    response_model=ApiKeyList,
)
async def list_api_keys(call: Call[ApiKeyListQuery, None]) -> Ok:
    keys = await identity.list_api_keys(call.user, call.query.include_revoked)
    return Ok({"items": keys}, "API keys retrieved")


@router.delete(
    "/api/v1/api-keys/{key_id}",
    summary="Revoke an API key",
    path_model=ApiKeyPath,
    response_model=ApiKeyOut,
)
async def revoke_api_key(call: Call[None, None]) -> Ok:
    revoked = await identity.revoke_api_key(call.user, call.path.key_id)
    return Ok(revoked, "API key revoked")
