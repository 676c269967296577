"""Shapes of what the database-performance services answer (REST ``response_model`` and GraphQL).

Figures are floats or ints measured at request time or taken from stored samples; a figure that
could not be measured is ``null`` with the reason in ``message`` / ``note``, never a made-up zero.
``details`` rows and evidence differ per check (an index, a query, a table) and stay ``dict``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

CheckStatus = Literal["ok", "warning", "critical", "error"]
Task = Literal["analyze", "vacuum", "vacuum_analyze", "reindex"]


# --------------------------------------------------------------------------- health


class HealthCheck(BaseModel):
    """One health check: what was measured, against which threshold, and the query that measured it."""

    name: str
    title: str
    category: str
    status: CheckStatus
    observed: float | None = Field(description="The measured value the status is decided on (null: no data)")
    unit: str
    threshold: dict[str, Any] = Field(description="The limits the observed value is compared with")
    message: str
    details: list[dict[str, Any]] = Field(description="The rows behind the figure (at most 20)")
    details_total: int = Field(description="How many rows matched (details may show fewer)")
    evidence_query: str = Field(description="The SQL (or PRAGMA) run to measure it")
    duration_ms: float


class NotApplicable(BaseModel):
    name: str
    reason: str


class HealthSummary(BaseModel):
    total: int
    ok: int
    warning: int
    critical: int
    error: int


class DatabaseHealth(BaseModel):
    dialect: str
    status: CheckStatus
    checked_at: datetime
    duration_ms: float
    statement_timeout_ms: int
    server_version: str | None
    database_bytes: int | None
    summary: HealthSummary
    checks: list[HealthCheck]
    not_applicable: list[NotApplicable]


# --------------------------------------------------------------------------- metrics


class Rates(BaseModel):
    """Rates over the period from consecutive sample pairs (a counter reset loses one interval)."""

    seconds_covered: float
    transactions_per_second: float | None
    commits: int
    rollbacks: int
    cache_hit_ratio: float | None
    rows_read_per_second: float | None
    rows_written_per_second: float | None
    rows_read: int
    rows_written: int
    temp_files: int
    temp_bytes: int
    temp_bytes_per_second: float | None
    deadlocks: int
    connections_avg: float | None
    connections_max: int | None
    max_connections: int | None


class SeriesPoint(BaseModel):
    at: datetime
    transactions_per_second: float
    cache_hit_ratio: float | None
    rows_read_per_second: float
    rows_written_per_second: float
    temp_bytes: int
    deadlocks: int
    connections: int


class RelationGrowth(BaseModel):
    relation: str
    table: str
    kind: Literal["table", "index"]
    size_bytes: int
    size_bytes_at_start: int | None
    growth_bytes: int | None
    growth_bytes_per_day: float | None
    live_rows: int | None = None
    dead_rows: int | None = None


class Statement(BaseModel):
    queryid: str | None
    query: str
    calls: int
    total_time_ms: float
    mean_time_ms: float
    rows: int
    shared_blks_hit: int
    shared_blks_read: int
    temp_blks_written: int
    cache_hit_ratio: float | None


class TopStatements(BaseModel):
    available: bool
    note: str
    since: datetime | None = None
    items: list[Statement]


class SamplingInfo(BaseModel):
    samples: int
    first_sample_at: datetime | None
    last_sample_at: datetime | None
    interval_seconds: int
    job: str
    avg_sample_ms: float | None = Field(description="What taking one sample cost on average (the job's overhead)")
    note: str | None


class DatabaseMetrics(BaseModel):
    dialect: str
    period: str
    period_start: datetime
    period_end: datetime
    database_bytes: int | None
    database_growth_bytes: int | None
    sampling: SamplingInfo
    rates: Rates | None
    series: list[SeriesPoint]
    tables: list[RelationGrowth]
    indexes: list[RelationGrowth]
    top_statements: TopStatements


# --------------------------------------------------------------------------- optimization runs


class OptimizeRequest(BaseModel):
    tasks: list[Task] = Field(min_length=1, max_length=4, description="analyze, vacuum, vacuum_analyze, reindex")
    tables: list[str] | None = Field(
        default=None,
        max_length=100,
        description="Tables of this product (omitted: every table of this product)",
    )
    dry_run: bool = Field(default=False, description="Record the plan and the before figures; run nothing")


class RunStatement(BaseModel):
    task: str
    table: str
    sql: str
    duration_ms: float | None = None
    error: str | None = None


class TableFigures(BaseModel):
    table_bytes: int
    index_bytes: int
    live_rows: int | None
    dead_rows: int | None
    last_vacuum: datetime | None = None
    last_analyze: datetime | None = None


class OptimizationRunInfo(BaseModel):
    id: int
    status: Literal["queued", "running", "completed", "failed"]
    dry_run: bool
    requested_by: int
    organization_id: int
    tasks: list[str]
    tables: list[str]
    statements: list[RunStatement]
    before: dict[str, TableFigures]
    after: dict[str, TableFigures]
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: float | None


class OptimizationHistory(BaseModel):
    items: list[OptimizationRunInfo]
    count: int
    limit: int


# --------------------------------------------------------------------------- scaling


class Evidence(BaseModel):
    measurement: str
    observed: float | None
    unit: str
    threshold: float | None
    source: str = Field(description="Where the figure comes from (a catalog query or the stored samples)")


class Recommendation(BaseModel):
    name: str
    area: str
    triggered: bool
    severity: Literal["info", "warning", "critical"]
    title: str
    advice: str
    evidence: list[Evidence]
    projection: dict[str, Any] | None
    details: list[dict[str, Any]]


class ScalingAdvice(BaseModel):
    dialect: str
    generated_at: datetime
    period: str
    samples: int
    recommendations: list[Recommendation] = Field(description="Triggered advice, most severe first")
    evaluated: list[Recommendation] = Field(description="Every rule, triggered or not, with its measurement")
    not_applicable: list[NotApplicable]
