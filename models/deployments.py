"""Environments and the deployments made to them: the release graph.

A ``Deployment`` carries its status (a state machine, see ``services.deployments.lifecycle``),
its configuration (a JSON object with a revision counter that is the ``ETag``), and its
children: every status transition (who, when), every configuration change (who, when, the
RFC 6902 patch from the previous value), its artifacts, the prompt versions it ships and the
changes (commits) it contains.  Every table carries the organization, directly or through
the deployment, so a tenant's rows co-locate when sharded by organization.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

ENVIRONMENT_KINDS = ("production", "staging", "development")
DEPLOYMENT_STATUSES = ("pending", "in_progress", "succeeded", "failed", "rolled_back", "cancelled")
ARTIFACT_KINDS = ("prompt_version", "model", "container_image", "config")


# A place deployments go to (production, staging, ...).  (No class docstring: table COMMENT.)
class Environment(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="environments", on_delete=fields.CASCADE, db_index=False
    )
    name = fields.CharField(max_length=100)
    kind = fields.CharField(max_length=20)
    description = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "environments"
        unique_together = (("organization", "name"),)


# One release to one environment.  configuration_revision counts configuration writes (the ETag).
class Deployment(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="deployments", on_delete=fields.CASCADE, db_index=False
    )
    environment = fields.ForeignKeyField("models.Environment", related_name="deployments", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=200)
    version = fields.CharField(max_length=100)
    description = fields.TextField(default="")
    status = fields.CharField(max_length=20, default="pending")
    configuration = fields.JSONField(default=dict)
    configuration_revision = fields.IntField(default=1)
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    rolled_back_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organization_id: int
    environment_id: int

    class Meta:
        table = "deployments"
        indexes = (
            ("organization_id", "created_at"),
            ("organization_id", "finished_at"),
            ("organization_id", "status"),
            ("environment_id", "finished_at"),
        )


# One status change of a deployment: from (NULL at creation), to, who (user id), when, note.
class DeploymentTransition(Model):
    id = fields.BigIntField(primary_key=True)
    deployment = fields.ForeignKeyField("models.Deployment", related_name="transitions", on_delete=fields.CASCADE)
    from_status = fields.CharField(max_length=20, null=True)
    to_status = fields.CharField(max_length=20)
    actor_id = fields.IntField(null=True)
    note = fields.TextField(null=True)
    at = fields.DatetimeField()

    deployment_id: int

    class Meta:
        table = "deployment_transitions"
        indexes = (("deployment_id", "at"),)


# One configuration write: the revision it produced, who, when, and the RFC 6902 patch from the previous value.
class DeploymentConfigChange(Model):
    id = fields.BigIntField(primary_key=True)
    deployment = fields.ForeignKeyField(
        "models.Deployment", related_name="configuration_changes", on_delete=fields.CASCADE
    )
    revision = fields.IntField()
    actor_id = fields.IntField(null=True)
    patch = fields.JSONField(default=list)
    at = fields.DatetimeField()

    deployment_id: int

    class Meta:
        table = "deployment_config_changes"
        unique_together = (("deployment", "revision"),)


# Something a deployment ships: {name, kind, ref, digest}.
class DeploymentArtifact(Model):
    id = fields.IntField(primary_key=True)
    deployment = fields.ForeignKeyField("models.Deployment", related_name="artifacts", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=30)
    ref = fields.CharField(max_length=500, default="")
    digest = fields.CharField(max_length=200, null=True)

    deployment_id: int

    class Meta:
        table = "deployment_artifacts"
        unique_together = (("deployment", "kind", "name"),)


# A prompt version a deployment ships (one version per prompt and deployment).
class DeploymentPromptVersion(Model):
    id = fields.IntField(primary_key=True)
    deployment = fields.ForeignKeyField(
        "models.Deployment", related_name="prompt_versions", on_delete=fields.CASCADE, db_index=False
    )
    prompt = fields.ForeignKeyField("models.Prompt", related_name="deployments", on_delete=fields.CASCADE)
    version_hash = fields.CharField(max_length=128)

    deployment_id: int
    prompt_id: int

    class Meta:
        table = "deployment_prompt_versions"
        unique_together = (("deployment", "prompt"),)
        indexes = (("prompt_id", "version_hash"),)


# A change (commit) a deployment contains, for lead time: commit sha and when it was committed.
class DeploymentChange(Model):
    id = fields.BigIntField(primary_key=True)
    deployment = fields.ForeignKeyField("models.Deployment", related_name="changes", on_delete=fields.CASCADE)
    sha = fields.CharField(max_length=64)
    committed_at = fields.DatetimeField()
    message = fields.CharField(max_length=500, default="")

    deployment_id: int

    class Meta:
        table = "deployment_changes"
        unique_together = (("deployment", "sha"),)
