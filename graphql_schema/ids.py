"""Integer ids that arrive as text (``ID`` arguments, ``promptId: String``, cursors), bounded once.

GraphQL's ``Int`` is 32-bit by specification, but ids typed ``ID``/``String`` are not:
``prompt(id: "100000000000000000000")`` used to reach PostgreSQL and fail there (int4
column) as a 500.  Every resolver turns such text into an int through these helpers, so
an out-of-range id is a ``BAD_REQUEST`` naming the argument.
"""

from __future__ import annotations

from typing import TypeVar

from services.core.errors import FieldIssue
from services.core.validation import bad_request

T = TypeVar("T")

MAX_INT4 = 2**31 - 1  # serial primary keys (prompts, users, workspaces, rules, channels, ...)
MAX_INT8 = 2**63 - 1  # bigserial primary keys (executions, metric points, deliveries, ...)


def is_integer_text(value: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts '²' and other digits ``int()`` refuses or reads oddly."""
    return value.isascii() and value.isdigit()


def bounded_int(value: int, field: str, maximum: int = MAX_INT4) -> int:
    if not 0 <= value <= maximum:
        raise bad_request([FieldIssue(field, f"must be an id between 0 and {maximum}", "out_of_range")])
    return value


def int_or_uuid(value: T, field: str, maximum: int = MAX_INT4) -> int | T:
    """An id given as text: digits become a bounded int, anything else (a uuid) is passed on as it is."""
    if isinstance(value, str) and value.isdigit():
        if not value.isascii():
            raise bad_request([FieldIssue(field, "must be an integer id (ASCII digits) or a uuid")])
        return bounded_int(int(value), field, maximum)
    if isinstance(value, int) and not isinstance(value, bool):
        return bounded_int(value, field, maximum)
    return value
