"""One delivery attempt: claim the row, send through its channel, record the outcome, decide on a retry.

Run by the ``deliver_notification`` job.  The row is the source of truth for the attempt
count (not arq's ``job_try``), so a worker crash mid-attempt still counts that attempt.
Backoff is exponential: ``NOTIFY_BACKOFF_SECONDS * 2**(attempts-1)``, at least the
receiver's ``Retry-After``, at most ``NOTIFY_BACKOFF_MAX_SECONDS``.  After
``NOTIFY_MAX_ATTEMPTS`` attempts, or on a failure another attempt cannot fix (a refused
destination, a 4xx, an SMTP 5xx, a channel config that cannot be sent to), the delivery is
``failed`` with the last error.  Whatever a sender raises, the attempt ends recorded: an
unexpected exception is logged with its traceback and stored as a generic final failure,
so no row is left ``delivering``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from models.notifications import NotificationChannel, NotificationDelivery
from services.core.config import Settings, get_settings
from services.notifications import senders

log = logging.getLogger("notifications.delivery")
FINAL = ("delivered", "failed")


@dataclass
class AttemptOutcome:
    delivery_id: int
    status: str  # delivered | failed | queued (a retry is due) | missing
    attempts: int
    retry_in_seconds: float | None = None


def attempt_timeout_seconds(settings: Settings) -> float:
    """How long one attempt's job may run before arq cancels it: three sends' worth of the
    per-send timeout (connect, TLS, each reply) and 30 s more.  A send slower than all its own
    timeouts is rare (an SMTP server dripping each reply, a name that never resolves); the alert
    cycle's sweep (``channels.requeue_stale``) then counts the attempt as failed."""
    return 3 * settings.notify_timeout_seconds + 30


def backoff_seconds(attempts: int, settings: Settings, retry_after: float | None = None) -> float:
    delay = settings.notify_backoff_seconds * (2.0 ** max(0, attempts - 1))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, settings.notify_backoff_max_seconds)


INTERNAL_ERROR = "internal error while sending"
INTERRUPTED = "the attempt did not finish: its job was cancelled at its timeout"
INVALID_CONFIG = "channel configuration is invalid"


def _config(channel: NotificationChannel) -> dict[str, Any]:
    cfg = channel.config
    if cfg is None:
        return {}
    if not isinstance(cfg, dict):
        raise senders.SendFailed(INVALID_CONFIG, permanent=True)
    return cfg


def _smtp_target(channel: NotificationChannel, settings: Settings) -> senders.SmtpTarget:
    """The channel's own server when it names a host, else the SMTP_* settings.

    Port, credentials, STARTTLS mode and ``allow_plaintext`` of a channel apply to its own
    host only: a channel on the operator's server cannot point it at another port or
    weaken its TLS (``SMTP_STARTTLS`` / ``SMTP_ALLOW_PLAINTEXT`` decide there).  The
    operator's ``SMTP_HOST`` is trusted configuration and not subject to the outbound policy.
    """
    cfg = _config(channel)
    own = bool(cfg.get("host"))
    host = cfg.get("host") if own else settings.smtp_host
    sender = cfg.get("from") or settings.smtp_from
    if not host or not sender:
        raise senders.SendFailed("channel has no SMTP host or sender (and no SMTP_* default)", permanent=True)
    recipients = cfg.get("to")
    if not isinstance(recipients, list) or not recipients:
        raise senders.SendFailed(INVALID_CONFIG, permanent=True)
    port = cfg.get("port") if own and cfg.get("port") is not None else settings.smtp_port
    starttls = cfg.get("starttls") if own else settings.smtp_starttls
    fields = (host, sender, *recipients)
    if (
        not all(isinstance(v, str) for v in fields)
        or isinstance(port, bool)
        or not isinstance(port, int)
        or not 1 <= port <= 65535
        or starttls not in (True, False, None)
    ):
        raise senders.SendFailed(INVALID_CONFIG, permanent=True)
    return senders.SmtpTarget(
        host=host,
        port=port,
        sender=sender,
        recipients=list(recipients),
        username=cfg.get("username") if own else settings.smtp_username,
        password=cfg.get("password") if own else settings.smtp_password,
        starttls=starttls,
        use_tls=cfg.get("use_tls") is True,
        allow_plaintext=(cfg.get("allow_plaintext") is True) if own else settings.smtp_allow_plaintext,
        checked=own,
    )


async def _send(channel: NotificationChannel, row: NotificationDelivery, settings: Settings) -> senders.Sent:
    message = senders.Message(
        delivery_id=row.id,
        kind=row.kind,
        organization_id=row.organization_id,
        channel_id=channel.id,
        channel_name=channel.name,
        alert_id=row.alert_id,
        created_at=row.created_at,
        event=row.payload or {},
        attempt=row.attempts,
    )
    if channel.kind in ("webhook", "slack"):
        url = _config(channel).get("url")
        if not isinstance(url, str) or not url:
            raise senders.SendFailed(INVALID_CONFIG, permanent=True)
        body = senders.webhook_body(message) if channel.kind == "webhook" else senders.slack_body(message)
        return await senders.post_json(url, body, message, channel.secret, settings)
    if channel.kind == "email":
        return await senders.send_email(_smtp_target(channel, settings), message, settings)
    raise senders.SendFailed(f"unknown channel type {channel.kind!r}", permanent=True)


async def attempt(delivery_id: int, settings: Settings | None = None) -> AttemptOutcome:
    """Make one attempt at ``delivery_id`` unless it is already final or gone."""
    settings = settings or get_settings()
    row = await NotificationDelivery.get_or_none(id=delivery_id).select_related("channel")
    if row is None:
        return AttemptOutcome(delivery_id, "missing", 0)
    if row.status in FINAL:
        return AttemptOutcome(delivery_id, row.status, row.attempts)
    row.attempts += 1
    await NotificationDelivery.filter(id=row.id).update(
        status="delivering", attempts=row.attempts, next_attempt_at=None, updated_at=datetime.now(UTC)
    )
    channel: NotificationChannel = row.channel
    try:
        if not channel.enabled and row.kind != "test":
            raise senders.SendFailed("channel is disabled", permanent=True)
        try:
            sent = await _send(channel, row, settings)
        except senders.SendFailed:
            raise
        except Exception:
            log.exception("delivery %s attempt %s: the sender raised", row.id, row.attempts)
            raise senders.SendFailed(INTERNAL_ERROR, permanent=True) from None
    except senders.SendFailed as failure:
        final = failure.permanent or row.attempts >= settings.notify_max_attempts
        delay = None if final else backoff_seconds(row.attempts, settings, failure.retry_after)
        now = datetime.now(UTC)
        await NotificationDelivery.filter(id=row.id).update(
            status="failed" if final else "queued",
            http_status=failure.http_status,
            smtp_reply=failure.smtp_reply,
            latency_ms=failure.latency_ms,
            error=failure.error[:2000],
            next_attempt_at=None if delay is None else now + timedelta(seconds=delay),
            updated_at=now,
        )
        log.info("delivery %s attempt %s failed (%s): %s", row.id, row.attempts, "final" if final else "retry", failure)
        return AttemptOutcome(row.id, "failed" if final else "queued", row.attempts, delay)
    now = datetime.now(UTC)
    await NotificationDelivery.filter(id=row.id).update(
        status="delivered",
        http_status=sent.http_status,
        smtp_reply=sent.smtp_reply,
        latency_ms=round(sent.latency_ms, 3),
        error=sent.note,
        delivered_at=now,
        updated_at=now,
    )
    return AttemptOutcome(row.id, "delivered", row.attempts)
