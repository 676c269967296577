"""Shared set-up for the deployments tests: environments, prompts, deployments and events via the public API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from workers import jobs

CTX = {"worker_id": "test-deployments"}
BASE = "/admin/deployment-analytics"


async def environment(client, tenant, name: str = "production", kind: str = "production") -> dict:
    r = await client.post("/api/v1/environments", json={"name": name, "kind": kind}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def prompt(client, tenant, name: str = "summarizer") -> tuple[int, str]:
    body = {"name": name, "uuid": str(uuid.uuid4())}
    r = await client.post("/api/v1/prompts", json=body, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"], body["uuid"]


async def deploy(client, tenant, env_id: int, expect: int = 201, **fields: Any) -> dict:
    body = {"environment_id": env_id, "name": "release", "version": "1.0.0", **fields}
    for key in ("started_at", "finished_at"):
        if isinstance(body.get(key), datetime):
            body[key] = body[key].isoformat()
    r = await client.post("/api/v1/deployments", json=body, headers=tenant.headers)
    assert r.status_code == expect, r.text
    return r.json()["data"] if expect == 201 else r.json()


async def send(client, tenant, events: list[dict]) -> None:
    for i in range(0, len(events), 500):
        r = await client.post(
            "/api/v1/prompts/analytics/batch", json={"events": events[i : i + 500]}, headers=tenant.key_headers
        )
        assert r.status_code == 202, r.text
    await jobs.drain_ingest(CTX)
    await jobs.refresh_rollups(CTX)


def ev(prompt_uuid: str, when: datetime, version: str, **fields: Any) -> dict:
    return {"prompt_id": prompt_uuid, "version_hash": version, "timestamp": when.isoformat(), **fields}
