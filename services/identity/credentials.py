"""Primitives for secrets: password hashes (argon2), JWTs (pyjwt) and API key material."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.core.config import Settings, get_settings
from services.core.validation import INT32_MAX
from services.identity.policy import Principal, Role

API_KEY_PREFIX = "po_"
_hasher = PasswordHasher()
# Verifying against this keeps response time flat when the email does not exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def issue_jwt(
    principal: Principal, settings: Settings | None = None, ttl_seconds: int | None = None
) -> tuple[str, datetime]:
    settings = settings or get_settings()
    now = datetime.now(UTC)
    expires = now + timedelta(seconds=ttl_seconds or settings.access_token_ttl_seconds)
    claims = {
        "sub": str(principal.user_id),
        "org": principal.organization_id,
        "role": principal.role.value,
        "iat": round(now.timestamp(), 6),  # sub-second: a token issued right after a role change stays valid
        "exp": expires,
    }
    return jwt.encode(claims, settings.secret_key, algorithm=settings.jwt_algorithm), expires


def decode_jwt(token: str, settings: Settings | None = None) -> tuple[Principal, float]:
    """The token's principal and ``iat`` (epoch seconds, for checks against later credential changes).

    Verifies signature and expiry; raises ``jwt.InvalidTokenError`` on anything wrong."""
    settings = settings or get_settings()
    claims: dict[str, Any] = jwt.decode(
        token,
        settings.secret_key,
        algorithms=[settings.jwt_algorithm],
        options={"require": ["exp", "iat", "sub", "org", "role"]},
    )
    try:
        user_id, organization_id = int(claims["sub"]), int(claims["org"])
        if not (0 < user_id <= INT32_MAX and 0 < organization_id <= INT32_MAX):
            raise ValueError("ids out of range")  # no such row can exist; never reaches a query
        principal = Principal(
            user_id=user_id,
            organization_id=organization_id,
            role=Role(claims["role"]),
            auth_method="jwt",
        )
        return principal, float(claims["iat"])
    except (TypeError, ValueError) as exc:
        raise jwt.InvalidTokenError("malformed claims") from exc


def new_api_key() -> tuple[str, str, str]:
    """Return ``(full_key, prefix, sha256_hex)``; the full key is shown once and never stored."""
    prefix = secrets.token_hex(6)
    full = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return full, prefix, hash_api_key(full)


def hash_api_key(full_key: str) -> str:
    return hashlib.sha256(full_key.encode()).hexdigest()


def split_api_key(token: str) -> str | None:
    """The lookup prefix of something shaped like one of our API keys, else None."""
    if not token.startswith(API_KEY_PREFIX):
        return None
    body = token[len(API_KEY_PREFIX) :]
    prefix, sep, secret = body.partition("_")
    if not sep or len(prefix) != 12 or not secret:
        return None
    return prefix


def api_key_matches(full_key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_api_key(full_key), stored_hash)
