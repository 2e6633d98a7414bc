"""omnicloud: one typed, async-native API and CLI over many clouds.

Importing this package is cheap: HTTP, SSH and terminal machinery load on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
