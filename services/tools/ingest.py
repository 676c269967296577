"""Tool calls in: queued on the lossless ingest stream (kind ``tool``), stored by the drain.

The web side validates with :class:`ToolCall` and queues; a 2xx means the calls are in
Redis.  The drain calls :func:`write_events`, which stores them idempotently by
(organization, ``event_id``) (ids the organization already stored are skipped, and the insert
ignores a conflict left by a concurrent redelivery) and then marks their hours dirty for the
rollup job.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from models.tools import ToolExecution
from services import ingest
from services.identity import Principal
from services.tools import rollups
from services.tools.schemas import ToolCall

KIND = "tool"


def _payload(call: ToolCall) -> dict[str, Any]:
    data = call.model_dump(mode="json", exclude_none=True)
    data.setdefault("started_at", datetime.now(UTC).isoformat())
    return data


async def log_tool_calls(principal: Principal, calls: list[ToolCall]) -> list[str]:
    """Queue ``calls`` for the caller (rate-limited like prompt events; 429/503 as the stream says)."""
    return await ingest.enqueue(principal, KIND, [_payload(c) for c in calls])


def _row(org: int, user: int | None, e: dict[str, Any]) -> ToolExecution:
    """A row from a queued payload; a payload the model would refuse raises (and is dead-lettered)."""
    call = ToolCall.model_validate(e)
    if call.started_at is None:
        raise ValueError("started_at missing")
    return ToolExecution(
        event_id=uuid.UUID(str(e["event_id"])),
        organization_id=org,
        user_id=user,
        tool_name=call.tool_name,
        mcp_server=call.mcp_server,
        operation=call.operation,
        status=call.status,
        error_type=call.error_type,
        duration_ms=call.duration_ms,
        started_at=call.started_at,
        prompt_id=call.prompt_id,
        prompt_version=call.prompt_version,
        arguments_size=call.arguments_size,
        result_size=call.result_size,
    )


async def write_events(events: list[tuple[int | None, int | None, dict[str, Any]]]) -> int:
    """Store queued tool calls; returns how many were new.  Raises on content it cannot store.

    A call is known by (organization, event id): another organization's call with the same id is
    its own call, a re-delivery within one organization is skipped.
    """
    rows: dict[tuple[int, uuid.UUID], ToolExecution] = {}
    for org, user, payload in events:
        if org is None:
            raise ValueError("a tool call needs an organization")
        row = _row(int(org), None if user is None else int(user), payload)
        rows.setdefault((row.organization_id, row.event_id), row)
    if not rows:
        return 0
    by_org: dict[int, list[uuid.UUID]] = {}
    for org_id, event_id in rows:
        by_org.setdefault(org_id, []).append(event_id)
    async with in_transaction():
        stored: set[tuple[int, uuid.UUID]] = set()
        for org_id, ids in by_org.items():
            found = await ToolExecution.filter(organization_id=org_id, event_id__in=ids).values_list(
                "event_id", flat=True
            )
            stored.update((org_id, uuid.UUID(str(v))) for v in found)
        new = [r for k, r in rows.items() if k not in stored]
        if new:
            await ToolExecution.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    await rollups.mark_dirty((r.organization_id, r.started_at) for r in new)
    return len(new)
