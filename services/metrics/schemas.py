"""Result models of the metrics domain: what its services return and REST/GraphQL serve."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class MetricPointInfo(BaseModel):
    id: int
    name: str
    value: float
    type: str
    timestamp: datetime
    prompt_id: int | None
    version_hash: str | None
    tags: dict[str, str]


class Latest(BaseModel):
    value: float
    timestamp: datetime


class RealtimeMetric(BaseModel):
    name: str
    count: int
    latest: Latest | None
    avg: float | None
    min: float | None
    max: float | None
    sum: float
    previous_count: int
    previous_avg: float | None
    change_pct: float | None = Field(description="(avg - previous_avg) / |previous_avg| * 100")
    trend: Literal["up", "down", "flat"] | None = Field(
        description="avg vs the previous equal window; flat within 1%; null when either window is empty"
    )
    buffer_complete: bool = Field(description="false when the bounded buffer no longer reaches back two windows")
    points: list[MetricPointInfo]


class Realtime(BaseModel):
    window_minutes: int
    window_start: datetime
    window_end: datetime
    buffer_size: int
    metrics: list[RealtimeMetric]


# --------------------------------------------------------------------------- recorded runs by dimension


class RunFigures(BaseModel):
    """One value of an agent dimension (``metrics.query.record_breakdowns``)."""

    count: int
    success: int
    failure: int
    success_rate: float | None
    avg_duration_seconds: float | None
    min_duration_seconds: float | None
    max_duration_seconds: float | None


class WorkflowRunFigures(RunFigures):
    steps_executed: int
    avg_steps_executed: float | None


class FeedbackFigures(BaseModel):
    count: int
    positive: int
    negative: int
    neutral: int
    positive_ratio: float | None
    timed: int
    avg_response_time_seconds: float | None
    min_response_time_seconds: float | None
    max_response_time_seconds: float | None


class AgentBreakdowns(BaseModel):
    agent_role: dict[str, RunFigures]
    agent_type: dict[str, RunFigures]


class WorkflowBreakdowns(BaseModel):
    workflow_type: dict[str, WorkflowRunFigures]


class FeedbackBreakdowns(BaseModel):
    feedback_type: dict[str, FeedbackFigures]
    agent_role: dict[str, FeedbackFigures]
    response_time: dict[str, FeedbackFigures]


class RecordBreakdowns(BaseModel):
    """``metrics.query.record_breakdowns``: recorded runs grouped by each stored dimension."""

    agents: AgentBreakdowns
    workflows: WorkflowBreakdowns
    feedback: FeedbackBreakdowns
    truncated: list[str]
