"""AI usage and cost: usage events, their rollups, organization prices, plans, budget notices,
and the public streaming profiles of users.

``UsageEvent`` is one metered call or consumption (LLM tokens, API credits, storage, MCP calls).
Its ``cost_usd`` is fixed when the event is stored: the event's own cost if the client sent one,
else the price in force at the event's time (``cost_source`` says which), so a later price change
never rewrites history.  Rollups are rebuilt whole from raw events per dirty (organization, hour).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

RESOURCE_TYPES = ("llm_tokens", "api_credits", "storage", "mcp")
USAGE_STATUSES = ("success", "error", "cancelled")
COST_SOURCES = ("event", "price_map", "unpriced")
PARTNER_STATUSES = ("none", "affiliate", "partner")


class UsageEvent(Model):
    id = fields.BigIntField(primary_key=True)
    event_id = fields.UUIDField()  # the client's idempotency key: unique within its organization (Meta)
    organization = fields.ForeignKeyField("models.Organization", related_name="usage_events", on_delete=fields.CASCADE)
    user_id = fields.IntField(null=True)
    api_key_id = fields.IntField(null=True)
    resource_type = fields.CharField(max_length=20)
    provider = fields.CharField(max_length=100, default="")
    model = fields.CharField(max_length=200, default="")
    input_tokens = fields.BigIntField(default=0)
    output_tokens = fields.BigIntField(default=0)
    cached_tokens = fields.BigIntField(default=0)
    reasoning_tokens = fields.BigIntField(default=0)
    quantity = fields.FloatField(default=0)
    latency_ms = fields.FloatField(null=True)
    status = fields.CharField(max_length=20, default="success")
    cost_usd = fields.DecimalField(max_digits=20, decimal_places=10, default=0)
    cost_source = fields.CharField(max_length=10, default="unpriced")
    prompt_id = fields.IntField(null=True)
    version_hash = fields.CharField(max_length=128, null=True)
    request_id = fields.CharField(max_length=200, null=True)
    occurred_at = fields.DatetimeField()
    received_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "usage_events"
        # An event id names an event within its organization: another organization's event with the same
        # id is its own event, not a duplicate (a re-delivery within one organization still is).
        unique_together = (("organization", "event_id"),)
        indexes = (
            ("organization_id", "occurred_at"),
            ("organization_id", "user_id", "occurred_at"),
            ("organization_id", "prompt_id", "version_hash"),
        )


# One slice of an (organization, bucket): ``dimension`` is what the slice is keyed by and ``key``
# its value -- "resource" (resource type), "model" (provider TAB model), "user" (user id, "" for
# none), "prompt" (prompt id TAB version hash).  Each event lands in one row of every dimension, so
# a read for any breakdown touches a few rows per day however many events there were.
# ``latency`` is a serialized DDSketch (services/rollups/sketch.py).  Rows are rebuilt whole from
# raw events, so a rebuild is idempotent.  (No class docstring: it would become a table COMMENT.)
class UsageRollupFields(Model):
    id = fields.BigIntField(primary_key=True)
    organization_id = fields.IntField()
    bucket_start = fields.DatetimeField()
    dimension = fields.CharField(max_length=10)
    key = fields.CharField(max_length=340)
    requests = fields.BigIntField(default=0)
    errors = fields.BigIntField(default=0)
    input_tokens = fields.BigIntField(default=0)
    output_tokens = fields.BigIntField(default=0)
    cached_tokens = fields.BigIntField(default=0)
    reasoning_tokens = fields.BigIntField(default=0)
    quantity = fields.FloatField(default=0)
    cost_usd = fields.FloatField(default=0)
    latency_sum_ms = fields.FloatField(default=0)
    latency_n = fields.BigIntField(default=0)
    latency = fields.JSONField(default=dict)

    class Meta:
        abstract = True


class UsageRollupHourly(UsageRollupFields):
    class Meta:
        table = "usage_rollups_hourly"
        unique_together = (("organization_id", "bucket_start", "dimension", "key"),)


class UsageRollupDaily(UsageRollupFields):
    class Meta:
        table = "usage_rollups_daily"
        unique_together = (("organization_id", "bucket_start", "dimension", "key"),)
        # A read of one dimension over a period (the aggregate: resource types) without scanning
        # the other dimensions' rows of every day.
        indexes = (("organization_id", "dimension", "bucket_start"),)


# An organization's own price for a model, in force from ``valid_from`` until a later row of the
# same model.  Prices are USD per token (LiteLLM's field names).
class UsageModelPrice(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField("models.Organization", related_name="usage_prices", on_delete=fields.CASCADE)
    model = fields.CharField(max_length=200)
    provider = fields.CharField(max_length=100, default="")
    input_cost_per_token = fields.FloatField(default=0)
    output_cost_per_token = fields.FloatField(default=0)
    cache_read_input_token_cost = fields.FloatField(null=True)
    output_cost_per_reasoning_token = fields.FloatField(null=True)
    valid_from = fields.DatetimeField()
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "usage_model_prices"
        unique_together = (("organization", "model", "valid_from"),)


# One plan per organization: monthly limits per resource type, a USD budget, the day of the month a
# period starts on, the budget thresholds (percent) that notify, and the channels to notify.
class UsagePlan(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.OneToOneField("models.Organization", related_name="usage_plan", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=100, default="custom")
    limits = fields.JSONField(default=dict)
    monthly_budget_usd = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    period_start_day = fields.IntField(default=1)
    alert_thresholds = fields.JSONField(default=list)
    notification_channel_ids = fields.JSONField(default=list)
    updated_at = fields.DatetimeField(auto_now=True)

    organization_id: int

    class Meta:
        table = "usage_plans"


# A budget threshold that has notified in one period: the unique key makes "once per period" hold
# with several workers checking at once.
class UsageBudgetNotice(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="usage_budget_notices", on_delete=fields.CASCADE
    )
    period_start = fields.DateField()
    threshold_percent = fields.IntField()
    spent_usd = fields.FloatField()
    budget_usd = fields.FloatField()
    alert_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "usage_budget_notices"
        unique_together = (("organization", "period_start", "threshold_percent"),)


# A user's opt-in public streaming profile (the public user analytics route reads only these).
class PublicProfile(Model):
    id = fields.IntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="public_profiles", on_delete=fields.CASCADE
    )
    user = fields.OneToOneField("models.User", related_name="public_profile", on_delete=fields.CASCADE)
    username = fields.CharField(max_length=40, unique=True)
    display_name = fields.CharField(max_length=100)
    partner_status = fields.CharField(max_length=10, default="none")
    published = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organization_id: int
    user_id: int

    class Meta:
        table = "public_profiles"


class StreamSession(Model):
    id = fields.IntField(primary_key=True)
    profile = fields.ForeignKeyField("models.PublicProfile", related_name="sessions", on_delete=fields.CASCADE)
    started_at = fields.DatetimeField()
    duration_seconds = fields.IntField()
    views = fields.IntField(default=0)
    followers_gained = fields.IntField(default=0)
    average_viewers = fields.FloatField(default=0)
    peak_viewers = fields.IntField(default=0)
    category = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    profile_id: int

    class Meta:
        table = "stream_sessions"
        indexes = (("profile_id", "started_at"),)
