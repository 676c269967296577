"""GraphQL shell: viewer, error codes, masking and DataLoader batching."""

from __future__ import annotations

VIEWER = "{ viewer { role authMethod user { id email organization { id name } } organization { id } } }"


async def gql(client, query: str, headers: dict[str, str] | None = None, **variables) -> dict:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers or {})
    assert r.status_code == 200, r.text
    return r.json()


async def test_viewer_with_credentials(client, make_tenant):
    tenant = await make_tenant("admin")
    out = await gql(client, VIEWER, tenant.headers)
    assert "errors" not in out
    viewer = out["data"]["viewer"]
    assert viewer["role"] == "admin" and viewer["authMethod"] == "jwt"
    assert viewer["user"]["email"] == tenant.email
    assert viewer["user"]["organization"]["id"] == tenant.organization_id
    assert viewer["organization"]["id"] == tenant.organization_id
    by_key = await gql(client, VIEWER, tenant.key_headers)
    assert by_key["data"]["viewer"]["authMethod"] == "api_key"


async def test_viewer_without_credentials(client):
    out = await gql(client, VIEWER)
    assert out["data"] is None
    assert out["errors"][0]["extensions"]["code"] == "UNAUTHORIZED"
    assert out["errors"][0]["path"] == ["viewer"]


async def test_bad_token_on_graphql_is_http_401(client):
    r = await client.post("/graphql", json={"query": VIEWER}, headers={"Authorization": "Bearer junk"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"


async def test_other_organizations_user_is_not_found(client, make_tenant):
    a = await make_tenant()
    b = await make_tenant()
    out = await gql(client, "query($id: Int!) { user(id: $id) { email } }", b.headers, id=a.user_id)
    assert out["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    own = await gql(client, "query($id: Int!) { user(id: $id) { email } }", a.headers, id=a.user_id)
    assert own["data"]["user"]["email"] == a.email


async def test_invalid_query_has_a_code(client, make_tenant):
    tenant = await make_tenant()
    out = await gql(client, "{ viewer { nope } }", tenant.headers)
    assert out["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
