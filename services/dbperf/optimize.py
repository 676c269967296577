"""Optimization runs: allow-listed maintenance on tables of this product, one run at a time.

``POST /admin/performance/database/optimize`` validates the tasks and tables, takes the run lock
(a Redis key, so every web process agrees; a run still ``queued``/``running`` in the database also
counts), records the run and enqueues the ``optimize_database`` arq job; while it runs another
request is a 409.  ``dry_run`` records the plan and the before figures without running anything.

The job runs each statement on a dedicated connection outside the pool (``VACUUM`` and ``REINDEX
... CONCURRENTLY`` cannot run in a transaction block) with ``lock_timeout`` and
``statement_timeout`` set, under a PostgreSQL advisory lock as a second guard against two runs,
and records before/after figures (table and index bytes, live and dead rows) and each
statement's duration or error.  On SQLite the equivalents run: ``ANALYZE t``, ``VACUUM`` (the
whole file; SQLite has no per-table vacuum), ``REINDEX t``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections

from models.dbperf import OptimizationRun
from services.core import job_queue, leases
from services.core.errors import Conflict, FieldIssue, NotFound, ServiceUnavailable
from services.core.redis_client import get_redis, key
from services.core.validation import bad_request
from services.dbperf import access
from services.dbperf.schemas import OptimizationRunInfo, OptimizeRequest, RunStatement, TableFigures
from services.identity import Principal, require_superuser

JOB_NAME = "optimize_database"
LOCK_TIMEOUT_MS = 5_000  # PgHero's analyze_tables uses 5 s: give way to application locks quickly
STATEMENT_TIMEOUT_MS = 30 * 60 * 1000
LOCK_TTL_SECONDS = 3 * 3600  # a crashed worker cannot hold the lock for longer than this
ADVISORY_KEY = 0x5DB0_9E3F  # pg_try_advisory_lock key of the run in progress
MAX_HISTORY = 100
ABANDONED_AFTER_SECONDS = 60

PG_SQL = {
    "analyze": ["ANALYZE {t}"],
    "vacuum": ["VACUUM {t}"],
    "vacuum_analyze": ["VACUUM (ANALYZE) {t}"],
    "reindex": ["REINDEX TABLE CONCURRENTLY {t}"],
}
SQLITE_SQL = {
    "analyze": ["ANALYZE {t}"],
    "vacuum": ["VACUUM"],
    "vacuum_analyze": ["VACUUM", "ANALYZE {t}"],
    "reindex": ["REINDEX {t}"],
}


def lock_key() -> str:
    return key("dbperf", "optimize", "lock")


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _tables(requested: list[str] | None) -> list[str]:
    allowed = access.product_tables()
    if requested is None:
        return allowed
    issues = [
        FieldIssue(f"tables.{i}", f"unknown table {name[:100]!r}: not a table of this product", "unknown_table")
        for i, name in enumerate(requested)
        if name not in allowed
    ]
    if issues:
        raise bad_request(issues)
    if not requested:
        raise bad_request([FieldIssue("tables", "name at least one table, or omit it for all", "too_short")])
    return _unique(requested)


def plan(tasks: list[str], tables: list[str]) -> list[RunStatement]:
    """The statements a run executes, in order (SQLite's whole-file VACUUM once)."""
    pg = access.is_postgres()  # dialect: SQLite vacuums the whole file and cannot reindex concurrently
    out: list[RunStatement] = []
    seen: set[str] = set()
    for task in tasks:
        for table in tables:
            for template in (PG_SQL if pg else SQLITE_SQL)[task]:
                sql = template.format(t=f'"{table}"')
                if sql in seen:
                    continue
                seen.add(sql)
                out.append(RunStatement(task=task, table=table if "{t}" in template else "*", sql=sql))
    return out


PG_FIGURES = """SELECT c.relname AS table, pg_table_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS index_bytes,
       s.n_live_tup AS live_rows, s.n_dead_tup AS dead_rows,
       greatest(s.last_vacuum, s.last_autovacuum) AS last_vacuum,
       greatest(s.last_analyze, s.last_autoanalyze) AS last_analyze
FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.relname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace"""

SQLITE_FIGURES = """SELECT COALESCE(m.tbl_name, d.name) AS "table",
       sum(CASE WHEN m.type = 'index' THEN 0 ELSE d.pgsize END) AS table_bytes,
       sum(CASE WHEN m.type = 'index' THEN d.pgsize ELSE 0 END) AS index_bytes
FROM dbstat d LEFT JOIN sqlite_master m ON m.name = d.name
GROUP BY COALESCE(m.tbl_name, d.name)"""


async def figures(tables: list[str]) -> dict[str, TableFigures]:
    """Sizes and row figures of ``tables`` now (the before and after of a run)."""
    if access.is_postgres():  # dialect: SQLite has dbstat sizes only, no live/dead row counts
        found = await access.rows(PG_FIGURES, tables, timeout_ms=10_000)
    else:
        wanted = set(tables)
        found = [r | {"live_rows": None, "dead_rows": None} for r in await access.rows(SQLITE_FIGURES)]
        found = [r for r in found if r["table"] in wanted]
    return {
        r["table"]: TableFigures(
            table_bytes=int(r["table_bytes"] or 0),
            index_bytes=int(r["index_bytes"] or 0),
            live_rows=r.get("live_rows"),
            dead_rows=r.get("dead_rows"),
            last_vacuum=r.get("last_vacuum"),
            last_analyze=r.get("last_analyze"),
        )
        for r in found
    }


def info(run: OptimizationRun) -> OptimizationRunInfo:
    return OptimizationRunInfo(
        id=run.id,
        status=run.status,
        dry_run=run.dry_run,
        requested_by=run.requested_by,
        organization_id=run.organization_id,
        tasks=list(run.tasks),
        tables=list(run.tables),
        statements=[RunStatement(**s) for s in run.statements],
        before={k: TableFigures(**v) for k, v in (run.before or {}).items()},
        after={k: TableFigures(**v) for k, v in (run.after or {}).items()},
        error=run.error,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        duration_ms=run.duration_ms,
    )


def _dump(found: dict[str, TableFigures]) -> dict[str, Any]:
    return {k: v.model_dump(mode="json") for k, v in found.items()}


def job_id(run_id: int) -> str:
    return key("dbperf", "optimize", run_id)


async def _abandoned(run: OptimizationRun) -> str | None:
    """Why a run that still holds the one-at-a-time lock never will finish, or None if it may.

    A queued run whose job the queue no longer holds (Redis lost it, or it was deleted) will never be
    started.  A running run whose job no worker is running any more (the worker was stopped mid-run:
    arq cancels the job and, with one try allowed, never calls it again) will never be finished.
    Either would otherwise answer 409 for the lock's whole TTL.
    """
    if run.status == "queued" and datetime.now(UTC) - run.created_at < timedelta(seconds=ABANDONED_AFTER_SECONDS):
        return None  # a run is enqueued within moments of its creation: a young one is just starting
    from arq.jobs import Job, JobStatus

    redis = await job_queue.pool()
    try:
        status = await Job(job_id(run.id), redis, _queue_name=job_queue.queue_name()).status()
    finally:
        await redis.aclose()
    if run.status == "queued" and status in (JobStatus.not_found, JobStatus.complete):
        return "abandoned: its job left the queue unrun"
    if run.status == "running" and status != JobStatus.in_progress:
        return "abandoned: its worker stopped during the run"
    return None


async def _in_progress() -> OptimizationRun | None:
    """The run holding the lock, if any; an abandoned run is marked failed and does not count."""
    since = datetime.now(UTC) - timedelta(seconds=LOCK_TTL_SECONDS)
    for run in await OptimizationRun.filter(status__in=("queued", "running"), created_at__gte=since).order_by("id"):
        why = await _abandoned(run)
        if why is None:
            return run
        run.status, run.error, run.finished_at = "failed", why, datetime.now(UTC)
        await run.save()
        await _release(run.id)
    return None


async def start_run(principal: Principal, request: OptimizeRequest) -> OptimizationRunInfo:
    """Record and enqueue a run (or, for ``dry_run``, record its plan and before figures at once)."""
    require_superuser(principal)
    tasks = _unique(list(request.tasks))
    tables = _tables(request.tables)
    statements = plan(tasks, tables)
    common: dict[str, Any] = {
        "requested_by": principal.user_id,
        "organization_id": principal.organization_id,
        "tasks": tasks,
        "tables": tables,
        "statements": [s.model_dump() for s in statements],
    }
    if request.dry_run:
        now = datetime.now(UTC)
        before = await figures(tables)
        run = await OptimizationRun.create(
            **common,
            dry_run=True,
            status="completed",
            before=_dump(before),
            started_at=now,
            finished_at=now,
            duration_ms=0.0,
        )
        return info(run)
    redis = get_redis()
    running = await _in_progress()  # also clears a lock an abandoned run still holds
    if running is not None:
        raise Conflict(f"Optimization run {running.id} is in progress")
    starting = f"starting {uuid.uuid4().hex}"
    if not await leases.acquire(lock_key(), starting, LOCK_TTL_SECONDS, redis):
        raise Conflict(f"Optimization run {await leases.holder(lock_key(), redis)} is in progress")
    try:
        running = await _in_progress()
        if running is not None:
            raise Conflict(f"Optimization run {running.id} is in progress")
        run = await OptimizationRun.create(**common, dry_run=False, status="queued")
        if not await leases.hand_over(lock_key(), starting, str(run.id), LOCK_TTL_SECONDS, redis):
            run.status, run.error = "failed", "its lock expired before it was queued"
            run.finished_at = datetime.now(UTC)
            await run.save()
            raise Conflict("The optimization lock expired while the run was being created; try again")
    except BaseException:
        await leases.release(lock_key(), starting, redis)
        raise
    try:
        await job_queue.enqueue(JOB_NAME, run.id, job_id=job_id(run.id))
    except Exception:
        run.status, run.error, run.finished_at = "failed", "the job queue was unavailable", datetime.now(UTC)
        await run.save()
        await _release(run.id)
        raise ServiceUnavailable("The job queue is unavailable; try again shortly", retry_after=5) from None
    return info(run)


async def _release(run_id: int) -> None:
    await leases.release(lock_key(), str(run_id))


async def _execute_pg(statements: list[RunStatement]) -> str | None:
    import asyncpg

    conn = await asyncpg.connect(access.dsn(), server_settings={"application_name": "promptops-dbperf-optimize"})
    try:
        await conn.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
        await conn.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1::bigint)", ADVISORY_KEY):
            return "another optimization run holds the database lock"
        for stmt in statements:
            started = time.perf_counter()
            try:
                await conn.execute(stmt.sql)
            except asyncpg.PostgresError as exc:
                stmt.error = str(exc).splitlines()[0][:300]
            stmt.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        await conn.execute("SELECT pg_advisory_unlock($1::bigint)", ADVISORY_KEY)
        # the next reader must see what VACUUM/ANALYZE reported, not a snapshot from before
        await conn.execute("SELECT pg_stat_force_next_flush()")
    finally:
        await conn.close()
    return None


async def _execute_sqlite(statements: list[RunStatement]) -> None:
    conn = connections.get("default")
    for stmt in statements:
        started = time.perf_counter()
        try:
            await conn.execute_script(stmt.sql)
        except Exception as exc:
            stmt.error = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        stmt.duration_ms = round((time.perf_counter() - started) * 1000, 3)


async def execute_run(run_id: int) -> dict[str, Any]:
    """The ``optimize_database`` job: run a queued run's statements and record what they did."""
    run = await OptimizationRun.get_or_none(id=run_id)
    if run is None or run.status != "queued":
        return {"run_id": run_id, "skipped": True, "status": run.status if run else None}
    started = time.perf_counter()
    run.status, run.started_at = "running", datetime.now(UTC)
    await run.save()
    statements = [RunStatement(**s) for s in run.statements]
    try:
        run.before = _dump(await figures(list(run.tables)))
        if access.is_postgres():  # dialect: own connection (VACUUM outside a transaction), timeouts, advisory lock
            refused = await _execute_pg(statements)
        else:
            refused = None
            await _execute_sqlite(statements)
        run.statements = [s.model_dump() for s in statements]
        run.after = _dump(await figures(list(run.tables)))
        failed = [s for s in statements if s.error]
        if refused:
            run.status, run.error = "failed", refused
        elif failed:
            run.status, run.error = "failed", f"{len(failed)} of {len(statements)} statements failed"
        else:
            run.status = "completed"
    except Exception as exc:
        run.status, run.error = "failed", (str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__)
    except asyncio.CancelledError:  # the worker is stopping (a deploy, a restart): arq never retries this job
        run.status, run.error = "failed", "interrupted: the worker stopped during the run"
        raise
    finally:
        run.finished_at = datetime.now(UTC)
        run.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        await run.save()
        await _release(run.id)
    return {"run_id": run.id, "status": run.status, "statements": len(statements), "duration_ms": run.duration_ms}


async def get_run(principal: Principal, run_id: int) -> OptimizationRunInfo:
    require_superuser(principal)
    run = await OptimizationRun.get_or_none(id=run_id)
    if run is None:
        raise NotFound("Optimization run not found")
    return info(run)


async def history(principal: Principal, limit: int = 20) -> list[OptimizationRunInfo]:
    """Runs newest first, with who asked, what ran, the figures and the errors (superuser only)."""
    require_superuser(principal)
    return [info(r) for r in await OptimizationRun.all().order_by("-id").limit(limit)]
