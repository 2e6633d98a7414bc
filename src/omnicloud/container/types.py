"""Container names where Libcloud keeps them (``libcloud.container.types``): the constants."""

from __future__ import annotations

from omnicloud._providers import ContainerProvider as Provider
from omnicloud._registry import DriverNotAvailableError
from omnicloud.errors import OmnicloudError as LibcloudError

__all__ = ["DriverNotAvailableError", "LibcloudError", "Provider"]
