"""Notification channels (webhook, Slack-compatible webhook, SMTP e-mail) and their deliveries.

A delivery row is written before its job is enqueued and updated by the worker after
each attempt, so the row is the record of what happened: status, attempts, the
receiver's answer (HTTP status or SMTP reply), latency and the last error.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

CHANNEL_KINDS = ("webhook", "slack", "email")
DELIVERY_KINDS = ("test", "alert_firing", "alert_resolved")
DELIVERY_STATUSES = ("queued", "delivering", "delivered", "failed")


# One destination of an organization.  ``config`` holds {"url"} for webhook/slack and the
# SMTP settings for email (host/port/from/to/username/password/starttls/use_tls/allow_plaintext); the
# password and ``secret`` (the HMAC key of webhook signatures) are never returned by reads.
class NotificationChannel(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="notification_channels", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=20)
    config = fields.JSONField(default=dict)
    secret = fields.CharField(max_length=500, null=True)
    enabled = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organization_id: int

    class Meta:
        table = "notification_channels"
        unique_together = (("organization", "name"),)


# One notification sent (or being sent) to one channel.  ``alert_id`` is a plain integer:
# alerts live in another aggregate and a delivery outlives nothing it points at.
# ``dedupe_key`` lets callers (the alert engine) make notify() idempotent per channel.
class NotificationDelivery(Model):
    id = fields.BigIntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="notification_deliveries", on_delete=fields.CASCADE
    )
    channel = fields.ForeignKeyField("models.NotificationChannel", related_name="deliveries", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=20)
    payload = fields.JSONField(default=dict)
    status = fields.CharField(max_length=20, default="queued")
    attempts = fields.IntField(default=0)
    http_status = fields.IntField(null=True)
    smtp_reply = fields.CharField(max_length=500, null=True)
    latency_ms = fields.FloatField(null=True)
    error = fields.TextField(null=True)
    job_id = fields.CharField(max_length=200, null=True)
    alert_id = fields.IntField(null=True)
    dedupe_key = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    next_attempt_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)

    organization_id: int
    channel_id: int

    class Meta:
        table = "notification_deliveries"
        unique_together = (("channel", "dedupe_key"),)
        indexes = (
            ("organization_id", "channel_id", "id"),
            ("organization_id", "alert_id"),
            ("organization_id", "id"),
            ("status", "updated_at"),  # the alert cycle's sweep of unfinished deliveries (channels.requeue_stale)
        )
