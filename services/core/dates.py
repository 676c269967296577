"""Window bounds given as a date or a timestamp: one reusable pydantic type per end of a window.

``PeriodStart`` and ``PeriodEnd`` accept what the seeds call "ISO 8601": a timestamp
(``2024-12-01T00:00:00Z``, ``...+00:00``; naive means UTC) or a bare date.  A bare date
means the whole day: ``PeriodStart`` its first instant, ``PeriodEnd`` its last
(``2024-12-01`` -> ``2024-12-01T23:59:59.999999Z``), so an inclusive ``[start, end]`` window
given as two dates covers both days.  Values come out timezone-aware in UTC.  Use them for
any ``period_start``/``period_end``/``start_date``/``end_date`` parameter::

    class Query(BaseModel):
        period_start: PeriodStart | None = None
        period_end: PeriodEnd | None = None

It also holds the named windows (``1h`` ... ``90d`` and the ``last_*`` aliases): the one table
that analytics' windows, the gateway's time ranges and the prompt list's time periods read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import ValidationError, ValidatorFunctionWrapHandler, WithJsonSchema, WrapValidator

from services.core.errors import BadRequest

# The named windows: how far back from now each name reaches.  Analytics (``services.analytics.windows``
# adds each one's chart bucket), the gateway views and the prompt history derive their choices from it.
WINDOWS: dict[str, timedelta] = {
    "1h": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "12h": timedelta(hours=12),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "14d": timedelta(days=14),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
}
ALIASES: dict[str, str] = {
    "last_24_hours": "24h",
    "last_7_days": "7d",
    "last_30_days": "30d",
    "last_90_days": "90d",
}

INVALID_DATE = "Invalid date format (use ISO 8601, e.g. 2024-12-01T00:00:00Z or 2024-12-01)"
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}|\d{8}")  # extended or basic (compact) ISO 8601 date


def as_utc(value: datetime) -> datetime:
    """Timezone-aware UTC; a naive timestamp is read as UTC (never as the server's local time)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00
        raise ValueError("date out of range") from None


# How far an event's own time may be from the server's clock, on every ingest path (prompt
# executions, usage events, tool calls, recorded metrics): a little ahead for client clock skew,
# years behind for backfills.  Recorded metric points pass a shorter ``max_age``.
EVENT_MAX_FUTURE = timedelta(minutes=5)
EVENT_MAX_AGE = timedelta(days=3650)


def check_event_time(value: datetime, max_age: timedelta = EVENT_MAX_AGE) -> datetime:
    """``value`` in UTC if it is not more than ``EVENT_MAX_FUTURE`` ahead nor ``max_age`` behind now."""
    value = as_utc(value)
    now = datetime.now(UTC)
    if value > now + EVENT_MAX_FUTURE:
        raise ValueError(f"is more than {EVENT_MAX_FUTURE.seconds // 60} minutes in the future")
    if value < now - max_age:
        raise ValueError(f"is more than {max_age.days} days in the past")
    return value


# Instants a window may start or end at: wide enough for any real question, far enough from
# datetime's own limits that a window's arithmetic (whole hours and days around it) cannot overflow.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 1, tzinfo=UTC)


def check_in_range(value: datetime, field: str) -> datetime:
    """``value`` (aware) if it lies in [EARLIEST, LATEST), else the envelope's 400 naming ``field``."""
    if not EARLIEST <= value < LATEST:
        raise BadRequest.field(field, f"{field} must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}")
    return value


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def day_end(day: date) -> datetime:
    """The last instant of ``day`` (microsecond precision, as the databases store it)."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def _bound(to_instant: Callable[[date], datetime]) -> Callable[[Any, ValidatorFunctionWrapHandler], datetime]:
    def parse(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime:
        if isinstance(value, date) and not isinstance(value, datetime):
            return to_instant(value)
        if isinstance(value, str) and _DATE_ONLY.fullmatch(value.strip()):
            try:
                return to_instant(date.fromisoformat(value.strip()))
            except ValueError:
                raise ValueError(INVALID_DATE) from None
        if isinstance(value, str | int | float) and str(value).strip().lstrip("+-").replace(".", "", 1).isdigit():
            # Bare numbers are not ISO 8601 (pydantic would read "20241201" as Unix seconds in 1970).
            raise ValueError(INVALID_DATE)
        try:
            parsed = handler(value)
        except ValidationError:
            raise ValueError(INVALID_DATE) from None
        return as_utc(parsed)

    return parse


_SCHEMA = WithJsonSchema(
    {
        "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}],
        "description": "ISO 8601 timestamp (naive = UTC) or date",
    }
)
PeriodStart = Annotated[datetime, WrapValidator(_bound(day_start)), _SCHEMA]
"""A window's start: a timestamp, or a date meaning 00:00:00 UTC of that day."""
PeriodEnd = Annotated[datetime, WrapValidator(_bound(day_end)), _SCHEMA]
"""A window's inclusive end: a timestamp, or a date meaning the end of that day (23:59:59.999999 UTC)."""
