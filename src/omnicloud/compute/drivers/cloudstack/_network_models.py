# ruff: noqa: RUF009  (wire()/context() return dataclasses.field objects, like field())
"""Models of the CloudStack networking extensions (:mod:`._network`): networks, VPCs, routers,
public IPs, firewall, forwarding and ACL rules, NICs and site-to-site VPN.

Imported when a networking operation first runs, so that ``get_driver`` does not pay for creating
these dataclasses; the package still exports every name (loading this module on first access).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from omnicloud._wire import Extra, context, wire

from ._convert import as_bool

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CloudStackAddress",
    "CloudStackEgressFirewallRule",
    "CloudStackFirewallRule",
    "CloudStackIPForwardingRule",
    "CloudStackNetwork",
    "CloudStackNetworkACL",
    "CloudStackNetworkACLList",
    "CloudStackNetworkOffering",
    "CloudStackNic",
    "CloudStackPortForwardingRule",
    "CloudStackRouter",
    "CloudStackVPC",
    "CloudStackVPCOffering",
    "CloudStackVpnConnection",
    "CloudStackVpnCustomerGateway",
    "CloudStackVpnGateway",
]


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
