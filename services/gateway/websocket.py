"""This service's own WebSocket figures: GraphQL subscription sockets on ``/graphql``.

:class:`SocketMeter` counts one connection in memory (messages and bytes each way) and
adds them to Redis counters (one hash for the platform) when the socket closes and at
most every ``FLUSH_SECONDS`` while it stays open, so the figures are shared by every web
process and cost no Redis round trip per message.  An error is a socket that ended
abnormally: closed by the server with a code other than 1000/1001 (rejected
credentials, protocol errors) or torn down by an exception.  The collection job stores a
sample of the counters (``kind = service_websocket``) for history.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from models.gateway import GatewaySample
from services.core.redis_client import get_redis, key

FLUSH_SECONDS = 10.0
COUNTERS = (
    "connections_total",
    "connections_active",
    "connections_closed",
    "messages_sent",
    "messages_received",
    "bytes_sent",
    "bytes_received",
    "errors",
    "duration_ms_sum",
)
NORMAL_CLOSE = frozenset({1000, 1001})


def _key() -> str:
    return key("gateway", "service_ws")


class SocketMeter:
    """Counts for one open socket; ``flush`` adds what accumulated since the last flush."""

    def __init__(self) -> None:
        self.opened = time.monotonic()
        self.last_flush = self.opened
        self.pending: dict[str, int] = {}

    def count(self, name: str, n: int = 1) -> None:
        self.pending[name] = self.pending.get(name, 0) + n

    def due(self) -> bool:
        return time.monotonic() - self.last_flush >= FLUSH_SECONDS

    async def flush(self) -> None:
        pending, self.pending = self.pending, {}
        self.last_flush = time.monotonic()
        if not pending:
            return
        async with get_redis().pipeline(transaction=False) as pipe:
            for name, n in pending.items():
                pipe.hincrby(_key(), name, n)
            await pipe.execute()

    async def opened_socket(self) -> None:
        self.count("connections_total")
        self.count("connections_active")
        await self.flush()

    async def closed_socket(self, code: int | None, failed: bool) -> None:
        self.count("connections_active", -1)
        self.count("connections_closed")
        self.count("duration_ms_sum", int((time.monotonic() - self.opened) * 1000))
        if failed or (code is not None and code not in NORMAL_CLOSE):
            self.count("errors")
        await self.flush()


async def counters() -> dict[str, int]:
    raw = await get_redis().hgetall(_key())
    values = {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}
    return {name: values.get(name, 0) for name in COUNTERS}


def figures(c: dict[str, Any]) -> dict[str, float | None]:
    closed = c.get("connections_closed", 0)
    return {
        "active_connections": float(max(c.get("connections_active", 0), 0)),
        "total_connections": float(c.get("connections_total", 0)),
        "messages_sent": float(c.get("messages_sent", 0)),
        "messages_received": float(c.get("messages_received", 0)),
        "bytes_sent": float(c.get("bytes_sent", 0)),
        "bytes_received": float(c.get("bytes_received", 0)),
        "connection_errors": float(c.get("errors", 0)),
        "avg_connection_duration_seconds": round(c["duration_ms_sum"] / closed / 1000, 3) if closed else None,
    }


async def store_sample(now: datetime) -> None:
    """History: one platform sample of the counters per collection cycle."""
    c = await counters()
    await GatewaySample.create(
        organization_id=None, target_id=None, kind="service_websocket", collected_at=now, healthy=True, figures=c
    )
