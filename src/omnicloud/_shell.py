"""Write a driver operation once, as a flow; get a sync method and an async method from it.

Every API family (compute, storage, load balancers) uses this machinery. A driver *core* class
declares its operations with :func:`operation` (returns a value), :func:`stream_operation` (the
same, for flows that also use the streaming effects of :mod:`omnicloud._flow`), :func:`computed`
(an operation that needs no I/O, written as a plain function) and :func:`listing` (yields items
lazily). Two thin shells pick how flows run:

* ``class XDriver(SyncShell, XCore)``: ``driver.list_nodes()`` runs the flow and returns the list;
* ``class AsyncXDriver(AsyncShell, XCore)``: ``await driver.list_nodes()``.

The shell comes first so its ``_open`` (which creates the HTTP runner) wins. Work with no I/O
needs no flow and no dead ``yield``: a plain method when sync and async callers use it alike,
:func:`computed` when it takes an operation's place (awaited in an async driver).

Inside a core, one operation reaches another as a flow through the class,
``yield from type(self).list_nodes(self, ...)``, so overriding stays virtual.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Concatenate, Generic, NoReturn, ParamSpec, TypeVar, overload

from omnicloud._flow import Emit, step
from omnicloud.http._config import HttpConfig
from omnicloud.http._redact import Redactor
from omnicloud.http._transport import AsyncHttp, SyncHttp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow
    from omnicloud._stream_effects import StreamFlow

__all__ = [
    "AsyncShell",
    "Items",
    "SyncShell",
    "computed",
    "emitted",
    "listing",
    "operation",
    "stream_operation",
    "unsupported",
]

P = ParamSpec("P")
T = TypeVar("T")
D = TypeVar("D")


class Items(Generic[T]):
    """A lazy listing: a flow that emits items of type ``T``."""

    __slots__ = ("flow",)

    def __init__(self, flow: StreamFlow[None]) -> None:
        self.flow = flow


class SyncShell:
    """Runs operations synchronously; close it (or use ``with``) to free connections."""

    _http: SyncHttp
    #: A sync runner performs a ``Gather`` one flow after another, so listings fetch page by page
    #: (mapping each page while it is fresh) rather than holding every page until the last.
    _gathers_concurrently = False

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:
        self._http = SyncHttp(config, redactor)

    def _iterate(self, flow: StreamFlow[None]) -> Iterator[Any]:
        """How a :func:`listing` runs its flow (a shell may add clean-up on early exit)."""
        return self._http.iterate(flow)  # type: ignore[arg-type]

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncShell:
    """Runs operations as coroutines; use ``async with`` or ``await driver.aclose()``."""

    _http: AsyncHttp
    _gathers_concurrently = True

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:
        self._http = AsyncHttp(config, redactor)

    def _iterate(self, flow: StreamFlow[None]) -> AsyncIterator[Any]:
        """How a :func:`listing` runs its flow (a shell may add clean-up on early exit)."""
        return self._http.iterate(flow)  # type: ignore[arg-type]

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()

    async def __aenter__(self: T) -> T:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _bind(fn: Callable[..., Any], obj: object) -> Any:
    """``fn`` as a method of ``obj``: run by its shell's runner, or as a bare flow."""
    if isinstance(obj, SyncShell):
        run = obj._http.run

        @functools.wraps(fn)
        def sync_method(*args: Any, **kwargs: Any) -> Any:
            return run(fn(obj, *args, **kwargs))

        return sync_method
    if isinstance(obj, AsyncShell):
        arun = obj._http.run

        @functools.wraps(fn)
        async def async_method(*args: Any, **kwargs: Any) -> Any:
            return await arun(fn(obj, *args, **kwargs))

        return async_method
    return functools.partial(fn, obj)


class operation(Generic[D, P, T]):  # noqa: N801 - used as a decorator
    """Decorator: a flow method becomes a sync or a coroutine method depending on the shell."""

    def __init__(self, fn: Callable[Concatenate[D, P], Flow[T]]) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.__wrapped__ = fn

    def __call__(self, driver: D, /, *args: P.args, **kwargs: P.kwargs) -> Flow[T]:
        """The operation's flow for ``driver`` (what cores use to call each other)."""
        return self.fn(driver, *args, **kwargs)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> operation[D, P, T]: ...
    @overload
    def __get__(self, obj: SyncShell, owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: AsyncShell, owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: object, owner: type[Any]) -> Any:
        if obj is None:
            return self
        return _bind(self.fn, obj)


class computed(operation[D, P, T]):  # noqa: N801 - used as a decorator
    """Decorator for an operation that needs no I/O: a plain function, no flow to write.

    It still overrides (or is overridden by) a flow operation: a sync shell calls it, an async
    shell returns an awaitable of its result, and cores reach it as a flow like any other.
    """

    def __init__(self, fn: Callable[Concatenate[D, P], T]) -> None:
        def as_flow(driver: D, /, *args: P.args, **kwargs: P.kwargs) -> Flow[T]:
            return _returning(fn(driver, *args, **kwargs))

        super().__init__(as_flow)
        self.plain = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.__wrapped__ = fn  # type: ignore[assignment]

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> operation[D, P, T]: ...
    @overload
    def __get__(self, obj: SyncShell, owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: AsyncShell, owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: object, owner: type[Any]) -> Any:
        if obj is None:
            return self
        fn: Callable[..., Any] = self.plain
        if isinstance(obj, SyncShell):
            return functools.partial(fn, obj)
        if isinstance(obj, AsyncShell):

            @functools.wraps(fn)
            async def async_method(*args: Any, **kwargs: Any) -> Any:
                return fn(obj, *args, **kwargs)

            return async_method
        as_flow: Callable[..., Any] = self.fn
        return functools.partial(as_flow, obj)


def unsupported(driver: object, name: str) -> Flow[NoReturn]:
    """The flow of an operation ``driver``'s provider does not have: it raises
    :class:`~omnicloud.errors.NotSupportedError` when run (every family's core uses it)."""
    from omnicloud.errors import NotSupportedError

    raise NotSupportedError(f"{type(driver).__name__} does not support {name}")
    yield  # pragma: no cover - a generator, so the error comes when the flow runs


def _returning(value: T) -> Flow[T]:
    """A flow that performs no effect and returns ``value`` (how a :class:`computed` operation
    is reached from other flows)."""
    return value
    yield  # pragma: no cover - the one generator marker the no-I/O operations share


class stream_operation(Generic[D, P, T]):  # noqa: N801 - used as a decorator
    """:class:`operation` for flows that use the streaming effects (storage): the shell's runner
    must be a streaming one."""

    def __init__(self, fn: Callable[Concatenate[D, P], StreamFlow[T]]) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.__wrapped__ = fn

    def __call__(self, driver: D, /, *args: P.args, **kwargs: P.kwargs) -> StreamFlow[T]:
        """The operation's flow for ``driver``."""
        return self.fn(driver, *args, **kwargs)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> stream_operation[D, P, T]: ...
    @overload
    def __get__(self, obj: SyncShell, owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: AsyncShell, owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: object, owner: type[Any]) -> Any:
        if obj is None:
            return self
        return _bind(self.fn, obj)


class listing(Generic[D, P, T]):  # noqa: N801 - used as a decorator
    """Decorator for ``iterate_*``: an iterator (sync shell) or an async iterator (async shell)."""

    def __init__(self, fn: Callable[Concatenate[D, P], Items[T]]) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.__wrapped__ = fn

    def __call__(self, driver: D, /, *args: P.args, **kwargs: P.kwargs) -> Items[T]:
        """The listing's flow for ``driver``."""
        return self.fn(driver, *args, **kwargs)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> listing[D, P, T]: ...
    @overload
    def __get__(self, obj: SyncShell, owner: type[Any]) -> Callable[P, Iterator[T]]: ...
    @overload
    def __get__(self, obj: AsyncShell, owner: type[Any]) -> Callable[P, AsyncIterator[T]]: ...
    def __get__(self, obj: object, owner: type[Any]) -> Any:
        if obj is None:
            return self
        fn: Callable[..., Any] = self.fn
        if isinstance(obj, SyncShell | AsyncShell):
            iterate = obj._iterate

            @functools.wraps(fn)
            def iterate_method(*args: Any, **kwargs: Any) -> Any:
                return iterate(fn(obj, *args, **kwargs).flow)

            return iterate_method
        return functools.partial(fn, obj)


def emitted(flow: StreamFlow[Any]) -> StreamFlow[list[Any]]:
    """Run a listing's ``flow`` inside another flow; the result is every item it emitted."""
    out: list[Any] = []
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = step(flow, value, error)  # type: ignore[arg-type]
        except StopIteration:
            return out
        if isinstance(effect, Emit):
            out.extend(effect.items)
            value, error = None, None
            continue
        try:
            value, error = (yield effect), None
        except Exception as exc:  # thrown back into the inner flow
            value, error = None, exc
