"""The streaming effects: what the streaming runners (:mod:`omnicloud.http._streaming`, used by
storage) perform besides the core effects of :mod:`omnicloud._flow`.

They live apart from the core vocabulary so that drivers which never stream do not create their
classes at import (about 2.5 ms here). Together the two modules are the whole, frozen vocabulary.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Protocol

from omnicloud._flow import Effect

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeAlias, TypeVar

    from omnicloud.http._models import HttpRequest

    T = TypeVar("T")

__all__ = [
    "STREAM_EFFECTS",
    "Close",
    "Drop",
    "Finish",
    "Open",
    "Read",
    "Readable",
    "Start",
    "StreamEffect",
    "StreamFlow",
]


# -- streaming effects ----------------------------------------
class Readable(Protocol):
    """Something a flow can :class:`Read` from in either runner."""

    def read(self, size: int) -> Any:
        """Blocking read (sync runner)."""

    async def aread(self, size: int) -> Any:
        """Awaitable read (async runner)."""


@dataclass(frozen=True, slots=True)
class Open:
    """Send ``request`` and return a response stream once the headers have arrived."""

    request: HttpRequest


@dataclass(frozen=True, slots=True)
class Read:
    """Read up to ``size`` from ``source``; the result is what its ``read``/``aread`` returns."""

    source: Readable
    size: int


@dataclass(frozen=True, slots=True)
class Close:
    """Release ``source`` (``close()`` or ``aclose()``)."""

    source: Any


@dataclass(frozen=True, slots=True)
class Start:
    """Start ``flow`` in the background; the result is a handle for :class:`Finish` or
    :class:`Drop`. Every started flow must be finished or dropped."""

    flow: StreamFlow[Any]


@dataclass(frozen=True, slots=True)
class Finish:
    """Wait for a started flow; the result is its result (its exception is raised)."""

    started: Any


@dataclass(frozen=True, slots=True)
class Drop:
    """Wait until started flows whose results are no longer wanted have ended (they are not
    interrupted: each still closes what it opened), discarding what they return or raise."""

    started: tuple[Any, ...]


StreamEffect = Effect | Open | Read | Close | Start | Finish | Drop
#: The effect types only the streaming runners perform.
STREAM_EFFECTS: tuple[type, ...] = (Open, Read, Close, Start, Finish, Drop)
if TYPE_CHECKING:
    StreamFlow: TypeAlias = Generator[StreamEffect, Any, T]
