"""Database performance: PgHero-grade health checks, sampled metrics, optimization runs and
scaling advice, all measured from the live database's catalogs and statistics.

Public API (every function takes the calling ``Principal`` first and requires the superuser role:
the figures describe the one database all organizations share):

* :func:`database_health` — the health checks (``health``)
* :func:`database_metrics` — rates from samples, sizes with growth, top statements (``metrics``)
* :func:`start_run`, :func:`history`, :func:`get_run` — optimization runs (``optimize``)
* :func:`scaling_advice` — scaling recommendations (``scaling``)
* :func:`take_sample`, :func:`execute_run` — what the worker jobs call (``sampling``, ``optimize``)
"""

from services.dbperf.health import database_health
from services.dbperf.metrics import database_metrics, period_name
from services.dbperf.optimize import MAX_HISTORY as MAX_HISTORY
from services.dbperf.optimize import execute_run, get_run, history, start_run
from services.dbperf.sampling import SAMPLE_EVERY_MINUTES, take_sample
from services.dbperf.scaling import scaling_advice

__all__ = [
    "MAX_HISTORY",
    "SAMPLE_EVERY_MINUTES",
    "database_health",
    "database_metrics",
    "execute_run",
    "get_run",
    "history",
    "period_name",
    "scaling_advice",
    "start_run",
    "take_sample",
]
