"""Storage names where Libcloud keeps them (``libcloud.storage.types``).

``Provider`` has Libcloud's constants (``S3_EU_WEST`` and the other S3 regions, ``LOCAL``,
``MINIO``...); the errors are omnicloud's own classes under Libcloud's names.
"""

from __future__ import annotations

from omnicloud._providers import StorageProvider as Provider
from omnicloud._registry import DriverNotAvailableError
from omnicloud.errors import OmnicloudError as LibcloudError
from omnicloud.storage.errors import (
    ContainerAlreadyExistsError,
    ContainerDoesNotExistError,
    ContainerIsNotEmptyError,
    InvalidContainerNameError,
    ObjectDoesNotExistError,
    ObjectHashMismatchError,
    StorageError,
)

__all__ = [
    "ContainerAlreadyExistsError",
    "ContainerDoesNotExistError",
    "ContainerError",
    "ContainerIsNotEmptyError",
    "DriverNotAvailableError",
    "InvalidContainerNameError",
    "LibcloudError",
    "ObjectDoesNotExistError",
    "ObjectError",
    "ObjectHashMismatchError",
    "Provider",
]

#: Libcloud's base names for container and object errors.
ContainerError = StorageError
ObjectError = StorageError
