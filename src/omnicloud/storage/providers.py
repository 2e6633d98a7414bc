"""Storage provider names and their drivers, as ``libcloud.storage.providers``.

The table is omnicloud's one driver registry (:mod:`omnicloud._registry`); drivers load lazily.
Libcloud's S3 region constants (``Provider.S3_EU_WEST``...) give the S3 driver with that region.
"""

from __future__ import annotations

from omnicloud._providers import StorageProvider as Provider
from omnicloud._registry import DriverNotAvailableError, FamilyDrivers

__all__ = ["DriverNotAvailableError", "Provider", "get_async_driver", "get_driver", "set_driver"]

_FAMILY = FamilyDrivers("storage")
get_driver = _FAMILY.get_driver
get_async_driver = _FAMILY.get_async_driver
set_driver = _FAMILY.set_driver
