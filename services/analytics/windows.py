"""Named time windows (``1h`` ... ``90d``) and the chart bucket each one uses.

The names and lengths (``WINDOWS``, ``ALIASES``) live in :mod:`services.core.dates`; this module
re-exports them and adds the buckets, validation and now-anchored :class:`Window` values.

Buckets of an hour or more start on whole hours (day buckets on UTC midnight) so
that :func:`services.rollups.query.accumulate_slices` reads hourly/daily rollups for
them; sub-hour buckets (windows up to 12h) are read from raw events, which is cheap
at that span.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator

from services.core.dates import ALIASES, WINDOWS
from services.core.errors import BadRequest
from services.rollups import DAY, HOUR, day_floor, hour_floor

__all__ = [
    "ACCEPTED",
    "ALIASES",
    "BUCKETS",
    "WINDOWS",
    "Buckets",
    "TimeWindowName",
    "Window",
    "buckets_for",
    "canonical",
    "checked",
    "days_window",
    "window",
]

BUCKETS: dict[str, timedelta] = {
    "1h": timedelta(minutes=5),
    "6h": timedelta(minutes=15),
    "12h": timedelta(minutes=30),
    "24h": HOUR,
    "7d": timedelta(hours=6),
    "14d": timedelta(hours=12),
    "30d": DAY,
    "90d": DAY,
}
ACCEPTED = ", ".join([*WINDOWS, *ALIASES])


def canonical(value: str) -> str:
    value = value.strip().lower()
    value = ALIASES.get(value, value)
    if value not in WINDOWS:
        raise ValueError(f"time_window must be one of {ACCEPTED}")
    return value


TimeWindowName = Annotated[str, AfterValidator(canonical)]
"""A pydantic type: a valid window name, normalized (``last_7_days`` -> ``7d``); else a 400."""


@dataclass(frozen=True)
class Window:
    """``[start, end]`` now-anchored, and the previous window of equal length just before it."""

    name: str
    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def seconds(self) -> float:
        return self.length.total_seconds()

    @property
    def previous(self) -> Window:
        # inclusive ends: stop a microsecond before this window so no event counts twice
        return Window(self.name, self.start - self.length, self.start - timedelta(microseconds=1))


def window(name: str, now: datetime | None = None) -> Window:
    name = canonical(name)
    end = (now or datetime.now(UTC)).astimezone(UTC)
    return Window(name, end - WINDOWS[name], end)


def days_window(days: int, now: datetime | None = None) -> Window:
    end = (now or datetime.now(UTC)).astimezone(UTC)
    return Window(f"{days}d", end - timedelta(days=days), end)


@dataclass(frozen=True)
class Buckets:
    """Chart buckets: ``count`` slots of ``size`` from ``start``; the last one holds ``now``."""

    start: datetime
    size: timedelta
    count: int

    @property
    def end(self) -> datetime:
        return self.start + self.size * self.count

    @property
    def timestamps(self) -> list[datetime]:
        return [self.start + self.size * i for i in range(self.count)]


def buckets_for(name: str, now: datetime | None = None, size: timedelta | None = None) -> Buckets:
    """Aligned buckets covering the window ending now (the current, partial bucket included)."""
    name = canonical(name)
    size = size or BUCKETS[name]
    now = (now or datetime.now(UTC)).astimezone(UTC)
    origin = day_floor(now) if size >= DAY else hour_floor(now)
    end = origin + ((now - origin) // size + 1) * size  # end of the bucket holding now
    count = max(1, round(WINDOWS[name] / size))
    return Buckets(end - size * count, size, count)


def checked(value: str, field: str = "time_window") -> str:
    """``canonical`` for callers without pydantic (GraphQL, jobs): a bad name is a 400 on ``field``."""
    try:
        return canonical(value)
    except ValueError as exc:
        raise BadRequest.field(field, str(exc)) from None
