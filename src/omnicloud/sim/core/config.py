"""The settings every simulator has: the fault knobs, read afresh on every request."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BaseConfig"]


@dataclass
class BaseConfig:
    """Fault knobs shared by every simulator; a simulator's ``SimConfig`` subclasses this.

    Change attributes at any time: every request reads them afresh.

    - ``rate_limit``: requests per second (per account where the API has accounts) before the
      simulator's 429 answer; None or 0: unlimited.
    - ``error_rate`` / ``seed``: probability of a random server error, drawn from a generator
      seeded with ``seed`` (changing ``seed`` restarts it).
    - ``reset_rate``: probability of dropping the connection without an answer.
    - ``slow_seconds``: delay added to every answer; with ``slow_requests`` set, only to the next
      that many answers (the count goes down as they are served).
    """

    rate_limit: float | None = None
    error_rate: float = 0.0
    seed: int | None = None
    reset_rate: float = 0.0
    slow_seconds: float = 0.0
    slow_requests: int | None = None
