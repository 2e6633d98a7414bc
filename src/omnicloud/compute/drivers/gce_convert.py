"""Compute Engine documents as compute models, declared with ``wire()`` (see
:mod:`omnicloud._wire`): instances, machine types, images, zones, regions, disks, snapshots,
addresses, firewalls and networks. Each is a :func:`~omnicloud._wire.schema` called with the
driver as context."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from omnicloud._wire import context, schema, wire
from omnicloud.compute._models import (
    Node,
    NodeImage,
    NodeLocation,
    NodeSize,
    StorageVolume,
    VolumeSnapshot,
)
from omnicloud.compute._types import NodeState, StorageVolumeState, VolumeSnapshotState
from omnicloud.gcp._compute import last_segment

from .gce_models import GCEAddress, GCEFirewall, GCENetwork, GCERegion

__all__ = [
    "ADDRESS",
    "FIREWALL",
    "IMAGE",
    "LOCATION",
    "NETWORK",
    "NODE",
    "NODE_STATES",
    "REGION",
    "SIZE",
    "SNAPSHOT",
    "VOLUME",
    "addresses_of",
    "metadata_dict",
    "node_state",
    "size_price",
]

#: Every instance status of Compute Engine; anything else is UNKNOWN.
NODE_STATES: dict[str, NodeState] = {
    "PROVISIONING": NodeState.PENDING,
    "STAGING": NodeState.PENDING,
    "RUNNING": NodeState.RUNNING,
    "STOPPING": NodeState.STOPPING,
    "STOPPED": NodeState.STOPPED,
    "TERMINATED": NodeState.STOPPED,  # GCE's word for a stopped instance, not a deleted one
    "SUSPENDING": NodeState.SUSPENDED,
    "SUSPENDED": NodeState.SUSPENDED,
    "REPAIRING": NodeState.ERROR,  # Google is repairing an internal failure: not usable
}

DISK_STATES: dict[str, StorageVolumeState] = {
    "CREATING": StorageVolumeState.CREATING,
    "RESTORING": StorageVolumeState.CREATING,
    "READY": StorageVolumeState.AVAILABLE,
    "FAILED": StorageVolumeState.ERROR,
    "DELETING": StorageVolumeState.DELETING,
    "UNAVAILABLE": StorageVolumeState.ERROR,
}

SNAPSHOT_STATES: dict[str, VolumeSnapshotState] = {
    "CREATING": VolumeSnapshotState.CREATING,
    "UPLOADING": VolumeSnapshotState.CREATING,
    "READY": VolumeSnapshotState.AVAILABLE,
    "FAILED": VolumeSnapshotState.ERROR,
    "DELETING": VolumeSnapshotState.DELETING,
}


def node_state(status: Any) -> NodeState:
    """The NodeState of an instance ``status`` (UNKNOWN for a status this map lacks)."""
    return NODE_STATES.get(str(status or "").upper(), NodeState.UNKNOWN)


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def addresses_of(interfaces: Any) -> tuple[list[str], list[str]]:
    """(public, private): the ``natIP`` of each access config, the ``networkIP`` of each NIC."""
    public: list[str] = []
    private: list[str] = []
    for nic in interfaces if isinstance(interfaces, list) else []:
        if not isinstance(nic, Mapping):
            continue
        if nic.get("networkIP"):
            private.append(str(nic["networkIP"]))
        for config in nic.get("accessConfigs") or []:
            if isinstance(config, Mapping) and config.get("natIP"):
                public.append(str(config["natIP"]))
    return public, private


def _public(value: Any) -> list[str]:
    return addresses_of(value)[0]


def _private(value: Any) -> list[str]:
    return addresses_of(value)[1]


def metadata_dict(value: Any) -> dict[str, str]:
    """A metadata document's ``items`` as a dict."""
    items = value.get("items") if isinstance(value, Mapping) else None
    return {
        str(i.get("key")): str(i.get("value") or "")
        for i in items or []
        if isinstance(i, Mapping) and i.get("key")
    }


def _boot_disk(disks: Any) -> str | None:
    for disk in disks if isinstance(disks, list) else []:
        if isinstance(disk, Mapping) and disk.get("boot"):
            return last_segment(disk.get("source")) or None
    return None


def _node_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    scheduling = doc.get("scheduling") or {}
    tags = doc.get("tags") or {}
    return {
        "status": doc.get("status"),
        "zone": last_segment(doc.get("zone")) or None,
        "machineType": last_segment(doc.get("machineType")) or None,
        "selfLink": doc.get("selfLink"),
        "description": doc.get("description"),
        "tags": list(tags.get("items") or []) if isinstance(tags, Mapping) else [],
        "tags_fingerprint": tags.get("fingerprint") if isinstance(tags, Mapping) else None,
        "labels": dict(doc.get("labels") or {}),
        "labelFingerprint": doc.get("labelFingerprint"),
        "metadata": metadata_dict(doc.get("metadata")),
        "networkInterfaces": list(doc.get("networkInterfaces") or []),
        "disks": list(doc.get("disks") or []),
        "boot_disk": _boot_disk(doc.get("disks")),
        "serviceAccounts": list(doc.get("serviceAccounts") or []),
        "scheduling": dict(scheduling) if isinstance(scheduling, Mapping) else {},
        "preemptible": bool(scheduling.get("preemptible")) if scheduling else False,
        "cpuPlatform": doc.get("cpuPlatform"),
        "canIpForward": doc.get("canIpForward"),
        "deletionProtection": doc.get("deletionProtection"),
        "creationTimestamp": doc.get("creationTimestamp"),
        "statusMessage": doc.get("statusMessage"),
    }


#: An instance (``extra["zone"]`` and ``extra["machineType"]`` are names; the boot disk's
#: name is ``extra["boot_disk"]``).
NODE = schema(
    Node,
    id=wire("id", str, required=True),
    name=wire("name", str, default=""),
    state=wire("status", node_state, default=NodeState.UNKNOWN),
    public_ips=wire("networkInterfaces", _public, factory=list),
    private_ips=wire("networkInterfaces", _private, factory=list),
    driver=context(),
    extra=wire("*", _node_extra, repr=False),
    created_at=wire("creationTimestamp", _time),
)


def size_price(machine_type: str, region: str | None) -> float | None:
    """The hourly on-demand price of ``machine_type`` in ``region`` from the pricing file's
    ``gce_instances`` (or ``gce``) section, when it has one."""
    from omnicloud.pricing import PricingNotFoundError, get_pricing

    for section in ("gce_instances", "gce"):
        try:
            prices = get_pricing("compute", section)
        except PricingNotFoundError:
            continue
        entry: Any = prices.get(machine_type)
        if isinstance(entry, Mapping):
            entry = entry.get(region) if region else None
        if isinstance(entry, Mapping):
            entry = entry.get("on_demand", entry.get("price"))
        try:
            return float(entry) if entry is not None else None
        except (TypeError, ValueError):
            return None
    return None


def _size_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "guestCpus": _int(doc.get("guestCpus")),
        "description": doc.get("description"),
        "zone": last_segment(doc.get("zone")) or None,
        "isSharedCpu": bool(doc.get("isSharedCpu")),
        "maximumPersistentDisks": doc.get("maximumPersistentDisks"),
        "maximumPersistentDisksSizeGb": doc.get("maximumPersistentDisksSizeGb"),
        "selfLink": doc.get("selfLink"),
        "deprecated": doc.get("deprecated"),
    }


def _size_of(doc: Mapping[str, Any], region: str | None) -> float | None:
    return size_price(str(doc.get("name") or ""), region)


#: A machine type (``id`` and ``name`` are its name; RAM in MB; vCPUs in
#: ``extra["guestCpus"]``; disk 0: disks are separate resources).
SIZE = schema(
    NodeSize,
    id=wire("name", str, required=True),
    name=wire("name", str, required=True),
    ram=wire("memoryMb", _int, default=0),
    disk=wire("imageSpaceGb", _int, default=0),
    bandwidth=context("bandwidth"),
    price=wire("*", _size_of, using=("region",)),
    driver=context(),
    extra=wire("*", _size_extra, repr=False),
)


def _project_of(link: Any) -> str | None:
    parts = str(link or "").split("/")
    return parts[parts.index("projects") + 1] if "projects" in parts[:-1] else None


def _image_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    deprecated = doc.get("deprecated") or {}
    return {
        "family": doc.get("family"),
        "project": _project_of(doc.get("selfLink")),
        "selfLink": doc.get("selfLink"),
        "status": doc.get("status"),
        "description": doc.get("description"),
        "diskSizeGb": _int(doc.get("diskSizeGb")),
        "archiveSizeBytes": doc.get("archiveSizeBytes"),
        "deprecated": deprecated.get("state") if isinstance(deprecated, Mapping) else None,
        "licenses": list(doc.get("licenses") or []),
        "guestOsFeatures": list(doc.get("guestOsFeatures") or []),
        "architecture": doc.get("architecture"),
        "creationTimestamp": doc.get("creationTimestamp"),
        "labels": dict(doc.get("labels") or {}),
    }


#: An image (``extra["project"]``: the project it lives in, ``extra["family"]``).
IMAGE = schema(
    NodeImage,
    id=wire("id", str, required=True),
    name=wire("name", str, default=""),
    driver=context(),
    extra=wire("*", _image_extra, repr=False),
)


def _zone_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": doc.get("status"),
        "region": last_segment(doc.get("region")) or None,
        "description": doc.get("description"),
        "selfLink": doc.get("selfLink"),
        "zone_id": doc.get("id"),
        "availableCpuPlatforms": list(doc.get("availableCpuPlatforms") or []),
    }


#: A zone (``id`` and ``name`` are its name, Libcloud's GCE uses the name too).
LOCATION = schema(
    NodeLocation,
    id=wire("name", str, required=True),
    name=wire("name", str, required=True),
    country=context(default=""),
    driver=context(),
    extra=wire("*", _zone_extra, repr=False),
)


def _zones(value: Any) -> list[str]:
    return [last_segment(z) for z in value if z] if isinstance(value, list) else []


#: A region.
REGION = schema(
    GCERegion,
    id=wire("id", str, required=True),
    name=wire("name", str, default=""),
    status=wire("status", str, default=""),
    zones=wire("zones", _zones, factory=list),
    driver=context(),
    extra=wire("*", dict, repr=False),
)


def disk_state(doc: Mapping[str, Any]) -> StorageVolumeState:
    """READY disks with users are INUSE."""
    state = DISK_STATES.get(str(doc.get("status") or ""), StorageVolumeState.UNKNOWN)
    if state is StorageVolumeState.AVAILABLE and doc.get("users"):
        return StorageVolumeState.INUSE
    return state


def _disk_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": doc.get("status"),
        "zone": last_segment(doc.get("zone")) or None,
        "type": last_segment(doc.get("type")) or None,
        "users": [last_segment(u) for u in doc.get("users") or []],
        "selfLink": doc.get("selfLink"),
        "sourceImage": doc.get("sourceImage"),
        "sourceSnapshot": doc.get("sourceSnapshot"),
        "description": doc.get("description"),
        "labels": dict(doc.get("labels") or {}),
        "creationTimestamp": doc.get("creationTimestamp"),
    }


#: A persistent disk (size in GB; ``extra["users"]``: the instances it is attached to).
VOLUME = schema(
    StorageVolume,
    id=wire("id", str, required=True),
    name=wire("name", str, default=""),
    size=wire("sizeGb", _int, default=0),
    driver=context(),
    state=wire("*", disk_state, reads=("status", "users")),
    extra=wire("*", _disk_extra, repr=False),
)


def _snapshot_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": doc.get("status"),
        "sourceDisk": doc.get("sourceDisk"),
        "source_disk": last_segment(doc.get("sourceDisk")) or None,
        "sourceDiskId": doc.get("sourceDiskId"),
        "storageBytes": doc.get("storageBytes"),
        "selfLink": doc.get("selfLink"),
        "description": doc.get("description"),
    }


#: A disk snapshot (size: the source disk's, in GB).
SNAPSHOT = schema(
    VolumeSnapshot,
    id=wire("id", str, required=True),
    driver=context(),
    size=wire("diskSizeGb", _int),
    extra=wire("*", _snapshot_extra, repr=False),
    created=wire("creationTimestamp", _time),
    state=wire("status", SNAPSHOT_STATES, default=VolumeSnapshotState.UNKNOWN),
    name=wire("name", str),
)


def _address_region(doc: Mapping[str, Any]) -> str:
    return last_segment(doc.get("region")) if doc.get("region") else "global"


def _address_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "users": [last_segment(u) for u in doc.get("users") or []],
        "addressType": doc.get("addressType"),
        "networkTier": doc.get("networkTier"),
        "description": doc.get("description"),
        "selfLink": doc.get("selfLink"),
        "creationTimestamp": doc.get("creationTimestamp"),
    }


#: A static address.
ADDRESS = schema(
    GCEAddress,
    id=wire("id", str, required=True),
    name=wire("name", str, default=""),
    address=wire("address", str, default=""),
    region=wire("*", _address_region, reads=("region",)),
    status=wire("status", str, default=""),
    driver=context(),
    extra=wire("*", _address_extra, repr=False),
)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [dict(v) for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _firewall_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "description": doc.get("description"),
        "selfLink": doc.get("selfLink"),
        "disabled": doc.get("disabled"),
        "destinationRanges": _strings(doc.get("destinationRanges")),
        "creationTimestamp": doc.get("creationTimestamp"),
    }


#: A firewall rule (``network`` is the network's name).
FIREWALL = schema(
    GCEFirewall,
    id=wire("id", str, required=True),
    name=wire("name", str, default=""),
    network=wire("network", last_segment, default=""),
    allowed=wire("allowed", _dicts, factory=list),
    denied=wire("denied", _dicts, factory=list),
    source_ranges=wire("sourceRanges", _strings, factory=list),
    source_tags=wire("sourceTags", _strings, factory=list),
    target_tags=wire("targetTags", _strings, factory=list),
    direction=wire("direction", str, default="INGRESS"),
    priority=wire("priority", _int, default=1000),
    driver=context(),
    extra=wire("*", _firewall_extra, repr=False),
)


def _network_mode(doc: Mapping[str, Any]) -> str:
    if doc.get("IPv4Range"):
        return "legacy"
    return "auto" if doc.get("autoCreateSubnetworks") else "custom"


#: A network (``cidr`` only for legacy networks).
NETWORK = schema(
    GCENetwork,
    id=wire("id", str, required=True),
    name=wire("name", str, default=""),
    cidr=wire("IPv4Range", str),
    mode=wire("*", _network_mode, reads=("IPv4Range", "autoCreateSubnetworks")),
    subnetworks=wire("subnetworks", _zones, factory=list),
    driver=context(),
    extra=wire("*", dict, repr=False),
)
