"""Nova, Glance and Cinder documents as compute models, declared with ``wire()`` (see
:mod:`omnicloud._wire`): servers, flavors, images, availability zones, key pairs, volumes and
snapshots. Each is a :func:`~omnicloud._wire.schema` called with the driver as context.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from omnicloud._wire import context, schema, wire
from omnicloud.compute._models import (
    KeyPair,
    Node,
    NodeImage,
    NodeLocation,
    NodeSize,
    StorageVolume,
    VolumeSnapshot,
)
from omnicloud.compute._types import NodeState, StorageVolumeState, VolumeSnapshotState

__all__ = [
    "IMAGE",
    "KEY_PAIR",
    "LOCATION",
    "NODE",
    "NODE_STATES",
    "SIZE",
    "SNAPSHOT",
    "VOLUME",
    "VOLUME_STATES",
    "addresses_of",
    "node_state",
]

#: Every Nova server status; anything else is UNKNOWN.
NODE_STATES: dict[str, NodeState] = {
    "ACTIVE": NodeState.RUNNING,
    "BUILD": NodeState.PENDING,
    "REBUILD": NodeState.PENDING,
    "SUSPENDED": NodeState.SUSPENDED,
    "PAUSED": NodeState.PAUSED,
    "RESIZE": NodeState.RECONFIGURING,
    "VERIFY_RESIZE": NodeState.RUNNING,
    "REVERT_RESIZE": NodeState.RECONFIGURING,
    "SHUTOFF": NodeState.STOPPED,
    "REBOOT": NodeState.REBOOTING,
    "HARD_REBOOT": NodeState.REBOOTING,
    "PASSWORD": NodeState.PENDING,
    "MIGRATING": NodeState.MIGRATING,
    "ERROR": NodeState.ERROR,
    "DELETED": NodeState.TERMINATED,
    "SOFT_DELETED": NodeState.TERMINATED,
    "SHELVED": NodeState.STOPPED,
    "SHELVED_OFFLOADED": NodeState.STOPPED,
    "RESCUE": NodeState.PENDING,
    "UNKNOWN": NodeState.UNKNOWN,
}

VOLUME_STATES: dict[str, StorageVolumeState] = {
    "creating": StorageVolumeState.CREATING,
    "available": StorageVolumeState.AVAILABLE,
    "reserved": StorageVolumeState.ATTACHING,
    "attaching": StorageVolumeState.ATTACHING,
    "detaching": StorageVolumeState.INUSE,
    "in-use": StorageVolumeState.INUSE,
    "maintenance": StorageVolumeState.UPDATING,
    "deleting": StorageVolumeState.DELETING,
    "awaiting-transfer": StorageVolumeState.UNKNOWN,
    "error": StorageVolumeState.ERROR,
    "error_deleting": StorageVolumeState.ERROR,
    "backing-up": StorageVolumeState.BACKUP,
    "restoring-backup": StorageVolumeState.BACKUP,
    "error_backing-up": StorageVolumeState.ERROR,
    "error_restoring": StorageVolumeState.ERROR,
    "error_extending": StorageVolumeState.ERROR,
    "downloading": StorageVolumeState.CREATING,
    "uploading": StorageVolumeState.UPDATING,
    "retyping": StorageVolumeState.UPDATING,
    "extending": StorageVolumeState.UPDATING,
}

SNAPSHOT_STATES: dict[str, VolumeSnapshotState] = {
    "creating": VolumeSnapshotState.CREATING,
    "available": VolumeSnapshotState.AVAILABLE,
    "deleting": VolumeSnapshotState.DELETING,
    "error": VolumeSnapshotState.ERROR,
    "error_deleting": VolumeSnapshotState.ERROR,
    "restoring": VolumeSnapshotState.RESTORING,
    "unmanaging": VolumeSnapshotState.DELETING,
}

#: Network labels whose fixed addresses count as public (DevStack's ``public``).
PUBLIC_LABELS = frozenset({"public", "internet", "external", "ext-net"})


def node_state(doc: Mapping[str, Any]) -> NodeState:
    """The state of a server document: its ``status``, TERMINATED while being deleted."""
    if doc.get("OS-EXT-STS:task_state") == "deleting":
        return NodeState.TERMINATED
    return NODE_STATES.get(str(doc.get("status") or "UNKNOWN").upper(), NodeState.UNKNOWN)


def _global(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


def addresses_of(value: Any) -> tuple[list[str], list[str]]:
    """(public, private) addresses of a server's ``addresses`` document: floating IPs, fixed
    IPs on a network labelled public and globally routable fixed IPs are public."""
    public: list[str] = []
    private: list[str] = []
    if not isinstance(value, Mapping):
        return public, private
    for label, entries in value.items():
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, Mapping) or not entry.get("addr"):
                continue
            address = str(entry["addr"])
            kind = entry.get("OS-EXT-IPS:type")
            if kind == "floating" or str(label).lower() in PUBLIC_LABELS or _global(address):
                public.append(address)
            else:
                private.append(address)
    return public, private


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _ref_id(value: Any) -> str | None:
    """The id of a server's ``image``/``flavor`` reference (``""`` when booted from volume)."""
    if isinstance(value, Mapping):
        found = value.get("id") or value.get("original_name")
        return str(found) if found else None
    return str(value) if value else None


def _node_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    flavor = doc.get("flavor")
    return {
        "status": doc.get("status"),
        "task_state": doc.get("OS-EXT-STS:task_state"),
        "vm_state": doc.get("OS-EXT-STS:vm_state"),
        "power_state": doc.get("OS-EXT-STS:power_state"),
        "flavorId": _ref_id(flavor),
        "flavor": dict(flavor) if isinstance(flavor, Mapping) else flavor,
        "imageId": _ref_id(doc.get("image")),
        "key_name": doc.get("key_name"),
        "metadata": dict(doc.get("metadata") or {}),
        "tags": list(doc.get("tags") or []),
        "availability_zone": doc.get("OS-EXT-AZ:availability_zone"),
        "security_groups": [
            str(g.get("name")) for g in doc.get("security_groups") or [] if isinstance(g, Mapping)
        ],
        "volumes_attached": [
            str(v.get("id"))
            for v in doc.get("os-extended-volumes:volumes_attached") or []
            if isinstance(v, Mapping)
        ],
        "addresses": doc.get("addresses") or {},
        "hostId": doc.get("hostId"),
        "tenantId": doc.get("tenant_id"),
        "userId": doc.get("user_id"),
        "access_ip": doc.get("accessIPv4") or None,
        "access_ipv6": doc.get("accessIPv6") or None,
        "description": doc.get("description"),
        "locked": doc.get("locked"),
        "progress": doc.get("progress"),
        "created": doc.get("created"),
        "updated": doc.get("updated"),
        "launched_at": doc.get("OS-SRV-USG:launched_at"),
        "fault": doc.get("fault"),
        "disk_config": doc.get("OS-DCF:diskConfig"),
        "config_drive": doc.get("config_drive"),
    }


def _image_ref(value: Any, driver: Any) -> NodeImage | None:
    found = _ref_id(value)
    return NodeImage(id=found, name=found, driver=driver) if found else None


def _public(value: Any) -> list[str]:
    return addresses_of(value)[0]


def _private(value: Any) -> list[str]:
    return addresses_of(value)[1]


#: A server (``node.image`` names its image id only; the flavor is ``extra["flavorId"]``).
NODE = schema(
    Node,
    id=wire("id", str, required=True),
    name=wire("name", str, default=""),
    state=wire("*", node_state, reads=("status", "OS-EXT-STS:task_state")),
    public_ips=wire("addresses", _public, factory=list),
    private_ips=wire("addresses", _private, factory=list),
    driver=context(),
    image=wire("image", _image_ref, using=("driver",)),
    extra=wire("*", _node_extra, repr=False),
    created_at=wire("created", _time),
)


def _size_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "vcpus": doc.get("vcpus"),
        "ephemeral_disk": doc.get("OS-FLV-EXT-DATA:ephemeral"),
        "swap": doc.get("swap") or 0,
        "is_public": doc.get("os-flavor-access:is_public"),
        "disabled": doc.get("OS-FLV-DISABLED:disabled"),
        "rxtx_factor": doc.get("rxtx_factor"),
        "description": doc.get("description"),
        "extra_specs": dict(doc.get("extra_specs") or {}),
    }


#: A flavor (RAM in MB, root disk in GB; vCPUs in ``extra["vcpus"]``).
SIZE = schema(
    NodeSize,
    id=wire("id", str, required=True),
    name=wire("name", str, default=""),
    ram=wire("ram", int, default=0),
    disk=wire("disk", int, default=0),
    bandwidth=context("bandwidth"),
    price=context("price"),
    driver=context(),
    extra=wire("*", _size_extra, repr=False),
)

_IMAGE_KEYS = (
    "status",
    "visibility",
    "owner",
    "disk_format",
    "container_format",
    "min_disk",
    "min_ram",
    "size",
    "checksum",
    "os_distro",
    "os_version",
    "protected",
    "tags",
    "created_at",
    "updated_at",
)


def _image_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    extra = {key: doc.get(key) for key in _IMAGE_KEYS}
    extra["properties"] = {
        k: v for k, v in doc.items() if k not in _IMAGE_KEYS and k not in ("id", "name")
    }
    return extra


def _image_name(doc: Mapping[str, Any]) -> str:
    return str(doc.get("name") or doc.get("id") or "")


#: A Glance image (``name`` falls back to the id for unnamed images).
IMAGE = schema(
    NodeImage,
    id=wire("id", str, required=True),
    name=wire("*", _image_name, reads=("name", "id")),
    driver=context(),
    extra=wire("*", _image_extra, repr=False),
)


def _zone_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    state = doc.get("zoneState") or {}
    return {"available": bool(state.get("available")) if isinstance(state, Mapping) else None}


#: An availability zone (``id`` and ``name`` are its name, ``nova``).
LOCATION = schema(
    NodeLocation,
    id=wire("zoneName", str, required=True),
    name=wire("zoneName", str, required=True),
    country=context(default=""),
    driver=context(),
    extra=wire("*", _zone_extra, repr=False),
)


def _key_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": doc.get("type"),
        "user_id": doc.get("user_id"),
        "created_at": doc.get("created_at"),
        "id": doc.get("id"),
    }


#: A key pair; ``private_key`` only in the answer that generated it.
KEY_PAIR = schema(
    KeyPair,
    name=wire("name", str, required=True),
    public_key=wire("public_key", str),
    fingerprint=wire("fingerprint", str, default=""),
    driver=context(),
    private_key=wire("private_key", str, repr=False),
    extra=wire("*", _key_extra, repr=False),
)


def _volume_name(doc: Mapping[str, Any]) -> str:
    return str(doc.get("name") or doc.get("id") or "")


def _volume_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    attachments = [a for a in doc.get("attachments") or [] if isinstance(a, Mapping)]
    return {
        "description": doc.get("description"),
        "state": doc.get("status"),
        "volume_type": doc.get("volume_type"),
        "availability_zone": doc.get("availability_zone"),
        "bootable": str(doc.get("bootable")).lower() == "true",
        "snapshot_id": doc.get("snapshot_id"),
        "source_volid": doc.get("source_volid"),
        "metadata": dict(doc.get("metadata") or {}),
        "created_at": doc.get("created_at"),
        "attachments": attachments,
        "server_id": attachments[0].get("server_id") if attachments else None,
        "device": attachments[0].get("device") if attachments else None,
    }


#: A Cinder volume (size in GB; ``name`` falls back to the id).
VOLUME = schema(
    StorageVolume,
    id=wire("id", str, required=True),
    name=wire("*", _volume_name, reads=("name", "id")),
    size=wire("size", int, default=0),
    driver=context(),
    state=wire("status", VOLUME_STATES, default=StorageVolumeState.UNKNOWN),
    extra=wire("*", _volume_extra, repr=False),
)


def _snapshot_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "volume_id": doc.get("volume_id"),
        "description": doc.get("description"),
        "status": doc.get("status"),
        "metadata": dict(doc.get("metadata") or {}),
        "progress": doc.get("os-extended-snapshot-attributes:progress"),
    }


#: A Cinder snapshot (size in GB).
SNAPSHOT = schema(
    VolumeSnapshot,
    id=wire("id", str, required=True),
    driver=context(),
    size=wire("size", int),
    extra=wire("*", _snapshot_extra, repr=False),
    created=wire("created_at", _time),
    state=wire("status", SNAPSHOT_STATES, default=VolumeSnapshotState.UNKNOWN),
    name=wire("name", str),
)
