"""Metric points in the graph, and the ``metricUpdates`` subscription fed by Redis pub/sub.

Each subscription holds one pub/sub connection on the organization's channel
(``REDIS_PREFIX:metrics:updates:<org>``), so it sees points recorded by any web
process (:func:`services.core.redis_client.listen`); it stays open through quiet periods and is
closed when the client unsubscribes or disconnects.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import orjson
import strawberry
from strawberry.scalars import JSON

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.permissions import IsAdmin
from services.core.errors import BadRequest
from services.core.redis_client import listen
from services.identity import Role
from services.metrics import MetricPointInfo, updates_channel

MAX_NAMES = 50


@model_type(MetricPointInfo, description="One recorded metric point")
class MetricPoint:
    tags: JSON


@strawberry.type
class MetricsSubscription:
    @strawberry.subscription(
        permission_classes=[IsAdmin], description="Recorded points of the caller's organization as they arrive"
    )
    async def metric_updates(self, info: Info, names: list[str] | None = None) -> AsyncGenerator[MetricPoint, None]:
        principal = info.context.user
        if names is not None and len(names) > MAX_NAMES:
            raise BadRequest.field("names", f"at most {MAX_NAMES} names")
        wanted = set(names) if names else None
        async for data in listen(
            updates_channel(principal.organization_id), still_allowed=lambda: info.context.recheck(Role.ADMIN)
        ):
            point = orjson.loads(data)
            if wanted is None or point["name"] in wanted:
                yield MetricPoint.from_pydantic(MetricPointInfo.model_validate(point))
