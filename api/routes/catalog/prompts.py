"""Prompts: history (seed 001) and CRUD."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.responses import Response

from api.routing import Call, Ok, Router
from services import catalog
from services.catalog import PromptCreate, PromptInfo
from services.core.pagination import Page
from services.core.tags import check_tags

router = Router("Prompts")


class PromptPath(BaseModel):
    prompt_id: int = Field(ge=1, le=2_147_483_647)


class HistoryQuery(BaseModel):
    workspace_id: int | None = Field(default=None, ge=1)
    status: Literal["completed", "failed", "processing", "draft"] | None = None
    data_source_id: int | None = Field(default=None, ge=1)
    time_period: Literal["last_7_days", "last_30_days", "last_90_days", "all"] = "all"
    search: str | None = Field(default=None, max_length=200, description="Name or text, case-insensitive")
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=20, ge=1, le=100)
    sort_by: Literal["timestamp", "status", "execution_time"] = "timestamp"
    sort_order: Literal["asc", "desc"] = "desc"
    user_id: int | None = Field(default=None, ge=1, description="Defaults to the current user")


class PromptPage(Page[PromptInfo]):
    pass


class PromptListQuery(BaseModel):
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=20, ge=1, le=100)
    workspace_id: int | None = Field(default=None, ge=1)


class PromptUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    text: str | None = Field(default=None, max_length=100_000)
    workspace_id: int | None = Field(default=None, ge=1)
    tags: dict[str, str] | None = Field(default=None, description="Replaces the prompt's tags (null or {} clears them)")

    _tags = field_validator("tags")(lambda cls, v: check_tags(v) if v is not None else v)

    @field_validator("name", "text")
    @classmethod
    def _not_null(cls, value: str | None) -> str:
        """Omit a field to keep it; ``null`` cannot clear a name or a text (``""`` clears a text)."""
        if value is None:
            raise ValueError("may not be null (omit the field to keep its value)")
        return value


@router.get(
    "/api/v1/prompts/history", summary="Get Prompt History", query_model=HistoryQuery, response_model=PromptPage
)
async def get_prompt_history(call: Call[HistoryQuery, None]) -> Ok:
    page = await catalog.prompt_history(call.user, **call.query.model_dump())
    return Ok(page, "Prompt history retrieved successfully")


@router.get("/api/v1/prompts", summary="List prompts", query_model=PromptListQuery, response_model=PromptPage)
async def list_prompts(call: Call[PromptListQuery, None]) -> Ok:
    q = call.query
    page = await catalog.list_prompts(call.user, q.page, q.page_size, q.workspace_id)
    return Ok(page, "Prompts retrieved successfully")


@router.post(
    "/api/v1/prompts",
    summary="Create a prompt",
    status=201,
    body_model=PromptCreate,
    response_model=PromptInfo,
    responses={409: "uuid already used"},
)
async def create_prompt(call: Call[None, PromptCreate]) -> Ok:
    b = call.body
    created = await catalog.create_prompt(call.user, b.name, b.text, b.workspace_id, b.uuid, b.tags)
    return Ok(created, "Prompt created", 201)


@router.get("/api/v1/prompts/{prompt_id}", summary="Get a prompt", path_model=PromptPath, response_model=PromptInfo)
async def get_prompt(call: Call[None, None]) -> Ok:
    return Ok(await catalog.get_prompt(call.user, call.path.prompt_id), "Prompt retrieved successfully")


@router.patch(
    "/api/v1/prompts/{prompt_id}",
    summary="Update a prompt",
    path_model=PromptPath,
    body_model=PromptUpdate,
    response_model=PromptInfo,
)
async def update_prompt(call: Call[None, PromptUpdate]) -> Ok:
    changes = call.body.model_dump(exclude_unset=True)
    return Ok(await catalog.update_prompt(call.user, call.path.prompt_id, changes), "Prompt updated")


@router.delete(
    "/api/v1/prompts/{prompt_id}", summary="Delete a prompt and its history", status=204, path_model=PromptPath
)
async def delete_prompt(call: Call[None, None]) -> Response:
    await catalog.delete_prompt(call.user, call.path.prompt_id)
    return Response(status_code=204)
