"""Analytics export: per prompt x version x UTC day metrics as JSON, CSV or XLSX, streamed.

On PostgreSQL the file is formatted by the database: past days whose daily rollups are
current are ``COPY (SELECT ...) TO STDOUT``\ s of about ``COPY_ROWS`` rows each
(:mod:`services.analytics.export_sql` computes the metric columns from the daily rows in
SQL, with the same definitions as :mod:`services.metrics.builtin`), streamed to the
response through bounded queues with the next COPY already running on a second
connection (:mod:`services.core.file_stream`): CSV as PostgreSQL writes it, JSON as one
``row_to_json`` object per row joined by commas, XLSX as one worksheet ``<row>`` per row
zipped on a worker thread.  No Python object per row, and memory holds a few chunks
whatever the file size.  The current day and days with a dirty hour (rollups being
rebuilt) come from :func:`export_rows` -- the rollup reader, exact however fresh the
data -- as does everything on SQLite.

:func:`export_rows` reads page by page (one UTC day x a chunk of prompts holding at most
``ROW_BUDGET`` rollup rows per read), so that path is flat in memory too.

``metric_types`` selects columns: family names (``volume``, ``latency``, ``cost``,
``quality``) and/or single column names (e.g. ``latency_p95_ms``).  The identifying
columns (day, prompt, version) are always present; rows are ordered by day, prompt
id, version.  Rows with no executions are not written.  The window covers every UTC
day it touches (``7d`` = the last 7 x 24 hours, widened to whole days).  XLSX starts
a new sheet (``prompt_metrics_2``, ...) every 1,048,575 rows, Excel's limit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from tortoise.functions import Count

from models.prompts import EXECUTION_STATUSES, PromptVersion
from services.analytics import export_sql
from services.analytics.scope import PromptRef, organization_prompts, require_known
from services.analytics.windows import checked, window
from services.core.config import get_settings
from services.core.errors import BadRequest
from services.core.file_stream import LINES, Copy, json_array, pg_float, stream_copies, xlsx_row, xlsx_stream
from services.identity import Principal, require_admin
from services.metrics import BUILTIN
from services.rollups import DAY, Accumulator, accumulate_slices, day_floor, dirty_hours

ROW_BUDGET = 10_000  # rollup rows per read (one UTC day x a chunk of prompts)
COPY_ROWS = 50_000  # rows (at most) per COPY: enough to hide its ~10 ms start, small enough to pipeline
SHEET = "prompt_metrics"
FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _builtin(name: str, digits: int | None = None) -> Callable[[Accumulator], Any]:
    """The export column of built-in metric ``name``: the same formula charts, rules and reports use."""
    compute = BUILTIN[name].compute

    def column(acc: Accumulator) -> Any:
        value = compute(acc, DAY.total_seconds())  # rows are UTC days
        return round(value, digits) if digits is not None and value is not None else value

    return column


# Columns in canonical order: raw counts, then built-in metrics under their unit-suffixed names.
METRIC_COLUMNS: dict[str, Callable[[Accumulator], Any]] = {
    "executions": lambda a: a.count,
    "successes": lambda a: a.success,
    "failures": lambda a: a.failure,
    "success_rate": _builtin("success_rate"),
    "error_rate": _builtin("error_rate"),
    "latency_avg_ms": _builtin("latency_avg"),
    "latency_p50_ms": _builtin("latency_p50"),
    "latency_p95_ms": _builtin("latency_p95"),
    "latency_p99_ms": _builtin("latency_p99"),
    "duration_avg_ms": _builtin("duration_avg"),
    "cost_total_usd": _builtin("cost_total", 8),
    "cost_avg_usd": _builtin("cost_avg"),
    "score_avg": _builtin("score_avg"),
    "scored": lambda a: a.n("score"),
}
FAMILIES: dict[str, tuple[str, ...]] = {
    "volume": ("executions", "successes", "failures", "success_rate", "error_rate"),
    "latency": ("latency_avg_ms", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "duration_avg_ms"),
    "cost": ("cost_total_usd", "cost_avg_usd"),
    "quality": ("score_avg", "scored"),
}
KEY_COLUMNS = ("date", "prompt_id", "prompt_uuid", "prompt_name", "version_hash")
# the SQL path computes the same columns (tests/analytics/test_export_streaming.py compares values)
if list(export_sql.METRIC_SQL) != list(METRIC_COLUMNS):
    raise RuntimeError("export_sql.METRIC_SQL must name the columns of METRIC_COLUMNS, in order")


def select_columns(metric_types: Sequence[str] | None) -> list[str]:
    """Metric columns for the requested families/columns, in canonical order; all by default."""
    if not metric_types:
        return list(METRIC_COLUMNS)
    wanted: set[str] = set()
    for raw in metric_types:
        name = raw.strip().lower()
        if name in FAMILIES:
            wanted.update(FAMILIES[name])
        elif name in METRIC_COLUMNS:
            wanted.add(name)
        else:
            raise BadRequest.field(
                "metric_types",
                f"Unknown metric type '{raw}'; use {', '.join(FAMILIES)} or a column: {', '.join(METRIC_COLUMNS)}",
            )
    return [c for c in METRIC_COLUMNS if c in wanted]


@dataclass
class ExportFile:
    filename: str
    media_type: str
    chunks: AsyncIterator[bytes]


@dataclass(frozen=True)
class ExportPlan:
    organization_id: int
    time_window: str
    start: datetime
    end: datetime
    columns: list[str]
    prompts: dict[int, PromptRef]

    @property
    def header(self) -> list[str]:
        return [*KEY_COLUMNS, *self.columns]


async def _version_counts(organization_id: int) -> dict[int, int]:
    rows = (
        await PromptVersion.filter(organization_id=organization_id)
        .annotate(n=Count("id"))
        .group_by("prompt_id")
        .values("prompt_id", "n")
    )
    return {r["prompt_id"]: r["n"] for r in rows}


def prompt_pages(prompt_ids: Sequence[int], versions: dict[int, int], budget: int) -> list[list[int]]:
    """Prompt id chunks whose rollup rows per day (versions x statuses) stay within ``budget``."""
    pages: list[list[int]] = []
    page: list[int] = []
    weight = 0
    for pid in sorted(prompt_ids):
        w = max(1, versions.get(pid, 0)) * len(EXECUTION_STATUSES)
        if page and weight + w > budget:
            pages.append(page)
            page, weight = [], 0
        page.append(pid)
        weight += w
    if page:
        pages.append(page)
    return pages


async def export_rows(plan: ExportPlan) -> AsyncIterator[list[list[Any]]]:
    """Pages of rows ordered by day, prompt id, version: one UTC day x one prompt chunk per read.

    A read holds at most about ``ROW_BUDGET`` rollup rows, whatever the number of prompts,
    versions or days, which is what keeps an export's memory flat.
    """
    pages = prompt_pages(list(plan.prompts), await _version_counts(plan.organization_id), ROW_BUDGET)
    day = plan.start
    while day <= plan.end:
        # one UTC day (the reader's end is inclusive), bucketed by day so that the day's daily
        # rollups answer it; not kept in the per-process caches (each row is read once)
        end = min(day + DAY - timedelta(microseconds=1), plan.end)
        for page in pages:
            slices = await accumulate_slices(page, day, end, by_version=True, bucket=DAY, keep=False)
            rows = []
            for (pid, version, bucket), acc in sorted(slices.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
                if bucket != day or not acc.count:
                    continue
                ref = plan.prompts[pid]
                key = [day.date().isoformat(), pid, ref.uuid, ref.name, version or ""]
                rows.append(key + [METRIC_COLUMNS[c](acc) for c in plan.columns])
            if rows:
                yield rows
        day += DAY


async def _segments(plan: ExportPlan) -> AsyncIterator[tuple[datetime, datetime] | list[list[Any]]]:
    """The file in order: days ``[start, end)`` PostgreSQL computes, and pages of rows made here.

    On PostgreSQL past days whose daily rollups are current (no prompt of the export has a
    dirty hour in them) are ``COPY``\ s formatted by the server, each over as many days as
    make about ``COPY_ROWS`` rows (a day holds at most one row per prompt version), so that
    the next one runs while this one is sent (:func:`stream_copies`) and a small export is
    one query.  The last (current) day and days holding a dirty hour go through
    :func:`export_rows`, which reads hourly rows and raw events where it must.  SQLite:
    everything through :func:`export_rows`.  PostgreSQL buys: the server formats and streams
    the clean days, instead of every rollup row being parsed, merged and written in Python.
    """
    if not get_settings().is_postgres:
        async for rows in export_rows(plan):
            yield rows
        return
    versions = await _version_counts(plan.organization_id)
    per_day = sum(max(1, versions.get(pid, 0)) for pid in plan.prompts)
    days_per_copy = max(1, COPY_ROWS // max(1, per_day))
    last = day_floor(plan.end)
    marked = await dirty_hours(*plan.prompts)
    slow = {day_floor(h) for hours in marked.values() for h in hours} | {last}
    day = plan.start
    while day <= last:
        if day in slow:
            async for rows in export_rows(replace(plan, start=day, end=min(day + DAY - _US, plan.end))):
                yield rows
            day += DAY
            continue
        end = day + DAY
        while end < last and end not in slow and (end - day).days < days_per_copy:
            end += DAY
        yield (day, end)
        day = end


_US = timedelta(microseconds=1)


async def _pieces(
    plan: ExportPlan, sql: str, options: Mapping[str, Any], encode: Callable[[list[list[Any]]], bytes]
) -> AsyncIterator[Copy | bytes]:
    """What :func:`stream_copies` sends: a COPY of ``sql`` per run of database days, ``encode(rows)`` else."""
    async for segment in _segments(plan):
        if isinstance(segment, tuple):
            yield Copy(sql, export_sql.args(plan, *segment), options)
        else:
            yield encode(segment)


def _csv_line(values: list[Any]) -> list[Any]:
    return ["" if v is None else pg_float(v) if isinstance(v, float) else v for v in values]


def _csv_encode(rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([_csv_line(r) for r in rows])
    return buf.getvalue().encode()


async def _csv_chunks(plan: ExportPlan) -> AsyncIterator[bytes]:
    yield _csv_encode([plan.header])
    async for chunk in stream_copies(_pieces(plan, export_sql.csv_sql(plan.columns), {"format": "csv"}, _csv_encode)):
        yield chunk


def _json_chunks(plan: ExportPlan) -> AsyncIterator[bytes]:
    meta = {
        "time_window": plan.time_window,
        "period_start": plan.start.isoformat().replace("+00:00", "Z"),
        "period_end": plan.end.isoformat().replace("+00:00", "Z"),
        "columns": plan.header,
    }

    def encode(rows: list[list[Any]]) -> bytes:
        return b"".join(orjson.dumps(dict(zip(plan.header, r, strict=True))) + b"\n" for r in rows)

    lines = stream_copies(_pieces(plan, export_sql.json_sql(plan.columns), LINES, encode))
    return json_array(orjson.dumps(meta)[:-1] + b',"rows":[', lines, b"]}")


def _xlsx_chunks(plan: ExportPlan) -> AsyncIterator[bytes]:
    def encode(rows: list[list[Any]]) -> bytes:
        return b"".join(xlsx_row(r) for r in rows)

    return xlsx_stream(
        SHEET, plan.header, stream_copies(_pieces(plan, export_sql.xlsx_sql(plan.columns), LINES, encode))
    )


async def export_plan(
    principal: Principal,
    time_window: str = "7d",
    metric_types: Sequence[str] | None = None,
    prompt_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> ExportPlan:
    """What an export covers: the caller's organization (admins only), window, columns and prompts.

    ``prompt_ids`` narrows the export to those prompts; one that is not the caller's is a 404.
    """
    principal = require_admin(principal)
    time_window = checked(time_window)
    columns = select_columns(metric_types)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    win = window(time_window, now)
    prompts = await organization_prompts(principal.organization_id)
    if prompt_ids:
        require_known(prompts, prompt_ids)
        prompts = {pid: prompts[pid] for pid in sorted(set(prompt_ids))}
    return ExportPlan(principal.organization_id, time_window, day_floor(win.start), win.end, columns, prompts)


async def export_data(
    principal: Principal,
    format: str = "json",
    time_window: str = "7d",
    metric_types: Sequence[str] | None = None,
    now: datetime | None = None,
    prompt_ids: Sequence[int] | None = None,
) -> ExportFile:
    """Validate everything up front (errors are 400s before any byte is sent), then stream lazily."""
    principal = require_admin(principal)
    fmt = format.strip().lower()
    if fmt not in FORMATS:
        raise BadRequest.field("format", f"format must be one of {', '.join(FORMATS)}")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    plan = await export_plan(principal, time_window, metric_types, prompt_ids, now)
    chunks = {"json": _json_chunks, "csv": _csv_chunks, "xlsx": _xlsx_chunks}[fmt](plan)
    filename = f"prompt-analytics_{plan.time_window}_{now.strftime('%Y%m%dT%H%M%SZ')}.{fmt}"
    return ExportFile(filename, FORMATS[fmt], chunks)
