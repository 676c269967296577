"""Jobs of the security domain: the spike alert (security events are stored by the ingest drain)."""

from __future__ import annotations

from typing import Any

from services import security


async def check_security_alerts(ctx: dict[str, Any]) -> dict[str, Any]:
    """Open a platform alert while high/critical events exceed SECURITY_ALERT_HIGH_EVENTS; resolve after."""
    return await security.check_spike()
