"""NotificationChannel and NotificationDelivery: queries and mutations over services.notifications.channels."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.permissions import IsAdmin
from services import notifications
from services.core.errors import BadRequest
from services.notifications import ChannelInfo, DeliveryInfo, TestDispatch


@model_type(ChannelInfo)
class NotificationChannel:
    pass


@model_type(DeliveryInfo)
class NotificationDelivery:
    pass


@model_type(TestDispatch)
class NotificationTest:
    pass


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
        return [NotificationChannel.from_pydantic(c) for c in page.items]

    @strawberry.field(permission_classes=[IsAdmin], description="One channel (NOT_FOUND outside your organization)")
    async def notification_channel(self, info: Info, id: int) -> NotificationChannel:
        return NotificationChannel.from_pydantic(await notifications.get_channel(info.context.user, id))

    @strawberry.field(permission_classes=[IsAdmin], description="One delivery (NOT_FOUND outside your organization)")
    async def notification_delivery(self, info: Info, id: int) -> NotificationDelivery:
        return NotificationDelivery.from_pydantic(await notifications.get_delivery(info.context.user, id))

    @strawberry.field(permission_classes=[IsAdmin], description="Deliveries, newest first (at most 100)")
    async def notification_deliveries(
        self, info: Info, channel_id: int | None = None, alert_id: int | None = None, limit: int = 20
    ) -> list[NotificationDelivery]:
        if not 1 <= limit <= 100:
            raise BadRequest.field("limit", "limit must be between 1 and 100")
        page = await notifications.list_deliveries(
            info.context.user, channel_id=channel_id, alert_id=alert_id, page_size=limit
        )
        return [NotificationDelivery.from_pydantic(d) for d in page.items]


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(permission_classes=[IsAdmin])
    async def create_notification_channel(
        self, info: Info, input: CreateNotificationChannelInput
    ) -> NotificationChannel:
        return NotificationChannel.from_pydantic(await notifications.create_channel(info.context.user, _given(input)))

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def update_notification_channel(
        self, info: Info, id: int, input: UpdateNotificationChannelInput
    ) -> NotificationChannel:
        return NotificationChannel.from_pydantic(
            await notifications.update_channel(info.context.user, id, _given(input))
        )

    @strawberry.mutation(permission_classes=[IsAdmin], description="true once deleted")
    async def delete_notification_channel(self, info: Info, id: int) -> bool:
        await notifications.delete_channel(info.context.user, id)
        return True

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Send a real test delivery and wait for its first attempt"
    )
    async def test_notification_channel(self, info: Info, id: int, message: str | None = None) -> NotificationTest:
        return NotificationTest.from_pydantic(await notifications.send_test(info.context.user, id, message))
