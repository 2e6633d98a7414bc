"""``World``: what command code needs of the simulator's state, as a protocol.

The state (``_state.CloudStackState``) seeds itself with the document builders, so the builders
and the command framework name the state through this protocol rather than import it: imports
go one way, even for type checking.
"""

from __future__ import annotations

from typing import Protocol

from ..core.clock import Clock
from ._store import Doc, Store

__all__ = ["World"]


class World(Protocol):
    """A CloudStack simulator state: its store, clock and accounts."""

    store: Store
    clock: Clock

    @property
    def accounts(self) -> list[str]:
        """Names of all accounts."""
        ...

    def credentials(self, account: str = "admin") -> tuple[str, str]:
        """(API key, secret key) of the first user of ``account``."""
        ...

    def account(self, account_id: str) -> Doc | None:
        """An account by id."""
        ...

    def account_by_name(self, name: str) -> Doc | None:
        """An account by name."""
        ...

    def zone_by_name(self, name: str) -> Doc | None:
        """A zone by name."""
        ...
