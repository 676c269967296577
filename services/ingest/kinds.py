"""The event kinds the ingest stream carries, and where each kind's writer lives.

Every kind of event a client (or the service itself) reports goes through one lossless
path: a Redis stream entry before the 2xx, then the drain, which isolates poison events,
dead-letters them with a reason and never blames an outage on the data.  Only the last
step differs per kind, so a kind is just a name and a *writer*:

    async def write_events(events: list[tuple[int | None, int | None, dict]]) -> int

``events`` are ``(organization id, user id, payload)`` with the payload as decoded JSON
(datetimes arrive as ISO strings).  A writer stores them idempotently by ``event_id``
(a unique constraint; re-delivery after a crash must be a no-op), returns how many were
newly stored, manages its own transaction, and raises on content it cannot store: the
drain then halves the batch until the bad event stands alone and dead-letters it.

Writers are named by import path and resolved on first use, so the stream's lower layer
does not import the domains that own the events (and the web process, which only
queues, never loads them).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

PROMPT_KIND = "prompt"

Writer = Callable[[list[tuple[Any, Any, dict[str, Any]]]], Awaitable[int]]

KINDS: dict[str, str] = {
    PROMPT_KIND: "services.ingest.pipeline:write_prompt_events",
    "usage": "services.usage.ingest:write_events",
    "tool": "services.tools.ingest:write_events",
    "security": "services.security.events:write_events",
}


def writer_path(kind: str) -> str:
    """``module:function`` of ``kind``'s writer; ``ValueError`` for a kind this version does not know."""
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown event kind {kind!r}") from None


@cache
def writer(kind: str) -> Writer:
    module, _, name = writer_path(kind).partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
