"""The OpenAPI document is valid and describes every served REST route."""

from __future__ import annotations

from openapi_spec_validator import validate

from api.app import all_endpoints


async def test_openapi_is_valid_and_complete(client):
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    validate(spec)
    served = {(ep.method.lower(), path) for ep in all_endpoints() for path in ep.paths}
    documented = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert served <= documented
    op = spec["paths"]["/api/v1/api-keys"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ApiKeyCreate")
    assert {"201", "400", "401", "413"} <= set(op["responses"])
    data = op["responses"]["201"]["content"]["application/json"]["schema"]["properties"]["data"]
    assert data["$ref"].endswith("/ApiKeyCreated")
    params = {p["name"]: p for p in spec["paths"]["/api/v1/users/{user_id}"]["get"]["parameters"]}
    assert params["user_id"]["in"] == "path" and params["user_id"]["schema"]["type"] == "integer"


async def test_docs_page_points_at_the_spec(client):
    r = await client.get("/docs")
    assert r.status_code == 200 and "/openapi.json" in r.text and "swagger-ui" in r.text


async def test_graphiql_served_to_browsers(client):
    r = await client.get("/graphql", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "graphiql" in r.text.lower()


async def test_every_json_route_documents_its_data(client):
    """Every enveloped 2xx answer names the schema of its ``data`` (no untyped ``{}``)."""
    spec = (await client.get("/openapi.json")).json()
    untyped = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for code, response in op["responses"].items():
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                if code.startswith("2") and "data" in schema.get("properties", {}):
                    if not schema["properties"]["data"]:
                        untyped.append(f"{method.upper()} {path} {code}")
    assert untyped == []


# Bodies that are not JSON: files, Prometheus or InfluxDB text, OTLP protobuf.
NON_JSON_MEDIA = {
    "text/csv",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/x-protobuf",
}

# POST/PUT/PATCH operations that take no request body, each with the reason.
BODILESS = {
    # actions without parameters: the path says it all
    ("post", "/v1/mcp/proxy/metrics/clear-cache"),
    ("post", "/v1/monitoring/start"),
    ("post", "/v1/monitoring/stop"),
    ("post", "/v1/security/start"),
    ("post", "/v1/security/stop"),
    # query-driven: seed 003 takes the recorded run's fields as query parameters
    ("post", "/v1/metrics/record/agent"),
    ("post", "/v1/metrics/record/feedback"),
    ("post", "/v1/metrics/record/workflow"),
}


async def test_every_operation_documents_its_request_and_response_schemas(client):
    """Every 2xx answer has a non-empty schema for each JSON media type (and for the enveloped
    ``data``); every POST/PUT/PATCH has a requestBody unless it is in :data:`BODILESS`."""
    spec = (await client.get("/openapi.json")).json()
    untyped, unknown_media, bodiless = [], [], set()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method in ("post", "put", "patch") and "requestBody" not in op:
                bodiless.add((method, path))
            for code, response in op["responses"].items():
                if not code.startswith("2"):
                    continue
                for media, content in response.get("content", {}).items():
                    schema = content.get("schema", {})
                    if "json" in media:
                        data = schema.get("properties", {}).get("data", True)
                        if not schema or not data:
                            untyped.append(f"{method.upper()} {path} {code} {media}")
                    elif media.split(";")[0].strip() not in NON_JSON_MEDIA:
                        unknown_media.append(f"{method.upper()} {path} {code} {media}")
    assert untyped == []
    assert unknown_media == []
    assert bodiless == BODILESS


async def test_export_row_schema_names_the_export_columns(client):
    from services.analytics import export

    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    assert list(schemas["ExportRow"]["properties"]) == [*export.KEY_COLUMNS, *export.METRIC_COLUMNS]
