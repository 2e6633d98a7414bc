"""The unified compute API: models, states and the driver contract.

``omnicloud.get_driver(Provider.CLOUDSTACK)`` gives a driver class; drivers load lazily.
"""

from __future__ import annotations

from ._driver import NODE_ONLINE_WAIT_TIMEOUT, NodeDriverCore, NotSupportedError
from ._models import (
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
from ._types import NodeState, StorageVolumeState, VolumeSnapshotState
from .deployment import DeploymentError

__all__ = [
    "NODE_ONLINE_WAIT_TIMEOUT",
    "DeploymentError",
    "KeyPair",
    "Node",
    "NodeAuthPassword",
    "NodeAuthSSHKey",
    "NodeDriverCore",
    "NodeImage",
    "NodeLocation",
    "NodeSize",
    "NodeState",
    "NotSupportedError",
    "StorageVolume",
    "StorageVolumeState",
    "VolumeSnapshot",
    "VolumeSnapshotState",
]
