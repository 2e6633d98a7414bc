"""Storage provider names and their drivers, as ``libcloud.storage.providers``.

The table is omnicloud's one driver registry (:mod:`omnicloud._registry`); drivers load lazily.
Libcloud's S3 region constants (``Provider.S3_EU_WEST``...) give the S3 driver with that region.
"""

from __future__ import annotations

from enum import Enum
from typing import overload

from omnicloud._providers import StorageProvider as Provider
from omnicloud._registry import DriverNotAvailableError, FamilyDrivers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud import _driver_types as dt

__all__ = ["DriverNotAvailableError", "Provider", "get_async_driver", "get_driver", "set_driver"]

_FAMILY = FamilyDrivers("storage")
set_driver = _FAMILY.set_driver


@overload
def get_driver(provider: dt.Local) -> type[dt.LocalStorageDriver]: ...
@overload
def get_driver(provider: dt.S3) -> type[dt.S3StorageDriver]: ...
@overload
def get_driver(provider: dt.OpenStackSwift) -> type[dt.OpenStackSwiftStorageDriver]: ...
@overload
def get_driver(provider: dt.AzureBlobs) -> type[dt.AzureBlobsStorageDriver]: ...
@overload
def get_driver(provider: dt.GoogleStorage) -> type[dt.GoogleStorageDriver]: ...
@overload
def get_driver(provider: str | Enum) -> type[Any]: ...
def get_driver(provider: str | Enum) -> type[Any]:
    """The synchronous driver class for ``provider``."""
    return _FAMILY.get_driver(provider)


@overload
def get_async_driver(provider: dt.Local) -> type[dt.AsyncLocalStorageDriver]: ...
@overload
def get_async_driver(provider: dt.S3) -> type[dt.AsyncS3StorageDriver]: ...
@overload
def get_async_driver(
    provider: dt.OpenStackSwift,
) -> type[dt.AsyncOpenStackSwiftStorageDriver]: ...
@overload
def get_async_driver(provider: dt.AzureBlobs) -> type[dt.AsyncAzureBlobsStorageDriver]: ...
@overload
def get_async_driver(provider: dt.GoogleStorage) -> type[dt.AsyncGoogleStorageDriver]: ...
@overload
def get_async_driver(provider: str | Enum) -> type[Any]: ...
def get_async_driver(provider: str | Enum) -> type[Any]:
    """The asynchronous driver class for ``provider`` (its methods are coroutines)."""
    return _FAMILY.get_async_driver(provider)
