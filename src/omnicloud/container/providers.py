"""Container provider drivers, as ``libcloud.container.providers``: ``get_driver(Provider.X)``.

The table is omnicloud's one driver registry (:mod:`omnicloud._registry`); it has no container
driver yet, so every constant raises :class:`DriverNotAvailableError` (``set_driver`` adds one).
"""

from __future__ import annotations

from omnicloud._providers import ContainerProvider as Provider
from omnicloud._registry import DriverNotAvailableError, FamilyDrivers

__all__ = ["DriverNotAvailableError", "Provider", "get_async_driver", "get_driver", "set_driver"]

_FAMILY = FamilyDrivers("container")
get_driver = _FAMILY.get_driver
get_async_driver = _FAMILY.get_async_driver
set_driver = _FAMILY.set_driver
