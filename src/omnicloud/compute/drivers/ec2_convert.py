"""EC2 answers to compute models, declared with ``wire()`` (see :mod:`omnicloud._wire`).

The documents are EC2 XML answers read as plain values (:func:`omnicloud.aws._xml.to_value`):
instances, instance types, images, availability zones, key pairs and volumes. Each is a
:func:`~omnicloud._wire.schema` called with the driver as context.
"""

from __future__ import annotations

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
    "node_state",
    "tags_of",
]

#: EC2 instance states; anything else is UNKNOWN.
NODE_STATES: dict[str, NodeState] = {
    "pending": NodeState.PENDING,
    "running": NodeState.RUNNING,
    "shutting-down": NodeState.STOPPING,
    "terminated": NodeState.TERMINATED,
    "stopping": NodeState.STOPPING,
    "stopped": NodeState.STOPPED,
}

VOLUME_STATES: dict[str, StorageVolumeState] = {
    "creating": StorageVolumeState.CREATING,
    "available": StorageVolumeState.AVAILABLE,
    "in-use": StorageVolumeState.INUSE,
    "deleting": StorageVolumeState.DELETING,
    "deleted": StorageVolumeState.DELETED,
    "error": StorageVolumeState.ERROR,
}


def node_state(value: Any) -> NodeState:
    """The node state for an ``instanceState`` (``{"code": "16", "name": "running"}``)."""
    name = value.get("name") if isinstance(value, Mapping) else value
    return NODE_STATES.get(str(name), NodeState.UNKNOWN)


def tags_of(doc: Mapping[str, Any]) -> dict[str, str]:
    """A resource's ``tagSet`` as a dict."""
    tags = doc.get("tagSet") or []
    return {str(t.get("key")): str(t.get("value") or "") for t in tags if isinstance(t, Mapping)}


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _listed(value: Any) -> list[str]:
    return [str(value)] if value else []


def _node_name(doc: Mapping[str, Any]) -> str:
    return tags_of(doc).get("Name") or str(doc.get("instanceId") or "")


def _node_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    placement = doc.get("placement") or {}
    return {
        "instance_id": doc.get("instanceId"),
        "image_id": doc.get("imageId"),
        "instance_type": doc.get("instanceType"),
        "status": (doc.get("instanceState") or {}).get("name"),
        "availability": placement.get("availabilityZone"),
        "key_name": doc.get("keyName") or None,
        "dns_name": doc.get("dnsName") or None,
        "private_dns": doc.get("privateDnsName") or None,
        "subnet_id": doc.get("subnetId") or None,
        "vpc_id": doc.get("vpcId") or None,
        "groups": [
            {"group_id": g.get("groupId"), "group_name": g.get("groupName")}
            for g in doc.get("groupSet") or []
            if isinstance(g, Mapping)
        ],
        "architecture": doc.get("architecture"),
        "root_device_type": doc.get("rootDeviceType"),
        "block_device_mapping": doc.get("blockDeviceMapping") or [],
        "launch_index": doc.get("amiLaunchIndex"),
        "client_token": doc.get("clientToken") or None,
        "tags": tags_of(doc),
    }


#: An instance (``node.name`` is its ``Name`` tag, else its id).
NODE = schema(
    Node,
    id=wire("instanceId", str, required=True),
    name=wire("*", _node_name, reads=("tagSet", "instanceId")),
    state=wire("instanceState", node_state, default=NodeState.UNKNOWN),
    public_ips=wire("ipAddress", _listed, factory=list),
    private_ips=wire("privateIpAddress", _listed, factory=list),
    driver=context(),
    extra=wire("*", _node_extra, repr=False),
    created_at=wire("launchTime", _time),
)


def _zone_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "zone_id": doc.get("zoneId"),
        "zone_state": doc.get("zoneState"),
        "region_name": doc.get("regionName"),
        "zone_type": doc.get("zoneType"),
    }


#: An availability zone (id and name are the zone name, ``us-east-1a``).
LOCATION = schema(
    NodeLocation,
    id=wire("zoneName", str, required=True),
    name=wire("zoneName", str, required=True),
    country=context(),
    driver=context(),
    extra=wire("*", _zone_extra, repr=False),
)


def _image_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "image_location": doc.get("imageLocation"),
        "image_state": doc.get("imageState"),
        "owner_id": doc.get("imageOwnerId"),
        "owner_alias": doc.get("imageOwnerAlias"),
        "is_public": doc.get("isPublic") == "true",
        "architecture": doc.get("architecture"),
        "image_type": doc.get("imageType"),
        "platform": doc.get("platform") or None,
        "description": doc.get("description") or None,
        "root_device_type": doc.get("rootDeviceType"),
        "root_device_name": doc.get("rootDeviceName"),
        "virtualization_type": doc.get("virtualizationType"),
        "hypervisor": doc.get("hypervisor"),
        "creation_date": doc.get("creationDate"),
        "block_device_mapping": doc.get("blockDeviceMapping") or [],
        "tags": tags_of(doc),
    }


def _image_name(doc: Mapping[str, Any]) -> str:
    return str(doc.get("name") or doc.get("imageId") or "")


#: An AMI (``name`` falls back to the id for unnamed images).
IMAGE = schema(
    NodeImage,
    id=wire("imageId", str, required=True),
    name=wire("*", _image_name, reads=("name", "imageId")),
    driver=context(),
    extra=wire("*", _image_extra, repr=False),
)


def _key_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "key_pair_id": doc.get("keyPairId"),
        "key_type": doc.get("keyType"),
        "create_time": doc.get("createTime"),
        "tags": tags_of(doc),
    }


#: A key pair; ``private_key`` only in CreateKeyPair's answer.
KEY_PAIR = schema(
    KeyPair,
    name=wire("keyName", str, required=True),
    public_key=wire("publicKey", str),
    fingerprint=wire("keyFingerprint", str, default=""),
    driver=context(),
    private_key=wire("keyMaterial", str, repr=False),
    extra=wire("*", _key_extra, repr=False),
)


def _volume_name(doc: Mapping[str, Any]) -> str:
    return tags_of(doc).get("Name") or str(doc.get("volumeId") or "")


def _volume_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    attachments = [a for a in doc.get("attachmentSet") or [] if isinstance(a, Mapping)]
    return {
        "volume_id": doc.get("volumeId"),
        "zone": doc.get("availabilityZone"),
        "volume_type": doc.get("volumeType"),
        "iops": doc.get("iops") or None,
        "encrypted": doc.get("encrypted") == "true",
        "snapshot_id": doc.get("snapshotId") or None,
        "create_time": doc.get("createTime"),
        "instance_id": attachments[0].get("instanceId") if attachments else None,
        "device": attachments[0].get("device") if attachments else None,
        "attachment_status": attachments[0].get("status") if attachments else None,
        "tags": tags_of(doc),
    }


#: An EBS volume (size in GiB; ``name`` is its ``Name`` tag, else its id).
VOLUME = schema(
    StorageVolume,
    id=wire("volumeId", str, required=True),
    name=wire("*", _volume_name, reads=("tagSet", "volumeId")),
    size=wire("size", int, default=0),
    driver=context(),
    state=wire("status", VOLUME_STATES, default=StorageVolumeState.UNKNOWN),
    extra=wire("*", _volume_extra, repr=False),
)


def _ram(value: Any) -> int:
    return int(value.get("sizeInMiB") or 0) if isinstance(value, Mapping) else 0


def _disk(value: Any) -> int:
    return int(value.get("totalSizeInGB") or 0) if isinstance(value, Mapping) else 0


def _price(instance_type: Any, region: str | None) -> float | None:
    from omnicloud.pricing import first_size_price

    size = str(instance_type)
    return first_size_price("compute", [("ec2_linux", size), ("ec2", size)], region)


def _size_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    vcpu = doc.get("vCpuInfo") or {}
    processor = doc.get("processorInfo") or {}
    network = doc.get("networkInfo") or {}
    return {
        "cpu": int(vcpu.get("defaultVCpus") or 0),
        "cores": int(vcpu.get("defaultCores") or 0) or None,
        "architectures": list(processor.get("supportedArchitectures") or []),
        "current_generation": doc.get("currentGeneration") == "true",
        "free_tier_eligible": doc.get("freeTierEligible") == "true",
        "network_performance": network.get("networkPerformance"),
        "hypervisor": doc.get("hypervisor") or None,
        "bare_metal": doc.get("bareMetal") == "true",
    }


#: An instance type (RAM in MiB, instance-store disk in GB, 0 for EBS-only types; the hourly
#: price from the pricing file's ``ec2_linux`` or ``ec2`` section for context ``region``).
SIZE = schema(
    NodeSize,
    id=wire("instanceType", str, required=True),
    name=wire("instanceType", str, required=True),
    ram=wire("memoryInfo", _ram, default=0),
    disk=wire("instanceStorageInfo", _disk, default=0),
    bandwidth=context("bandwidth"),
    price=wire("instanceType", _price, using=("region",)),
    driver=context(),
    extra=wire("*", _size_extra, repr=False),
)


SNAPSHOT_STATES: dict[str, VolumeSnapshotState] = {
    "pending": VolumeSnapshotState.CREATING,
    "completed": VolumeSnapshotState.AVAILABLE,
    "error": VolumeSnapshotState.ERROR,
    "recovering": VolumeSnapshotState.RESTORING,
}


def _snapshot_name(doc: Mapping[str, Any]) -> str | None:
    return tags_of(doc).get("Name") or doc.get("description") or None


def _snapshot_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "volume_id": doc.get("volumeId"),
        "owner_id": doc.get("ownerId"),
        "description": doc.get("description") or None,
        "progress": doc.get("progress"),
        "encrypted": doc.get("encrypted") == "true",
        "state": doc.get("status"),
        "tags": tags_of(doc),
    }


#: An EBS snapshot (size in GiB; ``name`` is its ``Name`` tag, else its description).
SNAPSHOT = schema(
    VolumeSnapshot,
    id=wire("snapshotId", str, required=True),
    driver=context(),
    size=wire("volumeSize", int),
    extra=wire("*", _snapshot_extra, repr=False),
    created=wire("startTime", _time),
    state=wire("status", SNAPSHOT_STATES, default=VolumeSnapshotState.UNKNOWN),
    name=wire("*", _snapshot_name, reads=("tagSet", "description")),
)
