"""Every job function, gathered from the domain modules beside this one (``workers/<domain>.py``).

Job functions are plain ``async def job(ctx, ...)`` that call services and return JSON data; arq
names a job after its function, so where a function lives does not change its queue name.
"""

from workers.alerting import evaluate_alerts
from workers.core import maintain_partitions, release_stalled_jobs
from workers.dbperf import optimize_database, sample_database_stats
from workers.gateway import collect_gateway, prune_gateway_samples
from workers.identity import flush_api_key_usage
from workers.ingest import drain_ingest
from workers.notifications import deliver_notification
from workers.observability import heartbeat, release_memory, sample_system_metrics
from workers.rollups import refresh_rollups
from workers.security import check_security_alerts
from workers.tools import refresh_tool_rollups
from workers.usage import check_usage_budgets, refresh_usage_rollups

__all__ = [
    "check_security_alerts",
    "check_usage_budgets",
    "collect_gateway",
    "deliver_notification",
    "drain_ingest",
    "evaluate_alerts",
    "flush_api_key_usage",
    "heartbeat",
    "maintain_partitions",
    "optimize_database",
    "prune_gateway_samples",
    "refresh_rollups",
    "refresh_tool_rollups",
    "refresh_usage_rollups",
    "release_memory",
    "release_stalled_jobs",
    "sample_database_stats",
    "sample_system_metrics",
]
