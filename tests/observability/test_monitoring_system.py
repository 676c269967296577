"""System metrics (psutil), the sampler switch and job, and the health endpoints."""

from __future__ import annotations

import asyncio
import time

import httpx
from asgi_lifespan import LifespanManager

from api.app import create_app
from models.monitoring import SystemMetricSample
from services.core.config import get_settings
from services.core.redis_client import get_redis, key
from services.observability.workers import beat, forget
from workers import jobs


async def test_current_metrics_are_a_real_probe(client, make_tenant):
    import psutil

    admin = await make_tenant("admin")
    r = await client.get("/v1/monitoring/metrics/current", headers=admin.headers)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert 0 <= data["cpu"]["percent"] <= 100 and data["cpu"]["count_logical"] == psutil.cpu_count()
    assert data["memory"]["total_bytes"] == psutil.virtual_memory().total
    assert 0 < data["disk"]["percent"] <= 100 and data["disk"]["total_bytes"] > 0
    assert data["network"]["bytes_recv"] > 0
    proc = psutil.Process()
    assert data["process"]["pid"] == proc.pid and data["process"]["threads"] >= 1
    assert data["process"]["rss_bytes"] > 10_000_000 and data["process"]["open_files"] > 0
    assert set(data["load_average"]) == {"load_1", "load_5", "load_15"}


async def test_start_stop_are_superuser_only_and_drive_the_sampler_job(client, make_tenant):
    admin = await make_tenant("admin")
    root = await make_tenant("superuser")
    for path in ("/v1/monitoring/start", "/v1/monitoring/stop"):
        r = await client.post(path, headers=admin.headers)
        assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
    r = await client.post("/v1/monitoring/stop", headers=root.headers)
    assert r.status_code == 200 and r.json()["data"]["enabled"] is False
    assert await jobs.sample_system_metrics({}) == {"sampled": False, "reason": "monitoring is stopped"}

    before = await SystemMetricSample.all().count()
    r = await client.post("/v1/monitoring/start", headers=root.headers)
    data = r.json()["data"]
    assert data["enabled"] is True and data["status"] == "running" and data["changed_by"] == root.user_id
    assert await SystemMetricSample.filter(id=data["first_sample_id"]).exists()
    await get_redis().delete(*[k async for k in get_redis().scan_iter(match=key("mon", "sampler", "*"))] or ["x"])
    period = get_settings().system_metrics_interval_seconds
    if time.time() % period > period - 5:  # both samples below must fall in one sampling period
        await asyncio.sleep(period - time.time() % period + 0.1)
    result = await jobs.sample_system_metrics({})
    assert result["sampled"] is True
    sample = await SystemMetricSample.get(id=result["sample_id"])
    assert 0 <= sample.cpu_percent <= 100 and sample.memory_used_bytes > 0 and sample.process_rss_bytes > 0
    # a second worker on the same host in the same period does not double-sample
    assert (await jobs.sample_system_metrics({}))["sampled"] is False
    assert await SystemMetricSample.all().count() == before + 2

    r = await client.get("/v1/monitoring/health-check", headers=admin.headers)
    monitor = r.json()["data"]
    assert monitor["sampler"]["enabled"] is True and monitor["sampler"]["last_sample_age_seconds"] < 60
    assert monitor["sampler"]["stale"] is False

    # the switch is a database row: a fresh process (here: the service function) sees it
    r = await client.post("/v1/monitoring/stop", headers=root.headers)
    assert r.json()["data"]["enabled"] is False and r.json()["data"]["previously_enabled"] is True
    r = await client.get("/v1/monitoring/health-check", headers=admin.headers)
    assert r.json()["data"]["sampler"]["status"] == "stopped"


async def test_health_reports_every_check(client):
    hb = await beat("health-test-worker")
    try:
        r = await client.get("/v1/monitoring/health")
    finally:
        await forget(hb.worker_id)  # other tests expect no live worker
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    services = data["services"]
    assert set(services) == {"database", "redis", "api", "core_tables", "worker"}
    for name, check in services.items():
        assert check["status"] == "healthy", (name, check)
        assert check["latency_ms"] >= 0 and check["error"] is None
    assert data["status"] == "healthy" and data["timeout_seconds"] == 5.0
    assert services["database"]["details"]["dialect"] == get_settings().dialect
    tables = services["core_tables"]["details"]
    assert tables["tables_missing"] == [] and tables["migration_applied"] == tables["migration_head"]
    assert tables["tables_expected"] >= 10
    assert services["api"]["details"]["status_code"] == 200
    assert services["worker"]["details"]["workers"] >= 1


async def test_dead_redis_is_unhealthy_quickly(app):
    dead = create_app(
        get_settings().with_overrides(redis_url="redis://127.0.0.1:1/0", probe_timeout_seconds=0.5),
        orm_global_fallback=False,
    )
    async with LifespanManager(dead):
        transport = httpx.ASGITransport(app=dead, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            started = time.perf_counter()
            r = await http.get("/v1/monitoring/health")
            elapsed = time.perf_counter() - started
            metrics_health = await http.get("/v1/metrics/health")
    assert elapsed < 5
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["status"] == "unhealthy"
    assert data["services"]["redis"]["status"] == "unhealthy" and data["services"]["redis"]["error"]
    assert data["services"]["database"]["status"] == "healthy"
    assert "redis" in data["summary"]["failed"]
    assert metrics_health.status_code == 200 and metrics_health.json()["data"]["status"] == "degraded"


async def test_metrics_health_is_operational(client):
    await client.get("/healthz")
    from services.observability import requests as request_metrics

    await request_metrics.flush()
    r = await client.get("/v1/metrics/health")
    data = r.json()["data"]
    assert data["status"] == "operational" and data["redis"]["ok"] is True
    assert data["last_flush_age_seconds"] is not None and data["last_flush_age_seconds"] < 60


async def test_release_memory_returns_the_free_heap_to_the_os_in_every_worker():
    """The worker's minute job hands freed C-heap pages back: a heap with 90 MB of holes below
    live blocks (what glibc does not return by itself) shrinks by most of them."""
    import psutil

    from workers.settings import WorkerSettings

    blocks = [bytearray(1000) for _ in range(100_000)]  # ~100 MB from malloc (over pymalloc's 512 bytes)
    kept = blocks[9::10]  # every tenth stays, the last one among them: the heap's top is in use
    del blocks
    before = psutil.Process().memory_info().rss / 2**20
    result = await jobs.release_memory({})
    assert result["trimmed"] is True
    assert result["released_mb"] >= 40, (before, result)
    assert abs(result["rss_mb"] - psutil.Process().memory_info().rss / 2**20) < 5
    assert len(kept) == 10_000
    job = next(c for c in WorkerSettings.cron_jobs if c.name == "cron:release_memory")
    assert job.unique is False  # each worker process trims its own heap
