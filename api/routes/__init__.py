"""REST modules, one per domain.  ``ROUTERS`` is the order they are mounted in."""

from api.routes import alerting, api_keys, auth, catalog, health, metrics, prompts, users

ROUTERS = [
    health.router,
    auth.router,
    api_keys.router,
    users.router,
    prompts.router,
    catalog.router,
    metrics.router,
    alerting.router,
]
