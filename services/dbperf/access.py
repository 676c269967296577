"""Reading the database's own catalogs and statistics, always under a statement timeout.

Every catalog query of this domain goes through :func:`rows`: on PostgreSQL it runs in a short
transaction with ``SET LOCAL statement_timeout`` (and a lock timeout), so a slow catalog (a huge
``pg_stats``, a lock on a relation) costs at most the timeout and the pooled connection comes back
with its settings untouched.  SQLite has no statement timeout; its checks are PRAGMAs over one file.
"""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise, connections
from tortoise.transactions import in_transaction

from services.core.config import get_settings

STATEMENT_TIMEOUT_MS = 1500  # one check; the health route's budget is 2 s with checks run side by side
LOCK_TIMEOUT_MS = 200


def is_postgres() -> bool:
    """Which database this is.  dbperf inspects the database itself, so every branch on this is a
    dialect difference (each database's own catalogue, statistics and maintenance statements), never a
    speed-up: SQLite has no statistics views, statement timeouts, pg_stat_statements or partitions."""
    return get_settings().is_postgres


async def rows(sql: str, *args: Any, timeout_ms: int = STATEMENT_TIMEOUT_MS) -> list[dict[str, Any]]:
    """``sql`` as dicts, bounded by ``timeout_ms`` on PostgreSQL (dialect: SQLite has no statement_timeout)."""
    if not is_postgres():
        return list(await connections.get("default").execute_query_dict(sql, list(args)))
    async with in_transaction() as conn:
        await conn.execute_query(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
        await conn.execute_query(f"SET LOCAL lock_timeout = {int(min(LOCK_TIMEOUT_MS, timeout_ms))}")
        return list(await conn.execute_query_dict(sql, list(args)))


async def one(sql: str, *args: Any, timeout_ms: int = STATEMENT_TIMEOUT_MS) -> dict[str, Any]:
    got = await rows(sql, *args, timeout_ms=timeout_ms)
    return got[0] if got else {}


def product_tables() -> list[str]:
    """The tables of this product: every registered model's table (the optimize allow-list)."""
    return sorted({m._meta.db_table for app in Tortoise.apps.values() for m in app.values()})


def dsn() -> str:
    """The configured PostgreSQL URL for a dedicated connection (maintenance outside the pool)."""
    url = get_settings().database_url
    for prefix in ("postgres://", "asyncpg://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def sqlite_path() -> str | None:
    url = get_settings().database_url
    if not url.startswith("sqlite://") or url.startswith("sqlite://:memory:"):
        return None
    return url[len("sqlite://") :]
