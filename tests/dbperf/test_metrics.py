"""GET /admin/performance/database/metrics: rates from the sampling job's samples, sizes with growth."""

from __future__ import annotations

from models.dbperf import DbRelationSample, DbStatSample
from tests.dbperf.helpers import IS_POSTGRES, flush, name, pg, pg_only
from workers import jobs

METRICS = "/admin/performance/database/metrics"


async def test_period_validation(client, make_tenant):
    su = await make_tenant("superuser")
    for bad in ("2h", "", "x" * 500, "7d\x00"):
        r = await client.get(METRICS, params={"period": bad}, headers=su.headers)
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["error"]["details"][0]["field"] == "period"
    for good, canonical in (("last_7_days", "7d"), ("1h", "1h"), ("90d", "90d")):
        r = await client.get("/v1" + METRICS, params={"period": good}, headers=su.headers)
        assert r.status_code == 200 and r.json()["data"]["period"] == canonical


async def test_sampling_job_and_rates(client, make_tenant):
    su = await make_tenant("superuser")
    first = await jobs.sample_database_stats({}, True)
    assert first["relations"] > 0 and first["read_ms"] > 0
    assert (await jobs.sample_database_stats({}))["relations"] == 0  # relations are read hourly
    if IS_POSTGRES:
        table = name("dbperf_growth")
        conn = await pg()
        try:
            await conn.execute(f"CREATE TABLE {table} (id int, pad text)")
            await jobs.sample_database_stats({}, True)  # the table exists, empty, in this sample
            await conn.execute(f"INSERT INTO {table} SELECT i, repeat('y', 200) FROM generate_series(1, 5000) i")
            await conn.execute(f"UPDATE {table} SET id = id + 1 WHERE id <= 1000")
            await flush(conn)
            last = await jobs.sample_database_stats({}, True)
            r = await client.get(METRICS, params={"period": "1h"}, headers=su.headers)
            assert r.status_code == 200, r.text
            data = r.json()["data"]
            rates = data["rates"]
            assert data["sampling"]["samples"] >= 3 and data["sampling"]["avg_sample_ms"] > 0
            assert data["sampling"]["last_sample_at"].startswith(last["sampled_at"][:19])
            assert rates["rows_written"] >= 6000  # 5,000 inserted + 1,000 updated, from pg_stat_database deltas
            assert rates["commits"] >= 3 and rates["transactions_per_second"] > 0 and rates["seconds_covered"] > 0
            assert 0 < rates["cache_hit_ratio"] <= 1 and rates["max_connections"] >= rates["connections_max"] >= 1
            assert data["series"] and all(p["transactions_per_second"] >= 0 for p in data["series"])
            grown = (
                next(t for t in data["tables"] if t["relation"] == table)
                if any(t["relation"] == table for t in data["tables"])
                else None
            )
            if grown is None:  # not among the 20 largest: the stored samples still show it
                sizes = (
                    await DbRelationSample.filter(relation=table)
                    .order_by("sampled_at")
                    .values_list("size_bytes", flat=True)
                )
                assert sizes[0] == 0 and sizes[-1] > 1_000_000
            else:
                assert grown["size_bytes"] > 1_000_000 and grown["growth_bytes"] > 1_000_000
                assert grown["live_rows"] == 5000
            assert data["database_bytes"] > 0 and data["database_growth_bytes"] is not None
            statements = data["top_statements"]
            assert statements["available"] is False and "shared_preload_libraries" in statements["note"]
        finally:
            await conn.execute(f"DROP TABLE IF EXISTS {table}")
            await conn.close()
    else:
        await jobs.sample_database_stats({}, True)
        r = await client.get(METRICS, params={"period": "1h"}, headers=su.headers)
        data = r.json()["data"]
        assert data["dialect"] == "sqlite" and data["rates"] is None and data["series"] == []
        assert data["sampling"]["samples"] >= 2 and "no activity counters" in data["sampling"]["note"]
        assert any(t["relation"] == "prompt_executions" for t in data["tables"] + data["indexes"]) or data["tables"]
        assert data["top_statements"]["available"] is False


@pg_only
async def test_a_statistics_reset_between_samples_drops_that_interval():
    from datetime import UTC, datetime, timedelta

    from services.dbperf.metrics import rates_of

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    reset = t0 + timedelta(minutes=7)
    base = {"xact_commit": 100, "blks_hit": 900, "blks_read": 100, "connections": 2, "max_connections": 100}
    a = DbStatSample(sampled_at=t0, **base)
    b = DbStatSample(sampled_at=t0 + timedelta(minutes=5), **{**base, "xact_commit": 400, "blks_hit": 1800})
    c = DbStatSample(sampled_at=t0 + timedelta(minutes=10), stats_reset=reset, **{**base, "xact_commit": 10})
    d = DbStatSample(sampled_at=t0 + timedelta(minutes=15), stats_reset=reset, **{**base, "xact_commit": 160})
    rates, series = rates_of([a, b, c, d])
    assert rates.commits == 300 + 150 and rates.seconds_covered == 600.0  # the reset interval is left out
    assert rates.transactions_per_second == round(450 / 600, 4)
    assert rates.cache_hit_ratio == 1.0 and len(series) == 2
