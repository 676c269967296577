"""Raw executions of prompts, newest first, a page per prompt for many prompts at once.

``Prompt.executions(first, after)`` inside a list of 50 prompts must not become 50
queries, and must not scan each prompt's whole history either.  One statement of
``UNION ALL``-ed per-prompt subqueries, each an index range scan on
``(prompt_id, occurred_at)`` with its own ``LIMIT``, finds the ids; a second query
loads those rows through the ORM (so types come back right on every database), bounded
by the page's times as well as its ids, so on PostgreSQL (executions partitioned by time)
only the partitions holding the page are probed.  Both run on ``read_db()``: a replica
when ``DATABASE_READ_URL`` is set (history tolerates replication lag).
"""

from __future__ import annotations

from datetime import UTC, datetime

from models.prompts import PromptExecution
from services.catalog.schemas import ExecutionInfo, ExecutionPage, decode_cursor
from services.core.database import read_db
from services.core.errors import BadRequest
from services.identity import Principal, require_authenticated

MAX_PAGE = 100


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
    conn = read_db()
    # dialect only: asyncpg takes ``$n`` and datetimes, SQLite ``?`` and the ISO text it stores
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
            f"SELECT * FROM (SELECT id, occurred_at FROM prompt_executions WHERE {where} "
            f"ORDER BY occurred_at DESC, id DESC LIMIT {int(first) + 1}) AS t{i}"
        )
    found = await conn.execute_query_dict(" UNION ALL ".join(parts), values)
    rows = []
    if found:
        times = [r["occurred_at"] for r in found]
        if not postgres:  # SQLite hands back the stored text
            times = [t if not isinstance(t, str) else datetime.fromisoformat(t) for t in times]
        page = PromptExecution.filter(id__in=[r["id"] for r in found], occurred_at__gte=min(times))
        rows = await page.filter(occurred_at__lte=max(times)).order_by("-occurred_at", "-id").using_db(conn)
    grouped: dict[int, list[ExecutionInfo]] = {pid: [] for pid in prompt_ids}
    for row in rows:
        grouped[row.prompt_id].append(ExecutionInfo.model_validate(row, from_attributes=True))
    return [ExecutionPage(items=grouped[pid][:first], has_next=len(grouped[pid]) > first) for pid in prompt_ids]
