"""Result models of the notifications domain: what its services return and REST/GraphQL serve."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from models.notifications import NotificationDelivery
from services.core.config import get_settings

ChannelType = Literal["webhook", "slack", "email"]
DeliveryKind = Literal["test", "alert_firing", "alert_resolved"]
DeliveryStatus = Literal["queued", "delivering", "delivered", "failed"]


class ChannelInfo(BaseModel):
    """A channel as every read returns it: secrets replaced by ``*_set`` flags."""

    id: int
    name: str
    type: ChannelType
    config: dict[str, Any]
    secret_set: bool
    enabled: bool
    created_at: datetime
    updated_at: datetime


class DeliveryInfo(BaseModel):
    id: int
    channel_id: int
    kind: DeliveryKind
    status: DeliveryStatus
    attempts: int
    max_attempts: int
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

    @classmethod
    def of(cls, row: NotificationDelivery) -> DeliveryInfo:
        return cls(
            id=row.id,
            channel_id=row.channel_id,
            kind=row.kind,
            status=row.status,
            attempts=row.attempts,
            max_attempts=get_settings().notify_max_attempts,
            http_status=row.http_status,
            smtp_reply=row.smtp_reply,
            latency_ms=row.latency_ms,
            error=row.error,
            job_id=row.job_id,
            alert_id=row.alert_id,
            payload=row.payload if isinstance(row.payload, dict) else {},  # never broken by a hand-edited row
            created_at=row.created_at,
            updated_at=row.updated_at,
            next_attempt_at=row.next_attempt_at,
            delivered_at=row.delivered_at,
        )


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
