"""OpenAPI 3.1 document generated from the route table and its pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from api.routing import Endpoint, path_parameters

REF = "#/components/schemas/{model}"
_ERRORS = {
    400: "Bad request: validation failed (one `details` item per bad field)",
    401: "Invalid or missing authentication token",
    403: "Authenticated but not allowed",
    404: "Not found (another organization's object is a 404 too)",
    413: "Request body too large",
    429: "Rate limited; see Retry-After",
    500: "Internal server error (masked, with a request id)",
    503: "A backing service is unavailable; see Retry-After",
}

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["success", "error", "message"],
    "properties": {
        "success": {"type": "boolean", "const": False},
        "message": {"type": "string"},
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "request_id": {"type": "string"},
                "details": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string"},
                            "message": {"type": "string"},
                            "type": {"type": "string"},
                        },
                    },
                },
            },
        },
    },
}


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _schema_for(annotation: Any, defs: dict[str, Any], refs: dict[Any, Any]) -> dict[str, Any]:
    if _is_model(annotation):
        return dict(refs[(annotation, "serialization")])
    schema = TypeAdapter(annotation).json_schema(ref_template=REF)
    defs.update(schema.pop("$defs", {}))
    return schema


def _resolve(model: type[BaseModel], schemas: dict[str, Any], refs: dict[Any, Any]) -> dict[str, Any]:
    return schemas[refs[(model, "validation")]["$ref"].rsplit("/", 1)[-1]]


def _parameters(ep: Endpoint, path: str, schemas: dict[str, Any], refs: dict[Any, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    path_props = _resolve(ep.path_model, schemas, refs).get("properties", {}) if ep.path_model else {}
    for name in path_parameters(path):
        params.append(
            {"name": name, "in": "path", "required": True, "schema": path_props.get(name, {"type": "string"})}
        )
    if ep.query_model:
        model_schema = _resolve(ep.query_model, schemas, refs)
        required = set(model_schema.get("required", []))
        for name, prop in model_schema.get("properties", {}).items():
            prop = dict(prop)
            description = prop.pop("description", None)
            param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if description:
                param["description"] = description
            if prop.get("type") == "array":
                param["style"], param["explode"] = "form", True
            params.append(param)
    return params


def build_openapi(
    endpoints: list[Endpoint], title: str, version: str, extra_paths: dict[str, Any] | None = None
) -> dict[str, Any]:
    wanted: list[tuple[type[BaseModel], Any]] = []
    for ep in endpoints:
        for model in (ep.path_model, ep.query_model, ep.body_model):
            if model is not None and (model, "validation") not in wanted:
                wanted.append((model, "validation"))
        if _is_model(ep.response_model) and (ep.response_model, "serialization") not in wanted:
            wanted.append((ep.response_model, "serialization"))
    refs, top = models_json_schema(wanted, ref_template=REF)
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    schemas["ErrorEnvelope"] = ERROR_ENVELOPE

    paths: dict[str, Any] = {}
    for ep in endpoints:
        data_schema = _schema_for(ep.response_model, schemas, refs) if ep.response_model is not None else {}
        for path in ep.paths:
            op: dict[str, Any] = {
                "operationId": f"{ep.operation_id}{'' if path == ep.paths[0] else '_' + str(ep.paths.index(path))}",
                "summary": ep.summary,
                "tags": [ep.tag],
                "parameters": _parameters(ep, path, schemas, refs),
                "responses": {},
            }
            if ep.description:
                op["description"] = ep.description
            if not ep.public:
                op["security"] = [{"bearerAuth": []}]
            else:
                op["security"] = [{}, {"bearerAuth": []}]
            if ep.body_model:
                op["requestBody"] = {
                    "required": ep.body_required,
                    "content": {"application/json": {"schema": dict(refs[(ep.body_model, "validation")])}},
                }
            if ep.status == 204:
                op["responses"]["204"] = {"description": ep.responses.get(204, "No content")}
            elif ep.media_type:
                op["responses"][str(ep.status)] = {
                    "description": ep.responses.get(ep.status, "Success"),
                    "content": {ep.media_type: {"schema": {"type": "string"}}},
                }
            else:
                op["responses"][str(ep.status)] = {
                    "description": ep.responses.get(ep.status, "Success"),
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["success", "data", "message"],
                                "properties": {
                                    "success": {"type": "boolean", "const": True},
                                    "data": data_schema,
                                    "message": {"type": "string"},
                                },
                            }
                        }
                    },
                }
            codes = [400, 500]
            if not ep.public:
                codes += [401, 403]
            if path_parameters(path):
                codes.append(404)
            if ep.body_model:
                codes.append(413)
            codes += [c for c in ep.responses if c >= 400]
            for code in sorted(set(codes)):
                op["responses"][str(code)] = {
                    "description": ep.responses.get(code, _ERRORS.get(code, "Error")),
                    "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorEnvelope")}}},
                }
            paths.setdefault(path, {})[ep.method.lower()] = op
    if extra_paths:
        for path, ops in extra_paths.items():
            paths.setdefault(path, {}).update(ops)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "PromptOps Analytics REST API. Every JSON response uses the envelope "
            "`{success, data, message}` or `{success: false, error, message}`.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A JWT from /api/v1/auth/token or an API key",
                }
            },
        },
    }
