"""AI usage and cost: usage events (ingest and writer), the versioned price map, rollup slices,
plans and budgets with alerts, the usage reports (aggregate, costs, logs, requests, export),
cache metrics, diagnostics, and public streaming profiles."""

from services.usage import budgets, caches, debug, export, ingest, plans, pricing, profiles, reports, rollups

__all__ = ["budgets", "caches", "debug", "export", "ingest", "plans", "pricing", "profiles", "reports", "rollups"]
