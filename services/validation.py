"""Pydantic validation errors as the envelope's 400: one ``details`` item per bad field.

Shared by the REST router (query, path and body models) and GraphQL inputs, so a bad
value is reported with the same field name and message whichever door it came in by.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from services.errors import BadRequest, FieldIssue

M = TypeVar("M", bound=BaseModel)


def issues_of(exc: ValidationError, prefix: str = "") -> list[FieldIssue]:
    found = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or prefix.rstrip(".") or "body"
        message = err["msg"].removeprefix("Value error, ")  # pydantic's prefix for a validator's ValueError
        found.append(FieldIssue(f"{prefix}{loc}" if prefix and err["loc"] else loc, message, err["type"]))
    return found


def bad_request(issues: list[FieldIssue]) -> BadRequest:
    first = issues[0]
    more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
    return BadRequest(f"Invalid value for '{first.field}': {first.message}{more}", issues)


def validated(model: type[M], data: Any, prefix: str = "") -> M:
    if isinstance(data, model):  # already checked (a REST body handed on to the service)
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise bad_request(issues_of(exc, prefix)) from None
