"""Inputs and results of the deployments domain (pydantic), shared by REST, GraphQL and the bench.

Inputs carry every documented limit, so REST and GraphQL refuse the same values with the same
message naming the field.  Results are what the services return, key for key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from services.analytics import ProportionTest, WelchTest
from services.core.dates import as_utc, check_in_range
from services.core.pagination import Page
from services.core.validation import SINGLE_LINE
from services.deployments.configuration_doc import check_configuration

EnvironmentKind = Literal["production", "staging", "development"]
Status = Literal["pending", "in_progress", "succeeded", "failed", "rolled_back", "cancelled"]
ArtifactKind = Literal["prompt_version", "model", "container_image", "config"]
Interval = Literal["day", "week", "month"]
VerdictName = Literal["successful", "failed", "inconclusive"]
Band = Literal["elite", "high", "medium", "low"]

# Semantic Versioning 2.0.0 (an optional leading "v"), or an abbreviated/full git object name.
SEMVER = (
    r"v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
GIT_SHA = r"[0-9a-fA-F]{7,64}"
VERSION_PATTERN = rf"^(?:{SEMVER}|{GIT_SHA})$"
MAX_ARTIFACTS = 100
MAX_PROMPT_VERSIONS = 100
MAX_CHANGES = 1000
INT4 = 2_147_483_647


def _instant(value: datetime) -> datetime:
    return check_in_range(as_utc(value), "timestamp")


Instant = Annotated[datetime, AfterValidator(_instant)]
Line = Annotated[str, Field(pattern=SINGLE_LINE)]


# ------------------------------------------------------------------------------------------- inputs


class EnvironmentInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, pattern=SINGLE_LINE, description="Unique in the organization")
    kind: EnvironmentKind
    description: str = Field(default="", max_length=500)


class ArtifactInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=SINGLE_LINE)
    kind: ArtifactKind
    ref: str = Field(min_length=1, max_length=500, pattern=SINGLE_LINE, description="Where it comes from")
    digest: str | None = Field(default=None, max_length=200, pattern=SINGLE_LINE, description="e.g. sha256:...")


class PromptVersionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt_id: Annotated[int, Field(ge=1, le=INT4)] | UUID = Field(description="Integer id or uuid, caller's org")
    version_hash: str = Field(min_length=1, max_length=128, pattern=SINGLE_LINE)


class ChangeInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sha: str = Field(pattern=rf"^{GIT_SHA}$", description="Commit sha (7..64 hex digits)")
    committed_at: Instant
    message: str = Field(default="", max_length=500)


class DeploymentInput(BaseModel):
    """A deployment as a CI pipeline reports it, possibly after the fact (``status`` it reached)."""

    model_config = ConfigDict(extra="forbid")
    environment_id: int | None = Field(default=None, ge=1, le=INT4, description="This, or `environment`")
    environment: str | None = Field(default=None, min_length=1, max_length=100, description="Environment name")
    name: str = Field(min_length=1, max_length=200, pattern=SINGLE_LINE)
    version: str = Field(max_length=100, pattern=VERSION_PATTERN, description="Semantic version or git sha")
    description: str = Field(default="", max_length=2000)
    status: Status = Field(default="pending", description="The status reached so far (reports after the fact)")
    started_at: Instant | None = Field(default=None, description="Default: now, when status is past pending")
    finished_at: Instant | None = Field(default=None, description="Default: now, when status is final")
    configuration: dict[str, Any] = Field(default_factory=dict, description="JSON object, <= 64 KiB, depth <= 10")
    artifacts: list[ArtifactInput] = Field(default_factory=list, max_length=MAX_ARTIFACTS)
    prompt_versions: list[PromptVersionInput] = Field(default_factory=list, max_length=MAX_PROMPT_VERSIONS)
    changes: list[ChangeInput] = Field(default_factory=list, max_length=MAX_CHANGES)

    @field_validator("configuration")
    @classmethod
    def _configuration(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_configuration(value)


class TransitionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Status
    note: str | None = Field(default=None, max_length=2000)


# ------------------------------------------------------------------------------------------- results


class EnvironmentInfo(BaseModel):
    id: int
    name: str
    kind: str
    description: str
    created_at: datetime


class TransitionInfo(BaseModel):
    from_status: str | None
    to_status: str
    actor_id: int | None
    note: str | None
    at: datetime


class ArtifactInfo(BaseModel):
    name: str
    kind: str
    ref: str
    digest: str | None


class ShippedPromptVersion(BaseModel):
    prompt_id: int
    prompt_uuid: str
    prompt_name: str
    version_hash: str
    first_seen_at: datetime | None = Field(description="First execution of this version (null: never ran yet)")


class ChangeInfo(BaseModel):
    sha: str
    committed_at: datetime
    message: str


class ConfigChangeInfo(BaseModel):
    revision: int
    actor_id: int | None
    at: datetime
    patch: list[dict[str, Any]] = Field(description="RFC 6902 patch from the previous revision")


class DeploymentRef(BaseModel):
    id: int
    name: str
    version: str
    status: str
    environment_id: int
    created_at: datetime
    finished_at: datetime | None


class DeploymentCore(BaseModel):
    """A deployment's own columns (its relations are loaded apart, in batches)."""

    id: int
    environment_id: int
    name: str
    version: str
    description: str
    status: str
    configuration: dict[str, Any]
    configuration_revision: int
    created_by_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    rolled_back_at: datetime | None


class DeploymentInfo(BaseModel):
    id: int
    environment: EnvironmentInfo
    name: str
    version: str
    description: str
    status: str
    created_by_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    rolled_back_at: datetime | None
    duration_seconds: float | None = Field(description="started -> finished")
    configuration_revision: int
    allowed_transitions: list[str]
    artifacts: list[ArtifactInfo]
    prompt_versions: list[ShippedPromptVersion]
    changes: list[ChangeInfo]
    transitions: list[TransitionInfo]


class DeploymentPage(Page[DeploymentInfo]):
    pass


class EnvironmentList(BaseModel):
    items: list[EnvironmentInfo]
    total: int


class ConfigurationInfo(BaseModel):
    deployment_id: int
    status: str
    editable: bool = Field(description="Only a pending deployment's configuration may change")
    revision: int
    etag: str
    size_bytes: int
    max_bytes: int
    max_depth: int
    configuration: dict[str, Any]
    history: list[ConfigChangeInfo]


# ------------------------------------------------------------------------------------------- compare


class ValueAt(BaseModel):
    path: str = Field(description="RFC 6901 JSON pointer")
    value: Any


class ValueChange(BaseModel):
    path: str = Field(description="RFC 6901 JSON pointer")
    old: Any
    new: Any


class ConfigurationDiff(BaseModel):
    identical: bool
    added: list[ValueAt]
    removed: list[ValueAt]
    changed: list[ValueChange]
    patch: list[dict[str, Any]] = Field(description="RFC 6902 patch from deployment 1's to deployment 2's")


class ArtifactChange(BaseModel):
    kind: str
    name: str
    old_ref: str
    new_ref: str
    old_digest: str | None
    new_digest: str | None


class ArtifactDiff(BaseModel):
    added: list[ArtifactInfo]
    removed: list[ArtifactInfo]
    changed: list[ArtifactChange]
    unchanged: int


class PromptVersionChange(BaseModel):
    prompt_id: int
    prompt_name: str
    old_version_hash: str
    new_version_hash: str


class PromptVersionDiff(BaseModel):
    added: list[ShippedPromptVersion]
    removed: list[ShippedPromptVersion]
    changed: list[PromptVersionChange]
    unchanged: list[ShippedPromptVersion]


class LiveWindow(BaseModel):
    start: datetime = Field(description="The deployment finished")
    end: datetime
    end_reason: Literal["next_deployment", "rolled_back", "horizon", "now"]
    next_deployment_id: int | None
    hours: float


class WindowMetrics(BaseModel):
    executions: int
    successes: int
    failures: int
    success_rate: float | None = Field(description="% of finished executions that completed")
    error_rate: float | None = Field(description="% of finished executions that failed")
    latency_avg: float | None
    latency_p50: float | None
    latency_p95: float | None
    latency_p99: float | None
    cost_per_execution: float | None
    cost_total: float
    score_avg: float | None
    scored: int


class DeploymentSide(BaseModel):
    deployment: DeploymentRef
    window: LiveWindow | None
    metrics: WindowMetrics | None
    unavailable_reason: str | None


class Thresholds(BaseModel):
    min_success_rate: float = Field(description="% (Flagger's request-success-rate default: 99)")
    max_latency_p99_increase_pct: float = Field(description="% over the baseline's p99 (Flagger-like: 10)")
    max_cost_increase_pct: float
    max_score_decrease_pct: float
    min_samples: int
    alpha: float
    horizon_hours: int


class MetricVerdict(BaseModel):
    metric: Literal["success_rate", "latency_p99", "cost_per_execution", "score"]
    verdict: VerdictName
    required: bool = Field(description="Counts in the overall verdict even without data")
    counted: bool = Field(description="Whether it counted in the overall verdict")
    baseline: float | None
    candidate: float | None
    change_pct: float | None
    threshold: str
    threshold_met: bool | None
    test: Literal["two_proportion_z", "welch_t"]
    p_value: float | None
    n_baseline: int
    n_candidate: int
    welch: WelchTest | None
    proportion: ProportionTest | None
    reason: str


class Comparison(BaseModel):
    baseline: DeploymentSide = Field(description="deployment_id1")
    candidate: DeploymentSide = Field(description="deployment_id2")
    same_environment: bool
    configuration: ConfigurationDiff
    artifacts: ArtifactDiff
    prompt_versions: PromptVersionDiff
    thresholds: Thresholds
    verdicts: list[MetricVerdict]
    overall_verdict: VerdictName
    overall_reason: str


class PromptImpact(BaseModel):
    prompt_id: int
    prompt_name: str
    version_hash: str = Field(description="The version the deployment shipped")
    before: WindowMetrics = Field(description="Every version of the prompt, before the deployment")
    after: WindowMetrics = Field(description="Every version of the prompt, after it")
    verdicts: list[MetricVerdict]
    overall_verdict: VerdictName
    overall_reason: str


class DeploymentImpact(BaseModel):
    """Before and after one deployment: each shipped prompt over the same length on either side of its finish."""

    deployment: DeploymentRef
    before_start: datetime
    after_end: datetime
    hours: float = Field(description="Length of each side")
    thresholds: Thresholds
    prompts: list[PromptImpact]
    unavailable_reason: str | None


# ------------------------------------------------------------------------------------------- metrics


class DeploymentFrequency(BaseModel):
    deployments: int = Field(description="Deployments that reached their environment (succeeded or rolled back)")
    per_day: float
    band: Band | None


class LeadTime(BaseModel):
    changes: int
    median_seconds: float | None
    band: Band | None


class ChangeFailureRate(BaseModel):
    deployments: int = Field(description="Finished: succeeded, failed or rolled back")
    failed_changes: int = Field(description="Failed, rolled back, or followed by an incident")
    incidents: int = Field(description="Succeeded deployments followed by an incident within the horizon")
    rate: float | None = Field(description="%")
    band: Band | None


class TimeToRestore(BaseModel):
    incidents_resolved: int
    median_seconds: float | None
    band: Band | None


class Dora(BaseModel):
    deployment_frequency: DeploymentFrequency
    lead_time_for_changes: LeadTime
    change_failure_rate: ChangeFailureRate
    time_to_restore: TimeToRestore


class MetricsBucket(BaseModel):
    start: datetime
    end: datetime
    deployments: int = Field(description="Deployments that finished in the bucket (any final status)")
    successes: int
    failures: int
    rollbacks: int
    cancelled: int
    success_rate: float | None = Field(description="% of succeeded among succeeded + failed + rolled back")
    median_duration_seconds: float | None
    dora: Dora


class BandThreshold(BaseModel):
    key: str
    unit: str
    elite: str
    high: str
    medium: str
    low: str


class DeploymentMetrics(BaseModel):
    environment_id: int | None
    dora_environment_ids: list[int] = Field(description="Environments the DORA keys cover")
    days: int
    interval: Interval
    period_start: datetime
    period_end: datetime
    incident_horizon_hours: int
    buckets: list[MetricsBucket]
    total: MetricsBucket
    band_thresholds: list[BandThreshold]


class EnvironmentStatus(BaseModel):
    environment: EnvironmentInfo
    total: int
    by_status: dict[str, int]
    success_rate: float | None
    last_successful: DeploymentRef | None = Field(description="Latest succeeded deployment, any time")


class PeriodCounts(BaseModel):
    period_start: datetime
    period_end: datetime
    total: int
    by_status: dict[str, int]
    success_rate: float | None


class StatusSummary(BaseModel):
    environment_id: int | None
    days: int
    current: PeriodCounts
    previous: PeriodCounts
    total_change_pct: float | None
    success_rate_change: float | None = Field(description="Percentage points, current - previous")
    by_environment: list[EnvironmentStatus]
    in_progress: list[DeploymentRef] = Field(description="In progress now, whatever the period")


DeploymentPage.model_rebuild()
