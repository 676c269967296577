"""Usage export as a streamed CSV or JSON file.

Rows are read in keyset pages (``(occurred_at, id)`` descending within the period, ``EXPORT_PAGE``
at a time) and written as they arrive, so exporting millions of rows holds one page in memory,
never the file.  On PostgreSQL a CSV export is the server's own ``COPY (SELECT ...) TO STDOUT``
streamed through a small bounded queue: the same rows and columns, without a Python object per row.
Members export their own events; admins the organization's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import orjson
from tortoise.expressions import Q

from models.usage import UsageEvent
from services.core import file_stream
from services.core.config import get_settings
from services.identity import Principal, Role, require_authenticated
from services.usage.plans import plan_of, window
from services.usage.reports import COST_PERIODS, RECORD_FIELDS, check_choice

EXPORT_PAGE = 5000


async def _pages(principal: Principal, start: datetime | None) -> AsyncIterator[list[dict[str, Any]]]:
    query = UsageEvent.filter(organization_id=principal.organization_id)
    if not principal.has_role(Role.ADMIN):
        query = query.filter(user_id=principal.user_id)
    if start is not None:
        query = query.filter(occurred_at__gte=start)
    last: tuple[datetime, int] | None = None
    while True:
        page = query
        if last is not None:  # keyset on (occurred_at, id): each page is an index range, never a sort
            # the plain bound lets the (organization, occurred_at) index start the scan at the page
            page = page.filter(occurred_at__lte=last[0]).filter(Q(occurred_at__lt=last[0]) | Q(id__lt=last[1]))
        rows = await page.order_by("-occurred_at", "-id").limit(EXPORT_PAGE).values("id", *RECORD_FIELDS)
        if not rows:
            return
        yield rows
        if len(rows) < EXPORT_PAGE:
            return
        last = (rows[-1]["occurred_at"], rows[-1]["id"])


async def prepare(principal: Principal, fmt: str, period: str) -> tuple[str, AsyncIterator[bytes]]:
    """Validate and return (file name, byte stream).  Errors surface before the first byte."""
    principal = require_authenticated(principal)
    check_choice(fmt, ("csv", "json"), "format")
    check_choice(period, COST_PERIODS, "period")
    start, _ = window(period, await plan_of(principal.organization_id))
    name = f"usage-{period}-{datetime.now().strftime('%Y%m%d')}.{fmt}"
    if fmt == "json":
        return name, _json(principal, start)
    # PostgreSQL buys: one COPY formatted by the server and streamed in flat memory, instead of
    # keyset pages of EXPORT_PAGE rows turned into CSV in Python
    if get_settings().is_postgres:
        return name, file_stream.copy_out(_copy_sql(principal, start), format="csv", header=True)
    return name, _csv(principal, start)


def _copy_sql(principal: Principal, start: datetime | None) -> str:
    """The query the COPY streams.  COPY takes no bind parameters, so the values are inlined: integers and an
    ISO timestamp made here, never text from the request."""
    text = {"occurred_at": "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"}
    columns = ", ".join(f"{text[c]} AS {c}" if c in text else c for c in RECORD_FIELDS)
    where = [f"organization_id = {int(principal.organization_id)}"]
    if not principal.has_role(Role.ADMIN):
        where.append(f"user_id = {int(principal.user_id)}")
    if start is not None:
        where.append(f"occurred_at >= '{start.astimezone(UTC).isoformat()}'::timestamptz")
    order = "ORDER BY usage_events.occurred_at DESC, id DESC"  # the column, not its text alias
    select = f"SELECT {columns} FROM usage_events WHERE {' AND '.join(where)} {order}"
    return select


def _plain(row: dict[str, Any], empty: Any = "") -> dict[str, Any]:
    """A row as the file holds it: the record's JSON forms (uuid and time as text, cost as a number),
    without building a model per row (a million rows is the expected size)."""
    out = dict(row)
    out["event_id"] = str(row["event_id"])
    out["cost_usd"] = float(row["cost_usd"])
    out["occurred_at"] = row["occurred_at"].astimezone(UTC).isoformat().replace("+00:00", "Z")
    if empty is not None:
        for k, v in out.items():
            if v is None:
                out[k] = empty
    return out


async def _csv(principal: Principal, start: datetime | None) -> AsyncIterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(RECORD_FIELDS)
    yield buf.getvalue().encode()
    async for rows in _pages(principal, start):
        buf.seek(0)
        buf.truncate()
        writer.writerows([_plain(r)[k] for k in RECORD_FIELDS] for r in rows)
        yield buf.getvalue().encode()


async def _json(principal: Principal, start: datetime | None) -> AsyncIterator[bytes]:
    yield b"["
    first = True
    async for rows in _pages(principal, start):
        chunk = b",".join(orjson.dumps({k: _plain(r, None)[k] for k in RECORD_FIELDS}) for r in rows)
        yield chunk if first else b"," + chunk
        first = False
    yield b"]"
