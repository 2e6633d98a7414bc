"""Container provider drivers, as ``libcloud.container.providers``:
``get_driver(Provider.DOCKER)``.

The table is omnicloud's one driver registry (:mod:`omnicloud._registry`); drivers load lazily
and a Libcloud provider with no omnicloud driver yet raises :class:`DriverNotAvailableError`
(``set_driver`` adds one).
"""

from __future__ import annotations

from enum import Enum
from typing import overload

from omnicloud._providers import ContainerProvider as Provider
from omnicloud._registry import DriverNotAvailableError, FamilyDrivers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud import _driver_types as dt

__all__ = ["DriverNotAvailableError", "Provider", "get_async_driver", "get_driver", "set_driver"]

_FAMILY = FamilyDrivers("container")
set_driver = _FAMILY.set_driver


@overload
def get_driver(provider: dt.Docker) -> type[dt.DockerContainerDriver]: ...
@overload
def get_driver(provider: str | Enum) -> type[Any]: ...
def get_driver(provider: str | Enum) -> type[Any]:
    """The synchronous driver class for ``provider``."""
    return _FAMILY.get_driver(provider)


@overload
def get_async_driver(provider: dt.Docker) -> type[dt.AsyncDockerContainerDriver]: ...
@overload
def get_async_driver(provider: str | Enum) -> type[Any]: ...
def get_async_driver(provider: str | Enum) -> type[Any]:
    """The asynchronous driver class for ``provider`` (its methods are coroutines)."""
    return _FAMILY.get_async_driver(provider)
