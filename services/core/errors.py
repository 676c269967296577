"""Domain errors.  Each maps to one envelope code and HTTP status, in REST and GraphQL alike."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("services.errors")


@dataclass
class FieldIssue:
    """One invalid input field; becomes one item of the envelope's ``details``."""

    field: str
    message: str
    type: str = "invalid"

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "type": self.type}


class DomainError(Exception):
    code = "INTERNAL_SERVER_ERROR"
    status = 500

    def __init__(
        self,
        message: str,
        details: list[FieldIssue] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.retry_after = retry_after


class BadRequest(DomainError):
    code = "BAD_REQUEST"
    status = 400

    @classmethod
    def field(cls, field: str, message: str, type_: str = "invalid") -> BadRequest:
        return cls(message, [FieldIssue(field, message, type_)])


class Unauthorized(DomainError):
    code = "UNAUTHORIZED"
    status = 401


class Forbidden(DomainError):
    code = "FORBIDDEN"
    status = 403


class NotFound(DomainError):
    code = "NOT_FOUND"
    status = 404


class Conflict(DomainError):
    code = "CONFLICT"
    status = 409


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413


class RateLimited(DomainError):
    code = "RATE_LIMITED"
    status = 429


class ServiceUnavailable(DomainError):
    code = "SERVICE_UNAVAILABLE"
    status = 503


def outage(exc: BaseException) -> ServiceUnavailable | None:
    """The domain error for an infrastructure fault (database or Redis unreachable), else None.

    The one mapping both adapters use: REST answers it as a 503 with ``Retry-After``, GraphQL as
    ``extensions.code = SERVICE_UNAVAILABLE``; neither needs to know the drivers' exception types.
    """
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from tortoise.exceptions import DBConnectionError

    if isinstance(exc, RedisConnectionError | RedisTimeoutError | DBConnectionError | ConnectionError):
        return ServiceUnavailable("A backing service is unavailable, retry shortly", retry_after=5)
    return None


_COLUMN_ERROR = re.compile(r"^(\w+): (.*)$", re.DOTALL)  # the ORM's "<field>: <problem>"
_TOO_LONG = re.compile(r"^Length of .* (\d+) > (\d+)$", re.DOTALL)
_NOT_NULL = re.compile(r'NOT NULL constraint failed: \w+\.(\w+)|null value in column "(\w+)"')  # SQLite | PostgreSQL
# asyncpg: "invalid input for query argument $1: 2147483653 (value out of int32 range)";
# PostgreSQL: "integer out of range"; SQLite (an OverflowError): "Python int too large to convert to SQLite INTEGER"
_OUT_OF_RANGE = re.compile(r"value out of int\d+ range|integer out of range|too large to convert to SQLite INTEGER")


def column_refusal(exc: BaseException) -> BadRequest | None:
    """The 400 for a value the input model let through but its column refuses, else None.

    Too long or null for the ORM's own field checks, a NOT NULL violation from the database (a
    ``null`` in a patch of a required field), or an integer the driver cannot send (asyncpg: out of
    the parameter's int4/int8; sqlite3: beyond int8) -- refused before the query runs.  That is bad
    input, so a 400 naming the column (``input`` when the driver cannot say which), not a 500;
    logged, because the input model should have refused it under its own name.
    """
    from tortoise.exceptions import IntegrityError, OperationalError
    from tortoise.exceptions import ValidationError as ColumnValidationError

    text = str(exc)
    if isinstance(exc, IntegrityError):
        not_null = _NOT_NULL.search(text)
        if not_null is None:
            return None  # a unique or foreign key violation: the caller's business
        field, message = not_null.group(1) or not_null.group(2), "must not be null"
    elif isinstance(exc, ColumnValidationError):
        matched = _COLUMN_ERROR.match(text)
        field, problem = (matched.group(1), matched.group(2)) if matched else ("body", text)
        too_long = _TOO_LONG.match(problem)
        if too_long:
            message = f"must be at most {too_long.group(2)} characters"
        elif "must not be None" in problem:
            message = "must not be null"
        else:
            message = problem if len(problem) <= 200 else "invalid value"
    elif isinstance(exc, OperationalError | OverflowError) and _OUT_OF_RANGE.search(text):
        # The driver's words name a query argument, not a column: the field is the input as a whole.
        field, message = "input", "a number is out of range for its database column"
    else:
        return None
    log.warning("a column refused input its model accepted: %s", text[:200])
    issue = FieldIssue(field, message, "column_constraint")
    return BadRequest(f"Invalid value for '{field}': {message}", [issue])


def domain_error(exc: BaseException) -> DomainError | None:
    """The domain error to answer for ``exc``, or None for a fault (a 500).

    The one boundary both adapters use (REST's routes, GraphQL's error masking; REST's middleware
    answers the outages raised outside a route through :func:`outage`):
    a domain error is itself; an outage is :func:`outage`'s ``SERVICE_UNAVAILABLE``; a column's
    refusal is :func:`column_refusal`'s ``BAD_REQUEST`` naming the field.  Neither adapter needs to
    know the ORM's or the drivers' exception types.
    """
    if isinstance(exc, DomainError):
        return exc
    return outage(exc) or column_refusal(exc)
