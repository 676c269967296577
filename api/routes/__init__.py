"""REST modules, one per domain.  ``ROUTERS`` is the order they are mounted in."""

from api.routes import (
    alerting,
    api_keys,
    auth,
    catalog,
    health,
    metrics,
    monitoring,
    notifications,
    prompt_analytics_admin,
    prompts,
    recorded_metrics,
    users,
)

ROUTERS = [
    health.router,
    auth.router,
    api_keys.router,
    users.router,
    prompts.router,
    catalog.router,
    notifications.router,
    monitoring.router,
    metrics.router,
    recorded_metrics.router,
    alerting.router,
    prompt_analytics_admin.router,
]
