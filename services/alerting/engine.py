"""The alert engine: evaluates rules and moves alerts through their lifecycle.

Lifecycle: ``pending -> firing -> acknowledged -> resolved`` (pending and firing
may resolve directly).  A breached rule opens a *pending* alert, which fires once
the breach has lasted ``pending_minutes`` (at once when that is 0); when the
condition clears (or the window holds no data) the open alert auto-resolves.

Concurrency: every transition is a compare-and-set ``UPDATE ... WHERE status = <what
we read>``, and ``alerts.open_key`` (unique, NULL once resolved) allows one open alert
per rule x entity, so two workers (or a worker and a metric ingest) evaluating the
same rule at once can neither duplicate an alert nor apply a transition twice.  The
minute cycle also takes a Redis lock so only one worker does the full pass.

Built-in metrics are read through :func:`services.rollups.query.accumulate_slices`
(rollups plus raw edges) and :data:`services.metrics.builtin.BUILTIN`; one read per
(organization, window, slicing) serves every rule of a cycle that needs it.
Recorded metrics are aggregated in SQL by :mod:`services.metrics.query`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.alerts import OPEN_STATUSES, Alert, AlertEvent, AlertRule
from services import metrics
from services.alerting import events as alert_events
from services.alerting.info import render
from services.alerting.schemas import (
    IMMEDIATE_WINDOW_MINUTES,
    AlertChange,
    AlertInfo,
    RecordedMetric,
    evaluation_interval_minutes,
)
from services.core import leases
from services.core.config import get_settings
from services.core.redis_client import get_redis, key
from services.identity import Principal
from services.metrics import EntityKey, MetricInput, PointFilter
from services.rollups import Accumulator, SliceKey, accumulate_slices

log = logging.getLogger(__name__)
LAST_CYCLE = "alerting:last_cycle"
CYCLE_LOCK = "alerting:cycle_lock"
# The cycle lock is a lease its holder renews every third of it: a worker killed mid-cycle
# (tests/faults/test_worker_kill.py) held it for a fixed 300 s, stopping every cycle meanwhile.
CYCLE_LEASE_SECONDS = 15
_RANK = {"info": 0, "warning": 1, "critical": 2}


def breached(comparison: str, value: float, threshold: float) -> bool:
    return {
        "gt": value > threshold,
        "gte": value >= threshold,
        "lt": value < threshold,
        "lte": value <= threshold,
        "eq": value == threshold,
        "ne": value != threshold,
    }[comparison]


def entity_name(entity: EntityKey) -> str:
    prompt_id, version = entity
    if prompt_id is None:
        return ""
    return f"prompt:{prompt_id}" + (f":version:{version}" if version is not None else "")


def _open_key(rule_id: int, entity: str) -> str:
    return f"rule:{rule_id}:{entity}"


def _external_key(organization_id: int | None, source: str, key_: str) -> str:
    return f"ext:{organization_id if organization_id is not None else 'platform'}:{source}:{key_}"


@dataclass
class Verdict:
    value: float | None
    severity: str | None  # None: condition not met
    threshold: float | None


def judge(rule: AlertRule, value: float | None) -> Verdict:
    if value is None:
        return Verdict(None, None, None)
    if breached(rule.comparison, value, rule.threshold):
        return Verdict(value, rule.severity, rule.threshold)
    if rule.warning_threshold is not None and breached(rule.comparison, value, rule.warning_threshold):
        return Verdict(value, "warning", rule.warning_threshold)
    return Verdict(value, None, None)


@dataclass
class CycleCache:
    """Reads shared by the rules of one evaluation pass.

    ``live``: a built-in metric's window ends when it is read, not at the pass's ``now``.  Rules
    are read one after another while the drain keeps committing; a window ending at the pass's
    start meets a current-minute rollup row already holding later events, and that minute then
    comes from raw events (up to a minute of every prompt's events: 5-7 s a statement at 31,651
    events/s).  Ended at the read, the row holds none.
    """

    now: datetime
    live: bool = False
    prompt_ids: dict[int, list[int]] = field(default_factory=dict)
    slices: dict[tuple[Any, ...], dict[SliceKey, Accumulator]] = field(default_factory=dict)

    async def org_prompts(self, organization_id: int) -> list[int]:
        if organization_id not in self.prompt_ids:
            self.prompt_ids[organization_id] = await metrics.organization_prompt_ids(organization_id)
        return self.prompt_ids[organization_id]

    async def accumulate(self, ids: Sequence[int], minutes: int, by_version: bool) -> dict[SliceKey, Accumulator]:
        k = (tuple(ids), minutes, by_version)
        if k not in self.slices:
            end = datetime.now(UTC) if self.live else self.now
            self.slices[k] = await accumulate_slices(ids, end - timedelta(minutes=minutes), end, by_version=by_version)
        return self.slices[k]


async def rule_values(rule: AlertRule, cache: CycleCache) -> dict[EntityKey, float | None]:
    """The rule's metric over its window, per entity (``(None, None)`` for a rule-wide value)."""
    scope = rule.scope or {}
    per_entity = scope.get("per_entity")
    prompt_id = scope.get("prompt_id")
    version = scope.get("version_hash")
    start = cache.now - timedelta(minutes=rule.window_minutes)
    if not metrics.is_builtin(rule.metric):
        f = PointFilter(rule.organization_id, rule.metric, start, cache.now, prompt_id, version, scope.get("tags"))
        return await metrics.aggregate(f, rule.aggregation or "avg", per_entity)
    metric = metrics.BUILTIN[rule.metric]
    seconds = rule.window_minutes * 60.0
    ids = [prompt_id] if prompt_id is not None else await cache.org_prompts(rule.organization_id)
    by_version = per_entity == "version" or version is not None
    slices = await cache.accumulate(ids, rule.window_minutes, by_version)
    if per_entity is None:
        total = Accumulator()
        for (_pid, vh, _), acc in slices.items():
            if version is None or vh == version:
                total.merge(acc)
        return {(None, None): metric.compute(total, seconds)}
    return {(pid, vh if by_version else None): metric.compute(acc, seconds) for (pid, vh, _), acc in slices.items()}


@dataclass
class Change:
    alert_id: int
    rule_id: int | None
    entity: str
    transition: str
    status: str


async def transition(alert: Alert, to: str, **fields: Any) -> bool:
    """Move ``alert`` to ``to`` only if nobody changed its status since we read it."""
    if to == "resolved":
        fields["open_key"] = None
    n = await Alert.filter(id=alert.id, status=alert.status).update(status=to, **fields)
    if n:
        for name, value in fields.items():
            setattr(alert, name, value)
        alert.status = to
    return bool(n)


async def resolve_alert(
    alert: Alert, now: datetime, actor_id: int | None, note: str | None, channel_ids: list[int], **fields: Any
) -> bool:
    """Resolve (from any open status) and announce; ``fields`` are stored with it (e.g. the last value)."""
    before = alert.status
    fields.update(resolved_at=now, resolved_by_id=actor_id, note=note, updated_at=now)
    if not await transition(alert, "resolved", **fields):
        return False
    await alert_events.announce(
        alert, "resolved", from_status=before, actor_id=actor_id, note=note, channel_ids=channel_ids, at=now
    )
    return True


async def _apply(rule: AlertRule, entity: str, verdict: Verdict, alert: Alert | None, now: datetime) -> Change | None:
    channels = list(rule.channel_ids or [])
    if verdict.severity is None:
        if alert is None:
            return None
        note, last_value = _clearing(verdict)
        last = {"value": last_value} if last_value is not None else {}
        if await resolve_alert(alert, now, None, note, channels, **last):
            return Change(alert.id, rule.id, entity, "resolved", "resolved")
        return None
    if alert is None:
        alert = _new_alert(rule, entity, verdict, now)
        try:
            await alert.save()
        except IntegrityError:  # another evaluator opened it a moment ago
            return None
        await alert_events.announce(alert, alert.status, channel_ids=channels, at=now)
        return Change(alert.id, rule.id, entity, alert.status, alert.status)
    change: Change | None = None
    if alert.severity != verdict.severity or alert.value != verdict.value:
        old = alert.severity
        fields = {"severity": verdict.severity, "value": verdict.value, "threshold": verdict.threshold}
        fields["message"] = _message(rule, entity, verdict)
        if await Alert.filter(id=alert.id, status=alert.status).update(**fields):
            for name, value in fields.items():
                setattr(alert, name, value)
            if old != verdict.severity:
                word = "escalated" if _RANK[verdict.severity] > _RANK[old] else "de-escalated"
                await alert_events.announce(
                    alert, "severity", from_status=alert.status, note=f"{word} from {old} to {verdict.severity}", at=now
                )
    if alert.status == "pending" and now - alert.started_at >= timedelta(minutes=rule.pending_minutes):
        if await transition(alert, "firing", firing_at=now, last_notified_at=now, updated_at=now):
            await alert_events.announce(alert, "firing", from_status="pending", channel_ids=channels, at=now)
            change = Change(alert.id, rule.id, entity, "firing", "firing")
    elif alert.status == "firing" and rule.renotify_minutes and alert.last_notified_at is not None:
        if now - alert.last_notified_at >= timedelta(minutes=rule.renotify_minutes):
            if await Alert.filter(id=alert.id, last_notified_at=alert.last_notified_at).update(last_notified_at=now):
                alert.last_notified_at = now
                await alert_events.announce(alert, "renotify", from_status="firing", channel_ids=channels, at=now)
                change = Change(alert.id, rule.id, entity, "renotify", "firing")
    return change


_OPEN_MANY = """
INSERT INTO alerts (organization_id, rule_id, source, entity, open_key, status, severity, message, value,
                    threshold, started_at, firing_at, last_notified_at, updated_at)
SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::text[], $9::float8[], $10::float8[], $11::timestamptz[], $12::timestamptz[],
                     $13::timestamptz[], $14::timestamptz[])
ON CONFLICT (open_key) DO NOTHING
RETURNING id, open_key
"""
_RECORD_MANY = """
INSERT INTO alert_events (alert_id, kind, from_status, to_status, actor_id, note, value, at)
SELECT a, k, NULL, k, NULL, NULL, v, t
FROM unnest($1::int[], $2::text[], $3::float8[], $4::timestamptz[]) AS x(a, k, v, t)
RETURNING id, alert_id
"""


def _new_alert(rule: AlertRule, entity: str, verdict: Verdict, now: datetime) -> Alert:
    """The (unsaved) alert a breach of ``rule`` opens for ``entity``: firing at once without a pending time."""
    fire_now = rule.pending_minutes == 0
    return Alert(
        organization_id=rule.organization_id,
        rule_id=rule.id,
        source="rule",
        entity=entity,
        open_key=_open_key(rule.id, entity),
        status="firing" if fire_now else "pending",
        severity=verdict.severity,
        message=_message(rule, entity, verdict),
        value=verdict.value,
        threshold=verdict.threshold,
        started_at=now,
        firing_at=now if fire_now else None,
        last_notified_at=now if fire_now else None,
        updated_at=now,
    )


async def _open_many(rule: AlertRule, new: list[tuple[str, Verdict]], now: datetime) -> list[Change]:
    """PostgreSQL: open many alerts of one rule at once (an alert storm).

    One statement inserts the alerts and one their history rows, in one transaction (one
    commit instead of two per alert); only then are they announced.  An entity whose alert
    another evaluator opened a moment ago is skipped, as :func:`_apply` does.
    """
    alerts = [_new_alert(rule, entity, verdict, now) for entity, verdict in new]
    status = alerts[0].status
    n = len(alerts)
    columns = [
        [rule.organization_id] * n,
        [rule.id] * n,
        ["rule"] * n,
        [a.entity for a in alerts],
        [a.open_key for a in alerts],
        [status] * n,
        [a.severity for a in alerts],
        [a.message for a in alerts],
        [a.value for a in alerts],
        [a.threshold for a in alerts],
        [now] * n,
        [a.firing_at for a in alerts],
        [a.last_notified_at for a in alerts],
        [now] * n,
    ]
    async with in_transaction() as tx:
        # execute_query_dict: Tortoise's execute_query drops the rows of an INSERT ... RETURNING
        rows = await tx.execute_query_dict(_OPEN_MANY, columns)
        ids = {r["open_key"]: r["id"] for r in rows}
        opened = [a for a in alerts if a.open_key in ids]
        for a in opened:
            a.id = ids[a.open_key]
        history = [[a.id for a in opened], [status] * len(opened), [a.value for a in opened], [now] * len(opened)]
        rows = await tx.execute_query_dict(_RECORD_MANY, history)
    event_ids = {r["alert_id"]: r["id"] for r in rows}
    channels = list(rule.channel_ids or [])
    for a in opened:
        event = AlertEvent(id=event_ids[a.id], alert_id=a.id, kind=status, to_status=status, value=a.value, at=now)
        await alert_events.broadcast(a, event, channels)
    return [Change(a.id, rule.id, a.entity, status, status) for a in opened]


_RESOLVE_MANY = """
UPDATE alerts AS a
SET status = 'resolved', open_key = NULL, resolved_at = $5, resolved_by_id = $6, note = x.note, value = x.value,
    updated_at = $5
FROM unnest($1::int[], $2::text[], $3::text[], $4::float8[]) AS x(id, status, note, value)
WHERE a.id = x.id AND a.status = x.status
RETURNING a.id
"""
_RECORD_RESOLVED = """
INSERT INTO alert_events (alert_id, kind, from_status, to_status, actor_id, note, value, at)
SELECT a, 'resolved', f, 'resolved', $5, n, v, $6
FROM unnest($1::int[], $2::text[], $3::text[], $4::float8[]) AS x(a, f, n, v)
RETURNING id, alert_id
"""


async def _resolve_many(
    closing: list[tuple[Alert, str, float | None]], now: datetime, actor_id: int | None, channel_ids: list[int]
) -> list[Alert]:
    """PostgreSQL: resolve many open alerts at once (a storm clearing, a rule with many open alerts
    disabled): (alert, note, last value or None to keep its own).

    What :func:`resolve_alert` does one alert at a time, in one statement for the alerts and one for
    their history rows, in one transaction; each is a compare-and-set on the status it was read
    with, so one another evaluator or a user moved meanwhile is skipped.  Announced after the commit.
    """
    if not closing:
        return []
    befores = [a.status for a, _, _ in closing]
    values = [a.value if value is None else value for a, _, value in closing]
    notes = [note for _, note, _ in closing]
    ids = [a.id for a, _, _ in closing]
    async with in_transaction() as tx:
        rows = await tx.execute_query_dict(_RESOLVE_MANY, [ids, befores, notes, values, now, actor_id])
        done = {r["id"] for r in rows}
        kept = [k for k, a_id in enumerate(ids) if a_id in done]
        history = [
            [ids[k] for k in kept],
            [befores[k] for k in kept],
            [notes[k] for k in kept],
            [values[k] for k in kept],
        ]
        events = await tx.execute_query_dict(_RECORD_RESOLVED, [*history, actor_id, now])
    event_ids = {r["alert_id"]: r["id"] for r in events}
    resolved = []
    for k in kept:
        alert = closing[k][0]
        alert.status, alert.open_key, alert.resolved_at, alert.resolved_by_id = "resolved", None, now, actor_id
        alert.note, alert.value, alert.updated_at = notes[k], values[k], now
        event = AlertEvent(
            id=event_ids[alert.id],
            alert_id=alert.id,
            kind="resolved",
            from_status=befores[k],
            to_status="resolved",
            actor_id=actor_id,
            note=notes[k],
            value=values[k],
            at=now,
        )
        await alert_events.broadcast(alert, event, channel_ids)
        resolved.append(alert)
    return resolved


def _clearing(verdict: Verdict) -> tuple[str, float | None]:
    """The note and last value of an alert whose condition no longer holds (:func:`_apply`)."""
    if verdict.value is not None:
        return "auto-resolved: condition cleared", verdict.value
    return "auto-resolved: no data in window", None


def _message(rule: AlertRule, entity: str, verdict: Verdict) -> str:
    what = rule.metric if rule.aggregation is None else f"{rule.aggregation}({rule.metric})"
    where = f" for {entity}" if entity else ""
    return (
        f"{rule.name}: {what}{where} = {verdict.value:g} over {rule.window_minutes}m "
        f"({rule.comparison} {verdict.threshold:g})"
    )


async def evaluate_rules(rules: Sequence[AlertRule], now: datetime | None = None, live: bool = False) -> list[Change]:
    """Evaluate ``rules`` once (open alerts of all of them read in one query); ``live``: see :class:`CycleCache`."""
    live = live or now is None
    now = now or datetime.now(UTC)
    cache = CycleCache(now, live)
    open_alerts: dict[tuple[int, str], Alert] = {}
    ids = [r.id for r in rules]
    if ids:
        for a in await Alert.filter(rule_id__in=ids, status__in=OPEN_STATUSES):
            open_alerts[(a.rule_id, a.entity)] = a  # type: ignore[index]
    changes: list[Change] = []
    # an alert storm opens (_open_many) and clears (_resolve_many) in two statements and one commit
    bulk = get_settings().is_postgres
    for rule in rules:
        try:
            values = await rule_values(rule, cache)
            seen = set()
            opening: list[tuple[str, Verdict]] = []  # new alerts, opened together (PostgreSQL)
            closing: list[tuple[Alert, str, float | None]] = []  # cleared ones, resolved together (PostgreSQL)
            for entity_key, value in values.items():
                entity = entity_name(entity_key)
                seen.add(entity)
                verdict, alert = judge(rule, value), open_alerts.get((rule.id, entity))
                if alert is None and verdict.severity is not None and bulk:
                    opening.append((entity, verdict))
                    continue
                if alert is not None and verdict.severity is None and bulk:
                    closing.append((alert, *_clearing(verdict)))
                    continue
                change = await _apply(rule, entity, verdict, alert, now)
                if change:
                    changes.append(change)
            if opening:
                changes += await _open_many(rule, opening, now)
            for (rule_id, entity), alert in open_alerts.items():
                if rule_id == rule.id and entity not in seen:  # entity had no data in the window
                    if bulk:
                        closing.append((alert, *_clearing(Verdict(None, None, None))))
                        continue
                    change = await _apply(rule, entity, Verdict(None, None, None), alert, now)
                    if change:
                        changes.append(change)
            for alert in await _resolve_many(closing, now, None, list(rule.channel_ids or [])):
                changes.append(Change(alert.id, rule.id, alert.entity, "resolved", "resolved"))
        except Exception:
            log.exception("evaluating alert rule %s failed", rule.id)
    if ids:
        await AlertRule.filter(id__in=ids).update(last_evaluated_at=now)
    return changes


async def evaluate_metric(organization_id: int, name: str) -> tuple[int, int, list[Change]]:
    """Immediate check after a point of ``name`` was recorded: that metric's enabled rules whose
    window is at most ``IMMEDIATE_WINDOW_MINUTES``.  (rules evaluated, rules left to the cycle, changes)"""
    rules = await AlertRule.filter(organization_id=organization_id, metric=name, enabled=True).order_by("id")
    now_ = [r for r in rules if r.window_minutes <= IMMEDIATE_WINDOW_MINUTES]
    return len(now_), len(rules) - len(now_), (await evaluate_rules(now_) if now_ else [])


# A cycle starts about a minute after the last; one that starts a little early still counts a rule
# evaluated an interval ago as due, so an interval of N minutes is N minutes, not N + 1.
DUE_SLACK = timedelta(seconds=30)


def is_due(rule: AlertRule, now: datetime) -> bool:
    """Whether the minute cycle evaluates ``rule`` now (:func:`evaluation_interval_minutes`)."""
    every = evaluation_interval_minutes(rule.window_minutes, metrics.is_builtin(rule.metric))
    if every <= 1 or rule.last_evaluated_at is None:  # every minute: every cycle
        return True
    return now - rule.last_evaluated_at >= timedelta(minutes=every) - DUE_SLACK


@dataclass
class CycleResult:
    ran: bool
    rules: int = 0  # evaluated
    not_due: int = 0  # enabled, left to a later cycle by their evaluation interval
    changes: list[Change] = field(default_factory=list)
    duration_ms: float = 0.0


async def evaluate_all() -> CycleResult:
    """The minute cycle: every enabled rule of every organization that is due, by one worker at a time."""
    redis = get_redis()
    token = uuid.uuid4().hex
    lock = key(CYCLE_LOCK)
    if not await leases.acquire(lock, token, CYCLE_LEASE_SECONDS, redis):
        return CycleResult(ran=False)

    async def keep_lease() -> None:
        while True:
            await asyncio.sleep(CYCLE_LEASE_SECONDS / 3)
            if not await leases.renew(lock, token, CYCLE_LEASE_SECONDS, redis):
                return

    lease = asyncio.create_task(keep_lease())
    started = time.perf_counter()
    now = datetime.now(UTC)
    try:
        enabled = await AlertRule.filter(enabled=True).order_by("organization_id", "id")
        rules = [r for r in enabled if is_due(r, now)]
        changes = await evaluate_rules(rules, now, live=True)
        try:
            await alert_events.renotify_missing(now)
        except Exception:  # the next cycle tries again; this one's evaluation stands
            log.exception("re-notifying alert events failed")
    finally:
        lease.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await lease
        await leases.release(lock, token, redis)
    duration = round((time.perf_counter() - started) * 1000, 3)
    await redis.hset(
        key(LAST_CYCLE),
        mapping={
            "at": now.isoformat(),
            "duration_ms": duration,
            "rules": len(rules),
            "not_due": len(enabled) - len(rules),
            "changes": len(changes),
        },
    )
    return CycleResult(True, len(rules), len(enabled) - len(rules), changes, duration)


async def last_cycle() -> dict[str, Any] | None:
    raw: dict[str, str] = await get_redis().hgetall(key(LAST_CYCLE))
    if not raw:
        return None
    return {
        "at": datetime.fromisoformat(raw["at"]),
        "duration_ms": float(raw["duration_ms"]),
        "rules": int(raw["rules"]),
        "not_due": int(raw.get("not_due", 0)),
        "changes": int(raw["changes"]),
    }


async def close_rule_alerts(rule: AlertRule, actor_id: int | None, note: str) -> int:
    """Resolve every open alert of ``rule`` (it was disabled or deleted)."""
    now = datetime.now(UTC)
    channels = list(rule.channel_ids or [])
    alerts = await Alert.filter(rule_id=rule.id, status__in=OPEN_STATUSES)
    if get_settings().is_postgres:
        return len(await _resolve_many([(a, note, None) for a in alerts], now, actor_id, channels))
    closed = 0
    for alert in alerts:
        closed += await resolve_alert(alert, now, actor_id, note, channels)
    return closed


async def raise_external(
    organization_id: int | None,
    source: str,
    key_: str,
    severity: str,
    message: str,
    value: float | None = None,
    threshold: float | None = None,
) -> AlertInfo:
    """Open (or refresh) an alert that no user rule owns, e.g. a performance threshold.

    ``organization_id=None`` makes it platform-wide: only superusers see it (in
    ``/v1/monitoring/alerts`` and the admin alert lists).  ``(organization_id, source,
    key_)`` identifies the condition: raising it again while open updates value,
    severity and message instead of opening a second alert.  It fires at once.
    """
    if severity not in _RANK:
        raise ValueError(f"severity must be one of {', '.join(_RANK)}")
    now = datetime.now(UTC)
    open_key = _external_key(organization_id, source, key_)
    for _ in range(3):
        alert = await Alert.get_or_none(open_key=open_key)
        if alert is not None:
            old = alert.severity
            await Alert.filter(id=alert.id).update(severity=severity, message=message, value=value, threshold=threshold)
            alert.severity, alert.message, alert.value, alert.threshold = severity, message, value, threshold
            if old != severity:
                await alert_events.announce(alert, "severity", from_status=alert.status, note=f"{old} -> {severity}")
            return render(alert)
        try:
            alert = await Alert.create(
                organization_id=organization_id,
                source=source,
                entity=key_,
                open_key=open_key,
                status="firing",
                severity=severity,
                message=message,
                value=value,
                threshold=threshold,
                started_at=now,
                firing_at=now,
                last_notified_at=now,
            )
        except IntegrityError:
            continue  # raised concurrently: refresh the one that won
        await alert_events.announce(alert, "firing", at=now)
        return render(alert)
    raise RuntimeError("could not open external alert")


async def clear_external(organization_id: int | None, source: str, key_: str, note: str | None = None) -> bool:
    """Resolve the open external alert for ``(organization_id, source, key_)``; False if none was open."""
    alert = await Alert.get_or_none(open_key=_external_key(organization_id, source, key_))
    if alert is None:
        return False
    return await resolve_alert(alert, datetime.now(UTC), None, note or "auto-resolved: condition cleared", [])


async def record_metric(principal: Principal, data: MetricInput) -> RecordedMetric:
    """Store a recorded point, then evaluate the enabled rules on its name at once (not a minute
    later), but for those with windows over ``IMMEDIATE_WINDOW_MINUTES``."""
    info = await metrics.store_point(principal, data)
    rules, deferred, changes = await evaluate_metric(principal.organization_id, data.name)
    return RecordedMetric(
        **info.model_dump(),
        rules_evaluated=rules,
        rules_left_to_cycle=deferred,
        alert_changes=[
            AlertChange(
                alert_id=c.alert_id,
                rule_id=c.rule_id,
                entity=c.entity or None,
                transition=c.transition,
                status=c.status,
            )
            for c in changes
        ],
    )
