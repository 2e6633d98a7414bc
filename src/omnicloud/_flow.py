"""Operations written once, run sync or async: flows and the effect vocabulary (frozen).

An operation is a *flow*: a generator that yields effects and receives their results, with no I/O of
its own (the pattern of httpx's auth flows). A sync runner and an async runner perform the effects.
This module lists every effect there is; a runner performs them and nothing else.

Every runner (:class:`~omnicloud.http._transport.SyncHttp`, ``AsyncHttp`` and the streaming
runners built on them) performs the core effects, :data:`Effect`:

* :class:`Send` an HTTP request and receive the :class:`~omnicloud.http.HttpResponse`;
* :class:`Sleep` for some seconds;
* :class:`Gather` sub-flows (concurrently when the runner is async) and receive their results;
* :class:`Emit` items to the caller of an iterating runner (lazy listings);
* :class:`Batch` one item with the like items of other flows running at the same moment (the async
  runner coalesces them into one call of ``run``; the sync runner calls ``run`` with the one item);
* :class:`Call` a blocking function (SSH sessions, file work): called in place by a sync runner,
  in a worker thread by an async one, so the event loop never waits on it.

The streaming runners (:mod:`omnicloud.http._streaming`, used by storage) also perform the
streaming effects, declared in :mod:`omnicloud._stream_effects` (loaded with those runners, so
drivers that never stream do not pay for their classes): ``Open`` a response to read piece by
piece, ``Read`` from it or any ``Readable``, ``Close`` it, and ``Start`` / ``Finish`` / ``Drop``
sub-flows in the background.

An exception raised while performing an effect is thrown back into the flow at its ``yield``.
Work with no I/O is plain code, not an effect: a flow yields only to wait for something.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeAlias, TypeVar

    from omnicloud.http._models import HttpRequest

    T = TypeVar("T")

__all__ = [
    "CORE_EFFECTS",
    "Batch",
    "Call",
    "Effect",
    "Emit",
    "Flow",
    "Gather",
    "Send",
    "Sleep",
    "step",
]


# -- core effects: every runner ----------------------------------------------------------------
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


@dataclass(frozen=True, slots=True)
class Call:
    """Run blocking ``fn(*args)``; the result is its return value (its exception is raised).

    A sync runner calls it in place; an async runner in a worker thread, waiting for it to end
    even when cancelled (so what ``fn`` opens, it also closes).
    """

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()


Effect = Send | Sleep | Gather | Emit | Batch | Call
#: The effect types every runner performs.
CORE_EFFECTS: tuple[type, ...] = (Send, Sleep, Gather, Emit, Batch, Call)
if TYPE_CHECKING:
    Flow: TypeAlias = Generator[Effect, Any, T]


def step(flow: Flow[Any], value: Any, error: BaseException | None) -> Effect:
    """Advance ``flow`` by one effect, sending ``value`` or throwing ``error`` into it.

    Raises :class:`StopIteration` (with the flow's return value) when the flow finishes.
    """
    if error is not None:
        return flow.throw(error)
    return flow.send(value)
