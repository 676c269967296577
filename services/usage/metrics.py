"""Prometheus families of the usage domain, added to ``/metrics`` through
:data:`services.observability.prometheus.EXTRA_FAMILIES` (registered when this package is imported).

- ``promptops_usage_requests_total``, ``promptops_usage_tokens_total{type}``,
  ``promptops_usage_cost_usd_total`` by provider and model: platform-wide sums of the daily rollup
  slices (monotonic: events are only ever added).  Label cardinality is bounded: the
  ``MAX_MODELS`` costliest models are named, the rest are summed as ``model="other"``.
- ``promptops_usage_budget_remaining_usd{organization_id}`` and ``..._budget_used_ratio``: each
  budgeted organization's budget minus its spend in the current period.

Computed at most every ``CACHE_SECONDS`` (one set of queries for every process scraping: the
result is shared in Redis).
"""

from __future__ import annotations

from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from tortoise.functions import Sum

from models.usage import UsageRollupDaily
from services.core.redis_client import shared_json
from services.usage import rollups
from services.usage.plans import budgeted_plans
from services.usage.reports import period_spend

CACHE_SECONDS = 30
CACHE = "usage:prometheus"
MAX_MODELS = 50
TOKEN_TYPES = ("input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens")


async def _compute() -> dict[str, Any]:
    sums = {f"s_{name}": Sum(name) for name in ("requests", "cost_usd", *TOKEN_TYPES)}
    rows = await UsageRollupDaily.filter(dimension="model").annotate(**sums).group_by("key").values("key", *sums)
    rows.sort(key=lambda r: -(r["s_cost_usd"] or 0))
    models: dict[tuple[str, str], dict[str, float]] = {}
    for i, r in enumerate(rows):
        provider, model = rollups.split(r["key"])
        label = (provider, model) if i < MAX_MODELS else ("other", "other")
        acc = models.setdefault(label, {name: 0.0 for name in sums})
        for name in sums:
            acc[name] += float(r[name] or 0)
    budgets = []
    for organization_id, plan in (await budgeted_plans()).items():
        if not plan.budget_usd:
            continue
        _, spent = await period_spend(organization_id, plan)
        budgets.append((organization_id, plan.budget_usd, spent))
    return {
        "models": [[p, m, v] for (p, m), v in models.items()],
        "budgets": budgets,
    }


async def _data() -> dict[str, Any]:
    return await shared_json(CACHE, CACHE_SECONDS, _compute)


async def families() -> list[Metric]:
    data = await _data()
    requests = CounterMetricFamily(
        "promptops_usage_requests", "Usage events stored, by provider and model", labels=["provider", "model"]
    )
    tokens = CounterMetricFamily(
        "promptops_usage_tokens", "LLM tokens by provider, model and type", labels=["provider", "model", "type"]
    )
    cost = CounterMetricFamily(
        "promptops_usage_cost_usd", "Cost in USD by provider and model", labels=["provider", "model"]
    )
    for provider, model, v in data["models"]:
        requests.add_metric([provider, model], v["s_requests"])
        cost.add_metric([provider, model], v["s_cost_usd"])
        for t in TOKEN_TYPES:
            tokens.add_metric([provider, model, t.removesuffix("_tokens")], v[f"s_{t}"])
    remaining = GaugeMetricFamily(
        "promptops_usage_budget_remaining_usd",
        "Budget minus spend in the current period, per budgeted organization",
        labels=["organization_id"],
    )
    used = GaugeMetricFamily(
        "promptops_usage_budget_used_ratio", "Spend / budget in the current period", labels=["organization_id"]
    )
    for organization_id, budget, spent in data["budgets"]:
        remaining.add_metric([str(organization_id)], budget - spent)
        used.add_metric([str(organization_id)], spent / budget)
    return [requests, tokens, cost, remaining, used]
