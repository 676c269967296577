"""Result models of the catalog domain: what its services return and REST/GraphQL serve."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from uuid import UUID

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from services.core.errors import BadRequest
from services.core.tags import check_tags


def encode_cursor(occurred_at: datetime, execution_id: int) -> str:
    raw = f"{occurred_at.astimezone(UTC).isoformat()}|{execution_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str, field: str = "after") -> tuple[datetime, int]:
    try:
        when, ident = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(when), int(ident)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest.field(field, "not a cursor this API issued") from None


class ExecutionInfo(BaseModel):
    id: int
    event_id: str
    prompt_id: int
    version_hash: str | None
    status: str
    latency_ms: float | None
    total_duration_ms: float | None
    ai_response_time_ms: float | None
    query_execution_time_ms: float | None
    cost_usd: float | None
    score: float | None
    data_source_ids: list[int]
    schema_names: list[str]
    user_id: int | None
    occurred_at: datetime
    received_at: datetime

    @field_validator("event_id", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return str(v) if isinstance(v, UUID) else v

    @field_validator("data_source_ids", "schema_names", mode="before")
    @classmethod
    def _list(cls, v: object) -> object:
        return [] if v is None else v

    @property
    def cursor(self) -> str:
        return encode_cursor(self.occurred_at, self.id)


class PromptCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=200)
    text: str = Field(default="", max_length=100_000)
    workspace_id: int | None = Field(default=None, ge=1)
    uuid: UUID | None = None
    tags: dict[str, str] = Field(default_factory=dict, description='Labels such as {"team": "search"}')

    _tags = field_validator("tags")(lambda cls, v: check_tags(v))


class PromptInfo(BaseModel):
    """A prompt with its latest execution: one history row, and the CRUD response.

    A stored row enters through the fields' validation aliases (``text``, ``owner_id``,
    ``last_execution_ms``, ``last_executed_at``, ``last_data_source_ids``):
    ``PromptInfo.model_validate(row, from_attributes=True)``.
    """

    id: int
    uuid: str
    name: str
    prompt_text: str = Field(validation_alias=AliasChoices("prompt_text", "text"))
    status: str
    workspace_id: int | None
    user_id: int | None = Field(validation_alias=AliasChoices("user_id", "owner_id"))
    execution_time_ms: float | None = Field(
        validation_alias=AliasChoices("execution_time_ms", "last_execution_ms"),
        description="Total duration of the latest execution",
    )
    timestamp: datetime | None = Field(
        validation_alias=AliasChoices("timestamp", "last_executed_at"), description="When the latest execution ran"
    )
    data_source_ids: list[int] = Field(validation_alias=AliasChoices("data_source_ids", "last_data_source_ids"))
    tags: dict[str, str] = Field(description='Key/value labels, e.g. {"team": "search"}')
    created_at: datetime
    updated_at: datetime

    @field_validator("uuid", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return str(v) if isinstance(v, UUID) else v

    @field_validator("data_source_ids", mode="before")
    @classmethod
    def _list(cls, v: object) -> object:
        return [] if v is None else v

    @field_validator("tags", mode="before")
    @classmethod
    def _dict(cls, v: object) -> object:
        return {} if v is None else v


class ExecutionPage(BaseModel):
    """One prompt's page of executions, newest first: what ``Prompt.executions`` is cut from."""

    items: list[ExecutionInfo]
    has_next: bool


class PromptSlice(BaseModel):
    """One keyset page of prompts (newest id first): what a Relay connection is cut from."""

    items: list[PromptInfo]
    has_next: bool
    total: int


class NamedInfo(BaseModel):
    """A workspace or a data source as REST lists and creates them (a workspace's ``kind`` is null)."""

    id: int
    name: str
    created_at: datetime
    kind: str | None = None


class WorkspaceInfo(BaseModel):
    id: int
    name: str
    created_at: datetime


class DataSourceInfo(BaseModel):
    id: int
    name: str
    kind: str | None
    created_at: datetime


class PromptVersionInfo(BaseModel):
    """A version of a prompt: the first and last time a usage event named its hash."""

    id: int
    prompt_id: int
    version_hash: str
    first_seen_at: datetime
    last_seen_at: datetime
