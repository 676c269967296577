"""Environments and deployments: create, read, list, transition, and the batch loaders.

The status is a state machine (:data:`TRANSITIONS`); a transition is a compare-and-set on
the row (``UPDATE ... WHERE status = <the status it was read in>``), so two racing callers
cannot both move a deployment, and the loser gets the 409 a stale request deserves.  Every
change of status is a :class:`DeploymentTransition` row (who, when, from, to).

Reads of many deployments (a page, a GraphQL list) load each relation for all of them in one
query (:func:`load_environments`, :func:`load_artifacts`, ...): a page costs the same handful
of statements whatever its size.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.exceptions import RedisError
from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.deployments import (
    ENVIRONMENT_KINDS,
    Deployment,
    DeploymentArtifact,
    DeploymentChange,
    DeploymentConfigChange,
    DeploymentPromptVersion,
    DeploymentTransition,
    Environment,
)
from models.prompts import Prompt, PromptVersion
from services.core.config import get_settings
from services.core.errors import BadRequest, Conflict, FieldIssue, NotFound
from services.core.pagination import Pagination
from services.core.redis_client import get_redis, key
from services.core.validation import bad_request
from services.deployments.configuration_doc import diff
from services.deployments.schemas import (
    ArtifactInfo,
    ChangeInfo,
    ConfigChangeInfo,
    DeploymentCore,
    DeploymentInfo,
    DeploymentInput,
    DeploymentPage,
    DeploymentRef,
    EnvironmentInfo,
    EnvironmentInput,
    PromptVersionInput,
    ShippedPromptVersion,
    TransitionInfo,
    TransitionInput,
)
from services.identity import Principal, require_admin, require_authenticated

FINAL = ("succeeded", "failed", "rolled_back", "cancelled")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending": ("in_progress", "cancelled"),
    "in_progress": ("succeeded", "failed", "rolled_back", "cancelled"),
    "succeeded": ("rolled_back",),  # a live release taken back later
    "failed": (),
    "rolled_back": (),
    "cancelled": (),
}
# How a deployment reported after the fact got to the status it reports (for its history).
PATHS: dict[str, tuple[str, ...]] = {
    "pending": (),
    "in_progress": ("in_progress",),
    "succeeded": ("in_progress", "succeeded"),
    "failed": ("in_progress", "failed"),
    "rolled_back": ("in_progress", "rolled_back"),
    "cancelled": ("cancelled",),
}
CLOCK_SKEW = timedelta(minutes=5)  # a reported timestamp may run this far ahead of ours
MAX_PAGE_SIZE = 100


def _version_key(organization_id: int) -> str:
    return key("deployments", "version", organization_id)


async def changed(organization_id: int) -> None:
    """Count a committed write to an organization's environments or deployments.

    Reads that cache what the deployments add up to (:func:`services.deployments.dora.deployment_metrics`)
    key on this counter, so a cached figure never outlives a write; when Redis is unavailable the
    counter cannot move, and those caches' short lifetime bounds the staleness instead.
    """
    with contextlib.suppress(RedisError, OSError):
        await get_redis().incr(_version_key(organization_id))


async def version(organization_id: int) -> int | None:
    """The organization's write counter (0 before any write); None when Redis is unavailable."""
    try:
        found = await get_redis().get(_version_key(organization_id))
    except (RedisError, OSError):
        return None
    return int(found or 0)


# ------------------------------------------------------------------------------------- environments


def environment_info(row: Environment) -> EnvironmentInfo:
    return EnvironmentInfo(
        id=row.id, name=row.name, kind=row.kind, description=row.description, created_at=row.created_at
    )


async def create_environment(principal: Principal, data: EnvironmentInput) -> EnvironmentInfo:
    principal = require_admin(principal)
    if await Environment.filter(organization_id=principal.organization_id, name=data.name).exists():
        raise Conflict(f"An environment named '{data.name}' already exists", [FieldIssue("name", "already exists")])
    try:
        row = await Environment.create(
            organization_id=principal.organization_id, name=data.name, kind=data.kind, description=data.description
        )
    except IntegrityError:  # a concurrent create of the same name
        raise Conflict(f"An environment named '{data.name}' already exists") from None
    await changed(principal.organization_id)  # a production environment changes the DORA scope
    return environment_info(row)


async def list_environments(principal: Principal, kind: str | None = None) -> list[EnvironmentInfo]:
    principal = require_authenticated(principal)
    query = Environment.filter(organization_id=principal.organization_id)
    if kind is not None:
        if kind not in ENVIRONMENT_KINDS:
            raise BadRequest.field("kind", f"kind must be one of {', '.join(ENVIRONMENT_KINDS)}")
        query = query.filter(kind=kind)
    return [environment_info(r) for r in await query.order_by("name")]


async def get_environment(principal: Principal, environment_id: int) -> EnvironmentInfo:
    return environment_info(await environment_row(principal, environment_id))


async def environment_row(principal: Principal, environment_id: int) -> Environment:
    principal = require_authenticated(principal)
    row = await Environment.get_or_none(id=environment_id, organization_id=principal.organization_id)
    if row is None:
        raise NotFound("Environment not found")
    return row


async def load_environments(principal: Principal, ids: Sequence[int]) -> list[EnvironmentInfo | None]:
    rows = await Environment.filter(id__in=list(set(ids)), organization_id=principal.organization_id)
    found = {r.id: environment_info(r) for r in rows}
    return [found.get(i) for i in ids]


# ------------------------------------------------------------------------------------- deployments


def deployment_core(row: Deployment) -> DeploymentCore:
    return DeploymentCore(
        id=row.id,
        environment_id=row.environment_id,
        name=row.name,
        version=row.version,
        description=row.description,
        status=row.status,
        configuration=row.configuration,
        configuration_revision=row.configuration_revision,
        created_by_id=row.created_by_id,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        rolled_back_at=row.rolled_back_at,
    )


async def load_deployments(principal: Principal, ids: Sequence[int]) -> list[DeploymentCore | None]:
    """Batch: many deployments in one query, scoped to the caller's organization."""
    rows = await Deployment.filter(id__in=list(set(ids)), organization_id=principal.organization_id)
    found = {r.id: deployment_core(r) for r in rows}
    return [found.get(i) for i in ids]


def deployment_ref(row: Deployment) -> DeploymentRef:
    return DeploymentRef(
        id=row.id,
        name=row.name,
        version=row.version,
        status=row.status,
        environment_id=row.environment_id,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


async def deployment_row(principal: Principal, deployment_id: int) -> Deployment:
    """The caller's deployment; another organization's (or none) is a 404."""
    principal = require_authenticated(principal)
    row = await Deployment.get_or_none(id=deployment_id, organization_id=principal.organization_id)
    if row is None:
        raise NotFound(f"Deployment not found: {deployment_id}")
    return row


async def _resolve_environment(principal: Principal, data: DeploymentInput) -> Environment:
    if data.environment_id is None and data.environment is None:
        raise BadRequest.field("environment_id", "environment_id or environment (its name) is required", "missing")
    query = Environment.filter(organization_id=principal.organization_id)
    if data.environment_id is not None:
        query = query.filter(id=data.environment_id)
        field = "environment_id"
    else:
        query = query.filter(name=data.environment)
        field = "environment"
    row = await query.first()
    if row is None or (data.environment is not None and row.name != data.environment):
        raise NotFound("Environment not found", [FieldIssue(field, "no such environment in your organization")])
    return row


async def resolve_prompts(principal: Principal, items: Sequence[PromptVersionInput]) -> dict[int, Prompt]:
    """Position -> prompt for each requested prompt (integer id or uuid) of the caller's organization."""
    ints = [i.prompt_id for i in items if isinstance(i.prompt_id, int)]
    uuids = [i.prompt_id for i in items if isinstance(i.prompt_id, uuid.UUID)]
    if not items:
        return {}
    rows = await Prompt.filter(Q(id__in=ints) | Q(uuid__in=uuids), organization_id=principal.organization_id).only(
        "id", "uuid", "name", "organization_id"
    )
    by_id = {r.id: r for r in rows}
    by_uuid = {r.uuid if isinstance(r.uuid, uuid.UUID) else uuid.UUID(str(r.uuid)): r for r in rows}
    out: dict[int, Prompt] = {}
    seen: set[int] = set()
    for n, item in enumerate(items):
        found = by_id.get(item.prompt_id) if isinstance(item.prompt_id, int) else by_uuid.get(item.prompt_id)
        if found is None:
            raise NotFound(
                f"Prompt not found: {item.prompt_id}",
                [FieldIssue(f"prompt_versions.{n}.prompt_id", "no such prompt in your organization")],
            )
        if found.id in seen:
            raise BadRequest.field(f"prompt_versions.{n}.prompt_id", "a deployment ships one version per prompt")
        seen.add(found.id)
        out[n] = found
    return out


def _check_unique(data: DeploymentInput) -> None:
    issues: list[FieldIssue] = []
    artifacts: set[tuple[str, str]] = set()
    for n, a in enumerate(data.artifacts):
        if (a.kind, a.name) in artifacts:
            issues.append(FieldIssue(f"artifacts.{n}.name", "duplicate artifact (same kind and name)", "duplicate"))
        artifacts.add((a.kind, a.name))
    shas: set[str] = set()
    for n, c in enumerate(data.changes):
        if c.sha.lower() in shas:
            issues.append(FieldIssue(f"changes.{n}.sha", "duplicate commit sha", "duplicate"))
        shas.add(c.sha.lower())
    if issues:
        raise bad_request(issues)


def _timestamps(data: DeploymentInput, now: datetime) -> tuple[datetime | None, datetime | None]:
    """started_at / finished_at of a deployment created in ``data.status``: given, else now."""
    path = PATHS[data.status]
    started = data.started_at if "in_progress" in path else None
    finished = data.finished_at if data.status in FINAL else None
    for field, given, allowed in (
        ("started_at", data.started_at, "in_progress" in path or data.status == "cancelled"),
        ("finished_at", data.finished_at, data.status in FINAL),
    ):
        if given is not None and not allowed:
            raise BadRequest.field(field, f"a deployment created as '{data.status}' has no {field}")
        if given is not None and given > now + CLOCK_SKEW:
            raise BadRequest.field(field, f"{field} is in the future")
    if data.status == "cancelled":
        started = data.started_at
    if "in_progress" in path and started is None:
        started = min(now, finished) if finished is not None else now
    if data.status in FINAL and finished is None:
        finished = now
    if started is not None and finished is not None and finished < started:
        raise BadRequest.field("finished_at", "finished_at is before started_at")
    return started, finished


async def create_deployment(principal: Principal, data: DeploymentInput, now: datetime | None = None) -> DeploymentInfo:
    """Record a deployment with everything it ships; a report after the fact records the status it reached."""
    principal = require_admin(principal)
    return (await deployment_infos(principal, [await _create(principal, data, now)]))[0]


async def create_deployment_core(principal: Principal, data: DeploymentInput) -> DeploymentCore:
    """:func:`create_deployment` answering only the deployment's own fields (the graph loads its relations)."""
    principal = require_admin(principal)
    return deployment_core(await _create(principal, data, None))


async def _create(principal: Principal, data: DeploymentInput, now: datetime | None) -> Deployment:
    now = (now or datetime.now(UTC)).astimezone(UTC)
    env = await _resolve_environment(principal, data)
    _check_unique(data)
    prompts = await resolve_prompts(principal, data.prompt_versions)
    started, finished = _timestamps(data, now)
    for n, c in enumerate(data.changes):
        latest = finished or now + CLOCK_SKEW
        if c.committed_at > latest:
            raise BadRequest.field(f"changes.{n}.committed_at", "a change cannot be committed after it was deployed")
    created = min(t for t in (now, started, finished) if t is not None)
    async with in_transaction():
        row = await Deployment.create(
            organization_id=principal.organization_id,
            environment_id=env.id,
            name=data.name,
            version=data.version,
            description=data.description,
            status=data.status,
            configuration=data.configuration,
            configuration_revision=1,
            created_by_id=principal.user_id,
            created_at=created,
            started_at=started,
            finished_at=finished,
            rolled_back_at=finished if data.status == "rolled_back" else None,
        )
        steps = [("pending", created), *((s, finished if s in FINAL else started) for s in PATHS[data.status])]
        history, previous = [], None
        for status, at in steps:
            history.append(
                DeploymentTransition(
                    deployment_id=row.id, from_status=previous, to_status=status, actor_id=principal.user_id, at=at
                )
            )
            previous = status
        await DeploymentTransition.bulk_create(history)
        await DeploymentConfigChange.create(
            deployment_id=row.id,
            revision=1,
            actor_id=principal.user_id,
            patch=diff({}, data.configuration),
            at=created,
        )
        if data.artifacts:
            await DeploymentArtifact.bulk_create(
                [
                    DeploymentArtifact(deployment_id=row.id, name=a.name, kind=a.kind, ref=a.ref, digest=a.digest)
                    for a in data.artifacts
                ]
            )
        if data.prompt_versions:
            await DeploymentPromptVersion.bulk_create(
                [
                    DeploymentPromptVersion(deployment_id=row.id, prompt_id=prompts[n].id, version_hash=p.version_hash)
                    for n, p in enumerate(data.prompt_versions)
                ]
            )
        if data.changes:
            await DeploymentChange.bulk_create(
                [
                    DeploymentChange(
                        deployment_id=row.id, sha=c.sha.lower(), committed_at=c.committed_at, message=c.message
                    )
                    for c in data.changes
                ]
            )
    await changed(principal.organization_id)
    return row


async def get_deployment(principal: Principal, deployment_id: int) -> DeploymentInfo:
    row = await deployment_row(principal, deployment_id)
    return (await deployment_infos(principal, [row]))[0]


async def newest_deployments(principal: Principal, pairs: Collection[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """The newest deployment (by report time) of each (environment id, version) of the caller's
    organization that has one: one statement for all pairs (the span resources' links)."""
    principal = require_authenticated(principal)
    wanted = set(pairs)
    if not wanted:
        return {}
    rows = await (
        Deployment.filter(
            organization_id=principal.organization_id,
            environment_id__in=list({env for env, _ in wanted}),
            version__in=list({version for _, version in wanted}),
        )
        .order_by("-created_at", "-id")
        .values_list("environment_id", "version", "id")
    )
    newest: dict[tuple[int, str], int] = {}
    for env, version, deployment_id in rows:  # newest first: keep the first of each pair
        if (env, version) in wanted:
            newest.setdefault((env, version), deployment_id)
    return newest


async def page_deployments(
    principal: Principal,
    *,
    environment_id: int | None = None,
    statuses: Sequence[str] | None = None,
    version: str | None = None,
    prompt_id: int | None = None,
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    page: int = 1,
    page_size: int = 20,
) -> tuple[list[DeploymentCore], Pagination]:
    """One page of the caller's deployment rows, newest first, and its pagination (two queries)."""
    principal = require_authenticated(principal)
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise BadRequest.field("page_size", f"page_size must be between 1 and {MAX_PAGE_SIZE}", "out_of_range")
    if page < 1:
        raise BadRequest.field("page", "page must be at least 1", "out_of_range")
    if period_start is not None and period_end is not None and period_start > period_end:
        raise BadRequest.field("period_start", "period_start is after period_end")
    query = Deployment.filter(organization_id=principal.organization_id)
    if environment_id is not None:
        await environment_row(principal, environment_id)
        query = query.filter(environment_id=environment_id)
    if statuses:
        unknown = sorted(set(statuses) - TRANSITIONS.keys())
        if unknown:
            raise BadRequest.field("status", f"unknown status '{unknown[0]}'")
        query = query.filter(status__in=list(statuses))
    if version is not None:
        query = query.filter(version=version)
    if prompt_id is not None:
        if not await Prompt.filter(id=prompt_id, organization_id=principal.organization_id).exists():
            raise NotFound(f"Prompt not found: {prompt_id}")
        query = query.filter(prompt_versions__prompt_id=prompt_id)
    if period_start is not None:
        query = query.filter(created_at__gte=period_start)
    if period_end is not None:
        query = query.filter(created_at__lte=period_end)
    total = await query.count()
    rows = await query.order_by("-created_at", "-id").offset((page - 1) * page_size).limit(page_size)
    return [deployment_core(r) for r in rows], Pagination.of(page, page_size, total)


async def list_deployments(principal: Principal, **filters: Any) -> DeploymentPage:
    """Newest first.  Filters: environment, statuses, version, a prompt it ships, created in [start, end]."""
    rows, pagination = await page_deployments(principal, **filters)
    return DeploymentPage(items=await deployment_infos(principal, rows), pagination=pagination)


async def transition(
    principal: Principal, deployment_id: int, data: TransitionInput, now: datetime | None = None
) -> DeploymentInfo:
    """Move a deployment along the state machine; an illegal (or lost-race) transition is a 409."""
    principal = require_admin(principal)
    return (await deployment_infos(principal, [await _transition(principal, deployment_id, data, now)]))[0]


async def transition_core(principal: Principal, deployment_id: int, data: TransitionInput) -> DeploymentCore:
    """:func:`transition` answering only the deployment's own fields (the graph loads its relations)."""
    principal = require_admin(principal)
    return deployment_core(await _transition(principal, deployment_id, data, None))


async def _transition(
    principal: Principal, deployment_id: int, data: TransitionInput, now: datetime | None
) -> Deployment:
    now = (now or datetime.now(UTC)).astimezone(UTC)
    row = await deployment_row(principal, deployment_id)
    allowed = TRANSITIONS[row.status]
    if data.status not in allowed:
        raise Conflict(
            f"A deployment cannot go from '{row.status}' to '{data.status}'"
            + (f" (allowed: {', '.join(allowed)})" if allowed else f" ('{row.status}' is final)"),
            [FieldIssue("status", f"not allowed from '{row.status}'", "illegal_transition")],
        )
    changes: dict[str, Any] = {"status": data.status}
    if data.status == "in_progress":
        changes["started_at"] = now
    elif row.status == "succeeded":  # -> rolled_back: it was live until now
        changes["rolled_back_at"] = now
    else:
        changes["finished_at"] = now
        if data.status == "rolled_back":
            changes["rolled_back_at"] = now
    async with in_transaction():
        moved = await Deployment.filter(id=row.id, status=row.status).update(**changes)
        if not moved:
            raise Conflict(f"Deployment {row.id} changed status concurrently; read it again")
        await DeploymentTransition.create(
            deployment_id=row.id,
            from_status=row.status,
            to_status=data.status,
            actor_id=principal.user_id,
            note=data.note,
            at=now,
        )
    await changed(principal.organization_id)
    for name, value in changes.items():  # the row as stored: no read back
        setattr(row, name, value)
    return row


# ------------------------------------------------------------------------------------- batch loaders


def _group(rows: Iterable[Any], ids: Sequence[int], convert: Any) -> list[list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        grouped[r.deployment_id].append(convert(r))
    return [grouped.get(i, []) for i in ids]


def _children(model: Any, principal: Principal, ids: Sequence[int], checked: bool) -> Any:
    """Rows of ``model`` belonging to these deployments; unless ``checked`` (ids already scoped), only
    those of the caller's organization (a join in the same statement: loaders never cross organizations)."""
    query = model.filter(deployment_id__in=list(set(ids)))
    return query if checked else query.filter(deployment__organization_id=principal.organization_id)


async def load_artifacts(principal: Principal, ids: Sequence[int], checked: bool = False) -> list[list[ArtifactInfo]]:
    rows = await _children(DeploymentArtifact, principal, ids, checked).order_by("kind", "name")
    return _group(rows, ids, lambda r: ArtifactInfo(name=r.name, kind=r.kind, ref=r.ref, digest=r.digest))


async def load_changes(principal: Principal, ids: Sequence[int], checked: bool = False) -> list[list[ChangeInfo]]:
    rows = await _children(DeploymentChange, principal, ids, checked).order_by("committed_at", "id")
    return _group(rows, ids, lambda r: ChangeInfo(sha=r.sha, committed_at=r.committed_at, message=r.message))


async def load_transitions(
    principal: Principal, ids: Sequence[int], checked: bool = False
) -> list[list[TransitionInfo]]:
    rows = await _children(DeploymentTransition, principal, ids, checked).order_by("at", "id")
    return _group(
        rows,
        ids,
        lambda r: TransitionInfo(
            from_status=r.from_status, to_status=r.to_status, actor_id=r.actor_id, note=r.note, at=r.at
        ),
    )


async def load_configuration_history(
    principal: Principal, ids: Sequence[int], checked: bool = False
) -> list[list[ConfigChangeInfo]]:
    rows = await _children(DeploymentConfigChange, principal, ids, checked).order_by("revision")
    return _group(
        rows, ids, lambda r: ConfigChangeInfo(revision=r.revision, actor_id=r.actor_id, at=r.at, patch=r.patch)
    )


_PG_SHIPPED = """
SELECT s.deployment_id, s.prompt_id, s.version_hash, p.uuid AS prompt__uuid, p.name AS prompt__name, v.first_seen_at
FROM deployment_prompt_versions s
JOIN deployments d ON d.id = s.deployment_id
JOIN prompts p ON p.id = s.prompt_id
LEFT JOIN prompt_versions v ON v.prompt_id = s.prompt_id AND v.version_hash = s.version_hash
WHERE s.deployment_id = ANY($1::int[]) AND d.organization_id = $2
"""


async def load_prompt_versions(
    principal: Principal, ids: Sequence[int], checked: bool = False
) -> list[list[ShippedPromptVersion]]:
    """The prompt versions each deployment ships, with when each version first ran (one statement on
    PostgreSQL, two elsewhere).

    PostgreSQL buys: one round trip instead of two; the ``= ANY($1::int[])`` join is written by hand
    (dialect: SQLite has no arrays).
    """
    seen: dict[tuple[int, str], datetime] = {}
    if get_settings().is_postgres:
        _, found_rows = await connections.get("default").execute_query(
            _PG_SHIPPED, [list(set(ids)), principal.organization_id]
        )
        rows = [dict(r) for r in found_rows]
        seen = {(r["prompt_id"], r["version_hash"]): r["first_seen_at"] for r in rows if r["first_seen_at"]}
    else:
        rows = await _children(DeploymentPromptVersion, principal, ids, checked).values(
            "deployment_id", "prompt_id", "version_hash", "prompt__uuid", "prompt__name"
        )
    pairs = {(r["prompt_id"], r["version_hash"]) for r in rows}
    if pairs and not get_settings().is_postgres:
        found = await PromptVersion.filter(
            prompt_id__in=list({p for p, _ in pairs}), version_hash__in=list({v for _, v in pairs})
        ).values("prompt_id", "version_hash", "first_seen_at")
        seen = {(r["prompt_id"], r["version_hash"]): r["first_seen_at"] for r in found}
    grouped: dict[int, list[ShippedPromptVersion]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["prompt__name"], r["prompt_id"])):
        grouped[r["deployment_id"]].append(
            ShippedPromptVersion(
                prompt_id=r["prompt_id"],
                prompt_uuid=str(r["prompt__uuid"]),
                prompt_name=r["prompt__name"],
                version_hash=r["version_hash"],
                first_seen_at=seen.get((r["prompt_id"], r["version_hash"])),
            )
        )
    return [grouped.get(i, []) for i in ids]


def duration_seconds(row: Deployment | DeploymentCore) -> float | None:
    if row.started_at is None or row.finished_at is None:
        return None
    return (row.finished_at - row.started_at).total_seconds()


async def deployment_infos(principal: Principal, rows: Sequence[Deployment | DeploymentCore]) -> list[DeploymentInfo]:
    """Full views of rows already scoped to the caller: one query per relation for all of them."""
    ids = [r.id for r in rows]
    if not ids:
        return []
    envs = await load_environments(principal, [r.environment_id for r in rows])
    artifacts = await load_artifacts(principal, ids, checked=True)
    versions = await load_prompt_versions(principal, ids, checked=True)
    changes = await load_changes(principal, ids, checked=True)
    transitions = await load_transitions(principal, ids, checked=True)
    out = []
    for n, r in enumerate(rows):
        env = envs[n]
        assert env is not None  # same organization by construction
        out.append(
            DeploymentInfo(
                id=r.id,
                environment=env,
                name=r.name,
                version=r.version,
                description=r.description,
                status=r.status,
                created_by_id=r.created_by_id,
                created_at=r.created_at,
                started_at=r.started_at,
                finished_at=r.finished_at,
                rolled_back_at=r.rolled_back_at,
                duration_seconds=duration_seconds(r),
                configuration_revision=r.configuration_revision,
                allowed_transitions=list(TRANSITIONS[r.status]),
                artifacts=artifacts[n],
                prompt_versions=versions[n],
                changes=changes[n],
                transitions=transitions[n],
            )
        )
    return out
