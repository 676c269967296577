"""Workspaces and data sources of the organization."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.routing import Call, Ok, Router
from services import catalog

router = Router("Catalog")


class NameBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=200)


class DataSourceBody(NameBody):
    kind: str = Field(default="postgresql", min_length=1, max_length=50, description="e.g. postgresql, snowflake")


class NamedOut(catalog.NamedInfo):
    pass


class NamedList(BaseModel):
    items: list[NamedOut]


@router.get("/api/v1/workspaces", summary="List workspaces", response_model=NamedList)
async def list_workspaces(call: Call[None, None]) -> Ok:
    return Ok({"items": await catalog.list_workspaces(call.user)}, "Workspaces retrieved")


@router.post(
    "/api/v1/workspaces",
    summary="Create a workspace",
    status=201,
    body_model=NameBody,
    response_model=NamedOut,
    responses={409: "Name already used"},
)
async def create_workspace(call: Call[None, NameBody]) -> Ok:
    return Ok(await catalog.create_workspace(call.user, call.body.name), "Workspace created", 201)


@router.get("/api/v1/data-sources", summary="List data sources", response_model=NamedList)
async def list_data_sources(call: Call[None, None]) -> Ok:
    return Ok({"items": await catalog.list_data_sources(call.user)}, "Data sources retrieved")


@router.post(
    "/api/v1/data-sources",
    summary="Register a data source",
    status=201,
    body_model=DataSourceBody,
    response_model=NamedOut,
    responses={409: "Name already used"},
)
async def create_data_source(call: Call[None, DataSourceBody]) -> Ok:
    b = call.body
    return Ok(await catalog.create_data_source(call.user, b.name, b.kind), "Data source created", 201)
