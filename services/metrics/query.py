"""Aggregations over recorded custom metrics (``metric_points``), computed in the database.

Alert rules and the monitoring metrics view ask the same questions: "aggregate
metric X of this organization over [start, end], optionally filtered by prompt,
version and tags, optionally one value per prompt or per prompt x version".
Every aggregation is one SQL statement whatever the number of entities:
count/sum/min/max/avg with GROUP BY, and nearest-rank percentiles with
``ROW_NUMBER() OVER (PARTITION BY ...)`` (window functions exist on PostgreSQL
and on SQLite >= 3.25), so no point is ever loaded into Python.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from tortoise import connections

from models.monitoring import AgentMetric, FeedbackMetric, WorkflowMetric
from services.core.config import get_settings
from services.metrics.schemas import FeedbackFigures, RecordBreakdowns, RunFigures, WorkflowRunFigures

AGGREGATIONS = ("avg", "sum", "count", "min", "max", "p50", "p95", "p99", "rate")
PERCENTILES = {"p50": 50, "p95": 95, "p99": 99}
EntityKey = tuple[int | None, str | None]
"""(prompt id, version hash) of one entity; ``(None, None)`` for the whole scope."""


def tags_key(tags: Mapping[str, str]) -> str:
    """``|k=v|k2=v2|`` with sorted keys: what ``metric_points.tags_key`` stores."""
    if not tags:
        return ""
    return "|" + "|".join(f"{k}={tags[k]}" for k in sorted(tags)) + "|"


@dataclass(frozen=True)
class PointFilter:
    organization_id: int
    name: str
    start: datetime
    end: datetime
    prompt_id: int | None = None
    version_hash: str | None = None
    tags: Mapping[str, str] | None = None


class _Sql:
    """Placeholders differ by driver: ``$1`` for asyncpg, ``?`` for SQLite (``pg``: dialect only, no speed-up)."""

    def __init__(self) -> None:
        self.pg = get_settings().is_postgres
        self.params: list[Any] = []

    def p(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}" if self.pg else "?"


def _where(f: PointFilter, sql: _Sql) -> str:
    parts = [
        f'"organization_id" = {sql.p(f.organization_id)}',
        f'"name" = {sql.p(f.name)}',
        f'"timestamp" >= {sql.p(f.start)}',
        f'"timestamp" <= {sql.p(f.end)}',
    ]
    if f.prompt_id is not None:
        parts.append(f'"prompt_id" = {sql.p(f.prompt_id)}')
    if f.version_hash is not None:
        parts.append(f'"version_hash" = {sql.p(f.version_hash)}')
    for k, v in sorted((f.tags or {}).items()):
        parts.append(f"\"tags_key\" LIKE {sql.p('%' + _like_escape(tags_key({k: v})) + '%')} ESCAPE '\\'")
    return " AND ".join(parts)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _group_columns(per_entity: str | None) -> list[str]:
    return {None: [], "prompt": ['"prompt_id"'], "version": ['"prompt_id"', '"version_hash"']}[per_entity]


def _entity(row: Mapping[str, Any], per_entity: str | None) -> EntityKey:
    if per_entity is None:
        return (None, None)
    return (row["prompt_id"], row.get("version_hash") if per_entity == "version" else None)


async def aggregate(f: PointFilter, aggregation: str, per_entity: str | None = None) -> dict[EntityKey, float | None]:
    """One value per entity (or one for the whole scope when ``per_entity`` is None).

    ``rate`` is the sum of the points per minute of the window (counters are increments).
    An empty scope gives ``count``/``sum``/``rate`` 0 and ``None`` for the others; with
    ``per_entity`` only entities that have points appear.  Points without a prompt are
    left out of per-entity answers.
    """
    sql = _Sql()
    where = _where(f, sql)
    groups = _group_columns(per_entity)
    if per_entity is not None:
        where += ' AND "prompt_id" IS NOT NULL'
    select = ", ".join(groups)
    conn = connections.get("default")
    if aggregation in PERCENTILES:
        pct = PERCENTILES[aggregation]
        partition = f"PARTITION BY {select} " if groups else ""
        inner = (
            f'SELECT {select + ", " if groups else ""}"value", '
            f'ROW_NUMBER() OVER ({partition}ORDER BY "value") AS rn, COUNT(*) OVER ({partition.strip()}) AS n '
            f'FROM "metric_points" WHERE {where}'
        )
        # nearest rank: the ceil(n * pct / 100)-th smallest value, in integer arithmetic
        query = (
            f'SELECT {select + ", " if groups else ""}"value" AS v FROM ({inner}) ranked '
            f"WHERE rn = (n * {pct} + 99) / 100"
        )
    else:
        expr = {
            "avg": 'AVG("value")',
            "sum": 'SUM("value")',
            "rate": 'SUM("value")',
            "count": "COUNT(*)",
            "min": 'MIN("value")',
            "max": 'MAX("value")',
        }[aggregation]
        query = f'SELECT {select + ", " if groups else ""}{expr} AS v FROM "metric_points" WHERE {where}'
        if groups:
            query += f" GROUP BY {select}"
    rows = await conn.execute_query_dict(query, sql.params)
    minutes = (f.end - f.start).total_seconds() / 60
    out: dict[EntityKey, float | None] = {}
    for row in rows:
        value = row["v"]
        if value is not None:
            value = float(value)
            if aggregation == "rate":
                value = value / minutes if minutes > 0 else None
        out[_entity(row, per_entity)] = value
    if per_entity is None and (None, None) not in out:
        out[(None, None)] = None
    if per_entity is None and out[(None, None)] is None and aggregation in ("count", "sum", "rate"):
        out[(None, None)] = 0.0
    return out


def _epoch_expr(pg: bool) -> str:
    """Seconds since the epoch of ``timestamp`` (dialect: SQLite has no EXTRACT, it stores text)."""
    if pg:
        return 'CAST(FLOOR(EXTRACT(EPOCH FROM "timestamp")) AS BIGINT)'
    # SQLite stores "YYYY-MM-DD HH:MM:SS[.ffffff]+00:00" (always UTC here)
    return "CAST(strftime('%s', substr(\"timestamp\", 1, 19)) AS INTEGER)"


@dataclass
class BucketStats:
    count: int
    total: float
    minimum: float
    maximum: float

    @property
    def avg(self) -> float:
        return self.total / self.count


async def bucketed(f: PointFilter, bucket_seconds: int) -> dict[int, BucketStats]:
    """Count, sum, min and max per bucket ``k`` (bucket ``k`` starts at ``start + k * bucket``)."""
    sql = _Sql()
    start = int(f.start.timestamp())
    # parameters in the order they appear: SQLite's "?" are positional
    slot = f"(({_epoch_expr(sql.pg)} - {sql.p(start)}) / {sql.p(bucket_seconds)})"
    where = _where(f, sql)
    query = (
        f'SELECT {slot} AS k, COUNT(*) AS n, SUM("value") AS s, MIN("value") AS lo, MAX("value") AS hi '
        f'FROM "metric_points" WHERE {where} GROUP BY k'
    )
    rows = await connections.get("default").execute_query_dict(query, sql.params)
    return {int(r["k"]): BucketStats(int(r["n"]), float(r["s"]), float(r["lo"]), float(r["hi"])) for r in rows}


@dataclass
class NameSummary:
    name: str
    type: str
    count: int
    avg: float
    minimum: float
    maximum: float
    last_at: datetime


async def summaries(organization_id: int, start: datetime, end: datetime, limit: int = 100) -> list[NameSummary]:
    """Per recorded metric name over the window: count, avg, min, max and the last point's time."""
    from tortoise.functions import Avg, Count, Max, Min

    from models.metrics import MetricPoint

    rows = (
        await MetricPoint.filter(organization_id=organization_id, timestamp__gte=start, timestamp__lte=end)
        .annotate(n=Count("id"), mean=Avg("value"), lo=Min("value"), hi=Max("value"), last=Max("timestamp"))
        .group_by("name", "type")
        .order_by("name")
        .limit(limit)
        .values("name", "type", "n", "mean", "lo", "hi", "last")
    )
    return [
        NameSummary(r["name"], r["type"], int(r["n"]), float(r["mean"]), float(r["lo"]), float(r["hi"]), r["last"])
        for r in rows
    ]


async def bucketed_by_prompt(f: PointFilter, bucket_seconds: int) -> dict[tuple[int | None, int], BucketStats]:
    """:func:`bucketed` per prompt: ``(prompt_id or None for unscoped points, k) -> stats``, one query."""
    sql = _Sql()
    start = int(f.start.timestamp())
    slot = f"(({_epoch_expr(sql.pg)} - {sql.p(start)}) / {sql.p(bucket_seconds)})"
    where = _where(f, sql)
    query = (
        f'SELECT "prompt_id" AS pid, {slot} AS k, COUNT(*) AS n, SUM("value") AS s, MIN("value") AS lo, '
        f'MAX("value") AS hi FROM "metric_points" WHERE {where} GROUP BY "prompt_id", k'
    )
    rows = await connections.get("default").execute_query_dict(query, sql.params)
    return {
        (r["pid"], int(r["k"])): BucketStats(int(r["n"]), float(r["s"]), float(r["lo"]), float(r["hi"])) for r in rows
    }


# --------------------------------------------------------------------------- recorded runs by dimension

BREAKDOWN_LIMIT = 100
"""Groups kept per dimension (the most frequent first); free-text roles and types are unbounded."""
RESPONSE_TIME_BUCKETS = ((1, "lt_1s"), (5, "1s_5s"), (30, "5s_30s"), (300, "30s_5m"))
"""Upper bounds in seconds (exclusive) of the feedback response-time groups; then ``gte_5m``, ``unknown``."""
UNSET = ""
"""Group key of records without the (optional) dimension, e.g. an agent recorded without a type."""


_NO_RESPONSE_TIME, _SLOWEST = "unknown", "gte_5m"


def _response_time_bucket() -> str:
    cases = " ".join(f"WHEN \"response_time_seconds\" < {bound} THEN '{name}'" for bound, name in RESPONSE_TIME_BUCKETS)
    return f"CASE WHEN \"response_time_seconds\" IS NULL THEN '{_NO_RESPONSE_TIME}' {cases} ELSE '{_SLOWEST}' END"


def response_time_group(seconds: float | None) -> str:
    """:func:`_response_time_bucket` for one record (the running totals' key)."""
    if seconds is None:
        return _NO_RESPONSE_TIME
    return next((name for bound, name in RESPONSE_TIME_BUCKETS if seconds < bound), _SLOWEST)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 6)


def _records_where(sql: _Sql, organization_id: int, since: datetime | None) -> str:
    where = f'"organization_id" = {sql.p(organization_id)}'
    if since is not None:
        where += f' AND "recorded_at" >= {sql.p(since)}'
    return where


async def _grouped(
    table: str, group: str, measures: str, organization_id: int, since: datetime | None
) -> list[dict[str, Any]]:
    """``SELECT group AS k, COUNT(*) AS n, measures ... GROUP BY k``, most frequent first, at most
    ``BREAKDOWN_LIMIT + 1`` rows (one more than shown: it says the list was truncated)."""
    sql = _Sql()
    query = (
        f'SELECT {group} AS k, COUNT(*) AS n, {measures} FROM "{table}" '
        f"WHERE {_records_where(sql, organization_id, since)} GROUP BY 1 ORDER BY n DESC, k LIMIT {BREAKDOWN_LIMIT + 1}"
    )
    rows: list[dict[str, Any]] = await connections.get("default").execute_query_dict(query, sql.params)
    return rows


async def _grouped_sets(
    table: str, groups: list[str], measures: str, organization_id: int, since: datetime | None
) -> list[list[dict[str, Any]]]:
    """:func:`_grouped` for several groupings of one table in one scan (PostgreSQL ``GROUPING SETS``;
    each grouping's top ``BREAKDOWN_LIMIT + 1`` by a window function); one list of rows per group."""
    sql = _Sql()
    which = " ".join(f"WHEN GROUPING({g}) = 0 THEN {i}" for i, g in enumerate(groups))
    key = " ".join(f"WHEN GROUPING({g}) = 0 THEN ({g})::text" for g in groups)
    sets = ", ".join(f"({g})" for g in groups)
    query = (
        f"SELECT d, k, n, g.* FROM (SELECT CASE {which} END AS d, CASE {key} END AS k, COUNT(*) AS n, {measures}, "
        f"ROW_NUMBER() OVER (PARTITION BY CASE {which} END ORDER BY COUNT(*) DESC, CASE {key} END) AS rn "
        f'FROM "{table}" WHERE {_records_where(sql, organization_id, since)} GROUP BY GROUPING SETS ({sets})) AS g '
        f"WHERE rn <= {BREAKDOWN_LIMIT + 1} ORDER BY d, rn"
    )
    out: list[list[dict[str, Any]]] = [[] for _ in groups]
    for row in await connections.get("default").execute_query_dict(query, sql.params):
        out[row["d"]].append(row)
    return out


_RUNS = (
    "SUM(CASE WHEN \"status\" = 'success' THEN 1 ELSE 0 END) AS ok, "
    'SUM("duration_seconds") AS total, MIN("duration_seconds") AS lo, MAX("duration_seconds") AS hi'
)
_WORKFLOW_RUNS = _RUNS + ', SUM("steps_executed") AS steps, COUNT("steps_executed") AS stepped'
_FEEDBACK = (
    "SUM(CASE WHEN \"rating\" = 'positive' THEN 1 ELSE 0 END) AS pos, "
    "SUM(CASE WHEN \"rating\" = 'negative' THEN 1 ELSE 0 END) AS neg, "
    'COUNT("response_time_seconds") AS timed, SUM("response_time_seconds") AS rt, '
    'MIN("response_time_seconds") AS rt_lo, MAX("response_time_seconds") AS rt_hi'
)


def _run_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    n, ok = int(row["n"]), int(row["ok"] or 0)
    return {
        "count": n,
        "success": ok,
        "failure": n - ok,
        "success_rate": _ratio(ok, n),
        "avg_duration_seconds": _num(float(row["total"]) / n) if n and row["total"] is not None else None,
        "min_duration_seconds": _num(row["lo"]),
        "max_duration_seconds": _num(row["hi"]),
    }


def _runs(row: Mapping[str, Any]) -> RunFigures:
    return RunFigures(**_run_fields(row))


def _workflow_runs(row: Mapping[str, Any]) -> WorkflowRunFigures:
    stepped = int(row["stepped"] or 0)
    steps = int(row["steps"] or 0)
    return WorkflowRunFigures(
        **_run_fields(row), steps_executed=steps, avg_steps_executed=_num(steps / stepped) if stepped else None
    )


def _feedback(row: Mapping[str, Any]) -> FeedbackFigures:
    n, pos, neg, timed = int(row["n"]), int(row["pos"] or 0), int(row["neg"] or 0), int(row["timed"] or 0)
    return FeedbackFigures(
        count=n,
        positive=pos,
        negative=neg,
        neutral=n - pos - neg,
        positive_ratio=_ratio(pos, n),
        timed=timed,
        avg_response_time_seconds=_num(float(row["rt"]) / timed) if timed else None,
        min_response_time_seconds=_num(row["rt_lo"]),
        max_response_time_seconds=_num(row["rt_hi"]),
    )


@dataclass(frozen=True)
class RecordDimension:
    """One dimension recorded runs are grouped by: its SQL over the records (windowed reads) and
    the same key for one record in Python (the running totals, :func:`add_to_record_totals`), side by side."""

    kind: str  # agents | workflows | feedback
    name: str
    table: str
    sql: str
    key: Callable[[Mapping[str, Any]], str]
    measures: str
    render: Callable[[Mapping[str, Any]], BaseModel]


RECORD_DIMENSIONS = (
    RecordDimension(
        "agents", "agent_role", AgentMetric._meta.db_table, '"agent_role"', lambda r: r["agent_role"], _RUNS, _runs
    ),
    RecordDimension(
        "agents",
        "agent_type",
        AgentMetric._meta.db_table,
        f"COALESCE(\"agent_type\", '{UNSET}')",
        lambda r: r["agent_type"] or UNSET,
        _RUNS,
        _runs,
    ),
    RecordDimension(
        "workflows",
        "workflow_type",
        WorkflowMetric._meta.db_table,
        '"workflow_type"',
        lambda r: r["workflow_type"],
        _WORKFLOW_RUNS,
        _workflow_runs,
    ),
    RecordDimension(
        "feedback",
        "feedback_type",
        FeedbackMetric._meta.db_table,
        '"feedback_type"',
        lambda r: r["feedback_type"],
        _FEEDBACK,
        _feedback,
    ),
    RecordDimension(
        "feedback",
        "agent_role",
        FeedbackMetric._meta.db_table,
        '"agent_role"',
        lambda r: r["agent_role"],
        _FEEDBACK,
        _feedback,
    ),
    RecordDimension(
        "feedback",
        "response_time",
        FeedbackMetric._meta.db_table,
        _response_time_bucket(),
        lambda r: response_time_group(r["response_time_seconds"]),
        _FEEDBACK,
        _feedback,
    ),
)
"""Every kind's first dimension counts each of its records once (the totals by outcome read it)."""


async def record_breakdowns(organization_id: int, since: datetime | None = None) -> RecordBreakdowns:
    """The organization's recorded agent, workflow and feedback runs grouped by each stored dimension.

    One scan per table on PostgreSQL (its dimensions as grouping sets), one ``GROUP BY`` per
    dimension on SQLite, from the ``(organization_id, recorded_at)`` indexes; at most
    :data:`BREAKDOWN_LIMIT` groups per dimension, the most frequent first (``truncated`` names
    the dimensions that had more).  Records without an optional dimension (an agent without a
    type) are grouped under ``""``.
    """
    specs = {(d.kind, d.name): (d.table, d.sql, d.measures, d.render) for d in RECORD_DIMENSIONS}
    found: dict[tuple[str, str], list[dict[str, Any]]]
    if since is None:  # all time: the running totals, a few rows per dimension value
        found = await record_totals_rows(organization_id)
    elif get_settings().is_postgres:  # one scan per table: its dimensions as grouping sets
        found = {}
        tables: dict[str, list[tuple[str, str]]] = {}
        for spec_key, (table, *_) in specs.items():
            tables.setdefault(table, []).append(spec_key)
        for table, keys in tables.items():
            groups = [specs[k][1] for k in keys]
            per_group = await _grouped_sets(table, groups, specs[keys[0]][2], organization_id, since)
            found.update(zip(keys, per_group, strict=True))
    else:
        found = {}
        for spec_key, (table, group, measures, _) in specs.items():
            found[spec_key] = await _grouped(table, group, measures, organization_id, since)
    out: dict[str, Any] = {"agents": {}, "workflows": {}, "feedback": {}, "truncated": []}
    for (kind, dimension), (_, _, _, render) in specs.items():
        rows = found.get((kind, dimension), [])
        out[kind][dimension] = {str(r["k"]): render(r) for r in rows[:BREAKDOWN_LIMIT]}
        if len(rows) > BREAKDOWN_LIMIT:
            out["truncated"].append(f"{kind}.{dimension}")
    return RecordBreakdowns.model_validate(out)


# --------------------------------------------------------------------------- running totals of recorded runs

# One statement per record, in its transaction: a row per dimension, in RECORD_DIMENSIONS' order
# (concurrent records of one organization lock their rows in the same order: no deadlock).  The
# minimum and maximum ignore a missing value, as MIN and MAX over the records do.
_ADD_TOTALS = """
INSERT INTO "record_totals" AS t ("organization_id", "kind", "dimension", "key", "outcome", "n", "value_n",
    "value_sum", "value_min", "value_max", "steps_n", "steps_sum")
VALUES {rows}
ON CONFLICT ("organization_id", "kind", "dimension", "key", "outcome") DO UPDATE SET
    "n" = t."n" + EXCLUDED."n",
    "value_n" = t."value_n" + EXCLUDED."value_n",
    "value_sum" = COALESCE(t."value_sum" + EXCLUDED."value_sum", t."value_sum", EXCLUDED."value_sum"),
    "value_min" = {least}(COALESCE(t."value_min", EXCLUDED."value_min"), COALESCE(EXCLUDED."value_min", t."value_min")),
    "value_max" = {greatest}(
        COALESCE(t."value_max", EXCLUDED."value_max"), COALESCE(EXCLUDED."value_max", t."value_max")),
    "steps_n" = t."steps_n" + EXCLUDED."steps_n",
    "steps_sum" = t."steps_sum" + EXCLUDED."steps_sum"
"""
_RECORD_OUTCOME = {"agents": "status", "workflows": "status", "feedback": "rating"}
_RECORD_VALUE = {"agents": "duration_seconds", "workflows": "duration_seconds", "feedback": "response_time_seconds"}


async def add_to_record_totals(connection: Any, kind: str, organization_id: int, record: Mapping[str, Any]) -> None:
    """Count one stored record (its columns in ``record``) into the organization's running totals,
    on ``connection``: the record's own transaction, so the totals are exactly the records."""
    sql = _Sql()
    value, steps = record[_RECORD_VALUE[kind]], record.get("steps_executed")
    rows = []
    for d in RECORD_DIMENSIONS:
        if d.kind != kind:
            continue
        args: tuple[Any, ...] = (organization_id, kind, d.name, d.key(record), record[_RECORD_OUTCOME[kind]], 1)
        args += (int(value is not None), value, value, value, int(steps is not None), steps or 0)
        rows.append("(" + ", ".join(sql.p(a) for a in args) + ")")
    least, greatest = ("LEAST", "GREATEST") if sql.pg else ("MIN", "MAX")  # SQLite's two-argument MIN/MAX
    query = _ADD_TOTALS.format(rows=", ".join(rows), least=least, greatest=greatest)
    await connection.execute_query(query, sql.params)


_TOTALS = """
SELECT "kind", "dimension", "key" AS k, SUM("n") AS n,
    SUM(CASE WHEN "outcome" = 'success' THEN "n" ELSE 0 END) AS ok,
    SUM(CASE WHEN "outcome" = 'positive' THEN "n" ELSE 0 END) AS pos,
    SUM(CASE WHEN "outcome" = 'negative' THEN "n" ELSE 0 END) AS neg,
    SUM("value_n") AS timed, SUM("value_sum") AS total, MIN("value_min") AS lo, MAX("value_max") AS hi,
    SUM("steps_sum") AS steps, SUM("steps_n") AS stepped
FROM "record_totals" WHERE "organization_id" = {org} GROUP BY 1, 2, 3
"""


async def record_totals_rows(organization_id: int) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """All-time :func:`record_breakdowns` rows from the running totals (the same columns as the
    records' ``GROUP BY``), the most frequent first, ``BREAKDOWN_LIMIT + 1`` per dimension."""
    sql = _Sql()
    query = _TOTALS.format(org=sql.p(organization_id))
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in await connections.get("default").execute_query_dict(query, sql.params):
        row.update(rt=row["total"], rt_lo=row["lo"], rt_hi=row["hi"])  # feedback's names for its seconds
        found.setdefault((row["kind"], row["dimension"]), []).append(row)
    for rows in found.values():
        rows.sort(key=lambda r: (-int(r["n"]), r["k"]))
        del rows[BREAKDOWN_LIMIT + 1 :]
    return found


async def record_totals_by_outcome(organization_id: int) -> dict[str, dict[str, dict[str, Any]]]:
    """Kind -> outcome -> ``n``, ``total`` (seconds) and ``steps``, all time, from each kind's first
    dimension (which counts every record once)."""
    first: dict[str, str] = {}
    for d in RECORD_DIMENSIONS:
        first.setdefault(d.kind, d.name)
    sql = _Sql()
    org = sql.p(organization_id)  # placeholders in the order they appear: SQLite's are positional
    pairs = " OR ".join(f'("kind" = {sql.p(k)} AND "dimension" = {sql.p(n)})' for k, n in first.items())
    query = (
        'SELECT "kind", "outcome", SUM("n") AS n, SUM("value_sum") AS total, SUM("steps_sum") AS steps '
        f'FROM "record_totals" WHERE "organization_id" = {org} AND ({pairs}) GROUP BY 1, 2'
    )
    out: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in first}
    for row in await connections.get("default").execute_query_dict(query, sql.params):  # SUMs: numeric on PostgreSQL
        total = None if row["total"] is None else float(row["total"])
        out[row["kind"]][row["outcome"]] = {"n": int(row["n"]), "total": total, "steps": int(row["steps"])}
    return out
