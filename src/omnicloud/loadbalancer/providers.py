"""Load balancer drivers, as ``libcloud.loadbalancer.providers``.

``get_driver(Provider.CLOUDSTACK)`` gives the CloudStack load balancer driver class.

The table is omnicloud's one driver registry (:mod:`omnicloud._registry`); drivers load lazily and
a Libcloud provider with no omnicloud driver yet raises :class:`DriverNotAvailableError`.
"""

from __future__ import annotations

from omnicloud._providers import LoadBalancerProvider as Provider
from omnicloud._registry import DriverNotAvailableError, FamilyDrivers

__all__ = ["DriverNotAvailableError", "Provider", "get_async_driver", "get_driver", "set_driver"]

_FAMILY = FamilyDrivers("loadbalancer")
get_driver = _FAMILY.get_driver
get_async_driver = _FAMILY.get_async_driver
set_driver = _FAMILY.set_driver
