"""Host and process metrics via psutil; the sampler switch; stored samples and their hourly history.

The sampler is an arq cron job (``workers.jobs.sample_system_metrics``) that stores one
:class:`SystemMetricSample` per host per ``SYSTEM_METRICS_INTERVAL_SECONDS`` while the
``system_sampler`` switch is on.  The switch is a database row, so every web and worker
process agrees on it and it survives restarts of anything.  Several workers on one host
take one sample per period between them (a Redis ``SET NX`` per host and period).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil
from tortoise import connections

from models.monitoring import MonitorSwitch, SystemMetricSample
from services.core.config import get_settings
from services.core.redis_client import get_redis, key
from services.identity import Principal, require_admin, require_superuser
from services.observability.schemas import SamplerSwitch, SystemSnapshot

SAMPLER = "system_sampler"
_PROCESS = psutil.Process()
_STARTED_AT = time.time()


def _disk_path() -> str:
    path = get_settings().data_dir
    return str(path) if os.path.exists(path) else "/"


def probe(cpu_interval: float = 0.1) -> dict[str, Any]:
    """One blocking psutil probe of this host and this process (call it in a thread)."""
    cpu = psutil.cpu_percent(interval=cpu_interval)
    proc_cpu = _PROCESS.cpu_percent(interval=None)
    vm = psutil.virtual_memory()
    swap = psutil.swap_memory()
    disk = psutil.disk_usage(_disk_path())
    net = psutil.net_io_counters()
    try:
        connections_open = len(psutil.net_connections(kind="inet"))
    except (psutil.AccessDenied, OSError):
        connections_open = None
    try:
        load: tuple[float, float, float] | None = os.getloadavg()
    except OSError:
        load = None
    with _PROCESS.oneshot():
        mem = _PROCESS.memory_info()
        threads = _PROCESS.num_threads()
        try:
            open_files = _PROCESS.num_fds()
        except (AttributeError, psutil.AccessDenied):
            open_files = len(_PROCESS.open_files())
        started = _PROCESS.create_time()
    return {
        "host": socket.gethostname(),
        "sampled_at": datetime.now(UTC),
        "cpu": {"percent": cpu, "count_logical": psutil.cpu_count(), "count_physical": psutil.cpu_count(False)},
        "memory": {
            "total_bytes": vm.total,
            "available_bytes": vm.available,
            "used_bytes": vm.total - vm.available,
            "percent": vm.percent,
            "swap_percent": swap.percent,
        },
        "disk": {
            "path": _disk_path(),
            "total_bytes": disk.total,
            "used_bytes": disk.used,
            "free_bytes": disk.free,
            "percent": disk.percent,
        },
        "network": {
            "bytes_sent": net.bytes_sent,
            "bytes_recv": net.bytes_recv,
            "packets_sent": net.packets_sent,
            "packets_recv": net.packets_recv,
            "errors_in": net.errin,
            "errors_out": net.errout,
            "connections": connections_open,
        },
        "process": {
            "pid": _PROCESS.pid,
            "rss_bytes": mem.rss,
            "vms_bytes": mem.vms,
            "threads": threads,
            "open_files": open_files,
            "cpu_percent": proc_cpu,
            "uptime_seconds": round(time.time() - started, 3),
        },
        "load_average": (
            {"load_1": round(load[0], 3), "load_5": round(load[1], 3), "load_15": round(load[2], 3)} if load else None
        ),
    }


async def current(principal: Principal) -> SystemSnapshot:
    """``GET /v1/monitoring/metrics/current``: a fresh probe of the serving host (CPU over 100 ms)."""
    require_admin(principal)
    return SystemSnapshot.model_validate(await asyncio.to_thread(probe))


# --------------------------------------------------------------------------- sampler switch


@dataclass
class SamplerState:
    enabled: bool
    interval_seconds: int
    changed_at: datetime | None
    changed_by: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "status": "running" if self.enabled else "stopped",
            "interval_seconds": self.interval_seconds,
            "changed_at": self.changed_at,
            "changed_by": self.changed_by,
        }


async def sampler_state() -> SamplerState:
    row = await MonitorSwitch.get_or_none(name=SAMPLER)
    interval = get_settings().system_metrics_interval_seconds
    if row is None:
        return SamplerState(False, interval, None, None)
    return SamplerState(row.enabled, row.interval_seconds, row.changed_at, row.changed_by)


async def _switch(principal: Principal, enabled: bool) -> SamplerSwitch:
    principal = require_superuser(principal)
    interval = get_settings().system_metrics_interval_seconds
    row, created = await MonitorSwitch.get_or_create(
        name=SAMPLER, defaults={"enabled": enabled, "interval_seconds": interval, "changed_by": principal.user_id}
    )
    was = False if created else row.enabled
    if not created:
        row.enabled, row.interval_seconds, row.changed_by = enabled, interval, principal.user_id
        await row.save()
    state = (await sampler_state()).as_dict()
    state["previously_enabled"] = was
    if enabled:
        stored = await store_sample(await asyncio.to_thread(probe))
        state["first_sample_id"] = stored.id
    return SamplerSwitch.model_validate(state)


async def start(principal: Principal) -> SamplerSwitch:
    """Turn the sampler on (superuser) and store a first sample right away."""
    return await _switch(principal, True)


async def stop(principal: Principal) -> SamplerSwitch:
    """Turn the sampler off (superuser); stored samples stay until retention removes them."""
    return await _switch(principal, False)


# --------------------------------------------------------------------------- samples


async def store_sample(snapshot: dict[str, Any]) -> SystemMetricSample:
    load = snapshot["load_average"] or {}
    return await SystemMetricSample.create(
        host=snapshot["host"][:255],
        sampled_at=snapshot["sampled_at"],
        cpu_percent=snapshot["cpu"]["percent"],
        memory_percent=snapshot["memory"]["percent"],
        memory_used_bytes=snapshot["memory"]["used_bytes"],
        disk_percent=snapshot["disk"]["percent"],
        disk_used_bytes=snapshot["disk"]["used_bytes"],
        net_bytes_sent=snapshot["network"]["bytes_sent"],
        net_bytes_recv=snapshot["network"]["bytes_recv"],
        load_1=load.get("load_1"),
        load_5=load.get("load_5"),
        load_15=load.get("load_15"),
        process_rss_bytes=snapshot["process"]["rss_bytes"],
        process_threads=snapshot["process"]["threads"],
        process_open_files=snapshot["process"]["open_files"],
    )


async def sample_if_enabled() -> dict[str, Any]:
    """The sampler job's body: one sample of this host when the switch is on; prune old samples."""
    state = await sampler_state()
    if not state.enabled:
        return {"sampled": False, "reason": "monitoring is stopped"}
    host = socket.gethostname()
    slot = int(time.time()) // state.interval_seconds
    claimed = await get_redis().set(key("mon", "sampler", host, slot), "1", nx=True, ex=state.interval_seconds * 2)
    if not claimed:
        return {"sampled": False, "reason": "another worker on this host sampled this period"}
    stored = await store_sample(await asyncio.to_thread(probe, 0.5))
    cutoff = datetime.now(UTC) - timedelta(days=get_settings().system_metrics_retention_days)
    pruned = await SystemMetricSample.filter(sampled_at__lt=cutoff).delete()
    return {"sampled": True, "sample_id": stored.id, "host": host, "pruned": pruned}


async def latest_samples() -> list[SystemMetricSample]:
    """The most recent sample of each host seen in the last hour."""
    since = datetime.now(UTC) - timedelta(hours=1)
    rows = await SystemMetricSample.filter(sampled_at__gte=since).order_by("-sampled_at").limit(500)
    latest: dict[str, SystemMetricSample] = {}
    for row in rows:
        latest.setdefault(row.host, row)
    return list(latest.values())


_HOURLY_SQL = {
    "postgres": (
        "SELECT date_trunc('hour', sampled_at) AS hour, COUNT(*) AS samples, AVG(cpu_percent) AS cpu, "
        "MAX(cpu_percent) AS cpu_max, AVG(memory_percent) AS memory, MAX(memory_percent) AS memory_max, "
        "AVG(disk_percent) AS disk, AVG(process_rss_bytes) AS rss FROM system_metric_samples "
        "WHERE sampled_at >= $1 GROUP BY 1 ORDER BY 1"
    ),
    "sqlite": (
        "SELECT strftime('%Y-%m-%dT%H:00:00+00:00', sampled_at) AS hour, COUNT(*) AS samples, "
        "AVG(cpu_percent) AS cpu, MAX(cpu_percent) AS cpu_max, AVG(memory_percent) AS memory, "
        "MAX(memory_percent) AS memory_max, AVG(disk_percent) AS disk, AVG(process_rss_bytes) AS rss "
        "FROM system_metric_samples WHERE sampled_at >= ? GROUP BY 1 ORDER BY 1"
    ),
}


async def hourly_history(since: datetime) -> list[dict[str, Any]]:
    """Hourly averages and maxima of the stored samples since ``since`` (aggregated in SQL on both).

    Dialect only: SQLite has no ``date_trunc`` and compares the text it stores.
    """
    dialect = get_settings().dialect
    param: Any = since if dialect == "postgres" else since.astimezone(UTC).isoformat(sep=" ")
    rows = await connections.get("default").execute_query_dict(_HOURLY_SQL[dialect], [param])
    out = []
    for row in rows:
        hour = row["hour"]
        if isinstance(hour, str):
            hour = datetime.fromisoformat(hour)
        if hour.tzinfo is None:
            hour = hour.replace(tzinfo=UTC)
        out.append(
            {
                "hour": hour.astimezone(UTC),
                "samples": int(row["samples"]),
                "cpu_percent_avg": round(float(row["cpu"]), 3),
                "cpu_percent_max": round(float(row["cpu_max"]), 3),
                "memory_percent_avg": round(float(row["memory"]), 3),
                "memory_percent_max": round(float(row["memory_max"]), 3),
                "disk_percent_avg": round(float(row["disk"]), 3),
                "process_rss_bytes_avg": round(float(row["rss"])),
            }
        )
    return out


def uptime_seconds() -> float:
    return round(time.time() - _STARTED_AT, 3)


def _load_malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None (musl, macOS: no such call)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _load_malloc_trim()


def release_free_heap() -> dict[str, Any]:
    """Hand the C heap's free pages back to the OS; returns this process's RSS after it and what
    the trim released (MB), or only the RSS where glibc's ``malloc_trim`` is not available.

    The worker's drain allocates and frees a few MB per transaction (rows, COPY buffers, parsed
    results).  glibc keeps freed memory in its arenas for reuse and returns it only from the top of
    the heap, so fragmentation left the worker's RSS 5-7 MB above what it used and creeping up in
    the soak; ``malloc_trim(0)`` releases the free pages wherever they are, in a few ms.
    """
    before = _PROCESS.memory_info().rss
    if _MALLOC_TRIM is None:
        return {"trimmed": False, "rss_mb": round(before / 2**20, 1)}
    _MALLOC_TRIM(0)
    after = _PROCESS.memory_info().rss
    return {"trimmed": True, "rss_mb": round(after / 2**20, 1), "released_mb": round((before - after) / 2**20, 1)}
