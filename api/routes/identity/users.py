"""Users of the caller's organization (admin)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.routing import Call, Ok, Router
from services import identity
from services.identity import Role

router = Router("Users")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: Role = Role.MEMBER
    password: str | None = Field(default=None, min_length=8, max_length=1024)


class UserOut(BaseModel):
    id: int
    organization_id: int
    email: str
    role: str
    is_active: bool
    created_at: datetime


class UserList(BaseModel):
    items: list[UserOut]


class UserPath(BaseModel):
    user_id: int = Field(ge=1, le=2_147_483_647)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role | None = Field(default=None, description="New role (at most your own)")
    is_active: bool | None = Field(default=None, description="false deactivates the user: sign-in and keys stop")


@router.get("/api/v1/users", summary="List the organization's users", role=Role.ADMIN, response_model=UserList)
async def list_users(call: Call[None, None]) -> Ok:
    return Ok({"items": await identity.list_users(call.user)}, "Users retrieved")


@router.post(
    "/api/v1/users",
    summary="Add a user to the organization",
    role=Role.ADMIN,
    status=201,
    body_model=UserCreate,
    response_model=UserOut,
    responses={409: "Email already registered"},
)
async def create_user(call: Call[None, UserCreate]) -> Ok:
    body = call.body
    return Ok(await identity.create_user(call.user, body.email, body.role, body.password), "User created", 201)


@router.get(
    "/api/v1/users/{user_id}", summary="A user of the organization", path_model=UserPath, response_model=UserOut
)
async def get_user(call: Call[None, None]) -> Ok:
    return Ok(await identity.get_user(call.user, call.path.user_id), "User retrieved")


@router.patch(
    "/api/v1/users/{user_id}",
    summary="Change a user's role or deactivate them",
    role=Role.ADMIN,
    path_model=UserPath,
    body_model=UserUpdate,
    response_model=UserOut,
    responses={403: "The user's role is above yours", 404: "No such user in your organization", 409: "Yourself"},
    description="A role change or deactivation revokes the user's issued tokens; their API keys act with at most "
    "the new role. Other processes notice within API_KEY_CACHE_SECONDS.",
)
async def update_user(call: Call[None, UserUpdate]) -> Ok:
    body = call.body
    return Ok(await identity.update_user(call.user, call.path.user_id, body.role, body.is_active), "User updated")
