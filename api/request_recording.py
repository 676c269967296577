"""Request-recording ASGI middleware: one in-memory record per HTTP request, no I/O.

Plain ASGI (like :mod:`api.middleware`) and mounted outermost, so it sees the final
status of every response, including the 413/500/503 that ``RequestContextMiddleware``
produces.  The route *template* comes from ``scope["route"]``, which Starlette's router
sets on the shared scope when a route matches (fully or, for a 405, partially); a
request that matched nothing is counted under ``<unmatched>``.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.observability import UNMATCHED, RequestRecorder


class RequestRecordingMiddleware:
    def __init__(self, app: ASGIApp, recorder: RequestRecorder) -> None:
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        bytes_in = 0
        bytes_out = 0

        async def counting_receive() -> Message:
            nonlocal bytes_in
            message = await receive()
            body = message.get("body")
            if body:
                bytes_in += len(body)
            return message

        async def counting_send(message: Message) -> None:
            nonlocal status, bytes_out
            if message["type"] == "http.response.start":
                status = message["status"]
            else:
                body = message.get("body")
                if body:
                    bytes_out += len(body)
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED
            self.recorder.record(scope["method"], template, status, time.perf_counter() - started, bytes_in, bytes_out)
