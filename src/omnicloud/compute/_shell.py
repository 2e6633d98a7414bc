"""Write a driver operation once, as a flow; get a sync method and an async method from it.

A driver *core* class declares its operations with :func:`operation` (returns a value) and
:func:`listing` (yields items lazily). Two thin shells pick how flows run:

* ``class XDriver(SyncShell, XCore)``: ``driver.list_nodes()`` runs the flow and returns the list;
* ``class AsyncXDriver(AsyncShell, XCore)``: ``await driver.list_nodes()``.

The shell comes first so its ``_open`` (which creates the HTTP runner) wins.

Inside a core, one operation reaches another as a flow through the class,
``yield from type(self).list_nodes(self, ...)``, so overriding stays virtual.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from omnicloud.http._config import HttpConfig
from omnicloud.http._redact import Redactor
from omnicloud.http._transport import AsyncHttp, SyncHttp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["AsyncShell", "Items", "SyncShell", "listing", "operation"]

P = ParamSpec("P")
T = TypeVar("T")
D = TypeVar("D")


class Items(Generic[T]):
    """A lazy listing: a flow that emits items of type ``T``."""

    __slots__ = ("flow",)

    def __init__(self, flow: Flow[None]) -> None:
        self.flow = flow


class SyncShell:
    """Runs operations synchronously; close it (or use ``with``) to free connections."""

    _http: SyncHttp
    #: A sync runner performs a ``Gather`` one flow after another, so listings fetch page by page
    #: (mapping each page while it is fresh) rather than holding every page until the last.
    _gathers_concurrently = False

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:
        self._http = SyncHttp(config, redactor)

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

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()

    async def __aenter__(self: T) -> T:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


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
        fn: Callable[..., Any] = self.fn
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
            http = obj._http

            @functools.wraps(fn)
            def iterate(*args: Any, **kwargs: Any) -> Any:
                return http.iterate(fn(obj, *args, **kwargs).flow)

            return iterate
        return functools.partial(fn, obj)
