"""The advanced-zone networking scenario driven by Apache Libcloud's CloudStack compute driver and
its CloudStack load balancer driver, unchanged, against the simulator over HTTP."""

from __future__ import annotations

from typing import Any

from libcloud.compute.providers import get_driver as compute_driver
from libcloud.compute.types import Provider as ComputeProvider
from libcloud.loadbalancer.base import Algorithm
from libcloud.loadbalancer.providers import get_driver as lb_driver
from libcloud.loadbalancer.types import Provider as LBProvider

from .conftest import Sim, libcloud_size


def _drivers(live: Sim, who: str = "alice") -> tuple[Any, Any]:
    key, secret = live.keys[who]
    compute = compute_driver(ComputeProvider.CLOUDSTACK)(
        key, secret, url=live.endpoint, secure=False
    )
    host, path = live.endpoint.split("//", 1)[1].split("/", 1)
    hostname, port = host.split(":")
    balancer = lb_driver(LBProvider.CLOUDSTACK)(
        key, secret, secure=False, host=hostname, path=f"/{path}", port=int(port)
    )
    for driver in (compute, balancer):
        driver.connection.poll_interval = 0.02
    return compute, balancer


def test_libcloud_advanced_zone_scenario(live: Sim) -> None:
    d, lb = _drivers(live)
    zone = next(loc for loc in d.list_locations() if loc.name == "Sandbox-Advanced")
    offering = next(
        o
        for o in d.ex_list_network_offerings()
        if o.name == "DefaultIsolatedNetworkOfferingWithSourceNatService"
    )
    assert offering.for_vpc is False and offering.guest_ip_type == "Isolated"
    network = d.ex_create_network("lc net", "lc-net", offering, zone)
    assert network.extra["state"] == "Allocated" and network.zoneid == zone.id
    assert network.id in {n.id for n in d.ex_list_networks()}

    size = libcloud_size(live, d)  # list_sizes raises KeyError on the custom offering
    image = next(i for i in d.list_images(location=zone) if i.name == "Debian 12")
    created = d.create_node(
        name="lc-web", size=size, image=image, location=zone, networks=[network], ex_start_vm=True
    )
    node = next(n for n in d.list_nodes() if n.id == created.id)
    assert node.private_ips and node.private_ips[0].startswith("10.1.")

    address = d.ex_allocate_public_ip(network_id=network.id, location=zone)
    assert address.id in {a.id for a in d.ex_list_public_ips()}
    rule = d.ex_create_port_forwarding_rule(
        node, address, private_port=22, public_port=2222, protocol="tcp", openfirewall=False
    )
    assert address.address in node.public_ips
    firewall = d.ex_create_firewall_rule(address, "0.0.0.0/0", "tcp", start_port=2222)
    egress = d.ex_create_egress_firewall_rule(
        network.id, "10.1.0.0/16", "tcp", start_port=443, end_port=443
    )

    rules = d.ex_list_port_forwarding_rules(ipaddress_id=address.id)
    assert [(r.id, r.node.id, r.public_port, r.private_port) for r in rules] == [
        (rule.id, node.id, "2222", "22")
    ]
    assert rules[0].address.address == address.address
    listed = {r.id: r for r in d.ex_list_firewall_rules()}
    assert listed[firewall.id].cidr_list == "0.0.0.0/0"
    assert listed[firewall.id].address.id == address.id
    assert egress.id in {r.id for r in d.ex_list_egress_firewall_rules()}
    refreshed = next(n for n in d.list_nodes() if n.id == node.id)
    assert [r.id for r in refreshed.extra["port_forwarding_rules"]] == [rule.id]

    balancer = lb.create_balancer(
        "lc-lb",
        members=[node],
        protocol="tcp",
        port=80,
        algorithm=Algorithm.ROUND_ROBIN,
        location=zone,
        private_port=8080,
        network_id=network.id,
    )
    assert balancer.name == "lc-lb" and balancer.port == "80"
    assert balancer.ex_private_port == "8080"
    (member,) = lb.balancer_list_members(balancer)
    assert member.id == node.id and member.ip == node.private_ips[0]
    assert balancer.id in {b.id for b in lb.list_balancers()}
    assert lb.get_balancer(balancer.id).ip == balancer.ip
    assert lb.balancer_detach_member(balancer, member) is True
    assert lb.balancer_attach_member(balancer, member) is True
    lb.destroy_balancer(balancer)
    assert balancer.id not in {b.id for b in lb.list_balancers()}

    assert d.ex_delete_egress_firewall_rule(egress) is True
    assert d.ex_delete_firewall_rule(firewall) is True
    assert d.ex_delete_port_forwarding_rule(refreshed, refreshed.extra["port_forwarding_rules"][0])
    assert d.ex_release_public_ip(address) is True
    live.run("destroyVirtualMachine", id=node.id, expunge="true")
    assert d.ex_delete_network(network) is True
    assert network.id not in {n.id for n in d.ex_list_networks()}


def test_libcloud_vpc_acl_vpn_affinity_and_projects(live: Sim) -> None:
    d, _ = _drivers(live, "bob")
    zone = next(loc for loc in d.list_locations() if loc.name == "Sandbox-Advanced")
    (vpc_offering,) = d.ex_list_vpc_offerings()
    vpc = d.ex_create_vpc("10.80.0.0/16", "lc vpc", "lc-vpc", vpc_offering, zone.id)
    assert vpc.id in {v.id for v in d.ex_list_vpcs()}
    acl_list = d.ex_create_network_acllist("lc-acl", vpc.id, "web tier")
    acl = d.ex_create_network_acl("tcp", acl_list.id, "0.0.0.0/0", 80, 80, action="Allow")
    assert acl.id in {a.id for a in d.ex_list_network_acl()}
    assert acl_list.id in {a.id for a in d.ex_list_network_acllists()}
    tier_offering = next(o for o in d.ex_list_network_offerings() if o.for_vpc)
    tier = d.ex_create_network(
        "tier", "lc-tier", tier_offering, zone, "10.80.1.1", "255.255.255.0", vpc_id=vpc.id
    )
    assert d.ex_replace_network_acllist(acl_list.id, tier.id) is True
    address = d.ex_allocate_public_ip(vpc_id=vpc.id, location=zone)
    assert address.id in {a.id for a in d.ex_list_public_ips()}

    gateway = d.ex_create_vpn_gateway(vpc)
    customer = d.ex_create_vpn_customer_gateway(
        "192.168.50.0/24", "aes128-sha1", "192.0.2.50", "aes128-sha1;modp1536", "psk"
    )
    connection = d.ex_create_vpn_connection(customer, gateway)
    assert connection.state == "Connected"
    assert [c.id for c in d.ex_list_vpn_connections(vpc_id=vpc.id)] == [connection.id]
    assert [g.id for g in d.ex_list_vpn_gateways(vpc_id=vpc.id)] == [gateway.id]
    assert customer.id in {c.id for c in d.ex_list_vpn_customer_gateways()}
    assert d.ex_delete_vpn_connection(connection)
    assert d.ex_delete_vpn_customer_gateway(customer)
    assert d.ex_delete_vpn_gateway(gateway)

    types = d.ex_list_affinity_group_types()
    anti = next(t for t in types if t.type == "host anti-affinity")
    group = d.ex_create_affinity_group("lc-spread", anti)
    assert group.id in {g.id for g in d.ex_list_affinity_groups()}
    assert d.ex_delete_affinity_group(group)

    projects = d.ex_list_projects()
    live.run("createProject", "bob", name="lc-project")
    (project,) = [p for p in d.ex_list_projects() if p.name == "lc-project"]
    assert len(projects) + 1 == len(d.ex_list_projects())
    assert project.extra["vmlimit"] == 20 and project.extra["state"] == "Active"

    assert d.ex_release_public_ip(address) is True
    assert d.ex_delete_network(tier) is True
    assert d.ex_delete_vpc(vpc) is True
    assert d.ex_limits()["max_networks"] == 20
    live.run("deleteProject", "bob", id=project.id)
