"""Outermost ASGI middleware: request ids, body-size limit and the last-resort error handler.

It is plain ASGI (no BaseHTTPMiddleware) so it adds almost nothing to the hot path.
Unexpected exceptions become a masked 500 that carries the request id and nothing else;
infrastructure faults (database or Redis unreachable) become a 503 with ``Retry-After``.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.envelope import dumps, error_body
from services.core.errors import PayloadTooLarge, outage

log = logging.getLogger("api.errors")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class _TooLarge(Exception):
    pass


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._send_error(send, request_id, 413, "PAYLOAD_TOO_LARGE", self._too_large_message())
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _TooLarge
            return message

        async def tagged_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, limited_receive, tagged_send)
        except _TooLarge:
            if not started:
                await self._send_error(send, request_id, 413, "PAYLOAD_TOO_LARGE", self._too_large_message())
        except PayloadTooLarge as exc:
            if not started:
                await self._send_error(send, request_id, 413, exc.code, exc.message)
        except Exception as exc:
            unavailable = outage(exc)
            if unavailable is not None:
                log.warning(
                    "dependency unavailable request_id=%s path=%s", request_id, scope.get("path"), exc_info=True
                )
                if not started:
                    await self._send_error(
                        send,
                        request_id,
                        unavailable.status,
                        unavailable.code,
                        unavailable.message,
                        retry_after=unavailable.retry_after,
                    )
                return
            log.exception("unhandled error request_id=%s path=%s", request_id, scope.get("path"))
            if not started:
                await self._send_error(
                    send,
                    request_id,
                    500,
                    "INTERNAL_SERVER_ERROR",
                    "Internal server error",
                    request_id=request_id,
                )

    def _too_large_message(self) -> str:
        return f"Request body exceeds the limit of {self.max_body_bytes} bytes"

    @staticmethod
    async def _send_error(
        send: Send,
        rid: str,
        status: int,
        code: str,
        message: str,
        retry_after: int | None = None,
        **extra: Any,
    ) -> None:
        body = dumps(error_body(code, message, **extra))
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", rid.encode()),
        ]
        if retry_after:
            headers.append((b"retry-after", str(retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
