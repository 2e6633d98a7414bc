"""Run one test body against a sync driver and its async twin: the parametrisation, written once.

* :data:`MODES` / the ``mode`` fixture (``tests/conftest.py``): ``"sync"`` then ``"async"``;
* the ``portal`` fixture: one anyio blocking portal (an event loop in a thread) per session;
* :class:`Blocking`: an async driver whose coroutine methods (and async iterators) are called
  through the portal as if they were sync, so the same test code drives both (the conformance
  suites' ``tests/conformance/_twin.py`` uses it too);
* :func:`open_in_mode` / :func:`close_in_mode`: make the sync driver, or the async one behind
  :class:`Blocking`, and close either.

A conftest writes its driver fixture as::

    @pytest.fixture
    def d(mode: str, portal: Portal) -> Iterator[SyncDriver]:
        driver = open_in_mode(mode, portal, SyncDriver, AsyncDriver, key, secret, url=...)
        yield driver
        close_in_mode(driver, portal)

and a test calls the driver's methods directly, ``d.list_nodes()``, in both modes. The driver
is typed as the sync class (in async mode it is the async twin behind :class:`Blocking`, which
takes the same arguments and gives the same results), so mypy checks every call: no
``run("list_nodes")`` string dispatch that hides the method from it.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from anyio.from_thread import BlockingPortal

S = TypeVar("S")

MODES = ("sync", "async")

Portal = BlockingPortal


class Blocking:
    """Calls an async driver's coroutine methods through a portal, as if they were sync.

    Attributes that are not callable are read from the driver as they are; ``mode`` is
    ``"async"``; the wrapped driver is ``.driver``.
    """

    def __init__(self, driver: Any, portal: Portal) -> None:
        self.driver = driver
        self.portal = portal
        self.mode = "async"

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.driver, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def call(*args: Any, **kwargs: Any) -> Any:
            async def run() -> Any:
                return await settle(attribute(*args, **kwargs))

            return self.portal.call(run)

        return call


async def settle(result: Any) -> Any:
    """What an async driver's call gives a sync caller: an async iterator's items as a list,
    an awaitable's result, anything else as it is."""
    if hasattr(result, "__anext__"):
        return [item async for item in result]
    if inspect.isawaitable(result):
        return await result
    return result


def open_in_mode(
    mode: str,
    portal: Portal,
    sync_cls: Callable[..., S],
    async_cls: Callable[..., Any],
    *args: Any,
    **kwargs: Any,
) -> S:
    """``sync_cls(*args, **kwargs)`` (``mode="sync"``), or ``async_cls(...)`` behind the portal.

    Either is typed as ``sync_cls``'s instances: the async driver behind :class:`Blocking`
    answers the same calls the same way (both are written once, on one core class).
    """
    if mode == "sync":
        driver = sync_cls(*args, **kwargs)
        with contextlib.suppress(AttributeError):  # a driver with __slots__ cannot take it
            setattr(driver, "mode", "sync")  # noqa: B010 - any class: not every one declares it
        return driver
    if mode == "async":
        return cast(S, Blocking(async_cls(*args, **kwargs), portal))
    raise ValueError(f"unknown mode {mode!r}: expected one of {MODES}")


def close_in_mode(driver: Any, portal: Portal) -> None:
    """Close a driver made by :func:`open_in_mode` (the async one on the portal's loop)."""
    if isinstance(driver, Blocking):
        portal.call(driver.driver.aclose)
    else:
        driver.close()
