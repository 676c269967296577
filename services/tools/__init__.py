"""MCP tool executions: ingest on the lossless stream (kind ``tool``), hourly/daily rollups with
duration sketches, and the analytics (summary, by-tool percentiles, recent calls)."""

from services.tools.analytics import RECENT_DEFAULT, RECENT_MAX, by_tool, recent, summary
from services.tools.ingest import log_tool_calls, write_events
from services.tools.rollups import rebuild_all, rebuild_dirty
from services.tools.schemas import (
    Accepted,
    ByTool,
    RecentExecutions,
    ToolCall,
    ToolCallBatch,
    ToolExecutionInfo,
    ToolStats,
    ToolSummary,
)

__all__ = [
    "RECENT_DEFAULT",
    "RECENT_MAX",
    "Accepted",
    "ByTool",
    "RecentExecutions",
    "ToolCall",
    "ToolCallBatch",
    "ToolExecutionInfo",
    "ToolStats",
    "ToolSummary",
    "by_tool",
    "log_tool_calls",
    "rebuild_all",
    "rebuild_dirty",
    "recent",
    "summary",
    "write_events",
]
