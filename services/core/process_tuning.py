"""Garbage-collector settings for long-lived processes that keep large caches.

The rollup reader keeps hundreds of thousands of small objects alive (parsed rollup rows and
their merges).  With CPython's default thresholds a full collection walks all of them every
few hundred requests: 20-60 ms pauses that showed up as the p95 of a 30-day summary.  Those
objects hold no reference cycles (reference counting frees them on eviction), so collecting
less often costs nothing but a little memory held by rare cyclic garbage a bit longer.
"""

from __future__ import annotations

import gc

from services.core.config import Settings


def tune_gc(settings: Settings) -> None:
    """Freeze what start-up allocated and raise the young-generation threshold (``GC_GEN0_THRESHOLD``)."""
    if settings.gc_gen0_threshold <= 0:
        return
    gc.freeze()  # modules, routes, schema: never garbage, never scanned again
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(settings.gc_gen0_threshold, gen1, gen2)
