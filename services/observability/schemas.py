"""Shapes of what the observability services answer: ``/v1/metrics/*``, ``/v1/monitoring/*``.

Each model is what a service function returns (the REST routes document them as
``response_model`` and send their ``model_dump(mode="json")``).  Maps keyed by
data (endpoints, job functions, recorded roles and types) are ``dict[str, ...]``; evidence of a
breach or a recommendation differs per rule and stays ``dict[str, Any]``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from services.analytics import Trend
from services.metrics import RecordBreakdowns

# --------------------------------------------------------------------------- shared pieces


class WorkerSummary(BaseModel):
    """``workers.describe``: live arq workers and the freshest heartbeat."""

    workers: int
    last_heartbeat_age_seconds: float | None


class RollupLag(BaseModel):
    """``probes.rollup_lag``."""

    dirty_prompts: int
    lag_seconds: float


class IngestBacklog(BaseModel):
    """``probes.ingest_backlog``: the whole pipeline, platform-wide (superusers)."""

    stream_length: int
    pending: int
    dead_letter: int
    dead_letters_recent: int
    oldest_entry_age_seconds: float | None


class OrganizationIngest(BaseModel):
    """What an organization may see of the pipeline: its own recent dead letters."""

    scope: Literal["organization"]
    dead_letters_recent: int


# ``probes.ingest_view``: the backlog for a superuser, else the organization's own figures only
IngestView = IngestBacklog | OrganizationIngest


class DatabasePool(BaseModel):
    """``probes.database_pool``; the ``server_*`` figures on PostgreSQL only."""

    dialect: str
    pool_size: int | None
    in_use: int | None
    max_size: int | None
    utilization: float | None
    server_connections: int | None = None
    server_max_connections: int | None = None
    server_utilization: float | None = None


class ResponseTimeTrendFit(Trend):
    series: str


# --------------------------------------------------------------------------- host metrics (system.py)


class CpuFigures(BaseModel):
    percent: float
    count_logical: int | None
    count_physical: int | None


class MemoryFigures(BaseModel):
    total_bytes: int
    available_bytes: int
    used_bytes: int
    percent: float
    swap_percent: float


class DiskFigures(BaseModel):
    path: str
    total_bytes: int
    used_bytes: int
    free_bytes: int
    percent: float


class NetworkFigures(BaseModel):
    bytes_sent: int
    bytes_recv: int
    packets_sent: int
    packets_recv: int
    errors_in: int
    errors_out: int
    connections: int | None


class ProcessFigures(BaseModel):
    pid: int
    rss_bytes: int
    vms_bytes: int
    threads: int
    open_files: int
    cpu_percent: float
    uptime_seconds: float


class LoadAverage(BaseModel):
    load_1: float
    load_5: float
    load_15: float


class SystemSnapshot(BaseModel):
    """``system.probe`` / ``system.current``: one psutil probe of the serving host."""

    host: str
    sampled_at: datetime
    cpu: CpuFigures
    memory: MemoryFigures
    disk: DiskFigures
    network: NetworkFigures
    process: ProcessFigures
    load_average: LoadAverage | None


class HostMetrics(BaseModel):
    """A ``SystemSnapshot`` flattened to the figures GraphQL's ``systemMetrics`` shows.  Byte counts
    are floats there because GraphQL ``Int`` is 32-bit."""

    host: str
    sampled_at: datetime
    cpu_percent: float
    memory_percent: float
    memory_used_bytes: float
    memory_total_bytes: float
    disk_percent: float
    disk_used_bytes: float
    network_bytes_sent: float
    network_bytes_recv: float
    load_1: float | None
    load_5: float | None
    load_15: float | None
    process_rss_bytes: float
    process_threads: int
    process_open_files: int

    @classmethod
    def of(cls, snap: SystemSnapshot) -> HostMetrics:
        load = snap.load_average
        return cls(
            host=snap.host,
            sampled_at=snap.sampled_at,
            cpu_percent=snap.cpu.percent,
            memory_percent=snap.memory.percent,
            memory_used_bytes=snap.memory.used_bytes,
            memory_total_bytes=snap.memory.total_bytes,
            disk_percent=snap.disk.percent,
            disk_used_bytes=snap.disk.used_bytes,
            network_bytes_sent=snap.network.bytes_sent,
            network_bytes_recv=snap.network.bytes_recv,
            load_1=load.load_1 if load else None,
            load_5=load.load_5 if load else None,
            load_15=load.load_15 if load else None,
            process_rss_bytes=snap.process.rss_bytes,
            process_threads=snap.process.threads,
            process_open_files=snap.process.open_files,
        )


class HourlySystemSample(BaseModel):
    """``system.hourly_history`` item."""

    hour: datetime
    samples: int
    cpu_percent_avg: float
    cpu_percent_max: float
    memory_percent_avg: float
    memory_percent_max: float
    disk_percent_avg: float
    process_rss_bytes_avg: int


class SamplerSwitchState(BaseModel):
    """``system.SamplerState.as_dict``."""

    enabled: bool
    status: str
    interval_seconds: int
    changed_at: datetime | None
    changed_by: int | None


class SamplerSwitch(SamplerSwitchState):
    """``system.start`` / ``system.stop``; ``first_sample_id`` only when switched on."""

    previously_enabled: bool
    first_sample_id: int | None = None


# --------------------------------------------------------------------------- recorded runs (app_records.py)


class AgentRecorded(BaseModel):
    id: int
    recorded_at: datetime
    agent_role: str
    agent_type: str | None
    status: Literal["success", "failure"]
    duration: float


class FeedbackRecorded(BaseModel):
    id: int
    recorded_at: datetime
    feedback_type: str
    rating: Literal["positive", "negative", "neutral"]
    agent_role: str
    response_time: float | None


class WorkflowRecorded(BaseModel):
    id: int
    recorded_at: datetime
    workflow_type: str
    status: Literal["success", "failure"]
    duration: float
    steps_executed: int | None


class StatusCounts(BaseModel):
    success: int
    failure: int


class StatusDurations(BaseModel):
    success: float | None
    failure: float | None


class RatingCounts(BaseModel):
    positive: int
    negative: int
    neutral: int


class AgentRecords(BaseModel):
    total: int
    by_status: StatusCounts
    success_rate: float | None
    avg_duration_seconds: StatusDurations


class FeedbackRecords(BaseModel):
    total: int
    by_rating: RatingCounts
    positive_ratio: float | None


class WorkflowRecords(BaseModel):
    total: int
    by_status: StatusCounts
    success_rate: float | None
    avg_duration_seconds: StatusDurations
    steps_executed: int


class OrganizationRecords(BaseModel):
    """``app_records.organization_records``; ``by_dimension`` is added by ``GET /v1/metrics/json``."""

    agents: AgentRecords
    feedback: FeedbackRecords
    workflows: WorkflowRecords
    by_dimension: RecordBreakdowns | None = None


class RequestWindow(BaseModel):
    window_hours: int
    requests: int
    errors_5xx: int
    error_rate: float
    avg_ms: float | None
    p95_ms: float | None
    endpoints: int


class ApplicationMetrics(BaseModel):
    requests_last_hour: RequestWindow
    requests_last_24h: RequestWindow
    ingest: IngestView
    rollups: RollupLag
    workers: WorkerSummary
    job_outcomes: dict[str, dict[str, int | float]]  # per job function: outcome counts, total seconds
    organization: OrganizationRecords


class JsonMetrics(BaseModel):
    """``GET /v1/metrics/json``: ``system`` with ``include_system``, ``application`` with ``include_app``."""

    generated_at: datetime
    system: SystemSnapshot | None = None
    application: ApplicationMetrics | None = None


class MetricsSummary(BaseModel):
    """``GET /v1/metrics/summary`` (``by_dimension_24h`` is added by the route)."""

    generated_at: datetime
    requests_last_hour: int
    requests_last_24h: int
    error_rate_24h: float
    p95_ms_24h: float | None
    endpoints_tracked_24h: int
    live_workers: int
    ingest_backlog: int | None
    dead_letters_last_hour: int
    rollup_lag_seconds: float
    sampler_enabled: bool
    threshold_breaches: int
    critical_breaches: int
    agents_last_24h: int
    agent_success_rate_24h: float | None
    feedback_last_24h: int
    feedback_positive_ratio_24h: float | None
    workflows_last_24h: int
    workflow_success_rate_24h: float | None
    by_dimension_24h: RecordBreakdowns


class RedisReach(BaseModel):
    ok: bool
    error: str | None
    latency_ms: float


class MetricsHealth(BaseModel):
    """``GET /v1/metrics/health``."""

    status: str
    request_recording: bool
    redis: RedisReach
    last_flush_age_seconds: float | None
    last_flush_error: str | None
    pending_in_this_process: int
    flush_interval_seconds: float


# --------------------------------------------------------------------------- performance (performance.py)


class EndpointStats(BaseModel):
    """``requests.EndpointWindow.stats``: one route template over a window."""

    endpoint: str
    method: str
    count: int
    errors: int
    client_errors: int
    error_rate: float
    avg_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    throughput_per_min: float
    bytes_in: int
    bytes_out: int


class EndpointPerformanceReport(BaseModel):
    """``GET /v1/monitoring/endpoints/performance``."""

    hours: int
    sort_by: str
    window_seconds: float
    total_endpoints: int
    total_requests: int
    overall_error_rate: float
    endpoints: list[EndpointStats]


class ResponseTimeBucket(BaseModel):
    hour: datetime
    count: int
    errors: int
    avg_ms: float | None
    p50_ms: float | None
    p95_ms: float | None


class ResponseTimeTrends(BaseModel):
    """``GET /v1/monitoring/trends/response-time``."""

    hours: int
    endpoint: str | None
    buckets: list[ResponseTimeBucket]
    trend: ResponseTimeTrendFit


class Recommendation(BaseModel):
    kind: str
    severity: str
    subject: str
    title: str
    recommendation: str
    evidence: dict[str, Any]


class RecommendationList(BaseModel):
    """``GET /v1/monitoring/recommendations``."""

    recommendations: list[Recommendation]
    count: int


class SamplerStatus(SamplerSwitchState):
    last_sample_at: datetime | None
    last_sample_age_seconds: float | None
    stale: bool


class RequestMetricsState(BaseModel):
    enabled: bool
    flush_interval_seconds: float
    last_flush_age_seconds: float | None
    pending_in_this_process: int


class MonitorHealth(BaseModel):
    """``GET /v1/monitoring/health-check``: the monitor's own state."""

    status: str
    problems: list[str]
    sampler: SamplerStatus
    request_metrics: RequestMetricsState
    workers: WorkerSummary
    process_uptime_seconds: float


class ThresholdBreach(BaseModel):
    """``thresholds.Breach.as_dict``."""

    metric: str
    subject: str
    value: float
    threshold: float
    severity: str
    evidence: dict[str, Any]
    message: str


class HealthOverview(BaseModel):
    status: str
    monitor: MonitorHealth
    total_requests: int
    error_rate: float
    endpoints_tracked: int


class HistoricalTrends(BaseModel):
    system: list[HourlySystemSample]
    response_times: list[ResponseTimeBucket]
    response_time_trend: ResponseTimeTrendFit


class ActiveAlerts(BaseModel):
    source: str
    items: list[ThresholdBreach]


class TopEndpoints(BaseModel):
    fastest_p95: list[EndpointStats]
    busiest: list[EndpointStats]


class ProblematicEndpoints(BaseModel):
    slowest_p95: list[EndpointStats]
    most_errors: list[EndpointStats]


class PipelineState(BaseModel):
    ingest: IngestView
    rollups: RollupLag
    database_pool: DatabasePool


class MonitoringDashboard(BaseModel):
    """``GET /v1/monitoring/dashboard``."""

    hours: int
    generated_at: datetime
    health_overview: HealthOverview
    current_metrics: SystemSnapshot
    historical_trends: HistoricalTrends
    active_alerts: ActiveAlerts
    top_endpoints: TopEndpoints
    problematic_endpoints: ProblematicEndpoints
    pipeline: PipelineState
    recommendations: list[Recommendation]


# --------------------------------------------------------------------------- dependency health (health.py)


class DependencyCheck(BaseModel):
    name: str
    status: str
    latency_ms: float
    error: str | None
    details: dict[str, Any]


class DependencyChecks(BaseModel):
    database: DependencyCheck
    redis: DependencyCheck
    api: DependencyCheck
    core_tables: DependencyCheck
    worker: DependencyCheck


class HealthSummary(BaseModel):
    total: int
    healthy: int
    unhealthy: int
    failed: list[str]


class SystemHealthReport(BaseModel):
    """``GET /v1/monitoring/health``."""

    status: str
    checked_at: datetime
    duration_ms: float
    timeout_seconds: float
    services: DependencyChecks
    summary: HealthSummary
