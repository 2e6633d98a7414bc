"""Building many objects that all survive, without the cyclic collector walking them young.

A 500-VM page parses into about 10,000 dicts and lists, and a listing keeps every one of them.
Left alone, the collector traverses each of them in generation 0 and again in generation 1, a
third or more of a listing's CPU, and finds nothing: they hold no cycles. :func:`long_lived` pauses
the collector while they are built and then moves them straight to the oldest generation, which
CPython does in constant time (``gc.freeze()`` then ``gc.unfreeze()``). They are examined again
only by the full collections that examine every old object anyway.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["long_lived"]


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """Pause the collector; afterwards promote what was built to the oldest generation.

    A collector that is already off stays off. When the program has frozen objects of its own
    (``gc.freeze()``, as pre-fork servers do), nothing is promoted, since that would unfreeze
    them: the objects are just left to the collector as usual.
    """
    if not gc.isenabled():
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
