"""Tool analytics in the graph: ``toolAnalytics`` (summary, per-tool percentiles, recent calls).

The same service functions and pydantic models as ``/v1/tools/analytics/*``: scoped to the
caller's own calls, ``admin: true`` widens to the organization for admins (FORBIDDEN otherwise).
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import strawberry

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.permissions import IsAuthenticated
from services import tools
from services.core.dates import as_utc
from services.identity import Principal
from services.tools import ErrorCount, ToolExecutionInfo, ToolStats, ToolSummary, Window


@model_type(Window)
class ToolWindow:
    scope: str  # "user" or "organization"


@model_type(ErrorCount)
class ToolErrorCount:
    pass


@model_type(ToolSummary, description="Overall tool usage in the window")
class ToolUsageSummary:
    pass


@model_type(ToolStats, description="One tool: counts, rates, sketch percentiles, errors")
class ToolStatistics:
    pass


@model_type(ToolExecutionInfo, description="One logged tool call")
class ToolExecution:
    pass


@strawberry.type(description="Tool calls in a window: the caller's own, or the organization's with admin: true")
class ToolAnalytics:
    start_date: strawberry.Private[datetime | None]
    end_date: strawberry.Private[datetime | None]
    tool_name: strawberry.Private[str | None]
    admin: strawberry.Private[bool]
    principal: strawberry.Private[Principal | None]

    reading: strawberry.Private[asyncio.Future[tools.ToolWindow] | None] = None

    def _window(self) -> asyncio.Future[tools.ToolWindow]:
        """The window's one read, shared by ``summary`` and ``byTool`` (resolved side by side)."""
        if self.reading is None:
            self.reading = asyncio.ensure_future(
                tools.read_window(self.principal, self.start_date, self.end_date, self.tool_name, self.admin)
            )
        return self.reading

    @strawberry.field(description="Total calls, success rate, average execution time, errors")
    async def summary(self) -> ToolUsageSummary:
        return ToolUsageSummary.from_pydantic((await self._window()).summary())

    @strawberry.field(description="Per tool, most calls first; p50/p95/p99 from duration sketches")
    async def by_tool(self) -> list[ToolStatistics]:
        return [ToolStatistics.from_pydantic(t) for t in (await self._window()).by_tool().tools]

    @strawberry.field(description="Most recent calls, newest first (limit 1-100, default 50)")
    async def recent(self, limit: int = tools.RECENT_DEFAULT) -> list[ToolExecution]:
        result = await tools.recent(self.principal, limit, self.start_date, self.end_date, self.tool_name, self.admin)
        return [ToolExecution.from_pydantic(e) for e in result.executions]


def resolve_tool_analytics(
    info: Info,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    tool_name: str | None = None,
    admin: bool = False,
) -> ToolAnalytics:
    return ToolAnalytics(
        start_date=as_utc(start_date) if start_date else None,
        end_date=as_utc(end_date) if end_date else None,
        tool_name=tool_name,
        admin=admin,
        principal=info.context.principal,
    )


@strawberry.type
class ToolsQuery:
    tool_analytics: ToolAnalytics = strawberry.field(
        resolver=resolve_tool_analytics,
        permission_classes=[IsAuthenticated],
        description="MCP tool calls (OpenTelemetry execute_tool spans): summary, byTool, recent",
    )
