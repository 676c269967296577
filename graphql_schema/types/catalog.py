"""Prompts, versions, executions, workspaces, data sources; their queries and mutations.

Every field that could fan out (a prompt's versions, analytics, executions, workspace,
owner) goes through a per-request DataLoader, so a list of 50 prompts with their
versions and analytics costs the same handful of queries as a list of 5.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.ids import MAX_INT8, bounded_int, int_or_uuid
from graphql_schema.pagination import Connection, Pagination, id_after, id_cursor
from graphql_schema.permissions import IsAuthenticated
from graphql_schema.types.identity import User
from graphql_schema.types.usage import UsagePromptVersionCost, resolve_prompt_version_cost
from services import catalog
from services.analytics import DataSourceUsage as DataSourceUsageModel
from services.analytics import PromptAnalytics as PromptAnalyticsModel
from services.analytics import SchemaUsage as SchemaUsageModel
from services.catalog import (
    DataSourceInfo,
    ExecutionInfo,
    PromptCreate,
    PromptInfo,
    PromptVersionInfo,
    WorkspaceInfo,
    decode_cursor,
)
from services.core.errors import BadRequest
from services.core.validation import validated


@model_type(DataSourceUsageModel)
class DataSourceUsage:
    pass


@model_type(SchemaUsageModel)
class SchemaUsage:
    pass


@model_type(PromptAnalyticsModel, description="Seed 000's figures, plus percentiles")
class PromptAnalytics:
    pass


@model_type(WorkspaceInfo)
class Workspace:
    pass


@model_type(DataSourceInfo)
class DataSource:
    pass


@model_type(ExecutionInfo, description="One prompt invocation, as stored")
class Execution:
    pass


@model_type(PromptVersionInfo)
class PromptVersion:
    prompt_id: strawberry.Private[int]
    cost: UsagePromptVersionCost = strawberry.field(
        resolver=resolve_prompt_version_cost, description="All-time cost of the usage events naming this version"
    )

    @strawberry.field(description="This version's figures over [periodStart, periodEnd] (default: all time)")
    async def analytics(
        self, info: Info, period_start: datetime | None = None, period_end: datetime | None = None
    ) -> PromptAnalytics:
        key = (self.prompt_id, self.version_hash, period_start, period_end)
        return PromptAnalytics.from_pydantic(await info.context.loaders.version_analytics.load(key))


@model_type(PromptInfo)
class Prompt:
    @strawberry.field
    async def workspace(self, info: Info) -> Workspace | None:
        if self.workspace_id is None:
            return None
        found = await info.context.loaders.workspace.load(self.workspace_id)
        return Workspace.from_pydantic(WorkspaceInfo.model_validate(found, from_attributes=True)) if found else None

    @strawberry.field
    async def owner(self, info: Info) -> User | None:
        if self.user_id is None:
            return None
        found = await info.context.loaders.user.load(self.user_id)
        return User.from_pydantic(found) if found else None

    @strawberry.field(
        description="Data sources used by any run in [periodStart, periodEnd] (default: all time), most used "
        "first; `dataSourceIds` are the latest run's"
    )
    async def data_sources(
        self, info: Info, period_start: datetime | None = None, period_end: datetime | None = None
    ) -> list[DataSource]:
        used = await info.context.loaders.prompt_analytics.load((self.id, period_start, period_end))
        found = await info.context.loaders.data_source.load_many(used.data_sources_used)
        return [
            DataSource.from_pydantic(DataSourceInfo.model_validate(d, from_attributes=True))
            for d in found
            if d is not None
        ]

    @strawberry.field(description="Versions by first appearance")
    async def versions(self, info: Info) -> list[PromptVersion]:
        return [PromptVersion.from_pydantic(v) for v in await info.context.loaders.versions.load(self.id)]

    @strawberry.field(description="Seed 000 analytics over [periodStart, periodEnd] (default: all time)")
    async def analytics(
        self, info: Info, period_start: datetime | None = None, period_end: datetime | None = None
    ) -> PromptAnalytics:
        found = await info.context.loaders.prompt_analytics.load((self.id, period_start, period_end))
        return PromptAnalytics.from_pydantic(found)

    @strawberry.field(description="Raw executions, newest first")
    async def executions(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Execution]:
        if after is not None:
            bounded_int(decode_cursor(after)[1], "after", MAX_INT8)
        page = await info.context.loaders.executions.load((self.id, first, after))
        pairs = [(e.cursor, Execution.from_pydantic(e)) for e in page.items]
        return Connection.of(pairs, has_next=page.has_next, has_previous=after is not None)


@strawberry.type
class PromptConnection(Connection[Prompt]):
    total_count: int


@strawberry.type
class PromptHistoryPage:
    items: list[Prompt]
    pagination: Pagination


@strawberry.enum
class PromptStatus(Enum):
    DRAFT = "draft"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


@strawberry.enum
class ExecutionStatus(Enum):
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


@strawberry.enum
class TimePeriod(Enum):
    LAST_7_DAYS = "last_7_days"
    LAST_30_DAYS = "last_30_days"
    LAST_90_DAYS = "last_90_days"
    ALL = "all"


@strawberry.enum
class HistorySort(Enum):
    TIMESTAMP = "timestamp"
    STATUS = "status"
    EXECUTION_TIME = "execution_time"


@strawberry.enum
class SortOrder(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input
class PromptFilter:
    workspace_id: int | None = None
    status: PromptStatus | None = None
    data_source_id: int | None = None
    search: str | None = strawberry.field(default=None, description="Name or text, case-insensitive")


@strawberry.input
class CreatePromptInput:
    name: str
    text: str = ""
    workspace_id: int | None = None
    uuid: str | None = None
    tags: JSON | None = None


@strawberry.type
class PromptsQuery:
    @strawberry.field(permission_classes=[IsAuthenticated], description="A prompt by integer id or uuid")
    async def prompt(self, info: Info, id: strawberry.ID) -> Prompt:
        return Prompt.from_pydantic(await catalog.get_prompt(info.context.user, int_or_uuid(str(id), "id")))

    @strawberry.field(permission_classes=[IsAuthenticated], description="The organization's prompts, newest first")
    async def prompts(
        self, info: Info, filter: PromptFilter | None = None, first: int = 20, after: str | None = None
    ) -> PromptConnection:
        f = filter or PromptFilter()
        found = await catalog.prompt_slice(
            info.context.user,
            first=first,
            after_id=id_after(after, "prompt"),
            workspace_id=f.workspace_id,
            status=f.status.value if f.status else None,
            data_source_id=f.data_source_id,
            search=f.search,
        )
        for p in found.items:  # prime the loader: `prompt(id)` lookups later in this request are free
            info.context.loaders.prompt.prime(p.id, p)
        pairs = [(id_cursor("prompt", p.id), Prompt.from_pydantic(p)) for p in found.items]
        return PromptConnection.of(
            pairs, has_next=found.has_next, has_previous=after is not None, total_count=found.total
        )

    @strawberry.field(permission_classes=[IsAuthenticated], description="Seed 001: one row per prompt, latest run")
    async def prompt_history(
        self,
        info: Info,
        workspace_id: int | None = None,
        status: PromptStatus | None = None,
        data_source_id: int | None = None,
        time_period: TimePeriod = TimePeriod.ALL,
        search: str | None = None,
        page: int = 1,
        page_size: int = 20,
        sort_by: HistorySort = HistorySort.TIMESTAMP,
        sort_order: SortOrder = SortOrder.DESC,
        user_id: Annotated[int | None, strawberry.argument(description="Defaults to the caller")] = None,
    ) -> PromptHistoryPage:
        if page < 1:
            raise BadRequest.field("page", "page must be at least 1")
        if not 1 <= page_size <= 100:
            raise BadRequest.field("page_size", "page_size must be between 1 and 100")
        found = await catalog.prompt_history(
            info.context.user,
            page=page,
            page_size=page_size,
            workspace_id=workspace_id,
            status=status.value if status else None,
            data_source_id=data_source_id,
            time_period=time_period.value,
            search=search,
            sort_by=sort_by.value,
            sort_order=sort_order.value,
            user_id=user_id,
        )
        return PromptHistoryPage(
            items=[Prompt.from_pydantic(p) for p in found.items], pagination=Pagination.from_pydantic(found.pagination)
        )

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def workspaces(self, info: Info) -> list[Workspace]:
        return [
            Workspace.from_pydantic(WorkspaceInfo.model_validate(w, from_attributes=True))
            for w in await catalog.list_workspaces(info.context.user)
        ]

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def data_sources(self, info: Info) -> list[DataSource]:
        return [
            DataSource.from_pydantic(DataSourceInfo.model_validate(d, from_attributes=True))
            for d in await catalog.list_data_sources(info.context.user)
        ]


@strawberry.type
class PromptsMutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_prompt(self, info: Info, input: CreatePromptInput) -> Prompt:
        draft = validated(PromptCreate, {k: v for k, v in strawberry.asdict(input).items() if v is not None})
        created = await catalog.create_prompt(
            info.context.user, draft.name, draft.text, draft.workspace_id, draft.uuid, draft.tags
        )
        return Prompt.from_pydantic(created)
