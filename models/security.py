"""Security events: what the request path observed (failed logins, forbidden access, probes, ...).

Written in batches by the ingest drain (kind ``security``), never by the request itself.
Decisions (blocks) are not here: they live in Redis, where every web process enforces them
(``services/security/decisions.py``); each decision also leaves an ``ip_blocked`` event here.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class SecurityEvent(Model):
    id = fields.BigIntField(primary_key=True)
    event_id = fields.UUIDField(unique=True)  # idempotent re-delivery from the stream
    event_type = fields.CharField(max_length=32)
    threat_level = fields.CharField(max_length=10)
    source_ip = fields.CharField(max_length=45)
    method = fields.CharField(max_length=10)
    path = fields.CharField(max_length=512)
    status = fields.IntField(null=True)
    # Known when the request carried a valid credential; SET NULL keeps the platform's history.
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="security_events", null=True, on_delete=fields.SET_NULL
    )
    user_id = fields.IntField(null=True)
    user_agent = fields.CharField(max_length=256, null=True)
    detail = fields.JSONField(null=True)
    occurred_at = fields.DatetimeField()
    hour = fields.IntField()  # epoch hour of occurred_at: the time buckets group by it on both dialects

    organization_id: int | None

    class Meta:
        table = "security_events"
        indexes = (
            ("occurred_at",),
            ("organization_id", "occurred_at"),
            ("source_ip", "occurred_at"),
            ("event_type", "occurred_at"),
            ("threat_level", "occurred_at"),
        )
