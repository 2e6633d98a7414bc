"""Fault injection: rate limiting, random 503 ``backend``/``concurrency`` errors, slowness."""

from __future__ import annotations

import math
import random
import threading
import time

from ._config import SimConfig
from ._errors import SimError

__all__ = ["Faults"]


class Faults:
    """Decides per request whether to throttle or fail it (thread-safe, seeded)."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._rng = random.Random(config.seed)
        self._seed = config.seed
        self._window = (0.0, 0)

    def _reseed(self) -> None:
        """Start the generator again whenever ``seed`` was changed (call with the lock held)."""
        if self.config.seed != self._seed:
            self._seed = self.config.seed
            self._rng = random.Random(self._seed)

    def _roll(self, probability: float) -> bool:
        if probability <= 0:
            return False
        with self._lock:
            self._reseed()
            return self._rng.random() < probability

    def check(self) -> None:
        """Raise the injected error for this request, if any."""
        with self._lock:
            self._reseed()
        limit = self.config.rate_limit
        if limit:
            now = time.monotonic()
            with self._lock:
                start, count = self._window
                if now - start >= 1.0:
                    start, count = now, 0
                self._window = (start, count + 1)
            if count + 1 > math.floor(limit):
                wait = max(1, math.ceil(start + 1.0 - now))
                raise SimError(
                    429,
                    "permission",
                    f"Request was throttled. Expected available in {wait} seconds.",
                    headers={"Retry-After": str(wait)},
                )
        if self._roll(self.config.concurrency_rate):
            raise SimError(
                503, "concurrency", "Another operation on this object is in progress; retry"
            )
        if self._roll(self.config.error_rate):
            raise SimError(503, "backend", "Service temporarily unavailable")
