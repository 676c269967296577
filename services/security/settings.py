"""Security monitoring knobs, read from the environment once (documented in the README).

Kept beside the domain rather than in ``services/core/config.py`` so the core settings stay
the domain-free list they are; the parsing rules are the same (bad values refuse to start).

Scenario defaults follow CrowdSec's HTTP collection and fail2ban's jails: a leaky bucket per
address and scenario holds ``capacity`` signals and leaks one every ``leak_seconds``; the
signal that overflows it makes a decision (fail2ban's ``maxretry`` within ``findtime`` is a
bucket of capacity ``maxretry`` leaking ``findtime / maxretry``).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from functools import lru_cache

from services.core.config import ConfigError


@dataclass(frozen=True)
class Scenario:
    name: str
    capacity: int
    leak_seconds: float
    distinct: bool = False  # only distinct values (paths) pour, like CrowdSec's ``distinct``
    description: str = ""


DEFAULT_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("http-bf-login", 5, 10.0, description="failed or throttled password logins"),
    Scenario("http-bad-token", 20, 5.0, description="requests with invalid or expired credentials (401)"),
    Scenario("http-forbidden", 20, 5.0, description="forbidden access (403)"),
    Scenario("http-rate-limit", 30, 2.0, description="rate-limited requests (429)"),
    Scenario("http-oversize", 10, 6.0, description="oversized request bodies (413)"),
    Scenario("http-bad-request-burst", 50, 1.0, description="bursts of rejected input (400)"),
    Scenario("http-path-scan", 15, 5.0, distinct=True, description="distinct unknown paths (404 on no route)"),
    Scenario("http-probing", 3, 20.0, description="well-known probe paths (/.env, /wp-admin, traversal)"),
    Scenario("http-injection", 2, 60.0, description="injection-looking query strings"),
    Scenario("graphql-abuse", 10, 6.0, description="GraphQL documents over the complexity limits"),
)


def _env_float(name: str, default: float, minimum: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not value >= minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def _env_bool(name: str, default: bool) -> bool:
    raw = (os.environ.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _env_networks(name: str, default: str) -> tuple[str, ...]:
    raw = os.environ.get(name)
    found = []
    for item in (default if raw is None else raw).split(","):
        if item.strip():
            try:
                found.append(str(ipaddress.ip_network(item.strip(), strict=False)))
            except ValueError as exc:
                raise ConfigError(f"{name} must be comma-separated CIDRs, got {item.strip()!r}: {exc}") from None
    return tuple(found)


def _scenarios(raw: str | None) -> tuple[Scenario, ...]:
    """``SECURITY_SCENARIOS="http-bf-login=10/6,http-probing=5/30"``: capacity/leak seconds per name."""
    by_name = {s.name: s for s in DEFAULT_SCENARIOS}
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        name, _, spec = item.strip().partition("=")
        capacity, _, leak = spec.partition("/")
        if name not in by_name:
            raise ConfigError(f"SECURITY_SCENARIOS: unknown scenario {name!r} (known: {', '.join(by_name)})")
        try:
            cap, leak_s = int(capacity), float(leak)
        except ValueError:
            raise ConfigError(f"SECURITY_SCENARIOS: {item.strip()!r} must be name=capacity/leak_seconds") from None
        if cap < 1 or not leak_s > 0:
            raise ConfigError(f"SECURITY_SCENARIOS: {name} needs capacity >= 1 and leak_seconds > 0")
        old = by_name[name]
        by_name[name] = Scenario(name, cap, leak_s, old.distinct, old.description)
    return tuple(by_name.values())


@dataclass(frozen=True)
class SecuritySettings:
    monitoring_default: bool = True  # state when nobody has called start/stop yet
    trusted_proxies: tuple[str, ...] = ()
    allowlist: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    ban_seconds: float = 900.0
    ban_factor: float = 2.0
    ban_max_seconds: float = 86_400.0
    repeat_window_seconds: float = 7 * 86_400.0
    manual_ban_seconds: float = 86_400.0
    cache_seconds: float = 0.5
    flush_seconds: float = 0.25
    buffer_max: int = 50_000
    reputation_half_life_hours: float = 24.0
    reputation_retention_days: float = 30.0
    reputation_max_addresses: int = 100_000
    alert_high_events: int = 50
    alert_window_minutes: int = 5
    scenarios: tuple[Scenario, ...] = field(default_factory=lambda: DEFAULT_SCENARIOS)

    def scenario(self, name: str) -> Scenario:
        for s in self.scenarios:
            if s.name == name:
                return s
        raise KeyError(name)


def load_security_settings() -> SecuritySettings:
    return SecuritySettings(
        monitoring_default=_env_bool("SECURITY_MONITORING_ENABLED", True),
        trusted_proxies=_env_networks("TRUSTED_PROXIES", ""),
        allowlist=_env_networks("SECURITY_ALLOWLIST", "127.0.0.1/32,::1/128"),
        ban_seconds=_env_float("SECURITY_BAN_SECONDS", 900.0, 1.0),
        ban_factor=_env_float("SECURITY_BAN_FACTOR", 2.0, 1.0),
        ban_max_seconds=_env_float("SECURITY_BAN_MAX_SECONDS", 86_400.0, 1.0),
        repeat_window_seconds=_env_float("SECURITY_REPEAT_WINDOW_SECONDS", 7 * 86_400.0, 1.0),
        manual_ban_seconds=_env_float("SECURITY_MANUAL_BAN_SECONDS", 86_400.0, 1.0),
        cache_seconds=_env_float("SECURITY_CACHE_SECONDS", 0.5, 0.0),
        flush_seconds=_env_float("SECURITY_FLUSH_SECONDS", 0.25, 0.01),
        buffer_max=int(_env_float("SECURITY_BUFFER_MAX", 50_000, 100)),
        reputation_half_life_hours=_env_float("SECURITY_REPUTATION_HALF_LIFE_HOURS", 24.0, 0.01),
        reputation_retention_days=_env_float("SECURITY_REPUTATION_RETENTION_DAYS", 30.0, 1.0),
        reputation_max_addresses=int(_env_float("SECURITY_REPUTATION_MAX_ADDRESSES", 100_000, 100)),
        alert_high_events=int(_env_float("SECURITY_ALERT_HIGH_EVENTS", 50, 1)),
        alert_window_minutes=int(_env_float("SECURITY_ALERT_WINDOW_MINUTES", 5, 1)),
        scenarios=_scenarios(os.environ.get("SECURITY_SCENARIOS")),
    )


@lru_cache(maxsize=1)
def get_security_settings() -> SecuritySettings:
    return load_security_settings()
