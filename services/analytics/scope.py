"""Which prompts an analysis covers: the caller's organization, narrowed by filters.

One query loads the organization's prompts (id, name, workspace); requested ids
or workspaces that are not the caller's are a 404, as for any other object.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from models.prompts import Prompt
from models.tenancy import Workspace
from services.core.errors import NotFound


@dataclass(frozen=True)
class PromptRef:
    id: int
    uuid: str
    name: str
    workspace_id: int | None
    tags: dict[str, str]


async def organization_prompts(organization_id: int) -> dict[int, PromptRef]:
    rows = await Prompt.filter(organization_id=organization_id).values("id", "uuid", "name", "workspace_id", "tags")
    return {r["id"]: PromptRef(r["id"], str(r["uuid"]), r["name"], r["workspace_id"], r["tags"] or {}) for r in rows}


def require_known(prompts: dict[int, PromptRef], requested: Collection[int] | None) -> None:
    missing = sorted(set(requested or ()) - prompts.keys())
    if missing:
        raise NotFound(f"Prompt not found: {missing[0]}")


async def workspace_names(organization_id: int, ids: Collection[int] | None = None) -> dict[int, str]:
    query = Workspace.filter(organization_id=organization_id)
    if ids is not None:
        query = query.filter(id__in=list(ids))
    return dict(await query.values_list("id", "name"))


async def require_workspaces(organization_id: int, requested: Collection[int] | None) -> None:
    if not requested:
        return
    found = await workspace_names(organization_id, requested)
    missing = sorted(set(requested) - found.keys())
    if missing:
        raise NotFound(f"Workspace not found: {missing[0]}")
