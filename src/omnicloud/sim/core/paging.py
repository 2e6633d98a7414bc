"""Pagination helpers: a window of a list, from numbered pages or from offset and limit.

The simulators validate their own parameters (their error texts differ); a :class:`Window` is
what they agree on, for cutting an in-memory list or for SQL ``LIMIT ? OFFSET ?``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Window"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Window:
    """Items ``offset`` .. ``offset + limit`` of a list; ``limit`` None means all the rest."""

    offset: int = 0
    limit: int | None = None

    @classmethod
    def of_page(cls, page: int, size: int) -> Window:
        """Numbered page ``page`` (1-based; 0 and below read as 1) of ``size`` items."""
        return cls(max(page - 1, 0) * size, size)

    @property
    def end(self) -> int | None:
        """The index after the window's last item, or None for the end of the list."""
        return None if self.limit is None else self.offset + self.limit

    def cut(self, items: Sequence[T]) -> list[T]:
        """The window's part of ``items``."""
        return list(items[self.offset : self.end])

    def sql(self) -> tuple[int, int]:
        """``(limit, offset)`` for ``LIMIT ? OFFSET ?`` (SQLite reads limit -1 as no limit)."""
        return (-1 if self.limit is None else self.limit), self.offset
