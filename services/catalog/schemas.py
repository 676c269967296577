"""Result models of the catalog domain: what its services return and REST/GraphQL serve."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.prompts import (
    Prompt,
    PromptExecution,
)
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

    @classmethod
    def of(cls, e: PromptExecution) -> ExecutionInfo:
        return cls(
            id=e.id,
            event_id=str(e.event_id),
            prompt_id=e.prompt_id,
            version_hash=e.version_hash,
            status=e.status,
            latency_ms=e.latency_ms,
            total_duration_ms=e.total_duration_ms,
            ai_response_time_ms=e.ai_response_time_ms,
            query_execution_time_ms=e.query_execution_time_ms,
            cost_usd=float(e.cost_usd) if e.cost_usd is not None else None,
            score=e.score,
            data_source_ids=list(e.data_source_ids or []),
            schema_names=list(e.schema_names or []),
            user_id=e.user_id,
            occurred_at=e.occurred_at,
            received_at=e.received_at,
        )

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
    """A prompt with its latest execution: one history row, and the CRUD response."""

    id: int
    uuid: str
    name: str
    prompt_text: str
    status: str
    workspace_id: int | None
    user_id: int | None
    execution_time_ms: float | None
    timestamp: datetime | None
    data_source_ids: list[int]
    tags: dict[str, str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, p: Prompt) -> PromptInfo:
        return cls(
            id=p.id,
            uuid=str(p.uuid),
            name=p.name,
            prompt_text=p.text,
            status=p.status,
            workspace_id=p.workspace_id,
            user_id=p.owner_id,
            execution_time_ms=p.last_execution_ms,
            timestamp=p.last_executed_at,
            data_source_ids=list(p.last_data_source_ids or []),
            tags=dict(p.tags or {}),
            created_at=p.created_at,
            updated_at=p.updated_at,
        )
