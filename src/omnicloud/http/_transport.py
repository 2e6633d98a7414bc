"""Runners: perform a flow's effects over a transport, synchronously or asynchronously.

The two runner classes only differ in how they wait (``time.sleep`` vs ``anyio.sleep``), how they
send (a :class:`~omnicloud.http._base.SyncTransport` vs an
:class:`~omnicloud.http._base.AsyncTransport`), how they gather sub-flows (in turn vs in a task
group) and how they perform :class:`~omnicloud._flow.Batch` (one item at a time vs coalesced across
the flows waiting at the same moment). Requests are built once (:mod:`omnicloud.http._wire`),
traced here, and sent by a transport that maps its own library's errors.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Hashable, Iterator, Sequence

from omnicloud._flow import Batch, Call, Emit, Gather, Send, Sleep, step
from omnicloud.errors import RequestTimeoutError
from omnicloud.http._config import HttpConfig
from omnicloud.http._models import HttpRequest, HttpResponse
from omnicloud.http._redact import Redactor, install_library_log_filter
from omnicloud.http._trace import log_request, log_response, trace_from_env

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    import anyio

    from omnicloud._flow import Flow
    from omnicloud.http._base import AsyncTransport, SyncTransport
    from omnicloud.http._wire import Outgoing

    T = TypeVar("T")

__all__ = ["AsyncHttp", "SyncHttp"]


def _outcome(outcomes: Sequence[Any], index: int, size: int) -> Any:
    """The outcome of item ``index`` of a batch of ``size``: returned, or raised if an exception."""
    if len(outcomes) != size:
        raise TypeError(f"a batch of {size} items returned {len(outcomes)} outcomes")
    outcome = outcomes[index]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


class _Waiter:
    """One flow's item in a batch being collected, and (when answered) its outcome."""

    __slots__ = ("event", "index", "item", "orphaned", "outcomes")

    def __init__(self, item: Any, index: int, event: anyio.Event | None) -> None:
        self.item = item
        self.index = index
        self.event = event
        self.outcomes: Sequence[Any] | BaseException = ()
        self.orphaned = False


def _starting(config: HttpConfig) -> None:
    """What a runner does once, before its first request: tracing from the environment, the
    redacting filter on libraries' request logs, and the TLS settings check (which warns once
    when ``insecure``)."""
    trace_from_env()
    install_library_log_filter()
    config.check_tls()


def _on_asyncio() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # trio
        return False
    return True


def _refuse_other_mode(transport: Any, mode: str) -> None:
    """A clear error for an omnicloud transport of the other mode (a sync one in async code)."""
    from omnicloud.http._base import AsyncTransport, SyncTransport

    other = AsyncTransport if mode == "sync" else SyncTransport
    if isinstance(transport, other) and not isinstance(
        transport, SyncTransport if mode == "sync" else AsyncTransport
    ):
        from omnicloud.errors import ValidationError

        wanted = "SyncTransport" if mode == "sync" else "AsyncTransport"
        raise ValidationError(
            f"{type(transport).__name__} cannot carry {mode} requests: pass an omnicloud "
            f"{wanted} (or an httpx transport) for {mode} code"
        )


def _traced(redactor: Redactor, request: HttpRequest, outgoing: Outgoing) -> None:
    body = outgoing.body
    log_request(
        redactor, request, outgoing.url, outgoing.headers, body if isinstance(body, bytes) else None
    )


def _unprepared(*args: Any) -> Outgoing:
    raise RuntimeError("the transport is chosen before a request is prepared")


class SyncHttp:
    """Runs flows with a pooled :class:`~omnicloud.http._base.SyncTransport` chosen on first use:
    urllib3, httpx for HTTP/2 and proxies, or ``config.transport``."""

    def __init__(self, config: HttpConfig | None = None, redactor: Redactor | None = None) -> None:
        self.config = config or HttpConfig()
        self.redactor = redactor or Redactor()
        self._transport: SyncTransport | None = None
        self._defaults: list[tuple[str, str]] = []
        self._prepare: Callable[..., Outgoing] = _unprepared

    @property
    def transport(self) -> SyncTransport:
        """The transport that carries this runner's requests (chosen on first use)."""
        if self._transport is None:
            from omnicloud.http._base import SyncTransport

            _starting(self.config)
            chosen = self.config.transport
            if chosen is None:  # urllib3 is imported only when it may carry requests
                from omnicloud.http import _urllib3

                chosen = _urllib3.sync_transport(self.config)
            _refuse_other_mode(chosen, "sync")
            if not isinstance(chosen, SyncTransport):
                from omnicloud.http._httpx import HttpxTransport

                chosen = HttpxTransport(self.config, chosen)
            from omnicloud.http._wire import default_headers, prepare

            self._defaults = default_headers(self.config)
            self._prepare = prepare
            self._transport = chosen
        return self._transport

    def close(self) -> None:
        """Close pooled connections."""
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()

    def prepare(self, request: HttpRequest) -> Outgoing:
        """``request`` as it goes out over :attr:`transport`, traced."""
        transport = self.transport  # noqa: F841 - chosen first: it sets the default headers
        outgoing = self._prepare(
            request,
            self._defaults,
            self.redactor,
            self.config,
            time.monotonic() + self.config.timeout,
        )
        _traced(self.redactor, request, outgoing)
        return outgoing

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send one request (no retries) and read the whole body within the total timeout."""
        response = self.transport.send(self.prepare(request))
        log_response(self.redactor, response)
        return response

    def run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to completion and return its result."""
        holder: list[Any] = []
        for _ in self._drive(flow, collect=False, result=holder):
            pass  # pragma: no cover - a non-iterating flow never emits
        return holder[0]  # type: ignore[no-any-return]

    def iterate(self, flow: Flow[Any]) -> Iterator[Any]:
        """Drive ``flow`` lazily, yielding what it emits."""
        return self._drive(flow, collect=True, result=[])

    def _drive(self, flow: Flow[Any], *, collect: bool, result: list[Any]) -> Iterator[Any]:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = step(flow, value, error)
            except StopIteration as stop:
                result.append(stop.value)
                return
            value, error = None, None
            try:
                if isinstance(effect, Emit):
                    if not collect:
                        raise TypeError("this operation lists items; iterate it instead")
                    yield from effect.items
                else:
                    value = self._perform(effect)
            except Exception as exc:
                error = exc
            del effect  # an emitted page is freed when its flow lets go of it, not a page later

    def _perform(self, effect: Send | Sleep | Gather | Batch | Call) -> Any:
        if isinstance(effect, Send):
            return self.send(effect.request)
        if isinstance(effect, Sleep):
            time.sleep(max(0.0, effect.seconds))
            return None
        if isinstance(effect, Call):
            return effect.fn(*effect.args)
        if isinstance(effect, Batch):
            return _outcome(self.run(effect.run([effect.item])), 0, 1)
        return [self.run(sub) for sub in effect.flows]


class AsyncHttp:
    """Runs flows with a pooled :class:`~omnicloud.http._base.AsyncTransport` chosen on first
    use: aiohttp under asyncio, httpx under trio and for HTTP/2 and proxies, or
    ``config.async_transport``."""

    def __init__(self, config: HttpConfig | None = None, redactor: Redactor | None = None) -> None:
        self.config = config or HttpConfig()
        self.redactor = redactor or Redactor()
        self._transport: AsyncTransport | None = None
        self._defaults: list[tuple[str, str]] = []
        self._prepare: Callable[..., Outgoing] = _unprepared
        self._gate: anyio.Semaphore | None = None
        self._batches: dict[Hashable, list[_Waiter]] = {}

    @property
    def transport(self) -> AsyncTransport:
        """The transport that carries this runner's requests (chosen on first use, on the
        running event loop)."""
        if self._transport is None:
            from omnicloud.http._base import AsyncTransport

            _starting(self.config)
            chosen = self.config.async_transport
            if chosen is None and _on_asyncio():  # aiohttp runs on asyncio only
                from omnicloud.http import _aiohttp

                chosen = _aiohttp.async_transport(self.config)
            _refuse_other_mode(chosen, "async")
            if not isinstance(chosen, AsyncTransport):
                from omnicloud.http._httpx import AsyncHttpxTransport

                chosen = AsyncHttpxTransport(self.config, chosen)
            from omnicloud.http._wire import default_headers, prepare

            self._defaults = default_headers(self.config)
            self._prepare = prepare
            self._transport = chosen
        return self._transport

    async def aclose(self) -> None:
        """Close pooled connections."""
        transport, self._transport = self._transport, None
        if transport is not None:
            await transport.aclose()
        self._gate = None

    def prepare(self, request: HttpRequest) -> Outgoing:
        """``request`` as it goes out over :attr:`transport`, traced."""
        transport = self.transport  # noqa: F841 - chosen first: it sets the default headers
        outgoing = self._prepare(
            request,
            self._defaults,
            self.redactor,
            self.config,
            time.monotonic() + self.config.timeout,
        )
        _traced(self.redactor, request, outgoing)
        return outgoing

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send one request (no retries) and read the whole body within the total timeout.

        At most ``max_connections`` requests are handed to the transport at once; the others
        wait here, so no library's pool queue grows with the number of waiting requests.
        """
        import anyio

        transport = self.transport
        gate = self._gate
        if gate is None:
            gate = self._gate = anyio.Semaphore(max(1, self.config.max_connections))
        try:
            with anyio.fail_after(self.config.timeout):
                # a free slot is taken without yielding to the loop, so the first requests of
                # a burst go out while the rest are still being prepared
                try:
                    gate.acquire_nowait()
                except anyio.WouldBlock:
                    await gate.acquire()
                try:
                    response = await transport.send(self.prepare(request))
                finally:
                    gate.release()
        except RequestTimeoutError:
            raise
        except TimeoutError:
            raise RequestTimeoutError(
                f"{request.label}: the response took longer than the total timeout",
                operation=request.label,
            ) from None
        log_response(self.redactor, response)
        return response

    async def run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to completion and return its result."""
        holder: list[Any] = []
        async for _ in self._drive(flow, collect=False, result=holder):
            pass  # pragma: no cover - a non-iterating flow never emits
        return holder[0]  # type: ignore[no-any-return]

    def iterate(self, flow: Flow[Any]) -> AsyncIterator[Any]:
        """Drive ``flow`` lazily, yielding what it emits."""
        return self._drive(flow, collect=True, result=[])

    async def _drive(
        self, flow: Flow[Any], *, collect: bool, result: list[Any]
    ) -> AsyncIterator[Any]:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = step(flow, value, error)
            except StopIteration as stop:
                result.append(stop.value)
                return
            value, error = None, None
            try:
                if isinstance(effect, Emit):
                    if not collect:
                        raise TypeError("this operation lists items; iterate it instead")
                    for item in effect.items:
                        yield item
                    item = None
                else:
                    value = await self._perform(effect)
            except Exception as exc:
                error = exc
            del effect  # an emitted page is freed when its flow lets go of it, not a page later

    async def _perform(self, effect: Send | Sleep | Gather | Batch | Call) -> Any:
        import anyio

        if isinstance(effect, Send):
            return await self.send(effect.request)
        if isinstance(effect, Sleep):
            await anyio.sleep(max(0.0, effect.seconds))
            return None
        if isinstance(effect, Call):
            import anyio.to_thread

            return await anyio.to_thread.run_sync(_call, effect)
        if isinstance(effect, Batch):
            return await self._batch(effect)
        return await self._gather(effect)

    async def _batch(self, effect: Batch) -> Any:
        """Join the batch being collected for ``effect.key``, or lead a new one.

        The leader waits ``effect.window`` (at least one event-loop tick), closes the batch and
        runs ``effect.run`` for every item collected, then hands each follower its outcome. If
        the leader is cancelled first, its followers start over (one of them leads).
        """
        import anyio

        while True:
            collecting = self._batches.get(effect.key)
            if collecting is not None:
                waiter = _Waiter(effect.item, len(collecting), anyio.Event())
                collecting.append(waiter)
                assert waiter.event is not None
                await waiter.event.wait()
                if waiter.orphaned:
                    continue
                if isinstance(waiter.outcomes, BaseException):
                    raise waiter.outcomes
                return _outcome(waiter.outcomes, waiter.index, len(collecting))
            members = [_Waiter(effect.item, 0, None)]
            self._batches[effect.key] = members
            outcomes: Sequence[Any] | BaseException = ()
            try:
                try:
                    await anyio.sleep(max(0.0, effect.window))
                finally:
                    if self._batches.get(effect.key) is members:
                        del self._batches[effect.key]
                outcomes = await self.run(effect.run([member.item for member in members]))
            except Exception as exc:
                outcomes = exc
                raise
            except BaseException:
                for member in members[1:]:
                    member.orphaned = True
                raise
            finally:
                for member in members[1:]:
                    member.outcomes = outcomes
                    assert member.event is not None
                    member.event.set()
            return _outcome(outcomes, 0, len(members))

    async def _gather(self, effect: Gather) -> list[Any]:
        import anyio

        results: list[Any] = [None] * len(effect.flows)
        failures: list[BaseException] = []
        limiter = anyio.CapacityLimiter(max(1, effect.limit))

        async def run_one(index: int, sub: Flow[Any]) -> None:
            async with limiter:
                try:
                    results[index] = await self.run(sub)
                except Exception as exc:
                    failures.append(exc)
                    group.cancel_scope.cancel()

        async with anyio.create_task_group() as group:
            for index, sub in enumerate(effect.flows):
                group.start_soon(run_one, index, sub)
        if failures:
            raise failures[0]
        return results


def _call(effect: Call) -> Any:
    return effect.fn(*effect.args)
