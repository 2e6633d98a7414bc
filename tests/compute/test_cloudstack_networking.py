"""The networking and extension families end to end against the simulator over HTTP, sync and
async: networks, offerings, VPCs, routers, projects, public IPs, static NAT, port and IP
forwarding, firewall and egress rules, network ACLs, site-to-site VPN, affinity groups; and the
advanced-zone scenario (node on a guest network, public IP, port forwarding, rules of the node)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.compute import NodeState
from omnicloud.compute.drivers.cloudstack import (
    CloudStackAddress,
    CloudStackAffinityGroup,
    CloudStackEgressFirewallRule,
    CloudStackFirewallRule,
    CloudStackIPForwardingRule,
    CloudStackNetwork,
    CloudStackNetworkACL,
    CloudStackNetworkACLList,
    CloudStackNode,
    CloudStackPortForwardingRule,
    CloudStackProject,
    CloudStackRouter,
    CloudStackVPC,
    CloudStackVpnConnection,
    CloudStackVpnCustomerGateway,
    CloudStackVpnGateway,
)
from omnicloud.errors import CloudStackApiError, ValidationError

from .conftest import unique, zone

ISOLATED = "DefaultIsolatedNetworkOfferingWithSourceNatService"
VPC_TIER = "DefaultIsolatedNetworkOfferingForVpcNetworks"


@pytest.fixture
def env(d: Any) -> dict[str, Any]:
    offerings = {o.name: o for o in d.ex_list_network_offerings()}
    return {
        "advanced": zone(d, "Advanced"),
        "basic": zone(d, "Basic"),
        "size": d.list_sizes()[0],
        "image": next(i for i in d.list_images() if i.name.startswith("Ubuntu")),
        "offerings": offerings,
    }


def guest_network(d: Any, env: dict[str, Any], third_octet: int) -> CloudStackNetwork:
    network: CloudStackNetwork = d.ex_create_network(
        "guest network",
        unique("net"),
        env["offerings"][ISOLATED],
        env["advanced"],
        gateway=f"10.{third_octet}.7.1",
        netmask="255.255.255.0",
    )
    return network


def node_on(d: Any, env: dict[str, Any], network: CloudStackNetwork) -> CloudStackNode:
    node: CloudStackNode = d.create_node(
        unique("vm"), env["size"], env["image"], location=env["advanced"], networks=[network]
    )
    return node


@pytest.fixture
def net_node(d: Any, env: dict[str, Any]) -> Iterator[tuple[CloudStackNetwork, CloudStackNode]]:
    """A fresh guest network in the advanced zone with a running node on it (removed after)."""
    network = guest_network(d, env, 60)
    node = node_on(d, env, network)
    yield network, node
    d.destroy_node(node, ex_expunge=True)
    d.ex_delete_network(network)


# -- the advanced-zone scenario ---------------------------------------------------------------
def test_advanced_zone_scenario(d: Any, env: dict[str, Any]) -> None:
    """Node on a guest network, public IP, port forwarding rule, rules listed for the node."""
    network = guest_network(d, env, 50)
    assert (network.zoneid, network.type, network.cidr) == (
        env["advanced"].id,
        "Isolated",
        "10.50.7.0/24",
    )
    node = node_on(d, env, network)
    other = node_on(d, env, network)
    assert node.state is NodeState.RUNNING
    assert node.extra["zone_id"] == env["advanced"].id
    assert [nic["networkid"] for nic in node.extra["nics"]] == [network.id]
    (private,) = node.private_ips
    assert private.startswith("10.50.7.") and node.public_ips == []

    address = d.ex_allocate_public_ip(network_id=network.id)
    assert isinstance(address, CloudStackAddress) and str(address) == address.address
    assert address.associated_network_id == network.id and address.zone_id == env["advanced"].id
    assert not address.is_source_nat
    (listed_ip,) = d.ex_list_public_ips(id=address.id)
    assert listed_ip.address == address.address

    rule = d.ex_create_port_forwarding_rule(node, address, 22, 2222, "TCP")
    assert isinstance(rule, CloudStackPortForwardingRule)
    assert (rule.private_port, rule.public_port, rule.protocol) == (22, 2222, "tcp")
    assert (rule.node_id, rule.address_id, rule.address) == (node.id, address.id, address.address)
    assert rule.network_id == network.id and rule.state == "Active"
    assert node.public_ips == [address.address]  # the rule's address is the node's public IP
    web = d.ex_create_port_forwarding_rule(other, address, 80, 8080, "tcp")

    mine = d.ex_list_port_forwarding_rules(virtualmachine_id=node.id)
    assert [(r.id, r.address, r.private_port, r.public_port, r.node_id) for r in mine] == [
        (rule.id, address.address, 22, 2222, node.id)
    ]
    theirs = d.ex_list_port_forwarding_rules(virtualmachine_id=other.id)
    assert [(r.id, r.public_port) for r in theirs] == [(web.id, 8080)]
    on_ip = {r.id for r in d.ex_list_port_forwarding_rules(ipaddress_id=address.id)}
    assert on_ip == {rule.id, web.id}
    # openfirewall=True (the default) opened the public port on the address
    opened = d.ex_list_firewall_rules(ipaddress_id=address.id)
    assert {(f.start_port, f.end_port) for f in opened} >= {(2222, 2222), (8080, 8080)}

    assert d.ex_delete_port_forwarding_rule(node, rule) is True
    assert d.ex_list_port_forwarding_rules(virtualmachine_id=node.id) == []
    assert [r.id for r in d.ex_list_port_forwarding_rules(virtualmachine_id=other.id)] == [web.id]
    assert d.ex_delete_port_forwarding_rule(other, web) is True
    assert d.ex_release_public_ip(address) is True
    assert address.id not in {a.id for a in d.ex_list_public_ips()}
    for vm in (node, other):
        d.destroy_node(vm, ex_expunge=True)
    assert d.ex_delete_network(network) is True
    assert network.id not in {n.id for n in d.ex_list_networks()}


def test_wire_parameters(counted: Any) -> None:
    """What reaches the API, recorded on the way to the simulator: no ``zoneid`` when a network
    is given, no ``forced`` unless asked (the anchor sent forced=None), CIDR lists joined,
    Libcloud's ``page``/``page_size`` filters ignored (every list reads all pages)."""
    d, transport = counted
    advanced = zone(d, "Advanced")
    offering = next(o for o in d.ex_list_network_offerings() if o.name == ISOLATED)
    network = d.ex_create_network("wire", unique("wire"), offering, advanced)
    address = d.ex_allocate_public_ip(network_id=network.id)
    sent = transport.params("associateIpAddress")
    assert sent["networkid"] == network.id and "zoneid" not in sent
    d.ex_create_firewall_rule(address, ["10.0.0.0/8", "192.168.0.0/16"], "tcp", start_port=22)
    assert transport.params("createFirewallRule")["cidrlist"] == "10.0.0.0/8,192.168.0.0/16"
    assert address.is_source_nat  # the network's first address: released with the network
    assert d.ex_delete_network(network) is True
    assert "forced" not in transport.params("deleteNetwork")
    assert d.ex_list_port_forwarding_rules(network_id=network.id, page=2, page_size=1) == []
    listed = transport.params("listPortForwardingRules")
    assert listed["networkid"] == network.id and listed["pagesize"] == "500"
    assert listed["page"] == "1"


# -- networks and offerings -------------------------------------------------------------------
def test_networks_and_offerings(d: Any, env: dict[str, Any]) -> None:
    offerings = env["offerings"]
    assert {ISOLATED, VPC_TIER} <= set(offerings)
    assert offerings[ISOLATED].guest_ip_type == "Isolated" and not offerings[ISOLATED].for_vpc
    assert offerings[VPC_TIER].for_vpc is True
    network = d.ex_create_network(
        "display", unique("net"), offerings[ISOLATED].id, env["advanced"].id, network_domain="x.lan"
    )
    assert isinstance(network, CloudStackNetwork)
    assert network.displaytext == "display" and network.networkofferingid == offerings[ISOLATED].id
    assert network.extra["networkdomain"] == "x.lan"
    (listed,) = d.ex_list_networks(id=network.id)
    assert (listed.name, listed.zoneid, listed.state) == (
        network.name,
        env["advanced"].id,
        network.state,
    )
    in_zone = {n.id for n in d.ex_list_networks(zone_id=env["advanced"].id)}
    assert network.id in in_zone
    assert network.id not in {n.id for n in d.ex_list_networks(zone_id=env["basic"].id)}
    assert d.ex_delete_network(network, force=True) is True
    assert d.ex_list_networks(id=network.id) == []


# -- public IPs, firewall, egress, static NAT, IP forwarding ----------------------------------
def test_firewall_egress_and_ip_forwarding(
    d: Any, net_node: tuple[CloudStackNetwork, CloudStackNode]
) -> None:
    network, node = net_node
    address = d.ex_allocate_public_ip(network_id=network.id)
    fw = d.ex_create_firewall_rule(address, ["0.0.0.0/0", "10.0.0.0/8"], "tcp", start_port=80)
    assert isinstance(fw, CloudStackFirewallRule)
    assert (fw.address, fw.address_id, fw.start_port, fw.end_port) == (
        address.address,
        address.id,
        80,
        80,
    )
    assert fw.cidr_list == "0.0.0.0/0,10.0.0.0/8" and fw.protocol == "tcp"
    icmp = d.ex_create_firewall_rule(address, "0.0.0.0/0", "icmp", icmp_code=0, icmp_type=8)
    assert (icmp.icmp_type, icmp.icmp_code) == (8, 0)
    listed = {r.id: r for r in d.ex_list_firewall_rules(ipaddress_id=address.id)}
    assert set(listed) == {fw.id, icmp.id} and listed[fw.id].address == address.address
    assert d.ex_delete_firewall_rule(fw) is True
    assert [r.id for r in d.ex_list_firewall_rules(ipaddress_id=address.id)] == [icmp.id]

    egress = d.ex_create_egress_firewall_rule(network.id, "0.0.0.0/0", "udp", start_port=53)
    assert isinstance(egress, CloudStackEgressFirewallRule)
    assert (egress.network_id, egress.protocol, egress.start_port, egress.end_port) == (
        network.id,
        "udp",
        53,
        53,
    )
    mine = d.ex_list_egress_firewall_rules(network_id=network.id)
    assert [r.id for r in mine] == [egress.id]
    assert d.ex_delete_egress_firewall_rule(egress) is True
    assert d.ex_list_egress_firewall_rules(network_id=network.id) == []

    nat = d.ex_allocate_public_ip(network_id=network.id)
    assert d.ex_enable_static_nat(node, nat) is True
    (mapped,) = d.ex_list_public_ips(id=nat.id)
    assert mapped.is_static_nat and mapped.virtualmachine_id == node.id
    listed_node = next(n for n in d.list_nodes() if n.id == node.id)
    assert nat.address in listed_node.public_ips  # the server shows the NAT address on the VM
    ipf = d.ex_create_ip_forwarding_rule(node, nat, "tcp", 1000, 2000)
    assert isinstance(ipf, CloudStackIPForwardingRule)
    assert (ipf.start_port, ipf.end_port, ipf.address, ipf.node_id) == (
        1000,
        2000,
        nat.address,
        node.id,
    )
    assert [r.id for r in d.ex_list_ip_forwarding_rules(ipaddress_id=nat.id)] == [ipf.id]
    assert d.ex_delete_ip_forwarding_rule(node, ipf) is True
    assert d.ex_list_ip_forwarding_rules(ipaddress_id=nat.id) == []
    assert d.ex_disable_static_nat(nat) is True
    (unmapped,) = d.ex_list_public_ips(id=nat.id)
    assert not unmapped.is_static_nat and unmapped.virtualmachine_id is None
    for ip in (address, nat):
        assert d.ex_release_public_ip(ip) is True


def test_public_ip_for_the_zone(d: Any, env: dict[str, Any]) -> None:
    """Without network/VPC the address is asked for the zone; a Basic zone has none to give."""
    with pytest.raises(CloudStackApiError, match="Basic zone"):
        d.ex_allocate_public_ip(location=env["basic"])


# -- VPCs, tiers, routers, ACLs ---------------------------------------------------------------
def test_vpcs_tiers_routers_and_acls(d: Any, env: dict[str, Any]) -> None:
    (offering,) = d.ex_list_vpc_offerings()
    assert offering.name == "Default VPC offering"
    vpc = d.ex_create_vpc(
        "10.80.0.0/16", "my vpc", unique("vpc"), offering, env["advanced"].id, network_domain="v"
    )
    assert isinstance(vpc, CloudStackVPC)
    assert (vpc.cidr, vpc.vpc_offering_id, vpc.zone_id, vpc.display_text, vpc.state) == (
        "10.80.0.0/16",
        offering.id,
        env["advanced"].id,
        "my vpc",
        "Enabled",
    )
    assert vpc.id in {v.id for v in d.ex_list_vpcs()}
    (router,) = d.ex_list_routers(vpc_id=vpc.id)
    assert isinstance(router, CloudStackRouter)
    assert router.vpc_id == vpc.id and router.state == "Running" and router.public_ip
    assert router.id in {r.id for r in d.ex_list_routers()}

    acllist = d.ex_create_network_acllist(unique("acl"), vpc.id, "web tier")
    assert isinstance(acllist, CloudStackNetworkACLList)
    assert (acllist.vpc_id, acllist.description) == (vpc.id, "web tier")
    assert acllist.id in {a.id for a in d.ex_list_network_acllists()}
    acl = d.ex_create_network_acl("tcp", acllist.id, ["0.0.0.0/0"], 80, 443, "Allow", "Ingress")
    assert isinstance(acl, CloudStackNetworkACL)
    assert (acl.acl_id, acl.action, acl.start_port, acl.end_port, acl.traffic_type) == (
        acllist.id,
        "Allow",
        80,
        443,
        "Ingress",
    )
    assert acl.number == 1 and acl.cidr_list == "0.0.0.0/0"
    assert acl.id in {a.id for a in d.ex_list_network_acl()}

    tier = d.ex_create_network(
        "tier",
        unique("tier"),
        env["offerings"][VPC_TIER],
        env["advanced"],
        gateway="10.80.1.1",
        netmask="255.255.255.0",
        vpc_id=vpc.id,
    )
    assert tier.vpc_id == vpc.id and tier.cidr == "10.80.1.0/24"
    assert d.ex_replace_network_acllist(acllist.id, tier.id) is True
    (applied,) = d.ex_list_networks(id=tier.id)
    assert applied.extra["aclid"] == acllist.id

    vpc_ip = d.ex_allocate_public_ip(vpc_id=vpc.id)
    assert vpc_ip.vpc_id == vpc.id
    assert d.ex_release_public_ip(vpc_ip) is True
    assert d.ex_delete_network(tier) is True
    assert d.ex_delete_vpc(vpc) is True
    assert vpc.id not in {v.id for v in d.ex_list_vpcs()}


# -- site-to-site VPN -------------------------------------------------------------------------
def test_site_to_site_vpn(d: Any, env: dict[str, Any]) -> None:
    (offering,) = d.ex_list_vpc_offerings()
    vpc = d.ex_create_vpc("10.90.0.0/16", "vpn vpc", unique("vpc"), offering, env["advanced"].id)
    gateway = d.ex_create_vpn_gateway(vpc)
    assert isinstance(gateway, CloudStackVpnGateway)
    assert gateway.vpc_id == vpc.id and gateway.public_ip and gateway.account == "admin"
    assert [g.id for g in d.ex_list_vpn_gateways(vpc_id=vpc.id)] == [gateway.id]
    customer = d.ex_create_vpn_customer_gateway(
        ["192.168.0.0/24", "192.168.1.0/24"],
        "aes128-sha1",
        "198.51.100.1",
        "aes128-sha1",
        "s3cr3t-psk",
        name=unique("cgw"),
        ike_lifetime=86400,
    )
    assert isinstance(customer, CloudStackVpnCustomerGateway)
    assert (
        customer.gateway == "198.51.100.1" and customer.cidr_list == "192.168.0.0/24,192.168.1.0/24"
    )
    assert "s3cr3t-psk" not in repr(customer) and customer.ipsec_psk == "s3cr3t-psk"
    assert customer.id in {c.id for c in d.ex_list_vpn_customer_gateways()}
    connection = d.ex_create_vpn_connection(customer, gateway, passive=True)
    assert isinstance(connection, CloudStackVpnConnection)
    assert (connection.vpn_gateway_id, connection.vpn_customer_gateway_id) == (
        gateway.id,
        customer.id,
    )
    assert connection.passive is True and connection.state
    assert connection.id in {c.id for c in d.ex_list_vpn_connections(vpc_id=vpc.id)}
    assert d.ex_delete_vpn_connection(connection) is True
    assert connection.id not in {c.id for c in d.ex_list_vpn_connections()}
    assert d.ex_delete_vpn_customer_gateway(customer) is True
    assert customer.id not in {c.id for c in d.ex_list_vpn_customer_gateways()}
    assert d.ex_delete_vpn_gateway(gateway) is True
    assert d.ex_list_vpn_gateways(vpc_id=vpc.id) == []
    assert d.ex_delete_vpc(vpc) is True


# -- affinity groups --------------------------------------------------------------------------
def test_affinity_groups(d: Any, env: dict[str, Any]) -> None:
    kinds = {t.type: t for t in d.ex_list_affinity_group_types()}
    assert {"host anti-affinity", "host affinity"} <= set(kinds)
    name = unique("spread")
    group = d.ex_create_affinity_group(name, kinds["host anti-affinity"])
    assert isinstance(group, CloudStackAffinityGroup)
    assert (group.name, group.group_type, group.virtualmachine_ids) == (
        name,
        "host anti-affinity",
        [],
    )
    with pytest.raises(ValidationError, match="already exists"):
        d.ex_create_affinity_group(name, "host anti-affinity")
    other = d.ex_create_affinity_group(unique("pack"), "host affinity")

    node = d.create_node(
        unique("vm"), env["size"], env["image"], location=env["basic"], ex_affinity_groups=[group]
    )
    assert node.extra["affinity_group"] == [group.id]
    listed = {g.id: g for g in d.ex_list_affinity_groups()}
    assert listed[group.id].virtualmachine_ids == [node.id]

    d.stop_node(node)
    updated = d.ex_update_node_affinity_group(node, [other])
    assert isinstance(updated, CloudStackNode)
    assert updated.id == node.id and updated.extra["affinity_group"] == [other.id]
    assert d.ex_get_node(node.id).extra["affinity_group"] == [other.id]
    listed = {g.id: g for g in d.ex_list_affinity_groups()}
    assert listed[group.id].virtualmachine_ids == [] and listed[other.id].virtualmachine_ids == [
        node.id
    ]
    d.destroy_node(node, ex_expunge=True)
    for each in (group, other):
        assert d.ex_delete_affinity_group(each) is True
    assert not {group.id, other.id} & {g.id for g in d.ex_list_affinity_groups()}


def test_update_affinity_group_of_running_node_fails(d: Any, env: dict[str, Any]) -> None:
    """CloudStack wants the node stopped and refuses the command (431) otherwise."""
    group = d.ex_create_affinity_group(unique("g"), "host anti-affinity")
    node = d.create_node(unique("vm"), env["size"], env["image"], location=env["basic"])
    with pytest.raises(CloudStackApiError, match="in state Running"):
        d.ex_update_node_affinity_group(node, [group])
    d.destroy_node(node, ex_expunge=True)
    d.ex_delete_affinity_group(group)


# -- projects ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def projects(raw: Any) -> list[dict[str, Any]]:
    """Two projects made with the raw client (the driver only lists projects)."""
    return [
        raw.createProject(name=unique("proj"), displaytext=text, fetch_result=True)["project"]
        for text in ("team", "other")
    ]


def test_projects_are_listed_and_passed(
    d: Any, env: dict[str, Any], projects: list[dict[str, Any]]
) -> None:
    """The anchor dropped ``project`` in create_node; here it reaches the API and scopes lists."""
    project, second = projects
    found = {p.id: p for p in d.ex_list_projects()}
    assert isinstance(found[project["id"]], CloudStackProject)
    assert (found[project["id"]].name, found[project["id"]].display_text) == (
        project["name"],
        "team",
    )
    chosen = found[project["id"]]
    node = d.create_node(
        unique("pvm"),
        env["size"],
        env["image"],
        location=env["basic"],
        project=chosen,
        ex_start_vm=False,
    )
    assert node.extra["project_id"] == chosen.id and node.state is NodeState.STOPPED
    assert node.id in {n.id for n in d.list_nodes(project=chosen)}
    assert node.id not in {n.id for n in d.list_nodes(project=second["id"])}
    assert d.ex_get_node(node.id, project=chosen).extra["project"] == chosen.name
    d.destroy_node(node, ex_expunge=True)
    assert node.id not in {n.id for n in d.list_nodes(project=chosen)}
