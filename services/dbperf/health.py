"""``GET /admin/performance/database/health``: PgHero-grade checks of the live database.

Each check is one catalog query (definitions follow PgHero's published SQL where it has one:
cache hit rates, unused/duplicate/invalid indexes, missing indexes, index bloat, transaction id
danger, sequence danger, long-running and blocked queries) and an evaluation against a documented
threshold.  The answer carries, per check, the status, the threshold, the observed value, the rows
behind it and the query itself as evidence.  Checks run side by side on the pool (at most
``PARALLEL`` at once), each under ``STATEMENT_TIMEOUT_MS``: a check that times out is an ``error``
check, the route still answers within its 2 s budget.

SQLite has its own checks (integrity, free-list ratio, page and WAL figures, foreign keys,
duplicate indexes, statistics, AUTOINCREMENT headroom) and lists what does not apply.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from services.dbperf import access
from services.dbperf.schemas import DatabaseHealth, HealthCheck, NotApplicable
from services.identity import Principal, require_superuser

PARALLEL = 4
MAX_DETAILS = 20
_RANK = {"ok": 0, "warning": 1, "critical": 2, "error": 1}


@dataclass
class Thresholds:
    """The limits the checks compare against (PgHero's defaults where it has one)."""

    cache_hit_warning: float = 0.99  # PgHero cache_hit_rate_threshold
    cache_hit_critical: float = 0.95
    cache_min_blocks: int = 1000  # below this many block reads a ratio says nothing yet
    connections_warning: float = 0.8  # share of max_connections in use
    connections_critical: float = 0.95
    idle_in_transaction_seconds: float = 60.0
    long_running_seconds: float = 60.0  # PgHero long_running_query_sec
    blocked_critical_seconds: float = 60.0
    unused_index_max_scans: int = 50  # PgHero unused_indexes(max_scans: 50)
    missing_index_min_rows: int = 10_000  # PgHero missing_indexes: n_live_tup >= 10000 ...
    missing_index_max_index_pct: float = 95.0  # ... and < 95 % of scans use an index
    table_bloat_ratio: float = 0.5
    table_bloat_min_bytes: int = 8 * 1024 * 1024
    index_bloat_min_bytes: int = 100 * 1024 * 1024  # PgHero index_bloat_bytes
    vacuum_stale_hours: float = 24.0
    dead_rows_min: int = 10_000
    dead_rows_ratio: float = 0.2
    xid_critical_left: int = 10_000_000  # PgHero transaction_id_danger
    sequence_fraction: float = 0.9  # PgHero sequence_danger(threshold: 0.9)
    replication_lag_seconds: float = 30.0
    temp_bytes_per_day: float = 1024**3
    checkpoint_requested_share: float = 0.5
    sqlite_freelist_ratio: float = 0.2
    sqlite_integrity_full_max_bytes: int = 256 * 1024 * 1024


THRESHOLDS = Thresholds()


@dataclass
class Outcome:
    status: str
    observed: float | None
    message: str
    details: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Check:
    name: str
    title: str
    category: str
    unit: str
    query: str
    evaluate: Callable[[list[dict[str, Any]], Thresholds], Outcome]
    threshold: Callable[[Thresholds], dict[str, Any]]
    args: Callable[[Thresholds], tuple[Any, ...]] = lambda t: ()
    runner: Callable[[str, tuple[Any, ...]], Awaitable[list[dict[str, Any]]]] | None = None


def _ratio(hit: Any, read: Any) -> float | None:
    hit, read = float(hit or 0), float(read or 0)
    return hit / (hit + read) if hit + read > 0 else None


def _plain(value: Any) -> Any:
    """JSON-friendly catalog values (Decimal, lists of pids, timestamps stay as they are)."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _rows(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in r.items()} for r in found]


def _count_outcome(found: list[dict[str, Any]], what: str, status: str = "warning") -> Outcome:
    if not found:
        return Outcome("ok", 0, f"no {what}")
    return Outcome(status, len(found), f"{len(found)} {what}", _rows(found))


# --------------------------------------------------------------------------- PostgreSQL checks

CACHE_TABLES = """SELECT sum(heap_blks_hit) AS hit, sum(heap_blks_read) AS read FROM pg_statio_user_tables"""
CACHE_INDEXES = """SELECT sum(idx_blks_hit) AS hit, sum(idx_blks_read) AS read FROM pg_statio_user_indexes"""


def _cache(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    row = found[0] if found else {}
    rate = _ratio(row.get("hit"), row.get("read"))
    detail = [{"blocks_hit": int(row.get("hit") or 0), "blocks_read": int(row.get("read") or 0)}]
    if rate is None or int(row.get("hit") or 0) + int(row.get("read") or 0) < t.cache_min_blocks:
        return Outcome(
            "ok",
            None if rate is None else round(rate, 6),
            f"too few block reads since the statistics reset to judge (fewer than {t.cache_min_blocks})",
            detail,
        )
    status = "critical" if rate < t.cache_hit_critical else "warning" if rate < t.cache_hit_warning else "ok"
    return Outcome(status, round(rate, 6), f"{rate:.2%} of block reads served from shared buffers", detail)


CONNECTIONS = """SELECT count(*) AS used,
       current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int AS reserved,
       count(*) FILTER (WHERE state = 'active') AS active,
       count(*) FILTER (WHERE state = 'idle') AS idle,
       count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS idle_in_transaction
FROM pg_stat_activity WHERE backend_type = 'client backend'"""


def _connections(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    row = found[0]
    used, maximum = int(row["used"]), int(row["max_connections"])
    share = used / maximum if maximum else 0.0
    status = "critical" if share >= t.connections_critical else "warning" if share >= t.connections_warning else "ok"
    return Outcome(status, round(share, 4), f"{used} of max_connections {maximum} in use", _rows(found))


IDLE_IN_TRANSACTION = """SELECT pid, usename AS user, application_name AS source, state,
       round(EXTRACT(EPOCH FROM now() - state_change)::numeric, 3) AS idle_seconds,
       left(query, 200) AS last_query
FROM pg_stat_activity
WHERE datname = current_database() AND state LIKE 'idle in transaction%'
  AND now() - state_change > make_interval(secs => $1::float8)
ORDER BY state_change"""

LONG_RUNNING = """SELECT pid, usename AS user, application_name AS source,
       round(EXTRACT(EPOCH FROM now() - COALESCE(query_start, xact_start))::numeric, 3) AS duration_seconds,
       wait_event_type, wait_event, left(query, 200) AS query
FROM pg_stat_activity
WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
  AND backend_type = 'client backend'
  AND now() - COALESCE(query_start, xact_start) > make_interval(secs => $1::float8)
ORDER BY COALESCE(query_start, xact_start)"""

BLOCKED = """SELECT a.pid AS blocked_pid, a.usename AS blocked_user,
       round(EXTRACT(EPOCH FROM now() - a.query_start)::numeric, 3) AS waiting_seconds,
       a.wait_event_type, left(a.query, 200) AS blocked_query,
       pg_blocking_pids(a.pid) AS blocking_pids,
       b.state AS blocking_state, left(b.query, 200) AS blocking_query
FROM pg_stat_activity a
LEFT JOIN pg_stat_activity b ON b.pid = (pg_blocking_pids(a.pid))[1]
WHERE a.datname = current_database() AND cardinality(pg_blocking_pids(a.pid)) > 0
ORDER BY a.query_start"""


def _blocked(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    if not found:
        return Outcome("ok", 0, "no query is waiting on another's lock")
    longest = max(float(r["waiting_seconds"] or 0) for r in found)
    status = "critical" if longest >= t.blocked_critical_seconds else "warning"
    return Outcome(status, len(found), f"{len(found)} blocked, longest waiting {longest:.1f}s", _rows(found))


UNUSED_INDEXES = """SELECT ui.schemaname AS schema, ui.relname AS table, ui.indexrelname AS index,
       pg_relation_size(i.indexrelid) AS size_bytes, ui.idx_scan AS index_scans,
       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset
FROM pg_stat_user_indexes ui
JOIN pg_index i ON ui.indexrelid = i.indexrelid
WHERE NOT i.indisunique AND ui.idx_scan <= $1::bigint
ORDER BY pg_relation_size(i.indexrelid) DESC, ui.relname, ui.indexrelname"""

DUPLICATE_INDEXES = """SELECT DISTINCT ON (a.indexrelid)
       n.nspname AS schema, t.relname AS table, ca.relname AS unneeded_index, cb.relname AS covering_index,
       pg_get_indexdef(a.indexrelid) AS unneeded_definition, pg_get_indexdef(b.indexrelid) AS covering_definition,
       pg_relation_size(a.indexrelid) AS size_bytes
FROM pg_index a
JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid AND b.indisvalid
JOIN pg_class ca ON ca.oid = a.indexrelid
JOIN pg_class cb ON cb.oid = b.indexrelid
JOIN pg_class t ON t.oid = a.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE a.indisvalid AND NOT a.indisunique AND NOT a.indisprimary
  AND ca.relam = cb.relam
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
  AND (b.indkey::text || ' ') LIKE (a.indkey::text || ' %')
  AND (b.indclass::text || ' ') LIKE (a.indclass::text || ' %')
  AND pg_get_expr(a.indexprs, a.indrelid) IS NOT DISTINCT FROM pg_get_expr(b.indexprs, b.indrelid)
  AND pg_get_expr(a.indpred, a.indrelid) IS NOT DISTINCT FROM pg_get_expr(b.indpred, b.indrelid)
  AND (a.indkey::text <> b.indkey::text OR b.indisunique OR b.indisprimary OR ca.relname > cb.relname)
ORDER BY a.indexrelid, b.indisprimary DESC, b.indisunique DESC, cb.relname"""

INVALID_INDEXES = """SELECT n.nspname AS schema, t.relname AS table, c.relname AS index,
       pg_get_indexdef(i.indexrelid) AS definition, pg_relation_size(i.indexrelid) AS size_bytes
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT i.indisvalid
  AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = i.indexrelid)
ORDER BY 1, 2, 3"""

MISSING_INDEXES = """SELECT schemaname AS schema, relname AS table, seq_scan, seq_tup_read,
       COALESCE(idx_scan, 0) AS idx_scan, n_live_tup AS estimated_rows,
       round(100.0 * COALESCE(idx_scan, 0) / (seq_scan + COALESCE(idx_scan, 0)), 2) AS percent_index_used
FROM pg_stat_user_tables
WHERE seq_scan > 0 AND n_live_tup >= $1::bigint
  AND 100.0 * COALESCE(idx_scan, 0) / (seq_scan + COALESCE(idx_scan, 0)) < $2::float8
ORDER BY seq_tup_read DESC, relname"""

# Heap pages the live rows need (24-byte tuple header + 4-byte line pointer + the average row width from
# pg_stats, 8-byte aligned, 24-byte page header, fillfactor) against the pages the table has.
TABLE_BLOAT = """WITH t AS (
  SELECT n.nspname, c.relname, c.relpages, c.reltuples,
         current_setting('block_size')::numeric AS bs,
         COALESCE((SELECT substring(o FROM 'fillfactor=(\\d+)')::int FROM unnest(c.reloptions) o
                   WHERE o LIKE 'fillfactor=%'), 100) AS fillfactor,
         (SELECT sum((1 - COALESCE(s.null_frac, 0)) * COALESCE(s.avg_width, 1024))
            FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname) AS data_width
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND c.relpages > 0 AND c.reltuples >= 0
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
), e AS (
  SELECT *, ceil(reltuples / greatest(floor((bs - 24) * fillfactor / 100
         / (28 + 8 * ceil(data_width / 8))), 1)) AS expected_pages
  FROM t WHERE data_width IS NOT NULL
)
SELECT nspname AS schema, relname AS table, (relpages * bs)::bigint AS table_bytes,
       (greatest(relpages - expected_pages, 0) * bs)::bigint AS bloat_bytes,
       round((greatest(relpages - expected_pages, 0) / relpages)::numeric, 4) AS bloat_ratio,
       reltuples::bigint AS estimated_rows
FROM e
ORDER BY bloat_bytes DESC, relname
LIMIT 50"""


def _table_bloat(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    bad = [
        r
        for r in found
        if float(r["bloat_ratio"]) >= t.table_bloat_ratio and int(r["bloat_bytes"]) >= t.table_bloat_min_bytes
    ]
    wasted = sum(int(r["bloat_bytes"]) for r in bad)
    if not bad:
        return Outcome("ok", 0, "no table is estimated to be bloated past the threshold", _rows(found[:5]))
    return Outcome("warning", len(bad), f"{len(bad)} bloated tables, about {wasted:,} bytes reusable", _rows(bad))


# PgHero's index_bloat (after github.com/jberkus and mbanck): btree leaf pages the tuples need vs pages held.
INDEX_BLOAT = """WITH btree_index_atts AS (
  SELECT nspname, relname, reltuples, relpages, indrelid, relam,
         regexp_split_to_table(indkey::text, ' ')::smallint AS attnum, indexrelid AS index_oid
  FROM pg_index JOIN pg_class ON pg_class.oid = pg_index.indexrelid
  JOIN pg_namespace ON pg_namespace.oid = pg_class.relnamespace
  JOIN pg_am ON pg_class.relam = pg_am.oid
  WHERE pg_am.amname = 'btree' AND nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_toast'
), index_item_sizes AS (
  SELECT i.nspname, i.relname, i.reltuples, i.relpages, i.relam, a.attrelid AS table_oid, index_oid,
         current_setting('block_size')::numeric AS bs, 8 AS maxalign, 24 AS pagehdr,
         CASE WHEN max(coalesce(s.null_frac, 0)) = 0 THEN 2 ELSE 6 END AS index_tuple_hdr,
         sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 2048)) AS nulldatawidth
  FROM pg_attribute AS a
  JOIN btree_index_atts AS i ON i.indrelid = a.attrelid AND a.attnum = i.attnum
  JOIN pg_class AS tc ON tc.oid = a.attrelid
  JOIN pg_stats AS s ON s.schemaname = i.nspname AND s.tablename = tc.relname AND s.attname = a.attname
  WHERE a.attnum > 0
  GROUP BY 1, 2, 3, 4, 5, 6, 7
), index_aligned AS (
  SELECT maxalign, bs, nspname, relname AS index_name, reltuples, relpages, relam, table_oid, index_oid,
         (2 + maxalign - CASE WHEN index_tuple_hdr % maxalign = 0 THEN maxalign ELSE index_tuple_hdr % maxalign END
          + nulldatawidth + maxalign - CASE WHEN nulldatawidth::integer % maxalign = 0 THEN maxalign
                                            ELSE nulldatawidth::integer % maxalign END)::numeric AS nulldatahdrwidth,
         pagehdr
  FROM index_item_sizes
), otta_calc AS (
  SELECT bs, nspname, table_oid, index_oid, index_name, relpages,
         coalesce(ceil((reltuples * (4 + nulldatahdrwidth)) / (bs - pagehdr::float)) + 1, 0) AS otta
  FROM index_aligned
)
SELECT o.nspname AS schema, c.relname AS table, o.index_name AS index,
       (CASE WHEN o.relpages <= o.otta THEN 0 ELSE o.bs * (o.relpages - o.otta) END)::bigint AS bloat_bytes,
       (o.bs * o.relpages)::bigint AS index_bytes, pg_get_indexdef(o.index_oid) AS definition
FROM otta_calc o JOIN pg_class c ON c.oid = o.table_oid
ORDER BY bloat_bytes DESC, o.index_name
LIMIT 50"""


def _index_bloat(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    bad = [r for r in found if int(r["bloat_bytes"]) >= t.index_bloat_min_bytes]
    if not bad:
        return Outcome("ok", 0, "no index is estimated to hold more wasted space than the threshold", _rows(found[:5]))
    wasted = sum(int(r["bloat_bytes"]) for r in bad)
    return Outcome("warning", len(bad), f"{len(bad)} bloated indexes, about {wasted:,} bytes wasted", _rows(bad))


# A table is due for (auto)vacuum once its dead rows pass threshold + scale_factor x rows (the
# autovacuum trigger, per-table reloptions honoured); overdue when that is true and no vacuum ran for hours.
_TRIGGER = """(SELECT substring(o FROM '{opt}=([0-9.e+-]+)') FROM unnest(c.reloptions) o WHERE o LIKE '{opt}=%')"""
VACUUM_STALE = f"""SELECT s.schemaname AS schema, s.relname AS table, s.n_live_tup AS live_rows,
       s.n_dead_tup AS dead_rows, s.last_vacuum, s.last_autovacuum,
       round(COALESCE({_TRIGGER.format(opt="autovacuum_vacuum_threshold")}::numeric,
             current_setting('autovacuum_vacuum_threshold')::numeric)
         + COALESCE({_TRIGGER.format(opt="autovacuum_vacuum_scale_factor")}::numeric,
             current_setting('autovacuum_vacuum_scale_factor')::numeric) * greatest(c.reltuples, 0)) AS trigger_rows
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.n_dead_tup > COALESCE({_TRIGGER.format(opt="autovacuum_vacuum_threshold")}::numeric,
             current_setting('autovacuum_vacuum_threshold')::numeric)
         + COALESCE({_TRIGGER.format(opt="autovacuum_vacuum_scale_factor")}::numeric,
             current_setting('autovacuum_vacuum_scale_factor')::numeric) * greatest(c.reltuples, 0)
  AND COALESCE(greatest(s.last_vacuum, s.last_autovacuum), '-infinity') < now() - make_interval(hours => $1::int)
ORDER BY s.n_dead_tup DESC"""

ANALYZE_STALE = f"""SELECT s.schemaname AS schema, s.relname AS table, s.n_live_tup AS live_rows,
       s.n_mod_since_analyze AS modified_since_analyze, s.last_analyze, s.last_autoanalyze,
       round(COALESCE({_TRIGGER.format(opt="autovacuum_analyze_threshold")}::numeric,
             current_setting('autovacuum_analyze_threshold')::numeric)
         + COALESCE({_TRIGGER.format(opt="autovacuum_analyze_scale_factor")}::numeric,
             current_setting('autovacuum_analyze_scale_factor')::numeric) * greatest(c.reltuples, 0)) AS trigger_rows
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.n_mod_since_analyze > COALESCE({_TRIGGER.format(opt="autovacuum_analyze_threshold")}::numeric,
             current_setting('autovacuum_analyze_threshold')::numeric)
         + COALESCE({_TRIGGER.format(opt="autovacuum_analyze_scale_factor")}::numeric,
             current_setting('autovacuum_analyze_scale_factor')::numeric) * greatest(c.reltuples, 0)
  AND COALESCE(greatest(s.last_analyze, s.last_autoanalyze), '-infinity') < now() - make_interval(hours => $1::int)
ORDER BY s.n_mod_since_analyze DESC"""

DEAD_ROWS = """SELECT schemaname AS schema, relname AS table, n_live_tup AS live_rows, n_dead_tup AS dead_rows,
       round(n_dead_tup::numeric / greatest(n_live_tup + n_dead_tup, 1), 4) AS dead_ratio,
       last_vacuum, last_autovacuum
FROM pg_stat_user_tables
WHERE n_dead_tup >= $1::bigint AND n_dead_tup::float8 / greatest(n_live_tup + n_dead_tup, 1) >= $2::float8
ORDER BY n_dead_tup DESC"""

XID = """SELECT datname AS database, age(datfrozenxid) AS xid_age,
       2147483647 - age(datfrozenxid) AS transactions_left,
       current_setting('autovacuum_freeze_max_age')::bigint AS autovacuum_freeze_max_age
FROM pg_database WHERE datallowconn ORDER BY age(datfrozenxid) DESC"""


def _xid(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    worst = found[0]
    left, age, freeze = int(worst["transactions_left"]), int(worst["xid_age"]), int(worst["autovacuum_freeze_max_age"])
    if left < t.xid_critical_left:
        status = "critical"
    elif age > freeze:
        status = "warning"  # anti-wraparound autovacuum should have frozen it by now
    else:
        status = "ok"
    return Outcome(status, left, f"{left:,} transactions left before wraparound in {worst['database']}", _rows(found))


SEQUENCES = """SELECT s.schemaname AS schema, s.sequencename AS sequence, t.relname AS table, a.attname AS column,
       format_type(a.atttypid, NULL) AS column_type, s.last_value,
       LEAST(s.max_value, CASE format_type(a.atttypid, NULL) WHEN 'smallint' THEN 32767
                               WHEN 'integer' THEN 2147483647 ELSE 9223372036854775807 END) AS max_value,
       round((s.last_value::float8 / LEAST(s.max_value, CASE format_type(a.atttypid, NULL)
             WHEN 'smallint' THEN 32767 WHEN 'integer' THEN 2147483647
             ELSE 9223372036854775807 END)::float8)::numeric, 6) AS used_fraction
FROM pg_sequences s
JOIN pg_namespace sn ON sn.nspname = s.schemaname
JOIN pg_class sc ON sc.relname = s.sequencename AND sc.relnamespace = sn.oid
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = sc.oid
     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class t ON t.oid = d.refobjid
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE s.last_value IS NOT NULL AND s.increment_by > 0
ORDER BY used_fraction DESC"""


def _sequences(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    near = [r for r in found if float(r["used_fraction"]) > t.sequence_fraction]
    top = float(found[0]["used_fraction"]) if found else 0.0
    if not near:
        return Outcome("ok", round(top, 6), f"the fullest sequence has used {top:.2%} of its range", _rows(found[:3]))
    status = "critical" if any(float(r["used_fraction"]) > 0.99 for r in near) else "warning"
    return Outcome(
        status, round(top, 6), f"{len(near)} sequences past {t.sequence_fraction:.0%} of their range", _rows(near)
    )


REPLICATION = """SELECT pg_is_in_recovery() AS standby,
       CASE WHEN pg_is_in_recovery() AND pg_last_wal_receive_lsn() IS DISTINCT FROM pg_last_wal_replay_lsn()
            THEN EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) ELSE 0 END AS own_lag_seconds,
       (SELECT json_agg(json_build_object('application', application_name, 'client', client_addr::text,
               'state', state, 'replay_lag_seconds', EXTRACT(EPOCH FROM replay_lag),
               'lag_bytes', CASE WHEN pg_is_in_recovery() THEN NULL
                                 ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) END))
          FROM pg_stat_replication) AS replicas"""


def _replication(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    import json

    row = found[0]
    replicas = row["replicas"]
    replicas = json.loads(replicas) if isinstance(replicas, str) else (replicas or [])
    lags = [float(r["replay_lag_seconds"] or 0) for r in replicas]
    if row["standby"]:
        lags.append(float(row["own_lag_seconds"] or 0))
    if not lags:
        return Outcome("ok", None, "no standby attached and this server is not a standby")
    worst = max(lags)
    status = "warning" if worst > t.replication_lag_seconds else "ok"
    who = "this standby" if row["standby"] else f"{len(replicas)} standby(s)"
    return Outcome(status, round(worst, 3), f"{who}, worst replay lag {worst:.1f}s", replicas)


INACTIVE_SLOTS = """SELECT slot_name, slot_type, database, active,
       CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) END
         AS retained_wal_bytes
FROM pg_replication_slots WHERE NOT active ORDER BY slot_name"""

TEMP_FILES = """SELECT temp_files, temp_bytes, stats_reset,
       EXTRACT(EPOCH FROM now() - COALESCE(stats_reset, pg_postmaster_start_time())) AS seconds_since_reset,
       current_setting('work_mem') AS work_mem
FROM pg_stat_database WHERE datname = current_database()"""


def _temp(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    row = found[0]
    days = max(float(row["seconds_since_reset"] or 0) / 86400, 1 / 24)  # at least an hour: no huge rate at start
    per_day = int(row["temp_bytes"] or 0) / days
    status = "warning" if per_day > t.temp_bytes_per_day else "ok"
    return Outcome(
        status,
        round(per_day, 1),
        f"{int(row['temp_files'] or 0)} temporary files, {int(row['temp_bytes'] or 0):,} bytes since the "
        f"statistics were reset (work_mem {row['work_mem']})",
        _rows(found),
    )


CHECKPOINTS = """SELECT checkpoints_timed, checkpoints_req, current_setting('max_wal_size') AS max_wal_size,
       current_setting('checkpoint_timeout') AS checkpoint_timeout, stats_reset
FROM pg_stat_bgwriter"""


def _checkpoints(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    row = found[0]
    timed, req = int(row["checkpoints_timed"]), int(row["checkpoints_req"])
    share = req / (timed + req) if timed + req else None
    status = "warning" if share is not None and timed + req >= 10 and share > t.checkpoint_requested_share else "ok"
    note = "no checkpoints yet" if share is None else f"{share:.0%} of {timed + req} checkpoints forced by WAL volume"
    return Outcome(status, None if share is None else round(share, 4), note, _rows(found))


def _pg_checks() -> list[Check]:
    def count(what: str, status: str = "warning") -> Callable[[list[dict[str, Any]], Thresholds], Outcome]:
        return lambda found, t: _count_outcome(found, what, status)

    return [
        Check(
            "cache_hit_ratio_tables",
            "Table cache hit ratio",
            "memory",
            "ratio",
            CACHE_TABLES,
            _cache,
            lambda t: {
                "warning_below": t.cache_hit_warning,
                "critical_below": t.cache_hit_critical,
                "min_blocks": t.cache_min_blocks,
            },
        ),
        Check(
            "cache_hit_ratio_indexes",
            "Index cache hit ratio",
            "memory",
            "ratio",
            CACHE_INDEXES,
            _cache,
            lambda t: {
                "warning_below": t.cache_hit_warning,
                "critical_below": t.cache_hit_critical,
                "min_blocks": t.cache_min_blocks,
            },
        ),
        Check(
            "connections",
            "Connections against max_connections",
            "connections",
            "ratio",
            CONNECTIONS,
            _connections,
            lambda t: {"warning_at": t.connections_warning, "critical_at": t.connections_critical},
        ),
        Check(
            "idle_in_transaction",
            "Sessions idle in a transaction",
            "connections",
            "sessions",
            IDLE_IN_TRANSACTION,
            count("sessions idle in a transaction past the threshold"),
            lambda t: {"idle_seconds_over": t.idle_in_transaction_seconds},
            lambda t: (t.idle_in_transaction_seconds,),
        ),
        Check(
            "long_running_queries",
            "Long-running queries",
            "queries",
            "queries",
            LONG_RUNNING,
            count("queries running longer than the threshold"),
            lambda t: {"seconds_over": t.long_running_seconds},
            lambda t: (t.long_running_seconds,),
        ),
        Check(
            "blocked_queries",
            "Blocked queries",
            "queries",
            "queries",
            BLOCKED,
            _blocked,
            lambda t: {"warning_at": 1, "critical_waiting_seconds": t.blocked_critical_seconds},
        ),
        Check(
            "unused_indexes",
            "Unused indexes",
            "indexes",
            "indexes",
            UNUSED_INDEXES,
            count("non-unique indexes scanned at most the threshold times since the statistics reset"),
            lambda t: {"max_scans": t.unused_index_max_scans},
            lambda t: (t.unused_index_max_scans,),
        ),
        Check(
            "duplicate_indexes",
            "Duplicate indexes",
            "indexes",
            "indexes",
            DUPLICATE_INDEXES,
            count("indexes covered by another index of the same table"),
            lambda t: {"warning_at": 1},
        ),
        Check(
            "invalid_indexes",
            "Invalid indexes",
            "indexes",
            "indexes",
            INVALID_INDEXES,
            count("invalid indexes (a failed CREATE INDEX CONCURRENTLY): drop and recreate", "critical"),
            lambda t: {"critical_at": 1},
        ),
        Check(
            "missing_indexes",
            "Sequential scans on large tables (missing index)",
            "indexes",
            "tables",
            MISSING_INDEXES,
            count("large tables read mostly by sequential scans"),
            lambda t: {"min_rows": t.missing_index_min_rows, "index_use_below_percent": t.missing_index_max_index_pct},
            lambda t: (t.missing_index_min_rows, t.missing_index_max_index_pct),
        ),
        Check(
            "table_bloat",
            "Table bloat (estimate)",
            "storage",
            "tables",
            TABLE_BLOAT,
            _table_bloat,
            lambda t: {"bloat_ratio_at": t.table_bloat_ratio, "min_bloat_bytes": t.table_bloat_min_bytes},
        ),
        Check(
            "index_bloat",
            "Index bloat (estimate)",
            "storage",
            "indexes",
            INDEX_BLOAT,
            _index_bloat,
            lambda t: {"min_bloat_bytes": t.index_bloat_min_bytes},
        ),
        Check(
            "vacuum_staleness",
            "Vacuum overdue",
            "maintenance",
            "tables",
            VACUUM_STALE,
            count("tables past their autovacuum trigger without a vacuum for the threshold hours"),
            lambda t: {"dead_rows_over": "autovacuum trigger", "hours_since_vacuum": t.vacuum_stale_hours},
            lambda t: (int(t.vacuum_stale_hours),),
        ),
        Check(
            "analyze_staleness",
            "Statistics stale (analyze overdue)",
            "maintenance",
            "tables",
            ANALYZE_STALE,
            count("tables past their autoanalyze trigger without an analyze for the threshold hours"),
            lambda t: {"modified_rows_over": "autoanalyze trigger", "hours_since_analyze": t.vacuum_stale_hours},
            lambda t: (int(t.vacuum_stale_hours),),
        ),
        Check(
            "dead_rows",
            "Dead rows",
            "maintenance",
            "tables",
            DEAD_ROWS,
            count("tables with many dead rows"),
            lambda t: {"min_dead_rows": t.dead_rows_min, "dead_ratio_at": t.dead_rows_ratio},
            lambda t: (t.dead_rows_min, t.dead_rows_ratio),
        ),
        Check(
            "xid_wraparound",
            "Transaction id wraparound headroom",
            "maintenance",
            "transactions",
            XID,
            _xid,
            lambda t: {"critical_below_left": t.xid_critical_left, "warning_over_age": "autovacuum_freeze_max_age"},
        ),
        Check(
            "sequences_near_max",
            "Sequences near their maximum",
            "storage",
            "fraction",
            SEQUENCES,
            _sequences,
            lambda t: {"warning_over_fraction": t.sequence_fraction, "critical_over_fraction": 0.99},
        ),
        Check(
            "replication_lag",
            "Replication lag",
            "replication",
            "seconds",
            REPLICATION,
            _replication,
            lambda t: {"warning_over_seconds": t.replication_lag_seconds},
        ),
        Check(
            "inactive_replication_slots",
            "Inactive replication slots",
            "replication",
            "slots",
            INACTIVE_SLOTS,
            count("inactive replication slots retaining WAL"),
            lambda t: {"warning_at": 1},
        ),
        Check(
            "temp_files",
            "Temporary files (work_mem spills)",
            "queries",
            "bytes_per_day",
            TEMP_FILES,
            _temp,
            lambda t: {"warning_over_bytes_per_day": t.temp_bytes_per_day},
        ),
        Check(
            "checkpoints",
            "Checkpoints forced by WAL volume",
            "storage",
            "ratio",
            CHECKPOINTS,
            _checkpoints,
            lambda t: {"warning_over_requested_share": t.checkpoint_requested_share, "min_checkpoints": 10},
        ),
    ]


# --------------------------------------------------------------------------- SQLite checks


async def _sqlite_size_bytes() -> int:
    row = await access.one("SELECT page_count * page_size AS b FROM pragma_page_count(), pragma_page_size()")
    return int(row.get("b") or 0)


async def _sqlite_integrity(sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    full = await _sqlite_size_bytes() <= THRESHOLDS.sqlite_integrity_full_max_bytes
    pragma = "integrity_check" if full else "quick_check"
    got = await access.rows(f"PRAGMA {pragma}(100)")
    return [{"pragma": pragma, "result": next(iter(r.values()))} for r in got]


def _integrity(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    problems = [r for r in found if r["result"] != "ok"]
    pragma = found[0]["pragma"] if found else "integrity_check"
    if problems:
        return Outcome("critical", len(problems), f"PRAGMA {pragma} reported {len(problems)} problems", problems)
    return Outcome("ok", 0, f"PRAGMA {pragma}: ok", [{"pragma": pragma, "result": "ok"}])


SQLITE_PAGES = """SELECT p.page_count, s.page_size, f.freelist_count, p.page_count * s.page_size AS database_bytes
FROM pragma_page_count() p, pragma_page_size() s, pragma_freelist_count() f"""


def _freelist(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    row = found[0]
    ratio = int(row["freelist_count"]) / int(row["page_count"]) if int(row["page_count"]) else 0.0
    status = "warning" if ratio >= t.sqlite_freelist_ratio else "ok"
    return Outcome(status, round(ratio, 4), f"{row['freelist_count']} of {row['page_count']} pages free", _rows(found))


def _pages(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    row = found[0]
    return Outcome(
        "ok", float(row["database_bytes"]), f"{row['page_count']} pages of {row['page_size']} bytes", _rows(found)
    )


def _file_size(path: str) -> int:
    return os.path.getsize(path) if os.path.exists(path) else 0


async def _sqlite_wal(sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    mode = next(iter((await access.one("PRAGMA journal_mode")).values()))
    auto = next(iter((await access.one("PRAGMA wal_autocheckpoint")).values()))
    page = next(iter((await access.one("PRAGMA page_size")).values()))
    path = access.sqlite_path()
    wal_bytes = await asyncio.to_thread(_file_size, path + "-wal") if path else 0
    return [{"journal_mode": mode, "wal_autocheckpoint_pages": auto, "page_size": page, "wal_bytes": wal_bytes}]


def _wal(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    row = found[0]
    limit = int(row["wal_autocheckpoint_pages"]) * int(row["page_size"])
    if row["journal_mode"] != "wal":
        return Outcome(
            "warning",
            float(row["wal_bytes"]),
            f"journal_mode={row['journal_mode']}: writers block readers; WAL mode lets reads run during writes",
            [row],
        )
    status = "warning" if limit and row["wal_bytes"] > 4 * limit else "ok"
    return Outcome(
        status, float(row["wal_bytes"]), f"WAL file {row['wal_bytes']:,} bytes (checkpoint at {limit:,})", [row]
    )


SQLITE_FK = "SELECT * FROM pragma_foreign_key_check()"

SQLITE_INDEXES = """SELECT m.name AS "table", il.name AS "index", il."unique" AS is_unique, il.origin, il.partial,
       (SELECT group_concat(coalesce(ii.name, '<expr>'), ',') FROM
          (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno) ii) AS columns
FROM sqlite_master m, pragma_index_list(m.name) il
WHERE m.type = 'table' ORDER BY 1, 2"""


def _sqlite_duplicates(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    dups = []
    for a in found:
        if a["is_unique"] or a["partial"] or not a["columns"] or "<expr>" in a["columns"]:
            continue
        cols = a["columns"].split(",")
        for b in found:
            if b is a or b["table"] != a["table"] or b["partial"] or not b["columns"]:
                continue
            other = b["columns"].split(",")
            if other[: len(cols)] == cols and (other != cols or b["is_unique"] or a["index"] > b["index"]):
                dups.append(
                    {
                        "table": a["table"],
                        "unneeded_index": a["index"],
                        "covering_index": b["index"],
                        "columns": cols,
                        "covering_columns": other,
                    }
                )
                break
    return _count_outcome(dups, "indexes covered by another index of the same table")


SQLITE_STAT = "SELECT count(*) AS analyzed FROM sqlite_master WHERE name = 'sqlite_stat1'"


def _sqlite_analyze(found: list[dict[str, Any]], t: Thresholds) -> Outcome:
    if int(found[0]["analyzed"]):
        return Outcome("ok", 1, "ANALYZE has run: the planner has sqlite_stat1 statistics")
    return Outcome("warning", 0, "ANALYZE never ran: the planner guesses selectivity (PRAGMA optimize fixes it)")


SQLITE_SEQ = """SELECT name AS "table", seq AS last_value, 9223372036854775807 AS max_value,
       seq / 9223372036854775807.0 AS used_fraction
FROM sqlite_sequence ORDER BY seq DESC"""


async def _sqlite_sequences(sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    exists = await access.rows("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
    return await access.rows(sql) if exists else []


def _sqlite_checks() -> list[Check]:
    return [
        Check(
            "integrity",
            "Integrity check",
            "storage",
            "problems",
            "PRAGMA integrity_check(100)",
            _integrity,
            lambda t: {"critical_at": 1, "full_check_up_to_bytes": t.sqlite_integrity_full_max_bytes},
            runner=_sqlite_integrity,
        ),
        Check(
            "freelist_ratio",
            "Free-list ratio",
            "storage",
            "ratio",
            SQLITE_PAGES,
            _freelist,
            lambda t: {"warning_at": t.sqlite_freelist_ratio},
        ),
        Check("pages", "Pages and database size", "storage", "bytes", SQLITE_PAGES, _pages, lambda t: {}),
        Check(
            "wal",
            "Write-ahead log",
            "storage",
            "bytes",
            "PRAGMA journal_mode; PRAGMA wal_autocheckpoint",
            _wal,
            lambda t: {"warning_over": "4 x wal_autocheckpoint pages"},
            runner=_sqlite_wal,
        ),
        Check(
            "foreign_keys",
            "Foreign key violations",
            "storage",
            "rows",
            SQLITE_FK,
            lambda f, t: _count_outcome(f, "rows violating a foreign key", "critical"),
            lambda t: {"critical_at": 1},
        ),
        Check(
            "duplicate_indexes",
            "Duplicate indexes",
            "indexes",
            "indexes",
            SQLITE_INDEXES,
            _sqlite_duplicates,
            lambda t: {"warning_at": 1},
        ),
        Check(
            "analyze_staleness",
            "Planner statistics",
            "maintenance",
            "analyzed",
            SQLITE_STAT,
            _sqlite_analyze,
            lambda t: {"warning": "sqlite_stat1 missing"},
        ),
        Check(
            "sequences_near_max",
            "AUTOINCREMENT headroom",
            "storage",
            "fraction",
            SQLITE_SEQ,
            lambda f, t: _sequences(f, t) if f else Outcome("ok", 0, "no AUTOINCREMENT table"),
            lambda t: {"warning_over_fraction": t.sequence_fraction},
            runner=_sqlite_sequences,
        ),
    ]


SQLITE_NOT_APPLICABLE = [
    ("cache_hit_ratio", "SQLite's page cache belongs to each connection and keeps no cumulative hit counters"),
    ("connections", "no server and no max_connections: each process opens the file itself"),
    ("idle_in_transaction", "no server sessions to inspect (no pg_stat_activity)"),
    ("long_running_queries", "no server sessions to inspect (no pg_stat_activity)"),
    ("blocked_queries", "one writer at a time by design: writers wait on the file lock, not on row locks"),
    ("unused_indexes", "SQLite keeps no index usage counters"),
    ("invalid_indexes", "no concurrent index builds, so no half-built indexes"),
    ("missing_indexes", "SQLite keeps no sequential-scan counters"),
    ("table_bloat", "no MVCC dead tuples; free pages are the free-list ratio check"),
    ("index_bloat", "no per-index bloat statistics; free pages are the free-list ratio check"),
    ("vacuum_staleness", "no autovacuum and no dead rows: VACUUM only returns free pages"),
    ("dead_rows", "deleted rows free their space at once (no MVCC versions)"),
    ("xid_wraparound", "no transaction ids to wrap around"),
    ("replication_lag", "no streaming replication"),
    ("inactive_replication_slots", "no replication slots"),
    ("temp_files", "temporary storage is not counted by SQLite"),
    ("checkpoints", "WAL checkpoints are covered by the write-ahead log check"),
]


# --------------------------------------------------------------------------- running


async def _run(check: Check, t: Thresholds, gate: asyncio.Semaphore) -> HealthCheck:
    args = check.args(t)
    async with gate:
        started = time.perf_counter()
        try:
            found = await (check.runner(check.query, args) if check.runner else access.rows(check.query, *args))
            outcome = check.evaluate(found, t)
        except Exception as exc:  # a timeout or a catalog this server lacks: the check fails, the report stands
            text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            if "statement timeout" in text:
                text = f"timed out after {access.STATEMENT_TIMEOUT_MS} ms (statement_timeout)"
            outcome = Outcome("error", None, text)
        elapsed = round((time.perf_counter() - started) * 1000, 3)
    return HealthCheck(
        name=check.name,
        title=check.title,
        category=check.category,
        status=outcome.status,
        observed=outcome.observed,
        unit=check.unit,
        threshold=check.threshold(t),
        message=outcome.message,
        details=outcome.details[:MAX_DETAILS],
        details_total=len(outcome.details),
        evidence_query=" ".join(check.query.split()),
        duration_ms=elapsed,
    )


async def database_health(principal: Principal) -> DatabaseHealth:
    """Every check of this dialect, side by side, each under the statement timeout (superuser only:
    the figures describe the database every organization shares)."""
    require_superuser(principal)
    started = time.perf_counter()
    pg = access.is_postgres()  # dialect: each database's own checks; SQLite's one connection runs them in turn
    checks = _pg_checks() if pg else _sqlite_checks()
    gate = asyncio.Semaphore(PARALLEL if pg else 1)
    results = list(await asyncio.gather(*(_run(c, THRESHOLDS, gate) for c in checks)))
    if pg:
        info = await access.one(
            "SELECT current_setting('server_version') AS version, pg_database_size(current_database()) AS size"
        )
        version, size = f"PostgreSQL {info['version']}", int(info["size"])
        not_applicable: list[NotApplicable] = []
    else:
        info = await access.one("SELECT sqlite_version() AS version")
        version, size = f"SQLite {info['version']}", await _sqlite_size_bytes()
        not_applicable = [NotApplicable(name=n, reason=r) for n, r in SQLITE_NOT_APPLICABLE]
    counts = {s: sum(1 for r in results if r.status == s) for s in ("ok", "warning", "critical", "error")}
    worst = max(results, key=lambda r: _RANK[r.status]).status if results else "ok"
    overall = "critical" if counts["critical"] else "warning" if worst in ("warning", "error") else "ok"
    return DatabaseHealth(
        dialect="postgres" if pg else "sqlite",
        status=overall,
        checked_at=datetime.now(UTC),
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
        statement_timeout_ms=access.STATEMENT_TIMEOUT_MS,
        server_version=version,
        database_bytes=size,
        summary={"total": len(results), **counts},
        checks=results,
        not_applicable=not_applicable,
    )
