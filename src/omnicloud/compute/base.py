"""Compute models and the driver contract where Libcloud keeps them (``libcloud.compute.base``).

``NodeDriver`` is the class every omnicloud compute driver derives from, so
``isinstance(driver, NodeDriver)`` holds for sync and async drivers alike.
"""

from __future__ import annotations

from omnicloud.compute._driver import NODE_ONLINE_WAIT_TIMEOUT
from omnicloud.compute._driver import NodeDriverCore as NodeDriver
from omnicloud.compute._models import (
    KeyPair,
    Node,
    NodeAuthPassword,
    NodeAuthSSHKey,
    NodeImage,
    NodeLocation,
    NodeSize,
    StorageVolume,
    VolumeSnapshot,
)
from omnicloud.compute._types import NodeState, StorageVolumeState
from omnicloud.compute.deployment import DeploymentError
from omnicloud.errors import OmnicloudError as LibcloudError

__all__ = [
    "NODE_ONLINE_WAIT_TIMEOUT",
    "DeploymentError",
    "KeyPair",
    "LibcloudError",
    "Node",
    "NodeAuthPassword",
    "NodeAuthSSHKey",
    "NodeDriver",
    "NodeImage",
    "NodeLocation",
    "NodeSize",
    "NodeState",
    "StorageVolume",
    "StorageVolumeState",
    "VolumeSnapshot",
]
