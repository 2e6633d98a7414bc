"""The one poller for long-running work (CloudStack jobs, drive clones, waiting for a node)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from omnicloud._flow import Sleep
from omnicloud.errors import JobTimeoutError, ValidationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = ["PollSettings", "PollStatus", "next_tick", "poll"]


@dataclass(frozen=True, slots=True)
class PollStatus:
    """One observation: finished or not, the value when finished, and progress information."""

    done: bool
    value: Any = None
    progress: Any = None


@dataclass(frozen=True, slots=True)
class PollSettings:
    """Poll every ``interval`` s (the first time after ``first_interval``), for ``timeout`` s.

    Checks fall on a shared grid (multiples of ``first_interval`` for the first check, of
    ``interval`` after it, on the monotonic clock; see :func:`next_tick`), so concurrent waits
    check at the same moments and a runner can coalesce their checks
    (:class:`~omnicloud._flow.Batch`). The first check comes after 0.5 to 1.5 ``first_interval``.
    """

    interval: float = 2.0
    first_interval: float = 0.25
    timeout: float = 1800.0

    def __post_init__(self) -> None:
        if self.interval <= 0 or self.first_interval < 0:
            raise ValidationError("poll interval must be positive")
        if self.timeout <= 0:
            raise ValidationError("job timeout must be a positive number of seconds")


def next_tick(interval: float, now: float | None = None, *, last: float | None = None) -> float:
    """Seconds until the next multiple of ``interval`` on the monotonic clock.

    That moment is at least half an interval after ``last`` (when the previous check began), or
    after now when there was none, so checks never come in quick succession; once aligned,
    consecutive checks are one ``interval`` apart, even when handling an answer took a while.
    """
    moment = time.monotonic() if now is None else now
    earliest = moment + interval / 2 if last is None else max(moment, last + interval / 2)
    return math.ceil(earliest / interval) * interval - moment


def poll(
    check: Callable[[], Flow[PollStatus]],
    settings: PollSettings,
    *,
    what: str,
    job_id: str | None = None,
    on_progress: Callable[[Any], None] | None = None,
) -> Flow[Any]:
    """Call ``check`` until it reports done and return its value.

    ``check`` raises to report failure or cancellation. Running out of time raises
    :class:`JobTimeoutError` (never a silent return); the work may still finish later.
    Cancelling the surrounding task (or Ctrl+C) stops polling at the next wait.
    """
    deadline = time.monotonic() + settings.timeout
    # the first check after about first_interval (on its own grid, so that waits begun within
    # the same slot check together), later ones on the interval grid
    delay = next_tick(settings.first_interval) if settings.first_interval > 0 else 0.0
    while True:
        remaining = deadline - time.monotonic()
        yield Sleep(max(0.0, min(delay, remaining)))
        checked_at = time.monotonic()
        status = yield from check()
        if on_progress is not None:
            on_progress(status.progress)
        if status.done:
            return status.value
        if time.monotonic() >= deadline:
            raise JobTimeoutError(
                f"{what} did not finish within {settings.timeout:g} s; it may still be running",
                job_id=job_id,
            )
        delay = next_tick(settings.interval, last=checked_at)
