"""Database performance: periodic samples of the database's own statistics and optimization runs.

All platform-wide (they describe the one database every organization shares), so no
``organization`` foreign key: only superusers read or start them.  Samples are written by the
``sample_database_stats`` cron job and pruned by it; counters are stored raw (cumulative, as
PostgreSQL reports them) and turned into rates at read time, pair by pair, so a statistics reset
between two samples loses one interval instead of producing a negative rate.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

RUN_STATUSES = ("queued", "running", "completed", "failed")


# One reading of pg_stat_database for the current database (or the SQLite file's page figures).
class DbStatSample(Model):
    id = fields.BigIntField(primary_key=True)
    sampled_at = fields.DatetimeField()
    stats_reset = fields.DatetimeField(null=True)
    xact_commit = fields.BigIntField(default=0)
    xact_rollback = fields.BigIntField(default=0)
    blks_read = fields.BigIntField(default=0)
    blks_hit = fields.BigIntField(default=0)
    tup_returned = fields.BigIntField(default=0)
    tup_fetched = fields.BigIntField(default=0)
    tup_inserted = fields.BigIntField(default=0)
    tup_updated = fields.BigIntField(default=0)
    tup_deleted = fields.BigIntField(default=0)
    temp_files = fields.BigIntField(default=0)
    temp_bytes = fields.BigIntField(default=0)
    deadlocks = fields.BigIntField(default=0)
    connections = fields.IntField(default=0)
    max_connections = fields.IntField(null=True)
    database_bytes = fields.BigIntField(default=0)
    duration_ms = fields.FloatField(default=0)  # what taking this sample cost (the job's overhead)

    class Meta:
        table = "dbperf_stat_samples"
        indexes = (("sampled_at",),)


# One table or index of this database at one sample: size and its usage counters.
class DbRelationSample(Model):
    id = fields.BigIntField(primary_key=True)
    sampled_at = fields.DatetimeField()
    relation = fields.CharField(max_length=200)
    table_name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=5)  # "table" | "index"
    size_bytes = fields.BigIntField(default=0)
    live_rows = fields.BigIntField(null=True)
    dead_rows = fields.BigIntField(null=True)
    seq_scan = fields.BigIntField(null=True)
    idx_scan = fields.BigIntField(null=True)
    rows_written = fields.BigIntField(null=True)

    class Meta:
        table = "dbperf_relation_samples"
        indexes = (("sampled_at",), ("relation", "sampled_at"))


# POST /admin/performance/database/optimize: one requested run of maintenance tasks.
class OptimizationRun(Model):
    id = fields.IntField(primary_key=True)
    requested_by = fields.IntField()  # user id of the superuser who asked
    organization_id = fields.IntField()  # that user's organization (who, not whose data)
    tasks = fields.JSONField(default=list)
    tables = fields.JSONField(default=list)
    dry_run = fields.BooleanField(default=False)
    status = fields.CharField(max_length=10, default="queued")
    statements = fields.JSONField(default=list)  # [{task, table, sql, duration_ms, error}]
    before = fields.JSONField(default=dict)  # {table: figures}
    after = fields.JSONField(default=dict)
    error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    duration_ms = fields.FloatField(null=True)

    class Meta:
        table = "dbperf_optimization_runs"
        indexes = (("status",),)
