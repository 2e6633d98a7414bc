"""Fault injection: per-account rate limiting and seeded random failures."""

from __future__ import annotations

import math
import random
import threading

from ._config import SimConfig
from ._errors import API_LIMIT_EXCEEDED, ApiError

__all__ = ["Faults"]

_HTML_ERRORS = ((500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable"))


class Faults:
    """Decides, per request, whether to throttle, fail or drop it (thread-safe)."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._rng = random.Random(config.seed)
        self._seed = config.seed
        self._windows: dict[str, tuple[int, int]] = {}

    def _roll(self, probability: float) -> float | None:
        if probability <= 0:
            return None
        with self._lock:
            if self.config.seed != self._seed:
                self._seed = self.config.seed
                self._rng = random.Random(self._seed)
            draw = self._rng.random()
        return draw if draw < probability else None

    def should_reset(self) -> bool:
        """Whether to drop this connection without an answer."""
        return self._roll(self.config.reset_rate) is not None

    def random_error(self) -> tuple[int, str] | None:
        """(status, HTML body) of a random server error, or None."""
        draw = self._roll(self.config.error_rate)
        if draw is None:
            return None
        status, reason = _HTML_ERRORS[int(draw * 1_000_003) % len(_HTML_ERRORS)]
        body = (
            f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n"
        )
        return status, body

    def throttle(self, account_id: str, now: float) -> None:
        """Count a request; 429 with CloudStack's text past ``rate_limit`` per second."""
        limit = self.config.rate_limit
        if not limit or limit <= 0:
            return
        window_ms = 1000
        now_ms = int(now * 1000)
        with self._lock:
            start, count = self._windows.get(account_id, (now_ms, 0))
            if now_ms - start >= window_ms:
                start, count = now_ms, 0
            count += 1
            self._windows[account_id] = (start, count)
        if count > math.floor(limit):
            wait = max(start + window_ms - now_ms, 1)
            raise ApiError(
                API_LIMIT_EXCEEDED,
                "The given user has reached his/her account api limit, "
                f"please retry after {wait} ms.",
            )

    def usage(self, account_id: str, now: float) -> tuple[int, int, int]:
        """(requests issued, requests allowed, ms until the window resets) for getApiLimit."""
        limit = self.config.rate_limit
        now_ms = int(now * 1000)
        with self._lock:
            start, count = self._windows.get(account_id, (now_ms, 0))
        if now_ms - start >= 1000:
            start, count = now_ms, 0
        allowed = -1 if not limit else max(math.floor(limit) - count, 0)
        return count, allowed, max(start + 1000 - now_ms, 0)
