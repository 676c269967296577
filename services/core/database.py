"""Database wiring: Tortoise configuration, migrations and probes.

Web, worker, CLI and aerich all build their Tortoise config here, so they can
never disagree about which database or which migration folder is in use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models import MODEL_MODULES
from services.core import tortoise_fixes
from services.core.config import PROJECT_ROOT, Settings, get_settings


def _db_url(settings: Settings) -> str:
    url = settings.database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    return url


def _postgres_connection(url: str, settings: Settings) -> dict[str, Any]:
    from tortoise.backends.base.config_generator import expand_db_url

    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    connection: dict[str, Any] = expand_db_url(url)
    connection["credentials"]["maxsize"] = settings.db_pool_max
    connection["credentials"]["minsize"] = 1
    # The API's queries are short; PostgreSQL's JIT compiles the larger-looking ones (a
    # 30-day aggregate, an export page) for ~100 ms to save a few, so it is off here.
    # asyncpg prepares every statement, and after five runs PostgreSQL may switch to a
    # generic plan that ignores the parameters: a time range of one hour then gets the plan
    # of "any range" (a scan of millions of rows).  Custom plans cost a millisecond.
    connection["credentials"]["server_settings"] = {"jit": "off", "plan_cache_mode": "force_custom_plan"}
    return connection


def tortoise_config(settings: Settings | None = None) -> dict[str, Any]:
    tortoise_fixes.apply()
    settings = settings or get_settings()
    connections: dict[str, Any] = {}
    if settings.is_postgres:  # dialect: each database's own connection settings (pool, replica, file)
        connections["default"] = _postgres_connection(_db_url(settings), settings)
        if settings.database_read_url:
            # A second pool, to a streaming replica: see read_db().  Opened on first use.
            connections[READ] = _postgres_connection(settings.database_read_url, settings)
    else:
        if not settings.database_url.startswith("sqlite://:memory:"):
            path = settings.database_url[len("sqlite://") :]
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connections["default"] = settings.database_url
    return {
        "connections": connections,
        "apps": {
            "models": {
                "models": [*MODEL_MODULES, "aerich.models"],
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


READ = "read"  # the Tortoise connection name of DATABASE_READ_URL


def read_db() -> Any:
    """The connection for analytics reads: the replica of ``DATABASE_READ_URL``, else the primary.

    For reads that tolerate replication lag (rollup queries, history pages, exports): pass it to
    ``.using_db(read_db())`` or run SQL on it.  Writes, and reads that must see a write just
    made (read-after-write: a create's response, the drain, rollup rebuilds, alert state), stay
    on the primary (``connections.get("default")``).  Inside a transaction on the primary the
    primary is returned, so a read in a writing transaction never goes to a replica.
    """
    from tortoise import connections
    from tortoise.backends.base.client import TransactionalDBClient

    primary = connections.get("default")
    if isinstance(primary, TransactionalDBClient) or READ not in connections.db_config:
        return primary
    return connections.get(READ)


def migrations_location(settings: Settings | None = None) -> str:
    """One aerich folder per dialect: aerich writes SQL for a single database kind."""
    settings = settings or get_settings()
    return str(PROJECT_ROOT / "migrations" / settings.dialect)


TORTOISE_ORM = tortoise_config()


async def apply_migrations(settings: Settings | None = None) -> list[str]:
    """Apply every pending aerich migration for the configured dialect.

    Works on an empty database (creates the aerich table and applies all files)
    and on a migrated one (applies only what is new).  Returns the files applied.
    """
    from aerich import Command
    from tortoise import Tortoise

    settings = settings or get_settings()
    command = Command(tortoise_config(settings), app="models", location=migrations_location(settings))
    try:
        await command.init()
        applied: list[str] = await command.upgrade(run_in_transaction=True)
        if settings.is_postgres:  # dialect: SQLite has no partitions
            # partitions of the raw events for now and ahead, so a fresh database does not
            # route everything to the default partition until a worker's first maintenance run
            from services.core import partitions

            await partitions.maintain(settings)
        return applied
    finally:
        await Tortoise.close_connections()


async def ping_database() -> None:
    """Run ``SELECT 1`` on the default connection (raises when the database is unreachable)."""
    from tortoise import connections

    await connections.get("default").execute_query("SELECT 1")


def dialect_settings(dialect: str, base: Settings | None = None) -> Settings:
    """Settings that point aerich at ``dialect`` without needing that server to be up."""
    base = base or get_settings()
    if dialect == base.dialect:
        return base
    if dialect == "postgres":
        return base.with_overrides(database_url="postgres://postgres@127.0.0.1:5432/postgres")
    return base.with_overrides(database_url="sqlite://:memory:")


async def make_migrations(
    name: str, dialects: tuple[str, ...] = ("postgres", "sqlite"), root: Path | None = None
) -> dict[str, str]:
    """Write a new aerich migration per dialect for model changes (offline: no database touched).

    ``root`` defaults to the project's ``migrations/``; the drift check points it at a copy.
    Returns ``{dialect: file name}``; an empty name means the models match the migrations.
    """
    from aerich import Command
    from tortoise import Tortoise

    written: dict[str, str] = {}
    for dialect in dialects:
        settings = dialect_settings(dialect)
        location = str(root / dialect) if root else migrations_location(settings)
        folder = Path(location) / "models"
        command = Command(tortoise_config(settings), app="models", location=location)
        try:
            if not folder.exists() or not any(folder.glob("*.py")):
                await command.init_migrations(safe=True)
                written[dialect] = sorted(p.name for p in folder.glob("*.py"))[-1]
            else:
                await Tortoise.init(config=tortoise_config(settings))
                await command.init(offline=True)
                written[dialect] = await command.migrate(name, no_input=True, offline=True)
        finally:
            await Tortoise.close_connections()
    return written


async def column(query: Any) -> list[Any]:
    """The values of a ``values_list(field, flat=True)`` query.

    Tortoise annotates the rows of every ``values_list`` as tuples; with ``flat=True`` they are
    the bare values, and this says so once instead of at every call site.
    """
    return list(await query)


async def scalar(query: Any) -> Any:
    """The value of a ``.first().values_list(field, flat=True)`` query, or ``None`` without a row."""
    return await query
