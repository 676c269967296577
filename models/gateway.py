"""Gateway telemetry: an organization's registered scrape/probe targets and what each collection found.

A target is a Kong gateway's Prometheus endpoint (``kong``), an MCP server container's health
URL (``mcp_server``) or a WebSocket proxy's stats endpoint (``websocket_proxy``).  Each
collection stores one sample per target: healthy or not, the response time, a generic error,
and the figures parsed from the answer (``figures``; for Kong the sums of its counters and
histograms, for a WebSocket proxy its connection and message counters).  Samples with
``target`` NULL and ``organization`` NULL are this service's own WebSocket figures (GraphQL
subscriptions), which belong to the platform.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

TARGET_KINDS = ("kong", "mcp_server", "websocket_proxy")


class GatewayTarget(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="gateway_targets", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    kind = fields.CharField(max_length=20)
    url = fields.CharField(max_length=2000)
    enabled = fields.BooleanField(default=True)
    interval_seconds = fields.IntField(default=60)
    timeout_seconds = fields.FloatField(default=5.0)
    last_collected_at = fields.DatetimeField(null=True)
    last_healthy = fields.BooleanField(null=True)
    last_error = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organization_id: int

    class Meta:
        table = "gateway_targets"
        unique_together = (("organization", "name"),)
        indexes = (("enabled", "last_collected_at"),)


class GatewaySample(Model):
    id = fields.BigIntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="gateway_samples", on_delete=fields.CASCADE, null=True
    )
    target = fields.ForeignKeyField("models.GatewayTarget", related_name="samples", on_delete=fields.CASCADE, null=True)
    kind = fields.CharField(max_length=20)  # the target's kind, or "service_websocket"
    collected_at = fields.DatetimeField()
    healthy = fields.BooleanField()
    response_ms = fields.FloatField(null=True)
    http_status = fields.IntField(null=True)
    error = fields.CharField(max_length=200, null=True)
    figures = fields.JSONField(default=dict)

    organization_id: int | None
    target_id: int | None

    class Meta:
        table = "gateway_samples"
        # the third: the health view's probes of a day, healthy and not, and its latest unhealthy one
        # (without it, an organization whose probes rarely fail had all its samples read for that one)
        indexes = (
            ("organization_id", "kind", "collected_at"),
            ("target_id", "collected_at"),
            ("organization_id", "healthy", "collected_at"),
        )
