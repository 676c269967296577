"""Pure functions and argument checks of the SDK (no server needed)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from promptops import Client, parse_retry_after, retry_delay


def test_retry_after_seconds_and_http_dates() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("999999") == 600.0  # capped
    assert parse_retry_after(None) is None and parse_retry_after("") is None
    assert parse_retry_after("soon") is None and parse_retry_after("nan") is None
    now = datetime(2026, 1, 1, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(header, now=now.timestamp()) == pytest.approx(30.0)
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now.timestamp()) == 0.0


def test_retry_delay_honours_retry_after_and_backs_off_with_jitter() -> None:
    rng = random.Random(7)
    for _ in range(200):
        delay = retry_delay(0, 2.0, 0.5, 30.0, rng)
        assert 2.0 <= delay <= 2.25
    seen = [retry_delay(attempt, None, 0.5, 30.0, rng) for attempt in range(12)]
    for attempt, delay in enumerate(seen):
        ceiling = min(30.0, 0.5 * 2**attempt)
        assert ceiling / 2 <= delay <= ceiling
    assert len({round(retry_delay(3, None, 0.5, 30.0, rng), 6) for _ in range(50)}) > 40  # jittered


def test_client_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="API key"):
        Client("", "http://127.0.0.1:1")
    with pytest.raises(ValueError, match="batch_size"):
        Client("k", "http://127.0.0.1:1", batch_size=1001)
    with pytest.raises(ValueError, match="http"):
        Client("k", "ftp://example.test")
    client = Client("k", "http://127.0.0.1:1")
    with pytest.raises(TypeError, match="object"):
        client.log_usage(1, "v1", extra=object())  # caught at the call, not lost in a batch later
    assert client.stats().queued == 0
    client.close(timeout=0)
