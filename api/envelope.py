"""The JSON envelope every REST response wears (see CONVENTIONS.md)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response

from services.core.errors import DomainError

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")


def dumps(payload: Any) -> bytes:
    return orjson.dumps(payload, default=_default, option=_OPTIONS)


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def success(data: Any, message: str, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"success": True, "data": data, "message": message}, status_code, headers)


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "details": details or []}
    error.update(extra)
    return {"success": False, "error": error, "message": message}


def error(
    status_code: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    return JSONResponse(error_body(code, message, details, **extra), status_code, headers)


def from_domain_error(exc: DomainError) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return error(exc.status, exc.code, exc.message, [d.as_dict() for d in exc.details], headers)
