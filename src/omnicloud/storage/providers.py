"""Storage provider names and the driver classes they map to (imported lazily)."""

from __future__ import annotations

import enum
import importlib
from typing import Any

__all__ = ["Provider", "get_async_driver", "get_driver"]


class Provider(enum.StrEnum):
    """Storage providers (values match Libcloud's provider constants)."""

    LOCAL = "local"
    S3 = "s3"
    MINIO = "minio"
    CEPH = "ceph"
    SWIFT_S3 = "swift_s3"


_DRIVERS: dict[str, tuple[str, str, str]] = {
    "local": ("omnicloud.storage.drivers.local", "LocalStorageDriver", "AsyncLocalStorageDriver"),
    "s3": ("omnicloud.storage.drivers.s3", "S3StorageDriver", "AsyncS3StorageDriver"),
    "minio": ("omnicloud.storage.drivers.s3", "S3StorageDriver", "AsyncS3StorageDriver"),
    "ceph": ("omnicloud.storage.drivers.s3", "S3StorageDriver", "AsyncS3StorageDriver"),
    "swift_s3": ("omnicloud.storage.drivers.s3", "S3StorageDriver", "AsyncS3StorageDriver"),
}


def _load(provider: str | Provider, index: int) -> Any:
    key = provider.value if isinstance(provider, Provider) else str(provider).lower()
    try:
        entry = _DRIVERS[key]
    except KeyError:
        from omnicloud.errors import ConfigurationError

        known = ", ".join(sorted(_DRIVERS))
        raise ConfigurationError(
            f"unknown storage provider {provider!r} (known: {known})"
        ) from None
    return getattr(importlib.import_module(entry[0]), entry[index])


def get_driver(provider: str | Provider) -> Any:
    """The synchronous driver class for ``provider``."""
    return _load(provider, 1)


def get_async_driver(provider: str | Provider) -> Any:
    """The asynchronous driver class for ``provider``."""
    return _load(provider, 2)
