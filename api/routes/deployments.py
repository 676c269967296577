"""Deployments: the documented deployment-analytics operations (seed 003) and the CRUD a CI pipeline uses.

``/admin/deployment-analytics/*`` and ``/v1/admin/deployment-analytics/*`` are one handler each
(admin role).  ``/api/v1/environments`` and ``/api/v1/deployments`` create, list, read and
transition; reading is open to members of the organization, writing needs an admin (a CI
pipeline uses an admin API key).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel
from starlette.responses import Response

from api.envelope import success
from api.routing import Call, Ok, Router, both
from services import deployments
from services.core.dates import PeriodEnd, PeriodStart
from services.deployments import (
    INT4,
    Comparison,
    ConfigurationInfo,
    DeploymentImpact,
    DeploymentInfo,
    DeploymentInput,
    DeploymentMetrics,
    DeploymentPage,
    EnvironmentInfo,
    EnvironmentInput,
    EnvironmentKind,
    EnvironmentList,
    Interval,
    Status,
    StatusSummary,
    Thresholds,
    TransitionInput,
)
from services.identity import Role

router = Router("Deployments")
ADMIN = {"role": Role.ADMIN}
BASE = "/admin/deployment-analytics"
DEFAULTS = deployments.DEFAULT_THRESHOLDS
Id = Field(ge=1, le=INT4)


class DeploymentPath(BaseModel):
    deployment_id: int = Id


class EnvironmentPath(BaseModel):
    environment_id: int = Id


class EnvironmentListQuery(BaseModel):
    kind: EnvironmentKind | None = None


class DeploymentListQuery(BaseModel):
    environment_id: int | None = Field(default=None, ge=1, le=INT4)
    status: list[Status] | None = Field(default=None, description="One or more (comma-separated or repeated)")
    version: str | None = Field(default=None, max_length=100)
    prompt_id: int | None = Field(default=None, ge=1, le=INT4, description="Deployments shipping this prompt")
    period_start: PeriodStart | None = Field(default=None, description="Created at or after")
    period_end: PeriodEnd | None = Field(default=None, description="Created at or before")
    page: int = Field(default=1, ge=1, le=INT4)
    page_size: int = Field(default=20, ge=1, le=deployments.MAX_PAGE_SIZE)


class ThresholdsQuery(BaseModel):
    min_success_rate: float = Field(default=DEFAULTS.min_success_rate, ge=0, le=100, description="%")
    max_latency_p99_increase_pct: float = Field(default=DEFAULTS.max_latency_p99_increase_pct, ge=0, le=10_000)
    max_cost_increase_pct: float = Field(default=DEFAULTS.max_cost_increase_pct, ge=0, le=10_000)
    max_score_decrease_pct: float = Field(default=DEFAULTS.max_score_decrease_pct, ge=0, le=100)
    min_samples: int = Field(default=DEFAULTS.min_samples, ge=2, le=1_000_000, description="Per side and metric")
    alpha: float = Field(default=DEFAULTS.alpha, gt=0, lt=1, description="Significance level")
    horizon_hours: int = Field(
        default=DEFAULTS.horizon_hours, ge=1, le=2160, description="Cap of each live window (max 90 days)"
    )

    def thresholds(self) -> Thresholds:
        return Thresholds(**self.model_dump(exclude={"deployment_id1", "deployment_id2"}))


class CompareQuery(ThresholdsQuery):
    deployment_id1: int = Field(ge=1, le=INT4, description="First deployment ID (the baseline)")
    deployment_id2: int = Field(ge=1, le=INT4, description="Second deployment ID (the candidate)")


class MetricsQuery(BaseModel):
    environment_id: int | None = Field(default=None, ge=1, le=INT4, description="Environment ID to filter by")
    days: int = Field(default=30, ge=1, le=deployments.MAX_DAYS, description="1..365, today included")
    interval: Interval = Field(default="day", description="Calendar buckets in UTC (weeks start on Monday)")
    incident_horizon_hours: int = Field(
        default=24,
        ge=1,
        le=deployments.MAX_INCIDENT_HORIZON_HOURS,
        description="An alert on a shipped prompt version firing this long after a deployment is its incident",
    )


class SummaryQuery(BaseModel):
    environment_id: int | None = Field(default=None, ge=1, le=INT4, description="Environment ID to filter by")
    days: int = Field(default=30, ge=1, le=deployments.MAX_DAYS, description="1..365")


class ConfigurationBody(RootModel[Any]):
    """The new configuration: a JSON object (<= 64 KiB, nesting <= 10 levels), replacing the current one."""

    model_config = ConfigDict(json_schema_extra={"type": "object"})


# ------------------------------------------------------------------------------------- documented operations


@router.get(
    *both(f"{BASE}/compare"),
    summary="Compare Deployments",
    query_model=CompareQuery,
    response_model=Comparison,
    description="Deployment 1 is the baseline, deployment 2 the candidate: configuration diff (JSON pointers, "
    "RFC 6902 patch), artifact and prompt-version diffs, each one's metrics over its live window, and verdicts "
    "(successful / failed / inconclusive) with their tests.",
    responses={404: "A deployment is not in your organization"},
    **ADMIN,
)
async def compare_deployments(call: Call[CompareQuery, None]) -> Ok:
    q = call.query
    data = await deployments.compare(call.user, q.deployment_id1, q.deployment_id2, q.thresholds())
    return Ok(data, "Deployments compared successfully")


@router.get(
    *both(f"{BASE}/configuration/{{deployment_id}}"),
    summary="Get Deployment Configuration",
    path_model=DeploymentPath,
    response_model=ConfigurationInfo,
    description="The configuration with its revision history (RFC 6902 patches); the `ETag` header is the "
    "revision, for `If-Match` on PUT.",
    **ADMIN,
)
async def get_deployment_configuration(call: Call[None, None]) -> Response:
    data = await deployments.get_configuration(call.user, call.path.deployment_id)
    return success(data, "Configuration retrieved successfully", headers={"ETag": data.etag})


@router.put(
    *both(f"{BASE}/configuration/{{deployment_id}}"),
    summary="Update Deployment Configuration",
    path_model=DeploymentPath,
    body_model=ConfigurationBody,
    response_model=ConfigurationInfo,
    description="Replaces the configuration of a pending deployment (409 otherwise). The body is the new "
    "configuration object. With `If-Match`, a stale ETag is a 412; every change is kept as an RFC 6902 patch.",
    responses={409: "The deployment is not pending", 412: "If-Match does not name the current revision"},
    **ADMIN,
)
async def put_deployment_configuration(call: Call[None, ConfigurationBody]) -> Response:
    data = await deployments.put_configuration(
        call.user, call.path.deployment_id, call.body.root, call.request.headers.get("if-match")
    )
    return success(data, "Configuration updated", headers={"ETag": data.etag})


@router.get(
    *both(f"{BASE}/metrics"),
    summary="Get Deployment Metrics",
    query_model=MetricsQuery,
    response_model=DeploymentMetrics,
    description="Zero-filled buckets of deployments, successes, failures, rollbacks, success rate, median "
    "duration and the four DORA keys with their performance bands (thresholds in `band_thresholds`).",
    **ADMIN,
)
async def get_deployment_metrics(call: Call[MetricsQuery, None]) -> Ok:
    q = call.query
    data = await deployments.deployment_metrics(
        call.user, q.environment_id, q.days, q.interval, q.incident_horizon_hours
    )
    return Ok(data, "Deployment metrics retrieved successfully")


@router.get(
    *both(f"{BASE}/status/summary"),
    summary="Get Deployment Status Summary",
    query_model=SummaryQuery,
    response_model=StatusSummary,
    **ADMIN,
)
async def get_deployment_status_summary(call: Call[SummaryQuery, None]) -> Ok:
    q = call.query
    data = await deployments.status_summary(call.user, q.environment_id, q.days)
    return Ok(data, "Deployment status summary retrieved successfully")


# ------------------------------------------------------------------------------------- CRUD


@router.post(
    "/api/v1/environments",
    summary="Create an environment",
    body_model=EnvironmentInput,
    response_model=EnvironmentInfo,
    status=201,
    responses={409: "An environment of that name exists"},
    **ADMIN,
)
async def create_environment(call: Call[None, EnvironmentInput]) -> Ok:
    return Ok(await deployments.create_environment(call.user, call.body), "Environment created", 201)


@router.get(
    "/api/v1/environments",
    summary="List environments",
    query_model=EnvironmentListQuery,
    response_model=EnvironmentList,
)
async def list_environments(call: Call[EnvironmentListQuery, None]) -> Ok:
    items = await deployments.list_environments(call.user, call.query.kind)
    return Ok({"items": items, "total": len(items)}, "Environments retrieved successfully")


@router.get(
    "/api/v1/environments/{environment_id}",
    summary="Get an environment",
    path_model=EnvironmentPath,
    response_model=EnvironmentInfo,
)
async def get_environment(call: Call[None, None]) -> Ok:
    return Ok(await deployments.get_environment(call.user, call.path.environment_id), "Environment retrieved")


@router.post(
    "/api/v1/deployments",
    summary="Report a deployment",
    body_model=DeploymentInput,
    response_model=DeploymentInfo,
    status=201,
    description="What a CI pipeline sends: environment (id or name), name, version (semver or git sha), the "
    "status reached so far, configuration, artifacts, prompt versions and changes (commits).",
    **ADMIN,
)
async def create_deployment(call: Call[None, DeploymentInput]) -> Ok:
    return Ok(await deployments.create_deployment(call.user, call.body), "Deployment created", 201)


@router.get(
    "/api/v1/deployments",
    summary="List deployments",
    query_model=DeploymentListQuery,
    response_model=DeploymentPage,
    description="Newest first, paginated; filters combine.",
)
async def list_deployments(call: Call[DeploymentListQuery, None]) -> Ok:
    q = call.query
    page = await deployments.list_deployments(
        call.user,
        environment_id=q.environment_id,
        statuses=q.status,
        version=q.version,
        prompt_id=q.prompt_id,
        period_start=q.period_start,
        period_end=q.period_end,
        page=q.page,
        page_size=q.page_size,
    )
    return Ok(page, "Deployments retrieved successfully")


@router.get(
    "/api/v1/deployments/{deployment_id}",
    summary="Get a deployment",
    path_model=DeploymentPath,
    response_model=DeploymentInfo,
)
async def get_deployment(call: Call[None, None]) -> Ok:
    return Ok(await deployments.get_deployment(call.user, call.path.deployment_id), "Deployment retrieved")


@router.post(
    "/api/v1/deployments/{deployment_id}/transition",
    summary="Move a deployment to another status",
    path_model=DeploymentPath,
    body_model=TransitionInput,
    response_model=DeploymentInfo,
    description="pending -> in_progress | cancelled; in_progress -> succeeded | failed | rolled_back | cancelled; "
    "succeeded -> rolled_back. Anything else is a 409.",
    responses={409: "Illegal transition"},
    **ADMIN,
)
async def transition_deployment(call: Call[None, TransitionInput]) -> Ok:
    return Ok(await deployments.transition(call.user, call.path.deployment_id, call.body), "Deployment updated")


@router.get(
    "/api/v1/deployments/{deployment_id}/impact",
    summary="Before and after a deployment",
    path_model=DeploymentPath,
    query_model=ThresholdsQuery,
    response_model=DeploymentImpact,
    description="Each prompt the deployment ships (all its versions) over the deployment's live window against "
    "the same length just before it finished, with the verdicts of compare.",
    **ADMIN,
)
async def get_deployment_impact(call: Call[ThresholdsQuery, None]) -> Ok:
    data = await deployments.impact(call.user, call.path.deployment_id, call.query.thresholds())
    return Ok(data, "Deployment impact retrieved successfully")
