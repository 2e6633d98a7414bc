"""One parsed API request and its answer, independent of the web framework."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.faults import Faults
from ._config import SimConfig
from ._state import Cloud, Principal

__all__ = ["Reply", "Req", "Version"]

Version = tuple[int, int]


@dataclass(slots=True)
class Req:
    """A request to one service.

    ``origin`` is ``http://host:port`` as the client addressed it; ``service_url`` the base of
    the service's versioned API (``{origin}/compute/v2.1``), for links. ``version`` is the
    negotiated microversion (Nova, Cinder), ``(0, 0)`` elsewhere.
    """

    cloud: Cloud
    config: SimConfig
    method: str
    args: list[str]
    query: dict[str, list[str]]
    body: Any
    raw: bytes
    headers: dict[str, str]
    origin: str
    service_url: str = ""
    principal: Principal | None = None
    version: Version = (0, 0)
    faults: Faults | None = None

    def q(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None

    def at_least(self, major: int, minor: int) -> bool:
        """Whether the negotiated microversion is ``major.minor`` or later."""
        return self.version >= (major, minor)

    @property
    def who(self) -> Principal:
        """The authenticated caller (the app authenticates before any handler runs)."""
        if self.principal is None:  # pragma: no cover - guarded by the app
            raise RuntimeError("unauthenticated request reached a handler")
        return self.principal

    @property
    def project(self) -> str:
        """The caller's project id."""
        return self.who.project_id or ""


@dataclass(slots=True)
class Reply:
    """Status, JSON document (None: no body) or raw bytes, and extra headers."""

    status: int
    document: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str | None = None
