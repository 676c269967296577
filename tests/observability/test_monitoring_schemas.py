"""Every observability route's ``data`` is what its documented ``response_model`` says, key for key.

Schemathesis checks bodies against /openapi.json, where extra keys are allowed; here each
answer must also have no key its model does not name (so the models list every key the services
return) and every key the model requires.  The data is made non-trivial first: recorded runs,
a slow and failing endpoint (recommendations, breaches), and the sampler on (a stored sample).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import BaseModel

from api.app import all_endpoints
from models.monitoring import MonitorSwitch
from services.observability import requests as request_metrics


def _same_keys(sent: Any, echoed: Any, where: str) -> None:
    if isinstance(sent, dict):
        assert isinstance(echoed, dict), where
        assert set(sent) == set(echoed), f"{where}: undocumented {set(sent) - set(echoed)}"
        for name, value in sent.items():
            _same_keys(value, echoed[name], f"{where}.{name}")
    elif isinstance(sent, list):
        assert isinstance(echoed, list) and len(sent) == len(echoed), where
        for i, (a, b) in enumerate(zip(sent, echoed, strict=True)):
            _same_keys(a, b, f"{where}[{i}]")


def _model(method: str, path: str) -> type[BaseModel]:
    found = [ep.response_model for ep in all_endpoints() if ep.method == method and path in ep.paths]
    assert len(found) == 1 and found[0] is not None, f"{method} {path} has no response_model"
    return found[0]


@pytest.fixture
async def sampler_restored():
    before = await MonitorSwitch.get_or_none(name="system_sampler")
    yield
    row = await MonitorSwitch.get_or_none(name="system_sampler")
    if row is not None:
        if before is None:
            await row.delete()
        else:
            row.enabled = before.enabled
            await row.save()


async def test_observability_answers_match_their_models(client, make_tenant, sampler_restored):
    root = await make_tenant("superuser")
    admin = await make_tenant("admin")
    records = {
        "/v1/metrics/record/agent": {"agent_role": "planner", "status": "success", "duration": 1.5},
        "/v1/metrics/record/feedback": {"feedback_type": "thumbs", "rating": "negative", "agent_role": "planner"},
        "/v1/metrics/record/workflow": {
            "workflow_type": "etl",
            "status": "failure",
            "duration": 3,
            "steps_executed": 2,
        },
    }
    route = f"/schema-{uuid.uuid4().hex[:8]}"
    at = request_metrics.current_hour() + 30
    for status in (200,) * 20 + (503,) * 10:
        request_metrics.RECORDER.record("GET", route, status, 2.5, at=at)
    await request_metrics.flush()

    calls: list[tuple[str, str, dict[str, Any], Any]] = [
        ("POST", path, params, admin) for path, params in records.items()
    ]
    calls += [
        ("POST", "/v1/monitoring/start", {}, root),
        ("GET", "/v1/metrics/health", {}, None),
        ("GET", "/v1/metrics/json", {}, admin),
        ("GET", "/v1/metrics/json", {}, root),
        ("GET", "/v1/metrics/json", {"include_system": "false", "include_app": "false"}, admin),
        ("GET", "/v1/metrics/summary", {}, admin),
        ("GET", "/v1/monitoring/dashboard", {"hours": 2}, admin),
        ("GET", "/v1/monitoring/dashboard", {"hours": 2}, root),
        ("GET", "/v1/monitoring/endpoints/performance", {}, admin),
        ("GET", "/v1/monitoring/health", {}, None),
        ("GET", "/v1/monitoring/health-check", {}, admin),
        ("GET", "/v1/monitoring/metrics/current", {}, admin),
        ("GET", "/v1/monitoring/recommendations", {}, admin),
        ("GET", "/v1/monitoring/trends/response-time", {"endpoint": route}, admin),
        ("POST", "/v1/monitoring/stop", {}, root),
    ]
    for method, path, params, who in calls:
        headers = who.headers if who else {}
        r = await client.request(method, path, params=params, headers=headers)
        assert r.status_code == 200, (path, r.text)
        data = r.json()["data"]
        echoed = _model(method, path).model_validate(data).model_dump(mode="json", exclude_unset=True)
        _same_keys(data, echoed, f"{method} {path}")
