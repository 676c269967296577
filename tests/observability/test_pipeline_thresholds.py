"""The ingest backlog and the rollup lag are one reading each, judged by one pair of thresholds:
the analytics health, the recommendations and the Prometheus export agree on both."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

from models.prompts import Prompt
from services.core.redis_client import get_redis, key
from services.observability import probes
from services.rollups import DIRTY_PROMPTS
from services.rollups import build as rollups
from workers import jobs

CTX = {"worker_id": "test-pipeline-thresholds"}
HEALTH = "/v1/admin/prompt-analytics/health"


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def _surfaces(client, root) -> tuple[dict, dict, dict]:
    r = await client.get(HEALTH, headers=root.headers)
    assert r.status_code == 200, r.text
    health = {c["name"]: c for c in r.json()["data"]["components"]}
    r = await client.get("/v1/monitoring/recommendations", params={"hours": 1}, headers=root.headers)
    assert r.status_code == 200, r.text
    recs = {rec["kind"]: rec for rec in r.json()["data"]["recommendations"]}
    r = await client.get("/metrics", headers=root.headers)
    assert r.status_code == 200, r.text
    return health, recs, _samples(r.text)


def test_limits_judge_at_or_over() -> None:
    limits = probes.Limits(warning=10, critical=20, unit="things")
    judged = [limits.judge(v) for v in (0, 9.9, 10, 19, 20, 1e9)]
    assert judged == ["ok", "ok", "warning", "warning", "critical", "critical"]
    assert probes.rollup_lag_level({"dirty_prompts": 0, "lag_seconds": 0.0}) == "ok"
    assert probes.INGEST_BACKLOG.unit == "stream entries" and probes.ROLLUP_LAG.unit == "seconds"


async def test_backlog_and_rollup_lag_agree_across_health_recommendations_and_prometheus(
    client, make_tenant, monkeypatch
):
    root = await make_tenant("superuser")
    await jobs.drain_ingest(CTX)
    await jobs.refresh_rollups(CTX)
    pid = uuid.uuid4()
    now = datetime.now(UTC)
    event = {"prompt_id": str(pid), "version_hash": "v1", "timestamp": now.isoformat()}
    r = await client.post("/api/v1/prompts/analytics/batch", json={"events": [event]}, headers=root.key_headers)
    assert r.status_code == 202, r.text
    await jobs.drain_ingest(CTX)  # stores the prompt, so a dirty mark can name it
    prompt = await Prompt.get(uuid=pid)
    try:
        for _ in range(2):  # a backlog: two stream entries nobody drains
            r = await client.post("/api/v1/prompts/analytics/batch", json={"events": [event]}, headers=root.key_headers)
            assert r.status_code == 202, r.text
        entries = (await probes.ingest_backlog())["stream_length"]
        assert entries >= 2
        # the one definition, changed in one place: every surface must judge by it
        limits = probes.Limits(warning=entries, critical=entries + 1_000, unit="stream entries")
        monkeypatch.setattr(probes, "INGEST_BACKLOG", limits)
        # a dirty mark left 1,000 s ago: past ROLLUP_LAG's critical level (900 s)
        await rollups.mark_dirty([(prompt.organization_id, prompt.id, now)])
        member = f"{prompt.organization_id}:{prompt.id}"
        await get_redis().zadd(key(DIRTY_PROMPTS), {member: time.time() - 1_000}, xx=True)

        health, recs, prom = await _surfaces(client, root)

        ingest = health["ingest_stream"]
        assert ingest["status"] == "degraded"
        assert f"{entries} stream entries queued (warning at {entries})" in ingest["detail"]["reasons"]
        assert ingest["detail"]["queued"] == entries
        backlog = recs["stream_backlog"]
        assert backlog["severity"] == "warning"
        assert backlog["evidence"]["stream_length"] == entries
        assert backlog["evidence"]["threshold"] == limits.warning and backlog["evidence"]["critical"] == limits.critical
        assert backlog["evidence"]["unit"] == "stream entries"
        assert prom[("promptops_ingest_stream_backlog", ())] == entries
        assert prom[("promptops_ingest_stream_backlog_threshold", (("severity", "warning"),))] == limits.warning
        assert prom[("promptops_ingest_stream_backlog_threshold", (("severity", "critical"),))] == limits.critical

        lag_limits = probes.ROLLUP_LAG
        rolled = health["rollups"]
        assert rolled["status"] == "degraded"
        lag = recs["rollup_lag"]
        assert lag["severity"] == "critical"
        assert lag["evidence"]["threshold_seconds"] == lag_limits.warning
        assert lag["evidence"]["critical_seconds"] == lag_limits.critical
        figures = [
            rolled["detail"]["oldest_dirty_age_seconds"],
            lag["evidence"]["lag_seconds"],
            prom[("promptops_rollup_lag_seconds", ())],
        ]
        # one reading in seconds, taken three times a few milliseconds apart
        assert min(figures) >= 1_000 and max(figures) - min(figures) < 30, figures
        assert rolled["detail"]["dirty_prompts"] == lag["evidence"]["dirty_prompts"]
        assert rolled["detail"]["dirty_prompts"] == prom[("promptops_rollup_dirty_prompts", ())]
        assert prom[("promptops_rollup_lag_threshold_seconds", (("severity", "warning"),))] == lag_limits.warning
        assert prom[("promptops_rollup_lag_threshold_seconds", (("severity", "critical"),))] == lag_limits.critical
    finally:
        await jobs.drain_ingest(CTX)
        await jobs.refresh_rollups(CTX)
    monkeypatch.undo()
    health, recs, _ = await _surfaces(client, root)
    assert health["rollups"]["detail"] == {"dirty_prompts": 0, "oldest_dirty_age_seconds": None}
    assert health["ingest_stream"]["detail"]["queued"] == 0
    assert "stream_backlog" not in recs and "rollup_lag" not in recs
