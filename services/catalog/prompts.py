"""Prompts, workspaces and data sources of the caller's organization; the history view (seed 001)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, RawSQL
from tortoise.transactions import in_transaction

from models.prompts import (
    PROMPT_STATUSES,
    DataSource,
    Prompt,
    PromptExecution,
    PromptRollupDaily,
    PromptRollupHourly,
    PromptRollupMinute,
    PromptVersion,
)
from models.tenancy import Workspace
from services import rollups
from services.catalog.schemas import NamedInfo, PromptInfo, PromptSlice, PromptVersionInfo
from services.core.config import get_settings
from services.core.dates import ALIASES, WINDOWS
from services.core.errors import BadRequest, Conflict, NotFound
from services.core.pagination import Page
from services.core.redis_client import get_redis, key
from services.identity import Principal, require_authenticated

# Days per period: the named windows' aliases (services.core.dates, one table), or no limit.
TIME_PERIODS: dict[str, int | None] = {
    **{name: WINDOWS[ALIASES[name]].days for name in ("last_7_days", "last_30_days", "last_90_days")},
    "all": None,
}
SORT_FIELDS = {"timestamp": "last_executed_at", "status": "status", "execution_time": "last_execution_ms"}
MAX_DIRTY_RANGES = 16  # per prompt, in a data-source filter's raw part (see used_data_source)
MAX_DIRTY_PROMPTS = 64


async def get_prompt_row(principal: Principal, prompt_id: int | str) -> Prompt:
    """The caller's prompt by integer id or uuid; anything else (another org's included) is a 404."""
    principal = require_authenticated(principal)
    query = Prompt.filter(organization_id=principal.organization_id)
    if isinstance(prompt_id, int) or str(prompt_id).isdigit():
        query = query.filter(id=int(prompt_id))
    else:
        try:
            query = query.filter(uuid=uuid.UUID(str(prompt_id)))
        except ValueError:
            raise NotFound("Prompt not found") from None
    prompt = await query.first()
    if prompt is None:
        raise NotFound("Prompt not found")
    return prompt


async def get_prompt(principal: Principal, prompt_id: int | str) -> PromptInfo:
    return PromptInfo.model_validate(await get_prompt_row(principal, prompt_id), from_attributes=True)


async def _check_workspace(principal: Principal, workspace_id: int | None) -> None:
    if workspace_id is not None and not await Workspace.exists(
        id=workspace_id, organization_id=principal.organization_id
    ):
        raise BadRequest.field("workspace_id", "no such workspace in your organization")


async def create_prompt(
    principal: Principal,
    name: str,
    text: str = "",
    workspace_id: int | None = None,
    prompt_uuid: uuid.UUID | None = None,
    tags: dict[str, str] | None = None,
) -> PromptInfo:
    principal = require_authenticated(principal)
    await _check_workspace(principal, workspace_id)
    try:
        row = await Prompt.create(
            uuid=prompt_uuid or uuid.uuid4(),
            organization_id=principal.organization_id,
            owner_id=principal.user_id,
            workspace_id=workspace_id,
            name=name,
            text=text,
            tags=tags or {},
        )
    except IntegrityError:
        raise Conflict("A prompt with this uuid already exists") from None
    return PromptInfo.model_validate(row, from_attributes=True)


async def update_prompt(principal: Principal, prompt_id: int, changes: dict[str, Any]) -> PromptInfo:
    row = await get_prompt_row(principal, prompt_id)
    if "workspace_id" in changes:
        await _check_workspace(principal, changes["workspace_id"])
    if "tags" in changes:
        changes = {**changes, "tags": changes["tags"] or {}}
    mapping = {"name": "name", "text": "text", "workspace_id": "workspace_id", "tags": "tags"}
    fields = [mapping[k] for k in changes if k in mapping]
    for k in fields:
        setattr(row, k, changes[k])
    if fields:
        await row.save(update_fields=[*fields, "updated_at"])
    return PromptInfo.model_validate(row, from_attributes=True)


async def delete_prompt(principal: Principal, prompt_id: int) -> None:
    """Delete a prompt with its executions and rollup rows (its versions go by their foreign key).

    Executions and rollups carry no foreign key (models/prompts.py), so they are deleted here,
    under the prompt's row lock: a drain holding that lock finishes first and its rows are
    deleted too; a drain that comes after finds the prompt gone and dead-letters its events.
    """
    row = await get_prompt_row(principal, prompt_id)
    async with in_transaction() as tx:
        await Prompt.filter(id=row.id).select_for_update().using_db(tx).first()
        for model in (PromptExecution, PromptRollupMinute, PromptRollupHourly, PromptRollupDaily):
            await model.filter(prompt_id=row.id).using_db(tx).delete()
        await Prompt.filter(id=row.id).using_db(tx).delete()


async def list_prompts(
    principal: Principal, page: int, page_size: int, workspace_id: int | None = None
) -> Page[PromptInfo]:
    principal = require_authenticated(principal)
    query = await _filtered(principal, workspace_id)
    total = await query.count()
    rows = await query.order_by("-id").offset((page - 1) * page_size).limit(page_size)
    return Page[PromptInfo].of(
        [PromptInfo.model_validate(r, from_attributes=True) for r in rows], page, page_size, total
    )


def _sql_timestamp(value: datetime, pg: bool) -> str:
    """A UTC timestamp as an SQL literal that compares the way each database stores timestamps."""
    value = value.astimezone(UTC)
    if pg:
        return f"'{value.isoformat()}'::timestamptz"
    return f"'{value.isoformat(' ')}'"  # SQLite: the text Tortoise writes (sqlite3 adapter, isoformat(" "))


def _ceil(when: datetime, step: timedelta, floor: Callable[[datetime], datetime]) -> datetime:
    start = floor(when)
    return start if start == when else start + step


def _raw_usage(source: int, pg: bool, ranges: list[tuple[datetime, datetime]]) -> str:
    """EXISTS: the outer prompt has a run in one of ``ranges`` (``[lo, hi)``) citing ``source``."""
    within = " OR ".join(
        f'(e."occurred_at" >= {_sql_timestamp(lo, pg)} AND e."occurred_at" < {_sql_timestamp(hi, pg)})'
        for lo, hi in ranges
    )
    if pg:  # dialect: SQLite has no jsonb containment (``@>``); it walks the list with json_each
        cites = f"e.\"data_source_ids\" @> '[{source}]'::jsonb"
    else:
        cites = f'EXISTS (SELECT 1 FROM json_each(e."data_source_ids") j WHERE j."value" = {source})'
    return (
        f'EXISTS (SELECT 1 FROM "prompt_executions" e WHERE e."prompt_id" = "prompts"."id" AND ({within}) AND {cites})'
    )


def _rollup_usage(table: str, source: int, pg: bool, lo: datetime | None, hi: datetime | None) -> str:
    """EXISTS: a rollup row of the outer prompt with ``lo <= bucket_start < hi`` counts ``source``."""
    conditions = ['r."prompt_id" = "prompts"."id"']
    if lo is not None:
        conditions.append(f'r."bucket_start" >= {_sql_timestamp(lo, pg)}')
    if hi is not None:
        conditions.append(f'r."bucket_start" < {_sql_timestamp(hi, pg)}')
    if pg:  # dialect: SQLite has no jsonb ``->``; json_extract there
        conditions.append(f"(r.\"data_sources\" -> '{source}') IS NOT NULL")
    else:
        conditions.append(f'json_extract(r."data_sources", \'$."{source}"\') IS NOT NULL')
    return f'EXISTS (SELECT 1 FROM "{table}" r WHERE {" AND ".join(conditions)})'


async def _dirty_ranges(organization_id: int, since: datetime | None) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per prompt of the organization, the ``[lo, hi)`` ranges at or after ``since`` its rollups may not hold yet."""
    members = await get_redis().zrange(key(rollups.DIRTY_PROMPTS), 0, -1)
    mine = [int(pid) for org, _, pid in (m.partition(":") for m in members) if org == str(organization_id)]
    out: dict[int, list[tuple[datetime, datetime]]] = {}
    for pid, hours in (await rollups.dirty_hours(*mine)).items():
        ranges: list[tuple[datetime, datetime]] = []
        for hour in sorted(hours):
            lo, hi = hour if since is None else max(hour, since), hour + rollups.HOUR
            if lo >= hi:
                continue
            if ranges and ranges[-1][1] == lo:
                ranges[-1] = (ranges[-1][0], hi)
            else:
                ranges.append((lo, hi))
        if len(ranges) > MAX_DIRTY_RANGES:  # a backfill: one range over them all keeps the SQL small
            ranges = [(ranges[0][0], ranges[-1][1])]
        if ranges:
            out[pid] = ranges
    return out


async def used_data_source(organization_id: int, data_source_id: int, since: datetime | None = None) -> RawSQL:
    """A condition on ``prompts``: some run at or after ``since`` (ever: None) cited the data source.

    Answered like the analytics (:mod:`services.rollups.query`), so it costs a few index probes
    per candidate prompt however many runs it has: whole days from the daily rollups' data-source
    counts, the hours of the first (partial) day from the hourly ones, and raw runs only for the
    first partial hour and for hours the rollups may not hold yet (still marked dirty in Redis).
    Every probe is correlated on ``prompt_id`` and uses the ``(prompt_id, bucket_start, ...)``
    unique indexes of the rollups or ``(prompt_id, occurred_at)`` of ``prompt_executions``.
    (Probing raw runs for the whole period instead read every run of a prompt that never used
    the source: seconds per request at a million runs.)  Only integers and timestamps computed
    here are spliced into the SQL (RawSQL takes no parameters).
    """
    pg = get_settings().is_postgres  # dialect only: the same probes, spelled for each database
    source = int(data_source_id)
    hourly, daily = PromptRollupHourly._meta.db_table, PromptRollupDaily._meta.db_table
    if since is None:
        parts = [_rollup_usage(daily, source, pg, None, None)]
    else:
        first_hour = _ceil(since, rollups.HOUR, rollups.hour_floor)
        first_day = _ceil(since, rollups.DAY, rollups.day_floor)
        parts = [_rollup_usage(daily, source, pg, first_day, None)]
        if first_hour < first_day:
            parts.append(_rollup_usage(hourly, source, pg, first_hour, first_day))
        if since < first_hour:
            parts.append(_raw_usage(source, pg, [(since, first_hour)]))
    dirty = await _dirty_ranges(organization_id, since)
    if len(dirty) > MAX_DIRTY_PROMPTS:  # a rebuild backlog: one raw range for every prompt instead
        lo, hi = min(r[0][0] for r in dirty.values()), max(r[-1][1] for r in dirty.values())
        parts.append(_raw_usage(source, pg, [(lo, hi)]))
    else:
        for pid, ranges in sorted(dirty.items()):
            parts.append(f'("prompts"."id" = {int(pid)} AND {_raw_usage(source, pg, ranges)})')
    return RawSQL("(" + " OR ".join(parts) + ")")


async def _filtered(
    principal: Principal,
    workspace_id: int | None = None,
    status: str | None = None,
    data_source_id: int | None = None,
    search: str | None = None,
    since: datetime | None = None,
) -> Any:
    """The caller's prompts by filters; ``data_source_id``: used by any run since ``since`` (not just the latest)."""
    query = Prompt.filter(organization_id=principal.organization_id)
    if workspace_id is not None:
        query = query.filter(workspace_id=workspace_id)
    if status is not None:
        query = query.filter(status=status)
    if data_source_id is not None:
        used = await used_data_source(principal.organization_id, data_source_id, since)
        query = query.annotate(uses_data_source=used).filter(uses_data_source=True)
    if search:
        query = query.filter(Q(name__icontains=search) | Q(text__icontains=search))
    return query


async def prompt_slice(principal: Principal, *, first: int, after_id: int | None = None, **filters: Any) -> PromptSlice:
    """Keyset pagination (``id < after_id``): stable under inserts, and an index range scan, not an OFFSET."""
    principal = require_authenticated(principal)
    if not 1 <= first <= 100:
        raise BadRequest.field("first", "first must be between 1 and 100")
    if filters.get("status") is not None and filters["status"] not in PROMPT_STATUSES:
        raise BadRequest.field("status", f"status must be one of {', '.join(PROMPT_STATUSES)}")
    query = await _filtered(principal, **filters)
    total = await query.count()
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(first + 1)
    return PromptSlice(
        items=[PromptInfo.model_validate(r, from_attributes=True) for r in rows[:first]],
        has_next=len(rows) > first,
        total=total,
    )


async def load_prompts(principal: Principal, ids: list[int]) -> list[PromptInfo | None]:
    """Batch loader: many prompts by id in one query; another organization's are None."""
    rows = await Prompt.filter(id__in=ids, organization_id=principal.organization_id)
    found = {r.id: PromptInfo.model_validate(r, from_attributes=True) for r in rows}
    return [found.get(i) for i in ids]


async def prompt_history(
    principal: Principal,
    *,
    page: int = 1,
    page_size: int = 20,
    workspace_id: int | None = None,
    status: str | None = None,
    data_source_id: int | None = None,
    time_period: str = "all",
    search: str | None = None,
    sort_by: str = "timestamp",
    sort_order: str = "desc",
    user_id: int | None = None,
) -> Page[PromptInfo]:
    """One row per prompt with its latest execution (kept on the prompt row by the drain).

    ``time_period`` keeps prompts whose latest run falls in the period; ``data_source_id`` keeps
    prompts with any run in the period that used that source (not only their latest run).
    """
    principal = require_authenticated(principal)
    if sort_by not in SORT_FIELDS:
        raise BadRequest.field("sort_by", f"sort_by must be one of {', '.join(SORT_FIELDS)}")
    if time_period not in TIME_PERIODS:
        raise BadRequest.field("time_period", f"time_period must be one of {', '.join(TIME_PERIODS)}")
    if status is not None and status not in PROMPT_STATUSES:
        raise BadRequest.field("status", f"status must be one of {', '.join(PROMPT_STATUSES)}")
    days = TIME_PERIODS[time_period]
    since = datetime.now(UTC) - timedelta(days=days) if days is not None else None
    query = (await _filtered(principal, workspace_id, status, data_source_id, search, since)).filter(
        owner_id=user_id if user_id is not None else principal.user_id
    )
    if since is not None:
        query = query.filter(last_executed_at__gte=since)
    total = await query.count()
    column = SORT_FIELDS[sort_by]
    direction = "-" if sort_order == "desc" else ""
    # Never-run prompts (NULL time/duration) sort last in both directions on every database;
    # PostgreSQL and SQLite disagree on where NULLs go by default.  (RawSQL rather than
    # Case/When: Tortoise binds Case parameters out of order on PostgreSQL.)
    query = query.annotate(never_ran=RawSQL(f'CASE WHEN "{column}" IS NULL THEN 1 ELSE 0 END'))
    ordered = query.order_by("never_ran", f"{direction}{column}", f"{direction}id")
    rows = await ordered.offset((page - 1) * page_size).limit(page_size)
    return Page[PromptInfo].of(
        [PromptInfo.model_validate(r, from_attributes=True) for r in rows], page, page_size, total
    )


async def load_versions(principal: Principal, prompt_ids: list[int]) -> list[list[PromptVersionInfo]]:
    """Batch loader: versions of many prompts in one query, scoped to the caller's organization."""
    rows = await PromptVersion.filter(prompt_id__in=prompt_ids, organization_id=principal.organization_id).order_by(
        "first_seen_at"
    )
    grouped: dict[int, list[PromptVersionInfo]] = {pid: [] for pid in prompt_ids}
    for v in rows:
        grouped[v.prompt_id].append(PromptVersionInfo.model_validate(v, from_attributes=True))
    return [grouped[pid] for pid in prompt_ids]


async def load_workspaces(principal: Principal, ids: list[int]) -> list[NamedInfo | None]:
    rows = await Workspace.filter(id__in=ids, organization_id=principal.organization_id)
    found = {r.id: NamedInfo.model_validate(r, from_attributes=True) for r in rows}
    return [found.get(i) for i in ids]


async def load_data_sources(principal: Principal, ids: list[int]) -> list[NamedInfo | None]:
    rows = await DataSource.filter(id__in=ids, organization_id=principal.organization_id)
    found = {r.id: NamedInfo.model_validate(r, from_attributes=True) for r in rows}
    return [found.get(i) for i in ids]


async def list_workspaces(principal: Principal) -> list[NamedInfo]:
    principal = require_authenticated(principal)
    rows = await Workspace.filter(organization_id=principal.organization_id).order_by("id")
    return [NamedInfo.model_validate(r, from_attributes=True) for r in rows]


async def create_workspace(principal: Principal, name: str) -> NamedInfo:
    principal = require_authenticated(principal)
    try:
        row = await Workspace.create(organization_id=principal.organization_id, name=name)
    except IntegrityError:
        raise Conflict(f"A workspace named {name!r} already exists") from None
    return NamedInfo.model_validate(row, from_attributes=True)


async def list_data_sources(principal: Principal) -> list[NamedInfo]:
    principal = require_authenticated(principal)
    rows = await DataSource.filter(organization_id=principal.organization_id).order_by("id")
    return [NamedInfo.model_validate(r, from_attributes=True) for r in rows]


async def create_data_source(principal: Principal, name: str, kind: str) -> NamedInfo:
    principal = require_authenticated(principal)
    try:
        row = await DataSource.create(organization_id=principal.organization_id, name=name, kind=kind)
    except IntegrityError:
        raise Conflict(f"A data source named {name!r} already exists") from None
    return NamedInfo.model_validate(row, from_attributes=True)
