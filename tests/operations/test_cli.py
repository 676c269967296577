"""The operator CLI contract: ``python -m api.cli bootstrap`` and ``create-api-key``."""

from __future__ import annotations

import json
import uuid

from tests.conftest import run_cli


async def test_bootstrap_is_idempotent_and_prints_working_credentials(client):
    org, email = f"cli-{uuid.uuid4().hex[:6]}", f"cli-{uuid.uuid4().hex[:6]}@example.test"
    first = json.loads(run_cli("bootstrap", "--org", org, "--email", email, "--role", "admin").stdout)
    assert set(first) == {"organization_id", "user_id", "api_key", "access_token"}
    second = json.loads(run_cli("bootstrap", "--org", org, "--email", email, "--role", "admin").stdout)
    assert (second["organization_id"], second["user_id"]) == (first["organization_id"], first["user_id"])

    for creds in (second["api_key"], second["access_token"]):
        me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {creds}"})
        assert me.status_code == 200
        assert me.json()["data"]["organization_name"] == org and me.json()["data"]["role"] == "admin"
    # rotating the bootstrap key revoked the previous one
    old = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {first['api_key']}"})
    assert old.status_code == 401


def test_bootstrap_rejects_an_unknown_role():
    result = run_cli("bootstrap", "--org", "x", "--email", "x@example.test", "--role", "owner", check=False)
    assert result.returncode == 2 and "invalid choice" in result.stderr


async def test_create_api_key_for_existing_user(client, make_tenant):
    tenant = await make_tenant("admin")
    out = json.loads(run_cli("create-api-key", "--email", tenant.email, "--name", "ops", "--role", "member").stdout)
    assert out["role"] == "member" and out["organization_id"] == tenant.organization_id
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {out['api_key']}"})
    assert me.json()["data"]["role"] == "member"
