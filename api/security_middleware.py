"""Security enforcement and observation as plain ASGI (mounted outermost in ``api.app``).

Per request: resolve the client address (socket peer; ``X-Forwarded-For`` only from
``TRUSTED_PROXIES``), refuse it with a 403 envelope when a decision is in force (a dict
lookup in the process's decision snapshot, re-validated at most every
``SECURITY_CACHE_SECONDS``), and after the response classify what it said about the client
into an in-memory buffer.  No I/O per request beyond the snapshot's periodic check; the
recorder's flush task (started by the lifespan messages passing through here) does the rest.

Never refused: the health endpoints (``/healthz``, ``/readyz``) and allow-listed addresses
(``SECURITY_ALLOWLIST``, default loopback), so probes and the operator are never locked out.
Like fail2ban's ``ignoreip`` and CrowdSec's whitelists, allow-listed addresses are not observed
either (no events, no buckets).
The resolved address is left in ``scope["state"]["client_ip"]`` for anyone downstream.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.envelope import dumps, error_body
from services.security import EXEMPT_PATHS, GUARD, RECORDER, UA_MAX, Guard, SecurityRecorder, clean, observe

_EXEMPT = frozenset(EXEMPT_PATHS)


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, guard: Guard = GUARD, recorder: SecurityRecorder = RECORDER) -> None:
        self.app = app
        self.guard = guard
        self.recorder = recorder
        self._flusher: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self.app(scope, self._lifespan_receive(receive), send)
            return
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        guard = self.guard
        client = scope.get("client")
        if guard.addresses.trusted:
            forwarded = [v for k, v in scope["headers"] if k == b"x-forwarded-for"]
            address = guard.addresses.client(client[0] if client else "", forwarded)
            allowed = guard.addresses.peer(address)[1]
        else:
            address, allowed, _ = guard.addresses.peer(client[0] if client else "")
        scope.setdefault("state", {})["client_ip"] = address
        if allowed:  # fail2ban's ignoreip: not refused, not observed
            await self.app(scope, receive, send)
            return
        snapshot = guard.snapshot
        if time.monotonic() - snapshot.checked_at >= guard.settings.cache_seconds:
            snapshot = await guard.current()
        expires = snapshot.blocked.get(address) if snapshot.blocked else None
        if expires is not None and expires > time.time() and scope["path"] not in _EXEMPT:
            self.recorder.hit(address)
            await self._refuse(scope, send, expires)
            return
        if not snapshot.enabled or kind != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        finally:
            if status >= 400 or scope["query_string"] or "security_flags" in scope["state"]:
                self._observe(scope, address, status)

    def _observe(self, scope: Scope, address: str, status: int) -> None:
        state = scope["state"]
        found = observe(
            scope["method"],
            scope["path"],
            scope.get("raw_path"),
            scope["query_string"],
            status,
            scope.get("route") is not None,
            state.get("security_flags"),
        )
        if not found:
            return
        principal: Any = getattr(scope.get("user"), "principal", None)
        org = principal.organization_id if principal is not None else None
        user = principal.user_id if principal is not None else None
        agent = next((v for k, v in scope["headers"] if k == b"user-agent"), None)
        ua = clean(agent[: UA_MAX * 4].decode("utf-8", "replace"), UA_MAX) if agent else None
        path = clean(scope["path"], 512)
        for observation in found:
            self.recorder.record(address, observation, scope["method"], path, status, org, user, ua)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, until: float) -> None:
        retry = max(1, int(until - time.time()))
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = dumps(error_body("FORBIDDEN", "Access from your address is blocked", blocked_for_seconds=retry))
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(retry).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _lifespan_receive(self, receive: Receive) -> Receive:
        """Start the recorder's flush loop with the app and flush one last time before it stops."""

        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup" and self._flusher is None:
                self._flusher = asyncio.ensure_future(self.recorder.flush_forever())
            elif message["type"] == "lifespan.shutdown":
                flusher, self._flusher = self._flusher, None
                await self.recorder.close(flusher)
            return message

        return wrapped
