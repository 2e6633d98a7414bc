"""How many bytes of Python objects a transfer held at once (tracemalloc's peak)."""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["held_at_most", "random_file"]

MIB = 1024 * 1024


@contextmanager
def held_at_most() -> Iterator[list[int]]:
    """Trace allocations for the block; the list gets the peak bytes above its start."""
    result: list[int] = []
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        yield result
    finally:
        result.append(tracemalloc.get_traced_memory()[1] - base)
        if started:
            tracemalloc.stop()


def peak_of(call: Callable[[], Any]) -> tuple[Any, int]:
    """``call()``'s result and the bytes it held at its peak."""
    with held_at_most() as peak:
        out = call()
    return out, peak[0]


def random_file(path: Path, size: int) -> bytes:
    """Write ``size`` random bytes to ``path`` (from 1 MiB of randomness) and return them."""
    seed = os.urandom(min(size, MIB)) or b"\0"
    data = (seed * (size // len(seed) + 1))[:size]
    path.write_bytes(data)
    return data
