"""Performance threshold breaches as platform alerts, kept in step with the measurements.

Each minute cycle asks :func:`services.observability.thresholds.breaches` what is breached
now (host CPU/memory/disk, endpoint p95 latency and error rate) and mirrors that into the
alert store through :func:`services.alerting.engine.raise_external`: a new breach opens a
firing alert, a lasting one refreshes value and severity, and a breach that has cleared
resolves its alert.  They are platform-wide (no organization), so superusers see them in
``/v1/monitoring/alerts`` and the admin alert lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.alerts import Alert
from services import observability
from services.alerting import engine as alert_engine
from services.core.config import Settings
from services.core.database import column

SOURCE = "performance"


@dataclass
class SyncResult:
    breached: int
    resolved: int


async def sync(hours: int = 1, settings: Settings | None = None) -> SyncResult:
    found = await observability.breaches(hours, settings=settings)
    current = set()
    for b in found:
        key_ = f"{b.metric}:{b.subject}"
        current.add(key_)
        await alert_engine.raise_external(None, SOURCE, key_, b.severity, b.message, b.value, b.threshold)
    still_open = await column(
        Alert.filter(source=SOURCE, organization_id=None, open_key__isnull=False).values_list("entity", flat=True)
    )
    resolved = 0
    for key_ in set(still_open) - current:
        resolved += await alert_engine.clear_external(None, SOURCE, key_, "auto-resolved: back under the threshold")
    return SyncResult(len(found), resolved)
