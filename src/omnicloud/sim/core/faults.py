"""Fault injection, one implementation for every simulator: seeded random failures and
connection resets, rate limiting in one-second windows, slow answers.

The core decides *whether* a request is throttled, failed, dropped or delayed; the simulator
renders its own API's answer (CloudStack's 429 text, CloudSigma's error list). Random draws come
from one generator seeded with ``config.seed``, so a seeded run fails the same requests every time.
"""

from __future__ import annotations

import math
import random
import threading

from .config import BaseConfig

__all__ = ["Faults"]

_WINDOW_MS = 1000


class Faults:
    """Per-request fault decisions for one app (thread-safe). ``config`` is read on every call."""

    def __init__(self, config: BaseConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._rng = random.Random(config.seed)
        self._seed = config.seed
        self._windows: dict[str, tuple[int, int]] = {}

    # random failures ----------------------------------------------------------------------------

    def roll(self, probability: float) -> float | None:
        """The draw in ``[0, probability)`` when this request is hit, else None.

        No number is drawn for a zero probability, so a knob that is off leaves the sequence of
        the others unchanged. A changed ``config.seed`` restarts the generator first.
        """
        if probability <= 0:
            return None
        with self._lock:
            if self.config.seed != self._seed:
                self._seed = self.config.seed
                self._rng = random.Random(self._seed)
            draw = self._rng.random()
        return draw if draw < probability else None

    def should_reset(self) -> bool:
        """Whether to drop this connection without an answer (``reset_rate``)."""
        return self.roll(self.config.reset_rate) is not None

    def error_draw(self) -> float | None:
        """The draw when this request gets a random server error (``error_rate``), else None."""
        return self.roll(self.config.error_rate)

    # slowness -----------------------------------------------------------------------------------

    def delay(self) -> float:
        """Seconds to hold this answer back (``slow_seconds``; ``slow_requests`` counts down)."""
        config = self.config
        if config.slow_seconds <= 0:
            return 0.0
        with self._lock:
            if config.slow_requests is None:
                return config.slow_seconds
            if config.slow_requests <= 0:
                return 0.0
            config.slow_requests -= 1
        return config.slow_seconds

    # rate limiting ------------------------------------------------------------------------------

    def over_limit(self, key: str, now: float) -> int | None:
        """Count a request of ``key`` at ``now`` (seconds); past ``rate_limit`` in its one-second
        window, the milliseconds until the window ends (possibly 0), else None."""
        limit = self.config.rate_limit
        if not limit or limit <= 0:
            return None
        now_ms = int(now * 1000)
        with self._lock:
            start, count = self._windows.get(key, (now_ms, 0))
            if now_ms - start >= _WINDOW_MS:
                start, count = now_ms, 0
            count += 1
            self._windows[key] = (start, count)
        if count > math.floor(limit):
            return start + _WINDOW_MS - now_ms
        return None

    def usage(self, key: str, now: float) -> tuple[int, int, int]:
        """(requests counted, requests still allowed or -1 without a limit, ms until the window
        resets) for ``key`` at ``now``."""
        limit = self.config.rate_limit
        now_ms = int(now * 1000)
        with self._lock:
            start, count = self._windows.get(key, (now_ms, 0))
        if now_ms - start >= _WINDOW_MS:
            start, count = now_ms, 0
        allowed = -1 if not limit else max(math.floor(limit) - count, 0)
        return count, allowed, max(start + _WINDOW_MS - now_ms, 0)
