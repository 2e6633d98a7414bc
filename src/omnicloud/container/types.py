"""Container names where Libcloud keeps them (``libcloud.container.types``): the provider
constants and :class:`ContainerState`."""

from __future__ import annotations

from omnicloud._providers import ContainerProvider as Provider
from omnicloud._registry import DriverNotAvailableError
from omnicloud.container._base import ContainerState
from omnicloud.errors import OmnicloudError as LibcloudError

__all__ = ["ContainerState", "DriverNotAvailableError", "LibcloudError", "Provider"]
