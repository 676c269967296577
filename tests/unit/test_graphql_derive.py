"""GraphQL types come from the domains' result models; connections and cursors from one module.

Through the built schema: every object type derived from a pydantic model shows each of the model's
fields (save the ones it keeps private) with the model's nullability, so a field added to a model
appears in GraphQL too and a restated type cannot drift from its model.
"""

from __future__ import annotations

import base64
import dataclasses
import typing
from typing import Any, Literal

import pytest
import strawberry
from graphql import GraphQLNonNull, GraphQLObjectType
from pydantic import BaseModel
from strawberry.scalars import JSON

from graphql_schema.derive import graphql_annotation, model_type
from graphql_schema.pagination import Connection, id_after, id_cursor
from graphql_schema.schema import schema
from services.core.errors import BadRequest


def _derived_types() -> list[tuple[str, type[BaseModel], set[str]]]:
    out = []
    for name, gql_type in schema._schema.type_map.items():
        if not isinstance(gql_type, GraphQLObjectType):
            continue
        definition = schema.get_type_by_name(name)
        origin = getattr(definition, "origin", None)
        model = getattr(origin, "_pydantic_type", None)
        if model is None:
            continue
        private = {f.name for f in dataclasses.fields(origin)} - {f.python_name for f in definition.fields}
        out.append((name, model, private))
    return out


def test_every_model_derived_type_shows_all_model_fields_with_their_nullability() -> None:
    derived = _derived_types()
    assert len(derived) > 100  # nearly every object type of the graph
    camel = schema.config.name_converter.apply_naming_config
    for name, model, private in derived:
        gql_fields = schema._schema.type_map[name].fields  # type: ignore[union-attr]
        for field_name, info in model.model_fields.items():
            if field_name in private:
                continue
            gql_name = camel(field_name)
            assert gql_name in gql_fields, f"{name}.{gql_name} missing (model {model.__name__})"
            optional = type(None) in typing.get_args(info.annotation)
            nullable = not isinstance(gql_fields[gql_name].type, GraphQLNonNull)
            assert optional == nullable, f"{name}.{gql_name}: model optional={optional}, GraphQL nullable={nullable}"


def test_annotations_graphql_has_no_type_for_are_mapped() -> None:
    assert graphql_annotation(Literal["a", "b"]) is str
    assert graphql_annotation(dict[str, Any]) is JSON
    assert graphql_annotation(Literal["a"] | None) == (str | None)
    assert graphql_annotation(list[dict[str, int]]) == list[JSON]
    assert graphql_annotation(int | None) is None  # Strawberry maps it as it is


class Row(BaseModel):
    id: int
    status: Literal["queued", "done"]
    detail: dict[str, Any]
    size_bytes: int


@model_type(Row)
class RowType:
    size_bytes: float  # 64-bit count


def test_model_type_takes_every_field_and_lets_the_body_override() -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def row(self) -> RowType:
            return RowType.from_pydantic(Row(id=1, status="done", detail={"a": [1]}, size_bytes=2**40))  # type: ignore[attr-defined,no-any-return]

    sdl = strawberry.Schema(query=Query).as_str()
    assert "id: Int!" in sdl and "status: String!" in sdl and "detail: JSON!" in sdl and "sizeBytes: Float!" in sdl
    result = strawberry.Schema(query=Query).execute_sync("{ row { id status detail sizeBytes } }")
    assert result.errors is None
    assert result.data == {"row": {"id": 1, "status": "done", "detail": {"a": [1]}, "sizeBytes": float(2**40)}}


def test_cursors_round_trip_and_refuse_other_lists_and_forgeries() -> None:
    assert id_after(id_cursor("prompt", 42), "prompt") == 42
    assert id_after(None, "prompt") is None
    for bad in (id_cursor("sec", 42), "not-a-cursor", base64.urlsafe_b64encode(b"prompt:-1").decode(), ""):
        with pytest.raises(BadRequest) as caught:
            id_after(bad, "prompt")
        assert caught.value.details[0].field == "after"
    with pytest.raises(BadRequest):  # beyond int4: a 400, never a database error
        id_after(id_cursor("prompt", 2**40), "prompt")
    assert id_after(id_cursor("sec", 2**40), "sec", maximum=2**63 - 1) == 2**40


def test_connection_page_info_names_the_first_and_last_cursor() -> None:
    page = Connection.of([("a", 1), ("b", 2)], has_next=True, has_previous=False)
    assert [e.cursor for e in page.edges] == ["a", "b"] and [e.node for e in page.edges] == [1, 2]
    info = page.page_info
    assert (info.has_next_page, info.has_previous_page, info.start_cursor, info.end_cursor) == (True, False, "a", "b")
    empty = Connection.of([], has_next=False, has_previous=True)
    assert empty.edges == [] and empty.page_info.start_cursor is None and empty.page_info.end_cursor is None


def test_excluded_model_fields_stay_private_and_unknown_ones_are_refused() -> None:
    class Report(BaseModel):
        status: str
        timeout_seconds: float

    @model_type(Report, name="ExcludeProbeReport", exclude=("timeout_seconds",))
    class ReportType:
        pass

    fields = {f.python_name for f in ReportType.__strawberry_definition__.fields}  # type: ignore[attr-defined]
    assert fields == {"status"}
    built = ReportType.from_pydantic(Report(status="ok", timeout_seconds=5.0))  # type: ignore[attr-defined]
    assert (built.status, built.timeout_seconds) == ("ok", 5.0)
    with pytest.raises(TypeError, match="no field"):
        model_type(Report, exclude=("nope",))
