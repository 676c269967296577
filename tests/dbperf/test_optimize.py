"""POST /admin/performance/database/optimize and its history: validation, one run at a time, real
VACUUM/ANALYZE/REINDEX with before and after figures, run by the job and by a real arq worker."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from services.dbperf import optimize
from tests.conftest import eventually, run_worker_burst, worker_process
from tests.dbperf.helpers import IS_POSTGRES, flush, pg
from workers import jobs

OPTIMIZE = "/admin/performance/database/optimize"
HISTORY = "/admin/performance/optimization/history"
TABLE = "system_metric_samples"  # a table of this product with no foreign keys: easy to fill and empty
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
async def no_run_in_progress(app):
    """Runs other tests left queued (the API fuzzer posts real ones; no worker runs in tests) hold the
    one-at-a-time lock: finish them the way a worker would before each test."""
    from models.dbperf import OptimizationRun

    for run_id in await OptimizationRun.filter(status="queued").values_list("id", flat=True):
        await jobs.optimize_database({}, run_id)


async def test_optimize_validation(client, make_tenant):
    su = await make_tenant("superuser")
    cases = [
        ({"tasks": ["drop_everything"]}, "tasks.0"),
        ({"tasks": []}, "tasks"),
        ({"tasks": None}, "tasks"),
        ({}, "tasks"),
        ({"tasks": ["analyze"], "tables": ["pg_authid"]}, "tables.0"),
        ({"tasks": ["vacuum"], "tables": [TABLE, 'x"; DROP TABLE users; --']}, "tables.1"),
        ({"tasks": ["analyze"], "tables": ["a\u0000b"]}, "tables.0"),
        ({"tasks": ["analyze"], "tables": ["t" * 5000]}, "tables.0"),
        ({"tasks": ["analyze"], "tables": []}, "tables"),
        ({"tasks": ["analyze"], "dry_run": "maybe"}, "dry_run"),
    ]
    for body, field in cases:
        r = await client.post(OPTIMIZE, json=body, headers=su.headers)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["details"][0]["field"] == field, (body, r.json())
    r = await client.get(HISTORY, params={"limit": 0}, headers=su.headers)
    assert r.status_code == 400 and r.json()["error"]["details"][0]["field"] == "limit"
    assert (await client.get(HISTORY, params={"limit": 101}, headers=su.headers)).status_code == 400
    assert (await client.get(HISTORY, params={"limit": 2**40}, headers=su.headers)).status_code == 400


async def test_dry_run_records_the_plan_and_before_figures(client, make_tenant):
    su = await make_tenant("superuser")
    body = {"tasks": ["analyze", "reindex", "analyze"], "tables": [TABLE, "prompts"], "dry_run": True}
    r = await client.post("/v1" + OPTIMIZE, json=body, headers=su.headers)
    assert r.status_code == 200, r.text
    run = r.json()["data"]
    assert run["dry_run"] is True and run["status"] == "completed" and run["tasks"] == ["analyze", "reindex"]
    assert run["requested_by"] == su.user_id and run["organization_id"] == su.organization_id
    sqls = [s["sql"] for s in run["statements"]]
    if IS_POSTGRES:
        assert sqls == [
            f'ANALYZE "{TABLE}"',
            'ANALYZE "prompts"',
            f'REINDEX TABLE CONCURRENTLY "{TABLE}"',
            'REINDEX TABLE CONCURRENTLY "prompts"',
        ]
    else:
        assert sqls == [f'ANALYZE "{TABLE}"', 'ANALYZE "prompts"', f'REINDEX "{TABLE}"', 'REINDEX "prompts"']
    assert all(s["duration_ms"] is None for s in run["statements"])
    assert set(run["before"]) == {TABLE, "prompts"} and run["after"] == {}
    assert run["before"]["prompts"]["table_bytes"] > 0
    history = (await client.get(HISTORY, params={"limit": 5}, headers=su.headers)).json()["data"]
    assert history["items"][0]["id"] == run["id"] and history["limit"] == 5


async def _dead_rows(n: int) -> None:
    """n rows inserted into and deleted from the product table, statistics flushed."""
    if IS_POSTGRES:
        conn = await pg()
        try:
            await conn.execute(
                f"INSERT INTO {TABLE} (host, sampled_at, cpu_percent, memory_percent, memory_used_bytes, disk_percent, "
                "disk_used_bytes, net_bytes_sent, net_bytes_recv, process_rss_bytes, process_threads, "
                "process_open_files) SELECT 'dbperf-test', now(), 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 "
                f"FROM generate_series(1, {n})"
            )
            await conn.execute(f"DELETE FROM {TABLE} WHERE host = 'dbperf-test'")
            await flush(conn)
        finally:
            await conn.close()
        for _ in range(40):
            figures = await optimize.figures([TABLE])
            if (figures[TABLE].dead_rows or 0) >= n:
                return
            await asyncio.sleep(0.25)
        raise AssertionError(f"dead rows never reached {n}: {figures}")


async def test_one_run_at_a_time_and_real_figures(client, make_tenant):
    su = await make_tenant("superuser")
    await _dead_rows(5000)
    r = await client.post(
        OPTIMIZE, json={"tasks": ["vacuum_analyze", "reindex"], "tables": [TABLE]}, headers=su.headers
    )
    assert r.status_code == 200, r.text
    run = r.json()["data"]
    assert run["status"] == "queued" and run["dry_run"] is False
    again = await client.post(OPTIMIZE, json={"tasks": ["analyze"]}, headers=su.headers)
    assert again.status_code == 409 and str(run["id"]) in again.json()["error"]["message"]
    # a dry run does not need the lock
    assert (
        await client.post(OPTIMIZE, json={"tasks": ["analyze"], "dry_run": True}, headers=su.headers)
    ).status_code == 200

    outcome = await jobs.optimize_database({}, run["id"])
    assert outcome["status"] == "completed", outcome
    done = next(
        i for i in (await client.get(HISTORY, headers=su.headers)).json()["data"]["items"] if i["id"] == run["id"]
    )
    assert done["status"] == "completed" and done["error"] is None
    assert done["started_at"] and done["finished_at"] and done["duration_ms"] > 0
    assert all(s["error"] is None and s["duration_ms"] is not None for s in done["statements"])
    before, after = done["before"][TABLE], done["after"][TABLE]
    if IS_POSTGRES:
        assert [s["sql"] for s in done["statements"]] == [
            f'VACUUM (ANALYZE) "{TABLE}"',
            f'REINDEX TABLE CONCURRENTLY "{TABLE}"',
        ]
        assert before["dead_rows"] >= 5000 and after["dead_rows"] == 0
        assert after["last_vacuum"] is not None and after["last_analyze"] is not None
    else:
        assert [s["sql"] for s in done["statements"]] == ["VACUUM", f'ANALYZE "{TABLE}"', f'REINDEX "{TABLE}"']
    assert after["table_bytes"] >= 0 and after["index_bytes"] > 0
    # the lock is released: the next run is accepted, and a finished run is not run twice
    assert (await jobs.optimize_database({}, run["id"]))["skipped"] is True
    nxt = await client.post(OPTIMIZE, json={"tasks": ["analyze"], "tables": [TABLE]}, headers=su.headers)
    assert nxt.status_code == 200, nxt.text
    assert (await jobs.optimize_database({}, nxt.json()["data"]["id"]))["status"] == "completed"


async def test_a_failing_statement_is_recorded_and_the_run_fails(client, make_tenant, monkeypatch):
    su = await make_tenant("superuser")
    r = await client.post(OPTIMIZE, json={"tasks": ["analyze"], "tables": [TABLE]}, headers=su.headers)
    run_id = r.json()["data"]["id"]
    from models.dbperf import OptimizationRun

    row = await OptimizationRun.get(id=run_id)
    row.statements = [*row.statements, {"task": "analyze", "table": "gone", "sql": 'ANALYZE "dbperf_gone"'}]
    await row.save()  # the table vanished between the request and the run
    outcome = await jobs.optimize_database({}, run_id)
    assert outcome["status"] == "failed"
    failed = (await client.get(HISTORY, params={"limit": 1}, headers=su.headers)).json()["data"]["items"][0]
    assert failed["id"] == run_id and failed["error"] == "1 of 2 statements failed"
    assert failed["statements"][0]["error"] is None and "dbperf_gone" in failed["statements"][1]["error"]
    assert (
        await client.post(OPTIMIZE, json={"tasks": ["analyze"], "dry_run": True}, headers=su.headers)
    ).status_code == 200
    ok = await client.post(OPTIMIZE, json={"tasks": ["analyze"], "tables": [TABLE]}, headers=su.headers)
    assert ok.status_code == 200  # a failed run released the lock
    await jobs.optimize_database({}, ok.json()["data"]["id"])


async def test_a_real_worker_runs_the_queued_job(client, make_tenant):
    su = await make_tenant("superuser")
    r = await client.post(OPTIMIZE, json={"tasks": ["analyze"], "tables": [TABLE, "prompts"]}, headers=su.headers)
    assert r.status_code == 200, r.text
    run_id = r.json()["data"]["id"]
    done = await run_worker_burst()
    assert done.returncode == 0, done.stderr[-2000:]
    items = (await client.get(HISTORY, headers=su.headers)).json()["data"]["items"]
    run = next(i for i in items if i["id"] == run_id)
    assert run["status"] == "completed", run
    assert [s["sql"] for s in run["statements"]] == [f'ANALYZE "{TABLE}"', 'ANALYZE "prompts"']


async def test_a_run_whose_job_left_the_queue_does_not_hold_the_lock(client, make_tenant, monkeypatch):
    """Redis lost the queued job (flushed, failed over): no worker will start the run, so after a grace
    period it is marked failed instead of answering 409 for the lock's three hours."""
    from arq.constants import job_key_prefix

    from services.core import job_queue

    su = await make_tenant("superuser")
    first = (await client.post(OPTIMIZE, json={"tasks": ["analyze"], "tables": [TABLE]}, headers=su.headers)).json()
    run_id = first["data"]["id"]
    assert (await client.post(OPTIMIZE, json={"tasks": ["analyze"]}, headers=su.headers)).status_code == 409
    monkeypatch.setattr(optimize, "ABANDONED_AFTER_SECONDS", 0)
    assert (
        await client.post(OPTIMIZE, json={"tasks": ["analyze"]}, headers=su.headers)
    ).status_code == 409  # still queued
    redis = await job_queue.pool()
    try:
        await redis.delete(job_key_prefix + optimize.job_id(run_id))
        await redis.zrem(job_queue.queue_name(), optimize.job_id(run_id))
    finally:
        await redis.aclose()
    second = await client.post(OPTIMIZE, json={"tasks": ["analyze"], "tables": [TABLE]}, headers=su.headers)
    assert second.status_code == 200, second.text
    items = (await client.get(HISTORY, params={"limit": 5}, headers=su.headers)).json()["data"]["items"]
    lost = next(i for i in items if i["id"] == run_id)
    assert lost["status"] == "failed" and lost["error"] == "abandoned: its job left the queue unrun"
    await jobs.optimize_database({}, second.json()["data"]["id"])


async def _run(client, su, run_id: int) -> dict:
    items = (await client.get(HISTORY, params={"limit": 20}, headers=su.headers)).json()["data"]["items"]
    return next(i for i in items if i["id"] == run_id)


@pytest.mark.skipif(not IS_POSTGRES, reason="blocks the run mid-way on a table lock held by another session")
async def test_a_worker_stopped_mid_run_fails_the_run_and_frees_the_lock(client, make_tenant):
    """A deploy restarts the worker while ANALYZE waits: arq cancels the job and, with one try allowed,
    never calls it again. The run is recorded as interrupted, and the next one is accepted at once
    instead of answering 409 for the lock's three hours."""
    su = await make_tenant("superuser")
    blocker = await pg()
    try:
        await blocker.execute("BEGIN")
        await blocker.execute(f'LOCK TABLE "{TABLE}" IN ACCESS EXCLUSIVE MODE')
        r = await client.post(OPTIMIZE, json={"tasks": ["analyze"], "tables": [TABLE]}, headers=su.headers)
        assert r.status_code == 200, r.text
        run_id = r.json()["data"]["id"]
        async with worker_process() as proc:

            async def running() -> bool:
                return (await _run(client, su, run_id))["status"] == "running"

            assert await eventually(running, within=60), await _run(client, su, run_id)
            proc.terminate()
            await asyncio.wait_for(proc.wait(), timeout=30)
    finally:
        await blocker.execute("ROLLBACK")
        await blocker.close()
    stopped = await _run(client, su, run_id)
    assert stopped["status"] == "failed", stopped
    assert stopped["error"] == "interrupted: the worker stopped during the run" and stopped["finished_at"]
    nxt = await client.post(OPTIMIZE, json={"tasks": ["analyze"], "tables": [TABLE]}, headers=su.headers)
    assert nxt.status_code == 200, nxt.text
    assert (await jobs.optimize_database({}, nxt.json()["data"]["id"]))["status"] == "completed"


async def test_a_running_run_holds_the_lock_only_while_a_worker_runs_its_job(client, make_tenant):
    """A worker killed outright (no chance to record anything) leaves its run 'running'; once arq no
    longer counts the job in progress, the run is marked failed and frees the lock."""
    from arq.constants import in_progress_key_prefix, job_key_prefix

    from models.dbperf import OptimizationRun
    from services.core import job_queue

    su = await make_tenant("superuser")
    r = await client.post(OPTIMIZE, json={"tasks": ["analyze"], "tables": [TABLE]}, headers=su.headers)
    run_id = r.json()["data"]["id"]
    redis = await job_queue.pool()
    try:  # what a worker holds while it runs the job: the job off the queue, its in-progress key set
        await redis.zrem(job_queue.queue_name(), optimize.job_id(run_id))
        await redis.set(in_progress_key_prefix + optimize.job_id(run_id), b"1", px=60_000)
        await OptimizationRun.filter(id=run_id).update(status="running")
        again = await client.post(OPTIMIZE, json={"tasks": ["analyze"]}, headers=su.headers)
        assert again.status_code == 409 and str(run_id) in again.json()["error"]["message"]
        # the worker is gone and its in-progress key has expired
        await redis.delete(in_progress_key_prefix + optimize.job_id(run_id), job_key_prefix + optimize.job_id(run_id))
    finally:
        await redis.aclose()
    nxt = await client.post(OPTIMIZE, json={"tasks": ["analyze"], "tables": [TABLE]}, headers=su.headers)
    assert nxt.status_code == 200, nxt.text
    lost = await _run(client, su, run_id)
    assert lost["status"] == "failed" and lost["error"] == "abandoned: its worker stopped during the run"
    assert lost["finished_at"]
    await jobs.optimize_database({}, nxt.json()["data"]["id"])
