"""GET /admin/performance/database/scaling: every rule names its measurement, threshold and source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.dbperf import DbRelationSample, DbStatSample
from services.dbperf import scaling
from tests.dbperf.helpers import IS_POSTGRES, flush, name, pg, pg_only

SCALING = "/admin/performance/database/scaling"
RULES = {"connection_pooling", "memory", "work_mem", "autovacuum", "partitioning", "indexes", "read_replicas"}


async def test_every_rule_is_evaluated_with_evidence(client, make_tenant):
    su = await make_tenant("superuser")
    r = await client.get("/v1" + SCALING, headers=su.headers)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    names = {e["name"] for e in data["evaluated"]}
    if IS_POSTGRES:
        assert names == RULES and data["not_applicable"] == []
    else:
        assert names == {"partitioning"} and {n["name"] for n in data["not_applicable"]} == RULES - {"partitioning"}
    for rec in data["evaluated"]:
        assert rec["evidence"] and all(e["source"] and e["measurement"] for e in rec["evidence"])
        assert rec["advice"] and rec["title"]
    assert [x["name"] for x in data["recommendations"]] == [x["name"] for x in data["evaluated"] if x["triggered"]] or {
        x["name"] for x in data["recommendations"]
    } == {x["name"] for x in data["evaluated"] if x["triggered"]}
    if IS_POSTGRES:
        pool = next(e for e in data["evaluated"] if e["name"] == "connection_pooling")
        assert pool["projection"]["pool_size"] >= 1 and pool["projection"]["processes_that_fit"] >= 1
        ratio = pool["evidence"][0]
        assert 0 < ratio["observed"] < 1 and ratio["threshold"] == scaling.CONNECTION_SATURATION


@pg_only
async def test_dead_rows_and_sequential_scans_trigger_their_advice(client, make_tenant):
    su = await make_tenant("superuser")
    table = name("dbperf_churn")
    conn = await pg()
    try:
        await conn.execute(f"CREATE TABLE {table} (id int, v text) WITH (autovacuum_enabled = false)")
        await conn.execute(f"INSERT INTO {table} SELECT i, 'v' FROM generate_series(1, 60000) i")
        await conn.execute(f"ANALYZE {table}")
        for _ in range(2):
            await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = 7")
        await conn.execute(f"DELETE FROM {table} WHERE id <= 30000")
        await flush(conn)
        for _ in range(40):
            data = (await client.get(SCALING, headers=su.headers)).json()["data"]
            vac = next(e for e in data["evaluated"] if e["name"] == "autovacuum")
            if any(d["table"] == table for d in vac["details"]):
                break
        mine = next(d for d in vac["details"] if d["table"] == table)
        assert (
            vac["triggered"]
            and vac["severity"] == "warning"
            and "autovacuum" in [r["name"] for r in data["recommendations"]]
        )
        assert mine["dead_rows"] == 30000 and mine["suggested"].startswith(f'ALTER TABLE "{table}" SET (autovacuum')
        assert vac["evidence"][0]["observed"] >= mine["dead_ratio"] >= 0.1
        idx = next(e for e in data["evaluated"] if e["name"] == "indexes")
        row = next(d for d in idx["details"] if d["table"] == table)
        assert idx["triggered"] and row["seq_scan"] >= 2 and row["rows_per_seq_scan"] > 10000
        assert idx["projection"] == {"hypopg_available": False} and "hypopg" in idx["advice"]
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {table}")
        await conn.close()


async def test_executions_growth_projects_days_until_the_partitioning_size(client, make_tenant):
    """Two days of history: a stored sample of prompt_executions from two days ago, a smaller size."""
    su = await make_tenant("superuser")
    await DbRelationSample.filter(table_name="prompt_executions").delete()
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    await DbStatSample.create(sampled_at=two_days_ago)
    await DbRelationSample.create(
        sampled_at=two_days_ago,
        relation="prompt_executions",
        table_name="prompt_executions",
        kind="table",
        size_bytes=0,
    )
    data = (await client.get(SCALING, headers=su.headers)).json()["data"]
    part = next(e for e in data["evaluated"] if e["name"] == "partitioning")
    size = part["projection"]["size_bytes"]
    assert size > 0 and part["projection"]["size_bytes_at_start"] == 0
    per_day = part["projection"]["bytes_per_day"]
    assert abs(per_day - size / 2) / (size / 2) < 0.01
    expected_days = (scaling.PARTITION_BYTES - size) / per_day
    assert abs(part["projection"]["days_until_threshold"] - expected_days) / expected_days < 0.01
    assert part["triggered"] is (expected_days <= scaling.PARTITION_HORIZON_DAYS)  # no retention set
    partitions = part["evidence"][2]["observed"]
    if IS_POSTGRES:  # migration 16 partitions the table by week: the advice is then the retention
        assert partitions >= 2 and part["title"].startswith("Set a retention")
    else:
        assert partitions == 0 and part["title"].startswith("Partition prompt_executions")
    assert part["evidence"][1]["observed"] == per_day and "first stored sample" in part["evidence"][1]["source"]
    await DbRelationSample.filter(sampled_at=two_days_ago).delete()
    await DbStatSample.filter(sampled_at=two_days_ago).delete()
