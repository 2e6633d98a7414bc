"""Compute provider drivers, as ``libcloud.compute.providers``: ``get_driver(Provider.EC2)``.

The table is omnicloud's one driver registry (:mod:`omnicloud._registry`); drivers load lazily and
a Libcloud provider with no omnicloud driver yet raises :class:`DriverNotAvailableError`.
"""

from __future__ import annotations

from omnicloud._providers import ComputeProvider as Provider
from omnicloud._registry import DriverNotAvailableError, resolve
from omnicloud._registry import set_driver as _set_driver

TYPE_CHECKING = False
if TYPE_CHECKING:
    from enum import Enum
    from typing import Any

__all__ = ["DriverNotAvailableError", "Provider", "get_async_driver", "get_driver", "set_driver"]


def get_driver(provider: str | Enum) -> type[Any]:
    """The synchronous driver class for ``provider``."""
    return resolve("compute", provider)


def get_async_driver(provider: str | Enum) -> type[Any]:
    """The asynchronous driver class for ``provider`` (its methods are coroutines)."""
    return resolve("compute", provider, asynchronous=True)


def set_driver(
    provider: str | Enum, module: str, klass: str, *, async_class: str | None = None
) -> type[Any]:
    """Register a third-party compute driver ``module.klass`` under ``provider``."""
    return _set_driver(provider, module, klass, driver_type="compute", async_class=async_class)
