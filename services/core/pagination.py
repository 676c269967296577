"""Page-number pagination, the one shape every numbered list answers with (REST and GraphQL)."""

from __future__ import annotations

import math
from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Pagination(BaseModel):
    page: int
    page_size: int
    total_items: int
    total_pages: int

    @classmethod
    def of(cls, page: int, page_size: int, total_items: int) -> Pagination:
        pages = math.ceil(total_items / page_size) if total_items else 0
        return cls(page=page, page_size=page_size, total_items=total_items, total_pages=pages)


class Page(BaseModel, Generic[T]):
    """One page of a page-number list: ``{"items": [...], "pagination": {...}}`` (CONVENTIONS.md, Lists)."""

    items: list[T]
    pagination: Pagination

    @classmethod
    def of(cls, items: list[T], page: int, page_size: int, total_items: int) -> Page[T]:
        """The page's items plus its place in the list (``total_pages`` computed here, once)."""
        return cls(items=items, pagination=Pagination.of(page, page_size, total_items))
