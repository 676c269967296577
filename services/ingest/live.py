"""The live "analytics updated" signal: after the drain stores events, each organization whose
analytics changed hears about it on its own Redis channel (GraphQL ``analyticsUpdates``).

Cheap by construction: the drain only *notes* what it committed (in memory, per organization:
events, kinds, prompt ids), and after a chunk is acknowledged :func:`publish_due` makes one
round trip (a script) with one ``PUBLISH`` per organization that is due -- never one per event.
An organization is announced at most once per :data:`INTERVAL` seconds across every drain
process (leading edge: the first batch is announced at once): a notice is published only if its
organization's window key can be set in Redis (``SET NX PX``, in the same script as the
``PUBLISH``), so N workers do not send N notices a second.  What a throttled batch noted is
carried into the next message, which the drain's loop sends when the window ends (its idle
reads call :func:`publish_due` too), so the last change of a burst is never lost.

A notice is a hint to re-read, not a tally: ``events`` counts the events written for the
organization since its previous notice (a redelivery of events already stored may count again).
A failed publish keeps the notes for the next try and never fails the drain: the events are stored.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import BaseModel
from redis.exceptions import RedisError

from services.core.redis_client import get_redis, key

log = logging.getLogger(__name__)
INTERVAL = 1.0  # seconds between two notices of one organization, across drain processes
MAX_PROMPT_IDS = 100  # prompt ids named per notice; past that ``prompt_ids_truncated``
LIVE_KINDS = frozenset({"prompt", "usage", "tool"})  # security events have their own subscription


class AnalyticsUpdateInfo(BaseModel):
    """One notice: the organization's analytics changed since its previous notice."""

    organization_id: int
    at: datetime
    events: int
    kinds: list[str]
    prompt_ids: list[int]
    prompt_ids_truncated: bool


def analytics_channel(organization_id: int) -> str:
    """Pub/sub channel of one organization's analytics notices."""
    return key("analytics", "updates", organization_id)


@dataclass
class _Notes:
    events: int = 0
    kinds: set[str] = field(default_factory=set)
    prompt_ids: set[int] = field(default_factory=set)
    truncated: bool = False


_notes: dict[int, _Notes] = {}  # organization id -> what was stored since its last notice
_sent: dict[int, float] = {}  # organization id -> monotonic time its window (here or another process's) began

# Per organization (KEYS: its window key, its channel; ARGV: the window in ms, then its message):
# publish only if no process did within the window.  Returns per organization 0 (published) or
# the milliseconds left of the window another process opened.
_PUBLISH_IF_DUE = """
local out = {}
for i = 1, #ARGV - 1 do
  if redis.call('SET', KEYS[2 * i - 1], '1', 'NX', 'PX', ARGV[1]) then
    redis.call('PUBLISH', KEYS[2 * i], ARGV[i + 1])
    out[i] = 0
  else
    out[i] = math.max(redis.call('PTTL', KEYS[2 * i - 1]), 1)
  end
end
return out
"""


def _window_key(organization_id: int) -> str:
    return key("analytics", "updates", "window", organization_id)


def note(kind: str, organization_id: Any, events: int, prompt_ids: Any = ()) -> None:
    """Remember that ``events`` of ``kind`` were committed for the organization (no I/O)."""
    if kind not in LIVE_KINDS or events <= 0 or not isinstance(organization_id, int):
        return
    notes = _notes.get(organization_id)
    if notes is None:
        notes = _notes[organization_id] = _Notes()
    notes.events += events
    notes.kinds.add(kind)
    for prompt_id in prompt_ids:
        if prompt_id in notes.prompt_ids:
            continue
        if len(notes.prompt_ids) >= MAX_PROMPT_IDS:
            notes.truncated = True
            break
        notes.prompt_ids.add(prompt_id)


def note_rows(kind: str, rows: list[tuple[int, int | None]]) -> None:
    """:func:`note` for a batch of ``(organization id, prompt id or None)`` rows, grouped per organization."""
    if kind not in LIVE_KINDS:
        return
    counts: dict[int, int] = {}
    prompts: dict[int, list[int]] = {}
    for (org, prompt_id), n in Counter(rows).items():  # counted in C: a batch has few distinct pairs
        counts[org] = counts.get(org, 0) + n
        if prompt_id is not None:
            prompts.setdefault(org, []).append(prompt_id)
    for org, count in counts.items():
        note(kind, org, count, prompts.get(org, ()))


async def publish_due(now: float | None = None) -> int:
    """Publish the notes of every organization not announced within :data:`INTERVAL`. Returns notices sent."""
    if not _notes:
        return 0
    now = time.monotonic() if now is None else now
    due = [org for org in _notes if now - _sent.get(org, float("-inf")) >= INTERVAL]
    if not due:
        return 0
    taken = {org: _notes.pop(org) for org in due}  # another lane may note meanwhile: a fresh entry
    before = {org: _sent.get(org) for org in due}
    for org in due:
        _sent[org] = now
    at = datetime.now(UTC)
    messages = []
    for org, notes in taken.items():
        info = AnalyticsUpdateInfo(
            organization_id=org,
            at=at,
            events=notes.events,
            kinds=sorted(notes.kinds),
            prompt_ids=sorted(notes.prompt_ids),
            prompt_ids_truncated=notes.truncated,
        )
        messages.append((org, orjson.dumps(info.model_dump(mode="json"))))
    keys = [k for org, _ in messages for k in (_window_key(org), analytics_channel(org))]
    try:
        waits = await get_redis().eval(
            _PUBLISH_IF_DUE, len(keys), *keys, round(INTERVAL * 1000), *(data for _, data in messages)
        )
    except (RedisError, OSError):  # a hint only: keep the notes for the next try, never fail the drain
        log.warning("analytics notices not published; kept for the next try", exc_info=True)
        for org, notes in taken.items():
            _restore(org, notes)
            previous = before[org]
            if previous is None:
                _sent.pop(org, None)
            else:
                _sent[org] = previous
        return 0
    published = 0
    for (org, _), wait_ms in zip(messages, waits, strict=True):
        if int(wait_ms) == 0:
            published += 1
        else:  # another process announced it: due here again when that window ends
            _restore(org, taken[org])
            _sent[org] = now - INTERVAL + int(wait_ms) / 1000
    if len(_sent) > 10_000:  # forget organizations quiet for longer than the interval
        for org in [o for o, t in _sent.items() if now - t >= INTERVAL]:
            del _sent[org]
    return published


def _restore(organization_id: int, notes: _Notes) -> None:
    """Merge the notes of a notice that could not be sent back into what is pending."""
    pending = _notes.setdefault(organization_id, _Notes())
    pending.events += notes.events
    pending.kinds |= notes.kinds
    pending.truncated = pending.truncated or notes.truncated
    for prompt_id in notes.prompt_ids:
        if len(pending.prompt_ids) >= MAX_PROMPT_IDS and prompt_id not in pending.prompt_ids:
            pending.truncated = True
            break
        pending.prompt_ids.add(prompt_id)
