"""Putting one notification on the wire: a signed JSON webhook, a Slack-compatible message, an e-mail.

Each sender returns a :class:`Sent` (the receiver's answer and the latency) or raises
:class:`SendFailed` carrying whatever answer there was, the error text, whether another
attempt could help (``permanent``) and a ``Retry-After`` hint.  Nothing here touches the
database: :mod:`services.notifications.delivery` records the outcome.

Destinations go through :mod:`services.core.outbound` (resolved, checked, connection pinned to a
checked address).  Error texts are generic on purpose (``connection failed``, ``TLS handshake
failed``, ``timed out after 10s``, ``HTTP 503``, the outbound policy's refusal): exception
text and response bodies would let an admin map hosts and ports through delivery records.
Only well-formed SMTP replies (code and text) are kept, since they are the receiver's answer.
E-mail is encrypted before AUTH (implicit TLS or STARTTLS) unless plaintext is allowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import hashlib
import hmac
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import httpx
import orjson

from services.core import outbound
from services.core.config import Settings

SIGNATURE_HEADER = "X-PromptOps-Signature"
USER_AGENT = "PromptOps-Notifications/1.0"
_TITLES = {"test": "Test notification", "alert_firing": "Alert firing", "alert_resolved": "Alert resolved"}
_TAGS = {"test": "TEST", "alert_firing": "FIRING", "alert_resolved": "RESOLVED"}
_TEXT_KEYS = ("title", "message")
_RETRYABLE_4XX = {408, 425, 429}
NO_TLS_OFFERED = "TLS required: the SMTP server does not offer STARTTLS (plaintext is not allowed for this channel)"
NO_TLS_DISABLED = "TLS required: STARTTLS is turned off and plaintext is not allowed for this channel"
log = logging.getLogger("notifications.senders")


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


def _elapsed(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _tls_failure(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) is a TLS handshake / certificate failure."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _timed_out(limit: float, started: float) -> SendFailed:
    return SendFailed(f"timed out after {limit:g}s", latency_ms=_elapsed(started))


async def post_json(url: str, body: bytes, message: Message, secret: str | None, settings: Settings) -> Sent:
    """POST ``body``; any 2xx is delivered.  Redirects are not followed (a 3xx is a failure).

    The host is resolved and checked by :mod:`services.core.outbound`, and the request goes to
    one of exactly those addresses (the ``Host`` header and the TLS name stay the URL's).
    Errors are generic (``connection failed``, ``HTTP 503``): neither exception text nor
    the receiver's body is stored, so a delivery cannot be used to read or map other hosts.
    The whole attempt (DNS, connect, response) is bounded by ``NOTIFY_TIMEOUT_SECONDS``.
    """
    limit = settings.notify_timeout_seconds
    try:
        target = httpx.URL(outbound.check_url(url, settings))
    except outbound.UnsafeDestination as exc:
        log.warning("delivery %s: %s", message.delivery_id, exc)
        raise SendFailed(outbound.REFUSED, permanent=True) from None
    except (ValueError, httpx.InvalidURL, TypeError):
        raise SendFailed("invalid destination URL", permanent=True) from None
    host = target.raw_host.decode("ascii")
    port = target.port or (443 if target.scheme == "https" else 80)
    headers = {
        "Host": target.netloc.decode("ascii"),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-PromptOps-Delivery": str(message.delivery_id),
        "X-PromptOps-Event": message.kind,
        "X-PromptOps-Attempt": str(message.attempt),
    }
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, body)
    started = time.perf_counter()
    try:
        # httpx times each phase; the outer deadline also bounds DNS and a receiver that trickles its answer.
        async with (
            asyncio.timeout(limit),
            httpx.AsyncClient(timeout=limit, follow_redirects=False, trust_env=False) as client,
        ):
            addresses = await outbound.resolve(host, port, settings)
            for n, address in enumerate(addresses, 1):
                try:
                    response = await client.post(
                        target.copy_with(host=str(address)),
                        content=body,
                        headers=headers,
                        extensions={"sni_hostname": host},
                    )
                    break
                except httpx.ConnectError:
                    if n == len(addresses):
                        raise
    except outbound.UnsafeDestination as exc:
        log.warning("delivery %s refused: %s", message.delivery_id, exc)
        raise SendFailed(outbound.REFUSED, permanent=True) from None
    except outbound.Unresolvable:
        raise SendFailed(outbound.UNRESOLVABLE, latency_ms=_elapsed(started)) from None
    except (ValueError, httpx.InvalidURL):
        raise SendFailed("invalid destination URL", permanent=True) from None
    except (httpx.TimeoutException, TimeoutError):
        raise _timed_out(limit, started) from None
    except httpx.HTTPError as exc:
        log.info("delivery %s: %s %r", message.delivery_id, host, exc)
        error = "TLS handshake failed" if _tls_failure(exc) else "connection failed"
        raise SendFailed(error, latency_ms=_elapsed(started)) from None
    elapsed = _elapsed(started)
    code = response.status_code
    if 200 <= code < 300:
        return Sent(latency_ms=elapsed, http_status=code)
    raise SendFailed(
        f"HTTP {code}",
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
    starttls: bool | None  # None: STARTTLS when offered (required unless allow_plaintext)
    use_tls: bool
    allow_plaintext: bool = False
    checked: bool = True  # admin input: resolved and pinned under the outbound policy (False: the operator's SMTP_HOST)


async def _pinned_socket(target: SmtpTarget, settings: Settings) -> socket.socket:
    """A TCP connection to one of the checked addresses of ``target.host``."""
    addresses = await outbound.resolve(target.host, target.port, settings)
    loop = asyncio.get_running_loop()
    for n, address in enumerate(addresses, 1):
        family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, (str(address), target.port))
            return sock
        except OSError:
            sock.close()
            if n == len(addresses):
                raise
        except BaseException:
            sock.close()
            raise
    raise OSError("no address to connect to")


def _smtp_reply(exc: aiosmtplib.SMTPResponseException) -> str | None:
    """``"550 5.1.1 No such user"`` for a well-formed SMTP reply, else None (not shown)."""
    if not 200 <= exc.code <= 599:
        return None
    return f"{exc.code} {exc.message}"[:500]


async def _open_smtp(target: SmtpTarget, settings: Settings) -> aiosmtplib.SMTP:
    """Connect, and secure the session before anything else is said: implicit TLS or STARTTLS.

    Without ``allow_plaintext`` the connection must be encrypted before AUTH and the
    message: a server that offers no STARTTLS (or ``starttls: false``) ends the delivery.
    """
    timeout = settings.notify_timeout_seconds
    if not target.use_tls and target.starttls is False and not target.allow_plaintext:
        raise SendFailed(NO_TLS_DISABLED, permanent=True)
    if target.checked:
        host = outbound.normalize_host(target.host)
        sock = await _pinned_socket(target, settings)
        client = aiosmtplib.SMTP(hostname=host, sock=sock, use_tls=target.use_tls, start_tls=False, timeout=timeout)
    else:
        sock = None
        client = aiosmtplib.SMTP(
            hostname=target.host, port=target.port, use_tls=target.use_tls, start_tls=False, timeout=timeout
        )
    try:
        await client.connect()
        if not target.use_tls and target.starttls is not False:
            await client.ehlo()
            if client.supports_extension("starttls"):
                await client.starttls()
            elif not target.allow_plaintext:
                raise SendFailed(NO_TLS_OFFERED, permanent=True)
    except BaseException:
        client.close()
        if sock is not None:
            sock.close()
        raise
    return client


async def send_email(target: SmtpTarget, message: Message, settings: Settings) -> Sent:
    """Send over SMTP; a refused message is a failure carrying the server's reply code and text.

    Connection-level problems are stored as generic text (``connection failed``, ``TLS
    handshake failed``, ``timed out after 10s``); only well-formed SMTP replies are kept.
    """
    timeout = settings.notify_timeout_seconds
    mail = email_message(message, target.sender, target.recipients)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            client = await _open_smtp(target, settings)
            try:
                if target.username:
                    await client.login(target.username, target.password or "")
                refused, reply = await client.send_message(mail)
            except BaseException:
                client.close()
                raise
            with contextlib.suppress(Exception):
                await client.quit()
    except SendFailed as failure:
        failure.latency_ms = _elapsed(started)
        raise
    except outbound.UnsafeDestination as exc:
        log.warning("delivery %s refused: %s", message.delivery_id, exc)
        raise SendFailed(outbound.REFUSED, permanent=True) from None
    except outbound.Unresolvable:
        raise SendFailed(outbound.UNRESOLVABLE, latency_ms=_elapsed(started)) from None
    except ssl.SSLError:  # before ValueError: a certificate verification error is both
        raise SendFailed("TLS handshake failed", latency_ms=_elapsed(started)) from None
    except ValueError:
        raise SendFailed("invalid SMTP destination", permanent=True) from None
    except (TimeoutError, aiosmtplib.SMTPTimeoutError):
        raise _timed_out(timeout, started) from None
    except aiosmtplib.SMTPRecipientsRefused as exc:
        first = exc.recipients[0]
        raise SendFailed(
            "all recipients refused: " + "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients),
            permanent=first.code >= 500,
            smtp_reply=_smtp_reply(first),
            latency_ms=_elapsed(started),
        ) from None
    except aiosmtplib.SMTPResponseException as exc:
        response = _smtp_reply(exc)
        if response is None:
            log.info("delivery %s: %s:%s %r", message.delivery_id, target.host, target.port, exc)
            raise SendFailed("connection failed", latency_ms=_elapsed(started)) from None
        raise SendFailed(
            f"SMTP {response}", permanent=exc.code >= 500, smtp_reply=response, latency_ms=_elapsed(started)
        ) from None
    except (OSError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError) as exc:
        log.info("delivery %s: %s:%s %r", message.delivery_id, target.host, target.port, exc)
        error = "TLS handshake failed" if _tls_failure(exc) else "connection failed"
        raise SendFailed(error, latency_ms=_elapsed(started)) from None
    except aiosmtplib.SMTPException as exc:
        # raised by aiosmtplib itself (e.g. "SMTP AUTH extension not supported by server."): no remote text
        if _tls_failure(exc):
            raise SendFailed("TLS handshake failed", latency_ms=_elapsed(started)) from None
        raise SendFailed(f"SMTP error: {exc}"[:500], permanent=True, latency_ms=_elapsed(started)) from None
    elapsed = _elapsed(started)
    note = None
    if refused:
        note = "refused recipients: " + "; ".join(f"{rcpt}: {r.code} {r.message}" for rcpt, r in refused.items())
    # send_message returns the DATA reply text; reaching here means the server answered 250.
    return Sent(latency_ms=elapsed, smtp_reply=f"250 {reply}"[:500], note=note)
