"""Prompts, workspaces and data sources of the caller's organization; the history view (seed 001)."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, RawSQL

from models.prompts import PROMPT_STATUSES, DataSource, Prompt, PromptVersion
from models.tenancy import Workspace
from services.errors import BadRequest, Conflict, NotFound
from services.policy import Principal, require_authenticated
from services.tags import check_tags

TIME_PERIODS = {"last_7_days": 7, "last_30_days": 30, "last_90_days": 90, "all": None}
SORT_FIELDS = {"timestamp": "last_executed_at", "status": "status", "execution_time": "last_execution_ms"}


@dataclass
class Page:
    items: list[Any]
    page: int
    page_size: int
    total_items: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "pagination": {
                "page": self.page,
                "page_size": self.page_size,
                "total_items": self.total_items,
                "total_pages": math.ceil(self.total_items / self.page_size) if self.total_items else 0,
            },
        }


class PromptCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=200)
    text: str = Field(default="", max_length=100_000)
    workspace_id: int | None = Field(default=None, ge=1)
    uuid: UUID | None = None
    tags: dict[str, str] = Field(default_factory=dict, description='Labels such as {"team": "search"}')

    _tags = field_validator("tags")(lambda cls, v: check_tags(v))


class PromptInfo(BaseModel):
    """A prompt with its latest execution: one history row, and the CRUD response."""

    id: int
    uuid: str
    name: str
    prompt_text: str
    status: str
    workspace_id: int | None
    user_id: int | None
    execution_time_ms: float | None
    timestamp: datetime | None
    data_source_ids: list[int]
    tags: dict[str, str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, p: Prompt) -> PromptInfo:
        return cls(
            id=p.id,
            uuid=str(p.uuid),
            name=p.name,
            prompt_text=p.text,
            status=p.status,
            workspace_id=p.workspace_id,
            user_id=p.owner_id,
            execution_time_ms=p.last_execution_ms,
            timestamp=p.last_executed_at,
            data_source_ids=list(p.last_data_source_ids or []),
            tags=dict(p.tags or {}),
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


@dataclass
class VersionInfo:
    id: int
    prompt_id: int
    version_hash: str
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass
class NamedInfo:
    id: int
    name: str
    created_at: datetime
    kind: str | None = None


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
    return PromptInfo.of(await get_prompt_row(principal, prompt_id))


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
    return PromptInfo.of(row)


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
    return PromptInfo.of(row)


async def delete_prompt(principal: Principal, prompt_id: int) -> None:
    row = await get_prompt_row(principal, prompt_id)
    await row.delete()


async def list_prompts(principal: Principal, page: int, page_size: int, workspace_id: int | None = None) -> Page:
    principal = require_authenticated(principal)
    query = _filtered(principal, workspace_id)
    total = await query.count()
    rows = await query.order_by("-id").offset((page - 1) * page_size).limit(page_size)
    return Page([PromptInfo.of(r) for r in rows], page, page_size, total)


@dataclass
class PromptSlice:
    """One keyset page of prompts (newest id first): what a Relay connection is cut from."""

    items: list[PromptInfo]
    has_next: bool
    total: int


def _filtered(
    principal: Principal,
    workspace_id: int | None = None,
    status: str | None = None,
    data_source_id: int | None = None,
    search: str | None = None,
) -> Any:
    query = Prompt.filter(organization_id=principal.organization_id)
    if workspace_id is not None:
        query = query.filter(workspace_id=workspace_id)
    if status is not None:
        query = query.filter(status=status)
    if data_source_id is not None:
        query = query.filter(last_data_source_key__contains=f",{data_source_id},")
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
    query = _filtered(principal, **filters)
    total = await query.count()
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(first + 1)
    return PromptSlice([PromptInfo.of(r) for r in rows[:first]], len(rows) > first, total)


async def load_prompts(principal: Principal, ids: list[int]) -> list[PromptInfo | None]:
    """Batch loader: many prompts by id in one query; another organization's are None."""
    rows = await Prompt.filter(id__in=ids, organization_id=principal.organization_id)
    found = {r.id: PromptInfo.of(r) for r in rows}
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
) -> Page:
    """One row per prompt with its latest execution (kept on the prompt row by the drain)."""
    principal = require_authenticated(principal)
    if sort_by not in SORT_FIELDS:
        raise BadRequest.field("sort_by", f"sort_by must be one of {', '.join(SORT_FIELDS)}")
    if time_period not in TIME_PERIODS:
        raise BadRequest.field("time_period", f"time_period must be one of {', '.join(TIME_PERIODS)}")
    if status is not None and status not in PROMPT_STATUSES:
        raise BadRequest.field("status", f"status must be one of {', '.join(PROMPT_STATUSES)}")
    query = _filtered(principal, workspace_id, status, data_source_id, search).filter(
        owner_id=user_id if user_id is not None else principal.user_id
    )
    days = TIME_PERIODS[time_period]
    if days is not None:
        query = query.filter(last_executed_at__gte=datetime.now(UTC) - timedelta(days=days))
    total = await query.count()
    column = SORT_FIELDS[sort_by]
    direction = "-" if sort_order == "desc" else ""
    # Never-run prompts (NULL time/duration) sort last in both directions on every database;
    # PostgreSQL and SQLite disagree on where NULLs go by default.  (RawSQL rather than
    # Case/When: Tortoise binds Case parameters out of order on PostgreSQL.)
    query = query.annotate(never_ran=RawSQL(f'CASE WHEN "{column}" IS NULL THEN 1 ELSE 0 END'))
    ordered = query.order_by("never_ran", f"{direction}{column}", f"{direction}id")
    rows = await ordered.offset((page - 1) * page_size).limit(page_size)
    return Page([PromptInfo.of(r) for r in rows], page, page_size, total)


async def load_versions(principal: Principal, prompt_ids: list[int]) -> list[list[VersionInfo]]:
    """Batch loader: versions of many prompts in one query, scoped to the caller's organization."""
    rows = await PromptVersion.filter(prompt_id__in=prompt_ids, organization_id=principal.organization_id).order_by(
        "first_seen_at"
    )
    grouped: dict[int, list[VersionInfo]] = {pid: [] for pid in prompt_ids}
    for v in rows:
        grouped[v.prompt_id].append(VersionInfo(v.id, v.prompt_id, v.version_hash, v.first_seen_at, v.last_seen_at))
    return [grouped[pid] for pid in prompt_ids]


async def load_workspaces(principal: Principal, ids: list[int]) -> list[NamedInfo | None]:
    rows = await Workspace.filter(id__in=ids, organization_id=principal.organization_id)
    found = {r.id: NamedInfo(r.id, r.name, r.created_at) for r in rows}
    return [found.get(i) for i in ids]


async def load_data_sources(principal: Principal, ids: list[int]) -> list[NamedInfo | None]:
    rows = await DataSource.filter(id__in=ids, organization_id=principal.organization_id)
    found = {r.id: NamedInfo(r.id, r.name, r.created_at, r.kind) for r in rows}
    return [found.get(i) for i in ids]


async def list_workspaces(principal: Principal) -> list[NamedInfo]:
    principal = require_authenticated(principal)
    rows = await Workspace.filter(organization_id=principal.organization_id).order_by("id")
    return [NamedInfo(r.id, r.name, r.created_at) for r in rows]


async def create_workspace(principal: Principal, name: str) -> NamedInfo:
    principal = require_authenticated(principal)
    try:
        row = await Workspace.create(organization_id=principal.organization_id, name=name)
    except IntegrityError:
        raise Conflict(f"A workspace named {name!r} already exists") from None
    return NamedInfo(row.id, row.name, row.created_at)


async def list_data_sources(principal: Principal) -> list[NamedInfo]:
    principal = require_authenticated(principal)
    rows = await DataSource.filter(organization_id=principal.organization_id).order_by("id")
    return [NamedInfo(r.id, r.name, r.created_at, r.kind) for r in rows]


async def create_data_source(principal: Principal, name: str, kind: str) -> NamedInfo:
    principal = require_authenticated(principal)
    try:
        row = await DataSource.create(organization_id=principal.organization_id, name=name, kind=kind)
    except IntegrityError:
        raise Conflict(f"A data source named {name!r} already exists") from None
    return NamedInfo(row.id, row.name, row.created_at, row.kind)
