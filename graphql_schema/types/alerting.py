"""Alert rules and alerts in the graph: ``AlertsQuery`` and ``AlertsMutation`` mixins.

Inputs are validated by the same pydantic models as REST (``RuleInput``,
``RuleUpdate``, ``MetricInput``), so a bad field gives the same message, as a
``BAD_REQUEST`` error whose ``extensions.details`` name the field.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import orjson
import strawberry
from strawberry.scalars import JSON

from graphql_schema.context import Info
from graphql_schema.derive import model_type
from graphql_schema.ids import int_or_uuid
from graphql_schema.permissions import IsAdmin
from graphql_schema.types.metrics import MetricPoint
from services import alerting
from services.alerting import AlertChange as AlertChangeInfo
from services.alerting import AlertDetail, AlertEventInfo, AlertInfo, RuleInfo, RuleInput, RuleScopeInfo, RuleUpdate
from services.alerting import RecordedMetric as RecordedMetricInfo
from services.core.errors import BadRequest
from services.core.redis_client import listen
from services.core.validation import validated
from services.identity import Role
from services.metrics import MetricInput, MetricPointInfo

ALERT_EVENT_KINDS = {"pending", "firing", "acknowledged", "resolved", "renotify", "severity"}


def _given(obj: object) -> dict[str, Any]:
    """Fields the client actually sent (UNSET ones left out), nested inputs included."""
    out: dict[str, Any] = {}
    for name, value in vars(obj).items():
        if value is strawberry.UNSET:
            continue
        out[name] = _given(value) if hasattr(value, "__strawberry_definition__") else value
    return out


@model_type(RuleScopeInfo)
class AlertRuleScope:
    pass


@model_type(RuleInfo)
class AlertRule:
    scope: AlertRuleScope


def rule_of(r: RuleInfo) -> AlertRule:
    """The rule with its free-form stored scope read as ``RuleScopeInfo``."""
    out = AlertRule.from_pydantic(r)
    out.scope = AlertRuleScope.from_pydantic(RuleScopeInfo.model_validate(r.scope))
    return out


@model_type(AlertEventInfo)
class AlertEvent:
    pass


@model_type(AlertInfo)
class Alert:
    pass


@model_type(AlertDetail, description="An alert with its transition history")
class AlertWithHistory:
    pass


@model_type(AlertChangeInfo)
class AlertChange:
    pass


@model_type(RecordedMetricInfo, name="RecordedMetric", exclude=MetricPointInfo.model_fields)
class RecordedMetric:
    point: MetricPoint  # the stored point's fields, nested (REST: at the top level)


@strawberry.input
class AlertRuleScopeInput:
    prompt_id: str | None = strawberry.UNSET  # integer id or uuid
    version_hash: str | None = strawberry.UNSET
    tags: JSON | None = strawberry.UNSET
    per_entity: str | None = strawberry.UNSET


@strawberry.input
class AlertRuleInput:
    metric: str
    comparison: str
    threshold: float
    name: str | None = strawberry.UNSET
    aggregation: str | None = strawberry.UNSET
    warning_threshold: float | None = strawberry.UNSET
    window_minutes: int | None = strawberry.UNSET
    pending_minutes: int | None = strawberry.UNSET
    severity: str | None = strawberry.UNSET
    scope: AlertRuleScopeInput | None = strawberry.UNSET
    channel_ids: list[int] | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET
    renotify_minutes: int | None = strawberry.UNSET


@strawberry.input
class AlertRulePatch:
    name: str | None = strawberry.UNSET
    metric: str | None = strawberry.UNSET
    aggregation: str | None = strawberry.UNSET
    comparison: str | None = strawberry.UNSET
    threshold: float | None = strawberry.UNSET
    warning_threshold: float | None = strawberry.UNSET
    window_minutes: int | None = strawberry.UNSET
    pending_minutes: int | None = strawberry.UNSET
    severity: str | None = strawberry.UNSET
    scope: AlertRuleScopeInput | None = strawberry.UNSET
    channel_ids: list[int] | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET
    renotify_minutes: int | None = strawberry.UNSET


@strawberry.input
class MetricPointInput:
    name: str
    value: float
    type: str
    timestamp: datetime | None = strawberry.UNSET
    prompt_id: str | None = strawberry.UNSET  # integer id or uuid
    version_hash: str | None = strawberry.UNSET
    tags: JSON | None = strawberry.UNSET


def _prompt_ref(data: dict[str, Any], field: str = "prompt_id") -> dict[str, Any]:
    if "prompt_id" in data:
        data["prompt_id"] = int_or_uuid(data["prompt_id"], field)
    return data


def _rule_data(obj: object) -> dict[str, Any]:
    data = {k: v for k, v in _given(obj).items() if not (v is None and k in RuleInput.model_fields)}
    if isinstance(data.get("scope"), dict):
        data["scope"] = _prompt_ref({k: v for k, v in data["scope"].items() if v is not None}, "scope.prompt_id")
    return data


@strawberry.type
class AlertsQuery:
    @strawberry.field(permission_classes=[IsAdmin], description="Alert rules of the caller's organization")
    async def alert_rules(self, info: Info, enabled: bool | None = None) -> list[AlertRule]:
        return [rule_of(r) for r in await alerting.list_rules(info.context.user, enabled)]

    @strawberry.field(permission_classes=[IsAdmin], description="Newest first; status may be 'open'")
    async def alerts(
        self, info: Info, status: str | None = None, severity: str | None = None, first: int = 50
    ) -> list[Alert]:
        return [Alert.from_pydantic(a) for a in await alerting.list_alerts(info.context.user, status, severity, first)]

    @strawberry.field(permission_classes=[IsAdmin], description="One alert with its history (404 otherwise)")
    async def alert(self, info: Info, id: int) -> AlertWithHistory:
        return AlertWithHistory.from_pydantic(await alerting.get_alert(info.context.user, id))


@strawberry.type
class AlertsMutation:
    @strawberry.mutation(permission_classes=[IsAdmin])
    async def create_alert_rule(self, info: Info, input: AlertRuleInput) -> AlertRule:
        data = validated(RuleInput, _rule_data(input))
        return rule_of(await alerting.create_rule(info.context.user, data))

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def update_alert_rule(self, info: Info, id: int, input: AlertRulePatch) -> AlertRule:
        data = _given(input)
        if isinstance(data.get("scope"), dict):
            data["scope"] = _prompt_ref({k: v for k, v in data["scope"].items() if v is not None}, "scope.prompt_id")
        return rule_of(await alerting.update_rule(info.context.user, id, validated(RuleUpdate, data)))

    @strawberry.mutation(permission_classes=[IsAdmin], description="Resolves the rule's open alerts; keeps history")
    async def delete_alert_rule(self, info: Info, id: int) -> bool:
        await alerting.delete_rule(info.context.user, id)
        return True

    @strawberry.mutation(permission_classes=[IsAdmin], description="firing -> acknowledged (else CONFLICT)")
    async def acknowledge_alert(self, info: Info, id: int, note: str | None = None) -> Alert:
        return Alert.from_pydantic(await alerting.acknowledge(info.context.user, id, note))

    @strawberry.mutation(permission_classes=[IsAdmin], description="open -> resolved (else CONFLICT)")
    async def resolve_alert(self, info: Info, id: int, note: str | None = None) -> Alert:
        return Alert.from_pydantic(await alerting.resolve(info.context.user, id, note))

    @strawberry.mutation(permission_classes=[IsAdmin], description="Record a custom metric point")
    async def record_metric(self, info: Info, input: MetricPointInput) -> RecordedMetric:
        data = {k: v for k, v in _prompt_ref(_given(input)).items() if v is not None}
        done = await alerting.record_metric(info.context.user, validated(MetricInput, data))
        # ``point`` is GraphQL's only: Strawberry builds it from the stored point's fields in ``extra``
        return RecordedMetric.from_pydantic(
            done, extra={"point": done.model_dump(include=set(MetricPointInfo.model_fields))}
        )


@strawberry.type
class AlertEventMessage:
    """One alert transition as it happens (the same message the Redis channel carries)."""

    event: str = strawberry.field(description="pending, firing, acknowledged, resolved, renotify or severity")
    at: datetime
    alert: Alert


@strawberry.type
class AlertsSubscription:
    @strawberry.subscription(
        permission_classes=[IsAdmin], description="Alert transitions of the caller's organization as they happen"
    )
    async def alert_events(
        self, info: Info, events: list[str] | None = None
    ) -> AsyncGenerator[AlertEventMessage, None]:
        principal = info.context.user
        wanted = set(events) if events else None
        if wanted is not None and not wanted <= ALERT_EVENT_KINDS:
            raise BadRequest.field("events", f"events must be among {', '.join(sorted(ALERT_EVENT_KINDS))}")
        async for data in listen(
            alerting.channel(principal.organization_id), still_allowed=lambda: info.context.recheck(Role.ADMIN)
        ):
            payload = orjson.loads(data)
            if wanted is None or payload["event"] in wanted:
                yield AlertEventMessage(
                    event=payload["event"],
                    at=datetime.fromisoformat(payload["at"]),
                    alert=Alert.from_pydantic(AlertInfo.model_validate(payload["alert"])),
                )
