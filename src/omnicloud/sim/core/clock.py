"""Time for jobs and long operations: one clock per simulator state, replaceable in tests.

Long operations (CloudStack's async jobs, CloudSigma's drive clones and server starts) are
settled lazily: nothing runs in the background, and each request first completes whatever has
come due on the state's clock. A document in transition carries ``_until`` (when) and ``_next``
(the status it then takes); :func:`begin` and :func:`settle` manage the two fields.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

__all__ = ["SYSTEM_CLOCK", "Clock", "ManualClock", "SystemClock", "begin", "settle"]


class Clock(Protocol):
    """Where a simulator reads the time (seconds since the epoch)."""

    def now(self) -> float:
        """The current time."""
        ...


class SystemClock:
    """The wall clock (``time.time``)."""

    __slots__ = ()

    def now(self) -> float:
        """The current time."""
        return time.time()

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK = SystemClock()


class ManualClock:
    """A clock that moves only when told to: jobs and transitions complete on :meth:`advance`."""

    __slots__ = ("_now",)

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else float(start)

    def now(self) -> float:
        """The current (frozen) time."""
        return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock forward; the new time."""
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        self._now += seconds
        return self._now

    def __repr__(self) -> str:
        return f"ManualClock({self._now!r})"


def begin(doc: dict[str, Any], status: str, then: str, seconds: float, now: float) -> None:
    """Put ``doc`` in ``status`` at ``now`` and in ``then`` ``seconds`` later (at once if <= 0)."""
    if seconds <= 0:
        doc["status"] = then
        doc.pop("_until", None)
        doc.pop("_next", None)
        return
    doc["status"] = status
    doc["_until"] = now + seconds
    doc["_next"] = then


def settle(doc: dict[str, Any], now: float) -> bool:
    """Apply ``doc``'s transition if it is due at ``now``; whether it changed."""
    until = doc.get("_until")
    if until is None or now < until:
        return False
    doc["status"] = doc.pop("_next")
    doc.pop("_until", None)
    return True
