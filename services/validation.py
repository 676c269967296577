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


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored (PostgreSQL rejects NUL in text, UTF-8 has no lone surrogates), or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "must not contain lone surrogates (invalid UTF-8)"
    return None


def unstorable_issue(value: Any, path: str = "") -> FieldIssue | None:
    """The first string (or mapping key) anywhere in ``value`` that no database column can hold.

    Walks parsed JSON (dicts, lists, strings) and reports the dotted path of the bad field,
    the same way pydantic names fields (``events.3.prompt_name``).  The edge refuses such input
    with a 400, so nothing accepted can later fail a whole batch in the database.
    """
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            problem = unstorable(item)
            if problem:
                return FieldIssue(where or "body", problem, "string_unstorable")
        elif isinstance(item, dict):
            for k, v in item.items():
                sub = f"{where}.{k}" if where else str(k)
                if isinstance(k, str) and (problem := unstorable(k)):
                    return FieldIssue(where or "body", f"key {problem}", "string_unstorable")
                stack.append((sub, v))
        elif isinstance(item, list | tuple):
            stack.extend((f"{where}.{i}" if where else str(i), v) for i, v in enumerate(item))
    return None


def check_storable(value: Any, path: str = "") -> None:
    """Raise the envelope's 400 naming the field when ``value`` holds text no database can store."""
    issue = unstorable_issue(value, path)
    if issue is not None:
        raise bad_request([issue])
