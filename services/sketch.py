"""A mergeable quantile sketch (the DDSketch algorithm, log-spaced buckets).

Values land in bucket ``ceil(log_gamma(v))`` with ``gamma = (1+a)/(1-a)``, so any
quantile is answered within relative accuracy ``a`` (1%).  Sketches merge by adding
bucket counts, which is what lets hourly rollups answer percentiles for any window
without touching raw rows.  Serialized as a small JSON dict of bucket -> count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

RELATIVE_ACCURACY = 0.01
_GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA = math.log(_GAMMA)
_MIN_VALUE = 1e-9


class Sketch:
    __slots__ = ("bins", "count", "zeros")

    def __init__(self) -> None:
        self.bins: dict[int, int] = {}
        self.zeros = 0
        self.count = 0

    def add(self, value: float) -> None:
        self.count += 1
        if value < _MIN_VALUE:
            self.zeros += 1
            return
        k = math.ceil(math.log(value) / _LOG_GAMMA)
        self.bins[k] = self.bins.get(k, 0) + 1

    def extend(self, values: Iterable[float]) -> Sketch:
        for value in values:
            self.add(value)
        return self

    def merge(self, other: Sketch) -> Sketch:
        self.count += other.count
        self.zeros += other.zeros
        for k, n in other.bins.items():
            self.bins[k] = self.bins.get(k, 0) + n
        return self

    def merge_json(self, data: dict[str, Any] | None) -> Sketch:
        """Merge a serialized sketch without building it first (rollup reads merge hundreds)."""
        if not data:
            return self
        zeros = int(data.get("z", 0))
        self.zeros += zeros
        self.count += zeros
        bins = self.bins
        for k, n in data.get("b", {}).items():
            ik = int(k)
            bins[ik] = bins.get(ik, 0) + n
            self.count += n
        return self

    def quantile(self, q: float) -> float | None:
        if self.count == 0:
            return None
        rank = q * (self.count - 1)
        if rank < self.zeros:
            return 0.0
        seen = self.zeros
        for k in sorted(self.bins):
            seen += self.bins[k]
            if seen > rank:
                return 2 * _GAMMA**k / (_GAMMA + 1)
        return 2 * _GAMMA ** max(self.bins) / (_GAMMA + 1)

    def to_json(self) -> dict[str, Any]:
        return {"z": self.zeros, "b": {str(k): n for k, n in self.bins.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Sketch:
        sketch = cls()
        if not data:
            return sketch
        sketch.zeros = int(data.get("z", 0))
        sketch.bins = {int(k): int(n) for k, n in data.get("b", {}).items()}
        sketch.count = sketch.zeros + sum(sketch.bins.values())
        return sketch
