"""Domain errors.  Each maps to one envelope code and HTTP status, in REST and GraphQL alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
