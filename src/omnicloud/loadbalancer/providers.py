"""Load balancer drivers, as ``libcloud.loadbalancer.providers``.

``get_driver(Provider.CLOUDSTACK)`` gives the CloudStack load balancer driver class,
``get_driver(Provider.ALB)`` the Amazon ELBv2 one (application and network load balancers),
``get_driver(Provider.ELB)`` the classic Elastic Load Balancing one (API 2012-06-01).

The table is omnicloud's one driver registry (:mod:`omnicloud._registry`); drivers load lazily and
a Libcloud provider with no omnicloud driver yet raises :class:`DriverNotAvailableError`.
"""

from __future__ import annotations

from enum import Enum
from typing import overload

from omnicloud._providers import LoadBalancerProvider as Provider
from omnicloud._registry import DriverNotAvailableError, FamilyDrivers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud import _driver_types as dt

__all__ = ["DriverNotAvailableError", "Provider", "get_async_driver", "get_driver", "set_driver"]

_FAMILY = FamilyDrivers("loadbalancer")
set_driver = _FAMILY.set_driver


@overload
def get_driver(provider: dt.CloudStackLB) -> type[dt.CloudStackLBDriver]: ...
@overload
def get_driver(provider: dt.ALB) -> type[dt.ApplicationLBDriver]: ...
@overload
def get_driver(provider: dt.ELB) -> type[dt.ELBDriver]: ...
@overload
def get_driver(provider: str | Enum) -> type[Any]: ...
def get_driver(provider: str | Enum) -> type[Any]:
    """The synchronous driver class for ``provider``."""
    return _FAMILY.get_driver(provider)


@overload
def get_async_driver(provider: dt.CloudStackLB) -> type[dt.AsyncCloudStackLBDriver]: ...
@overload
def get_async_driver(provider: dt.ALB) -> type[dt.AsyncApplicationLBDriver]: ...
@overload
def get_async_driver(provider: dt.ELB) -> type[dt.AsyncELBDriver]: ...
@overload
def get_async_driver(provider: str | Enum) -> type[Any]: ...
def get_async_driver(provider: str | Enum) -> type[Any]:
    """The asynchronous driver class for ``provider`` (its methods are coroutines)."""
    return _FAMILY.get_async_driver(provider)
