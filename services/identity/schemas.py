"""Result models of the identity domain: what its services return and REST/GraphQL serve."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from models.tenancy import ApiKey
from services.identity import credentials


class OrganizationInfo(BaseModel):
    id: int
    name: str
    created_at: datetime


class UserInfo(BaseModel):
    id: int
    organization_id: int
    email: str
    role: str
    is_active: bool
    created_at: datetime


class TokenRequest(BaseModel):
    """A password sign-in (REST ``POST /api/v1/auth/token`` and GraphQL ``signIn``)."""

    model_config = ConfigDict(extra="ignore")
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=1, max_length=1024)


class IssuedToken(BaseModel):
    """What a successful sign-in answers, over REST and GraphQL alike."""

    access_token: str
    token_type: str
    expires_at: datetime
    user_id: int
    organization_id: int
    role: str


class BootstrapResult(BaseModel):
    organization_id: int
    user_id: int
    api_key: str
    access_token: str


class ApiKeyInfo(BaseModel):
    id: int
    name: str
    prefix: str
    role: str
    user_id: int
    rate_limit_per_minute: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: ApiKey) -> ApiKeyInfo:
        return cls(
            id=row.id,
            name=row.name,
            prefix=f"{credentials.API_KEY_PREFIX}{row.prefix}",
            role=row.role,
            user_id=row.user_id,
            rate_limit_per_minute=row.rate_limit_per_minute,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )


class CreatedApiKey(BaseModel):
    key: str
    info: ApiKeyInfo
