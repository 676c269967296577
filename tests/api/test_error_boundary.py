"""One error boundary (issue 11): REST and GraphQL answer the same bad input with the same code.

``services.core.errors.domain_error`` maps what is not a domain error (an outage, a column's
refusal of a value the input model let through) for both adapters, so a value that reaches the
database and is refused there is a 400 naming the field over REST and ``BAD_REQUEST`` with the
same details over GraphQL, not a 500 / ``INTERNAL_SERVER_ERROR``.
"""

from __future__ import annotations

import pytest
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.exceptions import ValidationError as ColumnValidationError

import services.deployments
from models.deployments import Environment
from services.core.errors import BadRequest, NotFound, ServiceUnavailable, domain_error
from tests.api.test_graphql import gql

OUT_OF_INT4 = 2**31 + 5
CREATE_ENVIRONMENT = "mutation($input: EnvironmentInput!) { createEnvironment(input: $input) { id } }"
ENVIRONMENT = {"name": "staging", "kind": "staging"}


def details(body: dict) -> list[dict]:
    return body["error"]["details"]


async def test_out_of_range_integer_is_bad_input_on_both_adapters(client, make_tenant):
    """The same int4-overflowing id: REST's path model and GraphQL's id check both name the field."""
    tenant = await make_tenant()
    r = await client.get(f"/api/v1/prompts/{OUT_OF_INT4}", headers=tenant.headers)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "BAD_REQUEST"
    assert [d["field"] for d in details(r.json())] == ["prompt_id"]
    out = await gql(client, "query($id: ID!) { prompt(id: $id) { id } }", tenant.headers, id=str(OUT_OF_INT4))
    (error,) = out["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert [d["field"] for d in error["extensions"]["details"]] == ["id"]


async def _too_long(principal, data):  # a column refusing what the input model let through
    await Environment.create(organization_id=principal.organization_id, name="x" * 101, kind=data.kind)


async def _unsendable(principal, data):  # an integer the driver cannot send (PostgreSQL int4, SQLite int8)
    await Environment.filter(organization_id=principal.organization_id, id=2**63 + 5).first()


@pytest.mark.parametrize(
    ("service", "field", "message"),
    [(_too_long, "name", "must be at most 100 characters"), (_unsendable, "input", "out of range")],
)
async def test_column_refusal_is_bad_input_on_both_adapters(client, make_tenant, monkeypatch, service, field, message):
    tenant = await make_tenant("admin")
    monkeypatch.setattr(services.deployments, "create_environment", service)  # what both adapters call
    r = await client.post("/api/v1/environments", json=ENVIRONMENT, headers=tenant.headers)
    assert r.status_code == 400, r.text
    rest = r.json()["error"]
    assert rest["code"] == "BAD_REQUEST"
    assert [d["field"] for d in rest["details"]] == [field] and message in rest["details"][0]["message"]
    out = await gql(client, CREATE_ENVIRONMENT, tenant.headers, input=ENVIRONMENT)
    (error,) = out["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST", error
    assert error["extensions"]["details"] == rest["details"]
    assert error["message"] == rest["message"]


# --- the mapping itself, no database -------------------------------------------------------------


def test_domain_error_is_itself():
    exc = NotFound("gone")
    assert domain_error(exc) is exc


def test_outage_is_service_unavailable():
    assert isinstance(domain_error(ConnectionRefusedError()), ServiceUnavailable)


@pytest.mark.parametrize(
    ("exc", "field", "message"),
    [
        (ColumnValidationError("name: Length of 'xxxx' 4 > 3"), "name", "must be at most 3 characters"),
        (ColumnValidationError("name: Value must not be None"), "name", "must not be null"),
        (IntegrityError("NOT NULL constraint failed: prompts.name"), "name", "must not be null"),
        (IntegrityError('null value in column "name" of relation "prompts"'), "name", "must not be null"),
        (
            OperationalError("invalid input for query argument $1: 2147483653 (value out of int32 range)"),
            "input",
            "a number is out of range for its database column",
        ),
        (OverflowError("Python int too large to convert to SQLite INTEGER"), "input", "out of range"),
    ],
)
def test_column_refusals_name_the_field(exc, field, message):
    refused = domain_error(exc)
    assert isinstance(refused, BadRequest)
    assert refused.details[0].field == field and message in refused.details[0].message
    assert refused.details[0].type == "column_constraint"


@pytest.mark.parametrize(
    "exc",
    [
        IntegrityError('duplicate key value violates unique constraint "x"'),
        OperationalError('relation "prompts" does not exist'),
        OverflowError("int too large to convert to float"),
        RuntimeError("boom"),
    ],
)
def test_other_faults_stay_faults(exc):
    assert domain_error(exc) is None
