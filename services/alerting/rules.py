"""The alert-rule store: one table behind both documented rule endpoints, REST and GraphQL.

Two request shapes are accepted and normalised into one :class:`RuleInput`:

* the issue's shape: ``{"name", "metric", "aggregation", "comparison", "threshold",
  "warning_threshold"?, "window_minutes", "pending_minutes", "severity", "scope": {...},
  "channel_ids", "enabled", "renotify_minutes"?}``;
* the monitoring dashboard's shape: ``metric_name``, ``condition``/``operator``
  (``gt`` or ``>``), ``duration``/``time_window`` (``"5m"``, ``"1h"`` or minutes),
  ``for``/``duration_minutes``, ``notification_channels``, and ``prompt_id`` /
  ``version_hash`` / ``tags`` at top level instead of inside ``scope``.

Rules on built-in metric names (``latency_p95``, ``error_rate``, ...) evaluate over
rollups; the metric already names its aggregation, so ``aggregation`` must be left out.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.alerts import OPEN_STATUSES, Alert, AlertRule
from models.metrics import MetricPoint
from models.notifications import NotificationChannel
from models.prompts import Prompt
from services import metrics
from services.alerting.schemas import evaluation_interval_minutes
from services.core.database import column, scalar
from services.core.errors import BadRequest, NotFound
from services.core.tags import check_tags
from services.core.validation import SINGLE_LINE
from services.identity import Principal, require_admin, require_authenticated
from services.metrics import AGGREGATIONS, check_metric_name

COMPARISONS = ("gt", "gte", "lt", "lte", "eq", "ne")
_SYMBOLS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "==": "eq", "=": "eq", "!=": "ne"}
_UNITS = {"m": 1, "min": 1, "h": 60, "d": 1440}
MAX_WINDOW_MINUTES = 7 * 1440
Severity = Literal["info", "warning", "critical"]
Comparison = Literal["gt", "gte", "lt", "lte", "eq", "ne"]
Aggregation = Literal["avg", "sum", "count", "min", "max", "p50", "p95", "p99", "rate"]
Finite = Annotated[float, Field(allow_inf_nan=False)]


def _minutes(value: Any) -> Any:
    """``"5m"``, ``"1h"``, ``"2d"`` or a number of minutes."""
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+)\s*(m|min|h|d)?\s*", value)
        if m:
            return int(m.group(1)) * _UNITS[m.group(2) or "m"]
    return value


class RuleScope(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt_id: uuid.UUID | Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    version_hash: str | None = Field(default=None, min_length=1, max_length=128)
    tags: dict[str, str] | None = None
    per_entity: Literal["prompt", "version"] | None = Field(
        default=None, description="Fire separately for each prompt (or prompt x version) in scope"
    )

    _tags = field_validator("tags")(lambda cls, v: check_tags(v) if v else v)

    @model_validator(mode="after")
    def _coherent(self) -> RuleScope:
        if self.version_hash is not None and self.prompt_id is None:
            raise ValueError("version_hash needs prompt_id")
        if self.per_entity == "prompt" and self.prompt_id is not None:
            raise ValueError("per_entity 'prompt' cannot be combined with one prompt_id")
        if self.per_entity is not None and self.version_hash is not None:
            raise ValueError("per_entity cannot be combined with one version_hash")
        return self


def _normalise(data: Any) -> Any:
    """Map the monitoring dashboard's field names onto the issue's shape."""
    if not isinstance(data, dict):
        return data
    d = dict(data)
    for alias, name in (
        ("metric_name", "metric"),
        ("condition", "comparison"),
        ("operator", "comparison"),
        ("time_window", "window_minutes"),
        ("window", "window_minutes"),
        ("duration", "window_minutes"),
        ("for", "pending_minutes"),
        ("duration_minutes", "pending_minutes"),
        ("notification_channels", "channel_ids"),
        ("renotify_interval", "renotify_minutes"),
        ("is_active", "enabled"),
    ):
        if alias in d and name not in d:
            d[name] = d.pop(alias)
    if isinstance(d.get("comparison"), str):
        d["comparison"] = _SYMBOLS.get(d["comparison"].strip(), d["comparison"].strip().lower())
    for name in ("window_minutes", "pending_minutes", "renotify_minutes"):
        if name in d:
            d[name] = _minutes(d[name])
    top = {k: d.pop(k) for k in ("prompt_id", "version_hash", "tags", "per_entity") if k in d}
    if top:
        scope = dict(d.get("scope") or {}) if isinstance(d.get("scope") or {}, dict) else d.get("scope")
        if isinstance(scope, dict):
            for k, v in top.items():
                scope.setdefault(k, v)
            d["scope"] = scope
    return d


class RuleFields(BaseModel):
    """Fields shared by create and update (all optional here; create requires some)."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=SINGLE_LINE)
    metric: str | None = Field(default=None, description="A built-in metric name or a recorded metric name")
    aggregation: Aggregation | None = Field(default=None, description="For recorded metrics only (default avg)")
    comparison: Comparison | None = None
    threshold: Finite | None = None
    warning_threshold: Finite | None = Field(default=None, description="Opens a warning-severity alert first")
    window_minutes: int | None = Field(default=None, ge=1, le=MAX_WINDOW_MINUTES)
    pending_minutes: int | None = Field(default=None, ge=0, le=1440, description="Breach must last this long")
    severity: Severity | None = None
    scope: RuleScope | None = None
    channel_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] | None = Field(default=None, max_length=20)
    enabled: bool | None = None
    renotify_minutes: int | None = Field(default=None, ge=1, le=MAX_WINDOW_MINUTES)

    _shape = model_validator(mode="before")(lambda cls, data: _normalise(data))

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str | None) -> str | None:
        return check_metric_name(value) if value is not None else None

    @field_validator("channel_ids")
    @classmethod
    def _unique(cls, value: list[int] | None) -> list[int] | None:
        return list(dict.fromkeys(value)) if value is not None else None


class RuleInput(RuleFields):
    metric: str = Field(description="A built-in metric name or a recorded metric name")
    comparison: Comparison
    threshold: Finite
    window_minutes: int = Field(default=5, ge=1, le=MAX_WINDOW_MINUTES)
    pending_minutes: int = Field(default=0, ge=0, le=1440)
    severity: Severity = "warning"
    enabled: bool = True


class RuleUpdate(RuleFields):
    pass


class RuleInfo(BaseModel):
    id: int
    name: str
    metric: str
    builtin: bool
    aggregation: str | None
    comparison: str
    threshold: float
    warning_threshold: float | None
    window_minutes: int
    pending_minutes: int
    severity: str
    scope: dict[str, Any]
    channel_ids: list[int]
    enabled: bool
    renotify_minutes: int | None
    state: str = Field(description="disabled, ok, pending, firing or acknowledged (worst open alert)")
    open_alerts: int
    last_evaluated_at: datetime | None
    evaluation_interval_minutes: int = Field(
        description="How often the minute cycle evaluates the rule: every minute for built-in metrics and for "
        "windows up to an hour, less often for longer windows of recorded metrics (their raw points are aggregated)"
    )
    created_at: datetime
    updated_at: datetime


_STATE_RANK = {"pending": 1, "acknowledged": 2, "firing": 3}


async def _states(rules: list[AlertRule]) -> dict[int, tuple[str, int]]:
    """Worst open alert status and open count per rule, in one query."""
    found: dict[int, tuple[str, int]] = {}
    ids = [r.id for r in rules if r.enabled]
    if not ids:
        return found
    for rule_id, status in await Alert.filter(rule_id__in=ids, status__in=OPEN_STATUSES).values_list(
        "rule_id", "status"
    ):
        worst, n = found.get(rule_id, ("ok", 0))
        found[rule_id] = (status if _STATE_RANK[status] > _STATE_RANK.get(worst, 0) else worst, n + 1)
    return found


def render(rule: AlertRule, state: tuple[str, int] | None) -> RuleInfo:
    status, n = state or ("ok", 0)
    return RuleInfo(
        id=rule.id,
        name=rule.name,
        metric=rule.metric,
        builtin=metrics.is_builtin(rule.metric),
        aggregation=rule.aggregation,
        comparison=rule.comparison,
        threshold=rule.threshold,
        warning_threshold=rule.warning_threshold,
        window_minutes=rule.window_minutes,
        pending_minutes=rule.pending_minutes,
        severity=rule.severity,
        scope=rule.scope or {},
        channel_ids=list(rule.channel_ids or []),
        enabled=rule.enabled,
        renotify_minutes=rule.renotify_minutes,
        state=status if rule.enabled else "disabled",
        open_alerts=n,
        last_evaluated_at=rule.last_evaluated_at,
        evaluation_interval_minutes=evaluation_interval_minutes(rule.window_minutes, metrics.is_builtin(rule.metric)),
        created_at=rule.created_at,
        updated_at=rule.updated_at,
    )


async def render_many(rules: list[AlertRule]) -> list[RuleInfo]:
    states = await _states(rules)
    return [render(r, states.get(r.id)) for r in rules]


async def _resolve_scope(principal: Principal, scope: RuleScope | None, builtin: bool) -> dict[str, Any]:
    if scope is None:
        return {}
    out = scope.model_dump(exclude_none=True)
    if scope.prompt_id is not None:
        query = Prompt.filter(organization_id=principal.organization_id)
        query = (
            query.filter(uuid=scope.prompt_id)
            if isinstance(scope.prompt_id, uuid.UUID)
            else query.filter(id=scope.prompt_id)
        )
        pid = await scalar(query.first().values_list("id", flat=True))
        if pid is None:
            raise BadRequest.field("scope.prompt_id", "no such prompt in your organization")
        out["prompt_id"] = pid
    if builtin and scope.tags:
        raise BadRequest.field("scope.tags", "built-in metrics come from prompt executions, which have no tags")
    return out


async def _check_channels(principal: Principal, channel_ids: list[int] | None) -> None:
    """Every channel must be one of the caller's organization's (another's is as unknown as a typo)."""
    if not channel_ids:
        return
    mine = set(
        await column(
            NotificationChannel.filter(id__in=channel_ids, organization_id=principal.organization_id).values_list(
                "id", flat=True
            )
        )
    )
    for i, channel_id in enumerate(channel_ids):
        if channel_id not in mine:
            raise BadRequest.field(f"channel_ids.{i}", f"no notification channel {channel_id} in your organization")


async def _check_known(principal: Principal, metric: str) -> None:
    """A rule names a built-in metric or one this organization has recorded at least once."""
    if metrics.is_builtin(metric):
        return
    if not await MetricPoint.exists(organization_id=principal.organization_id, name=metric):
        raise BadRequest.field(
            "metric",
            f"unknown metric '{metric}': use a built-in name ({', '.join(metrics.BUILTIN)}) or record the metric first",
            "unknown_metric",
        )


def _check_combination(
    metric: str, aggregation: str | None, threshold: float, warning: float | None, comparison: str
) -> None:
    if metrics.is_builtin(metric) and aggregation is not None:
        raise BadRequest.field(
            "aggregation", f"built-in metric '{metric}' already defines its aggregation; leave aggregation out"
        )
    if aggregation is not None and aggregation not in AGGREGATIONS:
        raise BadRequest.field("aggregation", f"must be one of {', '.join(AGGREGATIONS)}")
    if warning is not None:
        if comparison in ("eq", "ne"):
            raise BadRequest.field("warning_threshold", "a warning threshold needs gt, gte, lt or lte")
        before = warning < threshold if comparison in ("gt", "gte") else warning > threshold
        if not before:
            raise BadRequest.field(
                "warning_threshold", "must be crossed before threshold (below it for gt/gte, above it for lt/lte)"
            )


async def create_rule(principal: Principal, data: RuleInput) -> RuleInfo:
    principal = require_admin(principal)
    builtin = metrics.is_builtin(data.metric)
    await _check_known(principal, data.metric)
    await _check_channels(principal, data.channel_ids)
    aggregation = data.aggregation if builtin or data.aggregation is not None else "avg"
    _check_combination(data.metric, aggregation, data.threshold, data.warning_threshold, data.comparison)
    scope = await _resolve_scope(principal, data.scope, builtin)
    rule = await AlertRule.create(
        organization_id=principal.organization_id,
        name=data.name or f"{data.metric} {data.comparison} {data.threshold:g}",
        metric=data.metric,
        aggregation=aggregation,
        comparison=data.comparison,
        threshold=data.threshold,
        warning_threshold=data.warning_threshold,
        window_minutes=data.window_minutes,
        pending_minutes=data.pending_minutes,
        severity=data.severity,
        scope=scope,
        channel_ids=data.channel_ids or [],
        enabled=data.enabled,
        renotify_minutes=data.renotify_minutes,
        created_by_id=principal.user_id,
    )
    return render(rule, None)


async def get_rule_row(principal: Principal, rule_id: int) -> AlertRule:
    principal = require_authenticated(principal)
    rule = await AlertRule.get_or_none(id=rule_id, organization_id=principal.organization_id)
    if rule is None:
        raise NotFound("Alert rule not found")
    return rule


async def get_rule(principal: Principal, rule_id: int) -> RuleInfo:
    require_admin(principal)
    return (await render_many([await get_rule_row(principal, rule_id)]))[0]


async def list_rules(principal: Principal, enabled: bool | None = None, metric: str | None = None) -> list[RuleInfo]:
    principal = require_admin(principal)
    query = AlertRule.filter(organization_id=principal.organization_id)
    if enabled is not None:
        query = query.filter(enabled=enabled)
    if metric is not None:
        query = query.filter(metric=metric)
    return await render_many(await query.order_by("id"))


async def update_rule(principal: Principal, rule_id: int, changes: RuleUpdate) -> RuleInfo:
    from services.alerting import engine as alert_engine

    principal = require_admin(principal)
    rule = await get_rule_row(principal, rule_id)
    given = changes.model_dump(exclude_unset=True)
    await _check_channels(principal, given.get("channel_ids"))
    for required in (
        "name",
        "metric",
        "comparison",
        "threshold",
        "window_minutes",
        "pending_minutes",
        "severity",
        "enabled",
    ):
        if required in given and given[required] is None:
            raise BadRequest.field(required, "may not be null")
    metric = given.get("metric", rule.metric)
    builtin = metrics.is_builtin(metric)
    if "metric" in given:
        await _check_known(principal, metric)
    if "aggregation" in given:
        aggregation = given["aggregation"]
    elif "metric" in given:
        aggregation = None if builtin else (rule.aggregation or "avg")
    else:
        aggregation = rule.aggregation
    if not builtin and aggregation is None:
        aggregation = "avg"
    threshold = given.get("threshold", rule.threshold)
    warning = given.get("warning_threshold", rule.warning_threshold)
    _check_combination(metric, aggregation, threshold, warning, given.get("comparison", rule.comparison))
    if "scope" in given:
        rule.scope = await _resolve_scope(principal, changes.scope, builtin)
    elif builtin and (rule.scope or {}).get("tags"):
        raise BadRequest.field("scope.tags", "built-in metrics come from prompt executions, which have no tags")
    rule.aggregation = aggregation
    for name in ("name", "metric", "comparison", "threshold", "warning_threshold", "window_minutes"):
        if name in given:
            setattr(rule, name, given[name])
    for name in ("pending_minutes", "severity", "channel_ids", "enabled", "renotify_minutes"):
        if name in given:
            setattr(rule, name, given[name] if name != "channel_ids" else (given[name] or []))
    rule.last_evaluated_at = None  # a changed rule is due at the next cycle, whatever its interval
    await rule.save()
    if not rule.enabled:
        await alert_engine.close_rule_alerts(rule, principal.user_id, "rule disabled")
    return (await render_many([rule]))[0]


async def delete_rule(principal: Principal, rule_id: int) -> None:
    """Open alerts of the rule are resolved (history kept); the alerts stay, detached from the rule."""
    from services.alerting import engine as alert_engine

    principal = require_admin(principal)
    rule = await get_rule_row(principal, rule_id)
    await alert_engine.close_rule_alerts(rule, principal.user_id, "rule deleted")
    await rule.delete()
