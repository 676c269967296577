"""OpenAPI 3.1 document generated from the route table and its pydantic models.

The route table's models already carry every bound the router enforces (integers get the
int4 range unless a field says otherwise, see ``Endpoint``), so parameters and bodies show
the limits clients and fuzzers must respect.  Error responses are listed wherever they can
happen, each as the error envelope: 400 and 500 always; 401 always (a bad token is refused
even on public routes); 403 on authenticated routes; 404 when the path, the query or the
body names another object by id; 413 with a body; 503 (database or Redis unreachable)
wherever a backing service is used; plus any code the route lists itself.
"""

from __future__ import annotations

import re
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

_PUBLIC_401 = "A malformed, expired or revoked token was sent (the route needs none)"

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


_ID_FIELD = re.compile(r"(^|_)ids?$")
NO_BACKING_SERVICE = {"/healthz"}  # liveness: no I/O, so never a 503


def _names_ids(schema: Any, schemas: dict[str, Any], seen: set[str] | None = None) -> bool:
    """Whether a JSON schema has a property (at any depth) that names an object by id."""
    seen = set() if seen is None else seen
    if isinstance(schema, list):
        return any(_names_ids(item, schemas, seen) for item in schema)
    if not isinstance(schema, dict):
        return False
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return False
        seen.add(name)
        return _names_ids(schemas.get(name, {}), schemas, seen)
    properties = schema.get("properties", {})
    if any(_ID_FIELD.search(name) for name in properties):
        return True
    nested = [*properties.values(), schema.get("items"), schema.get("additionalProperties")]
    nested += [*schema.get("anyOf", []), *schema.get("oneOf", []), *schema.get("allOf", [])]
    return any(_names_ids(item, schemas, seen) for item in nested if item)


def _document_shadowing_405(paths: dict[str, Any]) -> None:
    """A literal path owns its URL (see ``LiteralFirstRouter``): ``PATCH /api/v1/prompts/{prompt_id}``
    with the id ``analytics`` is ``PATCH /api/v1/prompts/analytics``, a 405 listing what that path
    allows.  Document the 405 on each templated operation some literal path shadows that way."""
    literal = {path: set(ops) for path, ops in paths.items() if not path_parameters(path)}
    for path, ops in paths.items():
        if not path_parameters(path):
            continue
        template = re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")
        shadows = [other for other in literal if template.match(other)]
        for method, op in ops.items():
            refusing = [other for other in shadows if method not in literal[other]]
            if refusing:
                op["responses"]["405"] = {
                    "description": f"Method not allowed: a path parameter spelling a literal segment makes the URL "
                    f"{' or '.join(refusing)}, which does not allow {method.upper()} (see Allow)",
                    "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorEnvelope")}}},
                }


def _with_generic_errors(op: dict[str, Any]) -> dict[str, Any]:
    """An operation served outside the route table (GraphQL) still sits behind the same middleware
    and authentication: it answers malformed requests, bad tokens, oversized bodies, masked errors
    and unreachable backing services with the envelope too.  Codes it documents itself are kept."""
    responses = dict(op.get("responses", {}))
    codes = [400, 401, 500, 503] + ([413] if "requestBody" in op else [])
    for code in codes:
        responses.setdefault(
            str(code),
            {
                "description": _ERRORS[code],
                "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorEnvelope")}}},
            },
        )
    return {**op, "responses": dict(sorted(responses.items()))}


def _success_content(media_types: tuple[str, ...], json_schema: dict[str, Any]) -> dict[str, Any]:
    """Non-enveloped success bodies: JSON types described by the route's ``response_model`` (the
    body itself, not an envelope), other types as text or bytes."""
    return {media: {"schema": json_schema if "json" in media else {"type": "string"}} for media in media_types}


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _schema_for(annotation: Any, defs: dict[str, Any], refs: dict[Any, Any]) -> dict[str, Any]:
    if _is_model(annotation):
        return dict(refs[(annotation, "serialization")])
    schema = TypeAdapter(annotation).json_schema(ref_template=REF)
    defs.update(schema.pop("$defs", {}))
    return schema


def _resolve(model: type[BaseModel], schemas: dict[str, Any], refs: dict[Any, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = schemas[refs[(model, "validation")]["$ref"].rsplit("/", 1)[-1]]
    return schema


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
            elif ep.raw_body:
                op["requestBody"] = {
                    "required": True,
                    "content": {media: {"schema": schema} for media, schema in ep.raw_body.items()},
                }
            if ep.status == 204:
                op["responses"]["204"] = {"description": ep.responses.get(204, "No content")}
            elif ep.media_type:
                media_types = (ep.media_type,) if isinstance(ep.media_type, str) else tuple(ep.media_type)
                op["responses"][str(ep.status)] = {
                    "description": ep.responses.get(ep.status, "Success"),
                    "content": _success_content(media_types, data_schema),
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
            codes = [400, 401, 500]
            if not ep.public:
                codes.append(403)
            if path not in NO_BACKING_SERVICE:
                codes.append(503)
            if path_parameters(path) or any(
                _names_ids(dict(refs[(model, "validation")]), schemas, set())
                for model in (ep.query_model, ep.body_model)
                if model is not None
            ):
                codes.append(404)
            if ep.body_model:
                codes.append(413)
            codes += [c for c in ep.responses if c >= 400]
            for code in sorted(set(codes)):
                default = _PUBLIC_401 if code == 401 and ep.public else _ERRORS.get(code, "Error")
                op["responses"][str(code)] = {
                    "description": ep.responses.get(code, default),
                    "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorEnvelope")}}},
                }
            paths.setdefault(path, {})[ep.method.lower()] = op
    if extra_paths:
        for path, ops in extra_paths.items():
            for method, op in ops.items():
                paths.setdefault(path, {})[method] = _with_generic_errors(op)
    _document_shadowing_405(paths)
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
