"""A batch's items are validated as a TypedDict derived from the single-event model: the two must
accept, refuse and document exactly the same events (the model as the single-event route takes it:
with int4 bounds on its unbounded ints)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, model_validator

from services.core.validation import fields_as_typed_dict, with_int_bounds
from services.ingest import UsageEvent, UsageEventItem

MODEL = with_int_bounds(UsageEvent)

PROMPT = "0b7a6f8e-1111-4222-8333-444455556666"
EVENTS: list[dict[str, Any]] = [
    {"prompt_id": PROMPT, "version_hash": "v1"},
    {"prompt_id": 7, "version_hash": "v1", "latency_ms": 12.5, "status": "failed", "ignored": True},
    {"prompt_id": 7, "version_hash": "v1", "data_source_ids": [1, 2], "schema_names": ["public"]},
    {"prompt_id": 7, "version_hash": "v1", "timestamp": (datetime.now(UTC) - timedelta(minutes=5)).isoformat()},
    {"prompt_id": 0, "version_hash": "v1"},
    {"prompt_id": 2**40, "version_hash": "v1"},
    {"prompt_id": 7},
    {"prompt_id": 7, "version_hash": None},
    {"prompt_id": 7, "version_hash": "x" * 129},
    {"prompt_id": 7, "version_hash": "v1", "status": "weird"},
    {"prompt_id": 7, "version_hash": "v1", "data_source_ids": [2**33]},
    {"prompt_id": 7, "version_hash": "v1", "schema_names": [""]},
    {"prompt_id": 7, "version_hash": "v1", "latency_ms": -1},
    {"prompt_id": 7, "version_hash": "v1", "cost_usd": "NaN"},
    {"prompt_id": 7, "version_hash": "v1", "timestamp": "1990-01-01T00:00:00Z"},  # the model's time check
    {"prompt_id": 7, "version_hash": "v1", "event_id": "not a uuid"},
]


def _outcome(validate: Any, event: dict[str, Any]) -> Any:
    try:
        validate(event)
    except ValidationError as exc:
        return sorted((e["loc"], e["type"]) for e in exc.errors())
    return "accepted"


@pytest.mark.parametrize("event", EVENTS)
def test_an_item_is_accepted_or_refused_exactly_as_the_model(event):
    item = TypeAdapter(UsageEventItem)
    assert _outcome(item.validate_python, event) == _outcome(MODEL.model_validate, event)


def test_an_item_holds_what_was_sent_without_the_models_defaults():
    held = TypeAdapter(UsageEventItem).validate_python(EVENTS[1])
    assert held == {"prompt_id": 7, "version_hash": "v1", "latency_ms": 12.5, "status": "failed"}


def test_the_item_schema_is_the_models():
    model = MODEL.model_json_schema()
    item = TypeAdapter(UsageEventItem).json_schema()
    assert item["properties"] == model["properties"] and item["required"] == model["required"]


def test_a_model_validator_has_no_typed_dict_equivalent():
    class Checked(BaseModel):
        model_config = ConfigDict(extra="ignore")
        a: int

        @model_validator(mode="after")
        def _check(self) -> Checked:
            return self

    with pytest.raises(TypeError):
        fields_as_typed_dict(Checked, "CheckedItem")
