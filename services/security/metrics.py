"""Prometheus families of the security domain, added to ``/metrics`` through
:data:`services.observability.prometheus.EXTRA_FAMILIES` (registered when the package is imported).

- ``promptops_security_events_total{event_type}``: events recorded since the Redis counters began
  (incremented by every recorder flush; monotonic).
- ``promptops_security_active_decisions{source}``: decisions in force, manual and automatic.

Two Redis reads per scrape; label values are bounded by the event types and the two sources.
"""

from __future__ import annotations

import time

import orjson
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from services.core.redis_client import get_redis, key
from services.security.classify import EVENT_TYPES
from services.security.decisions import DECISIONS
from services.security.recorder import COUNTS


async def families() -> list[Metric]:
    redis = get_redis()
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hgetall(key(COUNTS))
        pipe.hvals(key(DECISIONS))
        counts, decisions = await pipe.execute()
    events = CounterMetricFamily(
        "promptops_security_events", "Security events recorded, by type", labels=["event_type"]
    )
    for event_type in EVENT_TYPES:
        events.add_metric([event_type], float(counts.get(event_type, 0)))
    now = time.time()
    by_source = {"automatic": 0, "manual": 0}
    for text in decisions:
        d = orjson.loads(text)
        if float(d["expires"]) > now:
            source = d.get("origin", "automatic")
            by_source[source] = by_source.get(source, 0) + 1
    active = GaugeMetricFamily(
        "promptops_security_active_decisions", "Blocking decisions in force, by source", labels=["source"]
    )
    for source, n in sorted(by_source.items()):
        active.add_metric([source], float(n))
    return [events, active]
