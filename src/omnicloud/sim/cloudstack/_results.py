"""What a command handler returns (a document, a ``Listing`` or a ``Pending`` job) and who
called it (``Caller``): plain values, importing nothing of the simulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Caller", "Listing", "Pending"]

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated user and its account."""

    user_id: str
    username: str
    account_id: str
    account: str
    is_admin: bool
    domain_id: str
    domain: str


@dataclass(slots=True)
class Listing:
    """A list result: ``total`` matches, ``items`` on the requested page."""

    total: int
    items: list[Doc]


@dataclass(slots=True)
class Pending:
    """What an async command's submit step hands to the job engine."""

    instance_type: str | None = None
    instance_id: str | None = None
    returns_id: bool = False
    payload: Doc = field(default_factory=dict)
