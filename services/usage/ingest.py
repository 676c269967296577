"""Usage events: checked at the edge and queued on the lossless ingest stream (web), stored by
the ``usage`` kind's writer (worker; see :mod:`services.ingest.kinds`).

The edge refuses what can never be stored (400 naming the field, a prompt id of another
organization is a 404) and stamps what only the server knows: the API key the call came with.
The writer prices each event with the price in force at its time (unless it carries its own
cost), stores the batch idempotently by (organization, ``event_id``): another organization's event
with the same id is its own event (PostgreSQL: COPY into a session temp table
and one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``; SQLite: skip stored ids, bulk insert),
and after the commit marks the (organization, hour) rollup buckets dirty.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from tortoise import connections
from tortoise.transactions import in_transaction

from models.usage import UsageEvent
from services import ingest
from services.catalog import load_prompts
from services.core.config import get_settings
from services.core.errors import BadRequest, FieldIssue, NotFound
from services.identity import Principal, require_authenticated
from services.usage import rollups
from services.usage.pricing import prices_for
from services.usage.schemas import UsageEventInput

KIND = "usage"
DEFAULT_QUANTITY = {"api_credits": 1.0, "mcp": 1.0, "storage": 0.0}


async def _check_prompts(principal: Principal, events: list[UsageEventInput], field: str) -> None:
    """A prompt id that is not one of the caller's prompts is a 404 now, not a dead letter later."""
    ids = sorted({e.prompt_id for e in events if e.prompt_id is not None})
    if not ids:
        return
    found = await load_prompts(principal, ids)
    missing = {i for i, p in zip(ids, found, strict=True) if p is None}
    if missing:
        issues = [
            FieldIssue(field.format(n), f"prompt {e.prompt_id} not found", "not_found")
            for n, e in enumerate(events)
            if e.prompt_id in missing
        ]
        raise NotFound(f"Prompt {min(missing)} not found", issues)


def _payload(principal: Principal, event: UsageEventInput, now: datetime) -> dict[str, Any]:
    data = event.model_dump(exclude_none=True)
    if "event_id" in data:
        data["event_id"] = str(data["event_id"])
    data.setdefault("timestamp", now)
    if principal.api_key_id is not None:
        data["api_key_id"] = principal.api_key_id
    return data


async def log_event(principal: Principal, event: UsageEventInput) -> str:
    """Queue one usage event durably (202); returns its event id."""
    principal = require_authenticated(principal)
    await _check_prompts(principal, [event], "prompt_id")
    ids = await ingest.enqueue(principal, KIND, [_payload(principal, event, datetime.now(UTC))])
    return ids[0]


async def log_events(principal: Principal, events: list[UsageEventInput]) -> list[str]:
    """Queue a batch atomically (all or none); returns the event ids in order."""
    principal = require_authenticated(principal)
    limit = get_settings().ingest_batch_max
    if len(events) > limit:
        raise BadRequest.field("events", f"at most {limit} events per batch", "too_long")
    await _check_prompts(principal, events, "events.{}.prompt_id")
    now = datetime.now(UTC)
    return await ingest.enqueue(principal, KIND, [_payload(principal, e, now) for e in events])


# --------------------------------------------------------------------------- writer (worker side)

COLUMNS = (
    "event_id",
    "organization_id",
    "user_id",
    "api_key_id",
    "resource_type",
    "provider",
    "model",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "reasoning_tokens",
    "quantity",
    "latency_ms",
    "status",
    "cost_usd",
    "cost_source",
    "prompt_id",
    "version_hash",
    "request_id",
    "occurred_at",
)
_ORG, _OCCURRED = 1, 19


async def _rows(events: list[tuple[int | None, int | None, dict[str, Any]]]) -> list[tuple[Any, ...]]:
    """Validate and price the events; raises on content that cannot be stored (the drain isolates it)."""
    parsed: list[tuple[int, int | None, int | None, UsageEventInput]] = []
    for org, user, payload in events:
        if org is None:
            raise ValueError("a usage event needs an organization")
        try:
            event = UsageEventInput.model_validate(payload)
        except ValidationError as exc:
            raise ValueError(f"invalid usage event: {exc.errors(include_url=False)[0]['msg']}") from None
        if event.event_id is None or event.timestamp is None:
            raise ValueError("a queued usage event has an event_id and a timestamp")
        key_id = payload.get("api_key_id")
        parsed.append((org, user, key_id if isinstance(key_id, int) else None, event))
    prices = await prices_for({p[0] for p in parsed})
    rows = []
    for org, user, key_id, e in parsed:
        when = e.timestamp
        assert when is not None
        provider = e.provider
        if e.resource_type == "llm_tokens":
            quantity = float(e.input_tokens + e.output_tokens)
        else:
            quantity = e.quantity if e.quantity is not None else DEFAULT_QUANTITY[e.resource_type]
        price = prices[org].price(e.model, when) if e.model else None
        if e.cost_usd is not None:
            cost, source = e.cost_usd, "event"
        elif price is not None and e.resource_type == "llm_tokens":
            cost, source = price.cost(e.input_tokens, e.output_tokens, e.cached_tokens, e.reasoning_tokens), "price_map"
        else:
            cost, source = 0.0, "unpriced"
        if not provider and price is not None:
            provider = price.provider
        rows.append(
            (
                str(e.event_id),
                org,
                user,
                key_id,
                e.resource_type,
                provider,
                e.model,
                e.input_tokens,
                e.output_tokens,
                e.cached_tokens,
                e.reasoning_tokens,
                quantity,
                e.latency_ms,
                e.status,
                round(cost, 10),
                source,
                e.prompt_id,
                e.version_hash,
                e.request_id,
                when,
            )
        )
    return rows


async def write_events(events: list[tuple[int | None, int | None, dict[str, Any]]]) -> int:
    """The ``usage`` kind's writer: (organization, user, payload) -> events newly stored."""
    if not events:
        return 0
    rows = await _rows(events)
    inserted = await (_store_postgres(rows) if get_settings().is_postgres else _store_orm(rows))
    await rollups.mark_dirty({(r[_ORG], r[_OCCURRED]) for r in rows})
    return inserted


_CREATE_BUFFER = """
CREATE TEMP TABLE IF NOT EXISTS usage_buffer (
    event_id uuid, organization_id int, user_id int, api_key_id int, resource_type varchar(20),
    provider varchar(100), model varchar(200), input_tokens bigint, output_tokens bigint,
    cached_tokens bigint, reasoning_tokens bigint, quantity float8, latency_ms float8, status varchar(20),
    cost_usd float8, cost_source varchar(10), prompt_id int, version_hash varchar(128),
    request_id varchar(200), occurred_at timestamptz
) ON COMMIT DELETE ROWS
"""
_MERGE = f"""
INSERT INTO usage_events ({", ".join(COLUMNS)}, received_at)
SELECT {", ".join(COLUMNS)}, now() FROM usage_buffer
ON CONFLICT (organization_id, event_id) DO NOTHING
"""


async def _store_postgres(rows: list[tuple[Any, ...]]) -> int:
    """A binary COPY into a temp buffer and one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``.

    PostgreSQL buys: one COPY and one set-based merge per batch instead of the ORM's lookup of
    stored event ids and its batched inserts (:func:`_store_orm`, SQLite).
    """
    records = [(uuid.UUID(r[0]), *r[1:]) for r in rows]
    client: Any = connections.get("default")
    async with client.acquire_connection() as conn, conn.transaction():
        await conn.execute(_CREATE_BUFFER)
        await conn.copy_records_to_table("usage_buffer", records=records, columns=COLUMNS)
        status = await conn.execute(_MERGE)
    return int(status.rsplit(" ", 1)[-1])


async def _store_orm(rows: list[tuple[Any, ...]]) -> int:
    objects: dict[tuple[int, uuid.UUID], UsageEvent] = {}
    for r in rows:
        values = dict(zip(COLUMNS, r, strict=True))
        values["event_id"] = uuid.UUID(values["event_id"])
        values["cost_usd"] = Decimal(str(values["cost_usd"]))
        objects.setdefault((values["organization_id"], values["event_id"]), UsageEvent(**values))
    by_org: dict[int, list[uuid.UUID]] = {}
    for org_id, event_id in objects:
        by_org.setdefault(org_id, []).append(event_id)
    async with in_transaction():
        stored: set[tuple[int, str]] = set()
        for org_id, ids in by_org.items():
            found = await UsageEvent.filter(organization_id=org_id, event_id__in=ids).values_list("event_id", flat=True)
            stored.update((org_id, str(e)) for e in found)  # uuid or text, depending on the backend
        fresh = [o for (org_id, eid), o in objects.items() if (org_id, str(eid)) not in stored]
        await UsageEvent.bulk_create(fresh, batch_size=1000)
    return len(fresh)
