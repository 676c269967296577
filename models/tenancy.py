"""Tenancy: organizations, their users, workspaces and API keys.

Every tenant-owned table carries an ``organization`` foreign key; services
filter on it, so a row of another organization is simply never found.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Organization(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organizations"


class User(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="users", on_delete=fields.CASCADE, db_index=True
    )
    email = fields.CharField(max_length=320, unique=True)
    password_hash = fields.CharField(max_length=255, null=True)
    role = fields.CharField(max_length=20, default="member")
    is_active = fields.BooleanField(default=True)
    # Tokens issued (``iat``) before this instant are refused: set on a role change or deactivation.
    credentials_changed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "users"


class Workspace(Model):
    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="workspaces", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "workspaces"
        unique_together = (("organization", "name"),)


class ApiKey(Model):
    """An API key is stored as ``prefix`` (public, indexed) plus a SHA-256 of the whole key.

    Keys are 256-bit random strings, so a fast hash is enough; the prefix lets the
    lookup hit one row through a unique index instead of hashing against every key.
    """

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="api_keys", on_delete=fields.CASCADE, db_index=True
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="api_keys", on_delete=fields.CASCADE, db_index=True
    )
    name = fields.CharField(max_length=100)
    prefix = fields.CharField(max_length=16, unique=True)
    key_hash = fields.CharField(max_length=64)
    role = fields.CharField(max_length=20, default="member")
    rate_limit_per_minute = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    organization_id: int
    user_id: int

    class Meta:
        table = "api_keys"
