"""Tool-call input and the tool analytics results (pydantic), shared by REST, GraphQL and jobs.

Attribute names follow the OpenTelemetry GenAI and MCP semantic conventions where they exist:
a tool call is an ``execute_tool`` operation (``gen_ai.operation.name``) of the tool
``gen_ai.tool.name``, failed calls carry ``error.type``, and its duration is what the
``mcp.server.operation.duration`` histogram records.  Either the plain field names or the
dotted OpenTelemetry names are accepted on input; OpenTelemetry's duration is in seconds,
``duration_ms`` in milliseconds.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from services.core.dates import check_event_time
from services.core.validation import SINGLE_LINE

MAX_DURATION_MS = 7 * 86_400_000.0
Size = Annotated[int, Field(ge=0, le=2_147_483_647)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=SINGLE_LINE)]

# OpenTelemetry attribute -> field (seconds are converted by the validator below)
OTEL_ALIASES = {
    "gen_ai.tool.name": "tool_name",
    "gen_ai.operation.name": "operation",
    "mcp.method.name": "operation",
    "error.type": "error_type",
    "server.address": "mcp_server",
    "mcp.server.name": "mcp_server",
}
OTEL_DURATION_SECONDS = "mcp.server.operation.duration"


class ToolCall(BaseModel):
    """One tool execution as an MCP client or gateway reports it."""

    model_config = ConfigDict(extra="ignore")

    event_id: uuid.UUID | None = Field(default=None, description="Client id for idempotent retries")
    tool_name: Name = Field(description="gen_ai.tool.name")
    mcp_server: Name | None = Field(default=None, description="The MCP server that ran it (server.address)")
    operation: str = Field(
        default="execute_tool", min_length=1, max_length=64, pattern=SINGLE_LINE, description="gen_ai.operation.name"
    )
    status: Literal["success", "error"] | None = Field(
        default=None, description="Default: 'error' when error_type is given, else 'success'"
    )
    error_type: Name | None = Field(default=None, description="error.type of a failed call")
    duration_ms: float = Field(
        ge=0,
        le=MAX_DURATION_MS,
        allow_inf_nan=False,
        description="Execution time in ms (or mcp.server.operation.duration in s)",
    )
    started_at: datetime | None = Field(default=None, description="When the call started (default: now)")
    prompt_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    prompt_version: str | None = Field(default=None, min_length=1, max_length=128, pattern=SINGLE_LINE)
    arguments_size: Size | None = Field(default=None, description="Bytes of the call's arguments")
    result_size: Size | None = Field(default=None, description="Bytes of its result")

    @model_validator(mode="before")
    @classmethod
    def _otel_names(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not any("." in k for k in data):
            return data
        out = dict(data)
        for attribute, name in OTEL_ALIASES.items():
            if attribute in out and name not in out:
                out[name] = out.pop(attribute)
        seconds = out.pop(OTEL_DURATION_SECONDS, None)
        if seconds is not None and "duration_ms" not in out:
            if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                # named as the client sent it (a ValueError here would name the whole body)
                issue = InitErrorDetails(
                    type=PydanticCustomError("float_type", "must be a number of seconds"),
                    loc=(OTEL_DURATION_SECONDS,),
                    input=seconds,
                )
                raise ValidationError.from_exception_data(cls.__name__, [issue])
            out["duration_ms"] = seconds * 1000.0
        return out

    @field_validator("started_at")
    @classmethod
    def _recent(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return check_event_time(value)

    @model_validator(mode="after")
    def _status(self) -> ToolCall:
        if self.status is None:
            self.status = "error" if self.error_type else "success"
        elif self.status == "success" and self.error_type:
            raise ValueError("error_type is only allowed on a call with status 'error'")
        return self


class ToolCallBatch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    events: list[ToolCall] = Field(min_length=1, max_length=1000)


class Accepted(BaseModel):
    accepted: int
    event_ids: list[str]


class Window(BaseModel):
    start_date: datetime
    end_date: datetime
    tool_name: str | None
    scope: Literal["user", "organization"]


class ToolSummary(BaseModel):
    """Overall tool usage in the window."""

    window: Window
    total_calls: int
    successful_calls: int
    total_errors: int
    success_rate: float | None = Field(description="Percent of calls that succeeded; null without calls")
    error_rate: float | None
    avg_execution_time_ms: float | None
    unique_tools: int


class ErrorCount(BaseModel):
    error_type: str
    count: int


class ToolStats(BaseModel):
    tool_name: str
    total_calls: int
    successful_calls: int
    errors: int
    success_rate: float
    error_rate: float
    avg_execution_time_ms: float | None
    p50_ms: float | None = Field(description="From the duration sketch (1% relative accuracy)")
    p95_ms: float | None
    p99_ms: float | None
    common_errors: list[ErrorCount] = Field(description="Most frequent error.type values, at most 5")


class ByTool(BaseModel):
    window: Window
    tools: list[ToolStats]
    total_tools: int


class ToolExecutionInfo(BaseModel):
    event_id: str
    tool_name: str
    mcp_server: str | None
    operation: str
    status: str
    error_type: str | None
    duration_ms: float
    started_at: datetime
    user_id: int | None
    prompt_id: int | None
    prompt_version: str | None
    arguments_size: int | None
    result_size: int | None


class RecentExecutions(BaseModel):
    window: Window
    executions: list[ToolExecutionInfo]
    count: int
    limit: int
