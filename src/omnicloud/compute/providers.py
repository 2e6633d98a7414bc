"""Compute provider drivers, as ``libcloud.compute.providers``: ``get_driver(Provider.EC2)``.

The table is omnicloud's one driver registry (:mod:`omnicloud._registry`); drivers load lazily and
a Libcloud provider with no omnicloud driver yet raises :class:`DriverNotAvailableError`.
"""

from __future__ import annotations

from enum import Enum
from typing import overload

from omnicloud._providers import ComputeProvider as Provider
from omnicloud._registry import DriverNotAvailableError, FamilyDrivers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud import _driver_types as dt

__all__ = ["DriverNotAvailableError", "Provider", "get_async_driver", "get_driver", "set_driver"]

_FAMILY = FamilyDrivers("compute")
set_driver = _FAMILY.set_driver


@overload
def get_driver(provider: dt.CloudStack) -> type[dt.CloudStackNodeDriver]: ...
@overload
def get_driver(provider: dt.Exoscale) -> type[dt.ExoscaleNodeDriver]: ...
@overload
def get_driver(provider: dt.Ikoula) -> type[dt.IkoulaNodeDriver]: ...
@overload
def get_driver(provider: dt.CloudSigma) -> type[dt.CloudSigmaNodeDriver]: ...
@overload
def get_driver(provider: dt.EC2) -> type[dt.EC2NodeDriver]: ...
@overload
def get_driver(provider: dt.Libvirt) -> type[dt.LibvirtNodeDriver]: ...
@overload
def get_driver(provider: dt.OpenStack) -> type[dt.OpenStackNodeDriver]: ...
@overload
def get_driver(provider: dt.GCE) -> type[dt.GCENodeDriver]: ...
@overload
def get_driver(provider: dt.AzureARM) -> type[dt.AzureNodeDriver]: ...
@overload
def get_driver(provider: dt.AzureClassic) -> type[dt.AzureClassicNodeDriver]: ...
@overload
def get_driver(provider: str | Enum) -> type[Any]: ...
def get_driver(provider: str | Enum) -> type[Any]:
    """The synchronous driver class for ``provider``."""
    return _FAMILY.get_driver(provider)


@overload
def get_async_driver(provider: dt.CloudStack) -> type[dt.AsyncCloudStackNodeDriver]: ...
@overload
def get_async_driver(provider: dt.Exoscale) -> type[dt.AsyncExoscaleNodeDriver]: ...
@overload
def get_async_driver(provider: dt.Ikoula) -> type[dt.AsyncIkoulaNodeDriver]: ...
@overload
def get_async_driver(provider: dt.CloudSigma) -> type[dt.AsyncCloudSigmaNodeDriver]: ...
@overload
def get_async_driver(provider: dt.EC2) -> type[dt.AsyncEC2NodeDriver]: ...
@overload
def get_async_driver(provider: dt.Libvirt) -> type[dt.AsyncLibvirtNodeDriver]: ...
@overload
def get_async_driver(provider: dt.OpenStack) -> type[dt.AsyncOpenStackNodeDriver]: ...
@overload
def get_async_driver(provider: dt.GCE) -> type[dt.AsyncGCENodeDriver]: ...
@overload
def get_async_driver(provider: dt.AzureARM) -> type[dt.AsyncAzureNodeDriver]: ...
@overload
def get_async_driver(provider: dt.AzureClassic) -> type[dt.AsyncAzureClassicNodeDriver]: ...
@overload
def get_async_driver(provider: str | Enum) -> type[Any]: ...
def get_async_driver(provider: str | Enum) -> type[Any]:
    """The asynchronous driver class for ``provider`` (its methods are coroutines)."""
    return _FAMILY.get_async_driver(provider)
