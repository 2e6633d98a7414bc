"""CloudSigma documents to models, declared with ``wire()`` (see :mod:`omnicloud._wire`).

Nodes (with their boot drive), drives, volumes, locations, tags, subscriptions, firewall
policies and their rules, key pairs, and the account's balance, pricing, usage and capabilities.
Each is a :func:`~omnicloud._wire.schema` mapping a document to the model, called with the
driver as context: ``DRIVE(doc, driver=d)``, or ``DRIVE.bind(driver=d)`` for a listing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from omnicloud._wire import context, parts, schema, wire
from omnicloud.compute._models import (
    KeyPair,
    Node,
    NodeImage,
    NodeLocation,
    NodeSize,
    StorageVolume,
)
from omnicloud.compute._types import NodeState, StorageVolumeState

from .cloudsigma_models import (
    GIB,
    CloudSigmaBalance,
    CloudSigmaCapabilities,
    CloudSigmaDrive,
    CloudSigmaFirewallPolicy,
    CloudSigmaFirewallPolicyRule,
    CloudSigmaPricing,
    CloudSigmaSubscription,
    CloudSigmaTag,
    CloudSigmaUsage,
)
from .cloudsigma_sizes import size_for

__all__ = [
    "BALANCE",
    "CAPABILITIES",
    "DRIVE",
    "IMAGE",
    "KEY_PAIR",
    "LOCATION",
    "NODE",
    "NODE_STATES",
    "POLICY",
    "PRICING",
    "RULE",
    "SUBSCRIPTION",
    "TAG",
    "USAGE",
    "VOLUME",
    "boot_drive_uuid",
    "node_state",
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


def _or(fallback: str) -> Any:
    """The converter ``str(value)``, or ``fallback`` for a falsy value (CloudSigma sends "")."""

    def text(value: Any) -> str:
        return str(value) if value else fallback

    return text


def _uuids(value: Any) -> list[str | None]:
    return [_uuid(item) for item in value or []]


def _drive_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    meta = doc.get("meta") or {}
    return {
        "size_bytes": int(doc.get("size") or 0),
        "mounted_on": _uuids(doc.get("mounted_on")),
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
        "tags": _uuids(doc.get("tags")),
    }


#: A user or library drive (``size`` in GiB, as a float).
DRIVE = schema(
    CloudSigmaDrive,
    id=wire("uuid", str, required=True),
    name=wire("name", _or(""), default=""),
    driver=context(),
    extra=wire("*", _drive_extra, repr=False),
    size=wire("size", lambda value: int(value or 0) / GIB, default=0.0),
    media=wire("media", _or("disk"), default="disk"),
    status=wire("status", _or("unknown"), default="unknown"),
)


def _image_parts(doc: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``(name, extra)`` of a drive as an image: named after its distribution and version."""
    extra = _drive_extra(doc)
    label = " ".join(filter(None, [extra.get("distribution"), extra.get("version")]))
    return label or _drive_name(doc.get("name")), extra


_drive_name = _or("")
_IMAGE_NAME, _IMAGE_EXTRA = parts("*", _image_parts, 2)

#: A node's boot drive as the image it runs (a plain :class:`NodeImage`, not a drive).
IMAGE = schema(
    NodeImage,
    id=wire("uuid", str, required=True),
    name=wire(_IMAGE_NAME),
    driver=context(),
    extra=wire(_IMAGE_EXTRA, repr=False),
)


def _volume_state(doc: Mapping[str, Any]) -> StorageVolumeState:
    status = str(doc.get("status") or "unknown")
    return VOLUME_STATES.get(status, StorageVolumeState.UNKNOWN)


def _volume_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **_drive_extra(doc),
        "media": str(doc.get("media") or "disk"),
        "status": str(doc.get("status") or "unknown"),
    }


#: A user drive as a standard volume (size in whole GB, rounded up).
VOLUME = schema(
    StorageVolume,
    id=wire("uuid", str, required=True),
    name=wire("name", _or(""), default=""),
    size=wire("size", lambda value: -(-int(value or 0) // GIB), default=0),
    driver=context(),
    state=wire("*", _volume_state, reads=("status",)),
    extra=wire("*", _volume_extra, repr=False),
)


def _boot_parts(
    server: Mapping[str, Any],
    drives: Mapping[str, Mapping[str, Any]] | None,
    driver: Any,
    mhz_per_core: int | None,
) -> tuple[NodeSize | None, NodeImage | None, dict[str, Any]]:
    """``(size, image, extra)`` of a server, size and image from its boot drive in ``drives``."""
    mhz_per_core = mhz_per_core or 0
    boot_uuid = boot_drive_uuid(server)
    boot = (drives or {}).get(boot_uuid) if boot_uuid else None
    image = IMAGE(boot, driver=driver) if boot is not None else None
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
        "tags": _uuids(server.get("tags")),
        "nics": server.get("nics") or [],
        "drives": server.get("drives") or [],
        "runtime": server.get("runtime"),
        "pubkeys": _uuids(server.get("pubkeys")),
        "boot_drive": dict(boot) if boot is not None else None,
    }
    return size, image, extra


_PUBLIC_IPS, _PRIVATE_IPS = parts("*", _ips, 2)
_SIZE, _IMAGE, _NODE_EXTRA = parts("*", _boot_parts, 3, using=("drives", "driver", "mhz_per_core"))

#: A server; context ``drives`` (uuid -> drive document) gives its size and image, and
#: ``mhz_per_core`` its core count.
NODE = schema(
    Node,
    id=wire("uuid", str, required=True),
    name=wire("name", _or(""), default=""),
    state=wire("status", node_state, default=NodeState.UNKNOWN),
    public_ips=wire(_PUBLIC_IPS),
    private_ips=wire(_PRIVATE_IPS),
    driver=context(),
    size=wire(_SIZE),
    image=wire(_IMAGE),
    extra=wire(_NODE_EXTRA, repr=False),
)


def _resource_uuids(value: Any) -> list[str]:
    return [u for u in (_uuid(r) for r in value or []) if u]


def _tag_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {"meta": doc.get("meta") or {}, "resources": doc.get("resources") or []}


#: A tag.
TAG = schema(
    CloudSigmaTag,
    id=wire("uuid", str, required=True),
    name=wire("name", _or(""), default=""),
    resources=wire("resources", _resource_uuids, factory=list),
    driver=context(),
    extra=wire("*", _tag_extra, repr=False),
)


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _amount(value: Any) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


def _subscription_id(doc: Mapping[str, Any]) -> str:
    return str(doc.get("id") or doc.get("uuid"))


#: A subscription (null times stay None).
SUBSCRIPTION = schema(
    CloudSigmaSubscription,
    id=wire("*", _subscription_id, reads=("id", "uuid")),
    resource=wire("resource", _or(""), default=""),
    amount=wire("amount", _amount, default=0),
    period=wire("period", _or(""), default=""),
    status=wire("status", _or(""), default=""),
    price=wire("price", _or(""), default=""),
    start_time=wire("start_time", _time),
    end_time=wire("end_time", _time),
    auto_renew=wire("auto_renew", bool, default=False),
    subscribed_object=wire("subscribed_object", _uuid),
    driver=context(),
    extra=wire("*", dict, repr=False),
)

#: One rule of a firewall policy (values as sent; ``action`` and ``direction`` must be there).
RULE = schema(
    CloudSigmaFirewallPolicyRule,
    action=wire("action", required=True),
    direction=wire("direction", required=True),
    ip_proto=wire("ip_proto"),
    src_ip=wire("src_ip"),
    src_port=wire("src_port"),
    dst_ip=wire("dst_ip"),
    dst_port=wire("dst_port"),
    comment=wire("comment"),
)


def _rules(value: Any) -> list[CloudSigmaFirewallPolicyRule]:
    return list(map(RULE.map, value or []))


#: A firewall policy.
POLICY = schema(
    CloudSigmaFirewallPolicy,
    id=wire("uuid", str, required=True),
    name=wire("name", _or(""), default=""),
    rules=wire("rules", _rules, factory=list),
    driver=context(),
    extra=wire("*", lambda doc: {"servers": _uuids(doc.get("servers"))}, repr=False),
)


def _key_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "uuid": doc.get("uuid"),
        "tags": doc.get("tags") or [],
        "meta": doc.get("meta") or {},
        "resource_uri": doc.get("resource_uri"),
    }


#: A key pair (the private key only when the API returns one).
KEY_PAIR = schema(
    KeyPair,
    name=wire("name", _or(""), default=""),
    public_key=wire("public_key"),
    fingerprint=wire("fingerprint", _or(""), default=""),
    driver=context(),
    private_key=wire("private_key", repr=False),
    extra=wire("*", _key_extra, repr=False),
)


def _location_id(doc: Mapping[str, Any]) -> str:
    return str(doc.get("id", "")).lower()


def _location_name(doc: Mapping[str, Any]) -> str:
    return str(doc.get("display_name") or doc.get("id"))


#: A ``/locations/`` item.
LOCATION = schema(
    NodeLocation,
    id=wire("*", _location_id, reads=("id",)),
    name=wire("*", _location_name, reads=("display_name", "id")),
    country=wire("country_code", _or(""), default=""),
    driver=context(),
    extra=wire("*", dict, repr=False),
)


def _same(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    return doc


def _text_of(key: str) -> Any:
    """The converter ``doc -> str(doc.get(key))`` (``"None"`` when absent, as before)."""

    def text(doc: Mapping[str, Any]) -> str:
        return str(doc.get(key))

    return text


def _list_or_empty(value: Any) -> list[Any]:
    return list(value or [])


def _dict_or_empty(value: Any) -> dict[str, Any]:
    return dict(value or {})


#: ``GET /balance/``.
BALANCE = schema(
    CloudSigmaBalance,
    balance=wire("*", _text_of("balance"), reads=("balance",)),
    currency=wire("*", _text_of("currency"), reads=("currency",)),
    raw=wire("*", _same, repr=False),
)

#: ``GET /pricing/``: the price list and the current and next burst levels.
PRICING = schema(
    CloudSigmaPricing,
    objects=wire("objects", _list_or_empty, factory=list),
    current=wire("current", _dict_or_empty, factory=dict),
    next=wire("next", _dict_or_empty, factory=dict),
    raw=wire("*", _same, repr=False),
)

#: ``GET /currentusage/``.
USAGE = schema(
    CloudSigmaUsage,
    balance=wire("balance", _dict_or_empty, factory=dict),
    usage=wire("usage", _dict_or_empty, factory=dict),
    raw=wire("*", _same, repr=False),
)

#: ``GET /capabilities/`` (the typed views read the document itself).
CAPABILITIES = schema(CloudSigmaCapabilities, raw=wire("*", _same, repr=False))
