"""``GET /admin/performance/database/scaling``: advice from measured data, each naming its evidence.

Every rule states the measurement it looked at, where that came from (a catalog query or the
stored samples of the last ``PERIOD``), the threshold, and a projection where one makes sense.
All rules are returned in ``evaluated`` (so a healthy database shows why nothing fired); the
triggered ones, most severe first, in ``recommendations``.

Rules: connection saturation and processes x pool size against ``max_connections`` (pooler),
cache hit ratio (memory), temp spills (``work_mem``), dead-row build-up (per-table autovacuum
settings), growth of the executions table with days until a size (time partitioning and
retention), sequential scans on large tables (an index; ``hypopg`` noted when present), read
load (replicas).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from models.dbperf import DbRelationSample
from services import analytics, observability
from services.core.config import get_settings
from services.core.database import column
from services.dbperf import access, metrics, sampling
from services.dbperf.health import MISSING_INDEXES, THRESHOLDS
from services.dbperf.schemas import Evidence, NotApplicable, Rates, Recommendation, ScalingAdvice
from services.identity import Principal, require_superuser

PERIOD = "7d"
EXECUTIONS_TABLE = "prompt_executions"
CONNECTION_SATURATION = 0.7  # peak share of max_connections
POOL_HEADROOM = 0.8  # processes x pool size may use this share of the usable connections
CACHE_HIT_TARGET = 0.99
TEMP_BYTES_PER_DAY = 64 * 1024**2
DEAD_RATIO = 0.1
DEAD_MIN = 10_000
PARTITION_BYTES = 10 * 1024**3
PARTITION_HORIZON_DAYS = 90
REPLICA_TPS = 500.0
REPLICA_READ_SHARE = 0.9
_SEVERITY = {"critical": 0, "warning": 1, "info": 2}

SETTINGS = """SELECT current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int AS reserved,
       current_setting('shared_buffers') AS shared_buffers,
       pg_size_bytes(current_setting('shared_buffers')) AS shared_buffers_bytes,
       current_setting('effective_cache_size') AS effective_cache_size,
       current_setting('work_mem') AS work_mem,
       current_setting('autovacuum_vacuum_scale_factor') AS vacuum_scale_factor,
       pg_database_size(current_database()) AS database_bytes,
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections,
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'
          AND datname = current_database() AND usename = current_user) AS app_connections,
       EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS hypopg"""

SINCE_RESET = """SELECT xact_commit + xact_rollback AS xacts, blks_hit, blks_read,
       tup_returned + tup_fetched AS rows_read,
       tup_inserted + tup_updated + tup_deleted AS rows_written, temp_files, temp_bytes,
       EXTRACT(EPOCH FROM now() - COALESCE(stats_reset, pg_postmaster_start_time())) AS seconds
FROM pg_stat_database WHERE datname = current_database()"""

DEAD_TABLES = """SELECT s.relname AS table, s.n_live_tup AS live_rows, s.n_dead_tup AS dead_rows,
       round(s.n_dead_tup::numeric / greatest(s.n_live_tup + s.n_dead_tup, 1), 4) AS dead_ratio,
       s.autovacuum_count, s.last_autovacuum, c.reloptions::text AS reloptions
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.n_dead_tup >= $1::bigint AND s.n_dead_tup::float8 / greatest(s.n_live_tup + s.n_dead_tup, 1) >= $2::float8
ORDER BY s.n_dead_tup DESC LIMIT 20"""

STATEMENTS_BY_TEMP = """SELECT left(query, 300) AS query, calls, temp_blks_written
FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND temp_blks_written > 0 ORDER BY temp_blks_written DESC LIMIT 5"""


def _rec(
    name: str,
    area: str,
    triggered: bool,
    severity: str,
    title: str,
    advice: str,
    evidence: list[Evidence],
    projection: dict[str, Any] | None = None,
    details: list[dict[str, Any]] | None = None,
) -> Recommendation:
    return Recommendation(
        name=name,
        area=area,
        triggered=triggered,
        severity=severity if triggered else "info",
        title=title,
        advice=advice,
        evidence=evidence,
        projection=projection,
        details=details or [],
    )


def _source(rates: Rates | None) -> str:
    return f"stored samples over {PERIOD}" if rates else "pg_stat_database since the statistics reset"


async def _activity(rates: Rates | None) -> dict[str, float | None]:
    """Per-second rates and the hit ratio: from the period's samples, else since the statistics reset."""
    if rates is not None:
        return {
            "tps": rates.transactions_per_second,
            "hit": rates.cache_hit_ratio,
            "read": rates.rows_read_per_second,
            "written": rates.rows_written_per_second,
            "temp_per_day": (rates.temp_bytes_per_second or 0) * 86400,
            "temp_files": float(rates.temp_files),
        }
    row = await access.one(SINCE_RESET)
    seconds = max(float(row["seconds"] or 0), 1.0)
    hits = int(row["blks_hit"]) + int(row["blks_read"])
    return {
        "tps": int(row["xacts"]) / seconds,
        "hit": int(row["blks_hit"]) / hits if hits >= THRESHOLDS.cache_min_blocks else None,
        "read": int(row["rows_read"]) / seconds,
        "written": int(row["rows_written"]) / seconds,
        "temp_per_day": int(row["temp_bytes"]) / max(seconds / 86400, 1 / 24),
        "temp_files": float(row["temp_files"]),
    }


async def _connections(cfg: dict[str, Any], rates: Rates | None) -> Recommendation:
    maximum, reserved = int(cfg["max_connections"]), int(cfg["reserved"])
    usable = max(maximum - reserved, 1)
    peak = rates.connections_max if rates and rates.connections_max is not None else int(cfg["connections"])
    pool = get_settings().db_pool_max
    workers = len(await observability.live_workers())
    processes = workers + 1  # live arq workers (heartbeats) and at least this web process
    other = max(int(cfg["connections"]) - int(cfg["app_connections"]), 0)
    fits = max((usable - other) // pool, 0)
    demand = processes * pool
    saturated = peak / maximum >= CONNECTION_SATURATION
    tight = demand >= POOL_HEADROOM * (usable - other)
    return _rec(
        "connection_pooling",
        "connections",
        saturated or tight,
        "critical" if peak / maximum >= 0.9 else "warning",
        "Put a transaction pooler (PgBouncer) in front of PostgreSQL",
        f"Each process keeps up to DB_POOL_MAX={pool} connections; {processes} processes may open {demand} of "
        f"{usable - other} usable connections. A pooler in transaction mode multiplexes them onto a few server "
        "connections, so web and worker processes can scale out without raising max_connections.",
        [
            Evidence(
                measurement="peak connections / max_connections",
                observed=round(peak / maximum, 4),
                unit="ratio",
                threshold=CONNECTION_SATURATION,
                source=f"{'samples (numbackends)' if rates else 'pg_stat_activity now'}; max_connections {maximum}",
            ),
            Evidence(
                measurement="processes x DB_POOL_MAX",
                observed=float(demand),
                unit="connections",
                threshold=round(POOL_HEADROOM * (usable - other), 1),
                source=f"{workers} live worker heartbeats + this web process; usable = max_connections - "
                f"{reserved} reserved - {other} other clients",
            ),
        ],
        {"processes_that_fit": fits, "pool_size": pool, "processes_now_at_least": processes},
    )


def _memory(cfg: dict[str, Any], act: dict[str, float | None], rates: Rates | None) -> Recommendation:
    hit = act["hit"]
    triggered = hit is not None and hit < CACHE_HIT_TARGET
    db_bytes, sb = int(cfg["database_bytes"]), int(cfg["shared_buffers_bytes"])
    return _rec(
        "memory",
        "memory",
        triggered,
        "critical" if hit is not None and hit < THRESHOLDS.cache_hit_critical else "warning",
        "Give PostgreSQL more memory for its working set",
        f"Block reads miss shared buffers too often; shared_buffers is {cfg['shared_buffers']} for a "
        f"{db_bytes:,}-byte database. Raise shared_buffers (about 25% of RAM) and effective_cache_size, or move to "
        "a larger instance so the hot rows and indexes stay in memory.",
        [
            Evidence(
                measurement="buffer cache hit ratio",
                observed=None if hit is None else round(hit, 6),
                unit="ratio",
                threshold=CACHE_HIT_TARGET,
                source=_source(rates),
            )
        ],
        {
            "database_bytes": db_bytes,
            "shared_buffers_bytes": sb,
            "database_to_shared_buffers": round(db_bytes / sb, 2) if sb else None,
        },
    )


async def _work_mem(cfg: dict[str, Any], act: dict[str, float | None], rates: Rates | None) -> Recommendation:
    per_day = float(act["temp_per_day"] or 0)
    details: list[dict[str, Any]] = []
    if (await metrics.statements_status()) == {"loaded": True, "created": True}:
        details = [{k: v for k, v in r.items()} for r in await access.rows(STATEMENTS_BY_TEMP)]
    return _rec(
        "work_mem",
        "queries",
        per_day > TEMP_BYTES_PER_DAY,
        "warning",
        "Raise work_mem for the queries that spill to disk",
        f"Sorts and hashes larger than work_mem ({cfg['work_mem']}) write temporary files. Raise work_mem for the "
        "role or the statements listed (SET LOCAL work_mem in that transaction), or add an index that avoids the sort.",
        [
            Evidence(
                measurement="temporary bytes written per day",
                observed=round(per_day, 1),
                unit="bytes/day",
                threshold=float(TEMP_BYTES_PER_DAY),
                source=_source(rates),
            )
        ],
        {"temp_files": act["temp_files"]},
        details,
    )


async def _autovacuum() -> Recommendation:
    found = await access.rows(DEAD_TABLES, DEAD_MIN, DEAD_RATIO)
    details = [
        {
            "table": r["table"],
            "live_rows": int(r["live_rows"]),
            "dead_rows": int(r["dead_rows"]),
            "dead_ratio": float(r["dead_ratio"]),
            "autovacuum_count": int(r["autovacuum_count"]),
            "last_autovacuum": r["last_autovacuum"],
            "suggested": f'ALTER TABLE "{r["table"]}" SET (autovacuum_vacuum_scale_factor = 0.02, '
            "autovacuum_vacuum_threshold = 1000)",
        }
        for r in found
    ]
    worst = max((d["dead_ratio"] for d in details), default=0.0)
    return _rec(
        "autovacuum",
        "maintenance",
        bool(details),
        "warning",
        "Make autovacuum visit the churning tables sooner",
        "Dead rows build up faster than autovacuum clears them with the global scale factor. Lower "
        "autovacuum_vacuum_scale_factor per table (the statements in details) so a vacuum runs after a fixed number "
        "of changes rather than a fraction of a large table.",
        [
            Evidence(
                measurement="worst dead-row ratio",
                observed=worst,
                unit="ratio",
                threshold=DEAD_RATIO,
                source=f"pg_stat_user_tables (tables with at least {DEAD_MIN:,} dead rows)",
            )
        ],
        None,
        details,
    )


async def _growth(samples: int) -> Recommendation:
    """Executions table (heap + indexes): bytes per day over the period and days until PARTITION_BYTES."""
    live = [r for r in await sampling.current_relations() if r["table_name"] == EXECUTIONS_TABLE]
    now_bytes = sum(int(r["size_bytes"] or 0) for r in live)
    tables = [int(r["live_rows"]) for r in live if r["kind"] == "table" and r.get("live_rows") is not None]
    rows_now = sum(tables) if tables else None  # over every partition
    w = analytics.window(PERIOD)
    first = (
        await DbRelationSample.filter(table_name=EXECUTIONS_TABLE, sampled_at__gte=w.start)
        .order_by("sampled_at")
        .first()
    )
    per_day = days_left = None
    start_bytes = None
    if first is not None:
        at_start = await column(
            DbRelationSample.filter(table_name=EXECUTIONS_TABLE, sampled_at=first.sampled_at).values_list(
                "size_bytes", flat=True
            )
        )
        start_bytes = sum(int(b) for b in at_start)
        span_days = (datetime.now(UTC) - first.sampled_at).total_seconds() / 86400
        if span_days >= 1 / 24:  # at least an hour of history before projecting
            per_day = (now_bytes - start_bytes) / span_days
            if per_day > 0:
                days_left = max((PARTITION_BYTES - now_bytes) / per_day, 0.0)
    partitions = await _partitions()
    settings = get_settings()
    if partitions:  # migration 16 partitions it by week: what is left to decide is the retention
        triggered = not settings.executions_retention_days and (
            now_bytes >= PARTITION_BYTES or (days_left is not None and days_left <= PARTITION_HORIZON_DAYS)
        )
        title = f"Set a retention for {EXECUTIONS_TABLE}'s partitions"
        advice = (
            f"{EXECUTIONS_TABLE} is range-partitioned by occurred_at ({partitions} partitions). Set "
            "EXECUTIONS_RETENTION_DAYS so the partitions job drops whole partitions past it (rollups are kept)."
        )
    else:
        triggered = now_bytes >= PARTITION_BYTES or (days_left is not None and days_left <= PARTITION_HORIZON_DAYS)
        title = f"Partition {EXECUTIONS_TABLE} by time and drop old partitions for retention"
        advice = (
            f"{EXECUTIONS_TABLE} grows with every logged invocation. Range-partition it by occurred_at (monthly or "
            "weekly), keep rollups for old periods, and apply retention by detaching and dropping whole partitions "
            "instead of DELETE (no dead rows, no vacuum debt)."
        )
    return _rec(
        "partitioning",
        "storage",
        triggered,
        "warning",
        title,
        advice,
        [
            Evidence(
                measurement=f"{EXECUTIONS_TABLE} size (heap + indexes)",
                observed=float(now_bytes),
                unit="bytes",
                threshold=float(PARTITION_BYTES),
                source="pg_table_size / pg_relation_size now",
            ),
            Evidence(
                measurement="growth per day",
                observed=None if per_day is None else round(per_day, 1),
                unit="bytes/day",
                threshold=None,
                source=f"first stored sample in {PERIOD} ({samples} database samples)"
                if first
                else "no stored sample yet (the sample_database_stats job)",
            ),
            Evidence(
                measurement=f"{EXECUTIONS_TABLE} partitions",
                observed=float(partitions),
                unit="partitions",
                threshold=None,
                source="pg_inherits",
            ),
        ],
        {
            "size_bytes": now_bytes,
            "size_bytes_at_start": start_bytes,
            "live_rows": rows_now,
            "bytes_per_day": None if per_day is None else round(per_day, 1),
            "days_until_threshold": None if days_left is None else round(days_left, 1),
            "threshold_bytes": PARTITION_BYTES,
        },
    )


async def _partitions() -> int:
    """How many partitions the executions table has (0: a plain table, and always on SQLite)."""
    if not access.is_postgres():  # dialect: SQLite has no partitions
        return 0
    row = await access.one(
        "SELECT count(*) AS n FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1",
        EXECUTIONS_TABLE,
    )
    return int(row["n"])


async def _indexes(cfg: dict[str, Any]) -> Recommendation:
    t = THRESHOLDS
    found = await access.rows(MISSING_INDEXES, t.missing_index_min_rows, t.missing_index_max_index_pct)
    details = [
        {
            "table": r["table"],
            "seq_scan": int(r["seq_scan"]),
            "rows_read_by_seq_scans": int(r["seq_tup_read"]),
            "rows_per_seq_scan": round(int(r["seq_tup_read"]) / max(int(r["seq_scan"]), 1), 1),
            "estimated_rows": int(r["estimated_rows"]),
            "percent_index_used": float(r["percent_index_used"]),
        }
        for r in found
    ]
    hypopg = bool(cfg["hypopg"])
    verify = (
        "hypopg is installed: try a candidate with SELECT hypopg_create_index('CREATE INDEX ON <table> (<column>)') "
        "and EXPLAIN the slow statement before building it"
        if hypopg
        else "hypopg is not installed (CREATE EXTENSION hypopg lets you EXPLAIN with a hypothetical index before "
        "building it); candidates are unverified"
    )
    return _rec(
        "indexes",
        "queries",
        bool(details),
        "warning",
        "Add an index for the large tables read by sequential scans",
        "These tables are mostly read by sequential scans although they are large; find the filtering columns in "
        f"their top statements and build an index CONCURRENTLY. {verify}.",
        [
            Evidence(
                measurement="large tables mostly sequentially scanned",
                observed=float(len(details)),
                unit="tables",
                threshold=1.0,
                source=f"pg_stat_user_tables (>= {t.missing_index_min_rows:,} rows, "
                f"< {t.missing_index_max_index_pct:g}% index scans)",
            )
        ],
        {"hypopg_available": hypopg},
        details,
    )


def _replicas(act: dict[str, float | None], rates: Rates | None) -> Recommendation:
    read, written, tps = act["read"] or 0.0, act["written"] or 0.0, act["tps"] or 0.0
    share = read / (read + written) if read + written else None
    triggered = share is not None and share >= REPLICA_READ_SHARE and tps >= REPLICA_TPS
    return _rec(
        "read_replicas",
        "replication",
        triggered,
        "warning",
        "Send analytics reads to a read replica",
        "The load is mostly reads at a high transaction rate: a streaming replica can serve the analytics and "
        "export reads while the primary takes ingest writes.",
        [
            Evidence(
                measurement="share of rows read",
                observed=None if share is None else round(share, 4),
                unit="ratio",
                threshold=REPLICA_READ_SHARE,
                source=_source(rates),
            ),
            Evidence(
                measurement="transactions per second",
                observed=round(tps, 3),
                unit="1/s",
                threshold=REPLICA_TPS,
                source=_source(rates),
            ),
        ],
        {"rows_read_per_second": round(read, 3), "rows_written_per_second": round(written, 3)},
    )


async def scaling_advice(principal: Principal) -> ScalingAdvice:
    """Every rule evaluated on this database's measurements (superuser only)."""
    require_superuser(principal)
    w = analytics.window(PERIOD)
    samples = await metrics.period_samples(w.start, w.end)
    if not access.is_postgres():  # dialect: only the growth rule has SQLite measurements
        evaluated = [await _growth(len(samples))]
        not_applicable = [
            NotApplicable(
                name=n,
                reason="SQLite: no server connections, buffer statistics, autovacuum, scan counters or replication",
            )
            for n in ("connection_pooling", "memory", "work_mem", "autovacuum", "indexes", "read_replicas")
        ]
    else:
        rates, _ = metrics.rates_of(samples)
        cfg = await access.one(SETTINGS)
        act = await _activity(rates)
        evaluated = [
            await _connections(cfg, rates),
            _memory(cfg, act, rates),
            await _work_mem(cfg, act, rates),
            await _autovacuum(),
            await _growth(len(samples)),
            await _indexes(cfg),
            _replicas(act, rates),
        ]
        not_applicable = []
    triggered = sorted((r for r in evaluated if r.triggered), key=lambda r: _SEVERITY[r.severity])
    return ScalingAdvice(
        dialect="postgres" if access.is_postgres() else "sqlite",
        generated_at=datetime.now(UTC),
        period=PERIOD,
        samples=len(samples),
        recommendations=triggered,
        evaluated=evaluated,
        not_applicable=not_applicable,
    )
