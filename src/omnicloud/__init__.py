"""omnicloud: one typed, async-native API and CLI over many clouds.

Importing this package is cheap: HTTP, SSH and terminal machinery load on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "DriverNotAvailableError",
    "DriverType",
    "Provider",
    "UnknownProviderError",
    "__version__",
    "connect",
    "get_driver",
    "set_driver",
]

_LAZY = {
    "get_driver",
    "set_driver",
    "Provider",
    "DriverType",
    "DriverNotAvailableError",
    "UnknownProviderError",
}

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._connect import connect
    from omnicloud._registry import (
        DriverNotAvailableError,
        DriverType,
        Provider,
        UnknownProviderError,
        get_driver,
        set_driver,
    )


def __getattr__(name: str) -> object:
    """Load the driver registry and profiles on first use (PEP 562)."""
    if name in _LAZY:
        from omnicloud import _registry

        return getattr(_registry, name)
    if name == "connect":
        from omnicloud._connect import connect

        return connect
    raise AttributeError(f"module 'omnicloud' has no attribute {name!r}")
