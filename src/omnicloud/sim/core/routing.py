"""Path routing for REST-style simulators: ``("GET", "servers/*/action", handler)`` tables.

Literal segments win over ``*`` (which matches one segment and becomes an argument). A path no
route matches raises :class:`NoRoute`, saying whether the path exists under another method, so
the simulator answers its own 404 or 405.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

__all__ = ["NoRoute", "PathRouter"]

H = TypeVar("H")


class NoRoute(Exception):  # noqa: N818 - a lookup outcome, answered as the API's 404/405
    """No route for this method and path; ``path_known``: another method has one."""

    def __init__(self, method: str, path: str, *, path_known: bool) -> None:
        super().__init__(f"no route for {method} /{path}/")
        self.method = method
        self.path = path
        self.path_known = path_known


class PathRouter(Generic[H]):
    """Finds the handler for a method and the path's segments."""

    def __init__(self, routes: Iterable[tuple[str, str, H]]) -> None:
        self._table: dict[tuple[str, int], list[tuple[tuple[str, ...], H]]] = {}
        self._paths: set[tuple[str, ...]] = set()
        for method, pattern, handler in routes:
            parts = tuple(pattern.split("/"))
            self._table.setdefault((method, len(parts)), []).append((parts, handler))
            self._paths.add(parts)
        for entries in self._table.values():
            entries.sort(key=lambda entry: sum(part == "*" for part in entry[0]))

    def resolve(self, method: str, segments: Sequence[str]) -> tuple[H, list[str]]:
        """The handler and its ``*`` arguments, or :class:`NoRoute`."""
        for parts, handler in self._table.get((method, len(segments)), []):
            args = _match(parts, segments)
            if args is not None:
                return handler, args
        known = any(_match(parts, segments) is not None for parts in self._paths)
        raise NoRoute(method, "/".join(segments), path_known=known)


def _match(parts: tuple[str, ...], segments: Sequence[str]) -> list[str] | None:
    if len(parts) != len(segments):
        return None
    args = []
    for part, segment in zip(parts, segments, strict=True):
        if part == "*":
            args.append(segment)
        elif part != segment:
            return None
    return args
