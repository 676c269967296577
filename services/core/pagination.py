"""Page-number pagination, the one shape every numbered list answers with (REST and GraphQL)."""

from __future__ import annotations

import math

from pydantic import BaseModel


class Pagination(BaseModel):
    page: int
    page_size: int
    total_items: int
    total_pages: int

    @classmethod
    def of(cls, page: int, page_size: int, total_items: int) -> Pagination:
        pages = math.ceil(total_items / page_size) if total_items else 0
        return cls(page=page, page_size=page_size, total_items=total_items, total_pages=pages)
