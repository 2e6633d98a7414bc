"""Operations written once, run sync or async.

An operation is a *flow*: a generator that yields effects and receives their results, with no I/O of
its own (the pattern of httpx's auth flows). A sync runner and an async runner perform the effects:

* :class:`Send` an HTTP request and receive the :class:`~omnicloud.http.HttpResponse`;
* :class:`Sleep` for some seconds;
* :class:`Gather` sub-flows (concurrently when the runner is async) and receive their results;
* :class:`Emit` items to the caller of an iterating runner (lazy listings).

An exception raised while performing an effect is thrown back into the flow at its ``yield``.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeAlias, TypeVar

    from omnicloud.http._models import HttpRequest

    T = TypeVar("T")

__all__ = ["Effect", "Emit", "Flow", "Gather", "Send", "Sleep", "step"]


@dataclass(frozen=True, slots=True)
class Send:
    """Send one HTTP request (retries are the flow's business, not the runner's)."""

    request: HttpRequest


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait ``seconds`` (cancellable in async runners)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Gather:
    """Run sub-flows, at most ``limit`` at a time; the result is their results in order.

    The first failure cancels the rest and is raised.
    """

    flows: Sequence[Flow[Any]]
    limit: int = 8


@dataclass(frozen=True, slots=True)
class Emit:
    """Hand ``items`` to whoever iterates the flow; the flow resumes when they are consumed."""

    items: Sequence[Any]


Effect = Send | Sleep | Gather | Emit
if TYPE_CHECKING:
    Flow: TypeAlias = Generator[Effect, Any, T]


def step(flow: Flow[Any], value: Any, error: BaseException | None) -> Effect:
    """Advance ``flow`` by one effect, sending ``value`` or throwing ``error`` into it.

    Raises :class:`StopIteration` (with the flow's return value) when the flow finishes.
    """
    if error is not None:
        return flow.throw(error)
    return flow.send(value)
