"""Notification channels of an organization, their deliveries, test sends and alert fan-out.

Channels are managed by admins; every read redacts secrets (the HMAC secret, the SMTP
password, and credentials carried inside URLs).  A delivery is always a row first and a
job second: :func:`send_test` and :func:`notify` write ``queued`` rows and enqueue one
``deliver_notification`` job per row, which records each attempt on the row
(:mod:`services.notifications.delivery`).  Destinations are checked against the outbound
policy (:mod:`services.core.outbound`) when a channel is saved and again before each delivery.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from tortoise.exceptions import IntegrityError

from models.notifications import DELIVERY_KINDS, NotificationChannel, NotificationDelivery
from services.core import job_queue, outbound
from services.core.config import get_settings
from services.core.errors import BadRequest, Conflict, NotFound, ServiceUnavailable
from services.core.pagination import Page
from services.core.redis_client import key
from services.core.validation import SINGLE_LINE, check_storable, validated
from services.identity import Principal, require_admin
from services.notifications.delivery import INTERRUPTED, attempt_timeout_seconds
from services.notifications.schemas import (
    ChannelInfo,
    ChannelType,
    DeliveryInfo,
    TestDispatch,
)

log = logging.getLogger("notifications")

JOB_NAME = "deliver_notification"
REDACTED = "***"
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")


# ---------------------------------------------------------------------------- input shapes


def _email(value: str) -> str:
    value = value.strip()
    if len(value) > 320 or not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not a valid e-mail address")
    return value


EmailAddress = Annotated[str, AfterValidator(_email)]


class UrlConfig(BaseModel):
    """Config of a webhook or Slack-compatible channel."""

    model_config = ConfigDict(extra="forbid")
    url: str = Field(
        min_length=1,
        max_length=outbound.MAX_URL_LENGTH,
        description="http(s) URL the JSON is POSTed to; public addresses only unless OUTBOUND_ALLOW_CIDRS allows it",
    )

    @field_validator("url")
    @classmethod
    def _safe_url(cls, value: str) -> str:
        return outbound.check_url(value)


class EmailConfig(BaseModel):
    """Config of an e-mail channel; server fields default to the SMTP_* settings."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    to: list[EmailAddress] = Field(min_length=1, max_length=50, description="Recipient addresses")
    from_address: EmailAddress | None = Field(default=None, alias="from", description="Sender; default SMTP_FROM")
    host: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="SMTP host; default SMTP_HOST. port, username, password, starttls and allow_plaintext "
        "apply to this host only",
    )
    port: int | None = Field(default=None, ge=1, le=65535, description="SMTP port; default SMTP_PORT")
    username: str | None = Field(default=None, max_length=320)
    password: str | None = Field(default=None, max_length=500, description="Write-only")
    starttls: bool | None = Field(
        default=None, description="null/true: STARTTLS (required unless allow_plaintext); false: never"
    )
    use_tls: bool = Field(default=False, description="Implicit TLS (port 465)")
    allow_plaintext: bool = Field(
        default=False,
        description="Send (and log in) without TLS when the server offers no STARTTLS, or with starttls false",
    )

    @field_validator("host")
    @classmethod
    def _safe_host(cls, value: str | None) -> str | None:
        if value is not None:
            outbound.check_host(value)
            value = value.strip()
        return value


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=200, pattern=SINGLE_LINE)
    type: ChannelType = Field(description="webhook, slack or email")
    config: dict[str, Any] = Field(description='{"url"} for webhook/slack; {"to": [...], SMTP fields?} for email')
    secret: str | None = Field(
        default=None, min_length=8, max_length=500, description="HMAC-SHA256 key for X-PromptOps-Signature (write-only)"
    )
    enabled: bool = True


class ChannelUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=SINGLE_LINE)
    type: ChannelType | None = None
    config: dict[str, Any] | None = Field(
        default=None, description="Merged into the stored config (omit the password to keep it)"
    )
    secret: str | None = Field(default=None, min_length=8, max_length=500, description="null removes the secret")
    enabled: bool | None = None


def _config_for(kind: str, config: Mapping[str, Any], secret: str | None) -> dict[str, Any]:
    """The stored form of a channel config, validated for its kind (400 on any problem)."""
    if kind in ("webhook", "slack"):
        return validated(UrlConfig, config, "config.").model_dump()
    cfg: EmailConfig = validated(EmailConfig, config, "config.")
    if cfg.host is not None and cfg.starttls is False and not cfg.use_tls and not cfg.allow_plaintext:
        raise BadRequest.field(
            "config.starttls",
            "starttls false sends the password and the message in plaintext; set allow_plaintext true as well "
            "(or use STARTTLS or use_tls)",
        )
    settings = get_settings()
    if cfg.host is None and not settings.smtp_host:
        raise BadRequest.field("config.host", "SMTP host is required (no SMTP_HOST default is configured)", "missing")
    if cfg.from_address is None and not settings.smtp_from:
        raise BadRequest.field(
            "config.from", "sender address is required (no SMTP_FROM default is configured)", "missing"
        )
    if secret:
        raise BadRequest.field("secret", "only webhook and slack channels sign their requests")
    return cfg.model_dump(by_alias=True)


# ---------------------------------------------------------------------------- output shapes


def _redact_url(kind: str, url: str) -> str:
    """Hide what works as a credential: Slack's webhook path, userinfo passwords, query values."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
        netloc = f"{parts.username}:{REDACTED}@{host}" + (f":{parts.port}" if parts.port else "")
    path = parts.path
    if kind == "slack":
        segments = [s for s in path.split("/") if s]
        path = "/" + "/".join([*segments[:1], REDACTED]) if segments else path
    query = urlencode([(k, REDACTED) for k, _ in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def redacted_config(kind: str, config: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(config, Mapping):  # only a hand-edited row; deliveries fail on it too
        return {}
    if kind in ("webhook", "slack"):
        return {"url": _redact_url(kind, str(config.get("url", "")))}
    shown = {k: v for k, v in config.items() if k != "password"}
    shown["password_set"] = bool(config.get("password"))
    return shown


def channel_info(row: NotificationChannel) -> ChannelInfo:
    """A stored channel as every read returns it (secrets redacted)."""
    return ChannelInfo(
        id=row.id,
        name=row.name,
        type=row.kind,
        config=redacted_config(row.kind, row.config or {}),
        secret_set=bool(row.secret),
        enabled=row.enabled,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# ---------------------------------------------------------------------------- channels


async def _channel_row(principal: Principal, channel_id: int) -> NotificationChannel:
    row = await NotificationChannel.get_or_none(id=channel_id, organization_id=principal.organization_id)
    if row is None:
        raise NotFound("Notification channel not found")
    return row


async def list_channels(principal: Principal, page: int = 1, page_size: int = 20) -> Page[ChannelInfo]:
    principal = require_admin(principal)
    query = NotificationChannel.filter(organization_id=principal.organization_id)
    total = await query.count()
    rows = await query.order_by("id").offset((page - 1) * page_size).limit(page_size)
    return Page[ChannelInfo].of([channel_info(r) for r in rows], page, page_size, total)


async def get_channel(principal: Principal, channel_id: int) -> ChannelInfo:
    principal = require_admin(principal)
    return channel_info(await _channel_row(principal, channel_id))


async def create_channel(principal: Principal, data: ChannelCreate | Mapping[str, Any]) -> ChannelInfo:
    principal = require_admin(principal)
    body: ChannelCreate = validated(ChannelCreate, data)
    check_storable(body.model_dump())
    config = _config_for(body.type, body.config, body.secret)
    try:
        row = await NotificationChannel.create(
            organization_id=principal.organization_id,
            name=body.name.strip(),
            kind=body.type,
            config=config,
            secret=body.secret,
            enabled=body.enabled,
        )
    except IntegrityError:
        raise Conflict(f"A notification channel named {body.name!r} already exists") from None
    return channel_info(row)


async def update_channel(principal: Principal, channel_id: int, data: ChannelUpdate | Mapping[str, Any]) -> ChannelInfo:
    """Partial update.  ``config`` keys are merged into the stored config unless the type changes."""
    principal = require_admin(principal)
    body: ChannelUpdate = validated(ChannelUpdate, data)
    changes = body.model_dump(exclude_unset=True)
    check_storable(changes)
    row = await _channel_row(principal, channel_id)
    kind = changes.get("type") or row.kind
    if kind != row.kind and "config" not in changes:
        raise BadRequest.field("config", "a new config is required when the type changes", "missing")
    if "config" in changes and changes["config"] is None:
        raise BadRequest.field("config", "config cannot be null")
    secret = changes["secret"] if "secret" in changes else row.secret
    if "config" in changes or "secret" in changes or kind != row.kind:
        base = dict(row.config or {}) if kind == row.kind else {}
        merged = {**base, **(changes.get("config") or {})}
        row.config = _config_for(kind, merged, secret)
    row.kind = kind
    row.secret = secret
    if changes.get("name") is not None:
        row.name = changes["name"].strip()
    if changes.get("enabled") is not None:
        row.enabled = changes["enabled"]
    try:
        await row.save()
    except IntegrityError:
        raise Conflict(f"A notification channel named {row.name!r} already exists") from None
    return channel_info(row)


async def delete_channel(principal: Principal, channel_id: int) -> None:
    """Deletes the channel and its delivery history; queued jobs then find nothing to send."""
    principal = require_admin(principal)
    row = await _channel_row(principal, channel_id)
    await row.delete()


# ---------------------------------------------------------------------------- deliveries


async def get_delivery(principal: Principal, delivery_id: int) -> DeliveryInfo:
    principal = require_admin(principal)
    row = await NotificationDelivery.get_or_none(id=delivery_id, organization_id=principal.organization_id)
    if row is None:
        raise NotFound("Notification delivery not found")
    return DeliveryInfo.model_validate(row, from_attributes=True)


async def list_deliveries(
    principal: Principal,
    *,
    channel_id: int | None = None,
    alert_id: int | None = None,
    status: str | None = None,
    kind: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[DeliveryInfo]:
    """Deliveries of the organization (or of one of its channels), newest first."""
    principal = require_admin(principal)
    query = NotificationDelivery.filter(organization_id=principal.organization_id)
    if channel_id is not None:
        await _channel_row(principal, channel_id)
        query = query.filter(channel_id=channel_id)
    if alert_id is not None:
        query = query.filter(alert_id=alert_id)
    if status is not None:
        query = query.filter(status=status)
    if kind is not None:
        query = query.filter(kind=kind)
    total = await query.count()
    rows = await query.order_by("-id").offset((page - 1) * page_size).limit(page_size)
    return Page[DeliveryInfo].of(
        [DeliveryInfo.model_validate(r, from_attributes=True) for r in rows], page, page_size, total
    )


def job_id_for(delivery_id: int) -> str:
    """Unique across deployments sharing a Redis: arq job keys are not namespaced by queue."""
    return key("notify", delivery_id)


async def _enqueue(rows: list[NotificationDelivery]) -> None:
    """One job per row (deterministic job id, so a repeated enqueue is a no-op)."""
    if not rows:
        return
    try:
        redis = await job_queue.pool()
    except Exception as exc:
        await _mark_unqueued(rows, exc)
        raise ServiceUnavailable("The job queue is unavailable; try again shortly", retry_after=5) from None
    try:
        for row in rows:
            await redis.enqueue_job(JOB_NAME, row.id, _job_id=row.job_id)
    except Exception as exc:
        await _mark_unqueued(rows, exc)
        raise ServiceUnavailable("The job queue is unavailable; try again shortly", retry_after=5) from None
    finally:
        await redis.aclose()


async def _mark_unqueued(rows: list[NotificationDelivery], exc: Exception) -> None:
    log.warning("could not enqueue %d notification deliveries: %r", len(rows), exc)
    await NotificationDelivery.filter(id__in=[r.id for r in rows], attempts=0, status="queued").update(
        status="failed", error="could not enqueue the delivery job"
    )


async def _new_delivery(
    organization_id: int,
    channel_id: int,
    kind: str,
    payload: dict[str, Any],
    alert_id: int | None,
    dedupe_key: str | None,
) -> NotificationDelivery | None:
    """Insert a queued delivery with its job id; ``None`` if ``dedupe_key`` was already used."""
    try:
        row = await NotificationDelivery.create(
            organization_id=organization_id,
            channel_id=channel_id,
            kind=kind,
            payload=payload,
            alert_id=alert_id,
            dedupe_key=dedupe_key,
        )
    except IntegrityError:
        if dedupe_key is None:
            raise
        return None
    row.job_id = job_id_for(row.id)
    await NotificationDelivery.filter(id=row.id).update(job_id=row.job_id)
    return row


def attempt_ended(row: NotificationDelivery) -> bool:
    """Whether at least one attempt at ``row`` has finished (final, or queued again for a retry)."""
    return row.status in ("delivered", "failed") or (row.status == "queued" and row.attempts > 0)


async def _await_attempt(row: NotificationDelivery, seconds: float) -> NotificationDelivery:
    """``row`` re-read until an attempt has ended or ``seconds`` passed (polls the row, the record of truth)."""
    deadline = time.monotonic() + seconds
    pause = 0.05
    while True:
        current = await NotificationDelivery.get_or_none(id=row.id)
        if current is None:  # the channel was deleted meanwhile
            return row
        remaining = deadline - time.monotonic()
        if attempt_ended(current) or remaining <= 0:
            return current
        await asyncio.sleep(min(pause, remaining))
        pause = min(pause * 1.5, 0.5)


TEST_WAIT_GRACE_SECONDS = 2.0  # queue pick-up and the row update, on top of one attempt's NOTIFY_TIMEOUT_SECONDS


async def send_test(
    principal: Principal, channel_id: int, message: str | None = None, *, wait_seconds: float | None = None
) -> TestDispatch:
    """Queue a real test notification to one channel (enabled or not); returns the job and delivery ids.

    Waits up to ``wait_seconds`` (default: one attempt's ``NOTIFY_TIMEOUT_SECONDS`` plus
    ``TEST_WAIT_GRACE_SECONDS`` for queue pick-up; 0: do not wait) for the worker's first attempt
    and returns the delivery as it then stands (``completed`` says whether an attempt ended).
    """
    if wait_seconds is None:
        wait_seconds = get_settings().notify_timeout_seconds + TEST_WAIT_GRACE_SECONDS
    principal = require_admin(principal)
    channel = await _channel_row(principal, channel_id)
    payload = {
        "title": f"Test notification for {channel.name}",
        "message": message or "This is a test notification from PromptOps Analytics.",
        "requested_by_user_id": principal.user_id,
        "requested_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }
    row = await _new_delivery(principal.organization_id, channel.id, "test", payload, None, None)
    assert row is not None
    await _enqueue([row])
    completed = False
    if wait_seconds > 0:
        row = await _await_attempt(row, wait_seconds)
        completed = attempt_ended(row)
    return TestDispatch(
        job_id=row.job_id or "",
        delivery_id=row.id,
        delivery=DeliveryInfo.model_validate(row, from_attributes=True),
        completed=completed,
    )


MAX_EVENT_BYTES = 64 * 1024


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot serialize {type(value).__name__}")


def _plain_json(event: dict[str, Any]) -> dict[str, Any]:
    """The event as stored and sent: datetimes as ISO 8601 Z, Decimals as floats; bounded in size."""
    try:
        raw = orjson.dumps(
            event, default=_json_default, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS
        )
    except TypeError as exc:
        raise ValueError(f"event is not JSON-serializable: {exc}") from None
    if len(raw) > MAX_EVENT_BYTES:
        raise ValueError(f"event is {len(raw)} bytes; at most {MAX_EVENT_BYTES} are sent")
    checked: dict[str, Any] = orjson.loads(raw)
    return checked


async def notify(
    organization_id: int,
    channel_ids: Iterable[int],
    event: dict[str, Any],
    kind: str,
    alert_id: int | None = None,
    *,
    dedupe_key: str | None = None,
) -> list[DeliveryInfo]:
    """Fan an alert event out to channels: one queued delivery + one delivery job per channel.

    Called by the alert engine (no principal: it acts for the organization that owns the
    rule).  ``channel_ids`` not belonging to ``organization_id``, unknown or disabled are
    skipped (logged), so a rule pointing at a deleted channel still notifies the others.
    ``event`` is any JSON object; ``title``, ``message`` and ``severity`` are used for the
    human-readable Slack/e-mail text, every other scalar is listed as a field, and
    webhooks receive it whole under ``"event"``.  With ``dedupe_key`` (e.g.
    ``"alert:42:firing:1"``), a channel that already has a delivery with that key is skipped,
    so a retried alert evaluation does not notify twice.  Returns the new deliveries.
    """
    if kind not in DELIVERY_KINDS:
        raise ValueError(f"kind must be one of {', '.join(DELIVERY_KINDS)}, got {kind!r}")
    if not isinstance(event, dict):
        raise ValueError("event must be a JSON object (dict)")
    event = _plain_json(event)
    wanted = sorted({int(c) for c in channel_ids})
    if not wanted:
        return []
    channels = await NotificationChannel.filter(organization_id=organization_id, id__in=wanted, enabled=True).only("id")
    usable = sorted(c.id for c in channels)
    if skipped := sorted(set(wanted) - set(usable)):
        log.info("notify org=%s alert=%s: skipping unknown or disabled channels %s", organization_id, alert_id, skipped)
    rows: list[NotificationDelivery] = []
    for channel_id in usable:
        row = await _new_delivery(organization_id, channel_id, kind, event, alert_id, dedupe_key)
        if row is not None:
            rows.append(row)
    await _enqueue(rows)
    return [DeliveryInfo.model_validate(r, from_attributes=True) for r in rows]


STALE_QUEUED = timedelta(seconds=10)


async def requeue_stale(now: datetime) -> int:
    """Queue the jobs of deliveries that no job will attempt; returns how many.

    * Left ``queued`` with no attempt for ``STALE_QUEUED``: :func:`notify` writes the row, then
      enqueues its job, and a process killed in between (tests/faults/test_worker_kill.py) left a
      delivery nothing would ever attempt.
    * Left ``delivering`` past its job's timeout: see :func:`_end_interrupted_attempts`.
    * ``queued`` for another attempt and overdue by ``STALE_QUEUED``: the job of an interrupted
      attempt that could not be queued (Redis was down), or one lost with Redis's data.

    Job ids are the rows' own, and arq does not queue an id it already holds (waiting, running or
    finished), so this is a no-op for every delivery whose job exists; a finished job's kept result
    is dropped first for a retry, since the row, not arq, says an attempt is due.
    """
    rows = await NotificationDelivery.filter(status="queued", attempts=0, created_at__lt=now - STALE_QUEUED)
    for row in rows:
        if not row.job_id:  # killed between the row and its job id
            row.job_id = job_id_for(row.id)
            await NotificationDelivery.filter(id=row.id).update(job_id=row.job_id)
    ended = await _end_interrupted_attempts(now)
    overdue = await NotificationDelivery.filter(
        status="queued", attempts__gt=0, next_attempt_at__lt=now - STALE_QUEUED, job_id__isnull=False
    )
    retries = list({r.id: r for r in [*ended, *overdue]}.values())
    if retries:
        await job_queue.forget_results([r.job_id for r in retries if r.job_id])
    await _enqueue([*rows, *retries])
    return len(rows) + len(retries)


async def _end_interrupted_attempts(now: datetime) -> list[NotificationDelivery]:
    """End the attempts left ``delivering`` past their job's timeout; returns those to try again.

    arq cancels a delivery job at its timeout (``delivery.attempt_timeout_seconds``): no outcome is
    written, and arq does not run the job again, so the row stayed ``delivering`` for good.  Such an
    attempt counts as failed: the next one is due now or, after the last, the delivery fails.  A
    worker killed mid-attempt leaves the same row, but its job is still queued
    (``job_queue.release_stalled`` gives it back), so queuing it again is a no-op.
    """
    settings = get_settings()
    cutoff = now - timedelta(seconds=attempt_timeout_seconds(settings)) - STALE_QUEUED
    stuck = NotificationDelivery.filter(status="delivering", updated_at__lt=cutoff)
    last = settings.notify_max_attempts
    await stuck.filter(attempts__gte=last).update(
        status="failed", error=INTERRUPTED, next_attempt_at=None, updated_at=now
    )
    again = await stuck.filter(attempts__lt=last)
    if again:  # still delivering and as old as read: an attempt that ended meanwhile is not touched
        await NotificationDelivery.filter(
            id__in=[r.id for r in again], status="delivering", updated_at__lt=cutoff
        ).update(status="queued", error=INTERRUPTED, next_attempt_at=now, updated_at=now)
        log.warning("%d delivery attempts were cut off by their job's timeout; trying again", len(again))
    return again
