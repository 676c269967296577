"""MCP tool executions (OpenTelemetry GenAI ``execute_tool`` spans) and their hourly/daily rollups.

A raw row is one tool call as the client reported it.  Rollup rows hold, per organization,
tool and bucket (an hour or a day), the call and error counts, the duration sum, the error
types with their counts and a mergeable duration sketch (:mod:`services.rollups.sketch`,
stored densely in binary: see ``sketch_counts``).
``user_id`` NULL on a rollup row means "every user of the organization" (what ``admin=true``
reads); a row with a user id is that user's own share (the default, user-scoped view).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

TOOL_STATUSES = ("success", "error")


class ToolExecution(Model):
    id = fields.BigIntField(primary_key=True)
    event_id = fields.UUIDField()  # the client's idempotency key: unique within its organization (Meta)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="tool_executions", on_delete=fields.CASCADE
    )
    user_id = fields.IntField(null=True)  # the caller who logged it (plain id: users outlive nothing here)
    tool_name = fields.CharField(max_length=200)  # gen_ai.tool.name
    mcp_server = fields.CharField(max_length=200, null=True)  # server.address / the MCP server's name
    operation = fields.CharField(max_length=64, default="execute_tool")  # gen_ai.operation.name / mcp.method.name
    status = fields.CharField(max_length=16)  # success | error
    error_type = fields.CharField(max_length=200, null=True)  # error.type
    duration_ms = fields.FloatField()  # mcp.server.operation.duration, in milliseconds
    started_at = fields.DatetimeField()
    prompt_id = fields.IntField(null=True)
    prompt_version = fields.CharField(max_length=128, null=True)
    arguments_size = fields.IntField(null=True)  # bytes of the call's arguments
    result_size = fields.IntField(null=True)  # bytes of its result
    received_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "tool_executions"
        # An event id names a call within its organization: another organization's call with the same id
        # is its own call, not a duplicate (a retry within one organization still is).
        unique_together = (("organization", "event_id"),)
        indexes = (
            # Covers the raw-edge aggregate of an organization-wide window (index-only scan): the partial
            # hours at a window's ends are summed from raw rows, ~14k per hour at 10M calls a month.
            ("organization_id", "started_at", "tool_name", "status", "error_type", "duration_ms"),
            ("organization_id", "user_id", "started_at"),
            ("organization_id", "tool_name", "started_at"),
        )


class ToolRollup(Model):
    """One bucket of one tool: ``granularity`` 'hour' or 'day', ``bucket_start`` its UTC start."""

    id = fields.BigIntField(primary_key=True)
    organization = fields.ForeignKeyField("models.Organization", related_name="tool_rollups", on_delete=fields.CASCADE)
    user_id = fields.IntField(null=True)  # NULL: the whole organization
    tool_name = fields.CharField(max_length=200)
    # the MCP server the calls named (NULL: none): a tool's calls to two servers are two rows; the
    # gateway's billing sums calls per server from these instead of scanning 30 days of raw calls
    mcp_server = fields.CharField(max_length=200, null=True)
    granularity = fields.CharField(max_length=8)
    bucket_start = fields.DatetimeField()
    calls = fields.BigIntField(default=0)
    errors = fields.BigIntField(default=0)
    duration_sum = fields.FloatField(default=0)
    error_types = fields.JSONField(default=dict)  # error.type -> count
    # The duration sketch (ms), dense: zeros, the first bucket key, and the bucket counts from it on as a
    # little-endian array (a 1-byte width prefix, then uint32 or int64 counts).  A binary column because a
    # 30-day window merges hundreds of these per query and parsing JSON dicts was most of its time.
    sketch_zeros = fields.BigIntField(default=0)
    sketch_lo = fields.IntField(default=0)
    sketch_counts = fields.BinaryField(null=True)

    organization_id: int

    class Meta:
        table = "tool_rollups"
        # the first: one user's (or the organization's) buckets; the second: every user's rows of some
        # buckets (billing's callers of a window: 64 ms through the first on 10M calls, 2 ms through it)
        indexes = (
            ("organization_id", "granularity", "user_id", "bucket_start"),
            ("organization_id", "granularity", "bucket_start", "user_id"),
        )
