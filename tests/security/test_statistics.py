"""Threat statistics read from the hourly rollups equal the raw events: window edges, tenancy,
re-delivery, and the migration's backfill of events stored before the rollups existed."""

from __future__ import annotations

import glob
import importlib.util
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from models.security import SecurityEvent, SecurityRollup
from services.ingest import pipeline
from services.security.events import write_events
from tests.conftest import IS_POSTGRES, ROOT
from tests.security.conftest import settle

STATS = "/v1/security/threat-statistics"
HOURS = 3
# minutes from now: both edges of both windows (3 h and 6 h ago), whole hours between, the current
# hour and a little ahead (a client clock a minute fast is still counted, as the raw query counts it)
OFFSETS = [-6 * 60 - 5, -6 * 60 + 5, -5 * 60, -4 * 60, -3 * 60 - 5, -3 * 60 + 5, -150, -90, -61, -30, -1, 1]
TYPES = [("failed_login", "medium"), ("probe_path", "high"), ("injection_attempt", "critical"), ("rate_limited", "low")]


def _payloads(now: datetime, salt: int) -> list[dict[str, Any]]:
    out = []
    for i, minutes in enumerate(OFFSETS):
        for j in range(1 + (i + salt) % 3):
            event_type, level = TYPES[(i + j + salt) % len(TYPES)]
            out.append(
                {
                    "event_id": str(uuid.uuid4()),
                    "event_type": event_type,
                    "threat_level": level,
                    "source_ip": f"192.0.2.{(i * 7 + j + salt) % 5}",
                    "method": "GET",
                    "path": "" if j == 2 else f"/stats-test/{(i + salt) % 4}",
                    "status": 401,
                    "occurred_at": (now + timedelta(minutes=minutes, seconds=j)).isoformat(),
                }
            )
    return out


def _expected(rows: list[SecurityEvent], start: datetime, hours: int) -> dict[str, Any]:
    """The statistics computed from raw rows, with the answer's own window boundaries."""
    current = [r for r in rows if r.occurred_at >= start]
    before = start - timedelta(hours=hours)
    previous = [r for r in rows if before <= r.occurred_at < start]
    by_type, prev_type = Counter(r.event_type for r in current), Counter(r.event_type for r in previous)
    paths = Counter(r.path for r in current if r.path)
    sources = Counter(r.source_ip for r in current)
    hours_of = Counter(r.hour for r in current)
    first = int(start.timestamp()) // 3600
    return {
        "total_events": len(current),
        "previous_total_events": len(previous),
        "by_type": {t: (by_type[t], prev_type[t]) for t in set(by_type) | set(prev_type)},
        "by_level": dict(Counter(r.threat_level for r in current)),
        "top_paths": sorted(paths.items(), key=lambda kv: (-kv[1], kv[0]))[:10],
        "top_sources": sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))[:10],
        "unique_sources": len(sources),
        "buckets": {h: n for h, n in hours_of.items() if h >= first},
    }


def _answered(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "total_events": data["total_events"],
        "previous_total_events": data["previous_total_events"],
        "by_type": {t["event_type"]: (t["count"], t["previous_count"]) for t in data["by_type"]},
        "by_level": {level: n for level, n in data["by_level"].items() if n},
        "top_paths": [(p["path"], p["count"]) for p in data["top_paths"]],
        "top_sources": [(s["source_ip"], s["count"]) for s in data["top_sources"]],
        "unique_sources": data["unique_sources"],
        "buckets": {
            int(datetime.fromisoformat(b["start"]).timestamp()) // 3600: b["count"]
            for b in data["time_buckets"]
            if b["count"]
        },
    }


async def _check(client: Any, headers: dict[str, str], rows: list[SecurityEvent]) -> dict[str, Any]:
    r = await client.get(STATS, params={"hours": HOURS}, headers=headers)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    start = datetime.fromisoformat(data["period_start"])
    answered, expected = _answered(data), _expected(rows, start, HOURS)
    assert answered == expected
    return data


async def test_statistics_from_rollups_equal_the_raw_events_at_every_edge(client, make_tenant):
    a, b, root = await make_tenant("admin"), await make_tenant("admin"), await make_tenant("superuser")
    now = datetime.now(UTC)
    sent = {a.organization_id: _payloads(now, 0), b.organization_id: _payloads(now, 1), None: _payloads(now, 2)}
    for org, payloads in sent.items():
        await pipeline.enqueue_unmetered("security", org, None, payloads)
    await settle()
    assert await SecurityEvent.filter(event_id__in=[p["event_id"] for ps in sent.values() for p in ps]).count() == sum(
        len(p) for p in sent.values()
    )

    # an organization's admin: its own events only, equal to the raw rows at both edges of both windows
    mine = await SecurityEvent.filter(organization_id=a.organization_id)
    data = await _check(client, a.headers, mine)
    assert data["scope"] == "organization" and data["total_events"] > 0 and data["previous_total_events"] > 0
    assert {p["path"] for p in data["top_paths"]} <= {f"/stats-test/{i}" for i in range(4)}
    # the other organization's admin sees its own, never A's
    await _check(client, b.headers, await SecurityEvent.filter(organization_id=b.organization_id))
    # the platform: every event, anonymous ones and earlier tests' included
    everything = await SecurityEvent.all()
    platform = await _check(client, root.headers, everything)
    assert platform["total_events"] > data["total_events"]

    # a re-delivered batch (a worker killed after its commit) stores nothing and counts nothing twice
    again = [(a.organization_id, None, p) for p in sent[a.organization_id]]
    assert await write_events(again) == 0
    await _check(client, a.headers, mine)

    # the migration's backfill, over the same events, builds the rows the drain built one batch at a time
    built = sorted(await SecurityRollup.all().values_list("organization_id", "hour", "facet", "value", "events"))
    await SecurityRollup.all().delete()
    await _migration_upgrade()
    assert (
        sorted(await SecurityRollup.all().values_list("organization_id", "hour", "facet", "value", "events")) == built
    )
    await _check(client, root.headers, everything)


async def _migration_upgrade() -> None:
    """Run this dialect's security_rollups migration again (its statements are idempotent but the backfill)."""
    from tortoise import connections

    dialect = "postgres" if IS_POSTGRES else "sqlite"
    [path] = glob.glob(str(ROOT / "migrations" / dialect / "models" / "*_security_rollups.py"))
    spec = importlib.util.spec_from_file_location("security_rollups_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    conn = connections.get("default")
    await conn.execute_script(await module.upgrade(conn))


def test_a_window_starting_within_an_hours_first_second_reads_that_hour_raw():
    """The first whole hour is the first one starting at or after the window's start, to the microsecond:
    a start 0.5 s into an hour must not count that hour's first half second from the rollups."""
    from services.security.events import _Span

    hour = datetime(2026, 11, 30, 10, tzinfo=UTC)
    late = _Span.of(hour + timedelta(milliseconds=500), None)
    assert late.first == int(hour.timestamp()) // 3600 + 1
    assert late.raw == [(hour + timedelta(milliseconds=500), hour + timedelta(hours=1))]
    exact = _Span.of(hour, hour + timedelta(hours=2, microseconds=1))
    assert (exact.first, exact.last) == (int(hour.timestamp()) // 3600, int(hour.timestamp()) // 3600 + 2)
    assert exact.raw == [(hour + timedelta(hours=2), hour + timedelta(hours=2, microseconds=1))]
    inside = _Span.of(hour + timedelta(minutes=10), hour + timedelta(minutes=50))
    assert inside.raw == [(hour + timedelta(minutes=10), hour + timedelta(minutes=50))] and inside.first == inside.last
