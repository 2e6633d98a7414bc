"""One driver, sync or async, behind the same blocking calls, for the conformance suites.

A suite calls ``subject.driver.list_nodes()`` whatever the mode: in ``"async"`` mode the driver
is the provider's ``Async*Driver`` and every call runs on an anyio portal (an async iterator's
items are collected into a list). ``subject.native`` is the driver object itself (what models'
``driver`` attribute points at); :meth:`Subject.settle` resolves what a model method returned.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["MODES", "Blocking", "Subject", "open_subject"]

#: The two shells every driver family has: parametrise a provider's fixture over them.
MODES = ("sync", "async")

C = TypeVar("C")


class Blocking:
    """Calls an async driver's coroutine methods through a portal, as if they were sync."""

    def __init__(self, driver: Any, portal: Any) -> None:
        self._driver = driver
        self._portal = portal

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._driver, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def call(*args: Any, **kwargs: Any) -> Any:
            async def run() -> Any:
                return await _settle(attribute(*args, **kwargs))

            return self._portal.call(run)

        return call


async def _settle(result: Any) -> Any:
    if hasattr(result, "__anext__"):
        return [item async for item in result]
    if inspect.isawaitable(result):
        return await result
    return result


@dataclass
class Subject(Generic[C]):
    """A driver under test: ``driver`` (blocking calls), ``native`` (the object), ``caps``."""

    driver: Any
    native: Any
    mode: str
    caps: C
    portal: Any = None

    def settle(self, result: Any) -> Any:
        """``result`` itself (sync), or awaited / collected on the portal (async)."""
        if self.mode == "sync":
            return result

        async def run() -> Any:
            return await _settle(result)

        return self.portal.call(run)


@contextmanager
def open_subject(
    mode: str,
    make: Callable[[bool], Any],
    caps: C,
    portal: Any,
) -> Iterator[Subject[C]]:
    """``make(asynchronous)`` builds the driver; it is closed (``close``/``aclose``) on exit."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    native = make(mode == "async")
    try:
        if mode == "sync":
            yield Subject(native, native, mode, caps)
        else:
            yield Subject(Blocking(native, portal), native, mode, caps, portal)
    finally:
        if mode == "sync":
            close = getattr(native, "close", None)
            if close is not None:
                close()
        else:
            aclose = getattr(native, "aclose", None)
            if aclose is not None:
                portal.call(aclose)
