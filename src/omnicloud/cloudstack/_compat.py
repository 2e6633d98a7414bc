"""``cs``'s remaining names, so a script ports by changing ``from cs import`` only.

``CloudStackException`` and ``CloudStackApiException`` live in :mod:`omnicloud.errors` (they are
bases of the errors omnicloud raises); here are ``AIOCloudStack`` and the read-only view of an
error answer that ``exc.response`` gives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from omnicloud.errors import ValidationError

from ._client import AsyncCloudStack

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud.errors import CloudStackApiError

__all__ = ["AIOCloudStack", "ErrorResponse"]


@dataclass(frozen=True, slots=True)
class ErrorResponse:
    """What ``cs`` scripts read of an error answer: ``status_code``, ``reason``, ``text``."""

    status_code: int | None
    text: str
    reason: str = ""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})

    @classmethod
    def of(cls, error: CloudStackApiError) -> ErrorResponse:
        """The answer ``error`` was made from: ``{"<command>response": <error document>}``."""
        key = f"{(error.command or 'error').lower()}response"
        return cls(status_code=error.status, text=json.dumps({key: error.error}))

    def json(self) -> Any:
        """The answer's JSON document."""
        return json.loads(self.text)


class AIOCloudStack(AsyncCloudStack):
    """``cs.AIOCloudStack``: the async client under cs's name, with cs's ``close()``.

    omnicloud keeps its own connection pool, so cs's ``session`` (an aiohttp session to share)
    is not taken: passing one is refused rather than silently ignored.
    """

    def __init__(
        self, endpoint: str, key: str, secret: str, *, session: Any = None, **options: Any
    ) -> None:
        if session is not None:
            raise ValidationError(
                "AIOCloudStack(session=...) is not supported: omnicloud pools connections itself"
                " (use 'async with AIOCloudStack(...)' to share them between calls)"
            )
        super().__init__(endpoint, key, secret, **options)

    async def close(self) -> None:
        """Close pooled connections (cs's name for :meth:`aclose`)."""
        await self.aclose()
