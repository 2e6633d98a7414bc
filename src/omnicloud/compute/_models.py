"""Provider-neutral compute models with Libcloud's field names.

Methods such as :meth:`Node.reboot` delegate to the driver that produced the object: with a sync
driver they return the result, with an async driver they return an awaitable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ._types import NodeState, StorageVolumeState, VolumeSnapshotState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any

__all__ = [
    "KeyPair",
    "Node",
    "NodeAuthPassword",
    "NodeAuthSSHKey",
    "NodeImage",
    "NodeLocation",
    "NodeSize",
    "StorageVolume",
    "VolumeSnapshot",
]


def _uuid(obj: Any) -> str:
    import hashlib  # hashlib's OpenSSL binding costs 6 ms to import: only when asked

    kind = getattr(getattr(obj, "driver", None), "type", None)
    return hashlib.sha1(f"{obj.id}:{kind}".encode()).hexdigest()


@dataclass(slots=True)
class Node:
    """A virtual machine."""

    id: str
    name: str
    state: NodeState
    public_ips: list[str] = field(default_factory=list)
    private_ips: list[str] = field(default_factory=list)
    driver: Any = field(default=None, repr=False, compare=False)
    size: NodeSize | None = None
    image: NodeImage | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    created_at: datetime | None = None

    @property
    def uuid(self) -> str:
        """Libcloud's stable identifier: sha1 of id and provider."""
        return _uuid(self)

    def reboot(self) -> Any:
        """Reboot this node."""
        return self.driver.reboot_node(self)

    def start(self) -> Any:
        """Start this node."""
        return self.driver.start_node(self)

    def stop_node(self) -> Any:
        """Stop this node (Libcloud's name)."""
        return self.driver.stop_node(self)

    def destroy(self) -> Any:
        """Destroy this node."""
        return self.driver.destroy_node(self)


@dataclass(slots=True)
class NodeSize:
    """A machine size (RAM in MB, disk in GB, price per hour)."""

    id: str
    name: str
    ram: int
    disk: int
    bandwidth: int | None
    price: float | None
    driver: Any = field(default=None, repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def uuid(self) -> str:
        """Libcloud's stable identifier."""
        return _uuid(self)


@dataclass(slots=True)
class NodeImage:
    """An image (template) nodes boot from."""

    id: str
    name: str
    driver: Any = field(default=None, repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def uuid(self) -> str:
        """Libcloud's stable identifier."""
        return _uuid(self)


@dataclass(slots=True)
class NodeLocation:
    """A data centre or zone."""

    id: str
    name: str
    country: str
    driver: Any = field(default=None, repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(slots=True)
class StorageVolume:
    """A block storage volume (size in GB)."""

    id: str
    name: str
    size: int
    driver: Any = field(default=None, repr=False, compare=False)
    state: StorageVolumeState = StorageVolumeState.UNKNOWN
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def uuid(self) -> str:
        """Libcloud's stable identifier."""
        return _uuid(self)

    def attach(self, node: Node, device: str | None = None) -> Any:
        """Attach to ``node``."""
        return self.driver.attach_volume(node, self, device)

    def detach(self) -> Any:
        """Detach from its node."""
        return self.driver.detach_volume(self)

    def list_snapshots(self) -> Any:
        """Snapshots of this volume."""
        return self.driver.list_volume_snapshots(self)

    def snapshot(self, name: str | None = None) -> Any:
        """Snapshot this volume."""
        return self.driver.create_volume_snapshot(self, name)

    def destroy(self) -> Any:
        """Delete this volume."""
        return self.driver.destroy_volume(self)


@dataclass(slots=True)
class VolumeSnapshot:
    """A snapshot of a volume (size in GB)."""

    id: str
    driver: Any = field(default=None, repr=False, compare=False)
    size: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    created: datetime | None = None
    state: VolumeSnapshotState = VolumeSnapshotState.UNKNOWN
    name: str | None = None

    def destroy(self) -> Any:
        """Delete this snapshot."""
        return self.driver.destroy_volume_snapshot(self)


@dataclass(slots=True)
class KeyPair:
    """An SSH key pair; ``private_key`` is only set right after creation and never shown."""

    name: str
    public_key: str | None
    fingerprint: str
    driver: Any = field(default=None, repr=False, compare=False)
    private_key: str | None = field(default=None, repr=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(slots=True)
class NodeAuthSSHKey:
    """Log in with this public key."""

    pubkey: str = field(repr=False)


@dataclass(slots=True)
class NodeAuthPassword:
    """Log in with this password; ``generated`` when the provider or driver chose it."""

    password: str = field(repr=False)
    generated: bool = False
