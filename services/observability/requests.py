"""Request performance: recorded in-process on the hot path, flushed to Redis, queried from hourly buckets.

Hot path (:meth:`RequestRecorder.record`): a few dict updates, one ``math.log`` for the
latency sketch and one ``bisect`` for the Prometheus histogram.  No I/O.

Every ``REQUEST_METRICS_FLUSH_SECONDS`` the web process swaps its buffer out and writes it
to Redis in one pipeline, so every process (and every machine) adds into the same keys:

* ``mon:req:h:<hour>``   hash ``"<METHOD> <route>|<field>"`` -> count / sum, per hour
  (fields: ``1xx``..``5xx`` counts, ``ms`` latency sum, ``in``/``out`` bytes)
* ``mon:req:sk:<hour>``  hash ``"<METHOD> <route>"`` -> DDSketch JSON of latency in ms,
  merged atomically by a Lua script (bucket counts add up, so merging is exact)
* ``mon:req:all``        hash of all-time counters for Prometheus (counts per status
  class, latency sum, histogram buckets, bytes).  Counters only grow.

Hourly keys expire after ``REQUEST_METRICS_RETENTION_HOURS``.  Routes are Starlette route
*templates* (``/api/v1/prompts/{prompt_id}``), and anything that matched no route shares
the single ``<unmatched>`` bucket, so the number of series is bounded by the route table.
A crash loses at most one flush interval of one process's counts.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from redis.exceptions import RedisError

from services.core.config import get_settings
from services.core.redis_client import get_redis, key
from services.rollups import Sketch

log = logging.getLogger(__name__)

UNMATCHED = "<unmatched>"
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
# Prometheus histogram upper bounds, seconds (``+Inf`` is implied as the last bucket).
HISTOGRAM_BOUNDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HOUR_SECONDS = 3600
LAST_FLUSH = "mon:req:last_flush"

_MERGE_SKETCHES = """
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  local add = cjson.decode(ARGV[i + 1])
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  if cur then
    local c = cjson.decode(cur)
    c.z = (c.z or 0) + (add.z or 0)
    if type(c.b) ~= 'table' then c.b = {} end
    for k, n in pairs(add.b) do c.b[k] = (c.b[k] or 0) + n end
    if next(c.b) == nil then c.b = nil end
    redis.call('HSET', KEYS[1], ARGV[i], cjson.encode(c))
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
redis.call('EXPIRE', KEYS[1], ttl)
return 1
"""


def hour_key(hour: int) -> str:
    return key("mon", "req", "h", hour)


def sketch_key(hour: int) -> str:
    return key("mon", "req", "sk", hour)


def all_time_key() -> str:
    return key("mon", "req", "all")


def current_hour(now: float | None = None) -> int:
    now = time.time() if now is None else now
    return int(now) // HOUR_SECONDS * HOUR_SECONDS


@dataclass
class _Aggregate:
    classes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    bytes_in: int = 0
    bytes_out: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * (len(HISTOGRAM_BOUNDS) + 1))
    sketch: Sketch = field(default_factory=Sketch)

    def merge(self, other: _Aggregate) -> None:
        for cls, n in other.classes.items():
            self.classes[cls] = self.classes.get(cls, 0) + n
        self.seconds += other.seconds
        self.bytes_in += other.bytes_in
        self.bytes_out += other.bytes_out
        self.buckets = [a + b for a, b in zip(self.buckets, other.buckets, strict=True)]
        self.sketch.merge(other.sketch)


class RequestRecorder:
    """This process's not-yet-flushed request counts, keyed by (hour, method, route)."""

    def __init__(self) -> None:
        self._pending: dict[tuple[int, str, str], _Aggregate] = {}
        self._flushing = asyncio.Lock()  # a flush that returns has everything before it in Redis
        self.last_flush_at: float | None = None
        self.last_flush_error: str | None = None

    def record(
        self,
        method: str,
        route: str,
        status: int,
        seconds: float,
        bytes_in: int = 0,
        bytes_out: int = 0,
        at: float | None = None,
    ) -> None:
        """Count one request (``at``: its epoch time, default now; backfills and tests pass older hours)."""
        slot = (int(time.time() if at is None else at) // HOUR_SECONDS * HOUR_SECONDS, method, route)
        agg = self._pending.get(slot)
        if agg is None:
            agg = self._pending[slot] = _Aggregate()
        cls = f"{status // 100}xx" if 100 <= status < 600 else "5xx"
        agg.classes[cls] = agg.classes.get(cls, 0) + 1
        agg.seconds += seconds
        agg.bytes_in += bytes_in
        agg.bytes_out += bytes_out
        agg.buckets[bisect.bisect_left(HISTOGRAM_BOUNDS, seconds)] += 1
        agg.sketch.add(seconds * 1000.0)

    @property
    def pending(self) -> int:
        return sum(sum(a.classes.values()) for a in self._pending.values())

    def _take(self) -> dict[tuple[int, str, str], _Aggregate]:
        taken, self._pending = self._pending, {}
        return taken

    def _give_back(self, taken: dict[tuple[int, str, str], _Aggregate]) -> None:
        for slot, agg in taken.items():
            mine = self._pending.get(slot)
            if mine is None:
                self._pending[slot] = agg
            else:
                mine.merge(agg)

    async def flush(self) -> int:
        """Write the buffer to Redis in one pipeline; on failure keep it for the next try.

        Returns the number of requests written.
        """
        async with self._flushing:
            return await self._flush()

    async def _flush(self) -> int:
        taken = self._take()
        if not taken:
            return 0
        ttl = get_settings().request_metrics_retention_hours * HOUR_SECONDS + HOUR_SECONDS
        written = 0
        try:
            redis = get_redis()
            merge = redis.register_script(_MERGE_SKETCHES)
            sketches: dict[int, list[str]] = {}
            async with redis.pipeline(transaction=False) as pipe:
                total = all_time_key()
                for (hour, method, route), agg in taken.items():
                    ep = f"{method} {route}"
                    hk = hour_key(hour)
                    for cls, n in agg.classes.items():
                        pipe.hincrby(hk, f"{ep}|{cls}", n)
                        pipe.hincrby(total, f"{ep}|{cls}", n)
                        written += n
                    pipe.hincrbyfloat(hk, f"{ep}|ms", agg.seconds * 1000.0)
                    pipe.hincrby(hk, f"{ep}|in", agg.bytes_in)
                    pipe.hincrby(hk, f"{ep}|out", agg.bytes_out)
                    pipe.expire(hk, ttl)
                    pipe.hincrbyfloat(total, f"{ep}|sum", agg.seconds)
                    pipe.hincrby(total, f"{ep}|in", agg.bytes_in)
                    pipe.hincrby(total, f"{ep}|out", agg.bytes_out)
                    for i, n in enumerate(agg.buckets):
                        if n:
                            pipe.hincrby(total, f"{ep}|b{i}", n)
                    sketches.setdefault(hour, []).extend([ep, json.dumps(agg.sketch.to_json())])
                for hour, args in sketches.items():
                    await merge(keys=[sketch_key(hour)], args=[ttl, *args], client=pipe)
                pipe.set(key(LAST_FLUSH), repr(time.time()))
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self._give_back(taken)
            self.last_flush_error = type(exc).__name__
            kept = sum(sum(a.classes.values()) for a in taken.values())
            log.warning("request metrics flush failed (%s); kept %d requests for the next try", exc, kept)
            return 0
        self.last_flush_at = time.time()
        self.last_flush_error = None
        return written


RECORDER = RequestRecorder()


async def flush() -> int:
    """Flush this process's buffer now (the flush loop calls this; tests call it to read their writes)."""
    return await RECORDER.flush()


async def flush_forever(interval: float) -> None:
    """The web process's background flush loop; a final flush runs on cancellation."""
    try:
        while True:
            await asyncio.sleep(interval)
            await RECORDER.flush()
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(RECORDER.flush(), timeout=2)
        raise


# --------------------------------------------------------------------------- reading


@dataclass
class EndpointWindow:
    """One endpoint's counts and latency sketch merged over a window of hourly buckets."""

    method: str
    route: str
    classes: dict[str, int] = field(default_factory=dict)
    ms_sum: float = 0.0
    bytes_in: int = 0
    bytes_out: int = 0
    sketch: Sketch = field(default_factory=Sketch)

    @property
    def count(self) -> int:
        return sum(self.classes.values())

    @property
    def errors(self) -> int:
        return self.classes.get("5xx", 0)

    def stats(self, window_seconds: float) -> dict[str, Any]:
        count = self.count
        return {
            "endpoint": self.route,
            "method": self.method,
            "count": count,
            "errors": self.errors,
            "client_errors": self.classes.get("4xx", 0),
            "error_rate": round(self.errors / count, 6) if count else 0.0,
            "avg_ms": _r(self.ms_sum / count) if count else None,
            "p50_ms": _r(self.sketch.quantile(0.5)),
            "p95_ms": _r(self.sketch.quantile(0.95)),
            "p99_ms": _r(self.sketch.quantile(0.99)),
            "throughput_per_min": round(count / (window_seconds / 60.0), 4) if window_seconds > 0 else 0.0,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
        }


def _r(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 3)


def window_hours(hours: int, now: float | None = None) -> list[int]:
    """The hourly bucket starts covering the last ``hours`` hours (the current, partial hour included)."""
    last = current_hour(now)
    return [last - i * HOUR_SECONDS for i in range(hours - 1, -1, -1)]


async def read_hours(hours: list[int]) -> dict[int, dict[str, EndpointWindow]]:
    """Per hour, per ``"METHOD route"``: counts, sums and sketch. Two HGETALLs per hour, one round trip."""
    async with get_redis().pipeline(transaction=False) as pipe:
        for hour in hours:
            pipe.hgetall(hour_key(hour))
            pipe.hgetall(sketch_key(hour))
        replies = await pipe.execute()
    result: dict[int, dict[str, EndpointWindow]] = {}
    for i, hour in enumerate(hours):
        counts, sketches = replies[2 * i], replies[2 * i + 1]
        per: dict[str, EndpointWindow] = {}
        for name, value in counts.items():
            ep, _, what = name.rpartition("|")
            win = per.get(ep)
            if win is None:
                method, _, route = ep.partition(" ")
                win = per[ep] = EndpointWindow(method, route)
            if what == "ms":
                win.ms_sum += float(value)
            elif what == "in":
                win.bytes_in += int(value)
            elif what == "out":
                win.bytes_out += int(value)
            else:
                win.classes[what] = win.classes.get(what, 0) + int(value)
        for ep, raw in sketches.items():
            if ep in per:
                per[ep].sketch = Sketch.from_json(orjson.loads(raw))
        result[hour] = per
    return result


def merge_windows(per_hour: dict[int, dict[str, EndpointWindow]]) -> dict[str, EndpointWindow]:
    merged: dict[str, EndpointWindow] = {}
    for per in per_hour.values():
        for ep, win in per.items():
            into = merged.get(ep)
            if into is None:
                merged[ep] = into = EndpointWindow(win.method, win.route)
            for cls, n in win.classes.items():
                into.classes[cls] = into.classes.get(cls, 0) + n
            into.ms_sum += win.ms_sum
            into.bytes_in += win.bytes_in
            into.bytes_out += win.bytes_out
            into.sketch.merge(win.sketch)
    return merged


async def read_all_time() -> dict[str, str]:
    """The all-time counters hash (what the Prometheus export renders)."""
    counters: dict[str, str] = await get_redis().hgetall(all_time_key())
    return counters


async def last_flush_age_seconds() -> float | None:
    """Seconds since any process last flushed request metrics to Redis (``None``: never)."""
    raw = await get_redis().get(key(LAST_FLUSH))
    return round(max(0.0, time.time() - float(raw)), 3) if raw else None
