"""Tortoise models, one module per aggregate.  ``MODEL_MODULES`` is the registry."""

MODEL_MODULES: list[str] = [
    "models.tenancy",
    "models.prompts",
    "models.notifications",
    "models.monitoring",
    "models.metrics",
    "models.alerts",
    "models.usage",
]
