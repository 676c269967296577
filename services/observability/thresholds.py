"""Threshold checks over measured data: host CPU/memory/disk, endpoint p95 latency and error rate.

:func:`breaches` is what :mod:`services.alerting.platform` mirrors into the alert store as
platform alerts each minute, and what the monitoring dashboard shows as the current
breaches.  Host values come from the sampler's latest sample per host (last hour), or from a
live probe of this host when the sampler is off.  Endpoint values come from the request
metrics of the last ``hours`` hours; endpoints with fewer than ``MIN_REQUESTS`` requests are
not judged (a single slow call is not a trend).

Severity: ``warning`` above the threshold, ``critical`` above the midpoint between the
threshold and 100 % (host), or above twice the threshold (latency, error rate).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, field
from typing import Any

from services.core.config import Settings, get_settings
from services.identity import Principal, Role
from services.observability import probes as platform_probes
from services.observability import requests as request_metrics
from services.observability import system as system_metrics

MIN_REQUESTS = 20


@dataclass
class Breach:
    metric: str  # cpu_percent | memory_percent | disk_percent | p95_latency_ms | error_rate | ingest_*
    subject: str  # a host name or "METHOD /route"
    value: float
    threshold: float
    severity: str  # warning | critical
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return f"{self.metric} of {self.subject} is {self.value:g} (threshold {self.threshold:g})"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "message": self.message}


def _host_severity(value: float, threshold: float) -> str | None:
    if value <= threshold:
        return None
    return "critical" if value > (threshold + 100.0) / 2 else "warning"


def _ratio_severity(value: float, threshold: float) -> str | None:
    if value <= threshold:
        return None
    return "critical" if value > 2 * threshold else "warning"


async def host_readings(live_probe: bool = True) -> list[dict[str, Any]]:
    """Latest CPU/memory/disk per host: stored samples of the last hour, else a live probe of this host."""
    samples = await system_metrics.latest_samples()
    if samples or not live_probe:
        return [
            {
                "host": s.host,
                "source": "sample",
                "sampled_at": s.sampled_at,
                "cpu_percent": s.cpu_percent,
                "memory_percent": s.memory_percent,
                "disk_percent": s.disk_percent,
            }
            for s in samples
        ]
    snap = await asyncio.to_thread(system_metrics.probe)
    return [
        {
            "host": snap["host"],
            "source": "live_probe",
            "sampled_at": snap["sampled_at"],
            "cpu_percent": snap["cpu"]["percent"],
            "memory_percent": snap["memory"]["percent"],
            "disk_percent": snap["disk"]["percent"],
        }
    ]


async def breaches(hours: int = 1, live_probe: bool = True, settings: Settings | None = None) -> list[Breach]:
    """Every threshold currently breached, most severe first.

    ``live_probe=False`` judges hosts on stored samples only (no 100 ms CPU probe), for scrapes.
    ``settings`` overrides the configured thresholds (what-if checks, tests).
    """
    settings = settings or get_settings()
    found: list[Breach] = []
    host_limits = {
        "cpu_percent": settings.threshold_cpu_percent,
        "memory_percent": settings.threshold_memory_percent,
        "disk_percent": settings.threshold_disk_percent,
    }
    for reading in await host_readings(live_probe):
        for metric, limit in host_limits.items():
            severity = _host_severity(reading[metric], limit)
            if severity:
                evidence = {"source": reading["source"], "sampled_at": reading["sampled_at"]}
                found.append(Breach(metric, reading["host"], reading[metric], limit, severity, evidence))
    window = request_metrics.window_hours(hours)
    merged = request_metrics.merge_windows(await request_metrics.read_hours(window))
    for ep, win in merged.items():
        if win.count < MIN_REQUESTS:
            continue
        evidence = {"requests": win.count, "errors": win.errors, "window_hours": hours}
        p95 = win.sketch.quantile(0.95)
        if p95 is not None:
            severity = _ratio_severity(p95, settings.threshold_p95_ms)
            if severity:
                found.append(Breach("p95_latency_ms", ep, round(p95, 3), settings.threshold_p95_ms, severity, evidence))
        rate = win.errors / win.count
        severity = _ratio_severity(rate, settings.threshold_error_rate)
        if severity:
            found.append(Breach("error_rate", ep, round(rate, 6), settings.threshold_error_rate, severity, evidence))
    found.extend(await _ingest_breaches(settings))
    found.sort(key=lambda b: (b.severity != "critical", b.metric, b.subject))
    return found


PLATFORM_ONLY = frozenset({"ingest_oldest_entry_seconds", "ingest_dead_letters"})  # count every tenant's events


def visible_to(principal: Principal, found: list[Breach]) -> list[Breach]:
    """The breaches ``principal`` may see: ingest breaches count every organization's events."""
    if principal.has_role(Role.SUPERUSER):
        return found
    return [b for b in found if b.metric not in PLATFORM_ONLY]


async def _ingest_breaches(settings: Settings) -> list[Breach]:
    """Events not being stored: the oldest queued entry past ``INGEST_STALL_SECONDS``, or dead letters.

    Any event dead-lettered in the last hour is a warning (``threshold_dead_letters``, default 0,
    raises the bar); more than 100 is critical.  Both clear by themselves once the stream moves
    again and the hour passes, which resolves their platform alerts.
    """
    backlog = await platform_probes.ingest_backlog()
    found = []
    age = backlog["oldest_entry_age_seconds"]
    if age is not None:
        severity = _ratio_severity(age, settings.ingest_stall_seconds)
        if severity:
            found.append(
                Breach("ingest_oldest_entry_seconds", "ingest", age, settings.ingest_stall_seconds, severity, backlog)
            )
    dead = backlog["dead_letters_recent"]
    if dead > settings.threshold_dead_letters:
        severity = "critical" if dead > max(100, 2 * settings.threshold_dead_letters) else "warning"
        found.append(Breach("ingest_dead_letters", "ingest", dead, settings.threshold_dead_letters, severity, backlog))
    return found
