"""One question, one number: every built-in metric is the same on every surface that shows it.

The formulas live once, in ``services/metrics/builtin.py`` (``BUILTIN[name].compute`` over a
rollup accumulator).  One organization logs two prompts' runs yesterday: ``mixed`` (completed,
failed and still-processing runs) and ``running`` (only still-processing runs: the edge case where
a rate is 0.0, not "no data").  Every surface is then asked about them and each answer is
compared, metric by metric (a failure names the surface and the metric), with the built-in
definition over the same data and window:

* the chart (REST), the GraphQL graph and the export's columns (UTC-day buckets);
* per-prompt analytics (``GET /api/v1/prompts/{id}/analytics``);
* the admin summary (KPIs of the organization, error rate of each top prompt);
* the version report (the performance row of the version, the peer benchmarks);
* a deployment comparison (each side's window metrics, rates in percent, and the verdicts' values).

Surfaces keep their documented presentation: per-prompt success rate rounded to 6 digits, total
costs to 8, and the deployments' rates as ``100 * value``.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.identity import tenancy
from services.identity.policy import Role
from services.metrics.builtin import BUILTIN
from services.rollups import Accumulator, accumulate_slices
from workers import jobs

CTX = {"worker_id": "test-one-number"}
BASE = "/admin/prompt-analytics"
SUMMARY_DAYS = 7
EXPORT_COLUMN = {  # built-in metric -> its export column (rows are UTC days)
    "executions": "executions",
    "success_rate": "success_rate",
    "error_rate": "error_rate",
    "latency_avg": "latency_avg_ms",
    "latency_p50": "latency_p50_ms",
    "latency_p95": "latency_p95_ms",
    "latency_p99": "latency_p99_ms",
    "duration_avg": "duration_avg_ms",
    "cost_total": "cost_total_usd",
    "cost_avg": "cost_avg_usd",
    "score_avg": "score_avg",
}
GQL = """query($m: String!, $ids: [Int!]) {
  timeSeries(metricName: $m, timeWindow: "30d", promptIds: $ids) { timestamps series { promptId values } }
}"""


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))


def rounded(digits: int) -> Callable[[float | None], float | None]:
    return lambda v: None if v is None else round(v, digits)


def percent(v: float | None) -> float | None:
    return None if v is None else 100.0 * v


def plain(v: float | None) -> float | None:
    return v


@dataclass
class World:
    """What was logged, the built-in reference over it, and every surface's answer."""

    admin_headers: dict[str, str]
    yesterday: datetime
    prompts: dict[str, int]  # "mixed" / "running" -> prompt id
    accs: dict[str, Accumulator]  # the reference: each prompt's executions, from the rollups
    export_row: dict[str, Any]  # the mixed prompt's export row (yesterday)
    analytics: dict[str, dict[str, Any]]  # per-prompt analytics, by prompt
    summary: dict[str, Any]
    reports: dict[str, dict[str, Any]]  # the version report, by prompt
    comparison: dict[str, Any]  # baseline ships mixed v1, candidate ships running v1

    def builtin(self, name: str, which: str | None, seconds: float = 86400.0) -> float | None:
        """The built-in definition over one prompt's runs (``None``: the organization's, merged)."""
        if which is not None:
            return BUILTIN[name].compute(self.accs[which], seconds)
        merged = Accumulator()
        for acc in self.accs.values():
            merged.merge(acc)
        return BUILTIN[name].compute(merged, seconds)


@pytest.fixture(scope="module")
async def world(app: object) -> AsyncIterator[World]:
    tag = uuid.uuid4().hex[:8]
    tenant = await tenancy.bootstrap(f"org-{tag}", f"user-{tag}@example.test", Role("admin"), f"pw-{tag}")
    headers = {"Authorization": f"Bearer {tenant.access_token}"}
    key_headers = {"Authorization": f"Bearer {tenant.api_key}"}
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        uuids, prompts = {}, {}
        for which in ("mixed", "running"):
            uuids[which] = str(uuid.uuid4())
            body = {"name": f"one number {which}", "uuid": uuids[which]}
            r = await client.post("/api/v1/prompts", json=body, headers=headers)
            assert r.status_code == 201, r.text
            prompts[which] = r.json()["data"]["id"]
        now = datetime.now(UTC)
        yesterday = now.replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)

        def event(which: str, i: int, status: str) -> dict[str, Any]:
            e = {
                "prompt_id": uuids[which],
                "version_hash": "v1",
                "timestamp": (yesterday + timedelta(minutes=i)).isoformat(),
                "latency_ms": 10.0 + 7.5 * i,
                "total_duration_ms": 20.0 + 3 * i,
                "cost_usd": 0.001 * (i % 5),
                "score": 0.1 * (i % 10) if i % 3 else None,
                "status": status,
            }
            return {k: v for k, v in e.items() if v is not None}

        events = [
            event("mixed", i, "failed" if i % 7 == 0 else ("processing" if i % 11 == 0 else "completed"))
            for i in range(60)
        ]
        events += [event("running", i, "processing") for i in range(5)]
        r = await client.post("/api/v1/prompts/analytics/batch", json={"events": events}, headers=key_headers)
        assert r.status_code == 202, r.text
        await jobs.drain_ingest(CTX)
        await jobs.refresh_rollups(CTX)

        # deployments live since before the runs, in two environments, each shipping one prompt's v1
        shipped = {}
        for which in ("mixed", "running"):
            r = await client.post(
                "/api/v1/environments", json={"name": f"env {which}", "kind": "production"}, headers=headers
            )
            assert r.status_code == 201, r.text
            body = {
                "environment_id": r.json()["data"]["id"],
                "name": f"release {which}",
                "version": "1.0.0",
                "status": "succeeded",
                "finished_at": (yesterday - timedelta(hours=1)).isoformat(),
                "prompt_versions": [{"prompt_id": uuids[which], "version_hash": "v1"}],
            }
            r = await client.post("/api/v1/deployments", json=body, headers=headers)
            assert r.status_code == 201, r.text
            shipped[which] = r.json()["data"]["id"]

        async def get(path: str, **params: Any) -> Any:
            r = await client.get(path, params=params, headers=headers)
            assert r.status_code == 200, (path, r.text)
            return r.json()["data"] if "data" in r.json() else r.json()

        export = await get(f"{BASE}/export/data", format="json", time_window="30d")
        (export_row,) = [row for row in export["rows"] if row["prompt_id"] == prompts["mixed"]]
        assert export_row["date"] == yesterday.date().isoformat() and export_row["executions"] == 60
        slices = await accumulate_slices(list(prompts.values()), None, now)
        accs = {which: slices.get((pid, None, None)) or Accumulator() for which, pid in prompts.items()}
        assert (accs["mixed"].count, accs["running"].count) == (60, 5)
        assert accs["running"].success + accs["running"].failure == 0  # nothing finished: rates are 0.0

        yield World(
            admin_headers=headers,
            yesterday=yesterday,
            prompts=prompts,
            accs=accs,
            export_row=export_row,
            analytics={w: await get(f"/api/v1/prompts/{pid}/analytics") for w, pid in prompts.items()},
            summary=await get(f"{BASE}/analytics/summary", days=SUMMARY_DAYS),
            reports={w: await get(f"{BASE}/prompts/{pid}/report", time_window="30d") for w, pid in prompts.items()},
            comparison=await get(
                "/admin/deployment-analytics/compare",
                deployment_id1=shipped["mixed"],
                deployment_id2=shipped["running"],
            ),
        )


@pytest.mark.parametrize("name", list(BUILTIN))
async def test_chart_graphql_and_export_give_the_builtin_number(name, world, client):
    pid = world.prompts["mixed"]
    r = await client.get(
        f"{BASE}/charts/time-series",
        params={"metric_name": name, "time_window": "30d", "prompt_ids": [pid]},
        headers=world.admin_headers,
    )
    assert r.status_code == 200, (name, r.text)
    rest = r.json()["data"]
    day = rest["timestamps"].index(world.yesterday.replace(hour=0).isoformat().replace("+00:00", "Z"))
    rest_value = rest["series"][0]["values"][day]
    assert rest_value is not None, name
    assert same(rest_value, world.builtin(name, "mixed", 86400.0)), (name, rest_value)
    r = await client.post(
        "/graphql", json={"query": GQL, "variables": {"m": name, "ids": [pid]}}, headers=world.admin_headers
    )
    body = r.json()
    assert "errors" not in body, (name, body)
    graph = body["data"]["timeSeries"]
    assert [parse(t) for t in graph["timestamps"]] == [parse(t) for t in rest["timestamps"]]
    pairs = zip(graph["series"][0]["values"], rest["series"][0]["values"], strict=True)
    assert all(same(g, r) for g, r in pairs), name
    if name in EXPORT_COLUMN:
        value = world.export_row[EXPORT_COLUMN[name]]
        assert same(value, rest_value), (name, value, rest_value)


# --- the other surfaces: (surface, built-in metric) -> (the surface's answer, the built-in's, as presented)

Pair = tuple[float | None, float | None]
PROMPTS = ("mixed", "running")

ANALYTICS_FIELD = {  # per-prompt analytics field -> (built-in metric, presentation)
    "execution_count": ("executions", plain),
    "success_rate": ("success_rate", rounded(6)),
    "avg_latency_ms": ("latency_avg", plain),
    "p50_latency_ms": ("latency_p50", plain),
    "p95_latency_ms": ("latency_p95", plain),
    "p99_latency_ms": ("latency_p99", plain),
    "avg_total_duration_ms": ("duration_avg", plain),
    "total_cost_usd": ("cost_total", rounded(8)),
    "avg_cost_usd": ("cost_avg", plain),
    "avg_score": ("score_avg", plain),
}
SUMMARY_KPIS = (  # the summary's KPIs (same names as the built-in metrics), over the organization
    "executions",
    "success_rate",
    "error_rate",
    "throughput",
    "latency_avg",
    "latency_p50",
    "latency_p95",
    "latency_p99",
    "cost_total",
    "cost_avg",
    "score_avg",
)
REPORT_FIELDS = (  # the version report's performance row (same names as the built-in metrics)
    "executions",
    "success_rate",
    "error_rate",
    "latency_avg",
    "latency_p50",
    "latency_p95",
    "cost_avg",
    "cost_total",
    "score_avg",
)
WINDOW_FIELD = {  # deployment window metrics field -> (built-in metric, presentation)
    "executions": ("executions", plain),
    "success_rate": ("success_rate", percent),
    "error_rate": ("error_rate", percent),
    "latency_avg": ("latency_avg", plain),
    "latency_p50": ("latency_p50", plain),
    "latency_p95": ("latency_p95", plain),
    "latency_p99": ("latency_p99", plain),
    "cost_per_execution": ("cost_avg", plain),
    "cost_total": ("cost_total", rounded(8)),
    "score_avg": ("score_avg", plain),
}
VERDICT_OF = {"success_rate": "success_rate", "latency_p99": "latency_p99", "cost_avg": "cost_per_execution"}
VERDICT_OF["score_avg"] = "score"


def prompt_analytics(w: World, name: str) -> list[Pair]:
    (field,) = [f for f, (m, _) in ANALYTICS_FIELD.items() if m == name]
    shown = ANALYTICS_FIELD[field][1]
    return [(w.analytics[p][field], shown(w.builtin(name, p))) for p in PROMPTS]


def admin_summary(w: World, name: str) -> list[Pair]:
    seconds = SUMMARY_DAYS * 86400.0
    kpis = w.summary["kpis"]["current"]
    shown = rounded(8) if name == "cost_total" else plain
    pairs: list[Pair] = [(kpis[name], shown(w.builtin(name, None, seconds)))] if name in SUMMARY_KPIS else []
    if name in ("executions", "error_rate"):
        top = {t["prompt_id"]: t for t in w.summary["usage"]["top_prompts"]}
        key = "executions" if name == "executions" else "error_rate"
        pairs += [(top[w.prompts[p]][key], w.builtin(name, p, seconds)) for p in PROMPTS]
    return pairs


def version_report(w: World, name: str) -> list[Pair]:
    pairs: list[Pair] = []
    for p in PROMPTS:
        report = w.reports[p]
        seconds = (parse(report["period_end"]) - parse(report["period_start"])).total_seconds()
        (row,) = [v for v in report["versions"] if v["version_hash"] == "v1"]
        shown = rounded(8) if name == "cost_total" else plain
        if name in REPORT_FIELDS:
            pairs.append((row[name], shown(w.builtin(name, p, seconds))))
        pairs += [(b["value"], w.builtin(name, p, seconds)) for b in report["benchmarks"] if b["metric"] == name]
    return pairs


def deployment_comparison(w: World, name: str) -> list[Pair]:
    c = w.comparison
    pairs: list[Pair] = []
    for side, p in (("baseline", "mixed"), ("candidate", "running")):
        for field, (metric, shown) in WINDOW_FIELD.items():
            if metric == name:
                pairs.append((c[side]["metrics"][field], shown(w.builtin(name, p))))
    if name in VERDICT_OF:
        (verdict,) = [v for v in c["verdicts"] if v["metric"] == VERDICT_OF[name]]
        shown = percent if name == "success_rate" else plain
        pairs += [(verdict["baseline"], shown(w.builtin(name, "mixed")))]
        pairs += [(verdict["candidate"], shown(w.builtin(name, "running")))]
    return pairs


SURFACES: dict[str, Callable[[World, str], list[Pair]]] = {
    "prompt_analytics": prompt_analytics,
    "admin_summary": admin_summary,
    "version_report": version_report,
    "deployment_comparison": deployment_comparison,
}
SHOWN = {  # the built-in metrics each surface shows
    "prompt_analytics": {m for m, _ in ANALYTICS_FIELD.values()},
    "admin_summary": set(SUMMARY_KPIS),
    "version_report": set(REPORT_FIELDS),
    "deployment_comparison": {m for m, _ in WINDOW_FIELD.values()},
}
CASES = [pytest.param(s, m, id=f"{s}-{m}") for s in SURFACES for m in BUILTIN if m in SHOWN[s]]


@pytest.mark.parametrize(("surface", "name"), CASES)
async def test_every_surface_gives_the_builtin_number(surface, name, world):
    pairs = SURFACES[surface](world, name)
    assert pairs, (surface, name)
    for shown, builtin in pairs:
        assert same(shown, builtin), (surface, name, shown, builtin)


async def test_rates_are_zero_not_missing_when_runs_exist_but_none_finished(world):
    """The edge case the surfaces used to disagree on, spelled out (the built-in's choice)."""
    running = world.prompts["running"]
    assert world.analytics["running"]["success_rate"] == 0.0
    (top,) = [t for t in world.summary["usage"]["top_prompts"] if t["prompt_id"] == running]
    assert top["error_rate"] == 0.0
    (row,) = world.reports["running"]["versions"]
    assert (row["success_rate"], row["error_rate"]) == (0.0, 0.0)
    metrics = world.comparison["candidate"]["metrics"]
    assert (metrics["success_rate"], metrics["error_rate"]) == (0.0, 0.0)
