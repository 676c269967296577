"""The export's rows as one PostgreSQL query over daily rollups, formatted by the server.

For whole UTC days whose daily rollup rows are current (no dirty hour), a row of the
export -- prompt x version x day -- is the merge of that day's daily rows of the
prompt version (one per status), and every metric column is arithmetic on their counts,
sums and latency sketches.  This module writes that arithmetic in SQL so PostgreSQL can
compute and format a million rows through ``COPY ... TO STDOUT`` with no Python per row.

Each column's SQL mirrors the Python definition the rest of the product uses:

* rates: :func:`services.metrics.builtin.finished_ratio` (part over finished runs, 0.0
  when nothing finished yet, NULL without runs);
* means and totals: the rollups' ``[sum, n, sum of squares]`` totals;
* percentiles: :class:`services.rollups.sketch.Sketch` -- merged bucket counts, rank
  ``q * (count - 1)``, zeros first, then the first bucket whose running count passes the
  rank, answered as ``2 * gamma**k / (gamma + 1)`` with the same gamma.

``tests/analytics/test_export_streaming.py`` checks that both paths give the same numbers
for every column (the SQL's float text is PostgreSQL's shortest exact form; the 8-digit
rounding of ``cost_total_usd`` goes through ``numeric``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from services.core.file_stream import xlsx_number_sql, xlsx_plain_text_sql, xlsx_row_sql, xlsx_text_sql
from services.rollups import RELATIVE_ACCURACY

if TYPE_CHECKING:
    from services.analytics.export import ExportPlan

# the sketch's gamma, computed by the same float operations as services.rollups.sketch
GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
MEASURES = ("latency_ms", "total_duration_ms", "cost_usd", "score")
QUANTILES = {"latency_p50_ms": 0.5, "latency_p95_ms": 0.95, "latency_p99_ms": 0.99}


def _ratio(part: str) -> str:
    return f"CASE WHEN g.ok + g.bad > 0 THEN g.{part}::float8 / (g.ok + g.bad)::float8 WHEN g.n > 0 THEN 0.0 END"


def _avg(measure: str) -> str:
    return f"g.{measure}_s / nullif(g.{measure}_n, 0)"


def _quantile(column: str) -> str:
    q = QUANTILES[column]
    return (
        f"CASE WHEN q.cnt = 0 THEN NULL WHEN {q!r}::float8 * (q.cnt - 1)::float8 < g.z::float8 THEN 0.0::float8 "
        f"ELSE 2 * power({GAMMA!r}::float8, q.{column}::float8) / ({GAMMA!r}::float8 + 1) END"
    )


# Column -> SQL over ``g`` (the grouped daily rows) and ``q`` (the merged sketch); the same
# names and order as services.analytics.export.METRIC_COLUMNS (asserted there).
METRIC_SQL: dict[str, str] = {
    "executions": "g.n",
    "successes": "g.ok",
    "failures": "g.bad",
    "success_rate": _ratio("ok"),
    "error_rate": _ratio("bad"),
    "latency_avg_ms": _avg("latency_ms"),
    "latency_p50_ms": _quantile("latency_p50_ms"),
    "latency_p95_ms": _quantile("latency_p95_ms"),
    "latency_p99_ms": _quantile("latency_p99_ms"),
    "duration_avg_ms": _avg("total_duration_ms"),
    "cost_total_usd": "round(coalesce(g.cost_usd_s, 0)::numeric, 8)::float8",
    "cost_avg_usd": _avg("cost_usd"),
    "score_avg": _avg("score"),
    "scored": "coalesce(g.score_n, 0)::bigint",
}
TEXT_COLUMNS = ("date", "prompt_uuid", "prompt_name", "version_hash")


def _grouped() -> str:
    sums = ",\n".join(
        f"  sum((r.totals->'{m}'->>0)::float8) AS {m}_s, sum((r.totals->'{m}'->>1)::float8) AS {m}_n" for m in MEASURES
    )
    return f"""
SELECT r.bucket_start AS day, r.prompt_id, r.version_hash COLLATE "C" AS version, p.uuid, p.name,
  sum(r.count)::bigint AS n,
  coalesce(sum(r.count) FILTER (WHERE r.status = 'completed'), 0)::bigint AS ok,
  coalesce(sum(r.count) FILTER (WHERE r.status = 'failed'), 0)::bigint AS bad,
{sums},
  coalesce(sum((r.sketches->'latency_ms'->>'z')::bigint), 0) AS z,
  array_agg(r.sketches->'latency_ms'->'b') FILTER (WHERE jsonb_typeof(r.sketches->'latency_ms'->'b') = 'object') AS sk
FROM prompt_rollups_daily r JOIN prompts p ON p.id = r.prompt_id AND p.organization_id = $1
WHERE r.organization_id = $1 AND r.bucket_start >= $2 AND r.bucket_start < $3
  AND r.prompt_id = ANY($4::int[])
GROUP BY r.bucket_start, r.prompt_id, r.version_hash COLLATE "C", p.id
HAVING sum(r.count) > 0"""


def _sketch_lateral(columns: Sequence[str]) -> str:
    """The merged sketch of ``g``: its value count and, per quantile column, the bucket answering it.

    The buckets of the group's rows are not summed per key first: the running sum's default
    frame (``RANGE ... CURRENT ROW``) counts every row of an equal key, so a key's running
    count is already the merged one -- one sort and two window passes per group, no more.
    The group's bucket maps come as a ``jsonb[]`` (``array_agg``: unlike ``jsonb_agg`` it
    builds no new JSON document; ~15% of the query's CPU).
    """
    picks = ",\n    ".join(
        f"coalesce(min(c.k) FILTER (WHERE c.cum::float8 > {QUANTILES[col]!r}::float8 * (g.z + c.total - 1)::float8"
        f" - g.z::float8), max(c.k)) AS {col}"
        for col in columns
    )
    return f"""
LEFT JOIN LATERAL (
  SELECT g.z + coalesce(max(c.total), 0) AS cnt,
    {picks}
  FROM (
    SELECT e.key::int AS k, sum(e.value::bigint) OVER (ORDER BY e.key::int) AS cum,
      sum(e.value::bigint) OVER () AS total
    FROM unnest(g.sk) s(x), jsonb_each_text(s.x) e
  ) c
) q ON true"""


def _query(select: str, columns: Sequence[str]) -> str:
    """``SELECT select`` over the rows of ``$2 <= day < $3`` of organization ``$1`` (prompts ``$4``), in file order.

    ``t`` names the row's columns (``t.date``, ``t.prompt_id``, ..., the metric columns).  The
    groups come out of their aggregation already in file order -- day, prompt id, version by
    code point (``COLLATE "C"``: Python's str order, not the database collation's) -- and
    ``ORDER BY`` names those same keys, so PostgreSQL sorts once, before grouping, and never
    the wide output rows.
    """
    quantiles = [c for c in columns if c in QUANTILES]
    metrics = "".join(f",\n  {METRIC_SQL[c]} AS {c}" for c in columns)
    return f"""
SELECT {select}
FROM ({_grouped()}) g{_sketch_lateral(quantiles) if quantiles else ""}
CROSS JOIN LATERAL (SELECT to_char(g.day AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date, g.prompt_id,
  g.uuid::text AS prompt_uuid, g.name::text AS prompt_name, g.version::text AS version_hash{metrics}) t
ORDER BY g.day, g.prompt_id, g.version"""


def csv_sql(columns: Sequence[str]) -> str:
    """The rows for ``COPY ... (FORMAT csv)``: empty text as an empty field, as Python's csv writes it."""
    header = ["date", "prompt_id", "prompt_uuid", "prompt_name", "version_hash", *columns]
    return _query(", ".join(f"nullif(t.{c}, '')" if c in TEXT_COLUMNS else f"t.{c}" for c in header), columns)


def json_sql(columns: Sequence[str]) -> str:
    """One JSON object per row (``row_to_json``: compact, keys in column order)."""
    return _query("row_to_json(t)::text", columns)


def xlsx_sql(columns: Sequence[str]) -> str:
    """One worksheet ``<row>`` per row."""
    cells = [xlsx_plain_text_sql("t.date"), xlsx_number_sql("t.prompt_id"), xlsx_plain_text_sql("t.prompt_uuid")]
    cells += [xlsx_text_sql(f"t.{c}") for c in ("prompt_name", "version_hash")]
    cells += [xlsx_number_sql(f"t.{c}") for c in columns]
    return _query(xlsx_row_sql(cells), columns)


def args(plan: ExportPlan, start: datetime, end: datetime) -> tuple[int, datetime, datetime, list[int]]:
    """The queries' parameters: the organization, the days ``start <= day < end``, the prompts.

    The prompt ids (all of the organization's unless narrowed) let the query use the rollups'
    ``(prompt_id, bucket_start)`` index instead of scanning every organization's rows.
    """
    return (plan.organization_id, start, end, list(plan.prompts))
