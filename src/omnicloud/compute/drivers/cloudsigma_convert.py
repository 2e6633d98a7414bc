"""CloudSigma documents to models: nodes (with their boot drive), drives, tags, subscriptions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from omnicloud.compute._models import KeyPair, Node, NodeImage, StorageVolume
from omnicloud.compute._types import NodeState, StorageVolumeState

from .cloudsigma_models import (
    GIB,
    CloudSigmaDrive,
    CloudSigmaFirewallPolicy,
    CloudSigmaFirewallPolicyRule,
    CloudSigmaSubscription,
    CloudSigmaTag,
)
from .cloudsigma_sizes import size_for

__all__ = [
    "NODE_STATES",
    "boot_drive_uuid",
    "node_state",
    "to_drive",
    "to_key_pair",
    "to_node",
    "to_policy",
    "to_subscription",
    "to_tag",
    "to_volume",
]

NODE_STATES: dict[str, NodeState] = {
    "running": NodeState.RUNNING,
    "started": NodeState.RUNNING,
    "running_legacy": NodeState.RUNNING,
    "starting": NodeState.STARTING,
    "stopping": NodeState.STOPPING,
    "stopped": NodeState.STOPPED,
    "paused": NodeState.PAUSED,
    "unavailable": NodeState.ERROR,
    "cloning": NodeState.PENDING,
}

VOLUME_STATES: dict[str, StorageVolumeState] = {
    "unmounted": StorageVolumeState.AVAILABLE,
    "mounted": StorageVolumeState.INUSE,
    "creating": StorageVolumeState.CREATING,
    "cloning_dst": StorageVolumeState.CREATING,
    "cloning_src": StorageVolumeState.UPDATING,
    "resizing": StorageVolumeState.UPDATING,
    "copying": StorageVolumeState.UPDATING,
    "uploading": StorageVolumeState.CREATING,
    "staging": StorageVolumeState.UPDATING,
    "unavailable": StorageVolumeState.ERROR,
}


def node_state(status: Any) -> NodeState:
    """The node state for a CloudSigma server status; anything unknown is UNKNOWN."""
    return NODE_STATES.get(str(status), NodeState.UNKNOWN)


def _uuid(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("uuid")
    return str(value) if value else None


def boot_drive_uuid(server: Mapping[str, Any]) -> str | None:
    """The drive the server boots from (``boot_order`` 1, else the first)."""
    drives = [d for d in server.get("drives") or [] if isinstance(d, Mapping)]
    if not drives:
        return None
    ordered = sorted(drives, key=lambda d: (d.get("boot_order") is None, d.get("boot_order") or 0))
    return _uuid(ordered[0].get("drive"))


def _ips(server: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    public: list[str] = []
    private: list[str] = []
    runtime_nics = (server.get("runtime") or {}).get("nics") or []
    runtime_by_mac = {n.get("mac"): n for n in runtime_nics if isinstance(n, Mapping)}
    for nic in server.get("nics") or []:
        runtime = nic.get("runtime") or runtime_by_mac.get(nic.get("mac")) or {}
        target = private if runtime.get("interface_type") == "private" else public
        for conf_key, runtime_key in (("ip_v4_conf", "ip_v4"), ("ip_v6_conf", "ip_v6")):
            for value in (runtime.get(runtime_key), (nic.get(conf_key) or {}).get("ip")):
                address = _uuid(value)
                if address and address not in target:
                    target.append(address)
    return public, private


def to_drive(doc: Mapping[str, Any], driver: Any) -> CloudSigmaDrive:
    """A user or library drive."""
    meta = doc.get("meta") or {}
    size = int(doc.get("size") or 0)
    extra = {
        "size_bytes": size,
        "mounted_on": [_uuid(r) for r in doc.get("mounted_on") or []],
        "storage_type": doc.get("storage_type"),
        "image_type": doc.get("image_type") or meta.get("image_type"),
        "distribution": doc.get("distribution") or meta.get("distribution"),
        "version": doc.get("version") or meta.get("version"),
        "os": doc.get("os") or meta.get("os"),
        "arch": doc.get("arch") or meta.get("arch"),
        "paid": doc.get("paid"),
        "description": doc.get("description") or meta.get("description"),
        "licenses": doc.get("licenses") or [],
        "owner": _uuid(doc.get("owner")),
        "meta": meta,
        "tags": [_uuid(t) for t in doc.get("tags") or []],
    }
    return CloudSigmaDrive(
        id=str(doc["uuid"]),
        name=str(doc.get("name") or ""),
        driver=driver,
        extra=extra,
        size=size / GIB,
        media=str(doc.get("media") or "disk"),
        status=str(doc.get("status") or "unknown"),
    )


def to_volume(doc: Mapping[str, Any], driver: Any) -> StorageVolume:
    """A user drive as a standard volume (size in GB)."""
    drive = to_drive(doc, driver)
    return StorageVolume(
        id=drive.id,
        name=drive.name,
        size=-(-int(doc.get("size") or 0) // GIB),
        driver=driver,
        state=VOLUME_STATES.get(drive.status, StorageVolumeState.UNKNOWN),
        extra={**drive.extra, "media": drive.media, "status": drive.status},
    )


def to_node(
    server: Mapping[str, Any],
    drives: Mapping[str, Mapping[str, Any]],
    driver: Any,
    mhz_per_core: int,
) -> Node:
    """A server, with size and image taken from its boot drive when ``drives`` has it."""
    public, private = _ips(server)
    boot_uuid = boot_drive_uuid(server)
    boot = drives.get(boot_uuid) if boot_uuid else None
    image = None
    if boot is not None:
        drive = to_drive(boot, driver)
        label = " ".join(
            filter(None, [drive.extra.get("distribution"), drive.extra.get("version")])
        )
        image = NodeImage(id=drive.id, name=label or drive.name, driver=driver, extra=drive.extra)
    cpu = int(server.get("cpu") or 0)
    mem = int(server.get("mem") or 0)
    size = None
    if cpu and mem:
        disk = int(boot.get("size") or 0) if boot is not None else None
        size = size_for(driver, cpu, mem, disk, mhz_per_core)
    extra = {
        "cpus": cpu / mhz_per_core if mhz_per_core else None,
        "cpu_mhz": cpu,
        "smp": server.get("smp"),
        "memory": mem / (1024 * 1024),
        "mem_bytes": mem,
        "status": server.get("status"),
        "vnc_password": server.get("vnc_password"),
        "meta": server.get("meta") or {},
        "tags": [_uuid(t) for t in server.get("tags") or []],
        "nics": server.get("nics") or [],
        "drives": server.get("drives") or [],
        "runtime": server.get("runtime"),
        "pubkeys": [_uuid(k) for k in server.get("pubkeys") or []],
        "boot_drive": dict(boot) if boot is not None else None,
    }
    return Node(
        id=str(server["uuid"]),
        name=str(server.get("name") or ""),
        state=node_state(server.get("status")),
        public_ips=public,
        private_ips=private,
        driver=driver,
        size=size,
        image=image,
        extra=extra,
    )


def to_tag(doc: Mapping[str, Any], driver: Any) -> CloudSigmaTag:
    """A tag."""
    resources = [u for u in (_uuid(r) for r in doc.get("resources") or []) if u]
    return CloudSigmaTag(
        id=str(doc["uuid"]),
        name=str(doc.get("name") or ""),
        resources=resources,
        driver=driver,
        extra={"meta": doc.get("meta") or {}, "resources": doc.get("resources") or []},
    )


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def to_subscription(doc: Mapping[str, Any], driver: Any) -> CloudSigmaSubscription:
    """A subscription (null times stay None)."""
    try:
        amount = int(float(doc.get("amount") or 0))
    except ValueError:
        amount = 0
    return CloudSigmaSubscription(
        id=str(doc.get("id") or doc.get("uuid")),
        resource=str(doc.get("resource") or ""),
        amount=amount,
        period=str(doc.get("period") or ""),
        status=str(doc.get("status") or ""),
        price=str(doc.get("price") or ""),
        start_time=_time(doc.get("start_time")),
        end_time=_time(doc.get("end_time")),
        auto_renew=bool(doc.get("auto_renew")),
        subscribed_object=_uuid(doc.get("subscribed_object")),
        driver=driver,
        extra=dict(doc),
    )


def to_policy(doc: Mapping[str, Any], driver: Any) -> CloudSigmaFirewallPolicy:
    """A firewall policy."""
    fields = CloudSigmaFirewallPolicyRule.__dataclass_fields__
    rules = [
        CloudSigmaFirewallPolicyRule(**{k: v for k, v in rule.items() if k in fields})
        for rule in doc.get("rules") or []
    ]
    return CloudSigmaFirewallPolicy(
        id=str(doc["uuid"]),
        name=str(doc.get("name") or ""),
        rules=rules,
        driver=driver,
        extra={"servers": [_uuid(s) for s in doc.get("servers") or []]},
    )


def to_key_pair(doc: Mapping[str, Any], driver: Any) -> KeyPair:
    """A key pair (the private key only when the API returns one)."""
    return KeyPair(
        name=str(doc.get("name") or ""),
        public_key=doc.get("public_key"),
        fingerprint=str(doc.get("fingerprint") or ""),
        driver=driver,
        private_key=doc.get("private_key"),
        extra={
            "uuid": doc.get("uuid"),
            "tags": doc.get("tags") or [],
            "meta": doc.get("meta") or {},
            "resource_uri": doc.get("resource_uri"),
        },
    )
