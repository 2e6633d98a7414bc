"""Storage provider names and their drivers, as ``libcloud.storage.providers``.

The table is omnicloud's one driver registry (:mod:`omnicloud._registry`); drivers load lazily.
Libcloud's S3 region constants (``Provider.S3_EU_WEST``...) give the S3 driver with that region.
"""

from __future__ import annotations

from omnicloud._providers import StorageProvider as Provider
from omnicloud._registry import DriverNotAvailableError, resolve
from omnicloud._registry import set_driver as _set_driver

TYPE_CHECKING = False
if TYPE_CHECKING:
    from enum import Enum
    from typing import Any

__all__ = ["DriverNotAvailableError", "Provider", "get_async_driver", "get_driver", "set_driver"]


def get_driver(provider: str | Enum) -> type[Any]:
    """The synchronous driver class for ``provider``."""
    return resolve("storage", provider)


def get_async_driver(provider: str | Enum) -> type[Any]:
    """The asynchronous driver class for ``provider``."""
    return resolve("storage", provider, asynchronous=True)


def set_driver(
    provider: str | Enum, module: str, klass: str, *, async_class: str | None = None
) -> type[Any]:
    """Register a third-party storage driver ``module.klass`` under ``provider``."""
    return _set_driver(provider, module, klass, driver_type="storage", async_class=async_class)
