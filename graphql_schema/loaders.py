"""Per-request DataLoaders: every relation that could fan out is batched into one query.

Loaders are built for one principal, so a batch can never mix organizations, and each
batch function calls the same service the REST routes call.  Keys that carry arguments
(a period, a page size) are grouped by those arguments: one service call per distinct
argument set, not per parent object.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from services import analytics as analytics_domain
from services import catalog, identity
from services.analytics import PromptAnalytics
from services.catalog import ExecutionPage, NamedInfo, PromptInfo, PromptVersionInfo
from services.identity import OrganizationInfo, Principal, UserInfo, require_authenticated

K = TypeVar("K")
V = TypeVar("V")
Period = tuple[datetime | None, datetime | None]


async def _grouped(
    keys: list[K], split: Callable[[K], tuple[Hashable, Any]], load: Callable[[Any, list[Any]], Awaitable[list[V]]]
) -> list[V]:
    """Run ``load(args, items)`` once per distinct ``args`` among the keys; answers in key order."""
    groups: dict[Hashable, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(split(k)[0], []).append(i)
    out: list[Any] = [None] * len(keys)
    for args, positions in groups.items():
        values = await load(args, [split(keys[i])[1] for i in positions])
        for i, v in zip(positions, values, strict=True):
            out[i] = v
    return out


@dataclass
class Loaders:
    organization: DataLoader[int, OrganizationInfo | None]
    user: DataLoader[int, UserInfo | None]
    prompt: DataLoader[int, PromptInfo | None]
    versions: DataLoader[int, list[PromptVersionInfo]]
    workspace: DataLoader[int, NamedInfo | None]
    data_source: DataLoader[int, NamedInfo | None]
    prompt_analytics: DataLoader[tuple[int, datetime | None, datetime | None], PromptAnalytics]
    version_analytics: DataLoader[tuple[int, str, datetime | None, datetime | None], PromptAnalytics]
    executions: DataLoader[tuple[int, int, str | None], ExecutionPage]

    @classmethod
    def for_principal(cls, principal: Principal | None) -> Loaders:
        def scoped(load: Callable[[Principal, list[Any]], Awaitable[list[Any]]]) -> DataLoader[Any, Any]:
            async def batch(keys: list[Any]) -> list[Any]:
                return await load(require_authenticated(principal), keys)

            return DataLoader(batch)

        async def analytics(p: Principal, keys: list[tuple[int, datetime | None, datetime | None]]) -> list[Any]:
            return await _grouped(
                keys,
                lambda k: ((k[1], k[2]), k[0]),
                lambda period, ids: analytics_domain.analytics_many(p, ids, *period),
            )

        async def version_analytics(p: Principal, keys: list[tuple[int, str, Any, Any]]) -> list[Any]:
            return await _grouped(
                keys,
                lambda k: ((k[2], k[3]), (k[0], k[1])),
                lambda period, pairs: analytics_domain.version_analytics_many(p, pairs, *period),
            )

        async def executions(p: Principal, keys: list[tuple[int, int, str | None]]) -> list[Any]:
            return await _grouped(
                keys,
                lambda k: ((k[1], k[2]), k[0]),
                lambda page, ids: catalog.execution_pages(p, ids, *page),
            )

        return cls(
            organization=scoped(identity.load_organizations),
            user=scoped(identity.load_users),
            prompt=scoped(catalog.load_prompts),
            versions=scoped(catalog.load_versions),
            workspace=scoped(catalog.load_workspaces),
            data_source=scoped(catalog.load_data_sources),
            prompt_analytics=scoped(analytics),
            version_analytics=scoped(version_analytics),
            executions=scoped(executions),
        )
