"""Environments and deployments in the graph: ``DeploymentsQuery`` and ``DeploymentsMutation`` mixins.

Every relation of a ``Deployment`` (environment, creator, transitions, artifacts, changes,
shipped prompt versions and their analytics, configuration history) goes through a DataLoader,
so a list of 50 deployments with all of them costs a fixed handful of statements.  The
deployment loaders live on the request's context (created on first use), next to the shared
ones this module also uses (users, prompts, versions, version analytics).

Types mirror the services' pydantic models; fields the models type as ``Literal`` are plain
strings here (GraphQL has no literal unions), free-form values (configurations, patches,
diffs) are JSON scalars.  Inputs are validated by the same pydantic models as REST.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.ids import bounded_int
from graphql_schema.pagination import Pagination
from graphql_schema.permissions import IsAdmin, IsAuthenticated
from graphql_schema.types.analytics import ProportionTest, WelchTest  # noqa: F401  (registers the nested types)
from graphql_schema.types.catalog import Prompt, PromptAnalytics, PromptVersion
from graphql_schema.types.identity import User
from services import deployments
from services.catalog import PromptVersionInfo
from services.core.errors import BadRequest, NotFound
from services.core.validation import validated
from services.identity import Principal, require_authenticated

# ------------------------------------------------------------------------------------------ loaders


@dataclass
class DeploymentLoaders:
    deployment: DataLoader[int, deployments.DeploymentCore | None]
    environment: DataLoader[int, deployments.EnvironmentInfo | None]
    transitions: DataLoader[int, list[deployments.TransitionInfo]]
    artifacts: DataLoader[int, list[deployments.ArtifactInfo]]
    changes: DataLoader[int, list[deployments.ChangeInfo]]
    prompt_versions: DataLoader[int, list[deployments.ShippedPromptVersion]]
    configuration_history: DataLoader[int, list[deployments.ConfigChangeInfo]]
    impact: DataLoader[int, deployments.DeploymentImpact | None]
    comparison: DataLoader[tuple[int, int], deployments.Comparison]

    @classmethod
    def for_principal(cls, principal: Principal | None) -> DeploymentLoaders:
        def scoped(load: Any) -> DataLoader[Any, Any]:
            async def batch(keys: list[Any]) -> list[Any]:
                return await load(require_authenticated(principal), keys)

            return DataLoader(batch)

        return cls(
            deployment=scoped(deployments.load_deployments),
            environment=scoped(deployments.load_environments),
            transitions=scoped(deployments.load_transitions),
            artifacts=scoped(deployments.load_artifacts),
            changes=scoped(deployments.load_changes),
            prompt_versions=scoped(deployments.load_prompt_versions),
            configuration_history=scoped(deployments.load_configuration_history),
            impact=scoped(deployments.impacts),
            comparison=scoped(lambda user, pairs: deployments.comparisons(user, pairs, fields=("id", "with"))),
        )


_SLOT = "_deployment_loaders"


def loaders(info: Info) -> DeploymentLoaders:
    """This request's deployment loaders (per principal: rebuilt when a websocket re-authenticates)."""
    ctx = info.context
    held = getattr(ctx, _SLOT, None)
    if held is None or held[0] is not ctx.principal:
        held = (ctx.principal, DeploymentLoaders.for_principal(ctx.principal))
        setattr(ctx, _SLOT, held)
    return held[1]


# ------------------------------------------------------------------------------------------ types


@model_type(deployments.EnvironmentInfo)
class Environment:
    pass


@model_type(deployments.TransitionInfo)
class DeploymentTransition:
    pass


@model_type(deployments.ArtifactInfo)
class DeploymentArtifact:
    pass


@model_type(deployments.ChangeInfo)
class DeploymentChange:
    pass


@model_type(deployments.ConfigChangeInfo)
class ConfigurationChange:
    patch: JSON


@model_type(deployments.ShippedPromptVersion)
class DeployedPromptVersion:
    @strawberry.field(description="The prompt")
    async def prompt(self, info: Info) -> Prompt | None:
        found = await info.context.loaders.prompt.load(self.prompt_id)
        return Prompt.from_pydantic(found) if found else None

    @strawberry.field(description="The catalog's version (null until the version first ran)")
    async def version(self, info: Info) -> PromptVersion | None:
        for v in await info.context.loaders.versions.load(self.prompt_id):
            if v.version_hash == self.version_hash:
                return PromptVersion.from_pydantic(PromptVersionInfo.model_validate(v, from_attributes=True))
        return None

    @strawberry.field(description="This version's figures over [periodStart, periodEnd] (default: all time)")
    async def analytics(
        self, info: Info, period_start: datetime | None = None, period_end: datetime | None = None
    ) -> PromptAnalytics:
        key = (self.prompt_id, self.version_hash, period_start, period_end)
        return PromptAnalytics.from_pydantic(await info.context.loaders.version_analytics.load(key))


@model_type(deployments.LiveWindow)
class LiveWindow:
    end_reason: str


@model_type(deployments.WindowMetrics)
class WindowMetrics:
    pass


@model_type(deployments.DeploymentRef)
class DeploymentRef:
    pass


@model_type(deployments.DeploymentSide)
class DeploymentSide:
    pass


@model_type(deployments.MetricVerdict)
class MetricVerdict:
    metric: str
    verdict: str
    test: str


@model_type(deployments.Thresholds, name="DeploymentThresholds")
class DeploymentThresholds:
    pass


@model_type(deployments.Comparison, name="DeploymentComparison")
class DeploymentComparison:
    overall_verdict: str
    configuration: JSON = strawberry.field(description="added / removed / changed with JSON pointers, and the patch")
    artifacts: JSON
    prompt_versions: JSON


@model_type(deployments.DeploymentFrequency)
class DeploymentFrequency:
    band: str | None


@model_type(deployments.LeadTime)
class LeadTimeForChanges:
    band: str | None


@model_type(deployments.ChangeFailureRate)
class ChangeFailureRate:
    band: str | None


@model_type(deployments.TimeToRestore)
class TimeToRestore:
    band: str | None


@model_type(deployments.Dora, name="DoraMetrics")
class DoraMetrics:
    pass


@model_type(deployments.MetricsBucket, name="DeploymentMetricsBucket")
class DeploymentMetricsBucket:
    pass


@model_type(deployments.BandThreshold, name="DoraBandThreshold")
class DoraBandThreshold:
    pass


@model_type(deployments.DeploymentMetrics)
class DeploymentMetrics:
    interval: str


@model_type(deployments.PeriodCounts, name="DeploymentPeriodCounts")
class DeploymentPeriodCounts:
    by_status: JSON


@model_type(deployments.EnvironmentStatus)
class EnvironmentStatus:
    by_status: JSON


@model_type(deployments.StatusSummary, name="DeploymentStatusSummary")
class DeploymentStatusSummary:
    pass


@model_type(deployments.ConfigurationInfo, name="DeploymentConfiguration")
class DeploymentConfiguration:
    configuration: JSON


@model_type(deployments.PromptImpact)
class PromptImpact:
    overall_verdict: str


@model_type(deployments.DeploymentImpact)
class DeploymentImpact:
    pass


@model_type(deployments.DeploymentCore)
class Deployment:
    environment_id: strawberry.Private[int]
    created_by_id: strawberry.Private[int | None]

    @strawberry.field(description="started -> finished, in seconds")
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @strawberry.field(description="Statuses this deployment may move to next")
    def allowed_transitions(self) -> list[str]:
        return list(deployments.TRANSITIONS[self.status])

    @strawberry.field
    async def environment(self, info: Info) -> Environment:
        found = await loaders(info).environment.load(self.environment_id)
        assert found is not None  # same organization by construction
        return Environment.from_pydantic(found)

    @strawberry.field(description="Who reported it (null when that user is gone)")
    async def created_by(self, info: Info) -> User | None:
        if self.created_by_id is None:
            return None
        found = await info.context.loaders.user.load(self.created_by_id)
        return User.from_pydantic(found) if found else None

    @strawberry.field(description="Every status change: from, to, who, when")
    async def transitions(self, info: Info) -> list[DeploymentTransition]:
        return [DeploymentTransition.from_pydantic(t) for t in await loaders(info).transitions.load(self.id)]

    @strawberry.field
    async def artifacts(self, info: Info) -> list[DeploymentArtifact]:
        return [DeploymentArtifact.from_pydantic(a) for a in await loaders(info).artifacts.load(self.id)]

    @strawberry.field(description="Commits it contains (lead time for changes)")
    async def changes(self, info: Info) -> list[DeploymentChange]:
        return [DeploymentChange.from_pydantic(c) for c in await loaders(info).changes.load(self.id)]

    @strawberry.field(description="The prompt versions it ships")
    async def prompt_versions(self, info: Info) -> list[DeployedPromptVersion]:
        return [DeployedPromptVersion.from_pydantic(p) for p in await loaders(info).prompt_versions.load(self.id)]

    @strawberry.field(description="Every configuration write: revision, who, when, RFC 6902 patch")
    async def configuration_history(self, info: Info) -> list[ConfigurationChange]:
        history = await loaders(info).configuration_history.load(self.id)
        return [ConfigurationChange.from_pydantic(c) for c in history]

    @strawberry.field(
        permission_classes=[IsAdmin],
        description="Before and after: each shipped prompt over the live window vs the same length before",
    )
    async def impact(self, info: Info) -> DeploymentImpact:
        found = await loaders(info).impact.load(self.id)
        assert found is not None  # same organization by construction
        return DeploymentImpact.from_pydantic(found)

    @strawberry.field(
        permission_classes=[IsAdmin], description="This deployment (baseline) against another (candidate)"
    )
    async def comparison(
        self, info: Info, with_: Annotated[strawberry.ID, strawberry.argument(name="with")]
    ) -> DeploymentComparison:
        other = bounded_int(_int_id(with_, "with"), "with")
        return comparison_of(await loaders(info).comparison.load((self.id, other)))


def comparison_of(data: deployments.Comparison) -> DeploymentComparison:
    """The typed parts as types, the free-form diffs as plain JSON."""
    out = DeploymentComparison.from_pydantic(data)
    out.configuration = data.configuration.model_dump(mode="json")
    out.artifacts = data.artifacts.model_dump(mode="json")
    out.prompt_versions = data.prompt_versions.model_dump(mode="json")
    return out


@strawberry.type
class DeploymentPage:
    items: list[Deployment]
    pagination: Pagination


def _int_id(value: Any, field: str) -> int:
    text = str(value)
    if not (text.isascii() and text.isdigit()):
        raise BadRequest.field(field, "must be an integer id")
    return bounded_int(int(text), field)


# ------------------------------------------------------------------------------------------ inputs


@strawberry.input
class EnvironmentInput:
    name: str
    kind: str
    description: str | None = None


@strawberry.input
class ArtifactInput:
    name: str
    kind: str
    ref: str
    digest: str | None = None


@strawberry.input
class ShippedPromptVersionInput:
    prompt_id: strawberry.ID = strawberry.field(description="Integer id or uuid")
    version_hash: str


@strawberry.input
class ChangeInput:
    sha: str
    committed_at: datetime
    message: str | None = None


@strawberry.input
class CreateDeploymentInput:
    name: str
    version: str
    environment_id: strawberry.ID | None = None
    environment: str | None = None
    description: str | None = None
    status: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    configuration: JSON | None = None
    artifacts: list[ArtifactInput] | None = None
    prompt_versions: list[ShippedPromptVersionInput] | None = None
    changes: list[ChangeInput] | None = None


def _plain(value: Any) -> Any:
    """Strawberry input objects to dicts, leaving out fields the client did not give (None)."""
    if hasattr(value, "__strawberry_definition__"):
        return {k: _plain(v) for k, v in vars(value).items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _deployment_input(data: CreateDeploymentInput) -> deployments.DeploymentInput:
    raw = _plain(data)
    if "environment_id" in raw:
        raw["environment_id"] = _int_id(raw["environment_id"], "environment_id")
    for item in raw.get("prompt_versions", []):
        text = str(item["prompt_id"])
        item["prompt_id"] = _int_id(text, "prompt_versions.prompt_id") if text.isdigit() else text
    return validated(deployments.DeploymentInput, raw)


# ------------------------------------------------------------------------------------------ root fields


@strawberry.type
class DeploymentsQuery:
    @strawberry.field(permission_classes=[IsAuthenticated], description="The organization's environments")
    async def environments(self, info: Info, kind: str | None = None) -> list[Environment]:
        return [Environment.from_pydantic(e) for e in await deployments.list_environments(info.context.user, kind)]

    @strawberry.field(permission_classes=[IsAuthenticated], description="A deployment of the caller's organization")
    async def deployment(self, info: Info, id: strawberry.ID) -> Deployment:
        found = await loaders(info).deployment.load(_int_id(id, "id"))
        if found is None:
            raise NotFound(f"Deployment not found: {id}")
        return Deployment.from_pydantic(found)

    @strawberry.field(permission_classes=[IsAuthenticated], description="Newest first, paginated; filters combine")
    async def deployments(
        self,
        info: Info,
        environment_id: strawberry.ID | None = None,
        status: list[str] | None = None,
        version: str | None = None,
        prompt_id: strawberry.ID | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> DeploymentPage:
        rows, pagination = await deployments.page_deployments(
            info.context.user,
            environment_id=_int_id(environment_id, "environment_id") if environment_id is not None else None,
            statuses=status,
            version=version,
            prompt_id=_int_id(prompt_id, "prompt_id") if prompt_id is not None else None,
            page=page,
            page_size=page_size,
        )
        for row in rows:  # the page is known: later deployment(id) lookups need no query
            loaders(info).deployment.prime(row.id, row)
        return DeploymentPage(
            items=[Deployment.from_pydantic(r) for r in rows],
            pagination=Pagination(**pagination.model_dump()),
        )

    @strawberry.field(permission_classes=[IsAdmin], description="Deployment 1 (baseline) against deployment 2")
    async def deployment_comparison(
        self, info: Info, deployment_id1: strawberry.ID, deployment_id2: strawberry.ID
    ) -> DeploymentComparison:
        data = await deployments.compare(
            info.context.user, _int_id(deployment_id1, "deployment_id1"), _int_id(deployment_id2, "deployment_id2")
        )
        return comparison_of(data)

    @strawberry.field(permission_classes=[IsAdmin], description="Buckets with DORA keys (REST: .../metrics)")
    async def deployment_metrics(
        self,
        info: Info,
        environment_id: strawberry.ID | None = None,
        days: int = 30,
        interval: str = "day",
        incident_horizon_hours: int = 24,
    ) -> DeploymentMetrics:
        data = await deployments.deployment_metrics(
            info.context.user,
            _int_id(environment_id, "environment_id") if environment_id is not None else None,
            days,
            interval,
            incident_horizon_hours,
        )
        return DeploymentMetrics.from_pydantic(data)

    @strawberry.field(
        permission_classes=[IsAdmin], description="Counts by status and environment, vs the period before"
    )
    async def deployment_status_summary(
        self, info: Info, environment_id: strawberry.ID | None = None, days: int = 30
    ) -> DeploymentStatusSummary:
        env = _int_id(environment_id, "environment_id") if environment_id is not None else None
        return DeploymentStatusSummary.from_pydantic(await deployments.status_summary(info.context.user, env, days))


@strawberry.type
class DeploymentsMutation:
    @strawberry.mutation(permission_classes=[IsAdmin])
    async def create_environment(self, info: Info, input: EnvironmentInput) -> Environment:
        data = validated(deployments.EnvironmentInput, _plain(input))
        return Environment.from_pydantic(await deployments.create_environment(info.context.user, data))

    @strawberry.mutation(permission_classes=[IsAdmin], description="Report a deployment (as POST /api/v1/deployments)")
    async def create_deployment(self, info: Info, input: CreateDeploymentInput) -> Deployment:
        created = await deployments.create_deployment_core(info.context.user, _deployment_input(input))
        loaders(info).deployment.prime(created.id, created)
        return Deployment.from_pydantic(created)

    @strawberry.mutation(permission_classes=[IsAdmin], description="Illegal transitions are a CONFLICT")
    async def transition_deployment(
        self, info: Info, id: strawberry.ID, status: str, note: str | None = None
    ) -> Deployment:
        body = validated(
            deployments.TransitionInput, {"status": status, **({"note": note} if note is not None else {})}
        )
        moved = await deployments.transition_core(info.context.user, _int_id(id, "id"), body)
        loaders(info).deployment.prime(moved.id, moved, force=True)
        return Deployment.from_pydantic(moved)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Replace a pending deployment's configuration; a stale ifMatch is PRECONDITION_FAILED",
    )
    async def configure_deployment(
        self, info: Info, id: strawberry.ID, configuration: JSON, if_match: str | None = None
    ) -> DeploymentConfiguration:
        data = await deployments.put_configuration(info.context.user, _int_id(id, "id"), configuration, if_match)
        return DeploymentConfiguration.from_pydantic(data)
