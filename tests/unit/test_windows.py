"""Pure functions of services/analytics/windows.py and services/core/dates.py.

Named windows and their chart buckets; window bounds given as a date or a timestamp
(``PeriodStart``/``PeriodEnd``: a bare date is the whole UTC day); the allowed range.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from services.analytics import windows as w
from services.core import dates as d
from services.core.errors import BadRequest

FAST = settings(max_examples=100, deadline=None, derandomize=True)
MICRO = timedelta(microseconds=1)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)

# fixed offsets as ISO 8601 writes them (whole minutes, under a day)
offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
# instants a window may end at (check_in_range's [EARLIEST, LATEST)), in any offset
instants = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9999, 11, 29), timezones=offsets).filter(
    lambda t: d.EARLIEST <= t < d.LATEST
)
names = st.sampled_from(list(w.WINDOWS))
days = st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 11, 29))

period_start = TypeAdapter(d.PeriodStart)
period_end = TypeAdapter(d.PeriodEnd)
window_name = TypeAdapter(w.TimeWindowName)


def aligned_to(size: timedelta, value: datetime) -> bool:
    """On a multiple of ``size`` from the start of its UTC day (sizes here divide a day)."""
    return (value - d.day_start(value.date())) % size == timedelta(0)


# --- window names ----------------------------------------------------------------------------


@st.composite
def spelled(draw, name):
    """``name`` as a client might send it: any case, surrounding blanks."""
    cased = "".join(draw(st.sampled_from([c.lower(), c.upper()])) for c in name)
    pad = st.text(alphabet=" \t\n", max_size=3)
    return draw(pad) + cased + draw(pad)


@FAST
@given(st.data(), st.sampled_from([*w.WINDOWS, *w.ALIASES]))
def test_canonical_names_and_aliases(data, name):
    raw = data.draw(spelled(name))
    want = w.ALIASES.get(name, name)
    assert w.canonical(raw) == w.checked(raw) == window_name.validate_python(raw) == want
    assert want in w.WINDOWS and want in w.BUCKETS


@FAST
@given(st.text(max_size=12).filter(lambda s: s.strip().lower() not in {*w.WINDOWS, *w.ALIASES}))
def test_unknown_window_names(raw):
    with pytest.raises(ValueError, match="time_window must be one of"):
        w.canonical(raw)
    with pytest.raises(ValidationError):
        window_name.validate_python(raw)
    with pytest.raises(BadRequest) as err:
        w.checked(raw, field="window")
    assert err.value.status == 400
    assert [i.field for i in err.value.details] == ["window"]


def test_tables_agree():
    assert set(w.WINDOWS) == set(w.BUCKETS)
    for name, length in w.WINDOWS.items():
        size = w.BUCKETS[name]
        assert length % size == timedelta(0)  # whole buckets per window
        assert DAY % size == timedelta(0) or size % DAY == timedelta(0)
        assert size < HOUR or size % HOUR == timedelta(0)  # an hour or more: whole hours (rollups)


# --- windows ---------------------------------------------------------------------------------


@FAST
@given(names, instants)
def test_window_ends_now_and_previous_is_adjacent(name, now):
    win = w.window(name, now)
    assert win.end == now and win.end.tzinfo == UTC
    assert win.length == w.WINDOWS[name] and win.seconds == w.WINDOWS[name].total_seconds()
    assert win.start == now - w.WINDOWS[name]
    prev = win.previous
    assert prev.name == win.name
    assert prev.start == win.start - win.length
    assert prev.end + MICRO == win.start  # inclusive ends: nothing counted twice, nothing lost


@FAST
@given(st.integers(min_value=1, max_value=365), instants)
def test_days_window(n, now):
    win = w.days_window(n, now)
    assert (win.name, win.end, win.length) == (f"{n}d", now, timedelta(days=n))
    assert win.end.tzinfo == UTC


# --- buckets -------------------------------------------------------------------------------


@FAST
@given(names, instants)
def test_default_buckets(name, now):
    b = w.buckets_for(name, now)
    size, length = w.BUCKETS[name], w.WINDOWS[name]
    assert b.size == size and b.count * size == length
    assert b.end - size <= now < b.end  # the last bucket holds now
    assert now - length < b.start <= now - length + size  # the window, to within its oldest bucket
    stamps = b.timestamps
    assert len(stamps) == b.count and stamps[0] == b.start and b.end == stamps[-1] + size
    assert all(later - earlier == size for earlier, later in pairwise(stamps))
    assert all(t.tzinfo == UTC for t in stamps)
    if size >= DAY:
        assert all(t.time() == time(0) for t in stamps)  # UTC midnights (daily rollups)
    elif size >= HOUR:
        assert all((t.minute, t.second, t.microsecond) == (0, 0, 0) for t in stamps)  # whole hours
    else:
        assert all(aligned_to(size, t) for t in stamps)


@FAST
@given(
    names,
    instants,
    st.sampled_from([timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=10), HOUR, DAY]),
    st.data(),
)
def test_buckets_are_stable_within_a_bucket(name, now, size, data):
    """For sizes that tile an hour or a day, every instant of the current bucket gets the same buckets."""
    b = w.buckets_for(name, now, size)
    later = b.end - size + MICRO * data.draw(st.integers(min_value=0, max_value=size // MICRO - 1))
    assert w.buckets_for(name, later, size) == b
    assert aligned_to(size, b.start)
    assert b.count == max(1, round(w.WINDOWS[name] / size))
    assert b.end - size <= now < b.end


@pytest.mark.parametrize(
    "now", [datetime(2024, 12, 1, 13, 0, tzinfo=UTC), datetime(2024, 12, 1, 13, 0, 0, 1, tzinfo=UTC)]
)
def test_bucket_boundary(now):
    """An instant on a bucket edge opens the last bucket."""
    b = w.buckets_for("24h", now)
    assert b.timestamps[-1] == datetime(2024, 12, 1, 13, tzinfo=UTC) and b.end == b.timestamps[-1] + HOUR


def test_bucket_larger_than_window():
    b = w.buckets_for("1h", datetime(2024, 12, 1, 13, 30, tzinfo=UTC), DAY)
    assert (b.count, b.start) == (1, datetime(2024, 12, 1, tzinfo=UTC))


# --- dates: as_utc, check_in_range, day bounds ------------------------------------------------


@FAST
@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)), offsets)
def test_as_utc(naive, tz):
    assert d.as_utc(naive) == naive.replace(tzinfo=UTC)  # naive means UTC, never local time
    aware = naive.replace(tzinfo=tz)
    converted = d.as_utc(aware)
    assert converted == aware and converted.tzinfo == UTC


def test_as_utc_overflow_is_a_value_error():
    with pytest.raises(ValueError, match="out of range"):
        d.as_utc(datetime(1, 1, 1, tzinfo=timezone(HOUR)))


@FAST
@given(st.datetimes(timezones=st.just(UTC)), st.sampled_from(["period_start", "end_date"]))
def test_check_in_range(value, field):
    if d.EARLIEST <= value < d.LATEST:
        assert d.check_in_range(value, field) is value
    else:
        with pytest.raises(BadRequest) as err:
            d.check_in_range(value, field)
        assert err.value.status == 400
        assert [i.field for i in err.value.details] == [field] and field in err.value.message


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (d.EARLIEST, True),
        (d.EARLIEST - MICRO, False),
        (d.LATEST - MICRO, True),
        (d.LATEST, False),
        (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), False),
    ],
)
def test_check_in_range_edges(value, ok):
    if ok:
        assert d.check_in_range(value, "period_end") == value
    else:
        with pytest.raises(BadRequest):
            d.check_in_range(value, "period_end")


@FAST
@given(st.dates(max_value=date(9999, 12, 30)))
def test_day_bounds(day):
    start, end = d.day_start(day), d.day_end(day)
    assert start.date() == end.date() == day and start.tzinfo == end.tzinfo == UTC
    assert start.time() == time(0) and end - start == DAY - MICRO
    assert end + MICRO == d.day_start(day + DAY)


# --- PeriodStart / PeriodEnd ---------------------------------------------------------------


@FAST
@given(days, st.text(alphabet=" \t", max_size=2), st.text(alphabet=" \t", max_size=2))
def test_a_bare_date_is_the_whole_utc_day(day, before, after):
    for raw in (day, day.isoformat(), f"{before}{day.isoformat()}{after}"):
        assert period_start.validate_python(raw) == d.day_start(day)
        assert period_end.validate_python(raw) == d.day_end(day)
    assert period_start.validate_json(f'"{day.isoformat()}"') == d.day_start(day)
    assert period_end.validate_json(f'"{day.isoformat()}"') == d.day_end(day)


@FAST
@given(days, st.times())
def test_two_dates_cover_both_days_inclusively(day, moment):
    """An inclusive [PeriodStart(d), PeriodEnd(d)] holds every instant of d, and no other."""
    start, end = period_start.validate_python(day.isoformat()), period_end.validate_python(day.isoformat())
    instant = datetime.combine(day, moment, tzinfo=UTC)
    assert start <= instant <= end
    assert end + MICRO == period_start.validate_python((day + DAY).isoformat())
    if day > date(1900, 1, 1):
        assert start - MICRO == period_end.validate_python((day - DAY).isoformat())


@FAST
@given(instants, st.sampled_from(["iso", "z", "space", "naive"]))
def test_timestamps_keep_their_instant(instant, style):
    utc = instant.astimezone(UTC)
    if style == "iso":
        raw, want = instant.isoformat(), utc
    elif style == "z":
        raw, want = utc.replace(tzinfo=None).isoformat() + "Z", utc
    elif style == "space":
        raw, want = instant.isoformat(sep=" "), utc
    else:  # naive: read as UTC, never as the server's local time
        raw, want = instant.replace(tzinfo=None).isoformat(), instant.replace(tzinfo=UTC)
    for adapter in (period_start, period_end):  # a timestamp is taken as is by either end
        got = adapter.validate_python(raw)
        assert got == want and got.tzinfo == UTC
        assert adapter.validate_python(instant) == utc


@pytest.mark.parametrize(
    "raw",
    [
        "2024-02-30",
        "2024-13-01",
        "2023-02-29",
        "2024-12-01T25:00:00Z",
        "yesterday",
        "",
        "12/01/2024",
        "2024-1-1",
        "1700000000",  # bare numbers are not read as Unix seconds
        "123",
        1700000000,
        "20241301",
    ],
)
def test_invalid_dates(raw):
    for adapter in (period_start, period_end):
        with pytest.raises(ValidationError, match="Invalid date format"):
            adapter.validate_python(raw)


def test_out_of_range_timestamp_is_a_validation_error():
    for adapter in (period_start, period_end):
        with pytest.raises(ValidationError, match="date out of range"):
            adapter.validate_python("0001-01-01T00:00:00+01:00")


def test_json_schema_offers_both_forms():
    schema = period_end.json_schema()
    assert {"type": "string", "format": "date-time"} in schema["anyOf"]
    assert {"type": "string", "format": "date"} in schema["anyOf"]


def test_the_compact_iso_date_is_a_day_not_unix_seconds():
    assert period_start.validate_python("20241201") == datetime(2024, 12, 1, tzinfo=UTC)
    assert period_end.validate_python("20241201") == d.day_end(date(2024, 12, 1))
