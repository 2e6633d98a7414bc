"""Opt-in: build a listing's pages without the cyclic collector walking them while they are young.

A 500-VM page parses into thousands of dicts and lists, and a listing keeps every one of them.
The collector traverses each in generation 0 and again in generation 1 and finds nothing: they
hold no cycles. Pausing it while a page is built and then promoting what was built straight to
the oldest generation (``gc.freeze()`` then ``gc.unfreeze()``) saves that work, but both steps act
on the whole process: other threads allocate with the collector off, and every young object of
the program is promoted with the page. So the library never does it on its own; an application
that wants it says so around its listings with :func:`long_lived_pages` (re-exported as
``omnicloud.tuning.long_lived_pages``). The choice is held in a context variable, so it covers
the calls made inside the ``with`` block (and the tasks started there), nothing else.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["long_lived", "long_lived_pages"]

_OPTED_IN: ContextVar[bool] = ContextVar("omnicloud_long_lived_pages", default=False)


@contextlib.contextmanager
def long_lived_pages() -> Iterator[None]:
    """Let the listings run inside this block build their pages with the collector paused.

    Trades process-wide effects for CPU: while a page is built the cyclic collector is off for
    every thread, and afterwards every young object of the process (the page's and the program's
    own) moves to the oldest generation, where only full collections look at it. A program that
    froze objects itself (``gc.freeze()``) keeps them frozen: nothing is promoted then.
    """
    token = _OPTED_IN.set(True)
    try:
        yield
    finally:
        _OPTED_IN.reset(token)


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """Around the building of one page: nothing at all unless :func:`long_lived_pages` is on."""
    if not _OPTED_IN.get() or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        gc.enable()
