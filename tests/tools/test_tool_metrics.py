"""``mcp_server_operation_duration_seconds`` on /metrics: the OpenTelemetry MCP duration histogram,
computed at scrape time from the tool rollups (every organization), parsed back with prometheus_client."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from asyncio.subprocess import PIPE, STDOUT
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from services import tools
from services.core.redis_client import get_redis, key
from services.ingest import pipeline
from services.tools import metrics as tool_metrics
from services.tools import rollups as tool_rollups

BATCH = "/api/v1/tools/executions/batch"


def _histogram(text: str, tool: str) -> dict[str, float]:
    """``le`` -> cumulative count, plus ``count`` and ``sum``, of one tool's series."""
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name != "mcp_server_operation_duration_seconds":
            continue
        assert family.type == "histogram"
        for s in family.samples:
            if s.labels.get("gen_ai_tool_name") != tool:
                continue
            if s.name.endswith("_bucket"):
                out[s.labels["le"]] = s.value
            elif s.name.endswith("_count"):
                out["count"] = s.value
            elif s.name.endswith("_sum"):
                out["sum"] = s.value
    return out


async def test_the_histogram_counts_every_organizations_rolled_up_calls_by_tool(client, make_tenant, monkeypatch):
    monkeypatch.setattr(tool_metrics, "MAX_TOOLS", 100_000)  # other tests' tools must not fold this one into "other"
    su, other = await make_tenant("superuser"), await make_tenant("admin")
    tool = f"histogram-{uuid.uuid4().hex[:8]}"
    when = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    # ms: two below 10 ms (one of them 0), 15 ms, 150 ms, 1.5 s and 400 s (above the last bound, 300 s)
    mine = [0, 5, 15, 150, 1500]
    theirs = [5, 400_000]
    for tenant, durations in ((su, mine), (other, theirs)):
        events = [{"tool_name": tool, "duration_ms": d, "started_at": when} for d in durations]
        r = await client.post(BATCH, json={"events": events}, headers=tenant.headers)
        assert r.status_code == 202, r.text
    await pipeline.drain("test")
    await get_redis().delete(key(tool_metrics.CACHE))
    before = _histogram((await client.get("/metrics", headers=su.headers)).text, tool)
    assert before == {}  # not rolled up yet: nothing on the ingest path

    assert await tools.rebuild_dirty() > 0
    await get_redis().delete(key(tool_metrics.CACHE))
    for path in ("/metrics", "/v1/metrics/prometheus"):
        r = await client.get(path, headers=su.headers)
        assert r.status_code == 200, r.text
        h = _histogram(r.text, tool)
        every = mine + theirs
        assert h["count"] == len(every) and h["+Inf"] == len(every)
        assert h["sum"] == pytest.approx(sum(every) / 1000.0)
        expected = {repr(b): sum(1 for d in every if d <= b * 1000) for b in tool_metrics.BOUNDS}
        assert {le: v for le, v in h.items() if le in expected} == expected
        assert expected["0.01"] == 3 and expected["300.0"] == 6
    assert (await client.get("/metrics", headers=other.headers)).status_code == 403  # superusers only
    if shutil.which("promtool"):  # the family alone passes promtool's lint
        family = "".join(line + "\n" for line in r.text.splitlines() if tool_metrics.NAME in line)
        promtool = await asyncio.create_subprocess_exec(
            "promtool", "check", "metrics", stdin=PIPE, stdout=PIPE, stderr=STDOUT
        )
        output, _ = await promtool.communicate(family.encode())
        assert promtool.returncode == 0, output.decode()


def test_bucket_bounds_hold_within_the_sketchs_accuracy_and_the_rest_is_other():
    sketch = tool_rollups.Sketch()
    for ms in (9.8, 10.2, 99.0, 101.0, 299_000.0):
        sketch.add(ms)
    zeros, lo, raw = tool_rollups.encode_sketch(sketch)
    rows = [("a", 5, 299_319.0, zeros, lo, raw), ("b", 1, 1.0, 0, 0, None), ("c", 2, 2.0, 2, 0, None)]
    out = {tool: (count, total, buckets) for tool, count, total, buckets in tool_metrics.aggregate(rows, max_tools=1)}
    assert set(out) == {"a", "other"}
    count, total, buckets = out["a"]
    by_bound = dict(zip(tool_metrics.BOUNDS, buckets, strict=True))
    # 9.8 ms and 10.2 ms lie within 1% of 10 ms: each lands on the side its sketch bin stands for
    assert by_bound[0.01] in (1, 2) and by_bound[0.02] == 2 and by_bound[0.1] in (3, 4) and by_bound[0.2] == 4
    assert by_bound[300.0] == 5 and count == 5 and total == pytest.approx(299.319)
    assert out["other"][0] == 3 and out["other"][2] == [2] * len(tool_metrics.BOUNDS)  # zeros count below every bound
