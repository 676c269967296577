"""Tool analytics: summary, per-tool breakdown (percentiles from sketches) and recent calls.

Scope is decided here once for REST, GraphQL and jobs: by default a caller sees only the
calls it logged itself; ``admin=True`` widens to the whole organization and needs the admin
role (a member asking for it is a 403, not a silently narrowed answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from models.tools import ToolExecution
from services.core.dates import EARLIEST, check_in_range
from services.core.errors import BadRequest
from services.identity import Principal, Role, require_authenticated, require_role
from services.tools import rollups
from services.tools.schemas import (
    ByTool,
    ErrorCount,
    RecentExecutions,
    ToolExecutionInfo,
    ToolStats,
    ToolSummary,
    Window,
)

DEFAULT_DAYS = 30
RECENT_DEFAULT = 50
RECENT_MAX = 100
TOP_ERRORS = 5
_EPSILON = timedelta(microseconds=1)


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def resolve_window(
    principal: Principal | None,
    start_date: datetime | None,
    end_date: datetime | None,
    tool_name: str | None,
    admin: bool,
) -> tuple[Principal, Window, datetime]:
    """The caller, the window (default: the last 30 days from a whole hour) and its exclusive end; 400/403."""
    principal = require_role(principal, Role.ADMIN) if admin else require_authenticated(principal)
    end = check_in_range(end_date or datetime.now(UTC), "end_date")  # before the default start is derived from it
    # default: from the start of the hour 30 days back, so only the current hour is read from raw rows
    start = start_date or max(EARLIEST, (end - timedelta(days=DEFAULT_DAYS)).replace(minute=0, second=0, microsecond=0))
    check_in_range(start, "start_date")
    if start > end:
        raise BadRequest.field("start_date", "start_date must not be after end_date")
    window = Window(start_date=start, end_date=end, tool_name=tool_name, scope="organization" if admin else "user")
    return principal, window, end + _EPSILON


@dataclass
class ToolWindow:
    """One read of a window's per-tool accumulators and the answers made from it: GraphQL asks for
    a window's summary and its breakdown together, and one read serves both."""

    window: Window
    per_tool: dict[str, rollups.ToolAccumulator]

    def summary(self) -> ToolSummary:
        calls = sum(a.calls for a in self.per_tool.values())
        errors = sum(a.errors for a in self.per_tool.values())
        duration = sum(a.duration_sum for a in self.per_tool.values())
        return ToolSummary(
            window=self.window,
            total_calls=calls,
            successful_calls=calls - errors,
            total_errors=errors,
            success_rate=_pct(calls - errors, calls) if calls else None,
            error_rate=_pct(errors, calls) if calls else None,
            avg_execution_time_ms=_ms(duration / calls) if calls else None,
            unique_tools=sum(1 for a in self.per_tool.values() if a.calls),
        )

    def by_tool(self) -> ByTool:
        tools = []
        for name, acc in self.per_tool.items():
            if not acc.calls:
                continue
            top = sorted(acc.error_types.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ERRORS]
            tools.append(
                ToolStats(
                    tool_name=name,
                    total_calls=acc.calls,
                    successful_calls=acc.calls - acc.errors,
                    errors=acc.errors,
                    success_rate=_pct(acc.calls - acc.errors, acc.calls),
                    error_rate=_pct(acc.errors, acc.calls),
                    avg_execution_time_ms=_ms(acc.duration_sum / acc.calls),
                    p50_ms=_ms(acc.sketch.quantile(0.5)),
                    p95_ms=_ms(acc.sketch.quantile(0.95)),
                    p99_ms=_ms(acc.sketch.quantile(0.99)),
                    common_errors=[ErrorCount(error_type=t, count=n) for t, n in top],
                )
            )
        tools.sort(key=lambda t: (-t.total_calls, t.tool_name))
        return ByTool(window=self.window, tools=tools, total_tools=len(tools))


async def read_window(
    principal: Principal | None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    tool_name: str | None = None,
    admin: bool = False,
    with_sketches: bool = True,
) -> ToolWindow:
    """The caller's window, read once (``with_sketches=False``: no percentiles, a cheaper read)."""
    caller, window, until = resolve_window(principal, start_date, end_date, tool_name, admin)
    per_tool = await rollups.window_by_tool(
        caller.organization_id, None if admin else caller.user_id, window.start_date, until, tool_name, with_sketches
    )
    return ToolWindow(window, per_tool)


async def summary(
    principal: Principal | None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    tool_name: str | None = None,
    admin: bool = False,
) -> ToolSummary:
    return (await read_window(principal, start_date, end_date, tool_name, admin, with_sketches=False)).summary()


async def by_tool(
    principal: Principal | None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    tool_name: str | None = None,
    admin: bool = False,
) -> ByTool:
    return (await read_window(principal, start_date, end_date, tool_name, admin)).by_tool()


async def recent(
    principal: Principal | None,
    limit: int = RECENT_DEFAULT,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    tool_name: str | None = None,
    admin: bool = False,
) -> RecentExecutions:
    if not 1 <= limit <= RECENT_MAX:
        raise BadRequest.field("limit", f"limit must be between 1 and {RECENT_MAX}")
    caller, window, until = resolve_window(principal, start_date, end_date, tool_name, admin)
    query = ToolExecution.filter(
        organization_id=caller.organization_id, started_at__gte=window.start_date, started_at__lt=until
    )
    if not admin:
        query = query.filter(user_id=caller.user_id)
    if tool_name is not None:
        query = query.filter(tool_name=tool_name)
    rows = await query.order_by("-started_at", "-id").limit(limit)
    items = [
        ToolExecutionInfo(
            event_id=str(r.event_id),
            tool_name=r.tool_name,
            mcp_server=r.mcp_server,
            operation=r.operation,
            status=r.status,
            error_type=r.error_type,
            duration_ms=r.duration_ms,
            started_at=r.started_at.astimezone(UTC),
            user_id=r.user_id,
            prompt_id=r.prompt_id,
            prompt_version=r.prompt_version,
            arguments_size=r.arguments_size,
            result_size=r.result_size,
        )
        for r in rows
    ]
    return RecentExecutions(window=window, executions=items, count=len(items), limit=limit)
