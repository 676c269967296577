"""Result models of the notifications domain: what its services return and REST/GraphQL serve."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.core.config import get_settings

ChannelType = Literal["webhook", "slack", "email"]
DeliveryKind = Literal["test", "alert_firing", "alert_resolved"]
DeliveryStatus = Literal["queued", "delivering", "delivered", "failed"]


class ChannelInfo(BaseModel):
    """A channel as every read returns it: secrets replaced by ``*_set`` flags."""

    id: int
    name: str
    type: ChannelType
    config: dict[str, Any] = Field(description="Redacted: no password, no secret, no credentials in URLs")
    secret_set: bool
    enabled: bool
    created_at: datetime
    updated_at: datetime


class DeliveryInfo(BaseModel):
    """A delivery row as a result (``model_validate(row, from_attributes=True)``); ``max_attempts``
    is the setting in force, not a column."""

    # a response: every field is present, ``max_attempts`` (filled from the setting) included
    model_config = ConfigDict(
        json_schema_mode_override="serialization", json_schema_serialization_defaults_required=True
    )

    id: int
    channel_id: int
    kind: DeliveryKind
    status: DeliveryStatus
    attempts: int
    max_attempts: int = Field(default_factory=lambda: get_settings().notify_max_attempts)
    http_status: int | None
    smtp_reply: str | None
    latency_ms: float | None
    error: str | None
    job_id: str | None
    alert_id: int | None
    payload: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    @field_validator("payload", mode="before")
    @classmethod
    def _payload(cls, v: object) -> object:
        return v if isinstance(v, dict) else {}  # never broken by a hand-edited row


class TestDispatch(BaseModel):
    job_id: str
    delivery_id: int
    delivery: DeliveryInfo
    completed: bool = Field(
        default=False,
        description="true: the first attempt ended within the wait and `delivery` carries its outcome "
        "(delivered, failed, or queued with `error` and `next_attempt_at` when a retry is scheduled); "
        "false: not attempted yet, read the delivery back by id",
    )
