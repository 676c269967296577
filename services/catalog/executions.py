"""Raw executions of prompts, newest first, a page per prompt for many prompts at once.

``Prompt.executions(first, after)`` inside a list of 50 prompts must not become 50
queries, and must not scan each prompt's whole history either.  One statement of
``UNION ALL``-ed per-prompt subqueries, each an index range scan on
``(prompt_id, occurred_at)`` with its own ``LIMIT``, finds the ids; a second query
loads those rows through the ORM (so types come back right on every database).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel
from tortoise import connections

from models.prompts import PromptExecution
from services.core.errors import BadRequest
from services.identity.policy import Principal, require_authenticated

MAX_PAGE = 100


class ExecutionInfo(BaseModel):
    id: int
    event_id: str
    prompt_id: int
    version_hash: str | None
    status: str
    latency_ms: float | None
    total_duration_ms: float | None
    ai_response_time_ms: float | None
    query_execution_time_ms: float | None
    cost_usd: float | None
    score: float | None
    data_source_ids: list[int]
    schema_names: list[str]
    user_id: int | None
    occurred_at: datetime
    received_at: datetime

    @classmethod
    def of(cls, e: PromptExecution) -> ExecutionInfo:
        return cls(
            id=e.id,
            event_id=str(e.event_id),
            prompt_id=e.prompt_id,
            version_hash=e.version_hash,
            status=e.status,
            latency_ms=e.latency_ms,
            total_duration_ms=e.total_duration_ms,
            ai_response_time_ms=e.ai_response_time_ms,
            query_execution_time_ms=e.query_execution_time_ms,
            cost_usd=float(e.cost_usd) if e.cost_usd is not None else None,
            score=e.score,
            data_source_ids=list(e.data_source_ids or []),
            schema_names=list(e.schema_names or []),
            user_id=e.user_id,
            occurred_at=e.occurred_at,
            received_at=e.received_at,
        )

    @property
    def cursor(self) -> str:
        return encode_cursor(self.occurred_at, self.id)


@dataclass
class ExecutionPage:
    items: list[ExecutionInfo]
    has_next: bool


def encode_cursor(occurred_at: datetime, execution_id: int) -> str:
    raw = f"{occurred_at.astimezone(UTC).isoformat()}|{execution_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str, field: str = "after") -> tuple[datetime, int]:
    try:
        when, ident = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(when), int(ident)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest.field(field, "not a cursor this API issued") from None


async def execution_pages(
    principal: Principal, prompt_ids: list[int], first: int, after: str | None = None
) -> list[ExecutionPage]:
    """Batch: for each prompt, its ``first`` newest executions older than cursor ``after``."""
    principal = require_authenticated(principal)
    if not 1 <= first <= MAX_PAGE:
        raise BadRequest.field("first", f"first must be between 1 and {MAX_PAGE}")
    cursor = decode_cursor(after) if after else None
    if not prompt_ids:
        return []
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    values: list[object] = []

    def param(value: object) -> str:
        values.append(value)
        return f"${len(values)}" if postgres else "?"

    parts = []
    for i, pid in enumerate(dict.fromkeys(prompt_ids)):
        where = f"prompt_id = {param(pid)} AND organization_id = {param(principal.organization_id)}"
        if cursor is not None:
            t = cursor[0] if postgres else cursor[0].astimezone(UTC).isoformat(" ")
            where += f" AND (occurred_at < {param(t)} OR (occurred_at = {param(t)} AND id < {param(cursor[1])}))"
        parts.append(
            f"SELECT * FROM (SELECT id FROM prompt_executions WHERE {where} "
            f"ORDER BY occurred_at DESC, id DESC LIMIT {int(first) + 1}) AS t{i}"
        )
    ids = [row["id"] for row in await conn.execute_query_dict(" UNION ALL ".join(parts), values)]
    rows = await PromptExecution.filter(id__in=ids).order_by("-occurred_at", "-id") if ids else []
    grouped: dict[int, list[ExecutionInfo]] = {pid: [] for pid in prompt_ids}
    for row in rows:
        grouped[row.prompt_id].append(ExecutionInfo.of(row))
    return [ExecutionPage(grouped[pid][:first], len(grouped[pid]) > first) for pid in prompt_ids]
