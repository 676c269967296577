"""What a finished request says about its client: security events and detection signals.

Pure functions over the request line and the final status, so the middleware calls them
after the response went out and nothing here touches I/O.

* An **event** is stored (``security_events``) and pours into its scenario's bucket.
* A **signal** only pours (a single 400 or an unknown path is normal client noise); the
  overflow of its bucket is what gets stored, as one ``bad_request_burst`` / ``path_scan``
  event, together with the decision it makes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

THREAT_LEVELS = ("low", "medium", "high", "critical")
LEVEL_WEIGHTS = {"low": 1.0, "medium": 3.0, "high": 7.0, "critical": 15.0}  # reputation points per event

# event type -> (threat level, description)
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "failed_login": ("medium", "a password login refused (401 on the token route, or GraphQL signIn refused)"),
    "invalid_token": ("medium", "a missing, malformed, expired or revoked credential (401)"),
    "forbidden": ("medium", "an authenticated caller without the role for a route (403)"),
    "rate_limited": ("low", "a request refused by a rate limit (429)"),
    "payload_too_large": ("medium", "a request body over MAX_BODY_BYTES (413)"),
    "bad_request_burst": ("medium", "more rejected requests (400) than the burst bucket holds"),
    "path_scan": ("high", "more distinct unknown paths than the scan bucket holds"),
    "probe_path": ("high", "a well-known probe path (/.env, /wp-admin, path traversal, ...)"),
    "injection_attempt": ("critical", "a query string that looks like SQL/script/template injection"),
    "graphql_limit": ("medium", "a GraphQL document refused by the complexity limits"),
    "ip_blocked": ("high", "a decision blocked the address (automatic or manual)"),
    "ip_unblocked": ("low", "an operator lifted a block"),
}
SIGNAL_OVERFLOW_TYPES = {"http-bad-request-burst": "bad_request_burst", "http-path-scan": "path_scan"}
LOGIN_PATHS = frozenset({"/api/v1/auth/token"})
# Flags an adapter sets on a request whose status cannot tell (GraphQL answers 200 with errors):
# GraphQL's ``signIn`` refused or throttled counts exactly like a 401 or 429 on the token route.
LOGIN_FLAGS = {"failed_login": "failed_login", "login_rate_limited": "rate_limited"}
PATH_MAX, UA_MAX, QUERY_MAX = 512, 256, 200

_PROBE = re.compile(
    r"(?:^|/)(?:\.env|\.git|\.svn|\.hg|\.aws|\.ssh|\.htaccess|\.htpasswd|\.ds_store|wp-admin|wp-login\.php|"
    r"wp-content|wp-includes|xmlrpc\.php|phpmyadmin|pma|myadmin|server-status|cgi-bin|actuator|"
    r"boaform|hnap1|vendor/phpunit|config\.php|web\.config|etc/passwd|win\.ini|shell\.php|eval-stdin\.php)"
    r"(?:$|[/?.#])"
    r"|\.\./|/\.\.(?:$|/)|\.\.\\|%2e%2e|%252e|\.(?:php\d?|asp|aspx|jsp|cgi)$",
    re.IGNORECASE,
)
_INJECTION = re.compile(
    r"\bunion\b[\s/*+]+(?:all\s+)?select\b|\bselect\b.+\bfrom\b.+\b(?:information_schema|pg_catalog|sqlite_master)\b"
    r"|'\s*(?:or|and)\s+'?\w+'?\s*=\s*'?\w+|\bor\s+1\s*=\s*1\b|;\s*(?:drop|delete|truncate|insert|update|shutdown)\s"
    r"|\b(?:sleep|benchmark|pg_sleep|waitfor\s+delay)\s*\(|xp_cmdshell|'\s*--|/\*.*\*/"
    r"|<\s*script|javascript\s*:|\bon(?:error|load)\s*=|\$\{jndi:|\{\{.*\}\}|\.\./|/etc/passwd",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Observation:
    """One event (``stored=True``) or detection signal drawn from one request."""

    event_type: str  # an EVENT_TYPES key, or "bad_request" / "unknown_path" for signals
    scenario: str
    stored: bool = True
    distinct: str = ""  # the value a distinct bucket counts (the path)
    detail: dict[str, Any] | None = None

    @property
    def level(self) -> str:
        return EVENT_TYPES[self.event_type][0] if self.stored else "low"


def clean(text: str, limit: int) -> str:
    """Storable text (no NUL, no lone surrogates, no control characters), cut to ``limit``."""
    if text.isprintable() and len(text) <= limit:
        return text
    text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    return "".join(c if c.isprintable() else "\ufffd" for c in text[:limit])


def is_probe(path: str, raw_path: bytes | None) -> bool:
    if _PROBE.search(path):
        return True
    return raw_path is not None and b"%" in raw_path and _PROBE.search(raw_path.decode("latin-1")) is not None


def injection_in(query: bytes) -> str | None:
    """The decoded query string when it looks like an injection attempt, else None."""
    if not query:
        return None
    text = unquote_plus(query.decode("latin-1"))
    return text if _INJECTION.search(text) else None


def observe(
    method: str,
    path: str,
    raw_path: bytes | None,
    query: bytes,
    status: int,
    routed: bool,
    flags: list[str] | None = None,
) -> list[Observation]:
    """Everything one finished request contributes (usually nothing)."""
    found: list[Observation] = []
    injected = injection_in(query)
    if injected is not None:
        found.append(Observation("injection_attempt", "http-injection", detail={"query": clean(injected, QUERY_MAX)}))
    if is_probe(path, raw_path):
        found.append(Observation("probe_path", "http-probing"))
    elif status == 404 and not routed:
        found.append(Observation("unknown_path", "http-path-scan", stored=False, distinct=path[:PATH_MAX]))
    if status == 401:
        kind = "failed_login" if path in LOGIN_PATHS else "invalid_token"
        found.append(Observation(kind, "http-bf-login" if kind == "failed_login" else "http-bad-token"))
    elif status == 403:
        found.append(Observation("forbidden", "http-forbidden"))
    elif status == 429:
        # A throttled login attempt is still a login attempt: it pours into the brute-force bucket.
        found.append(Observation("rate_limited", "http-bf-login" if path in LOGIN_PATHS else "http-rate-limit"))
    elif status == 413:
        found.append(Observation("payload_too_large", "http-oversize"))
    elif status == 400:
        found.append(Observation("bad_request", "http-bad-request-burst", stored=False))
    for flag in flags or ():
        if flag == "graphql_limit":
            found.append(Observation("graphql_limit", "graphql-abuse"))
        elif flag in LOGIN_FLAGS:
            found.append(Observation(LOGIN_FLAGS[flag], "http-bf-login", detail={"graphql": "signIn"}))
    return found
