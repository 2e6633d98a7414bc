"""CloudStack networking extensions: networks, VPCs, routers, public IPs, forwarding, firewall,
network ACLs, NICs and site-to-site VPN (Libcloud's ``ex_*`` names).

Operations import their models from :mod:`._network_models` when they run, which keeps that
module out of ``get_driver``.
"""

from __future__ import annotations

from collections.abc import Sequence

from omnicloud.cloudstack._driver_base import success
from omnicloud.compute._models import Node
from omnicloud.compute._shell import operation

from ._compute import CloudStackCompute

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

    from ._network_models import (
        CloudStackAddress,
        CloudStackEgressFirewallRule,
        CloudStackFirewallRule,
        CloudStackIPForwardingRule,
        CloudStackNetwork,
        CloudStackNetworkACL,
        CloudStackNetworkACLList,
        CloudStackNetworkOffering,
        CloudStackNic,
        CloudStackPortForwardingRule,
        CloudStackRouter,
        CloudStackVPC,
        CloudStackVPCOffering,
        CloudStackVpnConnection,
        CloudStackVpnCustomerGateway,
        CloudStackVpnGateway,
    )

__all__ = ["CloudStackNetworking", "filters"]

_PAGING = frozenset({"page", "pagesize"})


def filters(values: dict[str, Any]) -> dict[str, Any]:
    """Libcloud-style filter names (``domain_id``, ``list_all``) -> CloudStack's (``domainid``).

    ``page``/``page_size`` are dropped: every list returns all pages.
    """
    out = {}
    for name, value in values.items():
        wire = name.replace("_", "").lower()
        if wire not in _PAGING and value is not None:
            out[wire] = value
    return out


def _id(obj: Any) -> str | None:
    return None if obj is None else str(getattr(obj, "id", obj))


def _csv(value: str | Sequence[str]) -> str:
    return value if isinstance(value, str) else ",".join(value)


class CloudStackNetworking(CloudStackCompute):
    """Networks, VPCs, public IPs, forwarding, firewall, ACLs, routers, NICs, VPN."""

    # -- networks and offerings ---------------------------------------------------------------
    @operation
    def ex_list_networks(
        self, /, project: Any = None, **kwargs: Any
    ) -> Flow[list[CloudStackNetwork]]:
        """Guest networks."""
        from ._network_models import CloudStackNetwork

        params = self._with_project(filters(kwargs), project)
        networks = yield from self._models("listNetworks", CloudStackNetwork, **params)
        return networks

    @operation
    def ex_list_network_offerings(self) -> Flow[list[CloudStackNetworkOffering]]:
        """Network offerings."""
        from ._network_models import CloudStackNetworkOffering

        offerings = yield from self._models("listNetworkOfferings", CloudStackNetworkOffering)
        return offerings

    @operation
    def ex_create_network(
        self,
        display_text: str,
        name: str,
        network_offering: CloudStackNetworkOffering | str,
        location: Any,
        gateway: str | None = None,
        netmask: str | None = None,
        network_domain: str | None = None,
        vpc_id: str | None = None,
        project_id: str | None = None,
    ) -> Flow[CloudStackNetwork]:
        """Create a guest network (in a VPC when ``vpc_id`` is given)."""
        from ._network_models import CloudStackNetwork

        body = yield from self._job(
            "createNetwork",
            **self._with_project(
                {
                    "displaytext": display_text,
                    "name": name,
                    "networkofferingid": _id(network_offering),
                    "zoneid": _id(location),
                    "gateway": gateway,
                    "netmask": netmask,
                    "networkdomain": network_domain,
                    "vpcid": vpc_id,
                },
                project_id,
            ),
        )
        return self._build(CloudStackNetwork, body, "network")

    @operation
    def ex_delete_network(
        self, network: CloudStackNetwork, force: bool | None = None
    ) -> Flow[bool]:
        """Delete a network (``force`` only sent when given)."""
        result = yield from self._job("deleteNetwork", id=network.id, forced=force)
        return success(result)

    # -- VPCs and routers ---------------------------------------------------------------------
    @operation
    def ex_list_vpc_offerings(self) -> Flow[list[CloudStackVPCOffering]]:
        """VPC offerings."""
        from ._network_models import CloudStackVPCOffering

        offerings = yield from self._models("listVPCOfferings", CloudStackVPCOffering)
        return offerings

    @operation
    def ex_list_vpcs(self, project: Any = None) -> Flow[list[CloudStackVPC]]:
        """VPCs."""
        from ._network_models import CloudStackVPC

        vpcs = yield from self._models("listVPCs", CloudStackVPC, **self._with_project({}, project))
        return vpcs

    @operation
    def ex_create_vpc(
        self,
        cidr: str,
        display_text: str,
        name: str,
        vpc_offering: CloudStackVPCOffering | str,
        zone_id: str,
        network_domain: str | None = None,
    ) -> Flow[CloudStackVPC]:
        """Create a VPC."""
        from ._network_models import CloudStackVPC

        body = yield from self._job(
            "createVPC",
            **self._with_project(
                {
                    "cidr": cidr,
                    "displaytext": display_text,
                    "name": name,
                    "vpcofferingid": _id(vpc_offering),
                    "zoneid": zone_id,
                    "networkdomain": network_domain,
                }
            ),
        )
        return self._build(CloudStackVPC, body, "vpc")

    @operation
    def ex_delete_vpc(self, vpc: CloudStackVPC) -> Flow[bool]:
        """Delete a VPC."""
        result = yield from self._job("deleteVPC", id=vpc.id)
        return success(result)

    @operation
    def ex_list_routers(self, vpc_id: str | None = None) -> Flow[list[CloudStackRouter]]:
        """Virtual routers (of ``vpc_id``)."""
        from ._network_models import CloudStackRouter

        routers = yield from self._models("listRouters", CloudStackRouter, vpcid=vpc_id)
        return routers

    # -- public IPs ---------------------------------------------------------------------------
    @operation
    def ex_list_public_ips(self, /, **kwargs: Any) -> Flow[list[CloudStackAddress]]:
        """Public IP addresses of the account."""
        from ._network_models import CloudStackAddress

        params = self._with_project(filters(kwargs))
        addresses = yield from self._models("listPublicIpAddresses", CloudStackAddress, **params)
        return addresses

    @operation
    def ex_allocate_public_ip(
        self, vpc_id: str | None = None, network_id: str | None = None, location: Any = None
    ) -> Flow[CloudStackAddress]:
        """Acquire a public IP (for a network, a VPC, or the zone)."""
        from ._network_models import CloudStackAddress

        zone = None
        if location is not None or (vpc_id is None and network_id is None):
            zone = yield from self._zone_id(location)
        result = yield from self._job(
            "associateIpAddress",
            **self._with_project({"vpcid": vpc_id, "networkid": network_id, "zoneid": zone}),
        )
        return self._build(CloudStackAddress, result, "ipaddress")

    @operation
    def ex_release_public_ip(self, address: CloudStackAddress) -> Flow[bool]:
        """Release a public IP."""
        result = yield from self._job("disassociateIpAddress", id=address.id)
        return success(result)

    @operation
    def ex_enable_static_nat(
        self, node: Node, address: CloudStackAddress, network_id: str | None = None
    ) -> Flow[bool]:
        """Map ``address`` one-to-one to ``node`` (needed before IP forwarding rules)."""
        body = yield from self._job(
            "enableStaticNat",
            ipaddressid=address.id,
            virtualmachineid=node.id,
            networkid=network_id,
        )
        return success(body)

    @operation
    def ex_disable_static_nat(self, address: CloudStackAddress) -> Flow[bool]:
        """Remove the static NAT of ``address``."""
        result = yield from self._job("disableStaticNat", ipaddressid=address.id)
        return success(result)

    # -- firewall -----------------------------------------------------------------------------
    @operation
    def ex_list_firewall_rules(self, /, **kwargs: Any) -> Flow[list[CloudStackFirewallRule]]:
        """Ingress firewall rules (each carries its address; no extra request)."""
        from ._network_models import CloudStackFirewallRule

        rules = yield from self._models(
            "listFirewallRules", CloudStackFirewallRule, **self._with_project(filters(kwargs))
        )
        return rules

    @operation
    def ex_create_firewall_rule(
        self,
        address: CloudStackAddress,
        cidr_list: str | Sequence[str],
        protocol: str,
        icmp_code: int | None = None,
        icmp_type: int | None = None,
        start_port: int | None = None,
        end_port: int | None = None,
    ) -> Flow[CloudStackFirewallRule]:
        """Open ``protocol`` ports on ``address`` for ``cidr_list``."""
        from ._network_models import CloudStackFirewallRule

        result = yield from self._job(
            "createFirewallRule",
            ipaddressid=address.id,
            cidrlist=_csv(cidr_list),
            protocol=protocol,
            icmpcode=icmp_code,
            icmptype=icmp_type,
            startport=start_port,
            endport=end_port,
        )
        return self._build(CloudStackFirewallRule, result, "firewallrule")

    @operation
    def ex_delete_firewall_rule(self, firewall_rule: CloudStackFirewallRule) -> Flow[bool]:
        """Delete a firewall rule."""
        result = yield from self._job("deleteFirewallRule", id=firewall_rule.id)
        return success(result)

    @operation
    def ex_list_egress_firewall_rules(
        self, /, **kwargs: Any
    ) -> Flow[list[CloudStackEgressFirewallRule]]:
        """Egress firewall rules."""
        from ._network_models import CloudStackEgressFirewallRule

        rules = yield from self._models(
            "listEgressFirewallRules",
            CloudStackEgressFirewallRule,
            **self._with_project(filters(kwargs)),
        )
        return rules

    @operation
    def ex_create_egress_firewall_rule(
        self,
        network_id: str,
        cidr_list: str | Sequence[str],
        protocol: str,
        icmp_code: int | None = None,
        icmp_type: int | None = None,
        start_port: int | None = None,
        end_port: int | None = None,
    ) -> Flow[CloudStackEgressFirewallRule]:
        """Allow outgoing traffic from ``network_id``."""
        from ._network_models import CloudStackEgressFirewallRule

        result = yield from self._job(
            "createEgressFirewallRule",
            networkid=network_id,
            cidrlist=_csv(cidr_list),
            protocol=protocol,
            icmpcode=icmp_code,
            icmptype=icmp_type,
            startport=start_port,
            endport=end_port,
        )
        return self._build(CloudStackEgressFirewallRule, result, "firewallrule")

    @operation
    def ex_delete_egress_firewall_rule(
        self, firewall_rule: CloudStackEgressFirewallRule
    ) -> Flow[bool]:
        """Delete an egress rule."""
        result = yield from self._job("deleteEgressFirewallRule", id=firewall_rule.id)
        return success(result)

    # -- port and IP forwarding ---------------------------------------------------------------
    @operation
    def ex_list_port_forwarding_rules(
        self, /, **kwargs: Any
    ) -> Flow[list[CloudStackPortForwardingRule]]:
        """Port forwarding rules; filters such as ``ipaddress_id=`` or ``network_id=``."""
        from ._network_models import CloudStackPortForwardingRule

        rules = yield from self._models(
            "listPortForwardingRules",
            CloudStackPortForwardingRule,
            **self._with_project(filters(kwargs)),
        )
        return rules

    @operation
    def ex_create_port_forwarding_rule(
        self,
        node: Node,
        address: CloudStackAddress,
        private_port: int,
        public_port: int,
        protocol: str,
        public_end_port: int | None = None,
        private_end_port: int | None = None,
        openfirewall: bool = True,
        network_id: str | None = None,
    ) -> Flow[CloudStackPortForwardingRule]:
        """Forward ``address:public_port`` to ``node:private_port``.

        Argument order is ``(node, address, private_port, public_port, protocol)``, as in
        Libcloud's signature (its example passes them in another order). The address is added to
        ``node.public_ips``.
        """
        from ._network_models import CloudStackPortForwardingRule

        result = yield from self._job(
            "createPortForwardingRule",
            ipaddressid=address.id,
            privateport=private_port,
            publicport=public_port,
            protocol=protocol,
            virtualmachineid=node.id,
            publicendport=public_end_port,
            privateendport=private_end_port,
            openfirewall=openfirewall,
            networkid=network_id,
        )
        rule = self._build(CloudStackPortForwardingRule, result, "portforwardingrule")
        if address.address and address.address not in node.public_ips:
            node.public_ips.append(address.address)
        return rule

    @operation
    def ex_delete_port_forwarding_rule(
        self, node: Node | None, rule: CloudStackPortForwardingRule
    ) -> Flow[bool]:
        """Delete a port forwarding rule."""
        result = yield from self._job("deletePortForwardingRule", id=rule.id)
        return success(result)

    @operation
    def ex_list_ip_forwarding_rules(
        self, /, **kwargs: Any
    ) -> Flow[list[CloudStackIPForwardingRule]]:
        """IP forwarding (static NAT) rules."""
        from ._network_models import CloudStackIPForwardingRule

        rules = yield from self._models(
            "listIpForwardingRules",
            CloudStackIPForwardingRule,
            **self._with_project(filters(kwargs)),
        )
        return rules

    @operation
    def ex_create_ip_forwarding_rule(
        self,
        node: Node,
        address: CloudStackAddress,
        protocol: str,
        start_port: int,
        end_port: int | None = None,
    ) -> Flow[CloudStackIPForwardingRule]:
        """An IP forwarding rule on a static-NAT address (see ``ex_enable_static_nat``)."""
        from ._network_models import CloudStackIPForwardingRule

        result = yield from self._job(
            "createIpForwardingRule",
            ipaddressid=address.id,
            protocol=protocol,
            startport=start_port,
            endport=end_port,
        )
        return self._build(CloudStackIPForwardingRule, result, "ipforwardingrule")

    @operation
    def ex_delete_ip_forwarding_rule(
        self, node: Node | None, rule: CloudStackIPForwardingRule
    ) -> Flow[bool]:
        """Delete an IP forwarding rule."""
        result = yield from self._job("deleteIpForwardingRule", id=rule.id)
        return success(result)

    # -- network ACLs -------------------------------------------------------------------------
    @operation
    def ex_list_network_acllists(self) -> Flow[list[CloudStackNetworkACLList]]:
        """Network ACL lists."""
        from ._network_models import CloudStackNetworkACLList

        lists = yield from self._models("listNetworkACLLists", CloudStackNetworkACLList)
        return lists

    @operation
    def ex_create_network_acllist(
        self, name: str, vpc_id: str, description: str | None = None
    ) -> Flow[CloudStackNetworkACLList]:
        """Create an ACL list in a VPC."""
        from ._network_models import CloudStackNetworkACLList

        result = yield from self._job(
            "createNetworkACLList", name=name, vpcid=vpc_id, description=description
        )
        return self._build(CloudStackNetworkACLList, result, "networkacllist")

    @operation
    def ex_list_network_acl(self) -> Flow[list[CloudStackNetworkACL]]:
        """Network ACL rules."""
        from ._network_models import CloudStackNetworkACL

        rules = yield from self._models("listNetworkACLs", CloudStackNetworkACL)
        return rules

    @operation
    def ex_create_network_acl(
        self,
        protocol: str,
        acl_id: str,
        cidr_list: str | Sequence[str],
        start_port: int | None = None,
        end_port: int | None = None,
        action: str | None = None,
        traffic_type: str | None = None,
    ) -> Flow[CloudStackNetworkACL]:
        """Add a rule to ACL list ``acl_id``."""
        from ._network_models import CloudStackNetworkACL

        result = yield from self._job(
            "createNetworkACL",
            protocol=protocol,
            aclid=acl_id,
            cidrlist=_csv(cidr_list),
            startport=start_port,
            endport=end_port,
            action=action,
            traffictype=traffic_type,
        )
        return self._build(CloudStackNetworkACL, result, "networkacl")

    @operation
    def ex_replace_network_acllist(self, acl_id: str, network_id: str) -> Flow[bool]:
        """Apply ACL list ``acl_id`` to ``network_id``."""
        result = yield from self._job("replaceNetworkACLList", aclid=acl_id, networkid=network_id)
        return success(result)

    # -- NICs ---------------------------------------------------------------------------------
    @operation
    def ex_list_nics(self, node: Node) -> Flow[list[CloudStackNic]]:
        """The NICs of ``node``."""
        from ._network_models import CloudStackNic

        nics = yield from self._models("listNics", CloudStackNic, virtualmachineid=node.id)
        return nics

    @operation
    def ex_attach_nic_to_node(
        self, node: Node, network: CloudStackNetwork, ip_address: str | None = None
    ) -> Flow[bool]:
        """Add a NIC on ``network``."""
        yield from self._job(
            "addNicToVirtualMachine",
            virtualmachineid=node.id,
            networkid=network.id,
            ipaddress=ip_address,
        )
        return True

    @operation
    def ex_detach_nic_from_node(self, nic: CloudStackNic, node: Node) -> Flow[bool]:
        """Remove ``nic`` from ``node``."""
        yield from self._job("removeNicFromVirtualMachine", nicid=nic.id, virtualmachineid=node.id)
        return True

    # -- site-to-site VPN ---------------------------------------------------------------------
    @operation
    def ex_list_vpn_gateways(self, /, **kwargs: Any) -> Flow[list[CloudStackVpnGateway]]:
        """VPN gateways."""
        from ._network_models import CloudStackVpnGateway

        items = yield from self._models(
            "listVpnGateways", CloudStackVpnGateway, **self._with_project(filters(kwargs))
        )
        return items

    @operation
    def ex_create_vpn_gateway(
        self, vpc: CloudStackVPC, for_display: bool | None = None
    ) -> Flow[CloudStackVpnGateway]:
        """Create the VPN gateway of ``vpc``."""
        from ._network_models import CloudStackVpnGateway

        result = yield from self._job("createVpnGateway", vpcid=vpc.id, fordisplay=for_display)
        return self._build(CloudStackVpnGateway, result, "vpngateway")

    @operation
    def ex_delete_vpn_gateway(self, vpn_gateway: CloudStackVpnGateway) -> Flow[bool]:
        """Delete a VPN gateway."""
        result = yield from self._job("deleteVpnGateway", id=vpn_gateway.id)
        return success(result)

    @operation
    def ex_list_vpn_customer_gateways(
        self, /, **kwargs: Any
    ) -> Flow[list[CloudStackVpnCustomerGateway]]:
        """VPN customer gateways."""
        from ._network_models import CloudStackVpnCustomerGateway

        items = yield from self._models(
            "listVpnCustomerGateways",
            CloudStackVpnCustomerGateway,
            **self._with_project(filters(kwargs)),
        )
        return items

    @operation
    def ex_create_vpn_customer_gateway(
        self,
        cidr_list: str | Sequence[str],
        esp_policy: str,
        gateway: str,
        ike_policy: str,
        ipsec_psk: str,
        account: str | None = None,
        domain_id: str | None = None,
        dpd: bool | None = None,
        esp_lifetime: int | None = None,
        ike_lifetime: int | None = None,
        name: str | None = None,
    ) -> Flow[CloudStackVpnCustomerGateway]:
        """Create a customer gateway (the pre-shared key is sent in the POST body)."""
        from ._network_models import CloudStackVpnCustomerGateway

        result = yield from self._job(
            "createVpnCustomerGateway",
            cidrlist=_csv(cidr_list),
            esppolicy=esp_policy,
            gateway=gateway,
            ikepolicy=ike_policy,
            ipsecpsk=ipsec_psk,
            account=account,
            domainid=domain_id,
            dpd=dpd,
            esplifetime=esp_lifetime,
            ikelifetime=ike_lifetime,
            name=name,
        )
        return self._build(CloudStackVpnCustomerGateway, result, "vpncustomergateway")

    @operation
    def ex_delete_vpn_customer_gateway(
        self, vpn_customer_gateway: CloudStackVpnCustomerGateway
    ) -> Flow[bool]:
        """Delete a customer gateway."""
        result = yield from self._job("deleteVpnCustomerGateway", id=vpn_customer_gateway.id)
        return success(result)

    @operation
    def ex_list_vpn_connections(self, /, **kwargs: Any) -> Flow[list[CloudStackVpnConnection]]:
        """VPN connections."""
        from ._network_models import CloudStackVpnConnection

        items = yield from self._models(
            "listVpnConnections", CloudStackVpnConnection, **self._with_project(filters(kwargs))
        )
        return items

    @operation
    def ex_create_vpn_connection(
        self,
        vpn_customer_gateway: CloudStackVpnCustomerGateway,
        vpn_gateway: CloudStackVpnGateway,
        for_display: bool | None = None,
        passive: bool | None = None,
    ) -> Flow[CloudStackVpnConnection]:
        """Connect a VPN gateway to a customer gateway."""
        from ._network_models import CloudStackVpnConnection

        result = yield from self._job(
            "createVpnConnection",
            s2scustomergatewayid=vpn_customer_gateway.id,
            s2svpngatewayid=vpn_gateway.id,
            fordisplay=for_display,
            passive=passive,
        )
        return self._build(CloudStackVpnConnection, result, "vpnconnection")

    @operation
    def ex_delete_vpn_connection(self, vpn_connection: CloudStackVpnConnection) -> Flow[bool]:
        """Delete a VPN connection."""
        result = yield from self._job("deleteVpnConnection", id=vpn_connection.id)
        return success(result)
