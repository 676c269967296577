"""AI usage and costs in the graph: ``UsageQuery`` and ``UsageMutation`` mixins.

Types are generated from the same pydantic models as REST (``services/usage/schemas.py``), and the
resolvers call the same service functions, so a figure is the same number on both surfaces.
Token and request counts are ``Float``-free: GraphQL ``Int`` is 32-bit, so sums that can pass
2^31 (tokens) are exposed as ``Float``.
"""

from __future__ import annotations

import strawberry
from strawberry.dataloader import DataLoader

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.pagination import Pagination
from graphql_schema.permissions import IsAdmin, IsAuthenticated
from services import usage as usage_domain
from services.core.validation import validated
from services.usage import (
    BudgetStatus,
    DayCost,
    ModelCost,
    PlanInfo,
    PlanInput,
    PriceInfo,
    PriceInput,
    Progress,
    Projection,
    PromptCost,
    PromptVersionCost,
    ProviderCost,
    RequestPage,
    ResourceUsage,
    UsageAggregate,
    UsageCosts,
    UsageRecord,
    UsageTotals,
    UserCost,
)


@model_type(Progress)
class UsageProgress:
    color: str


@model_type(ResourceUsage)
class UsageResource:
    status: str


@model_type(BudgetStatus)
class UsageBudget:
    status: str


@model_type(UsageTotals)
class UsageTotalsType:
    input_tokens: float
    output_tokens: float
    cached_tokens: float
    reasoning_tokens: float


@model_type(UsageAggregate)
class UsageAggregateType:
    pass


@model_type(ModelCost)
class UsageModelCost:
    input_tokens: float
    output_tokens: float
    cached_tokens: float
    reasoning_tokens: float


@model_type(ProviderCost)
class UsageProviderCost:
    pass


@model_type(DayCost)
class UsageDayCost:
    pass


@model_type(UserCost)
class UsageUserCost:
    pass


@model_type(PromptCost)
class UsagePromptCost:
    input_tokens: float
    output_tokens: float


@model_type(Projection)
class UsageProjection:
    projected_status: str


@model_type(UsageCosts)
class UsageCostsType:
    currency: str


@model_type(UsageRecord)
class UsageRequest:
    api_key_id: strawberry.Private[int | None]
    input_tokens: float
    output_tokens: float
    cached_tokens: float
    reasoning_tokens: float


@model_type(RequestPage)
class UsageRequestPage:
    pagination: Pagination
    scope: str


@model_type(PromptVersionCost)
class UsagePromptVersionCost:
    input_tokens: float
    output_tokens: float


@model_type(PriceInfo)
class ModelPrice:
    source: str


@model_type(PlanInfo)
class UsagePlanType:
    current_period_start: str  # ISO dates as text, as REST renders them
    current_period_end: str


@strawberry.type
class Usage:
    """One period's usage of the caller's organization."""

    period: str

    @strawberry.field(description="Per resource type against the plan, totals and budget")
    async def aggregate(self, info: Info) -> UsageAggregateType:
        return UsageAggregateType.from_pydantic(await usage_domain.aggregate(info.context.principal, self.period))

    @strawberry.field(description="Costs by model, provider, day, user and prompt, and the projection")
    async def costs(self, info: Info) -> UsageCostsType:
        period = "last_30_days" if self.period == "all_time" else self.period
        return UsageCostsType.from_pydantic(await usage_domain.costs(info.context.principal, period))


def _plan(p: PlanInfo) -> UsagePlanType:
    out = UsagePlanType.from_pydantic(p)
    out.current_period_start, out.current_period_end = str(p.current_period_start), str(p.current_period_end)
    return out


@strawberry.input
class UsagePlanInput:
    name: str = "custom"
    limits: strawberry.scalars.JSON | None = None
    monthly_budget_usd: float | None = None
    period_start_day: int = 1
    alert_thresholds: list[int] | None = None
    notification_channel_ids: list[int] | None = None


@strawberry.input
class ModelPriceInput:
    model: str
    provider: str = ""
    input_cost_per_token: float
    output_cost_per_token: float
    cache_read_input_token_cost: float | None = None
    output_cost_per_reasoning_token: float | None = None
    valid_from: str | None = None


def _version_costs(info: Info) -> DataLoader[tuple[int, str], PromptVersionCost]:
    """This request's loader of prompt-version costs: every version of a prompt list in one rollup read."""
    ctx = info.context
    loader = getattr(ctx, "_usage_version_costs", None)
    if loader is None:

        async def load(keys: list[tuple[int, str]]) -> list[PromptVersionCost]:
            return await usage_domain.prompt_version_costs(ctx.principal, list(keys))

        loader = DataLoader(load_fn=load)
        ctx._usage_version_costs = loader  # type: ignore[attr-defined]
    return loader


async def resolve_prompt_version_cost(root: object, info: Info) -> UsagePromptVersionCost:
    """``PromptVersion.cost``: the version's all-time cost from the usage events that name it."""
    key = (root.prompt_id, root.version_hash)  # type: ignore[attr-defined]
    return UsagePromptVersionCost.from_pydantic(await _version_costs(info).load(key))


@strawberry.type
class UsageQuery:
    @strawberry.field(permission_classes=[IsAuthenticated], description="current, last_30_days or all_time")
    async def usage(self, info: Info, period: str = "current") -> Usage:
        usage_domain.check_choice(period, usage_domain.PERIODS, "period")
        return Usage(period=period)

    @strawberry.field(permission_classes=[IsAuthenticated], description="LLM requests, newest first")
    async def usage_requests(
        self, info: Info, page: int = 1, per_page: int = 20, scope: str = "self"
    ) -> UsageRequestPage:
        from services.core.errors import BadRequest

        if not 1 <= per_page <= usage_domain.MAX_PER_PAGE:
            raise BadRequest.field("per_page", f"per_page must be 1..{usage_domain.MAX_PER_PAGE}")
        if not 1 <= page <= 100_000:
            raise BadRequest.field("page", "page must be 1..100000")
        return UsageRequestPage.from_pydantic(
            await usage_domain.requests_page(info.context.principal, page, per_page, scope)
        )

    @strawberry.field(permission_classes=[IsAuthenticated], description="A prompt version's all-time cost")
    async def usage_prompt_version_cost(self, info: Info, prompt_id: int, version_hash: str) -> UsagePromptVersionCost:
        found = await usage_domain.prompt_version_costs(info.context.principal, [(prompt_id, version_hash)])
        return UsagePromptVersionCost.from_pydantic(found[0])

    @strawberry.field(permission_classes=[IsAuthenticated], description="The price map as your organization sees it")
    async def model_prices(self, info: Info, model: str | None = None) -> list[ModelPrice]:
        found = await usage_domain.list_prices(info.context.principal, model)
        return [ModelPrice.from_pydantic(p) for p in found.items]

    @strawberry.field(permission_classes=[IsAuthenticated], description="Your organization's usage plan")
    async def usage_plan(self, info: Info) -> UsagePlanType:
        return _plan(await usage_domain.get_plan(info.context.principal))


@strawberry.type
class UsageMutation:
    @strawberry.mutation(permission_classes=[IsAdmin], description="Create or replace the organization's plan")
    async def set_usage_plan(self, info: Info, plan: UsagePlanInput) -> UsagePlanType:
        data = {k: v for k, v in vars(plan).items() if v is not None}
        return _plan(await usage_domain.set_plan(info.context.principal, validated(PlanInput, data, "plan.")))

    @strawberry.mutation(permission_classes=[IsAdmin], description="Add an organization price version")
    async def set_model_price(self, info: Info, price: ModelPriceInput) -> ModelPrice:
        data = {k: v for k, v in vars(price).items() if v is not None}
        return ModelPrice.from_pydantic(
            await usage_domain.set_price(info.context.principal, validated(PriceInput, data, "price."))
        )

    @strawberry.mutation(permission_classes=[IsAdmin], description="Delete an organization price version")
    async def delete_model_price(self, info: Info, price_id: int) -> bool:
        await usage_domain.delete_price(info.context.principal, price_id)
        return True
