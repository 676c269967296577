"""Security monitoring modelled on CrowdSec and fail2ban: events observed on the request path
(``classify``), buffered and batched through Redis into the ingest stream (``recorder``), leaky-
bucket scenarios per address making decisions that every process enforces from a cached
snapshot (``decisions``), per-address reputation (``reputation``), stored-event reads
(``events``), configuration, health, dashboard and the spike alert (``monitor``), Prometheus
families (``metrics``, registered with ``/metrics`` when this package is imported)."""

from services.observability import prometheus as _prometheus
from services.security import decisions, events, metrics, monitor, reputation
from services.security.addresses import AddressBook, require_ip
from services.security.classify import observe
from services.security.decisions import GUARD, Guard
from services.security.recorder import RECORDER, SecurityRecorder
from services.security.settings import SecuritySettings, get_security_settings

if metrics.families not in _prometheus.EXTRA_FAMILIES:
    _prometheus.EXTRA_FAMILIES.append(metrics.families)


def flag_request(scope: dict, flag: str) -> None:  # type: ignore[type-arg]
    """Mark the current request for the security middleware (e.g. ``graphql_limit``): adapters call
    this where they refuse something the middleware cannot see in the status code."""
    scope.setdefault("state", {}).setdefault("security_flags", []).append(flag)


__all__ = [
    "GUARD",
    "RECORDER",
    "AddressBook",
    "Guard",
    "SecurityRecorder",
    "SecuritySettings",
    "decisions",
    "events",
    "flag_request",
    "get_security_settings",
    "monitor",
    "observe",
    "reputation",
    "require_ip",
]
