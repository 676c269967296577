"""Notification channels (webhook, Slack-compatible, e-mail), test sends and delivery records.

All under ``/admin/monitoring-alerts/monitoring/notifications`` and its ``/v1`` twin; admin role.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.routing import Call, Ok, Router, both
from services import notifications
from services.core.pagination import Page
from services.identity import Role
from services.notifications import (
    ChannelCreate,
    ChannelInfo,
    ChannelUpdate,
    DeliveryInfo,
    DeliveryKind,
    DeliveryStatus,
    TestDispatch,
)

router = Router("Notifications")
BASE = "/admin/monitoring-alerts/monitoring/notifications"


class ChannelPage(Page[ChannelInfo]):
    pass


class DeliveryPage(Page[DeliveryInfo]):
    pass


class PageQuery(BaseModel):
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=20, ge=1, le=100)


class DeliveryQuery(PageQuery):
    status: DeliveryStatus | None = None
    kind: DeliveryKind | None = None


class AllDeliveriesQuery(DeliveryQuery):
    channel_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    alert_id: int | None = Field(default=None, ge=1, le=2_147_483_647)


class ChannelPath(BaseModel):
    channel_id: int = Field(ge=1, le=2_147_483_647)


class DeliveryPath(BaseModel):
    delivery_id: int = Field(ge=1, le=9_223_372_036_854_775_807)


class TestBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    message: str | None = Field(default=None, max_length=2000, description="Text of the test notification")


@router.get(
    *both(BASE),
    summary="Get Notification Channels",
    role=Role.ADMIN,
    query_model=PageQuery,
    response_model=ChannelPage,
    description="Notification channels of the caller's organization; secrets, SMTP passwords and credentials "
    "inside URLs are redacted (`secret_set`, `config.password_set` say whether one is stored).",
)
async def list_notification_channels(call: Call[PageQuery, None]) -> Ok:
    page = await notifications.list_channels(call.user, call.query.page, call.query.page_size)
    return Ok(page, "Notification channels retrieved successfully")


@router.post(
    *both(BASE),
    summary="Create a notification channel",
    role=Role.ADMIN,
    status=201,
    body_model=ChannelCreate,
    response_model=ChannelInfo,
    responses={409: "A channel with this name exists"},
    description='`{"name", "type": "webhook"|"slack"|"email", "config": {"url"} | {"to": [email], "host"?, '
    '"port"?, "from"?, "username"?, "password"?, "starttls"?, "use_tls"?, "allow_plaintext"?}, "secret"?, '
    '"enabled"?}`. URLs and SMTP hosts must be unambiguous and public: loopback, private, link-local, CGNAT, '
    "multicast, documentation, reserved and cloud metadata addresses are refused (400 naming the field) unless "
    "the operator allows the network in `OUTBOUND_ALLOW_CIDRS`; every resolved address is checked again before "
    "each delivery. E-mail requires TLS (STARTTLS or `use_tls`) unless `allow_plaintext` is true.",
)
async def create_notification_channel(call: Call[None, ChannelCreate]) -> Ok:
    return Ok(await notifications.create_channel(call.user, call.body), "Notification channel created", 201)


@router.get(
    *both(BASE + "/deliveries"),
    summary="List notification deliveries",
    role=Role.ADMIN,
    query_model=AllDeliveriesQuery,
    response_model=DeliveryPage,
    description="Deliveries of the organization, newest first; filter by channel, alert, status or kind.",
)
async def list_notification_deliveries(call: Call[AllDeliveriesQuery, None]) -> Ok:
    q = call.query
    page = await notifications.list_deliveries(
        call.user,
        channel_id=q.channel_id,
        alert_id=q.alert_id,
        status=q.status,
        kind=q.kind,
        page=q.page,
        page_size=q.page_size,
    )
    return Ok(page, "Notification deliveries retrieved successfully")


@router.get(
    *both(BASE + "/deliveries/{delivery_id}"),
    summary="Get a notification delivery",
    role=Role.ADMIN,
    path_model=DeliveryPath,
    response_model=DeliveryInfo,
)
async def get_notification_delivery(call: Call[None, None]) -> Ok:
    delivery = await notifications.get_delivery(call.user, call.path.delivery_id)
    return Ok(delivery, "Notification delivery retrieved successfully")


@router.get(
    *both(BASE + "/{channel_id}"),
    summary="Get a notification channel",
    role=Role.ADMIN,
    path_model=ChannelPath,
    response_model=ChannelInfo,
)
async def get_notification_channel(call: Call[None, None]) -> Ok:
    channel = await notifications.get_channel(call.user, call.path.channel_id)
    return Ok(channel, "Notification channel retrieved successfully")


@router.patch(
    *both(BASE + "/{channel_id}"),
    summary="Update a notification channel",
    role=Role.ADMIN,
    path_model=ChannelPath,
    body_model=ChannelUpdate,
    response_model=ChannelInfo,
    responses={409: "A channel with this name exists"},
    description="Partial update. `config` is merged into the stored config (omit `password` to keep it); "
    "a new `type` needs a whole new `config`; `secret: null` removes the secret.",
)
async def update_notification_channel(call: Call[None, ChannelUpdate]) -> Ok:
    channel = await notifications.update_channel(call.user, call.path.channel_id, call.body)
    return Ok(channel, "Notification channel updated")


@router.delete(
    *both(BASE + "/{channel_id}"),
    summary="Delete a notification channel and its deliveries",
    role=Role.ADMIN,
    status=204,
    path_model=ChannelPath,
)
async def delete_notification_channel(call: Call[None, None]) -> Response:
    await notifications.delete_channel(call.user, call.path.channel_id)
    return Response(status_code=204)


@router.get(
    *both(BASE + "/{channel_id}/deliveries"),
    summary="List a channel's deliveries (newest first)",
    role=Role.ADMIN,
    path_model=ChannelPath,
    query_model=DeliveryQuery,
    response_model=DeliveryPage,
)
async def list_channel_deliveries(call: Call[DeliveryQuery, None]) -> Ok:
    q = call.query
    page = await notifications.list_deliveries(
        call.user, channel_id=call.path.channel_id, status=q.status, kind=q.kind, page=q.page, page_size=q.page_size
    )
    return Ok(page, "Notification deliveries retrieved successfully")


_TEST_MESSAGES = {
    "delivered": "Test notification delivered",
    "failed": "Test notification failed",
    "queued": "Test notification attempt failed; a retry is scheduled",
}


@router.post(
    *both(BASE + "/{channel_id}/test"),
    summary="Test Notification Channel",
    role=Role.ADMIN,
    path_model=ChannelPath,
    body_model=TestBody,
    body_required=False,
    response_model=TestDispatch,
    responses={503: "Job queue unavailable"},
    description="Enqueues a job that really sends a test notification through the channel, waits for its first "
    "attempt (at most `NOTIFY_TIMEOUT_SECONDS` + 2 s) and answers **200** with the delivery's outcome "
    "(`delivery.status` delivered or failed with `http_status` or `smtp_reply`, `latency_ms`, `error`; or "
    "queued with `next_attempt_at` when a retry is scheduled; `completed: true`). When no worker finished an "
    "attempt in that time it answers **202** with the queued delivery (`completed: false`): read it back by "
    "id. Body optional.",
)
async def test_notification_channel(call: Call[None, TestBody]) -> Ok:
    """Answer with the test's outcome: 200 once the first attempt ended, else 202 (still queued).

    The seed documents 200 for this route, so the handler waits, bounded by one attempt's
    timeout plus a grace for queue pick-up, for the worker to record the first attempt.
    A 202 remains for the case where no worker got to it in time (none running, a long
    queue): the job is queued and will run, so claiming a result would be wrong.
    """
    dispatch = await notifications.send_test(call.user, call.path.channel_id, call.body.message)
    if not dispatch.completed:
        return Ok(dispatch, "Test notification queued", 202)
    return Ok(dispatch, _TEST_MESSAGES.get(dispatch.delivery.status, "Test notification sent"))
