# ruff: noqa: RUF009  (wire()/context() return dataclasses.field objects, like field())
"""CloudStack models, each field declared once (wire key, converter, default).

Libcloud returned dicts for several of these (security groups, OS types, ISOs, limits); here every
one is a class. ``extra`` on nodes, volumes and images is a read-only view of the provider's
document that also answers Libcloud's ``extra`` key names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

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
from omnicloud.compute._wire import Extra, ExtraOf, context, parts, wire

from ._convert import (
    GB,
    NODE_STATES,
    as_bool,
    as_time,
    is_private,
    snapshot_state,
    split_csv,
    tags_dict,
    volume_state,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CloudStackAddress",
    "CloudStackAffinityGroup",
    "CloudStackAffinityGroupType",
    "CloudStackDiskOffering",
    "CloudStackEgressFirewallRule",
    "CloudStackFirewallRule",
    "CloudStackIPForwardingRule",
    "CloudStackImage",
    "CloudStackIso",
    "CloudStackKeyPair",
    "CloudStackLimits",
    "CloudStackLocation",
    "CloudStackNetwork",
    "CloudStackNetworkACL",
    "CloudStackNetworkACLList",
    "CloudStackNetworkOffering",
    "CloudStackNic",
    "CloudStackNode",
    "CloudStackNodeSize",
    "CloudStackOsType",
    "CloudStackPortForwardingRule",
    "CloudStackProject",
    "CloudStackRouter",
    "CloudStackSecurityGroup",
    "CloudStackSecurityGroupRule",
    "CloudStackSnapshot",
    "CloudStackVPC",
    "CloudStackVPCOffering",
    "CloudStackVolume",
    "CloudStackVpnConnection",
    "CloudStackVpnCustomerGateway",
    "CloudStackVpnGateway",
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


_PUBLIC_IPS, _PRIVATE_IPS = parts("*", _addresses, 2)

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
    name: str = wire("*", _node_name)
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


# -- security groups --------------------------------------------------------------------------
@dataclass(slots=True)
class CloudStackSecurityGroupRule:
    """One ingress or egress rule of a security group."""

    id: str = wire("ruleid", default="")
    protocol: str = wire("protocol", default="")
    start_port: int | None = wire("startport", int)
    end_port: int | None = wire("endport", int)
    cidr: str | None = wire("cidr")
    icmp_type: int | None = wire("icmptype", int)
    icmp_code: int | None = wire("icmpcode", int)
    security_group_name: str | None = wire("securitygroupname")
    account: str | None = wire("account")


def _rules(value: Any) -> list[CloudStackSecurityGroupRule]:
    from omnicloud.compute._wire import mapper

    build = mapper(CloudStackSecurityGroupRule)
    return [build(item) for item in value]


@dataclass(slots=True)
class CloudStackSecurityGroup:
    """A security group with its rules (a class, where Libcloud returned dicts)."""

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    description: str = wire("description", default="")
    account: str | None = wire("account")
    domain: str | None = wire("domain")
    project_id: str | None = wire("projectid")
    ingress_rules: list[CloudStackSecurityGroupRule] = wire("ingressrule", _rules, factory=list)
    egress_rules: list[CloudStackSecurityGroupRule] = wire("egressrule", _rules, factory=list)
    tags: dict[str, str] = wire("tags", tags_dict, factory=dict)
    driver: Any = context()

    def __getitem__(self, key: str) -> Any:
        """Libcloud compatibility: ``group["name"]``."""
        return getattr(
            self, {"ingressrule": "ingress_rules", "egressrule": "egress_rules"}.get(key, key)
        )


# -- networking -------------------------------------------------------------------------------
@dataclass(slots=True)
class CloudStackNetwork:
    """A guest network."""

    displaytext: str = wire("displaytext", default="")
    name: str = wire("name", default="")
    networkofferingid: str = wire("networkofferingid", default="")
    id: str = wire("id", default="")
    zoneid: str = wire("zoneid", default="")
    driver: Any = context()
    extra: Mapping[str, Any] = wire("*", lambda d: Extra(d, {}), repr=False)
    cidr: str | None = wire("cidr")
    vpc_id: str | None = wire("vpcid")
    state: str = wire("state", default="")
    type: str = wire("type", default="")


@dataclass(slots=True)
class CloudStackNetworkOffering:
    """A network offering."""

    name: str = wire("name", default="")
    display_text: str = wire("displaytext", default="")
    guest_ip_type: str = wire("guestiptype", default="")
    id: str = wire("id", default="")
    service_offering_id: str | None = wire("serviceofferingid")
    for_vpc: bool = wire("forvpc", as_bool, default=False)
    driver: Any = context()
    extra: Mapping[str, Any] = wire("*", lambda d: Extra(d, {}), repr=False)


@dataclass(slots=True)
class CloudStackVPC:
    """A VPC."""

    name: str = wire("name", default="")
    vpc_offering_id: str = wire("vpcofferingid", default="")
    id: str = wire("id", default="")
    cidr: str = wire("cidr", default="")
    driver: Any = context()
    zone_id: str | None = wire("zoneid")
    display_text: str | None = wire("displaytext")
    state: str = wire("state", default="")
    extra: Mapping[str, Any] = wire("*", lambda d: Extra(d, {}), repr=False)


@dataclass(slots=True)
class CloudStackVPCOffering:
    """A VPC offering."""

    name: str = wire("name", default="")
    display_text: str = wire("displaytext", default="")
    id: str = wire("id", default="")
    driver: Any = context()
    extra: Mapping[str, Any] = wire("*", lambda d: Extra(d, {}), repr=False)


@dataclass(slots=True)
class CloudStackRouter:
    """A virtual router."""

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    state: str = wire("state", default="")
    public_ip: str | None = wire("publicip")
    vpc_id: str | None = wire("vpcid")
    driver: Any = context()


@dataclass(slots=True)
class CloudStackProject:
    """A project."""

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    display_text: str = wire("displaytext", default="")
    state: str = wire("state", default="")
    driver: Any = context()
    extra: Mapping[str, Any] = wire("*", lambda d: Extra(d, {}), repr=False)


@dataclass(slots=True)
class CloudStackAddress:
    """A public IP address; ``str(address)`` is the address itself."""

    id: str = wire("id", default="")
    address: str = wire("ipaddress", default="")
    driver: Any = context()
    associated_network_id: str | None = wire("associatednetworkid")
    vpc_id: str | None = wire("vpcid")
    virtualmachine_id: str | None = wire("virtualmachineid")
    is_source_nat: bool = wire("issourcenat", as_bool, default=False)
    is_static_nat: bool = wire("isstaticnat", as_bool, default=False)
    state: str = wire("state", default="")
    zone_id: str | None = wire("zoneid")

    def __str__(self) -> str:
        return self.address

    def release(self) -> Any:
        """Give this address back."""
        return self.driver.ex_release_public_ip(self)


@dataclass(slots=True)
class CloudStackFirewallRule:
    """An ingress firewall rule on a public IP."""

    id: str = wire("id", default="")
    address_id: str = wire("ipaddressid", default="")
    address: str = wire("ipaddress", default="")
    cidr_list: str = wire("cidrlist", default="")
    protocol: str = wire("protocol", default="")
    icmp_code: int | None = wire("icmpcode", int)
    icmp_type: int | None = wire("icmptype", int)
    start_port: int | None = wire("startport", int)
    end_port: int | None = wire("endport", int)
    state: str = wire("state", default="")


@dataclass(slots=True)
class CloudStackEgressFirewallRule:
    """An egress firewall rule of a network."""

    id: str = wire("id", default="")
    network_id: str = wire("networkid", default="")
    cidr_list: str = wire("cidrlist", default="")
    protocol: str = wire("protocol", default="")
    icmp_code: int | None = wire("icmpcode", int)
    icmp_type: int | None = wire("icmptype", int)
    start_port: int | None = wire("startport", int)
    end_port: int | None = wire("endport", int)


@dataclass(slots=True)
class CloudStackPortForwardingRule:
    """A port forwarding rule (public IP ports -> a node's private ports)."""

    id: str = wire("id", default="")
    address_id: str = wire("ipaddressid", default="")
    address: str = wire("ipaddress", default="")
    protocol: str = wire("protocol", default="")
    public_port: int = wire("publicport", int, default=0)
    private_port: int = wire("privateport", int, default=0)
    public_end_port: int | None = wire("publicendport", int)
    private_end_port: int | None = wire("privateendport", int)
    node_id: str = wire("virtualmachineid", default="")
    node_name: str | None = wire("virtualmachinename")
    network_id: str | None = wire("networkid")
    state: str = wire("state", default="")
    driver: Any = context()

    def delete(self) -> Any:
        """Delete this rule."""
        return self.driver.ex_delete_port_forwarding_rule(None, self)


@dataclass(slots=True)
class CloudStackIPForwardingRule:
    """A static NAT (IP forwarding) rule."""

    id: str = wire("id", default="")
    address_id: str = wire("ipaddressid", default="")
    address: str = wire("ipaddress", default="")
    protocol: str = wire("protocol", default="")
    start_port: int | None = wire("startport", int)
    end_port: int | None = wire("endport", int)
    node_id: str = wire("virtualmachineid", default="")
    driver: Any = context()

    def delete(self) -> Any:
        """Delete this rule."""
        return self.driver.ex_delete_ip_forwarding_rule(None, self)


@dataclass(slots=True)
class CloudStackNetworkACLList:
    """A network ACL list of a VPC."""

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    vpc_id: str | None = wire("vpcid")
    driver: Any = context()
    description: str | None = wire("description")


@dataclass(slots=True)
class CloudStackNetworkACL:
    """One rule of a network ACL list."""

    id: str = wire("id", default="")
    protocol: str = wire("protocol", default="")
    acl_id: str = wire("aclid", default="")
    action: str = wire("action", default="")
    cidr_list: str = wire("cidrlist", default="")
    start_port: int | None = wire("startport", int)
    end_port: int | None = wire("endport", int)
    traffic_type: str = wire("traffictype", default="")
    number: int | None = wire("number", int)


@dataclass(slots=True)
class CloudStackNic:
    """A NIC of a node."""

    id: str = wire("id", default="")
    network_id: str = wire("networkid", default="")
    net_mask: str | None = wire("netmask")
    gateway: str | None = wire("gateway")
    ip_address: str | None = wire("ipaddress")
    is_default: bool = wire("isdefault", as_bool, default=False)
    mac_address: str | None = wire("macaddress")
    driver: Any = context()
    extra: Mapping[str, Any] = wire("*", lambda d: Extra(d, {}), repr=False)


@dataclass(slots=True)
class CloudStackAffinityGroup:
    """An affinity group."""

    id: str = wire("id", default="")
    account: str | None = wire("account")
    description: str | None = wire("description")
    domain: str | None = wire("domain")
    domainid: str | None = wire("domainid")
    name: str = wire("name", default="")
    group_type: str = wire("type", default="")
    virtualmachine_ids: list[str] = wire("virtualmachineIds", split_csv, factory=list)


@dataclass(slots=True)
class CloudStackAffinityGroupType:
    """An affinity group type such as ``host anti-affinity``."""

    type: str = wire("type", default="")


@dataclass(slots=True)
class CloudStackVpnGateway:
    """A site-to-site VPN gateway of a VPC."""

    id: str = wire("id", default="")
    account: str | None = wire("account")
    domain: str | None = wire("domain")
    domain_id: str | None = wire("domainid")
    public_ip: str | None = wire("publicip")
    vpc_id: str | None = wire("vpcid")
    driver: Any = context()


@dataclass(slots=True)
class CloudStackVpnCustomerGateway:
    """A VPN customer gateway; the pre-shared key is never shown in reprs."""

    id: str = wire("id", default="")
    cidr_list: str = wire("cidrlist", default="")
    esp_policy: str = wire("esppolicy", default="")
    gateway: str = wire("gateway", default="")
    ike_policy: str = wire("ikepolicy", default="")
    ipsec_psk: str = wire("ipsecpsk", default="", repr=False)
    name: str | None = wire("name")
    driver: Any = context()


@dataclass(slots=True)
class CloudStackVpnConnection:
    """A site-to-site VPN connection."""

    id: str = wire("id", default="")
    passive: bool = wire("passive", as_bool, default=False)
    vpn_customer_gateway_id: str = wire("s2scustomergatewayid", default="")
    vpn_gateway_id: str = wire("s2svpngatewayid", default="")
    state: str = wire("state", default="")
    driver: Any = context()


@dataclass(slots=True)
class CloudStackOsType:
    """An OS type (for registering templates and ISOs)."""

    id: str = wire("id", default="")
    description: str = wire("description", default="")
    os_category_id: str | None = wire("oscategoryid")


@dataclass(slots=True)
class CloudStackIso:
    """A registered ISO."""

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    display_text: str = wire("displaytext", default="")
    bootable: bool = wire("bootable", as_bool, default=False)
    is_ready: bool = wire("isready", as_bool, default=False)
    zone_id: str | None = wire("zoneid")
    os_type_id: str | None = wire("ostypeid")


@dataclass(slots=True)
class CloudStackLimits:
    """Resource limits of the account (-1 = unlimited), Libcloud's ``ex_limits`` names."""

    max_instances: int = -1
    max_public_ips: int = -1
    max_volumes: int = -1
    max_snapshots: int = -1
    max_images: int = -1
    max_projects: int = -1
    max_networks: int = -1
    max_vpc: int = -1
    max_cpu: int = -1
    max_memory: int = -1
    max_primary_storage: int = -1
    max_secondary_storage: int = -1

    def __getitem__(self, key: str) -> int:
        """Libcloud compatibility: ``limits["max_instances"]``."""
        value: int = getattr(self, key)
        return value
