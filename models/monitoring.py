"""Self-monitoring: sampled host metrics, the sampler switch and manually recorded agent metrics.

Host samples and the monitor switch are platform-wide (they describe machines, not
tenants).  Agent, feedback and workflow records are tenant-owned like every other fact
a caller logs.  Request performance is not here: it lives in Redis hourly buckets
(``services/observability/requests.py``) so the request path never writes to the database.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


# One psutil probe of one host, written by the sampler cron job while monitoring is on.
class SystemMetricSample(Model):
    id = fields.BigIntField(primary_key=True)
    host = fields.CharField(max_length=255)
    sampled_at = fields.DatetimeField()
    cpu_percent = fields.FloatField()
    memory_percent = fields.FloatField()
    memory_used_bytes = fields.BigIntField()
    disk_percent = fields.FloatField()
    disk_used_bytes = fields.BigIntField()
    net_bytes_sent = fields.BigIntField()
    net_bytes_recv = fields.BigIntField()
    load_1 = fields.FloatField(null=True)
    load_5 = fields.FloatField(null=True)
    load_15 = fields.FloatField(null=True)
    process_rss_bytes = fields.BigIntField()
    process_threads = fields.IntField()
    process_open_files = fields.IntField()

    class Meta:
        table = "system_metric_samples"
        indexes = (("sampled_at",), ("host", "sampled_at"))


# Named platform switches that every process must agree on and that survive restarts
# (today: whether the system-metrics sampler is on).
class MonitorSwitch(Model):
    name = fields.CharField(max_length=64, primary_key=True)
    enabled = fields.BooleanField(default=False)
    interval_seconds = fields.IntField(default=30)
    changed_by = fields.IntField(null=True)
    changed_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "monitor_switches"


# POST /v1/metrics/record/agent: one agent execution.
class AgentMetric(Model):
    id = fields.BigIntField(primary_key=True)
    organization = fields.ForeignKeyField("models.Organization", related_name="agent_metrics", on_delete=fields.CASCADE)
    user_id = fields.IntField(null=True)
    agent_role = fields.CharField(max_length=100)
    agent_type = fields.CharField(max_length=100, null=True)
    status = fields.CharField(max_length=10)
    duration_seconds = fields.FloatField()
    recorded_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "agent_metrics"
        indexes = (("organization_id", "recorded_at"),)


# POST /v1/metrics/record/feedback: one RLHF feedback signal.
class FeedbackMetric(Model):
    id = fields.BigIntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="feedback_metrics", on_delete=fields.CASCADE
    )
    user_id = fields.IntField(null=True)
    feedback_type = fields.CharField(max_length=100)
    rating = fields.CharField(max_length=10)
    agent_role = fields.CharField(max_length=100)
    response_time_seconds = fields.FloatField(null=True)
    recorded_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "feedback_metrics"
        indexes = (("organization_id", "recorded_at"),)


# POST /v1/metrics/record/workflow: one workflow run.
class WorkflowMetric(Model):
    id = fields.BigIntField(primary_key=True)
    organization = fields.ForeignKeyField(
        "models.Organization", related_name="workflow_metrics", on_delete=fields.CASCADE
    )
    user_id = fields.IntField(null=True)
    workflow_type = fields.CharField(max_length=100)
    status = fields.CharField(max_length=10)
    duration_seconds = fields.FloatField()
    steps_executed = fields.IntField(null=True)
    recorded_at = fields.DatetimeField(auto_now_add=True)

    organization_id: int

    class Meta:
        table = "workflow_metrics"
        indexes = (("organization_id", "recorded_at"),)


# Running totals of the recorded runs above, per organization, kind, dimension value and outcome
# (status or rating), kept in the transaction that stores each record: the all-time figures of
# GET /v1/metrics/json read these few rows instead of every record (services/metrics/query.py).
class RecordTotal(Model):
    id = fields.BigIntField(primary_key=True)
    organization = fields.ForeignKeyField("models.Organization", related_name="record_totals", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=10)  # agents | workflows | feedback
    dimension = fields.CharField(max_length=20)  # agent_role, agent_type, workflow_type, feedback_type, response_time
    key = fields.CharField(max_length=100)  # the dimension's value ("" when the record has none)
    outcome = fields.CharField(max_length=10)  # the record's status or rating
    n = fields.BigIntField(default=0)
    value_n = fields.BigIntField(
        default=0
    )  # records with the measured seconds (a feedback's response time is optional)
    value_sum = fields.FloatField(null=True)  # duration_seconds, or response_time_seconds for feedback
    value_min = fields.FloatField(null=True)
    value_max = fields.FloatField(null=True)
    steps_n = fields.BigIntField(default=0)  # workflows with steps_executed
    steps_sum = fields.BigIntField(default=0)

    organization_id: int

    class Meta:
        table = "record_totals"
        unique_together = (("organization", "kind", "dimension", "key", "outcome"),)
