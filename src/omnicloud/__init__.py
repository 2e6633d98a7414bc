"""omnicloud: one typed, async-native API and CLI over many clouds.

Importing this package is cheap: HTTP, SSH and terminal machinery load on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["DriverType", "Provider", "__version__", "get_driver", "set_driver"]

_LAZY = {"get_driver", "set_driver", "Provider", "DriverType"}


def __getattr__(name: str) -> object:
    """Load the driver registry on first use (PEP 562)."""
    if name in _LAZY:
        from omnicloud import _registry

        return getattr(_registry, name)
    raise AttributeError(f"module 'omnicloud' has no attribute {name!r}")
