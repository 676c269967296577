"""Migrations apply cleanly on empty databases and match the models."""

from __future__ import annotations

import sqlite3
import uuid

from tests.conftest import BASE_DATABASE_URL, IS_POSTGRES, TMP, _pg_admin, _with_db_name, run_cli

TABLES = {"organizations", "users", "workspaces", "api_keys", "aerich"}


def test_models_and_migrations_do_not_drift():
    result = run_cli("makemigrations", "--check", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"drift": {}' in result.stdout


def test_sqlite_migrations_apply_to_an_empty_database():
    path = TMP / f"fresh-{uuid.uuid4().hex[:6]}.sqlite3"
    first = run_cli("migrate", env={"DATABASE_URL": f"sqlite://{path}"})
    assert '"applied": ["0_' in first.stdout
    again = run_cli("migrate", env={"DATABASE_URL": f"sqlite://{path}"})
    assert '"applied": []' in again.stdout
    names = {r[0] for r in sqlite3.connect(path).execute("select name from sqlite_master where type='table'")}
    assert TABLES <= names
    # no executions nor tool calls yet: the minute rollups hold every one from the start, and no tool
    # rollup row lacks its server
    levels = sqlite3.connect(path).execute("select name, complete_from from rollup_levels order by name").fetchall()
    assert levels == [("minute", "2000-01-01 00:00:00+00:00"), ("tool_servers", "2000-01-01 00:00:00+00:00")]


async def test_postgres_migrations_apply_to_an_empty_database():
    if not IS_POSTGRES:
        import pytest

        pytest.skip("DATABASE_URL is not PostgreSQL in this run (the CI PostgreSQL run covers it)")
    import asyncpg

    name = f"test_mig_{uuid.uuid4().hex[:8]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        url = _with_db_name(BASE_DATABASE_URL, name)
        result = run_cli("migrate", env={"DATABASE_URL": url})
        assert '"applied": ["0_' in result.stdout and '"database": "postgres"' in result.stdout
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            rows = await conn.fetch("select tablename from pg_tables where schemaname='public'")
            levels = await conn.fetch("select name, extract(epoch from complete_from) from rollup_levels order by name")
        finally:
            await conn.close()
        assert TABLES <= {r["tablename"] for r in rows}
        assert [tuple(r) for r in levels] == [("minute", 946684800), ("tool_servers", 946684800)]  # 2000-01-01
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
