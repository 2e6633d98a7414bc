"""Compute names where Libcloud keeps them (``libcloud.compute.types``).

``from omnicloud.compute.types import Provider, NodeState`` works as in Libcloud; the errors are
omnicloud's own classes under Libcloud's names.
"""

from __future__ import annotations

from omnicloud._providers import ComputeProvider as Provider
from omnicloud._registry import DriverNotAvailableError, DriverType
from omnicloud.compute._types import NodeState, StorageVolumeState, VolumeSnapshotState
from omnicloud.compute.deployment import DeploymentError
from omnicloud.errors import InvalidCredentialsError, MalformedResponseError, NotFoundError
from omnicloud.errors import OmnicloudError as LibcloudError

__all__ = [
    "DeploymentError",
    "DeploymentException",
    "DriverNotAvailableError",
    "DriverType",
    "InvalidCredsError",
    "InvalidCredsException",
    "KeyPairDoesNotExistError",
    "LibcloudError",
    "MalformedResponseError",
    "NodeState",
    "Provider",
    "StorageVolumeState",
    "VolumeSnapshotState",
]

#: Libcloud's names for rejected credentials.
InvalidCredsError = InvalidCredentialsError
InvalidCredsException = InvalidCredentialsError
#: Libcloud's older name for a failed deployment.
DeploymentException = DeploymentError
#: A key pair that does not exist is a NotFoundError in omnicloud.
KeyPairDoesNotExistError = NotFoundError
