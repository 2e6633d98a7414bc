"""Libcloud's raw-request hook: ``driver.connection.request(command, params=...)``.

Any CloudStack API command, signed and sent through the driver's own client (endpoint,
credentials, HTTP settings, error mapping). On the async driver ``request`` is awaited.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from omnicloud.cloudstack._driver_base import CloudStackConnection
from omnicloud.compute._shell import operation
from omnicloud.errors import ValidationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = ["CloudStackRaw", "RawConnection", "RawResponse"]


@dataclass(frozen=True, slots=True)
class RawResponse:
    """A successful answer: ``object`` is the parsed body (the ``...response`` member
    unwrapped, as the cs client gives it), ``status`` the HTTP status, ``body`` JSON text."""

    object: Any
    status: int = 200
    body: str = field(default="", repr=False)


class RawConnection:
    """``driver.connection``: ``request(command, params=None)`` sends one API command.

    ``command`` is the API command name (``"listZones"``); Libcloud's style, a path plus
    ``params={"command": ...}``, works too. Errors raise omnicloud's exceptions (as every driver
    call does) instead of returning a failed response. The HTTP method is the driver's
    ``method`` setting; ``method=`` is accepted for Libcloud compatibility and must agree.
    """

    def __init__(self, driver: Any) -> None:
        self._driver = driver

    def request(
        self, action: str, params: Mapping[str, Any] | None = None, method: str | None = None
    ) -> Any:
        """Send ``action`` with ``params``; a :class:`RawResponse` (awaitable on async
        drivers)."""
        values = dict(params or {})
        command = str(values.pop("command", "") or action).strip().lstrip("/")
        if not command or "/" in command:
            raise ValidationError(f"expected a CloudStack command name, got {action!r}")
        wanted = self._driver._settings.method.lower()
        if method is not None and method.lower() != wanted:
            raise ValidationError(
                f"this driver sends requests with {wanted.upper()} (its method= setting), "
                f"not {method.upper()}"
            )
        return self._driver.ex_raw_request(command, values)


class CloudStackRaw(CloudStackConnection):
    """The raw-request operation behind :class:`RawConnection`."""

    @property
    def connection(self) -> RawConnection:
        """Libcloud's raw-request hook (see :class:`RawConnection`)."""
        return RawConnection(self)

    @operation
    def ex_raw_request(self, command: str, params: Mapping[str, Any]) -> Flow[RawResponse]:
        """Send API ``command`` with ``params``; the parsed answer as a :class:`RawResponse`."""
        body = yield from self._call(command, **dict(params))
        return RawResponse(object=body, status=200, body=json.dumps(body, sort_keys=True))
