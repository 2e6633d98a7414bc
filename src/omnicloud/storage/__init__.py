"""Object storage with Libcloud's API, sync and async: local filesystem and S3-compatible stores.

Drivers are loaded on first use::

    from omnicloud.storage import Provider, get_driver
    driver = get_driver(Provider.S3)("KEY", "SECRET", region="eu-west-1")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # typed for callers; imported on first use
    from omnicloud.storage._names import check_name_encoding

__all__ = [
    "AsyncStorageDriver",
    "Container",
    "DriverNotAvailableError",
    "Object",
    "Provider",
    "StorageDriver",
    "check_name_encoding",
    "get_async_driver",
    "get_driver",
    "set_driver",
]

_LAZY = {
    "AsyncStorageDriver": "omnicloud.storage.base",
    "StorageDriver": "omnicloud.storage.base",
    "Container": "omnicloud.storage._models",
    "Object": "omnicloud.storage._models",
    "Provider": "omnicloud.storage.providers",
    "get_driver": "omnicloud.storage.providers",
    "get_async_driver": "omnicloud.storage.providers",
    "set_driver": "omnicloud.storage.providers",
    "DriverNotAvailableError": "omnicloud.storage.providers",
    "check_name_encoding": "omnicloud.storage._names",
}


def __getattr__(name: str) -> Any:
    """Import on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'omnicloud.storage' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
