"""Small converters shared by the CloudStack models (wire values -> Python values)."""

from __future__ import annotations

from datetime import datetime

from omnicloud._wire import Lenient
from omnicloud.cloudstack.addresses import is_private
from omnicloud.compute._types import NodeState, StorageVolumeState, VolumeSnapshotState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "GB",
    "NODE_STATES",
    "as_bool",
    "as_time",
    "is_private",
    "node_state",
    "snapshot_state",
    "split_csv",
    "tags_dict",
    "volume_state",
]

GB = 1024**3

NODE_STATES: dict[str, NodeState] = {
    "Running": NodeState.RUNNING,
    "Starting": NodeState.STARTING,
    "Stopping": NodeState.STOPPING,
    "Stopped": NodeState.STOPPED,
    "Shutdowned": NodeState.STOPPED,
    "Migrating": NodeState.MIGRATING,
    "Restoring": NodeState.PENDING,
    "Expunging": NodeState.TERMINATED,
    "Destroyed": NodeState.TERMINATED,
    "Error": NodeState.ERROR,
}

VOLUME_STATES: dict[str, StorageVolumeState] = {
    "Allocated": StorageVolumeState.AVAILABLE,
    "Ready": StorageVolumeState.AVAILABLE,
    "Creating": StorageVolumeState.CREATING,
    "Uploaded": StorageVolumeState.AVAILABLE,
    "Snapshotting": StorageVolumeState.BACKUP,
    "Migrating": StorageVolumeState.MIGRATING,
    "Resizing": StorageVolumeState.UPDATING,
    "Destroy": StorageVolumeState.DELETED,
    "Destroying": StorageVolumeState.DELETING,
    "Expunging": StorageVolumeState.DELETING,
    "Expunged": StorageVolumeState.DELETED,
    "UploadError": StorageVolumeState.ERROR,
}

SNAPSHOT_STATES: dict[str, VolumeSnapshotState] = {
    "BackedUp": VolumeSnapshotState.AVAILABLE,
    "Allocated": VolumeSnapshotState.CREATING,
    "Creating": VolumeSnapshotState.CREATING,
    "CreatedOnPrimary": VolumeSnapshotState.CREATING,
    "BackingUp": VolumeSnapshotState.CREATING,
    "Destroying": VolumeSnapshotState.DELETING,
    "Destroyed": VolumeSnapshotState.DELETING,
    "Error": VolumeSnapshotState.ERROR,
}


def node_state(value: Any) -> NodeState:
    """CloudStack VM state -> NodeState (total: anything unknown is UNKNOWN)."""
    return NODE_STATES.get(value, NodeState.UNKNOWN)


def volume_state(doc: dict[str, Any]) -> StorageVolumeState:
    """Volume state; a ready volume attached to a VM is INUSE."""
    state = VOLUME_STATES.get(doc.get("state"), StorageVolumeState.UNKNOWN)  # type: ignore[arg-type]
    if state is StorageVolumeState.AVAILABLE and doc.get("virtualmachineid"):
        return StorageVolumeState.INUSE
    return state


def snapshot_state(value: Any) -> VolumeSnapshotState:
    """Snapshot state (total)."""
    return SNAPSHOT_STATES.get(value, VolumeSnapshotState.UNKNOWN)


#: CloudStack's ``2024-01-02T03:04:05+0000`` (or anything ISO) -> datetime (aware when the text
#: has an offset); None when it is not a time. Mappers inline it as a ``try`` around the C parser.
as_time: Lenient[datetime] = Lenient(datetime.fromisoformat, (TypeError, ValueError))


def as_bool(value: Any) -> bool:
    """``true``/``"true"`` -> True."""
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def split_csv(value: Any) -> list[str]:
    """``"a,b"`` or ``["a","b"]`` -> ``["a","b"]``."""
    if isinstance(value, list):
        return [str(item) for item in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def tags_dict(value: Any) -> dict[str, str]:
    """CloudStack's ``[{key, value, ...}]`` -> ``{key: value}``."""
    return {tag["key"]: tag.get("value", "") for tag in value if "key" in tag}


# listResourceLimits resourcetype -> Libcloud's ex_limits name
LIMIT_NAMES: dict[int, str] = {
    0: "max_instances",
    1: "max_public_ips",
    2: "max_volumes",
    3: "max_snapshots",
    4: "max_images",
    5: "max_projects",
    6: "max_networks",
    7: "max_vpc",
    8: "max_cpu",
    9: "max_memory",
    10: "max_primary_storage",
    11: "max_secondary_storage",
}
