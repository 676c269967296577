"""Deployments: environments, the deployments made to them (a status state machine with its history),
their configuration (ETag, RFC 6902 history), artifacts, shipped prompt versions and changes;
comparisons with verdicts over each deployment's live window, deployment metrics with the four
DORA keys, and the status summary."""

from services.deployments.comparison import DEFAULT_THRESHOLDS, compare, impact, live_window, window_accumulator
from services.deployments.configuration import PreconditionFailed, etag_of, get_configuration, put_configuration
from services.deployments.dora import (
    BAND_THRESHOLDS,
    MAX_DAYS,
    MAX_INCIDENT_HORIZON_HOURS,
    deployment_metrics,
    status_summary,
)
from services.deployments.store import (
    MAX_PAGE_SIZE,
    TRANSITIONS,
    create_deployment,
    create_environment,
    deployment_core,
    get_deployment,
    get_environment,
    list_deployments,
    list_environments,
    load_artifacts,
    load_changes,
    load_configuration_history,
    load_deployments,
    load_environments,
    load_prompt_versions,
    load_transitions,
    page_deployments,
    transition,
)

__all__ = [
    "BAND_THRESHOLDS",
    "DEFAULT_THRESHOLDS",
    "MAX_DAYS",
    "MAX_INCIDENT_HORIZON_HOURS",
    "MAX_PAGE_SIZE",
    "TRANSITIONS",
    "PreconditionFailed",
    "compare",
    "create_deployment",
    "create_environment",
    "deployment_core",
    "deployment_metrics",
    "etag_of",
    "get_configuration",
    "get_deployment",
    "get_environment",
    "impact",
    "list_deployments",
    "list_environments",
    "live_window",
    "load_artifacts",
    "load_changes",
    "load_configuration_history",
    "load_deployments",
    "load_environments",
    "load_prompt_versions",
    "load_transitions",
    "page_deployments",
    "put_configuration",
    "status_summary",
    "transition",
    "window_accumulator",
]
