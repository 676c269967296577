"""Samples of the database's cumulative statistics, taken by the ``sample_database_stats`` cron job.

PostgreSQL only keeps counters since its last statistics reset; rates over "the last hour" need
two readings an hour apart.  Every ``SAMPLE_EVERY_MINUTES`` the job stores one row of
``pg_stat_database`` for the current database, and every ``RELATIONS_EVERY_MINUTES`` one row per
table and index (size, live and dead rows, scans, rows written: growth needs only the first
reading of a period, so hourly keeps 90 days of a few hundred relations at a few hundred thousand
rows), and prunes samples older than ``RETENTION_DAYS``.  On SQLite it
stores the file's size and each table's and index's bytes (``dbstat``); there are no counters.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from models.dbperf import DbRelationSample, DbStatSample
from services.core.database import scalar
from services.dbperf import access

SAMPLE_EVERY_MINUTES = 5
RELATIONS_EVERY_MINUTES = 60
RETENTION_DAYS = 90  # the longest metrics period
SAMPLE_TIMEOUT_MS = 10_000

DB_SAMPLE = """SELECT d.stats_reset, d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit, d.tup_returned,
       d.tup_fetched, d.tup_inserted, d.tup_updated, d.tup_deleted, d.temp_files, d.temp_bytes, d.deadlocks,
       d.numbackends AS connections, current_setting('max_connections')::int AS max_connections,
       pg_database_size(current_database()) AS database_bytes
FROM pg_stat_database d WHERE d.datname = current_database()"""

# A partition's ``table_name`` is its partitioned table's (``pg_partition_root``), so the growth of
# ``prompt_executions`` is the sum of its partitions; the partitioned parent itself stores nothing.
RELATIONS = """SELECT s.relname AS relation, coalesce(r.relname, s.relname) AS table_name, 'table' AS kind,
       pg_table_size(s.relid) AS size_bytes, s.n_live_tup AS live_rows, s.n_dead_tup AS dead_rows,
       s.seq_scan, s.idx_scan, s.n_tup_ins + s.n_tup_upd + s.n_tup_del AS rows_written
FROM pg_stat_user_tables s LEFT JOIN pg_class r ON r.oid = pg_partition_root(s.relid)
UNION ALL
SELECT i.indexrelname, coalesce(r.relname, i.relname), 'index', pg_relation_size(i.indexrelid), NULL, NULL, NULL,
       i.idx_scan, NULL
FROM pg_stat_user_indexes i LEFT JOIN pg_class r ON r.oid = pg_partition_root(i.relid)"""

SQLITE_RELATIONS = """SELECT d.name AS relation, COALESCE(m.tbl_name, d.name) AS table_name,
       CASE m.type WHEN 'index' THEN 'index' ELSE 'table' END AS kind, sum(d.pgsize) AS size_bytes
FROM dbstat d LEFT JOIN sqlite_master m ON m.name = d.name
WHERE d.name NOT LIKE 'sqlite_%' GROUP BY d.name"""


async def current_relations() -> list[dict[str, Any]]:
    """Every table and index now: size and (PostgreSQL) its statistics counters (dialect: SQLite has dbstat only)."""
    if access.is_postgres():
        return await access.rows(RELATIONS, timeout_ms=SAMPLE_TIMEOUT_MS)
    return await access.rows(SQLITE_RELATIONS)


async def _database_row() -> dict[str, Any]:
    if access.is_postgres():  # dialect: SQLite has no pg_stat_database, only its page count
        return await access.one(DB_SAMPLE, timeout_ms=SAMPLE_TIMEOUT_MS)
    row = await access.one(
        "SELECT page_count * page_size AS database_bytes FROM pragma_page_count(), pragma_page_size()"
    )
    return {"database_bytes": row["database_bytes"], "connections": 0}


async def _relations_due(now: datetime) -> bool:
    latest: datetime | None = await scalar(
        DbRelationSample.all().order_by("-sampled_at").first().values_list("sampled_at", flat=True)
    )
    # a little slack so a cron firing a few seconds early still takes the hourly reading
    return latest is None or now - latest >= timedelta(minutes=RELATIONS_EVERY_MINUTES - 2)


async def take_sample(relations_too: bool | None = None) -> dict[str, Any]:
    """Store one sample of the database (and of every relation when due, or when ``relations_too``);
    prune old ones.  Returns what it cost."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    db = await _database_row()
    if relations_too is None:
        relations_too = await _relations_due(now)
    relations = await current_relations() if relations_too else []
    read_ms = (time.perf_counter() - started) * 1000
    fields = {k: v for k, v in db.items() if k in DbStatSample._meta.fields_map and v is not None}
    await DbStatSample.create(sampled_at=now, duration_ms=round(read_ms, 3), **fields)
    await DbRelationSample.bulk_create(
        [
            DbRelationSample(
                sampled_at=now,
                relation=r["relation"][:200],
                table_name=r["table_name"][:200],
                kind=r["kind"],
                size_bytes=int(r["size_bytes"] or 0),
                live_rows=r.get("live_rows"),
                dead_rows=r.get("dead_rows"),
                seq_scan=r.get("seq_scan"),
                idx_scan=r.get("idx_scan"),
                rows_written=r.get("rows_written"),
            )
            for r in relations
        ],
        batch_size=500,
    )
    cutoff = now - timedelta(days=RETENTION_DAYS)
    pruned = await DbStatSample.filter(sampled_at__lt=cutoff).delete()
    pruned += await DbRelationSample.filter(sampled_at__lt=cutoff).delete()
    return {
        "sampled_at": now.isoformat(),
        "relations": len(relations),
        "read_ms": round(read_ms, 3),
        "total_ms": round((time.perf_counter() - started) * 1000, 3),
        "pruned": pruned,
    }
