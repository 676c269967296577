"""Hit, miss and eviction counts of the in-process caches, kept by name.

A cache registers a :class:`CacheCounter` (with callables for its current size and capacity) and
bumps it; a report (``/v1/public/ai-usage/cache/metrics``) reads :func:`snapshot` without importing
the domain that owns each cache.  Counts are per process; summing across processes is the
reporter's job (each process publishes its snapshot).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CacheCounter:
    name: str
    description: str
    size: Callable[[], int] = field(repr=False)
    capacity: Callable[[], int | None] = field(repr=False)
    hits: int = 0
    misses: int = 0
    evictions: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "hits": self.hits,
            "misses": self.misses,
            "size": self.size(),
            "capacity": self.capacity(),
            "evictions": self.evictions,
        }


REGISTRY: dict[str, CacheCounter] = {}


def register(name: str, description: str, size: Callable[[], int], capacity: Callable[[], int | None]) -> CacheCounter:
    """The counter named ``name`` (created once per process; a re-import keeps the counts)."""
    counter = REGISTRY.get(name)
    if counter is None:
        counter = REGISTRY[name] = CacheCounter(name, description, size, capacity)
    return counter


def snapshot() -> list[dict[str, Any]]:
    return [c.as_dict() for c in REGISTRY.values()]
