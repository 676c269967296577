"""A deployment's configuration: read with its ETag, replace while pending, keep every change.

A write is a compare-and-set on ``configuration_revision`` (the ETag): ``UPDATE ... WHERE
revision = <the one read> AND status = 'pending'``, in one transaction with its history row
(the RFC 6902 patch from the value it replaced).  With ``If-Match`` a stale revision is a 412;
without it a write that lost a race re-reads and patches against the value that won, so
concurrent writes are serialized and none is lost from the history (each row's patch applies
to the previous row's result).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from models.deployments import Deployment, DeploymentConfigChange
from services.core.errors import Conflict, DomainError, FieldIssue
from services.deployments.configuration_doc import MAX_BYTES, MAX_DEPTH, check_configuration, diff, size_of
from services.deployments.schemas import ConfigurationInfo
from services.deployments.store import deployment_row, load_configuration_history
from services.identity import Principal, require_admin

MAX_ATTEMPTS = 20


class PreconditionFailed(DomainError):
    """``If-Match`` named a revision that is no longer current (RFC 9110 412)."""

    code = "PRECONDITION_FAILED"
    status = 412


def etag_of(deployment_id: int, revision: int) -> str:
    return f'"deployment-{deployment_id}-config-{revision}"'


def _matches(if_match: str, etag: str) -> bool:
    """RFC 9110 If-Match: ``*`` or a list of entity tags compared strongly (weak tags never match)."""
    candidates = [t.strip() for t in if_match.split(",")]
    return any(t == "*" or t == etag for t in candidates)


async def get_configuration(principal: Principal, deployment_id: int) -> ConfigurationInfo:
    principal = require_admin(principal)
    row = await deployment_row(principal, deployment_id)
    history = (await load_configuration_history(principal, [row.id], checked=True))[0]
    return _info(row, history)


def _info(row: Deployment, history: list[Any]) -> ConfigurationInfo:
    return ConfigurationInfo(
        deployment_id=row.id,
        status=row.status,
        editable=row.status == "pending",
        revision=row.configuration_revision,
        etag=etag_of(row.id, row.configuration_revision),
        size_bytes=size_of(row.configuration),
        max_bytes=MAX_BYTES,
        max_depth=MAX_DEPTH,
        configuration=row.configuration,
        history=history,
    )


async def put_configuration(
    principal: Principal,
    deployment_id: int,
    configuration: Any,
    if_match: str | None = None,
    now: datetime | None = None,
) -> ConfigurationInfo:
    """Replace the configuration of a pending deployment (409 otherwise; 412 on a stale ``If-Match``)."""
    principal = require_admin(principal)
    configuration = check_configuration(configuration, "")
    for _ in range(MAX_ATTEMPTS):
        row = await deployment_row(principal, deployment_id)
        if if_match is not None and not _matches(if_match, etag_of(row.id, row.configuration_revision)):
            raise PreconditionFailed(
                "The configuration changed since it was read (If-Match is stale); read it again",
                [FieldIssue("If-Match", f"current ETag is {etag_of(row.id, row.configuration_revision)}", "stale")],
            )
        if row.status != "pending":
            raise Conflict(
                f"Only a pending deployment's configuration can change (this one is '{row.status}')",
                [FieldIssue("status", "not pending", "not_pending")],
            )
        patch = diff(row.configuration, configuration)
        if not patch:  # nothing changes: no new revision, no history row
            return await get_configuration(principal, row.id)
        revision = row.configuration_revision + 1
        async with in_transaction():
            won = await Deployment.filter(
                id=row.id, status="pending", configuration_revision=row.configuration_revision
            ).update(configuration=configuration, configuration_revision=revision)
            if won:
                await DeploymentConfigChange.create(
                    deployment_id=row.id,
                    revision=revision,
                    actor_id=principal.user_id,
                    patch=patch,
                    at=(now or datetime.now(UTC)).astimezone(UTC),
                )
        if won:
            return await get_configuration(principal, row.id)
        # lost a race: with If-Match the next read answers 412; without, patch against the winner
    raise Conflict("The configuration is changing too often to apply this write; retry")
