"""NotificationChannel and NotificationDelivery: queries and mutations over services.notifications.channels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from graphql_schema.context import Info
from graphql_schema.permissions import IsAdmin
from services.core.errors import BadRequest
from services.notifications import channels as notifications
from services.notifications.schemas import ChannelInfo, DeliveryInfo, TestDispatch


@strawberry.type
class NotificationChannel:
    id: int
    name: str
    type: str
    config: JSON = strawberry.field(description="Redacted: no password, no secret, no credentials in URLs")
    secret_set: bool
    enabled: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, info: ChannelInfo) -> NotificationChannel:
        return cls(
            id=info.id,
            name=info.name,
            type=info.type,
            config=info.config,
            secret_set=info.secret_set,
            enabled=info.enabled,
            created_at=info.created_at,
            updated_at=info.updated_at,
        )


@strawberry.type
class NotificationDelivery:
    id: int
    channel_id: int
    kind: str
    status: str
    attempts: int
    max_attempts: int
    http_status: int | None
    smtp_reply: str | None
    latency_ms: float | None
    error: str | None
    job_id: str | None
    alert_id: int | None
    payload: JSON
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, info: DeliveryInfo) -> NotificationDelivery:
        return cls(**info.model_dump())


@strawberry.type
class NotificationTest:
    job_id: str
    delivery_id: int
    delivery: NotificationDelivery
    completed: bool = strawberry.field(description="Whether the worker's first attempt ended within the wait")

    @classmethod
    def of(cls, dispatch: TestDispatch) -> NotificationTest:
        return cls(
            job_id=dispatch.job_id,
            delivery_id=dispatch.delivery_id,
            delivery=NotificationDelivery.of(dispatch.delivery),
            completed=dispatch.completed,
        )


@strawberry.input
class CreateNotificationChannelInput:
    name: str
    type: str = strawberry.field(description="webhook, slack or email")
    config: JSON
    secret: str | None = None
    enabled: bool = True


@strawberry.input
class UpdateNotificationChannelInput:
    name: str | None = strawberry.UNSET
    type: str | None = strawberry.UNSET
    config: JSON | None = strawberry.UNSET
    secret: str | None = strawberry.field(default=strawberry.UNSET, description="null removes the secret")
    enabled: bool | None = strawberry.UNSET


def _given(data: object) -> dict[str, Any]:
    """Input fields the client actually sent (UNSET ones left out, explicit nulls kept)."""
    return {k: v for k, v in vars(data).items() if v is not strawberry.UNSET}


@strawberry.type
class NotificationsQuery:
    @strawberry.field(permission_classes=[IsAdmin], description="Notification channels of your organization")
    async def notification_channels(self, info: Info) -> list[NotificationChannel]:
        page = await notifications.list_channels(info.context.user, 1, 100)
        return [NotificationChannel.of(c) for c in page.items]

    @strawberry.field(permission_classes=[IsAdmin], description="One channel (NOT_FOUND outside your organization)")
    async def notification_channel(self, info: Info, id: int) -> NotificationChannel:
        return NotificationChannel.of(await notifications.get_channel(info.context.user, id))

    @strawberry.field(permission_classes=[IsAdmin], description="One delivery (NOT_FOUND outside your organization)")
    async def notification_delivery(self, info: Info, id: int) -> NotificationDelivery:
        return NotificationDelivery.of(await notifications.get_delivery(info.context.user, id))

    @strawberry.field(permission_classes=[IsAdmin], description="Deliveries, newest first (at most 100)")
    async def notification_deliveries(
        self, info: Info, channel_id: int | None = None, alert_id: int | None = None, limit: int = 20
    ) -> list[NotificationDelivery]:
        if not 1 <= limit <= 100:
            raise BadRequest.field("limit", "limit must be between 1 and 100")
        page = await notifications.list_deliveries(
            info.context.user, channel_id=channel_id, alert_id=alert_id, page_size=limit
        )
        return [NotificationDelivery.of(d) for d in page.items]


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(permission_classes=[IsAdmin])
    async def create_notification_channel(
        self, info: Info, input: CreateNotificationChannelInput
    ) -> NotificationChannel:
        return NotificationChannel.of(await notifications.create_channel(info.context.user, _given(input)))

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def update_notification_channel(
        self, info: Info, id: int, input: UpdateNotificationChannelInput
    ) -> NotificationChannel:
        return NotificationChannel.of(await notifications.update_channel(info.context.user, id, _given(input)))

    @strawberry.mutation(permission_classes=[IsAdmin], description="true once deleted")
    async def delete_notification_channel(self, info: Info, id: int) -> bool:
        await notifications.delete_channel(info.context.user, id)
        return True

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Send a real test delivery and wait for its first attempt"
    )
    async def test_notification_channel(self, info: Info, id: int, message: str | None = None) -> NotificationTest:
        return NotificationTest.of(await notifications.send_test(info.context.user, id, message))
