"""GET /admin/performance/database/health: real catalog findings, roles, timing, SQLite equivalents."""

from __future__ import annotations

import asyncio
import contextlib

from services.dbperf import health as db_health
from tests.dbperf.helpers import HEALTH, IS_POSTGRES, ROUTES, check, flush, health_until, name, pg, pg_only


async def test_roles_on_every_route(client, make_tenant):
    member = await make_tenant("member")
    admin = await make_tenant("admin")
    for method, path in ROUTES:
        for prefix in ("", "/v1"):
            url = prefix + path
            body = {"tasks": ["analyze"], "dry_run": True} if method == "POST" else None
            assert (await client.request(method, url, json=body)).status_code == 401, url
            for who in (member, admin):  # platform-wide figures and maintenance: superuser only
                r = await client.request(method, url, json=body, headers=who.headers)
                assert r.status_code == 403, (url, who.role, r.text)
                assert r.json()["error"]["code"] == "FORBIDDEN"


async def test_health_report_shape_and_budget(client, make_tenant):
    su = await make_tenant("superuser")
    for prefix in ("", "/v1"):
        r = await client.get(prefix + HEALTH, headers=su.headers)
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        assert data["duration_ms"] < 2000
        assert data["statement_timeout_ms"] <= 2000
        names = {c["name"] for c in data["checks"]}
        for c in data["checks"]:
            assert c["status"] in {"ok", "warning", "critical"}, c  # no check errored on a healthy server
            assert c["evidence_query"] and isinstance(c["threshold"], dict) and c["message"]
            assert c["details_total"] >= len(c["details"])
        assert data["summary"]["total"] == len(data["checks"])
        if IS_POSTGRES:
            assert data["dialect"] == "postgres" and data["server_version"].startswith("PostgreSQL")
            assert len(data["checks"]) >= 15
            assert {
                "cache_hit_ratio_tables",
                "cache_hit_ratio_indexes",
                "connections",
                "idle_in_transaction",
                "long_running_queries",
                "blocked_queries",
                "unused_indexes",
                "duplicate_indexes",
                "invalid_indexes",
                "missing_indexes",
                "table_bloat",
                "index_bloat",
                "vacuum_staleness",
                "analyze_staleness",
                "dead_rows",
                "xid_wraparound",
                "sequences_near_max",
                "replication_lag",
                "inactive_replication_slots",
                "temp_files",
            } <= names
            conn = check(r.json(), "connections")
            assert 0 < conn["observed"] < 1 and conn["details"][0]["max_connections"] >= conn["details"][0]["used"]
            xid = check(r.json(), "xid_wraparound")
            assert 1_000_000_000 < xid["observed"] <= 2_147_483_647
            assert data["not_applicable"] == []
        else:
            assert data["dialect"] == "sqlite" and data["server_version"].startswith("SQLite")
            assert {"integrity", "freelist_ratio", "pages", "wal", "foreign_keys", "duplicate_indexes"} <= names
            assert check(r.json(), "integrity")["status"] == "ok"
            assert check(r.json(), "pages")["observed"] == data["database_bytes"] > 0
            na = {n["name"] for n in data["not_applicable"]}
            assert {"cache_hit_ratio", "blocked_queries", "xid_wraparound", "replication_lag", "dead_rows"} <= na


@pg_only
async def test_duplicate_unused_invalid_indexes_and_sequence_near_max(client, make_tenant):
    su = await make_tenant("superuser")
    table = name("dbperf_idx")
    conn = await pg()
    try:
        await conn.execute(f"CREATE TABLE {table} (id serial PRIMARY KEY, a int, b int, c text)")
        await conn.execute(f"INSERT INTO {table} (a, b, c) SELECT i % 10, i, 'x' || i FROM generate_series(1, 200) i")
        await conn.execute(f"CREATE INDEX {table}_a ON {table} (a)")  # covered by (a, b)
        await conn.execute(f"CREATE INDEX {table}_ab ON {table} (a, b)")
        await conn.execute(f"CREATE INDEX {table}_c ON {table} (c)")  # never scanned
        # a unique index over duplicate values fails half-way and stays behind, invalid
        with contextlib.suppress(Exception):
            await conn.execute(f"CREATE UNIQUE INDEX CONCURRENTLY {table}_bad ON {table} (a)")
        await conn.execute(f"SELECT setval('{table}_id_seq', 2000000000)")  # 93% of an integer column

        r = await client.get(HEALTH, headers=su.headers)
        body = r.json()
        dup = check(body, "duplicate_indexes")
        assert dup["status"] == "warning"
        pair = next(d for d in dup["details"] if d["table"] == table)
        assert (pair["unneeded_index"], pair["covering_index"]) == (f"{table}_a", f"{table}_ab")
        assert not any(d["unneeded_index"] == f"{table}_ab" for d in dup["details"])

        unused = check(body, "unused_indexes")
        assert unused["status"] == "warning" and unused["threshold"] == {"max_scans": 50}
        mine = {d["index"] for d in unused["details"] if d["table"] == table} or {d["index"] for d in unused["details"]}
        assert f"{table}_c" in mine or unused["details_total"] > len(unused["details"])

        invalid = check(body, "invalid_indexes")
        assert invalid["status"] == "critical"
        assert [d["index"] for d in invalid["details"] if d["table"] == table] == [f"{table}_bad"]

        seq = check(body, "sequences_near_max")
        assert seq["status"] == "warning"
        near = next(d for d in seq["details"] if d["sequence"] == f"{table}_id_seq")
        assert near["column_type"] == "integer" and near["max_value"] == 2147483647
        assert abs(near["used_fraction"] - 2_000_000_000 / 2_147_483_647) < 1e-5
        assert seq["observed"] >= near["used_fraction"]
        assert "pg_sequences" in seq["evidence_query"]
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {table}")
        await conn.close()


@pg_only
async def test_blocked_idle_in_transaction_and_long_running(client, make_tenant, monkeypatch):
    su = await make_tenant("superuser")
    monkeypatch.setattr(db_health.THRESHOLDS, "idle_in_transaction_seconds", 0.2)
    monkeypatch.setattr(db_health.THRESHOLDS, "long_running_seconds", 0.2)
    table = name("dbperf_lock")
    holder, waiter = await pg(), await pg()
    tx, blocked = None, None
    try:
        await holder.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, v int)")
        await holder.execute(f"INSERT INTO {table} VALUES (1, 0)")
        holder_pid, waiter_pid = (
            await holder.fetchval("SELECT pg_backend_pid()"),
            await waiter.fetchval("SELECT pg_backend_pid()"),
        )
        tx = holder.transaction()
        await tx.start()
        await holder.execute(f"UPDATE {table} SET v = 1 WHERE id = 1")  # holds the row lock, then idles
        blocked = asyncio.create_task(waiter.execute(f"UPDATE {table} SET v = 2 WHERE id = 1"))

        found = await health_until(client, su.headers, "blocked_queries", lambda c: c["observed"] >= 1)
        row = next(d for d in found["details"] if d["blocked_pid"] == waiter_pid)
        assert holder_pid in row["blocking_pids"] and row["blocking_state"] == "idle in transaction"
        assert "SET v = 2" in row["blocked_query"] and "SET v = 1" in row["blocking_query"]
        assert found["status"] == "warning"

        await asyncio.sleep(0.5)  # both past the 0.2 s thresholds
        body = (await client.get(HEALTH, headers=su.headers)).json()
        idle = check(body, "idle_in_transaction")
        assert idle["status"] == "warning" and holder_pid in [d["pid"] for d in idle["details"]]
        long = check(body, "long_running_queries")
        assert waiter_pid in [d["pid"] for d in long["details"]] and long["threshold"] == {"seconds_over": 0.2}

        await tx.rollback()
        tx = None
        await asyncio.wait_for(blocked, 10)
        after = (await client.get(HEALTH, headers=su.headers)).json()
        assert waiter_pid not in [d["blocked_pid"] for d in check(after, "blocked_queries")["details"]]
    finally:
        if tx is not None:
            await tx.rollback()
        if blocked is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(blocked, 10)
        await holder.execute(f"DROP TABLE IF EXISTS {table}")
        await holder.close()
        await waiter.close()


@pg_only
async def test_seq_scans_bloat_dead_rows_staleness_and_temp_files(client, make_tenant):
    su = await make_tenant("superuser")
    big, stale = name("dbperf_big"), name("dbperf_stale")
    conn = await pg()
    try:
        await conn.execute(f"CREATE TABLE {big} (id int, pad text) WITH (autovacuum_enabled = false)")
        await conn.execute(f"INSERT INTO {big} SELECT i, repeat('x', 100) FROM generate_series(1, 200000) i")
        await flush(conn)  # the insert's counts reach the shared statistics before ANALYZE sets its own
        await conn.execute(f"ANALYZE {big}")
        for _ in range(3):
            await conn.fetchval(f"SELECT count(*) FROM {big} WHERE id = 5")  # no index: sequential scans
        await conn.execute(f"DELETE FROM {big} WHERE id % 10 <> 0")  # 180,000 dead rows spread over every page
        await flush(conn)
        await conn.execute(f"ANALYZE {big}")
        await conn.execute(f"CREATE TABLE {stale} (id int) WITH (autovacuum_enabled = false)")
        await conn.execute(f"INSERT INTO {stale} SELECT generate_series(1, 20000)")  # never analyzed
        await conn.execute("SET work_mem = '64kB'")
        await conn.fetch(f"SELECT * FROM {big} ORDER BY pad DESC, id")  # spills to a temporary file
        await flush(conn)

        dead = await health_until(
            client, su.headers, "dead_rows", lambda c: any(d["table"] == big for d in c["details"])
        )
        row = next(d for d in dead["details"] if d["table"] == big)
        # dead rows are counted exactly; live rows are ANALYZE's estimate from its sample of pages
        assert row["dead_rows"] == 180000 and 10000 <= row["live_rows"] <= 60000 and row["dead_ratio"] >= 0.75

        body = (await client.get(HEALTH, headers=su.headers)).json()
        missing = next(d for d in check(body, "missing_indexes")["details"] if d["table"] == big)
        assert missing["seq_scan"] >= 3 and missing["idx_scan"] == 0 and missing["estimated_rows"] >= 10000

        bloat = check(body, "table_bloat")
        mine = next(d for d in bloat["details"] if d["table"] == big)
        assert mine["bloat_ratio"] > 0.8 and mine["bloat_bytes"] > 8 * 1024 * 1024 and bloat["status"] == "warning"

        vacuum = next(d for d in check(body, "vacuum_staleness")["details"] if d["table"] == big)
        assert vacuum["dead_rows"] == 180000 and 50 < vacuum["trigger_rows"] < 50 + 0.2 * 60000
        assert vacuum["last_vacuum"] is None and vacuum["last_autovacuum"] is None

        analyze = next(d for d in check(body, "analyze_staleness")["details"] if d["table"] == stale)
        assert analyze["modified_since_analyze"] == 20000 and analyze["last_analyze"] is None

        temp = check(body, "temp_files")
        assert temp["details"][0]["temp_files"] >= 1 and temp["details"][0]["temp_bytes"] > 0
        assert temp["observed"] > 0
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {big}, {stale}")
        await conn.close()


@pg_only
async def test_a_check_past_its_statement_timeout_is_an_error_not_a_hang(client, make_tenant, monkeypatch):
    su = await make_tenant("superuser")
    slow = db_health.Check(
        "slow_probe",
        "A catalog query slower than the timeout",
        "queries",
        "seconds",
        "SELECT pg_sleep(5)",
        lambda found, t: db_health.Outcome("ok", 0, "never"),
        lambda t: {},
    )
    original = db_health._pg_checks
    monkeypatch.setattr(db_health, "_pg_checks", lambda: [*original(), slow])
    r = await client.get(HEALTH, headers=su.headers)
    data = r.json()["data"]
    probe = check(r.json(), "slow_probe")
    assert probe["status"] == "error" and "statement_timeout" in probe["message"]
    assert data["duration_ms"] < 2500 and data["summary"]["error"] == 1 and data["status"] in {"warning", "critical"}
