"""Prompts, their versions, data sources and the execution/usage event stream.

One ``PromptExecution`` row per prompt invocation: the EvalGuard usage event
(uuid prompt id, version hash, latency, cost, score) and the RiverGen execution
(integer prompt id, durations, data sources, schemas) are the same stream with
optional fields.  ``Prompt`` keeps a copy of its latest execution so the history
view is one indexed query instead of a per-prompt lookup.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

PROMPT_STATUSES = ("draft", "processing", "completed", "failed")
EXECUTION_STATUSES = ("processing", "completed", "failed")


class DataSource(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField("models.Organization", related_name="data_sources", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=50, default="postgresql")
    created_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "data_sources"
        unique_together = (("organization", "name"),)


class Prompt(Model):
    id = fields.IntField(primary_key=True)
    uuid = fields.UUIDField()  # unique per organization (Meta), never globally
    organization = fields.ForeignKeyField("models.Organization", related_name="prompts", on_delete=fields.CASCADE)
    workspace = fields.ForeignKeyField(
        "models.Workspace", related_name="prompts", null=True, on_delete=fields.SET_NULL, db_index=True
    )
    owner = fields.ForeignKeyField("models.User", related_name="prompts", null=True, on_delete=fields.SET_NULL)
    name = fields.CharField(max_length=200)
    text = fields.TextField(default="")
    status = fields.CharField(max_length=20, default="draft")
    last_executed_at = fields.DatetimeField(null=True)
    last_execution_ms = fields.FloatField(null=True)
    last_data_source_ids = fields.JSONField(default=list)
    # ",1,2," form of the same ids: a portable LIKE filter on SQLite and PostgreSQL alike
    last_data_source_key = fields.CharField(max_length=1000, default="")
    tags = fields.JSONField(default=dict)  # {key: value}; filters dashboards (services/core/tags.py)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organization_id: int
    workspace_id: int | None
    owner_id: int | None

    class Meta:
        table = "prompts"
        unique_together = (("organization", "uuid"),)
        indexes = (("organization_id", "owner_id", "last_executed_at"), ("organization_id", "status"))


class PromptVersion(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="prompt_versions", on_delete=fields.CASCADE
    )
    prompt = fields.ForeignKeyField("models.Prompt", related_name="versions", on_delete=fields.CASCADE)
    version_hash = fields.CharField(max_length=128)
    first_seen_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()

    organization_id: int
    prompt_id: int

    class Meta:
        table = "prompt_versions"
        unique_together = (("prompt", "version_hash"),)


# On PostgreSQL the table is range-partitioned by occurred_at (migration 16, maintained by
# services/core/partitions.py), and a partitioned table's unique constraints must include the
# partition key: the primary key there is (id, occurred_at) and an event is unique by
# (organization_id, event_id, occurred_at): an event id names an event within its organization.
# A retry re-sends the same event with the same time, so that key still makes the drain
# idempotent; a retry whose time the server filled in is found by the drain's day-wide probe.
#
# Its two references carry no foreign-key constraint (``db_constraint=False``, migration 18): the
# per-row checks cost ~21 of the drain's ~49 us per event on PostgreSQL (a trigger and a query per
# inserted row).  The drain guarantees them instead, in its transaction, with one set-based check
# (it locks the batch's prompts and inserts only rows whose prompt exists), and deleting a prompt
# deletes its executions first (services/catalog/prompts.delete_prompt).
class PromptExecution(Model):
    id = fields.BigIntField(primary_key=True)
    event_id = fields.UUIDField()
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="executions", on_delete=fields.CASCADE, db_constraint=False
    )
    prompt = fields.ForeignKeyField(
        "models.Prompt", related_name="executions", on_delete=fields.CASCADE, db_constraint=False
    )
    version_hash = fields.CharField(max_length=128, null=True)
    status = fields.CharField(max_length=20, default="completed")
    total_duration_ms = fields.FloatField(null=True)
    ai_response_time_ms = fields.FloatField(null=True)
    query_execution_time_ms = fields.FloatField(null=True)
    latency_ms = fields.FloatField(null=True)
    cost_usd = fields.DecimalField(max_digits=18, decimal_places=8, null=True)
    score = fields.FloatField(null=True)
    data_source_ids = fields.JSONField(default=list)
    schema_names = fields.JSONField(default=list)
    user_id = fields.IntField(null=True)
    occurred_at = fields.DatetimeField()
    received_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int
    prompt_id: int

    class Meta:
        table = "prompt_executions"
        indexes = (("prompt_id", "occurred_at"),)
        unique_together = (("organization_id", "event_id", "occurred_at"),)


# Aggregate per prompt x version x status over one bucket: counts, sums (and sums of
# squares, for variances) and mergeable sketches.  Hourly rows are rebuilt whole from
# raw events whenever a bucket is marked dirty (late events re-open their bucket);
# daily rows are merged from a day's hourly rows.  So a rebuild is idempotent and
# always equals the raw data.  (A class docstring would become a table COMMENT,
# which aerich also emits for SQLite.)
class JsonText(fields.JSONField):  # type: ignore[type-arg]
    """JSON kept as its text on PostgreSQL (``json``, not ``jsonb``): for the rollups' sketches.

    The drain rewrites every touched rollup row's sketch in each transaction and reads it back
    under lock as text; ``jsonb`` builds its binary form on the way in and prints it again on
    the way out, ``json`` only checks the syntax.  On the 360 rows with the largest sketches,
    the rewrite took 29 ms with a jsonb sketch and 14 ms with a json one, the locked read
    8.6 ms against 2.2 ms.  The price is in the SQL that looks inside a sketch (bulk merges,
    exports): each ``->`` parses the text again.  The export's sketch aggregation over 33k rows
    took 94 ms on jsonb and 294 ms on json, so the daily rows, which exports read in bulk, keep
    jsonb sketches and only the minute and hourly rows use this; the totals stay jsonb everywhere
    (summed field by field in SQL, six times slower as json).
    """

    class _db_postgres:
        SQL_TYPE = "JSON"


class RollupFields(Model):
    id = fields.BigIntField(primary_key=True)
    organization_id = fields.IntField()
    prompt_id = fields.IntField()
    version_hash = fields.CharField(max_length=128, default="")
    status = fields.CharField(max_length=20)
    bucket_start = fields.DatetimeField()
    count = fields.IntField(default=0)
    totals = fields.JSONField(default=dict)  # measure -> [sum, n, sum of squares]
    data_sources = fields.JSONField(default=dict)  # data source id -> count
    schemas = fields.JSONField(default=dict)  # schema name -> count
    sketches = JsonText(default=dict)  # latency field -> serialized DDSketch
    max_occurred_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class PromptRollupHourly(RollupFields):
    class Meta:
        table = "prompt_rollups_hourly"
        unique_together = (("prompt_id", "bucket_start", "version_hash", "status"),)


class PromptRollupMinute(RollupFields):
    """The last ``MINUTE_ROLLUP_HOURS`` of executions per minute: sub-hour windows (alert rules of 5
    minutes, the ragged edges of longer windows) read these instead of raw events."""

    class Meta:
        table = "prompt_rollups_minute"
        unique_together = (("prompt_id", "bucket_start", "version_hash", "status"),)
        indexes = (("bucket_start",),)  # the prune of rows past the horizon


class RollupLevel(Model):
    """Since when a rollup level holds every execution stored (``minute``: set by the migration that
    added the minute rows, from the start on a database with no executions yet)."""

    name = fields.CharField(max_length=32, primary_key=True)
    complete_from = fields.DatetimeField()

    class Meta:
        table = "rollup_levels"


class PromptRollupDaily(RollupFields):
    sketches = fields.JSONField(default=dict)  # jsonb: exports read these in bulk (see JsonText)

    class Meta:
        table = "prompt_rollups_daily"
        unique_together = (("prompt_id", "bucket_start", "version_hash", "status"),)
