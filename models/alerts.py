"""Alert rules, the alerts they open, and every alert's history.

``Alert.open_key`` is set while an alert is open (pending, firing, acknowledged)
and cleared when it resolves; its unique index is what guarantees one open alert
per rule x entity even with several workers evaluating at once (NULLs never
collide, on PostgreSQL and SQLite alike).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

SEVERITIES = ("info", "warning", "critical")
ALERT_STATUSES = ("pending", "firing", "acknowledged", "resolved")
OPEN_STATUSES = ("pending", "firing", "acknowledged")


# A threshold rule over a built-in or recorded metric.  (No class docstring: table COMMENT.)
class AlertRule(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField("models.Organization", related_name="alert_rules", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=200)
    metric = fields.CharField(max_length=100)
    aggregation = fields.CharField(max_length=10, null=True)  # null for built-in metrics (they define their own)
    comparison = fields.CharField(max_length=3)
    threshold = fields.FloatField()
    warning_threshold = fields.FloatField(null=True)
    window_minutes = fields.IntField()
    pending_minutes = fields.IntField(default=0)
    severity = fields.CharField(max_length=10)
    scope = fields.JSONField(default=dict)  # {"prompt_id"?, "version_hash"?, "tags"?, "per_entity"?}
    channel_ids = fields.JSONField(default=list)
    enabled = fields.BooleanField(default=True)
    renotify_minutes = fields.IntField(null=True)
    created_by_id = fields.IntField(null=True)
    last_evaluated_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organization_id: int

    class Meta:
        table = "alert_rules"
        indexes = (("organization_id", "metric", "enabled"),)


# One incident of a rule (per entity) or of an external source such as the performance monitor.
# organization is NULL for platform-wide alerts (visible to superusers only).
class Alert(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="alerts", null=True, on_delete=fields.CASCADE, db_index=False
    )
    rule = fields.ForeignKeyField("models.AlertRule", related_name="alerts", null=True, on_delete=fields.SET_NULL)
    source = fields.CharField(max_length=50, default="rule")
    entity = fields.CharField(max_length=300, default="")
    open_key = fields.CharField(max_length=400, null=True, unique=True)
    status = fields.CharField(max_length=20)
    severity = fields.CharField(max_length=10)
    message = fields.TextField(default="")
    value = fields.FloatField(null=True)
    threshold = fields.FloatField(null=True)
    started_at = fields.DatetimeField()
    firing_at = fields.DatetimeField(null=True)
    acknowledged_at = fields.DatetimeField(null=True)
    acknowledged_by_id = fields.IntField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    resolved_by_id = fields.IntField(null=True)
    note = fields.TextField(null=True)
    last_notified_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organization_id: int | None
    rule_id: int | None

    class Meta:
        table = "alerts"
        indexes = (("organization_id", "started_at"), ("organization_id", "status"), ("rule_id", "status"))


# One transition of an alert: who (user id, NULL for the engine), when, from/to, note, value.
class AlertEvent(Model):
    id = fields.BigIntField(primary_key=True)
    alert = fields.ForeignKeyField("models.Alert", related_name="events", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=20)
    from_status = fields.CharField(max_length=20, null=True)
    to_status = fields.CharField(max_length=20)
    actor_id = fields.IntField(null=True)
    note = fields.TextField(null=True)
    value = fields.FloatField(null=True)
    at = fields.DatetimeField()

    alert_id: int

    class Meta:
        table = "alert_events"
        indexes = (("alert_id", "at"),)
