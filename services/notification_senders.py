"""Putting one notification on the wire: a signed JSON webhook, a Slack-compatible message, an e-mail.

Each sender returns a :class:`Sent` (the receiver's answer and the latency) or raises
:class:`SendFailed` carrying whatever answer there was, the error text, whether another
attempt could help (``permanent``) and a ``Retry-After`` hint.  Nothing here touches the
database: :mod:`services.notification_delivery` records the outcome.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import aiosmtplib
import httpx
import orjson

from services import outbound
from services.config import Settings

SIGNATURE_HEADER = "X-PromptOps-Signature"
USER_AGENT = "PromptOps-Notifications/1.0"
_TITLES = {"test": "Test notification", "alert_firing": "Alert firing", "alert_resolved": "Alert resolved"}
_TAGS = {"test": "TEST", "alert_firing": "FIRING", "alert_resolved": "RESOLVED"}
_TEXT_KEYS = ("title", "message")
_RETRYABLE_4XX = {408, 425, 429}


@dataclass
class Message:
    """What is being sent, independent of the channel kind."""

    delivery_id: int
    kind: str
    organization_id: int
    channel_id: int
    channel_name: str
    alert_id: int | None
    created_at: datetime
    event: dict[str, Any]
    attempt: int


@dataclass
class Sent:
    latency_ms: float
    http_status: int | None = None
    smtp_reply: str | None = None
    note: str | None = None  # e.g. recipients an SMTP server refused while accepting others


class SendFailed(Exception):
    def __init__(
        self,
        error: str,
        *,
        permanent: bool = False,
        http_status: int | None = None,
        smtp_reply: str | None = None,
        latency_ms: float | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.permanent = permanent
        self.http_status = http_status
        self.smtp_reply = smtp_reply
        self.latency_ms = latency_ms
        self.retry_after = retry_after


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact request body under the channel's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def summary(message: Message) -> str:
    event = message.event
    title = str(event.get("title") or event.get("rule_name") or _TITLES.get(message.kind, message.kind))
    severity = event.get("severity")
    tag = _TAGS.get(message.kind, message.kind.upper())
    return f"[{tag}{'/' + str(severity).upper() if severity else ''}] {title}"


def detail_fields(event: dict[str, Any]) -> list[tuple[str, str]]:
    """Scalar event fields worth showing to a human, in the event's own order."""
    return [
        (k, str(v))
        for k, v in event.items()
        if k not in _TEXT_KEYS and v is not None and isinstance(v, str | int | float | bool)
    ]


def webhook_body(message: Message) -> bytes:
    """Identical on every attempt, so receivers can deduplicate on ``delivery_id``."""
    return orjson.dumps(
        {
            "delivery_id": message.delivery_id,
            "kind": message.kind,
            "organization_id": message.organization_id,
            "channel": {"id": message.channel_id, "name": message.channel_name},
            "alert_id": message.alert_id,
            "created_at": message.created_at,
            "event": message.event,
        },
        option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC,
    )


def slack_body(message: Message) -> bytes:
    text = summary(message)
    lines = [f"*{text}*"]
    if message.event.get("message"):
        lines.append(str(message.event["message"]))
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}}]
    fields = [{"type": "mrkdwn", "text": f"*{k}*\n{v}"[:2000]} for k, v in detail_fields(message.event)[:10]]
    if fields:
        blocks.append({"type": "section", "fields": fields})
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"PromptOps · {message.channel_name} · delivery {message.delivery_id}"}
            ],
        }
    )
    return orjson.dumps({"text": text, "blocks": blocks})


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after", "").strip()
    if raw.isdigit():
        return float(raw)
    return None


async def post_json(url: str, body: bytes, message: Message, secret: str | None, settings: Settings) -> Sent:
    """POST ``body``; any 2xx is delivered.  Redirects are not followed (a 3xx is a failure)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        await outbound.check_resolved(parts.hostname or "", port, settings.notify_timeout_seconds)
    except outbound.UnsafeDestination as exc:
        raise SendFailed(f"destination refused: {exc}", permanent=True) from None
    except OSError as exc:
        raise SendFailed(str(exc)) from None
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-PromptOps-Delivery": str(message.delivery_id),
        "X-PromptOps-Event": message.kind,
        "X-PromptOps-Attempt": str(message.attempt),
    }
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, body)
    limit = settings.notify_timeout_seconds
    started = time.perf_counter()
    try:
        # httpx times each phase; the outer deadline also bounds a receiver that trickles its answer.
        async with (
            asyncio.timeout(limit),
            httpx.AsyncClient(timeout=limit, follow_redirects=False, trust_env=False) as client,
        ):
            response = await client.post(url, content=body, headers=headers)
    except (httpx.TimeoutException, TimeoutError) as exc:
        elapsed = (time.perf_counter() - started) * 1000
        raise SendFailed(f"timed out after {limit:g}s ({type(exc).__name__})", latency_ms=elapsed) from None
    except httpx.HTTPError as exc:
        elapsed = (time.perf_counter() - started) * 1000
        raise SendFailed(f"{type(exc).__name__}: {exc}", latency_ms=elapsed) from None
    elapsed = (time.perf_counter() - started) * 1000
    if 200 <= response.status_code < 300:
        return Sent(latency_ms=elapsed, http_status=response.status_code)
    snippet = response.text[:300].strip()
    code = response.status_code
    raise SendFailed(
        f"HTTP {code}" + (f": {snippet}" if snippet else ""),
        permanent=400 <= code < 500 and code not in _RETRYABLE_4XX,
        http_status=code,
        latency_ms=elapsed,
        retry_after=_retry_after(response),
    )


def email_message(message: Message, sender: str, recipients: list[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = f"[PromptOps] {summary(message)}"
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = email.utils.formatdate(usegmt=True)
    mail["Message-ID"] = email.utils.make_msgid(idstring=f"delivery-{message.delivery_id}", domain="promptops")
    mail["X-PromptOps-Delivery"] = str(message.delivery_id)
    mail["X-PromptOps-Event"] = message.kind
    lines = [summary(message), ""]
    if message.event.get("message"):
        lines += [str(message.event["message"]), ""]
    lines += [f"{k}: {v}" for k, v in detail_fields(message.event)]
    lines += ["", f"Channel: {message.channel_name} · delivery {message.delivery_id}"]
    mail.set_content("\n".join(lines))
    return mail


@dataclass
class SmtpTarget:
    host: str
    port: int
    sender: str
    recipients: list[str]
    username: str | None
    password: str | None
    starttls: bool | None
    use_tls: bool


async def send_email(target: SmtpTarget, message: Message, settings: Settings) -> Sent:
    """Send over SMTP; a refused message is a failure carrying the server's reply code and text."""
    timeout = settings.notify_timeout_seconds
    try:
        await outbound.check_resolved(target.host, target.port, timeout)
    except outbound.UnsafeDestination as exc:
        raise SendFailed(f"destination refused: {exc}", permanent=True) from None
    except OSError as exc:
        raise SendFailed(str(exc)) from None
    mail = email_message(message, target.sender, target.recipients)
    started = time.perf_counter()
    client = aiosmtplib.SMTP(
        hostname=target.host,
        port=target.port,
        use_tls=target.use_tls,
        start_tls=False if target.use_tls else target.starttls,
        timeout=timeout,
    )
    try:
        async with asyncio.timeout(timeout), client:
            if target.username:
                await client.login(target.username, target.password or "")
            refused, reply = await client.send_message(mail)
    except TimeoutError as exc:
        elapsed = (time.perf_counter() - started) * 1000
        raise SendFailed(f"timed out after {timeout:g}s ({type(exc).__name__})", latency_ms=elapsed) from None
    except aiosmtplib.SMTPRecipientsRefused as exc:
        elapsed = (time.perf_counter() - started) * 1000
        first = exc.recipients[0]
        raise SendFailed(
            "all recipients refused: " + "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients),
            permanent=first.code >= 500,
            smtp_reply=f"{first.code} {first.message}"[:500],
            latency_ms=elapsed,
        ) from None
    except aiosmtplib.SMTPResponseException as exc:
        elapsed = (time.perf_counter() - started) * 1000
        raise SendFailed(
            f"SMTP {exc.code}: {exc.message}",
            permanent=exc.code >= 500,
            smtp_reply=f"{exc.code} {exc.message}"[:500],
            latency_ms=elapsed,
        ) from None
    except (aiosmtplib.SMTPException, OSError) as exc:
        elapsed = (time.perf_counter() - started) * 1000
        raise SendFailed(f"{type(exc).__name__}: {exc}", latency_ms=elapsed) from None
    elapsed = (time.perf_counter() - started) * 1000
    note = None
    if refused:
        note = "refused recipients: " + "; ".join(f"{rcpt}: {r.code} {r.message}" for rcpt, r in refused.items())
    # send_message returns the DATA reply text; reaching here means the server answered 250.
    return Sent(latency_ms=elapsed, smtp_reply=f"250 {reply}"[:500], note=note)
