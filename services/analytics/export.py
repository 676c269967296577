"""Analytics export: per prompt x version x UTC day metrics as JSON, CSV or XLSX, streamed.

Rows are produced page by page (one UTC day x a chunk of prompts holding at most
``ROW_BUDGET`` rollup rows per read; whole days come from daily rollups), so memory
stays flat however many rows there are: JSON and CSV are written to the response as
each page arrives; XLSX is written with openpyxl's write-only (constant memory)
workbook to a temporary file, then streamed from disk and deleted.

``metric_types`` selects columns: family names (``volume``, ``latency``, ``cost``,
``quality``) and/or single column names (e.g. ``latency_p95_ms``).  The identifying
columns (day, prompt, version) are always present; rows are ordered by day, prompt
id, version.  Rows with no executions are not written.  The window covers every UTC
day it touches (``7d`` = the last 7 x 24 hours, widened to whole days).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from tortoise.functions import Count

from models.prompts import EXECUTION_STATUSES, PromptVersion
from services.analytics.scope import PromptRef, organization_prompts
from services.analytics.windows import checked, window
from services.core.errors import BadRequest
from services.identity.policy import Principal, require_admin
from services.metrics.builtin import BUILTIN
from services.rollups.build import DAY, Accumulator, day_floor
from services.rollups.query import accumulate_slices

ROW_BUDGET = 10_000  # rollup rows per read (one UTC day x a chunk of prompts)
FILE_CHUNK = 256 * 1024
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


async def _json_chunks(plan: ExportPlan) -> AsyncIterator[bytes]:
    meta = {
        "time_window": plan.time_window,
        "period_start": plan.start.isoformat().replace("+00:00", "Z"),
        "period_end": plan.end.isoformat().replace("+00:00", "Z"),
        "columns": plan.header,
    }
    yield orjson.dumps(meta)[:-1] + b',"rows":['
    first = True
    async for rows in export_rows(plan):
        body = b",".join(orjson.dumps(dict(zip(plan.header, r, strict=True))) for r in rows)
        yield body if first else b"," + body
        first = False
    yield b"]}"


async def _csv_chunks(plan: ExportPlan) -> AsyncIterator[bytes]:
    def encode(rows: list[list[Any]]) -> bytes:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([["" if v is None else v for v in r] for r in rows])
        return buf.getvalue().encode()

    yield encode([plan.header])
    async for rows in export_rows(plan):
        yield encode(rows)


def _append_rows(sheet: Any, rows: list[Any]) -> None:
    for row in rows:
        sheet.append(row)


async def _xlsx_chunks(plan: ExportPlan) -> AsyncIterator[bytes]:
    from openpyxl import Workbook

    fd, path = tempfile.mkstemp(prefix="promptops-export-", suffix=".xlsx")
    os.close(fd)
    try:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("prompt_metrics")
        sheet.append(plan.header)
        async for rows in export_rows(plan):
            await asyncio.to_thread(_append_rows, sheet, rows)
        await asyncio.to_thread(book.save, path)
        with open(path, "rb") as fh:  # noqa: ASYNC230 - local temp file, read in bounded chunks
            while chunk := await asyncio.to_thread(fh.read, FILE_CHUNK):
                yield chunk
    finally:
        os.unlink(path)


async def export_data(
    principal: Principal,
    format: str = "json",
    time_window: str = "7d",
    metric_types: Sequence[str] | None = None,
    now: datetime | None = None,
) -> ExportFile:
    """Validate everything up front (errors are 400s before any byte is sent), then stream lazily."""
    principal = require_admin(principal)
    fmt = format.strip().lower()
    if fmt not in FORMATS:
        raise BadRequest.field("format", f"format must be one of {', '.join(FORMATS)}")
    time_window = checked(time_window)
    columns = select_columns(metric_types)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    win = window(time_window, now)
    plan = ExportPlan(
        principal.organization_id,
        time_window,
        day_floor(win.start),
        win.end,
        columns,
        await organization_prompts(principal.organization_id),
    )
    chunks = {"json": _json_chunks, "csv": _csv_chunks, "xlsx": _xlsx_chunks}[fmt](plan)
    filename = f"prompt-analytics_{time_window}_{now.strftime('%Y%m%dT%H%M%SZ')}.{fmt}"
    return ExportFile(filename, FORMATS[fmt], chunks)
