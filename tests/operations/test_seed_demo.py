"""``python -m api.cli seed-demo``: realistic demo data, written fast, with rollups that match the raw rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from statistics import mean

from models.prompts import Prompt, PromptExecution, PromptRollupHourly, PromptVersion
from services.rollups import build as rollups
from tests.conftest import run_cli

EVENTS, DAYS, PROMPTS = 3000, 3, 6
END = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=7)


async def seeded(make_tenant):
    tenant = await make_tenant("admin")
    out = run_cli(
        "seed-demo",
        *("--email", tenant.email, "--events", str(EVENTS), "--days", str(DAYS), "--prompts", str(PROMPTS)),
        *("--seed", "11", "--end", END.isoformat()),
    )
    return tenant, json.loads(out.stdout)


def raw_answer(rows: list[dict], start: datetime, end: datetime) -> dict:
    sel = [r for r in rows if start <= r["occurred_at"] <= end]
    ok = sum(r["status"] == "completed" for r in sel)
    bad = sum(r["status"] == "failed" for r in sel)
    lat = sorted(r["latency_ms"] for r in sel if r["latency_ms"] is not None)
    costs = [float(r["cost_usd"]) for r in sel if r["cost_usd"] is not None]
    return {
        "execution_count": len(sel),
        "success_count": ok,
        "failure_count": bad,
        "success_rate": round(ok / (ok + bad), 6) if ok + bad else None,
        "avg_total_duration_ms": mean(r["total_duration_ms"] for r in sel if r["total_duration_ms"] is not None),
        "avg_score": mean(r["score"] for r in sel if r["score"] is not None),
        "total_cost_usd": sum(costs),
        "p95": lat[int(0.95 * (len(lat) - 1))],
    }


async def test_seed_demo_fills_the_org_with_data_the_api_answers_from(client, make_tenant):
    tenant, out = await seeded(make_tenant)
    assert out["events"] == EVENTS and out["prompts"] == PROMPTS and out["organization_id"] == tenant.organization_id
    assert out["workspaces"] >= 3 and out["data_sources"] >= 3 and out["rollup_buckets"] > 0
    assert await PromptExecution.filter(organization_id=tenant.organization_id).count() == EVENTS

    # history: every seeded prompt is the caller's, with its latest execution
    history = (await client.get("/api/v1/prompts/history", headers=tenant.headers)).json()["data"]
    assert history["pagination"]["total_items"] == PROMPTS
    for item in history["items"]:
        latest = await PromptExecution.filter(prompt_id=item["id"]).order_by("-occurred_at").first()
        assert item["status"] == latest.status and item["data_source_ids"] == latest.data_source_ids
        assert datetime.fromisoformat(item["timestamp"]) == latest.occurred_at
    statuses = set(
        await PromptExecution.filter(organization_id=tenant.organization_id).distinct().values_list("status", flat=True)
    )
    assert statuses == {"completed", "failed", "processing"}

    # analytics of the busiest prompt, over all time and over a ragged window, equal the raw rows
    counts = {}
    total = 0
    for item in history["items"]:
        data = (await client.get(f"/api/v1/prompts/{item['id']}/analytics", headers=tenant.headers)).json()["data"]
        counts[item["id"]] = data["execution_count"]
        total += data["execution_count"]
    assert total == EVENTS  # every stored event is counted exactly once
    busiest = max(counts, key=counts.get)
    rows = await PromptExecution.filter(prompt_id=busiest).values(
        "status", "latency_ms", "cost_usd", "score", "total_duration_ms", "occurred_at", "version_hash"
    )
    start, end = END - timedelta(days=2, minutes=13), END - timedelta(hours=5, minutes=29)
    for params in ({}, {"period_start": start.isoformat(), "period_end": end.isoformat()}):
        got = (await client.get(f"/api/v1/prompts/{busiest}/analytics", params=params, headers=tenant.headers)).json()
        got = got["data"]
        want = raw_answer(rows, start if params else END - timedelta(days=DAYS), end if params else END)
        for k in ("execution_count", "success_count", "failure_count", "success_rate"):
            assert got[k] == want[k], k
        assert abs(got["avg_total_duration_ms"] - want["avg_total_duration_ms"]) < 1e-6
        assert abs(got["avg_score"] - want["avg_score"]) < 1e-9
        assert abs(got["total_cost_usd"] - want["total_cost_usd"]) < 1e-6
        assert abs(got["p95_latency_ms"] - want["p95"]) <= 0.011 * want["p95"]
        assert got["most_used_data_sources"][0]["data_source_name"]

    # versions: 2-4 per prompt, spans match the raw rows, and they behave differently
    versions = await PromptVersion.filter(prompt_id=busiest)
    assert 2 <= len(versions) <= 4
    for v in versions:
        mine = [r for r in rows if r["version_hash"] == v.version_hash]
        assert v.first_seen_at == min(r["occurred_at"] for r in mine)
        assert v.last_seen_at == max(r["occurred_at"] for r in mine)
    per_version = {
        v.version_hash: mean(r["latency_ms"] for r in rows if r["version_hash"] == v.version_hash and r["latency_ms"])
        for v in versions
    }
    assert max(per_version.values()) > 1.1 * min(per_version.values())

    # the data is the caller's organization's alone; no dirty marks were left for the worker
    other = await make_tenant("admin")
    r = await client.get(f"/api/v1/prompts/{busiest}/analytics", headers=other.headers)
    assert r.status_code == 404
    ids = list(counts)
    assert await rollups.dirty_hours(*ids) == {pid: set() for pid in ids}

    # make run's first-start seeding: --if-empty does nothing once there is data
    again = json.loads(run_cli("seed-demo", "--email", tenant.email, "--events", "10", "--if-empty").stdout)
    assert again["skipped"] is True
    assert await PromptExecution.filter(organization_id=tenant.organization_id).count() == EVENTS


async def test_rebuild_all_writes_what_rebuild_bucket_writes(client, make_tenant):
    tenant, _ = await seeded(make_tenant)
    prompt = await Prompt.filter(organization_id=tenant.organization_id).order_by("id").first()
    bogus = PromptRollupHourly(
        organization_id=tenant.organization_id,
        prompt_id=prompt.id,
        version_hash="gone",
        status="completed",
        bucket_start=END - timedelta(days=30),
        count=1,
    )
    await bogus.save()
    orphan = PromptRollupHourly(  # a deleted prompt's rollup (rollups have no foreign key to cascade)
        organization_id=tenant.organization_id,
        prompt_id=2_000_000_000,
        status="completed",
        bucket_start=END - timedelta(days=1),
        count=1,
    )
    await orphan.save()
    await rollups.rebuild_all(tenant.organization_id)

    def snapshot(rows: list[PromptRollupHourly]) -> dict:
        return {(r.bucket_start, r.version_hash, r.status): r for r in rows}

    assert not await PromptRollupHourly.filter(prompt_id=orphan.prompt_id).exists()
    streamed = snapshot(await PromptRollupHourly.filter(prompt_id=prompt.id))
    assert ("gone" not in {k[1] for k in streamed}) and streamed
    times = await PromptExecution.filter(prompt_id=prompt.id).values_list("occurred_at", flat=True)
    hours = sorted({rollups.hour_floor(t) for t in times})
    assert {k[0] for k in streamed} == set(hours)
    for hour in hours:
        await rollups.rebuild_bucket(prompt.organization_id, prompt.id, hour)
    bucketed = snapshot(await PromptRollupHourly.filter(prompt_id=prompt.id))
    assert streamed.keys() == bucketed.keys()
    for k, a in streamed.items():
        b = bucketed[k]
        assert (a.organization_id, a.count, a.data_sources, a.schemas) == (
            b.organization_id,
            b.count,
            b.data_sources,
            b.schemas,
        )
        assert a.sketches == b.sketches and a.max_occurred_at == b.max_occurred_at
        assert a.totals.keys() == b.totals.keys()
        for m, (s, n, sq) in a.totals.items():  # float sums: equal up to summation order
            assert n == b.totals[m][1] and abs(s - b.totals[m][0]) <= 1e-9 * max(1.0, abs(s))
            assert abs(sq - b.totals[m][2]) <= 1e-9 * max(1.0, abs(sq))


def test_seed_demo_rejects_bad_input():
    bad = run_cli("seed-demo", "--events", "0", check=False)
    assert bad.returncode != 0 and "events" in bad.stderr
    late = run_cli("seed-demo", "--end", "yesterday", check=False)
    assert late.returncode != 0 and "--end" in late.stderr
    nobody = run_cli("seed-demo", "--email", "nobody@example.test", check=False)
    assert nobody.returncode != 0 and "no user with email" in nobody.stderr


async def test_large_runs_render_in_a_worker_process(client, make_tenant, monkeypatch):
    """The path big seeds take: several segments; on PostgreSQL rendered in a worker process."""
    from tortoise import connections

    from services.devtools import demo_data
    from tests.conftest import IS_POSTGRES

    monkeypatch.setattr(demo_data, "PARALLEL_FROM", 1)
    monkeypatch.setattr(demo_data, "SEGMENT_EVENTS", 700)
    tenant = await make_tenant("admin")
    options = demo_data.SeedOptions(events=2500, days=2, prompts=4, seed=5, end=END)
    result = await demo_data.seed_demo(tenant.principal, options)
    assert result.events == 2500
    assert await PromptExecution.filter(organization_id=tenant.organization_id).count() == 2500
    prompt = await Prompt.filter(organization_id=tenant.organization_id).order_by("id").first()
    data = (await client.get(f"/api/v1/prompts/{prompt.id}/analytics", headers=tenant.headers)).json()["data"]
    assert data["execution_count"] == await PromptExecution.filter(prompt_id=prompt.id).count() > 0
    if IS_POSTGRES:  # the drain and delete_prompt keep the references (models/prompts.py), not triggers
        _, keys = await connections.get("default").execute_query(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'prompt_executions'::regclass AND contype = 'f'"
        )
        assert keys == []
