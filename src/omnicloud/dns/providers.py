"""DNS provider drivers, as ``libcloud.dns.providers``: ``get_driver(Provider.ROUTE53)``,
``get_driver(Provider.POWERDNS)``.

The table is omnicloud's one driver registry (:mod:`omnicloud._registry`); drivers load lazily
and a Libcloud provider with no omnicloud driver yet raises :class:`DriverNotAvailableError`
(``set_driver`` adds one).
"""

from __future__ import annotations

from enum import Enum
from typing import overload

from omnicloud._providers import DNSProvider as Provider
from omnicloud._registry import DriverNotAvailableError, FamilyDrivers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud import _driver_types as dt

__all__ = ["DriverNotAvailableError", "Provider", "get_async_driver", "get_driver", "set_driver"]

_FAMILY = FamilyDrivers("dns")
set_driver = _FAMILY.set_driver


@overload
def get_driver(provider: dt.Route53) -> type[dt.Route53DNSDriver]: ...
@overload
def get_driver(provider: dt.PowerDNS) -> type[dt.PowerDNSDriver]: ...
@overload
def get_driver(provider: str | Enum) -> type[Any]: ...
def get_driver(provider: str | Enum) -> type[Any]:
    """The synchronous driver class for ``provider``."""
    return _FAMILY.get_driver(provider)


@overload
def get_async_driver(provider: dt.Route53) -> type[dt.AsyncRoute53DNSDriver]: ...
@overload
def get_async_driver(provider: dt.PowerDNS) -> type[dt.AsyncPowerDNSDriver]: ...
@overload
def get_async_driver(provider: str | Enum) -> type[Any]: ...
def get_async_driver(provider: str | Enum) -> type[Any]:
    """The asynchronous driver class for ``provider`` (its methods are coroutines)."""
    return _FAMILY.get_async_driver(provider)
