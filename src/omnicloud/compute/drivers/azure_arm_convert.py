"""Azure Resource Manager documents as compute models: virtual machines (with the power state of
their instance view and the addresses of their network interfaces), VM sizes, locations,
marketplace images, managed disks and snapshots."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from omnicloud.compute._models import (
    Node,
    NodeImage,
    NodeLocation,
    NodeSize,
    StorageVolume,
    VolumeSnapshot,
)
from omnicloud.compute._types import NodeState, StorageVolumeState, VolumeSnapshotState

__all__ = [
    "NODE_STATES",
    "PROVISIONING_STATES",
    "Addresses",
    "image_reference",
    "node_state",
    "to_image",
    "to_location",
    "to_node",
    "to_size",
    "to_snapshot",
    "to_volume",
]

#: ``PowerState/<code>`` of an instance view; anything else is UNKNOWN.
NODE_STATES: dict[str, NodeState] = {
    "running": NodeState.RUNNING,
    "starting": NodeState.STARTING,
    "stopping": NodeState.STOPPING,
    "stopped": NodeState.STOPPED,
    "deallocating": NodeState.STOPPING,
    "deallocated": NodeState.STOPPED,
    "unknown": NodeState.UNKNOWN,
}

#: ``ProvisioningState/<code>`` (or ``properties.provisioningState``) that decide the state
#: whatever the power state says; ``succeeded`` and ``updating`` defer to the power state.
PROVISIONING_STATES: dict[str, NodeState] = {
    "creating": NodeState.PENDING,
    "deleting": NodeState.TERMINATED,
    "failed": NodeState.ERROR,
    "migrating": NodeState.MIGRATING,
    "canceled": NodeState.ERROR,
}

VOLUME_STATES: dict[str, StorageVolumeState] = {
    "unattached": StorageVolumeState.AVAILABLE,
    "attached": StorageVolumeState.INUSE,
    "reserved": StorageVolumeState.INUSE,
    "frozen": StorageVolumeState.INUSE,
    "activesas": StorageVolumeState.UPDATING,
    "activesasfrozen": StorageVolumeState.UPDATING,
    "readytoupload": StorageVolumeState.CREATING,
    "activeupload": StorageVolumeState.CREATING,
}

#: (public, private) addresses by network interface id (lower case).
Addresses = Mapping[str, tuple[list[str], list[str]]]


def _statuses(doc: Mapping[str, Any]) -> list[str]:
    props = doc.get("properties") or {}
    view = props.get("instanceView") if isinstance(props, Mapping) else None
    entries = view.get("statuses") if isinstance(view, Mapping) else None
    return [str(s.get("code") or "") for s in entries or [] if isinstance(s, Mapping)]


def node_state(doc: Mapping[str, Any]) -> NodeState:
    """The state of a VM document: its provisioning state when that decides (creating,
    deleting, failed), else its power state; UNKNOWN when neither is known."""
    codes = _statuses(doc)
    provisioning = ""
    power = ""
    for code in codes:
        kind, _, rest = code.partition("/")
        value = rest.split("/", 1)[0]  # "ProvisioningState/failed/AllocationFailed"
        if kind == "ProvisioningState":
            provisioning = value.lower()
        elif kind == "PowerState":
            power = value.lower()
    if not provisioning:
        props = doc.get("properties") or {}
        provisioning = str(props.get("provisioningState") or "").lower()
    decided = PROVISIONING_STATES.get(provisioning)
    if decided is not None:
        return decided
    if power:
        return NODE_STATES.get(power, NodeState.UNKNOWN)
    if provisioning == "updating":
        return NodeState.UPDATING
    return NodeState.UNKNOWN


def image_reference(reference: Any) -> str | None:
    """``publisher:offer:sku:version`` of an image reference, or its resource id."""
    if not isinstance(reference, Mapping):
        return None
    if reference.get("publisher"):
        parts = (reference.get(k) or "" for k in ("publisher", "offer", "sku", "version"))
        return ":".join(str(p) for p in parts)
    found = reference.get("id")
    return str(found) if found else None


def _nic_ids(props: Mapping[str, Any]) -> list[str]:
    profile = props.get("networkProfile") or {}
    return [
        str(n["id"])
        for n in profile.get("networkInterfaces") or []
        if isinstance(n, Mapping) and n.get("id")
    ]


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def resource_group_of(resource_id: str) -> str | None:
    """The resource group named in an ARM resource id."""
    parts = resource_id.split("/")
    for index, part in enumerate(parts[:-1]):
        if part.lower() == "resourcegroups":
            return parts[index + 1]
    return None


def to_node(doc: Mapping[str, Any], driver: Any, addresses: Addresses) -> Node:
    """A VM as a Node; ``addresses`` gives the IPs of its interfaces."""
    props = doc.get("properties") or {}
    nics = _nic_ids(props)
    public: list[str] = []
    private: list[str] = []
    for nic in nics:
        found = addresses.get(nic.lower())
        if found:
            public.extend(found[0])
            private.extend(found[1])
    storage = props.get("storageProfile") or {}
    os_disk = storage.get("osDisk") or {}
    hardware = props.get("hardwareProfile") or {}
    codes = _statuses(doc)
    power = next((c.partition("/")[2] for c in codes if c.startswith("PowerState/")), None)
    image_id = image_reference(storage.get("imageReference"))
    node_id = str(doc.get("id") or "")
    extra = {
        "id": node_id,
        "location": doc.get("location"),
        "resourceGroup": resource_group_of(node_id),
        "tags": dict(doc.get("tags") or {}),
        "properties": dict(props),
        "vmSize": hardware.get("vmSize"),
        "provisioningState": props.get("provisioningState"),
        "power_state": power,
        "vmId": props.get("vmId"),
        "zones": list(doc.get("zones") or []),
        "nics": nics,
        "os_disk": (os_disk.get("managedDisk") or {}).get("id"),
        "os_type": os_disk.get("osType"),
        "data_disks": [
            {
                "lun": d.get("lun"),
                "id": (d.get("managedDisk") or {}).get("id"),
                "name": d.get("name"),
            }
            for d in storage.get("dataDisks") or []
            if isinstance(d, Mapping)
        ],
    }
    return Node(
        id=node_id,
        name=str(doc.get("name") or ""),
        state=node_state(doc),
        public_ips=public,
        private_ips=private,
        driver=driver,
        size=None,
        image=NodeImage(id=image_id, name=image_id, driver=driver) if image_id else None,
        extra=extra,
        created_at=_time(props.get("timeCreated")),
    )


def addresses_of(nics: Iterable[Mapping[str, Any]], public_ips: Mapping[str, str]) -> Addresses:
    """The (public, private) addresses of each interface; ``public_ips`` maps public IP resource
    ids (lower case) to their addresses."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    for nic in nics:
        public: list[str] = []
        private: list[str] = []
        props = nic.get("properties") or {}
        for config in props.get("ipConfigurations") or []:
            inner = config.get("properties") or {} if isinstance(config, Mapping) else {}
            if inner.get("privateIPAddress"):
                private.append(str(inner["privateIPAddress"]))
            ref = inner.get("publicIPAddress")
            if isinstance(ref, Mapping):
                direct = (ref.get("properties") or {}).get("ipAddress")
                address = direct or public_ips.get(str(ref.get("id") or "").lower())
                if address:
                    public.append(str(address))
        found[str(nic.get("id") or "").lower()] = (public, private)
    return found


def to_size(doc: Mapping[str, Any], driver: Any, price: float | None) -> NodeSize:
    """A ``vmSizes`` entry (RAM in MB, OS disk in GB)."""
    name = str(doc.get("name") or "")
    return NodeSize(
        id=name,
        name=name,
        ram=int(doc.get("memoryInMB") or 0),
        disk=int(doc.get("osDiskSizeInMB") or 0) // 1024,
        bandwidth=None,
        price=price,
        driver=driver,
        extra={
            "numberOfCores": doc.get("numberOfCores"),
            "resourceDiskSizeInMB": doc.get("resourceDiskSizeInMB"),
            "maxDataDiskCount": doc.get("maxDataDiskCount"),
            "vcpus": doc.get("numberOfCores"),
        },
    )


def to_location(doc: Mapping[str, Any], driver: Any) -> NodeLocation:
    """A subscription location (``eastus``, "East US")."""
    meta = doc.get("metadata") or {}
    return NodeLocation(
        id=str(doc.get("name") or ""),
        name=str(doc.get("displayName") or doc.get("name") or ""),
        country=str(
            meta.get("physicalLocation")
            or meta.get("geography")
            or meta.get("geographyGroup")
            or ""
        ),
        driver=driver,
        extra={
            "regionalDisplayName": doc.get("regionalDisplayName"),
            "regionType": meta.get("regionType"),
            "geographyGroup": meta.get("geographyGroup"),
            "pairedRegion": [p.get("name") for p in meta.get("pairedRegion") or []],
        },
    )


def to_image(
    publisher: str, offer: str, sku: str, version: str, location: str | None, driver: Any
) -> NodeImage:
    """A marketplace image (id ``publisher:offer:sku:version``, as Libcloud's AzureImage)."""
    urn = f"{publisher}:{offer}:{sku}:{version}"
    return NodeImage(
        id=urn,
        name=f"{publisher} {offer} {sku} {version}",
        driver=driver,
        extra={
            "publisher": publisher,
            "offer": offer,
            "sku": sku,
            "version": version,
            "location": location,
        },
    )


def _volume_state(props: Mapping[str, Any]) -> StorageVolumeState:
    provisioning = str(props.get("provisioningState") or "").lower()
    if provisioning in ("creating", "updating"):
        return (
            StorageVolumeState.CREATING
            if provisioning == "creating"
            else StorageVolumeState.UPDATING
        )
    if provisioning == "deleting":
        return StorageVolumeState.DELETING
    if provisioning == "failed":
        return StorageVolumeState.ERROR
    return VOLUME_STATES.get(str(props.get("diskState") or "").lower(), StorageVolumeState.UNKNOWN)


def to_volume(doc: Mapping[str, Any], driver: Any) -> StorageVolume:
    """A managed disk (size in GB)."""
    props = doc.get("properties") or {}
    volume_id = str(doc.get("id") or "")
    return StorageVolume(
        id=volume_id,
        name=str(doc.get("name") or ""),
        size=int(props.get("diskSizeGB") or 0),
        driver=driver,
        state=_volume_state(props),
        extra={
            "id": volume_id,
            "location": doc.get("location"),
            "resourceGroup": resource_group_of(volume_id),
            "tags": dict(doc.get("tags") or {}),
            "sku": (doc.get("sku") or {}).get("name"),
            "managedBy": doc.get("managedBy"),
            "diskState": props.get("diskState"),
            "provisioningState": props.get("provisioningState"),
            "properties": dict(props),
        },
    )


def to_snapshot(doc: Mapping[str, Any], driver: Any) -> VolumeSnapshot:
    """A disk snapshot."""
    props = doc.get("properties") or {}
    provisioning = str(props.get("provisioningState") or "").lower()
    state = {
        "succeeded": VolumeSnapshotState.AVAILABLE,
        "creating": VolumeSnapshotState.CREATING,
        "deleting": VolumeSnapshotState.DELETING,
        "failed": VolumeSnapshotState.ERROR,
    }.get(provisioning, VolumeSnapshotState.UNKNOWN)
    snapshot_id = str(doc.get("id") or "")
    source = (props.get("creationData") or {}).get("sourceResourceId")
    return VolumeSnapshot(
        id=snapshot_id,
        driver=driver,
        size=int(props.get("diskSizeGB") or 0) or None,
        extra={
            "id": snapshot_id,
            "location": doc.get("location"),
            "resourceGroup": resource_group_of(snapshot_id),
            "source_id": source,
            "tags": dict(doc.get("tags") or {}),
            "properties": dict(props),
        },
        created=_time(props.get("timeCreated")),
        state=state,
        name=str(doc.get("name") or "") or None,
    )
