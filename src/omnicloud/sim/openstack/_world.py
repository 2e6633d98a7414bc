"""``OpenStackState``: a :class:`~._state.Cloud` seeded with the default world on first use."""

from __future__ import annotations

from pathlib import Path

from ..core.clock import Clock
from ._seed import seed
from ._state import Cloud

__all__ = ["OpenStackState"]


class OpenStackState(Cloud):
    """The simulator's world (see :mod:`._seed` for what a new one holds).

    ``path=None`` keeps everything in memory; a file persists it (0600).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        password: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(path, password=password, clock=clock, seed=seed)
