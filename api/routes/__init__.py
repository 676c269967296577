"""REST modules, one per domain.  ``ROUTERS`` is the order they are mounted in."""

from api.routes import api_keys, auth, catalog, health, prompt_analytics_admin, prompts, users

ROUTERS = [
    health.router,
    auth.router,
    api_keys.router,
    users.router,
    prompts.router,
    catalog.router,
    prompt_analytics_admin.router,
]
