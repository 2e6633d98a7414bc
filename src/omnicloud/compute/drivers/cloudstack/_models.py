# ruff: noqa: RUF009  (wire()/context() return dataclasses.field objects, like field())
"""CloudStack models of the base compute API, each field declared once (wire key, converter,
default).

``extra`` on nodes, volumes and images is a read-only view of the provider's document that also
answers Libcloud's ``extra`` key names. The models of the ``ex_*`` extensions live in
:mod:`._network_models` and :mod:`._extras_models`, imported when first needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from omnicloud._wire import Extra, ExtraOf, context, parts, wire
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

from ._convert import (
    GB,
    NODE_STATES,
    as_bool,
    as_time,
    is_private,
    snapshot_state,
    tags_dict,
    volume_state,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CloudStackDiskOffering",
    "CloudStackImage",
    "CloudStackKeyPair",
    "CloudStackLocation",
    "CloudStackNode",
    "CloudStackNodeSize",
    "CloudStackSnapshot",
    "CloudStackVolume",
]


def _ids(value: Any) -> list[str]:
    return [item["id"] for item in value if "id" in item]


def _names(value: Any) -> list[str]:
    return [item["name"] for item in value if "name" in item]


# -- nodes ------------------------------------------------------------------------------------
_ABSENT = object()


def _addresses(doc: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """``(public_ips, private_ips)`` in one pass over the NICs; static NAT ``publicip`` last."""
    public: list[str] = []
    private: list[str] = []
    nics = doc.get("nic")
    if nics is not None:
        for nic in nics:
            address = nic.get("ipaddress", _ABSENT)
            if address is not _ABSENT:
                (private if is_private(address) else public).append(address)
    nat = doc.get("publicip")
    if nat and nat not in public:
        public.append(nat)
    return public, private


_PUBLIC_IPS, _PRIVATE_IPS = parts("*", _addresses, 2, reads=("nic[].ipaddress", "publicip"))

NODE_EXTRA: dict[str, tuple[str, Any]] = {
    "haenable": ("haenable", None),
    "zone_id": ("zoneid", None),
    "zone_name": ("zonename", None),
    "key_name": ("keypair", None),
    "password": ("password", None),
    "image_id": ("templateid", None),
    "image_name": ("templatename", None),
    "template_display_text": ("templatedisplaytext", None),
    "password_enabled": ("passwordenabled", None),
    "size_id": ("serviceofferingid", None),
    "size_name": ("serviceofferingname", None),
    "root_device_id": ("rootdeviceid", None),
    "root_device_type": ("rootdevicetype", None),
    "project": ("project", None),
    "project_id": ("projectid", None),
    "nics": ("nic", None),
    "security_group": ("securitygroup", _names),
    "affinity_group": ("affinitygroup", _ids),
    "tags": ("tags", tags_dict),
    "created": ("created", None),
}

_node_extra = ExtraOf(NODE_EXTRA)


def _node_name(doc: Mapping[str, Any]) -> str:
    name = doc.get("name") or doc.get("displayname") or ""
    return name if type(name) is str else str(name)


@dataclass(slots=True, eq=False)
class CloudStackNode(Node):
    """A CloudStack virtual machine; ``extra`` answers Libcloud's keys (zone_id, key_name ...)."""

    id: str = wire("id", default="")
    name: str = wire("*", _node_name, reads=("name", "displayname"))
    state: NodeState = wire("state", NODE_STATES, default=NodeState.UNKNOWN)
    public_ips: list[str] = wire(_PUBLIC_IPS)
    private_ips: list[str] = wire(_PRIVATE_IPS, factory=list)
    driver: Any = context()
    extra: Mapping[str, Any] = wire("*", _node_extra, repr=False)
    created_at: datetime | None = wire("created", as_time)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Node) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def ex_start(self) -> Any:
        """Start this node."""
        return self.driver.ex_start(self)

    def ex_stop(self) -> Any:
        """Stop this node."""
        return self.driver.ex_stop(self)

    def ex_restore(self, template: NodeImage | None = None) -> Any:
        """Reinstall from ``template`` (default: its own)."""
        return self.driver.ex_restore(self, template)

    def ex_change_node_size(self, offering: NodeSize) -> Any:
        """Scale to another service offering."""
        return self.driver.ex_change_node_size(self, offering)


# -- catalogue --------------------------------------------------------------------------------
@dataclass(slots=True, eq=False)
class CloudStackNodeSize(NodeSize):
    """A service offering; ``extra["cpu"]`` is its core count.

    ``price`` (hourly, USD) comes from :mod:`omnicloud.pricing` when it has data for the cloud,
    else it is None (unknown).
    """

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    ram: int = wire("memory", int, default=0)
    disk: int = wire("rootdisksize", int, default=0)
    bandwidth: int | None = wire("networkrate", int, default=0)
    price: float | None = None
    driver: Any = context()
    extra: Mapping[str, Any] = wire("*", lambda d: Extra(d, SIZE_EXTRA), repr=False)


SIZE_EXTRA: dict[str, tuple[str, Any]] = {"cpu": ("cpunumber", None), "speed": ("cpuspeed", None)}

IMAGE_EXTRA: dict[str, tuple[str, Any]] = {
    "hypervisor": ("hypervisor", None),
    "format": ("format", None),
    "os": ("ostypename", None),
    "displaytext": ("displaytext", None),
    "size": ("size", None),
    "is_ready": ("isready", None),
    "password_enabled": ("passwordenabled", None),
}


@dataclass(slots=True, eq=False)
class CloudStackImage(NodeImage):
    """A template."""

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    driver: Any = context()
    extra: Mapping[str, Any] = wire("*", lambda d: Extra(d, IMAGE_EXTRA), repr=False)


@dataclass(slots=True, eq=False)
class CloudStackLocation(NodeLocation):
    """A zone; ``network_type`` is ``Basic`` or ``Advanced``."""

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    country: str = "Unknown"
    driver: Any = context()
    extra: Mapping[str, Any] = wire("*", lambda d: Extra(d, {}), repr=False)
    network_type: str = wire("networktype", default="")
    security_groups_enabled: bool = wire("securitygroupsenabled", as_bool, default=False)


# -- storage ----------------------------------------------------------------------------------
VOLUME_EXTRA: dict[str, tuple[str, Any]] = {
    "instance_id": ("virtualmachineid", None),
    "device_id": ("deviceid", None),
    "volume_type": ("type", None),
    "zone_id": ("zoneid", None),
    "zone_name": ("zonename", None),
    "tags": ("tags", tags_dict),
}


def _gb(value: Any) -> int:
    return int(value) // GB


@dataclass(slots=True, eq=False)
class CloudStackVolume(StorageVolume):
    """A volume; ``size`` in GB (CloudStack reports bytes)."""

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    size: int = wire("size", _gb, default=0)
    driver: Any = context()
    state: StorageVolumeState = wire("*", volume_state)
    extra: Mapping[str, Any] = wire("*", lambda d: Extra(d, VOLUME_EXTRA), repr=False)
    node_id: str | None = wire("virtualmachineid")
    volume_type: str = wire("type", default="")


@dataclass(slots=True, eq=False)
class CloudStackSnapshot(VolumeSnapshot):
    """A volume snapshot."""

    id: str = wire("id", default="")
    driver: Any = context()
    size: int | None = wire("physicalsize", _gb)
    extra: Mapping[str, Any] = wire(
        "*", lambda d: Extra(d, {"volume_id": ("volumeid", None), "tags": ("tags", tags_dict)})
    )
    created: datetime | None = wire("created", as_time)
    state: VolumeSnapshotState = wire("state", snapshot_state, default=VolumeSnapshotState.UNKNOWN)
    name: str | None = wire("name")
    volume_id: str | None = wire("volumeid")


@dataclass(slots=True)
class CloudStackDiskOffering:
    """A disk offering (size in GB; ``customizable`` takes any size)."""

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    size: int = wire("disksize", int, default=0)
    customizable: bool = wire("iscustomized", as_bool, default=False)


@dataclass(slots=True, eq=False)
class CloudStackKeyPair(KeyPair):
    """An SSH key pair; ``private_key`` only right after ``create_key_pair``."""

    name: str = wire("name", default="")
    public_key: str | None = wire("publickey")
    fingerprint: str = wire("fingerprint", default="")
    driver: Any = context()
    private_key: str | None = wire("privatekey", repr=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)
