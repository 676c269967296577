"""Relay-style connections and opaque cursors, shared by every paginated list in the graph.

``Connection[Execution]`` is the GraphQL type ``ExecutionConnection`` with ``edges:
[ExecutionEdge!]!`` and the one ``PageInfo`` type; a list that adds a field (``PromptConnection``'s
``totalCount``) subclasses it.  Build one with :meth:`Connection.of` from ``(cursor, node)`` pairs.

Cursors of id-ordered lists are ``base64("<kind>:<id>")`` (:func:`id_cursor`, :func:`id_after`):
the kind keeps a cursor of one list from being replayed on another, and the id is bounded like any
id argument, so a forged cursor is a ``BAD_REQUEST`` naming ``after`` rather than a database error.
Keyset cursors a service issues itself (executions: time and id) are the service's own.
Page-number lists share one ``Pagination`` type.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Generic, Self, TypeVar

import strawberry

from graphql_schema.derive import model_type
from graphql_schema.ids import MAX_INT4, bounded_int, is_integer_text
from services.core.errors import BadRequest
from services.core.pagination import Pagination as PaginationInfo

NodeT = TypeVar("NodeT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, NodeT]], *, has_next: bool, has_previous: bool, **extra: object) -> Self:
        """The page of ``(cursor, node)`` pairs; ``extra`` fills a subclass's own fields."""
        edges = [Edge(cursor=cursor, node=node) for cursor, node in pairs]
        info = PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        return cls(edges=edges, page_info=info, **extra)


@model_type(PaginationInfo, name="Pagination")
class Pagination:
    """Page-number lists (prompt history, deployments, usage requests): one type for all of them."""


def id_cursor(kind: str, ident: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{ident}".encode()).decode()


def id_after(cursor: str | None, kind: str, maximum: int = MAX_INT4, field: str = "after") -> int | None:
    """The id a cursor of ``kind`` stands for (None without a cursor); anything else is a BAD_REQUEST."""
    if cursor is None:
        return None
    try:
        prefix, _, ident = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        prefix, ident = "", ""
    if prefix != kind or not is_integer_text(ident):
        raise BadRequest.field(field, "not a cursor of this list", "invalid_cursor")
    return bounded_int(int(ident), field, maximum)
