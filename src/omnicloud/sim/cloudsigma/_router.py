"""Path routing: ``("GET", "servers/*/action", handler)`` tables to one dispatch function."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ._errors import SimError
from ._request import Reply, Req

__all__ = ["Router"]

Handler = Callable[[Req], Reply]


class Router:
    """Finds the handler for a method and path; literal segments win over ``*``."""

    def __init__(self, routes: Iterable[tuple[str, str, Handler]]) -> None:
        self._table: dict[tuple[str, int], list[tuple[tuple[str, ...], Handler]]] = {}
        self._paths: set[tuple[str, ...]] = set()
        for method, pattern, handler in routes:
            parts = tuple(pattern.split("/"))
            self._table.setdefault((method, len(parts)), []).append((parts, handler))
            self._paths.add(parts)
        for entries in self._table.values():
            entries.sort(key=lambda entry: sum(part == "*" for part in entry[0]))

    def resolve(self, method: str, segments: list[str]) -> tuple[Handler, list[str]]:
        """The handler and its ``*`` arguments, or a 404/405 error."""
        for parts, handler in self._table.get((method, len(segments)), []):
            args = _match(parts, segments)
            if args is not None:
                return handler, args
        if any(_match(parts, segments) is not None for parts in self._paths):
            raise SimError(405, "permission", f'Method "{method}" not allowed.')
        raise SimError(
            404, "notexist", f"The requested resource /{'/'.join(segments)}/ does not exist"
        )


def _match(parts: tuple[str, ...], segments: list[str]) -> list[str] | None:
    if len(parts) != len(segments):
        return None
    args = []
    for part, segment in zip(parts, segments, strict=True):
        if part == "*":
            args.append(segment)
        elif part != segment:
            return None
    return args
