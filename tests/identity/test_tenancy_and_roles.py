"""Roles and organization boundaries on the foundation's own resources."""

from __future__ import annotations


async def test_member_cannot_mint_a_key_above_its_role(client, make_tenant):
    member = await make_tenant("member")
    r = await client.post("/api/v1/api-keys", json={"name": "x", "role": "admin"}, headers=member.headers)
    assert r.status_code == 400
    assert r.json()["error"]["details"][0]["field"] == "role"


async def test_admin_only_routes_refuse_members_with_403(client, make_tenant):
    member = await make_tenant("member")
    r = await client.get("/api/v1/users", headers=member.headers)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "FORBIDDEN"
    r = await client.post("/api/v1/users", json={"email": "x@example.test", "role": "member"}, headers=member.headers)
    assert r.status_code == 403


async def test_admin_manages_users_of_its_own_organization(client, make_tenant):
    admin = await make_tenant("admin")
    r = await client.post(
        "/api/v1/users",
        json={"email": "New.Person@Example.test", "role": "member", "password": "s3cret-pass"},
        headers=admin.headers,
    )
    assert r.status_code == 201, r.text
    created = r.json()["data"]
    assert created["email"] == "new.person@example.test" and created["role"] == "member"
    listed = await client.get("/api/v1/users", headers=admin.headers)
    emails = [u["email"] for u in listed.json()["data"]["items"]]
    assert sorted(emails) == sorted([admin.email, "new.person@example.test"])
    login = await client.post(
        "/api/v1/auth/token", json={"email": "new.person@example.test", "password": "s3cret-pass"}
    )
    assert login.status_code == 200
    dup = await client.post(
        "/api/v1/users", json={"email": "new.person@example.test", "role": "member"}, headers=admin.headers
    )
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "CONFLICT"
    above = await client.post(
        "/api/v1/users", json={"email": "boss@example.test", "role": "superuser"}, headers=admin.headers
    )
    assert above.status_code == 400 and above.json()["error"]["details"][0]["field"] == "role"


async def test_other_organizations_keys_are_404(client, make_tenant):
    a = await make_tenant("admin")
    b = await make_tenant("admin")
    keys_a = (await client.get("/api/v1/api-keys", headers=a.headers)).json()["data"]["items"]
    assert len(keys_a) == 1
    r = await client.delete(f"/api/v1/api-keys/{keys_a[0]['id']}", headers=b.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    keys_b = (await client.get("/api/v1/api-keys", headers=b.headers)).json()["data"]["items"]
    assert {k["id"] for k in keys_b}.isdisjoint({k["id"] for k in keys_a})
    # the key still works for its owner
    assert (await client.get("/api/v1/auth/me", headers=a.key_headers)).status_code == 200


async def test_other_organizations_user_is_404(client, make_tenant):
    a = await make_tenant("admin")
    b = await make_tenant("admin")
    r = await client.get(f"/api/v1/users/{a.user_id}", headers=b.headers)
    assert r.status_code == 404
    r = await client.get(f"/api/v1/users/{a.user_id}", headers=a.headers)
    assert r.status_code == 200 and r.json()["data"]["email"] == a.email


async def test_members_see_only_their_own_keys_admins_see_all(client, make_tenant):
    admin = await make_tenant("admin")
    r = await client.post(
        "/api/v1/users",
        json={"email": f"m-{admin.user_id}@example.test", "role": "member", "password": "pw-member"},
        headers=admin.headers,
    )
    assert r.status_code == 201
    token = (
        await client.post(
            "/api/v1/auth/token", json={"email": f"m-{admin.user_id}@example.test", "password": "pw-member"}
        )
    ).json()["data"]["access_token"]
    member_headers = {"Authorization": f"Bearer {token}"}
    await client.post("/api/v1/api-keys", json={"name": "member-key"}, headers=member_headers)
    mine = (await client.get("/api/v1/api-keys", headers=member_headers)).json()["data"]["items"]
    assert [k["name"] for k in mine] == ["member-key"]
    everything = (await client.get("/api/v1/api-keys", headers=admin.headers)).json()["data"]["items"]
    assert {k["name"] for k in everything} == {"member-key", "bootstrap"}
