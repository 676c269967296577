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
        # source_ip last in the first two: the statistics' top sources and distinct count of a window
        # are an index-only scan (0.35 s for an organization's 833k events of 30 days, 2.3 s from the rows)
        indexes = (
            ("occurred_at", "source_ip"),
            ("organization_id", "occurred_at", "source_ip"),
            ("source_ip", "occurred_at"),
            ("event_type", "occurred_at"),
            ("threat_level", "occurred_at"),
        )


class SecurityRollup(Model):
    """Stored events of one epoch hour counted by one facet value: the threat statistics' counts.

    ``facet`` is ``type`` (event type), ``level`` (threat level) or ``path`` (request path, empty
    ones not counted); the drain adds to these rows in the transaction that stores the events, so
    they always equal the raw rows.  Source addresses are not rolled up: per hour they are nearly
    as many as the events (74% in ``bench/security_statistics.py``), so the statistics read them
    from ``security_events``.

    ``organization_id`` 0 is no organization.  No foreign key: like its events (organization set
    to NULL), a deleted organization's rows still count in the platform's figures.
    """

    id = fields.BigIntField(primary_key=True)
    organization_id = fields.IntField()
    hour = fields.IntField()
    facet = fields.CharField(max_length=8)
    value = fields.CharField(max_length=512)
    events = fields.BigIntField()

    class Meta:
        table = "security_rollups"
        # the unique key serves an organization's reads; the index, the platform's (every organization)
        unique_together = (("organization_id", "facet", "hour", "value"),)
        indexes = (("facet", "hour"),)
