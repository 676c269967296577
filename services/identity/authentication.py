"""Turning credentials into a :class:`Principal`.

A JWT's signature is verified locally, then checked against its user's current state
(exists, active, role, when credentials last changed).  API keys cost one indexed lookup by
prefix, joined to their user.  Both act with at most the user's *current* role: a key keeps
the role it was created with only while its creator still holds it.  Successful lookups
are remembered in-process for ``API_KEY_CACHE_SECONDS`` (default 5 s; 0 turns it off) so
the ingest hot path does no database round trip per request.  The price is bounded: a key
revoked, a user demoted or deactivated through another process keeps its old rights there
for at most that long; in this process the change takes effect at once
(:func:`forget_api_keys`, :func:`forget_user`).
Last-used times are noted in Redis at most once a second per key and process, and
written to the database in batches by the ``flush_api_key_usage`` job.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import jwt
from redis.exceptions import RedisError

from models.tenancy import ApiKey, User
from services.core import cache_stats, rate_limit
from services.core.config import get_settings
from services.core.errors import Unauthorized
from services.core.redis_client import get_redis, key
from services.identity import credentials
from services.identity.policy import Principal, Role
from services.identity.schemas import IssuedToken, TokenRequest

log = logging.getLogger(__name__)
LAST_USED_HASH = "apikey:last_used"
NOTE_EVERY_SECONDS = 1.0
_CACHE_MAX = 10_000
# sha256(token) -> (monotonic expiry, principal): successful API-key lookups only, never failures
_principals: dict[bytes, tuple[float, Principal]] = {}
_noted: dict[int, float] = {}  # api key id -> monotonic time its use was last noted in Redis
_lookups: dict[bytes, asyncio.Future[Principal]] = {}  # one database lookup per key at a time
API_KEY_CACHE = cache_stats.register(
    "api_key", "API-key lookups per process", lambda: len(_principals), lambda: _CACHE_MAX
)


_generation = 0  # bumped on every revocation in this process: a lookup begun before it is not cached


def forget_api_keys() -> None:
    """Drop this process's cached API-key lookups (called on revocation)."""
    global _generation
    _generation += 1
    _principals.clear()
    _lookups.clear()


@dataclass(frozen=True)
class _UserState:
    organization_id: int
    role: Role
    is_active: bool
    not_before: float  # tokens issued (iat, epoch seconds) before this are refused; 0: none


_users: dict[int, tuple[float, _UserState | None]] = {}  # user id -> (monotonic expiry, state or gone)


def forget_user(user_id: int) -> None:
    """Drop what this process remembers of a user and of every API key (called on role change)."""
    _users.pop(user_id, None)
    forget_api_keys()


async def _user_state(user_id: int) -> _UserState | None:
    now = time.monotonic()
    cached = _users.get(user_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    row = await User.get_or_none(id=user_id).only(
        "id", "organization_id", "role", "is_active", "credentials_changed_at"
    )
    state = None if row is None else _state_of(row)
    ttl = get_settings().api_key_cache_seconds
    if ttl > 0:
        if len(_users) >= _CACHE_MAX:
            _users.clear()
        _users[user_id] = (now + ttl, state)
    return state


def _state_of(user: User) -> _UserState:
    changed = user.credentials_changed_at
    return _UserState(user.organization_id, Role(user.role), user.is_active, changed.timestamp() if changed else 0.0)


def _at_most(granted: Role, current: Role) -> Role:
    return granted if granted.rank <= current.rank else current


async def _authenticate_jwt(token: str) -> Principal:
    try:
        principal, issued_at = credentials.decode_jwt(token)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("Authentication token has expired") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("Invalid or missing authentication token") from None
    state = await _user_state(principal.user_id)
    if state is None or not state.is_active or state.organization_id != principal.organization_id:
        raise Unauthorized("Invalid or missing authentication token")
    if issued_at < state.not_before:
        raise Unauthorized("Authentication token has been revoked (role or account changed); sign in again")
    role = _at_most(principal.role, state.role)
    return principal if role is principal.role else replace(principal, role=role)


async def authenticate_bearer(token: str) -> Principal:
    token = token.strip()
    if not token:
        raise Unauthorized("Invalid or missing authentication token")
    prefix = credentials.split_api_key(token)
    if prefix is not None:
        return await _authenticate_api_key(token, prefix)
    return await _authenticate_jwt(token)


async def _authenticate_api_key(token: str, prefix: str) -> Principal:
    digest = hashlib.sha256(token.encode()).digest()
    now = time.monotonic()
    cached = _principals.get(digest)
    if cached is not None and cached[0] > now:
        API_KEY_CACHE.hits += 1
        principal = cached[1]
    elif digest in _lookups:  # the entry just expired under load: share the lookup already running
        principal = await asyncio.shield(_lookups[digest])
    else:
        API_KEY_CACHE.misses += 1
        generation = _generation
        lookup = _lookups[digest] = asyncio.ensure_future(_lookup_api_key(token, prefix))
        try:
            principal = await asyncio.shield(lookup)
        finally:
            if lookup.done():
                _lookups.pop(digest, None)
            else:
                lookup.add_done_callback(lambda _: _lookups.pop(digest, None))
        ttl = get_settings().api_key_cache_seconds
        if ttl > 0 and generation == _generation:
            if len(_principals) >= _CACHE_MAX:
                API_KEY_CACHE.evictions += len(_principals)
                _principals.clear()
            _principals[digest] = (now + ttl, principal)
    assert principal.api_key_id is not None
    if now - _noted.get(principal.api_key_id, -NOTE_EVERY_SECONDS) >= NOTE_EVERY_SECONDS:
        _noted[principal.api_key_id] = now
        await _note_api_key_use(principal.api_key_id)
    return principal


async def _lookup_api_key(token: str, prefix: str) -> Principal:
    api_key = await ApiKey.get_or_none(prefix=prefix).select_related("user")
    if api_key is None or not credentials.api_key_matches(token, api_key.key_hash):
        raise Unauthorized("Invalid or missing authentication token")
    if api_key.revoked_at is not None:
        raise Unauthorized("API key has been revoked")
    if not api_key.user.is_active:
        raise Unauthorized("The API key's user is deactivated")
    return Principal(
        user_id=api_key.user_id,
        organization_id=api_key.organization_id,
        role=_at_most(Role(api_key.role), Role(api_key.user.role)),
        auth_method="api_key",
        api_key_id=api_key.id,
        rate_limit_per_minute=api_key.rate_limit_per_minute,
    )


async def _note_api_key_use(api_key_id: int) -> None:
    try:
        await get_redis().hset(key(LAST_USED_HASH), str(api_key_id), f"{time.time():.3f}")
    except RedisError:  # bookkeeping only: never fail a request over it
        log.warning("could not record api key use", exc_info=True)


async def flush_api_key_usage() -> int:
    """Move last-used times noted in Redis into ``api_keys.last_used_at``. Returns keys updated.

    Reads then deletes only the fields it read (HDEL), so a use noted meanwhile survives
    to the next flush; a crash between update and HDEL just rewrites the same time.
    """
    redis = get_redis()
    noted: dict[str, str] = await redis.hgetall(key(LAST_USED_HASH))
    if not noted:
        return 0
    rows = [
        ApiKey(id=int(key_id), last_used_at=datetime.fromtimestamp(float(stamp), UTC))
        for key_id, stamp in noted.items()
    ]
    await ApiKey.bulk_update(rows, fields=["last_used_at"])
    await redis.hdel(key(LAST_USED_HASH), *noted.keys())
    return len(noted)


async def login(email: str, password: str, client_ip: str) -> tuple[str, datetime, User]:
    """Exchange email + password for a JWT. Throttled per email and per client address."""
    settings = get_settings()
    limit = settings.login_rate_limit_per_minute
    await rate_limit.hit(f"login:ip:{client_ip}", limit * 5)
    await rate_limit.hit(f"login:email:{email.lower()}", limit)
    user = await User.get_or_none(email=email.lower())
    ok = credentials.verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.is_active:
        raise Unauthorized("Invalid email or password")
    principal = Principal(user.id, user.organization_id, Role(user.role))
    token, expires = credentials.issue_jwt(principal)
    return token, expires, user


async def sign_in(request: TokenRequest, client_ip: str) -> IssuedToken:
    """:func:`login` answered as both adapters serve it (REST's token route, GraphQL's ``signIn``).

    One path for both: the same per-email and per-address limits count every attempt, whichever
    adapter it came through, and the same refusal never says whether the e-mail exists.
    """
    token, expires, user = await login(request.email, request.password, client_ip)
    return IssuedToken(
        access_token=token,
        token_type="bearer",
        expires_at=expires,
        user_id=user.id,
        organization_id=user.organization_id,
        role=user.role,
    )
