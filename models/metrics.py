"""Recorded custom metrics: one durable row per data point.

Built-in metric names (``services.metrics.builtin``) are derived from prompt
executions and never stored here.  ``tags_key`` holds the tags as ``|k=v|k=v|``
(sorted), so a tag filter is a portable ``LIKE`` on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

METRIC_TYPES = ("counter", "gauge", "histogram")


# One recorded data point of a custom metric.  (No class docstring: it would become a table COMMENT.)
class MetricPoint(Model):
    id = fields.BigIntField(primary_key=True)
    organization = fields.ForeignKeyField("models.Organization", related_name="metric_points", on_delete=fields.CASCADE)
    NAME_MAX_LENGTH = 100
    name = fields.CharField(max_length=NAME_MAX_LENGTH)
    value = fields.FloatField()
    type = fields.CharField(max_length=20)
    timestamp = fields.DatetimeField()
    prompt = fields.ForeignKeyField(
        "models.Prompt", related_name="metric_points", null=True, on_delete=fields.CASCADE, db_index=False
    )
    version_hash = fields.CharField(max_length=128, null=True)
    tags = fields.JSONField(default=dict)
    tags_key = fields.CharField(max_length=2000, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int
    prompt_id: int | None

    class Meta:
        table = "metric_points"
        # the second: views over every name of a window (the monitoring metrics overview), which the
        # first could only serve by reading all of the organization's points
        indexes = (("organization_id", "name", "timestamp"), ("organization_id", "timestamp"))
