"""Operations written once, run sync or async.

An operation is a *flow*: a generator that yields effects and receives their results, with no I/O of
its own (the pattern of httpx's auth flows). A sync runner and an async runner perform the effects:

* :class:`Send` an HTTP request and receive the :class:`~omnicloud.http.HttpResponse`;
* :class:`Sleep` for some seconds;
* :class:`Gather` sub-flows (concurrently when the runner is async) and receive their results;
* :class:`Emit` items to the caller of an iterating runner (lazy listings);
* :class:`Batch` one item with the like items of other flows running at the same moment (the async
  runner coalesces them into one call of ``run``; the sync runner calls ``run`` with the one item).

An exception raised while performing an effect is thrown back into the flow at its ``yield``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Hashable, Sequence
from dataclasses import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeAlias, TypeVar

    from omnicloud.http._models import HttpRequest

    T = TypeVar("T")

__all__ = ["Batch", "Effect", "Emit", "Flow", "Gather", "Send", "Sleep", "step"]


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


@dataclass(frozen=True, slots=True)
class Batch:
    """Handle ``item`` together with the items other flows batch under the same ``key``.

    ``run(items)`` is a flow returning one outcome per item, in order: the value the waiting flow
    receives, or an exception instance that is raised in that flow at its ``yield``. If ``run``
    itself raises, every waiting flow receives that exception.

    The async runner collects the items that arrive for ``key`` within ``window`` seconds (0: the
    flows resumed in the same event-loop tick) and calls the ``run`` of the first of them once for
    all. The sync runner calls ``run([item])``. So a flow behaves the same either way, and the
    batch function must give each item the outcome it would have had alone.
    """

    key: Hashable
    item: Any
    run: Callable[[Sequence[Any]], Flow[Sequence[Any]]]
    window: float = 0.0


Effect = Send | Sleep | Gather | Emit | Batch
if TYPE_CHECKING:
    Flow: TypeAlias = Generator[Effect, Any, T]


def step(flow: Flow[Any], value: Any, error: BaseException | None) -> Effect:
    """Advance ``flow`` by one effect, sending ``value`` or throwing ``error`` into it.

    Raises :class:`StopIteration` (with the flow's return value) when the flow finishes.
    """
    if error is not None:
        return flow.throw(error)
    return flow.send(value)
