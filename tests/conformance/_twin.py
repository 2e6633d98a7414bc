"""One driver, sync or async, behind the same blocking calls, for the conformance suites.

A suite calls ``subject.driver.list_nodes()`` whatever the mode: in ``"async"`` mode the driver
is the provider's ``Async*Driver`` and every call runs on an anyio portal (an async iterator's
items are collected into a list). ``subject.native`` is the driver object itself (what models'
``driver`` attribute points at); :meth:`Subject.settle` resolves what a model method returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tests.support.modes import MODES, Blocking, settle

__all__ = ["MODES", "Blocking", "Subject", "open_subject"]

C = TypeVar("C")


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
            return await settle(result)

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
