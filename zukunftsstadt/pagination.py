"""Pagination for result sets that do not come from SQL (search hits)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from math import ceil


@dataclass
class ResultPage:
    """The subset of Flask-SQLAlchemy's Pagination that the templates use."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, left_edge: int = 1, left_current: int = 2, right_current: int = 2,
                   right_edge: int = 1) -> Iterator[int | None]:
        last = 0
        for n in range(1, self.pages + 1):
            if (n <= left_edge or self.page - left_current <= n <= self.page + right_current
                    or n > self.pages - right_edge):
                if last + 1 != n:
                    yield None
                yield n
                last = n
