"""AI usage and cost: usage events (ingest and writer), the versioned price map, rollup slices,
plans and budgets with alerts, the usage reports (aggregate, costs, logs, requests, export),
cache metrics, diagnostics, Prometheus families, and public streaming profiles.

Importing the package registers its Prometheus families with ``/metrics``
(:data:`services.observability.prometheus.EXTRA_FAMILIES`).
"""

from services.observability import prometheus as _prometheus
from services.usage import (
    budgets,
    caches,
    debug,
    export,
    ingest,
    metrics,
    plans,
    pricing,
    profiles,
    reports,
    rollups,
)

if metrics.families not in _prometheus.EXTRA_FAMILIES:
    _prometheus.EXTRA_FAMILIES.append(metrics.families)

__all__ = [
    "budgets",
    "caches",
    "debug",
    "export",
    "ingest",
    "metrics",
    "plans",
    "pricing",
    "profiles",
    "reports",
    "rollups",
]
