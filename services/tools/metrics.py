"""The tool domain's Prometheus family, added to ``/metrics`` (and ``/v1/metrics/prometheus``) through
:data:`services.observability.prometheus.EXTRA_FAMILIES` (registered when this package is imported).

``mcp_server_operation_duration_seconds{gen_ai_tool_name}``: a histogram named after the OpenTelemetry
MCP metric ``mcp.server.operation.duration`` (unit s) as Prometheus spells OpenTelemetry names (dots
to underscores, the unit as a suffix), with the ``gen_ai.tool.name`` attribute as ``gen_ai_tool_name``.
Platform-wide (every organization) over every rolled-up call, computed at scrape time from the daily
organization-wide tool rollup rows: ``_count`` is their calls, ``_sum`` their duration sum in seconds,
and each bucket counts the sketch bins whose value (within the sketch's 1% relative accuracy) is at
most its bound.  Nothing is added to the ingest path: a call shows once the ``refresh_tool_rollups``
job (every minute) has rolled its hour up, and the series only grow as calls are added.

The rollups are per tool, so ``mcp.method.name`` and the server (``server.address``) are not labels
here.  Label cardinality is bounded: the ``MAX_TOOLS`` most-called tool names are named, the rest are
summed as ``gen_ai_tool_name="other"``.  Computed at most every ``CACHE_SECONDS`` (one query over the
daily rows for every process scraping: the result is shared in Redis).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from prometheus_client.core import HistogramMetricFamily, Metric

from models.tools import ToolRollup
from services.core.redis_client import shared_json
from services.rollups import last_key_at_most
from services.tools.rollups import SKETCH_COLUMNS, _counts_array

NAME = "mcp_server_operation_duration_seconds"
CACHE_SECONDS = 30
CACHE = "tools:prometheus"
MAX_TOOLS = 50
OTHER = "other"
# Bucket bounds in seconds, from 10 ms to 5 minutes (a call may last up to 7 days: +Inf holds the rest).
BOUNDS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
# The last sketch key of each bound (in ms): a bin counts below a bound when the value it answers does.
_LAST_KEYS = np.array([last_key_at_most(b * 1000.0) for b in BOUNDS])


def _bucket_counts(zeros: int, lo: int, raw: bytes | None) -> np.ndarray:
    """Calls at or below each bound (not cumulative over rows: one row's sketch)."""
    out = np.full(len(BOUNDS), int(zeros), dtype=np.int64)
    counts = _counts_array(raw)
    if counts is None:
        return out
    cumulative = np.cumsum(counts.astype(np.int64))
    index = _LAST_KEYS - int(lo)
    below = index >= 0
    out[below] += cumulative[np.minimum(index[below], len(cumulative) - 1)]
    return out


def aggregate(rows: Iterable[Sequence[Any]], max_tools: int = MAX_TOOLS) -> list[list[Any]]:
    """``(tool, calls, duration_sum_ms, zeros, lo, counts)`` rows -> ``[tool, count, sum_s, buckets]`` per
    label, the ``max_tools`` most-called tools by name and the rest as ``OTHER``."""
    per_tool: dict[str, list[Any]] = {}
    for tool, calls, duration_sum, zeros, lo, raw in rows:
        acc = per_tool.setdefault(tool, [0, 0.0, np.zeros(len(BOUNDS), dtype=np.int64)])
        acc[0] += int(calls)
        acc[1] += float(duration_sum)
        acc[2] += _bucket_counts(zeros, lo, raw)
    ranked = sorted(per_tool.items(), key=lambda item: (-item[1][0], item[0]))
    out: dict[str, list[Any]] = {}
    for i, (tool, (calls, duration_sum, buckets)) in enumerate(ranked):
        label = tool if i < max_tools else OTHER
        acc = out.setdefault(label, [0, 0.0, np.zeros(len(BOUNDS), dtype=np.int64)])
        acc[0] += calls
        acc[1] += duration_sum
        acc[2] += buckets
    return [
        [tool, calls, duration_sum / 1000.0, buckets.tolist()] for tool, (calls, duration_sum, buckets) in out.items()
    ]


async def _compute() -> dict[str, Any]:
    rows = await ToolRollup.filter(granularity="day", user_id__isnull=True).values_list(
        "tool_name", "calls", "duration_sum", *SKETCH_COLUMNS
    )
    return {"tools": aggregate(rows)}


async def _data() -> dict[str, Any]:
    return await shared_json(CACHE, CACHE_SECONDS, _compute)


async def families() -> list[Metric]:
    data = await _data()
    histogram = HistogramMetricFamily(
        NAME,
        "Duration of MCP tool calls (OpenTelemetry mcp.server.operation.duration), from the tool rollups",
        labels=["gen_ai_tool_name"],
    )
    for tool, count, duration_sum, buckets in data["tools"]:
        cumulative = [(repr(bound), float(n)) for bound, n in zip(BOUNDS, buckets, strict=True)]
        histogram.add_metric([tool], [*cumulative, ("+Inf", float(count))], float(duration_sum))
    return [histogram]
