"""Recorded custom metrics: durable row, realtime buffer, live updates, immediate rule checks.

``record_metric`` writes the point to ``metric_points``, then in one Redis
round trip appends it to the metric's realtime buffer (a sorted set scored by
timestamp, trimmed to ``METRICS_BUFFER_SIZE`` newest points, shared by every
process), notes the name in the organization's buffer index and publishes it on
the organization's pub/sub channel (GraphQL ``metricUpdates``).  Finally it
evaluates the enabled rules on that metric name: one indexed query for the rules
and one aggregate query per rule, so recording stays cheap.

``realtime`` reads only the buffers: the last N minutes and the N minutes before,
for a trend per metric.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.metrics import MetricPoint
from models.prompts import Prompt
from services.core.config import get_settings
from services.core.database import scalar
from services.core.dates import check_event_time
from services.core.errors import BadRequest
from services.core.redis_client import get_redis, key
from services.core.tags import check_tags
from services.identity import Principal, require_admin
from services.metrics import builtin as builtin_metrics
from services.metrics.builtin import check_metric_name
from services.metrics.query import tags_key
from services.metrics.schemas import Latest, MetricPointInfo, Realtime, RealtimeMetric

MAX_AGE = timedelta(days=365)  # recorded points: a year back (the realtime buffer and charts look at days)
BUFFER_TTL_SECONDS = 7 * 86400
FLAT_TOLERANCE = 0.01  # |change| <= 1% of the previous window's mean is "flat"


def check_custom_name(name: str) -> str:
    check_metric_name(name)
    if builtin_metrics.is_builtin(name):
        raise ValueError(f"'{name}' is a built-in metric derived from prompt executions; pick another name")
    return name


MAX_ABS_VALUE = 1e15  # a recorded point's magnitude (REST and GraphQL alike)


class MetricInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(description="Custom metric name (built-in names are reserved)")
    # Bounded so that sums and averages over millions of points stay finite in float8 (1.7e308 twice
    # overflowed PostgreSQL's avg() and broke the organization's metric views).
    value: Annotated[float, Field(allow_inf_nan=False, ge=-MAX_ABS_VALUE, le=MAX_ABS_VALUE)]
    type: Literal["counter", "gauge", "histogram"]
    timestamp: datetime | None = Field(default=None, description="ISO 8601; default now")
    prompt_id: uuid.UUID | Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    version_hash: str | None = Field(default=None, min_length=1, max_length=128)
    tags: dict[str, str] = Field(default_factory=dict)

    _name = field_validator("name")(lambda cls, v: check_custom_name(v))
    _tags = field_validator("tags")(lambda cls, v: check_tags(v))

    @field_validator("timestamp")
    @classmethod
    def _sane_time(cls, value: datetime | None) -> datetime | None:
        return None if value is None else check_event_time(value, MAX_AGE)


def render_point(p: MetricPoint) -> MetricPointInfo:
    return MetricPointInfo(
        id=p.id,
        name=p.name,
        value=p.value,
        type=p.type,
        timestamp=p.timestamp,
        prompt_id=p.prompt_id,
        version_hash=p.version_hash,
        tags=dict(p.tags or {}),
    )


def updates_channel(organization_id: int) -> str:
    return key("metrics", "updates", organization_id)


def _buffer_key(organization_id: int, name: str) -> str:
    return key("metrics", "rt", organization_id, name)


def _names_key(organization_id: int) -> str:
    return key("metrics", "rt-names", organization_id)


async def _prompt_id(principal: Principal, ref: uuid.UUID | int | None) -> int | None:
    if ref is None:
        return None
    query = Prompt.filter(organization_id=principal.organization_id)
    query = query.filter(uuid=ref) if isinstance(ref, uuid.UUID) else query.filter(id=ref)
    found: int | None = await scalar(query.first().values_list("id", flat=True))
    if found is None:
        raise BadRequest.field("prompt_id", "no such prompt in your organization")
    return found


async def store_point(principal: Principal, data: MetricInput) -> MetricPointInfo:
    """Store one point, add it to the realtime buffer and publish it (rules are alerting's: see
    ``services.alerting.engine.record_metric``, which evaluates them on arrival)."""
    principal = require_admin(principal)
    org = principal.organization_id
    point = await MetricPoint.create(
        organization_id=org,
        name=data.name,
        value=data.value,
        type=data.type,
        timestamp=data.timestamp or datetime.now(UTC),
        prompt_id=await _prompt_id(principal, data.prompt_id),
        version_hash=data.version_hash,
        tags=data.tags,
        tags_key=tags_key(data.tags),
    )
    info = render_point(point)
    wire = info.model_dump(mode="json")
    score = point.timestamp.timestamp()
    buffer = _buffer_key(org, data.name)
    async with get_redis().pipeline(transaction=True) as pipe:
        pipe.zadd(buffer, {orjson.dumps(wire).decode(): score})
        pipe.zremrangebyrank(buffer, 0, -(get_settings().metrics_buffer_size + 1))
        pipe.expire(buffer, BUFFER_TTL_SECONDS)
        pipe.zadd(_names_key(org), {data.name: score}, gt=True)
        pipe.expire(_names_key(org), BUFFER_TTL_SECONDS)
        pipe.publish(updates_channel(org), orjson.dumps(wire).decode())
        await pipe.execute()
    return info


def trend(avg: float | None, previous: float | None) -> tuple[str | None, float | None]:
    if avg is None or previous is None:
        return None, None
    diff = avg - previous
    pct = diff / abs(previous) * 100 if previous != 0 else None
    if abs(diff) <= FLAT_TOLERANCE * abs(previous):
        return "flat", pct
    return ("up" if diff > 0 else "down"), pct


async def realtime(principal: Principal, names: list[str] | None, last_n_minutes: int = 5) -> Realtime:
    principal = require_admin(principal)
    org = principal.organization_id
    size = get_settings().metrics_buffer_size
    end = datetime.now(UTC)
    window = timedelta(minutes=last_n_minutes)
    start, prev_start = end - window, end - 2 * window
    redis = get_redis()
    if not names:
        names = await redis.zrangebyscore(_names_key(org), prev_start.timestamp(), "+inf", start=0, num=100)
    names = sorted(set(names))
    async with redis.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.zrangebyscore(_buffer_key(org, name), prev_start.timestamp(), end.timestamp(), withscores=True)
            pipe.zcard(_buffer_key(org, name))
            pipe.zrange(_buffer_key(org, name), 0, 0, withscores=True)
        replies = await pipe.execute()
    out = []
    for i, name in enumerate(names):
        entries, card, oldest = replies[3 * i : 3 * i + 3]
        current: list[MetricPointInfo] = []
        previous: list[MetricPointInfo] = []
        for raw, score in entries:
            (current if score > start.timestamp() else previous).append(MetricPointInfo.model_validate_json(raw))
        values = [p.value for p in current]
        prev_values = [p.value for p in previous]
        avg = sum(values) / len(values) if values else None
        prev_avg = sum(prev_values) / len(prev_values) if prev_values else None
        direction, pct = trend(avg, prev_avg)
        last = current[-1] if current else None
        out.append(
            RealtimeMetric(
                name=name,
                count=len(values),
                latest=Latest(value=last.value, timestamp=last.timestamp) if last else None,
                avg=avg,
                min=min(values) if values else None,
                max=max(values) if values else None,
                sum=sum(values),
                previous_count=len(prev_values),
                previous_avg=prev_avg,
                change_pct=round(pct, 6) if pct is not None else None,
                trend=direction,
                buffer_complete=not (card >= size and oldest and oldest[0][1] > prev_start.timestamp()),
                points=current,
            )
        )
    return Realtime(window_minutes=last_n_minutes, window_start=start, window_end=end, buffer_size=size, metrics=out)
