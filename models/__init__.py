"""Tortoise models, one module per aggregate.  ``MODEL_MODULES`` is the registry."""

MODEL_MODULES: list[str] = [
    "models.tenancy",
    "models.prompts",
    "models.notifications",
    "models.monitoring",
    "models.metrics",
    "models.alerts",
    "models.dbperf",
    "models.deployments",
    "models.tools",
    "models.gateway",
    "models.usage",
    "models.security",
]
