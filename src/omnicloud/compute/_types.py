"""Compute enumerations: ``str`` enums that compare equal to their lower-case value."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["NodeState", "StorageVolumeState", "VolumeSnapshotState"]


class _StrEnum(StrEnum):
    def __str__(self) -> str:
        return str(self.value)

    def tostring(self) -> str:
        """Libcloud's spelling: the upper-case name."""
        return self.name

    @classmethod
    def fromstring(cls, value: str) -> _StrEnum | None:
        """The member named ``value`` (any case), or ``None``."""
        return cls.__members__.get(value.upper())


class NodeState(_StrEnum):
    """The state of a node (``NodeState.RUNNING == "running"``)."""

    RUNNING = "running"
    STARTING = "starting"
    REBOOTING = "rebooting"
    TERMINATED = "terminated"
    PENDING = "pending"
    UNKNOWN = "unknown"
    STOPPING = "stopping"
    STOPPED = "stopped"
    SUSPENDED = "suspended"
    ERROR = "error"
    PAUSED = "paused"
    RECONFIGURING = "reconfiguring"
    MIGRATING = "migrating"
    NORMAL = "normal"
    UPDATING = "updating"


class StorageVolumeState(_StrEnum):
    """The state of a volume."""

    AVAILABLE = "available"
    ERROR = "error"
    INUSE = "inuse"
    CREATING = "creating"
    DELETING = "deleting"
    DELETED = "deleted"
    BACKUP = "backup"
    ATTACHING = "attaching"
    UNKNOWN = "unknown"
    MIGRATING = "migrating"
    UPDATING = "updating"


class VolumeSnapshotState(_StrEnum):
    """The state of a volume snapshot."""

    AVAILABLE = "available"
    ERROR = "error"
    CREATING = "creating"
    DELETING = "deleting"
    RESTORING = "restoring"
    UNKNOWN = "unknown"
    UPDATING = "updating"
