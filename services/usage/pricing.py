"""The versioned price map: which price per token applies to a model at an instant, and the cost.

Two sources, each a list of versions per model ordered by ``valid_from``:
- the shipped map (``model_prices.json`` beside this module: LiteLLM's field names, with its source
  and retrieval date), the same for every organization;
- an organization's own prices (``UsageModelPrice`` rows, admin routes), which win over the
  shipped map from their ``valid_from`` on.

The price in force at ``t`` is the latest version with ``valid_from <= t``: organization versions
first, then shipped ones.  So an event of last March is priced as of last March, not at today's
price.  Costs are fixed when an event is stored (an invoice does not change when the price list
does).

Organization prices are cached per process (``PRICE_CACHE``), keyed by organization, and
invalidated across processes by a generation counter in Redis that every change bumps: the
writer reads the generation once per batch, so a new price applies to the next batch everywhere.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from tortoise.exceptions import IntegrityError

from models.usage import UsageModelPrice
from services.core import cache_stats
from services.core.errors import Conflict, NotFound
from services.core.redis_client import get_redis, key
from services.identity import Principal, require_admin, require_authenticated
from services.usage.schemas import PriceInfo, PriceInput, PriceList

PRICE_FILE = Path(__file__).with_name("model_prices.json")
GENERATION = "usage:prices:generation"
CACHE_MAX = 10_000  # organizations whose prices a process keeps


@dataclass(frozen=True)
class Price:
    model: str
    provider: str
    input: float
    output: float
    cache_read: float | None
    reasoning: float | None
    valid_from: datetime
    source: str  # "organization" | "shipped"
    id: int | None = None

    def cost(self, input_tokens: int, output_tokens: int, cached_tokens: int, reasoning_tokens: int) -> float:
        """USD for one call.  Cached tokens are part of the input, reasoning tokens part of the output."""
        cache_read = self.input if self.cache_read is None else self.cache_read
        reasoning = self.output if self.reasoning is None else self.reasoning
        return (
            (input_tokens - cached_tokens) * self.input
            + cached_tokens * cache_read
            + (output_tokens - reasoning_tokens) * self.output
            + reasoning_tokens * reasoning
        )


def _versions(prices: list[Price]) -> tuple[list[float], list[Price]]:
    ordered = sorted(prices, key=lambda p: p.valid_from)
    return [p.valid_from.timestamp() for p in ordered], ordered


@cache
def shipped() -> tuple[dict[str, Any], dict[str, tuple[list[float], list[Price]]]]:
    """The shipped price file: its header (source, date) and model -> versions."""
    raw = json.loads(PRICE_FILE.read_text())
    out: dict[str, tuple[list[float], list[Price]]] = {}
    for model, versions in raw["models"].items():
        prices = [
            Price(
                model=model,
                provider=v.get("litellm_provider", ""),
                input=float(v["input_cost_per_token"]),
                output=float(v["output_cost_per_token"]),
                cache_read=v.get("cache_read_input_token_cost"),
                reasoning=v.get("output_cost_per_reasoning_token"),
                valid_from=datetime.fromisoformat(v["valid_from"]).replace(tzinfo=UTC),
                source="shipped",
            )
            for v in versions
        ]
        out[model] = _versions(prices)
    header = {k: v for k, v in raw.items() if k != "models"}
    return header, out


def _in_force(versions: tuple[list[float], list[Price]] | None, at: float) -> Price | None:
    if not versions:
        return None
    i = bisect_right(versions[0], at)
    return versions[1][i - 1] if i else None


@dataclass
class OrgPrices:
    generation: int
    models: dict[str, tuple[list[float], list[Price]]]

    def price(self, model: str, at: datetime) -> Price | None:
        t = at.timestamp()
        return _in_force(self.models.get(model), t) or _in_force(shipped()[1].get(model), t)


class PriceCache:
    """Per-process LRU of organization prices, with the counts ``cache/metrics`` reports."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.entries: OrderedDict[int, OrgPrices] = OrderedDict()
        self.counter = cache_stats.register(
            "price_map",
            "Organization model prices per process (the shipped map is loaded once)",
            lambda: len(self.entries),
            lambda: self.limit,
        )

    def get(self, organization_id: int, generation: int) -> OrgPrices | None:
        found = self.entries.get(organization_id)
        if found is None or found.generation != generation:
            self.counter.misses += 1
            return None
        self.counter.hits += 1
        self.entries.move_to_end(organization_id)
        return found

    def put(self, organization_id: int, prices: OrgPrices) -> None:
        self.entries[organization_id] = prices
        self.entries.move_to_end(organization_id)
        while len(self.entries) > self.limit:
            self.entries.popitem(last=False)
            self.counter.evictions += 1

    def clear(self) -> None:
        self.entries.clear()


PRICE_CACHE = PriceCache(CACHE_MAX)


async def generation() -> int:
    value = await get_redis().get(key(GENERATION))
    return int(value or 0)


async def _bump() -> None:
    await get_redis().incr(key(GENERATION))


def _of_row(r: UsageModelPrice) -> Price:
    return Price(
        model=r.model,
        provider=r.provider,
        input=r.input_cost_per_token,
        output=r.output_cost_per_token,
        cache_read=r.cache_read_input_token_cost,
        reasoning=r.output_cost_per_reasoning_token,
        valid_from=r.valid_from,
        source="organization",
        id=r.id,
    )


async def prices_for(organization_ids: set[int]) -> dict[int, OrgPrices]:
    """Each organization's prices (cached per process; one query for all the missing ones)."""
    gen = await generation()
    found: dict[int, OrgPrices] = {}
    missing = []
    for org in organization_ids:
        cached = PRICE_CACHE.get(org, gen)
        if cached is None:
            missing.append(org)
        else:
            found[org] = cached
    if missing:
        grouped: dict[int, dict[str, list[Price]]] = {org: {} for org in missing}
        for row in await UsageModelPrice.filter(organization_id__in=missing):
            grouped[row.organization_id].setdefault(row.model, []).append(_of_row(row))
        for org, models in grouped.items():
            prices = OrgPrices(gen, {m: _versions(v) for m, v in models.items()})
            PRICE_CACHE.put(org, prices)
            found[org] = prices
    return found


def _info(p: Price, valid_until: datetime | None) -> PriceInfo:
    return PriceInfo(
        id=p.id,
        model=p.model,
        provider=p.provider,
        input_cost_per_token=p.input,
        output_cost_per_token=p.output,
        cache_read_input_token_cost=p.cache_read,
        output_cost_per_reasoning_token=p.reasoning,
        valid_from=p.valid_from,
        valid_until=valid_until,
        source=p.source,
    )


def _infos(versions: list[Price]) -> list[PriceInfo]:
    return [_info(p, versions[i + 1].valid_from if i + 1 < len(versions) else None) for i, p in enumerate(versions)]


async def list_prices(principal: Principal, model: str | None = None) -> PriceList:
    """The price map as the caller's organization sees it: its own versions, then the shipped ones."""
    principal = require_authenticated(principal)
    org = (await prices_for({principal.organization_id}))[principal.organization_id]
    header, ship = shipped()
    items: list[PriceInfo] = []
    for name in sorted(set(org.models) | set(ship)):
        if model is not None and name != model:
            continue
        if name in org.models:
            items.extend(_infos(org.models[name][1]))
        if name in ship:
            items.extend(_infos(ship[name][1]))
    return PriceList(
        items=items,
        total=len(items),
        price_map_source=header.get("source", ""),
        price_map_retrieved=header.get("retrieved", ""),
    )


async def set_price(principal: Principal, data: PriceInput) -> PriceInfo:
    """Add an organization price version (admin).  Stored events keep the cost they were stored with."""
    principal = require_admin(principal)
    valid_from = data.valid_from or datetime.now(UTC).replace(microsecond=0)
    try:
        row = await UsageModelPrice.create(
            organization_id=principal.organization_id,
            model=data.model,
            provider=data.provider,
            input_cost_per_token=data.input_cost_per_token,
            output_cost_per_token=data.output_cost_per_token,
            cache_read_input_token_cost=data.cache_read_input_token_cost,
            output_cost_per_reasoning_token=data.output_cost_per_reasoning_token,
            valid_from=valid_from,
            created_by_id=principal.user_id,
        )
    except IntegrityError:
        raise Conflict(f"A price for {data.model} valid from {valid_from.isoformat()} exists already") from None
    await _bump()
    later = (
        await UsageModelPrice.filter(
            organization_id=principal.organization_id, model=data.model, valid_from__gt=valid_from
        )
        .order_by("valid_from")
        .first()
    )
    return _info(_of_row(row), later.valid_from if later else None)


async def delete_price(principal: Principal, price_id: int) -> None:
    principal = require_admin(principal)
    deleted = await UsageModelPrice.filter(id=price_id, organization_id=principal.organization_id).delete()
    if not deleted:
        raise NotFound(f"Price {price_id} not found")
    await _bump()
