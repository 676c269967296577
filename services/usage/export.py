"""Usage export as a streamed CSV or JSON file.

Rows are read in keyset pages (``id`` descending within the period, ``EXPORT_PAGE`` at a time) and
written as they arrive, so exporting millions of rows holds one page in memory, never the file.
Members export their own events; admins the organization's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime

import orjson

from models.usage import UsageEvent
from services.identity.policy import Principal, Role, require_authenticated
from services.usage.plans import plan_of, window
from services.usage.reports import COST_PERIODS, RECORD_FIELDS, _check, record

EXPORT_PAGE = 5000


async def _pages(principal: Principal, start: datetime | None) -> AsyncIterator[list[dict]]:
    query = UsageEvent.filter(organization_id=principal.organization_id)
    if not principal.has_role(Role.ADMIN):
        query = query.filter(user_id=principal.user_id)
    if start is not None:
        query = query.filter(occurred_at__gte=start)
    last_id: int | None = None
    while True:
        page = query if last_id is None else query.filter(id__lt=last_id)
        rows = await page.order_by("-id").limit(EXPORT_PAGE).values("id", *RECORD_FIELDS)
        if not rows:
            return
        yield rows
        if len(rows) < EXPORT_PAGE:
            return
        last_id = rows[-1]["id"]


async def prepare(principal: Principal, fmt: str, period: str) -> tuple[str, AsyncIterator[bytes]]:
    """Validate and return (file name, byte stream).  Errors surface before the first byte."""
    principal = require_authenticated(principal)
    _check(fmt, ("csv", "json"), "format")
    _check(period, COST_PERIODS, "period")
    start, _ = window(period, await plan_of(principal.organization_id))
    name = f"usage-{period}-{datetime.now().strftime('%Y%m%d')}.{fmt}"
    return name, (_csv(principal, start) if fmt == "csv" else _json(principal, start))


async def _csv(principal: Principal, start: datetime | None) -> AsyncIterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(RECORD_FIELDS)
    yield buf.getvalue().encode()
    async for rows in _pages(principal, start):
        buf.seek(0)
        buf.truncate()
        for r in rows:
            rec = record({k: r[k] for k in RECORD_FIELDS}).model_dump(mode="json")
            writer.writerow(["" if rec[k] is None else rec[k] for k in RECORD_FIELDS])
        yield buf.getvalue().encode()


async def _json(principal: Principal, start: datetime | None) -> AsyncIterator[bytes]:
    yield b"["
    first = True
    async for rows in _pages(principal, start):
        chunk = b",".join(orjson.dumps(record({k: r[k] for k in RECORD_FIELDS}).model_dump(mode="json")) for r in rows)
        yield chunk if first else b"," + chunk
        first = False
    yield b"]"
