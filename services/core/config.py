"""Settings, read from the environment in exactly one place.

Every process (web, worker, CLI, tests) builds its configuration through
:func:`get_settings`, so a knob documented in the README behaves the same
everywhere.  Values are validated once at start-up; a production process with
the development secret refuses to start rather than sign guessable tokens.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

DEFAULT_SECRET = "dev-insecure-secret-change-me-before-production"
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # services/core/config.py -> the project


class ConfigError(RuntimeError):
    """Raised when the environment describes a configuration we must not run with."""


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def _float(name: str, default: float, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if not value >= minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def _optional_bool(name: str) -> bool | None:
    raw = (os.environ.get(name) or "").strip().lower()
    if raw in ("", "auto"):
        return None
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true, false or auto, got {raw!r}")


def _bool(name: str, default: bool) -> bool:
    value = _optional_bool(name)
    return default if value is None else value


def _cidrs(name: str) -> tuple[str, ...]:
    """Comma-separated networks (``10.0.0.0/8, ::1/128``; a bare address is its /32 or /128)."""
    found = []
    for item in (os.environ.get(name) or "").split(","):
        if item.strip():
            try:
                found.append(str(ipaddress.ip_network(item.strip(), strict=False)))
            except ValueError as exc:
                raise ConfigError(f"{name} must be comma-separated CIDRs, got {item.strip()!r}: {exc}") from None
    return tuple(found)


@dataclass(frozen=True)
class Settings:
    app_env: str = "development"
    database_url: str = ""
    redis_url: str | None = None
    redis_prefix: str = "promptops"
    secret_key: str = DEFAULT_SECRET
    jwt_algorithm: str = "HS256"
    access_token_ttl_seconds: int = 3600
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "data")
    embedded_redis_port: int = 6390
    max_body_bytes: int = 1_048_576
    login_rate_limit_per_minute: int = 10
    worker_heartbeat_seconds: int = 15
    ingest_rate_limit_per_minute: int = 120_000
    api_key_cache_seconds: float = 5.0
    ingest_batch_max: int = 1000
    rollup_cache_rows: int = 30_000
    edge_cache_events: int = 200_000
    minute_rollup_hours: int = 25  # minute rollups kept this long: sub-hour windows and ragged edges read them
    gc_gen0_threshold: int = 50_000
    drain_batch_size: int = 5000
    drain_concurrency: int = 2  # drain loops per worker, each its own stream consumer and connection
    drain_linger_ms: int = 200  # after a small read a drain loop waits this long, so transactions grow
    worker_nice: int = 0  # the worker's CPU niceness: on shared cores, requests before draining (opt-in)
    worker_redis_reply_seconds: float = 30.0  # the longest a reply on arq's own Redis connections may take
    ingest_claim_idle_seconds: float = 60.0  # another worker takes over a stream entry pending this long
    ingest_stall_seconds: float = 300.0  # an entry queued longer than this: ingest is unhealthy
    probe_timeout_seconds: float = 2.0
    db_pool_max: int = 10
    metrics_buffer_size: int = 1000
    log_level: str = "INFO"
    notify_timeout_seconds: float = 10.0
    notify_max_attempts: int = 5
    notify_backoff_seconds: float = 5.0
    notify_backoff_max_seconds: float = 600.0
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_from: str | None = None
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool | None = None  # None: STARTTLS (required unless plaintext is allowed)
    smtp_allow_plaintext: bool = False  # send (and log in) without TLS when the server offers none
    outbound_allow_cidrs: tuple[str, ...] = ()  # networks notification targets may reach despite the policy
    # self-monitoring (services/observability/requests.py, services/observability/system.py, ...)
    request_metrics_enabled: bool = True
    request_metrics_flush_seconds: float = 1.0
    request_metrics_retention_hours: int = 720
    system_metrics_interval_seconds: int = 30
    system_metrics_retention_days: int = 7
    health_check_timeout_seconds: float = 5.0
    threshold_cpu_percent: float = 85.0
    threshold_memory_percent: float = 90.0
    threshold_disk_percent: float = 90.0
    threshold_p95_ms: float = 1000.0
    threshold_error_rate: float = 0.05
    threshold_dead_letters: int = 0  # events dead-lettered in the last hour before an alert fires
    # GraphQL request limits (graphql_schema/complexity.py); 0 turns a limit off
    graphql_max_tokens: int = 2000
    graphql_max_depth: int = 10
    graphql_max_aliases: int = 30
    graphql_max_fields: int = 200
    graphql_max_cost: int = 10_000
    graphql_introspection: str = "authenticated"  # authenticated, public or off
    graphql_ws_keepalive_seconds: float = 15.0  # server pings on graphql-transport-ws; 0 turns them off
    # scale-out (docs/scaling.md): analytics reads on a replica; raw executions partitioned by time
    database_read_url: str | None = None  # a streaming replica for the analytics reads; unset: the primary
    executions_partition_period: str = "week"  # day, week or month (services/core/partitions.py)
    executions_partitions_ahead: int = 3  # periods created ahead of the current one
    executions_retention_days: int = 0  # raw executions older than this are dropped by whole partitions; 0: kept

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))

    @property
    def dialect(self) -> str:
        return "postgres" if self.is_postgres else "sqlite"

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def validate(self) -> None:
        if self.app_env not in {"development", "test", "production"}:
            raise ConfigError("APP_ENV must be development, test or production")
        if self.is_production and self.secret_key == DEFAULT_SECRET:
            raise ConfigError("refusing to start in production with the default SECRET_KEY")
        if self.is_production and len(self.secret_key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        if self.jwt_algorithm not in {"HS256", "HS384", "HS512"}:
            raise ConfigError("JWT_ALGORITHM must be HS256, HS384 or HS512")
        if self.graphql_introspection not in {"authenticated", "public", "off"}:
            raise ConfigError("GRAPHQL_INTROSPECTION must be authenticated, public or off")
        if self.executions_partition_period not in {"day", "week", "month"}:
            raise ConfigError("EXECUTIONS_PARTITION_PERIOD must be day, week or month")
        if self.database_read_url and not self.is_postgres:
            raise ConfigError("DATABASE_READ_URL needs a PostgreSQL DATABASE_URL (a replica of it)")


def load_settings() -> Settings:
    """Build settings from the process environment (no caching)."""
    data_dir = Path(os.environ.get("DATA_DIR") or PROJECT_ROOT / "data")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite://{data_dir / 'promptops.sqlite3'}"
    settings = Settings(
        app_env=os.environ.get("APP_ENV", "development"),
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL") or None,
        redis_prefix=os.environ.get("REDIS_PREFIX", "promptops"),
        secret_key=os.environ.get("SECRET_KEY") or DEFAULT_SECRET,
        jwt_algorithm=os.environ.get("JWT_ALGORITHM", "HS256"),
        access_token_ttl_seconds=_int("ACCESS_TOKEN_TTL_SECONDS", 3600, 60),
        host=os.environ.get("HOST", "127.0.0.1"),
        port=_int("PORT", 8000, 1),
        data_dir=data_dir,
        embedded_redis_port=_int("EMBEDDED_REDIS_PORT", 6390, 1),
        max_body_bytes=_int("MAX_BODY_BYTES", 1_048_576, 1024),
        login_rate_limit_per_minute=_int("LOGIN_RATE_LIMIT_PER_MINUTE", 10, 1),
        worker_heartbeat_seconds=_int("WORKER_HEARTBEAT_SECONDS", 15, 1),
        ingest_rate_limit_per_minute=_int("INGEST_RATE_LIMIT_PER_MINUTE", 120_000, 1),
        api_key_cache_seconds=float(os.environ.get("API_KEY_CACHE_SECONDS", "5")),
        ingest_batch_max=_int("INGEST_BATCH_MAX", 1000, 1),
        rollup_cache_rows=_int("ROLLUP_CACHE_ROWS", 30_000, 0),
        edge_cache_events=_int("EDGE_CACHE_EVENTS", 200_000, 0),
        minute_rollup_hours=_int("MINUTE_ROLLUP_HOURS", 25, 1),
        gc_gen0_threshold=_int("GC_GEN0_THRESHOLD", 50_000, 0),
        drain_batch_size=_int("DRAIN_BATCH_SIZE", 5000, 1),
        drain_concurrency=_int("DRAIN_CONCURRENCY", 2, 1),
        drain_linger_ms=_int("DRAIN_LINGER_MS", 200, 0),
        worker_nice=min(19, _int("WORKER_NICE", 0, 0)),
        worker_redis_reply_seconds=_float("WORKER_REDIS_REPLY_SECONDS", 30.0, 1.0),
        ingest_claim_idle_seconds=_float("INGEST_CLAIM_IDLE_SECONDS", 60.0, 1.0),
        ingest_stall_seconds=_float("INGEST_STALL_SECONDS", 300.0, 1.0),
        probe_timeout_seconds=float(os.environ.get("PROBE_TIMEOUT_SECONDS", "2.0")),
        db_pool_max=_int("DB_POOL_MAX", 10, 1),
        metrics_buffer_size=_int("METRICS_BUFFER_SIZE", 1000, 10),
        log_level=os.environ.get("LOG_LEVEL", "INFO"),
        notify_timeout_seconds=_float("NOTIFY_TIMEOUT_SECONDS", 10.0, 0.1),
        notify_max_attempts=_int("NOTIFY_MAX_ATTEMPTS", 5, 1),
        notify_backoff_seconds=_float("NOTIFY_BACKOFF_SECONDS", 5.0, 0.0),
        notify_backoff_max_seconds=_float("NOTIFY_BACKOFF_MAX_SECONDS", 600.0, 0.0),
        smtp_host=os.environ.get("SMTP_HOST") or None,
        smtp_port=_int("SMTP_PORT", 587, 1),
        smtp_from=os.environ.get("SMTP_FROM") or None,
        smtp_username=os.environ.get("SMTP_USERNAME") or None,
        smtp_password=os.environ.get("SMTP_PASSWORD") or None,
        smtp_starttls=_optional_bool("SMTP_STARTTLS"),
        smtp_allow_plaintext=_bool("SMTP_ALLOW_PLAINTEXT", False),
        outbound_allow_cidrs=_cidrs("OUTBOUND_ALLOW_CIDRS"),
        request_metrics_enabled=_bool("REQUEST_METRICS_ENABLED", True),
        request_metrics_flush_seconds=_float("REQUEST_METRICS_FLUSH_SECONDS", 1.0, 0.05),
        request_metrics_retention_hours=_int("REQUEST_METRICS_RETENTION_HOURS", 720, 24),
        system_metrics_interval_seconds=_int("SYSTEM_METRICS_INTERVAL_SECONDS", 30, 5),
        system_metrics_retention_days=_int("SYSTEM_METRICS_RETENTION_DAYS", 7, 1),
        health_check_timeout_seconds=_float("HEALTH_CHECK_TIMEOUT_SECONDS", 5.0, 0.1),
        threshold_cpu_percent=_float("THRESHOLD_CPU_PERCENT", 85.0),
        threshold_memory_percent=_float("THRESHOLD_MEMORY_PERCENT", 90.0),
        threshold_disk_percent=_float("THRESHOLD_DISK_PERCENT", 90.0),
        threshold_p95_ms=_float("THRESHOLD_P95_MS", 1000.0),
        threshold_error_rate=_float("THRESHOLD_ERROR_RATE", 0.05),
        threshold_dead_letters=_int("THRESHOLD_DEAD_LETTERS", 0, 0),
        graphql_max_tokens=_int("GRAPHQL_MAX_TOKENS", 2000, 0),
        graphql_max_depth=_int("GRAPHQL_MAX_DEPTH", 10, 0),
        graphql_max_aliases=_int("GRAPHQL_MAX_ALIASES", 30, 0),
        graphql_max_fields=_int("GRAPHQL_MAX_FIELDS", 200, 0),
        graphql_max_cost=_int("GRAPHQL_MAX_COST", 10_000, 0),
        graphql_introspection=(os.environ.get("GRAPHQL_INTROSPECTION") or "authenticated").strip().lower(),
        graphql_ws_keepalive_seconds=_float("GRAPHQL_WS_KEEPALIVE_SECONDS", 15.0, 0.0),
        database_read_url=os.environ.get("DATABASE_READ_URL") or None,
        executions_partition_period=(os.environ.get("EXECUTIONS_PARTITION_PERIOD") or "week").strip().lower(),
        executions_partitions_ahead=_int("EXECUTIONS_PARTITIONS_AHEAD", 3, 1),
        executions_retention_days=_int("EXECUTIONS_RETENTION_DAYS", 0, 0),
    )
    settings.validate()
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; read once because the environment does not change under us."""
    return load_settings()
