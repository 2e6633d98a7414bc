"""Flow helpers for drivers: collect what a listing flow emits, mapped on the way."""

from __future__ import annotations

from collections.abc import Callable

from omnicloud._flow import Emit, step
from omnicloud._gc import long_lived

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    from omnicloud._flow import Flow

    T = TypeVar("T")

__all__ = ["collect", "mapped"]


def collect(flow: Flow[Any], convert: Callable[[Any], T]) -> Flow[list[T]]:
    """Run ``flow``, returning ``convert(item)`` for every item it emits."""
    out: list[T] = []
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = step(flow, value, error)
        except StopIteration:
            return out
        if isinstance(effect, Emit):
            with long_lived():
                out.extend(map(convert, effect.items))
            value, error = None, None
            continue
        try:
            value, error = (yield effect), None
        except Exception as exc:  # thrown back into the inner flow
            value, error = None, exc


def mapped(flow: Flow[Any], convert: Callable[[Any], T]) -> Flow[None]:
    """Re-emit what ``flow`` emits, converted (for lazy ``iterate_*`` listings)."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = step(flow, value, error)
        except StopIteration:
            return None
        if isinstance(effect, Emit):
            with long_lived():
                effect = Emit(list(map(convert, effect.items)))
        try:
            value, error = (yield effect), None
        except Exception as exc:
            value, error = None, exc
