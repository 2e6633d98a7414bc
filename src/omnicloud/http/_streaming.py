"""The runners that perform the streaming effects (declared in :mod:`omnicloud._stream_effects`).

The base runners read whole bodies. Storage needs more, still written once as flows:

* :class:`Open` a request whose response body is read piece by piece (:class:`ResponseStream`);
* :class:`Read` the next piece from anything with ``read(n)``/``aread(n)`` (a response stream, or a
  user's data source);
* :class:`Close` such a thing;
* :class:`Start` a sub-flow in the background, then :class:`Finish` it (its result) or
  :class:`Drop` it (wait for its end, discarding its result): a download keeps a window of ranged
  GETs in flight while its consumer works. The sync runner runs started flows in a pool of worker
  threads it keeps until closed; the async runner in tasks under asyncio, and under trio (no
  detached tasks) all unfinished ones together when one of them is waited for.

:class:`StreamingSyncHttp` also runs :class:`~omnicloud._flow.Gather` in a thread pool, so multipart
parts go out in parallel from sync code too. HTTP libraries are imported on first use only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

from omnicloud._flow import Call, Gather
from omnicloud._stream_effects import Close, Drop, Finish, Open, Read, Readable, Start
from omnicloud.http._models import HttpRequest, HttpResponse
from omnicloud.http._trace import log_response
from omnicloud.http._transport import AsyncHttp, SyncHttp

TYPE_CHECKING = False
if TYPE_CHECKING:
    import asyncio
    from collections.abc import Generator
    from concurrent.futures import Future, ThreadPoolExecutor
    from typing import TypeVar

    from omnicloud._flow import Flow
    from omnicloud._stream_effects import StreamFlow
    from omnicloud.http._base import AsyncStream, SyncStream
    from omnicloud.http._config import HttpConfig
    from omnicloud.http._redact import Redactor
    from omnicloud.http._wire import Outgoing

    T = TypeVar("T")

__all__ = [
    "BACKGROUND_WORKERS",
    "Abandoned",
    "Call",
    "Close",
    "Drop",
    "Finish",
    "Open",
    "Pieces",
    "Read",
    "Readable",
    "ResponseStream",
    "Start",
    "StreamFlow",
    "StreamingAsyncHttp",
    "StreamingSyncHttp",
]


#: Worker threads a sync runner keeps for started flows (created as needed, shared by its users).
BACKGROUND_WORKERS = 16
_POOL_LOCK = threading.Lock()


class Pieces:
    """A request body of several ``bytes`` sent one after another, never joined in memory.

    The flow sets ``Content-Length`` to :attr:`length`. Re-iterable, so a retry can resend it.
    """

    __slots__ = ("length", "pieces")

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces
        self.length = sum(len(piece) for piece in pieces)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.pieces)

    def __len__(self) -> int:
        return self.length


class ResponseStream:
    """A response whose body has not been read yet: status and headers now, bytes on demand.

    Bytes come as stored (no content decoding), so hashes of what is read match the stored object.
    """

    __slots__ = ("_stream", "headers", "response", "status")

    def __init__(self, stream: SyncStream | AsyncStream, response: HttpResponse) -> None:
        self._stream = stream
        self.status = response.status
        self.headers = response.headers
        self.response = response

    def __repr__(self) -> str:
        return f"<ResponseStream {self.response.url.split('?', 1)[0]} HTTP {self.status}>"

    def read(self, size: int) -> bytes:
        """The next ``size`` bytes of the body (fewer only at the end), ``b""`` at the end."""
        return cast("SyncStream", self._stream).read(size)

    async def aread(self, size: int) -> bytes:
        """The next piece of the body, at most ``size`` bytes (what arrived), ``b""`` at the
        end: pieces are not regrouped here; callers that need exact sizes regroup them once."""
        return await cast("AsyncStream", self._stream).aread(size)

    def close(self) -> None:
        """Give the connection back (sync)."""
        cast("SyncStream", self._stream).close()

    async def aclose(self) -> None:
        """Give the connection back (async)."""
        await cast("AsyncStream", self._stream).aclose()


def _opened(stream: SyncStream | AsyncStream, outgoing: Outgoing, started: float) -> HttpResponse:
    return HttpResponse(
        status=stream.status,
        headers=stream.headers,
        reason=stream.reason,
        url=outgoing.url,
        elapsed=time.monotonic() - started,
    )


class StreamingSyncHttp(SyncHttp):
    """:class:`SyncHttp` plus the streaming effects and a threaded :class:`Gather`."""

    _workers: ThreadPoolExecutor | None = None

    def close(self) -> None:
        """Close pooled connections and end the worker threads of started flows."""
        workers, self._workers = self._workers, None
        if workers is not None:
            workers.shutdown(wait=True)
        super().close()

    def run(self, flow: StreamFlow[T]) -> T:
        """Drive ``flow`` (which may use the streaming effects) to completion."""
        return super().run(cast("Flow[T]", flow))

    def iterate(self, flow: StreamFlow[Any]) -> Iterator[Any]:
        """Drive ``flow`` lazily, yielding what it emits."""
        return super().iterate(cast("Flow[Any]", flow))

    def open(self, request: HttpRequest) -> ResponseStream:
        """Send ``request`` and return once the response headers have arrived."""
        outgoing = self.prepare(request)
        started = time.monotonic()
        stream = self.transport.open(outgoing)
        response = _opened(stream, outgoing, started)
        log_response(self.redactor, response)
        return ResponseStream(stream, response)

    def iterate_closing(self, flow: StreamFlow[Any]) -> Iterator[Any]:
        """Like :meth:`iterate`; when the consumer stops early, :class:`Abandoned` is thrown into
        the flow and its clean-up effects (closing streams, removing files) are still performed."""
        inner = self.iterate(flow)
        finished = False
        try:
            yield from inner
            finished = True
        finally:
            if not finished:
                cast("Generator[Any, None, None]", inner).close()
                self.run(_abandon(flow))

    def _perform(self, effect: Any) -> Any:
        if isinstance(effect, Read):
            return effect.source.read(effect.size)
        if isinstance(effect, Open):
            return self.open(effect.request)
        if isinstance(effect, Close):
            effect.source.close()
            return None
        if isinstance(effect, Gather) and effect.limit > 1 and len(effect.flows) > 1:
            return self._gather_threads(effect)
        if isinstance(effect, Start):
            return self._start(effect.flow)
        if isinstance(effect, Finish):
            return effect.started.result()
        if isinstance(effect, Drop):
            from concurrent.futures import wait

            wait(effect.started)
            return None
        return super()._perform(effect)

    def _start(self, flow: StreamFlow[Any]) -> Future[Any]:
        workers = self._workers
        if workers is None:
            from concurrent.futures import ThreadPoolExecutor

            with _POOL_LOCK:  # two threads downloading with one driver share one pool
                workers = self._workers
                if workers is None:
                    workers = self._workers = ThreadPoolExecutor(
                        max_workers=BACKGROUND_WORKERS, thread_name_prefix="omnicloud-background"
                    )
        return workers.submit(self.run, flow)

    def _gather_threads(self, effect: Gather) -> list[Any]:
        from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

        workers = min(effect.limit, len(effect.flows))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="omnicloud") as pool:
            futures = [pool.submit(self.run, sub) for sub in effect.flows]
            _done, pending = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in futures if f.done() and f.exception() is not None]
            if failed:
                for future in pending:
                    future.cancel()
                wait(futures)
                raise failed[0].exception()  # type: ignore[misc]
        return [future.result() for future in futures]


class StreamingAsyncHttp(AsyncHttp):
    """:class:`AsyncHttp` plus the streaming effects (blocking calls go to worker threads)."""

    def __init__(self, config: HttpConfig | None = None, redactor: Redactor | None = None) -> None:
        super().__init__(config, redactor)
        self._unstarted: list[_Started] = []  # trio: started flows not running yet

    async def run(self, flow: StreamFlow[T]) -> T:
        """Drive ``flow`` (which may use the streaming effects) to completion."""
        return await super().run(cast("Flow[T]", flow))

    def iterate(self, flow: StreamFlow[Any]) -> AsyncIterator[Any]:
        """Drive ``flow`` lazily, yielding what it emits."""
        return super().iterate(cast("Flow[Any]", flow))

    async def open(self, request: HttpRequest) -> ResponseStream:
        """Send ``request`` and return once the response headers have arrived."""
        transport = self.transport
        outgoing = self.prepare(request)
        started = time.monotonic()
        stream = await transport.open(outgoing)
        response = _opened(stream, outgoing, started)
        log_response(self.redactor, response)
        return ResponseStream(stream, response)

    async def iterate_closing(self, flow: StreamFlow[Any]) -> AsyncIterator[Any]:
        """Like :meth:`iterate`; when the consumer stops early, :class:`Abandoned` is thrown into
        the flow and its clean-up effects (closing streams, removing files) are still performed."""
        inner = self.iterate(flow)
        finished = False
        try:
            async for item in inner:
                yield item
            finished = True
        finally:
            if not finished:
                await inner.aclose()  # type: ignore[attr-defined]
                await self.run(_abandon(flow))

    async def _perform(self, effect: Any) -> Any:
        if isinstance(effect, Read):
            return await effect.source.aread(effect.size)
        if isinstance(effect, Open):
            return await self.open(effect.request)
        if isinstance(effect, Close):
            await effect.source.aclose()
            return None
        if isinstance(effect, Start):
            return self._start(effect.flow)
        if isinstance(effect, Finish):
            return await self._finish(effect.started)
        if isinstance(effect, Drop):
            await self._drop(effect.started)
            return None
        return await super()._perform(effect)

    def _start(self, flow: StreamFlow[Any]) -> _Started:
        import asyncio

        started = _Started(flow)
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # trio
            self._unstarted.append(started)
            return started
        started.task = asyncio.ensure_future(self.run(flow))
        started.task.add_done_callback(_retrieved)
        return started

    async def _finish(self, started: _Started) -> Any:
        if started.task is None and not started.done:
            await self._run_unstarted()
        if started.task is not None:
            return await started.task
        if started.error is not None:
            raise started.error
        return started.result

    async def _drop(self, started: tuple[_Started, ...]) -> None:
        import asyncio

        for handle in started:
            if handle in self._unstarted:
                self._unstarted.remove(handle)
                handle.flow.close()
        tasks = [handle.task for handle in started if handle.task is not None]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _run_unstarted(self) -> None:
        """Run every started flow not yet running, together (trio: no detached tasks)."""
        import anyio

        batch, self._unstarted = self._unstarted, []

        async def run_one(handle: _Started) -> None:
            try:
                handle.result = await self.run(handle.flow)
            except Exception as exc:
                handle.error = exc
            handle.done = True

        async with anyio.create_task_group() as group:
            for handle in batch:
                group.start_soon(run_one, handle)


class _Started:
    """A flow started by the async runner: its asyncio task, or (trio) its outcome once run."""

    __slots__ = ("done", "error", "flow", "result", "task")

    def __init__(self, flow: StreamFlow[Any]) -> None:
        self.flow = flow
        self.task: asyncio.Future[Any] | None = None
        self.done = False
        self.result: Any = None
        self.error: Exception | None = None


def _retrieved(task: asyncio.Future[Any]) -> None:
    """Mark a background task's failure as seen (the flow that finishes it raises it)."""
    if not task.cancelled():
        task.exception()


class Abandoned(Exception):  # noqa: N818 - a signal, not a failure
    """Thrown into a streaming flow whose consumer stopped reading early."""


def _abandon(flow: StreamFlow[Any]) -> StreamFlow[None]:
    """Throw :class:`Abandoned` into a suspended ``flow`` and perform its clean-up effects."""
    try:
        effect = flow.throw(Abandoned())
    except (Abandoned, StopIteration):
        return
    while True:
        try:
            value = yield effect
        except Exception as exc:
            try:
                effect = flow.throw(exc)
            except StopIteration:
                return
            except Abandoned:
                return
            continue
        try:
            effect = flow.send(value)
        except (Abandoned, StopIteration):
            return
