"""REST modules, mirroring ``services/``: one module (or package) per domain.

``ROUTERS`` is the order they are mounted in (and the order of ``/openapi.json``).
"""

from api.routes import (
    alerting,
    dbperf,
    deployments,
    gateway,
    ingest,
    metrics,
    notifications,
    otel,
    security,
    tools,
    usage,
)
from api.routes.analytics import admin as analytics_admin
from api.routes.analytics import prompt as prompt_analytics
from api.routes.catalog import prompts, sources
from api.routes.identity import api_keys, auth, users
from api.routes.observability import exposition, health, monitoring

ROUTERS = [
    health.router,
    auth.router,
    api_keys.router,
    users.router,
    ingest.router,
    prompt_analytics.router,
    prompts.router,
    sources.router,
    notifications.router,
    monitoring.router,
    exposition.router,
    metrics.router,
    alerting.router,
    analytics_admin.router,
    deployments.router,
    dbperf.router,
    security.router,
    tools.router,
    gateway.router,
    usage.router,
    otel.router,
]
