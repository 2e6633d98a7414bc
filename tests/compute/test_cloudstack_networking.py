"""Networking, VPN, affinity and project extensions against a scripted CloudStack (the simulator
does not have these commands yet), sync and async; plus the advanced-zone scenario."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.compute.drivers.cloudstack import (
    AsyncCloudStackNodeDriver,
    CloudStackAddress,
    CloudStackNodeDriver,
    CloudStackPortForwardingRule,
)
from omnicloud.errors import ValidationError
from tests.support.fake_cloudstack import KEY, SECRET
from tests.support.stub_server import StubServer

from .conftest import Blocking
from .fake_network import Doc, ScriptedCloud

ZONE = {"id": "zone-1", "name": "Advanced", "networktype": "Advanced"}


def build_cloud() -> ScriptedCloud:
    cloud = ScriptedCloud()
    store: dict[str, list[Doc]] = {}

    def add(kind: str, doc: Doc) -> Doc:
        store.setdefault(kind, []).append(doc)
        return doc

    def remove(kind: str) -> Any:
        def fn(p: dict[str, str]) -> Doc:
            store[kind] = [d for d in store.get(kind, []) if d["id"] != p["id"]]
            return {"success": True}

        return fn

    def lister(kind: str) -> Any:
        def fn(p: dict[str, str]) -> list[Doc]:
            docs = store.get(kind, [])
            for key in ("id", "vpcid", "ipaddressid", "virtualmachineid", "name"):
                if key in p:
                    docs = [d for d in docs if d.get(key) == p[key]]
            return docs

        return fn

    cloud.listing("listZones", "zone", lambda p: [ZONE])
    cloud.job(
        "deployVirtualMachine",
        lambda p: {
            "virtualmachine": add(
                "vm",
                {
                    "id": cloud.new_id("vm"),
                    "name": p.get("name"),
                    "state": "Running" if p.get("startvm", "true") == "true" else "Stopped",
                    "zoneid": p["zoneid"],
                    "projectid": p.get("projectid"),
                    "nic": [{"ipaddress": "10.1.1.5", "networkid": p.get("networkids", "n")}],
                },
            )
        },
    )
    cloud.listing("listVirtualMachines", "virtualmachine", lister("vm"))
    cloud.listing("listNetworks", "network", lister("network"))
    cloud.sync(
        "createNetwork",
        lambda p: {"network": add("network", {"id": cloud.new_id("net"), **p})},
    )
    cloud.job("deleteNetwork", remove("network"))
    cloud.listing(
        "listNetworkOfferings",
        "networkoffering",
        lambda p: [{"id": "no-1", "name": "Isolated", "guestiptype": "Isolated"}],
    )
    cloud.listing("listVPCOfferings", "vpcoffering", lambda p: [{"id": "vo-1", "name": "VPC"}])
    cloud.listing("listVPCs", "vpc", lister("vpc"))
    cloud.job(
        "createVPC",
        lambda p: {"vpc": add("vpc", {"id": cloud.new_id("vpc"), "state": "Enabled", **p})},
    )
    cloud.job("deleteVPC", remove("vpc"))
    cloud.listing(
        "listRouters",
        "router",
        lambda p: [{"id": "r-1", "name": "r-1-VM", "state": "Running", "vpcid": p.get("vpcid")}],
    )
    cloud.listing("listPublicIpAddresses", "publicipaddress", lister("ip"))
    cloud.job(
        "associateIpAddress",
        lambda p: {
            "ipaddress": add(
                "ip",
                {
                    "id": cloud.new_id("ip"),
                    "ipaddress": f"203.0.113.{len(store.get('ip', [])) + 10}",
                    "associatednetworkid": p.get("networkid"),
                    "vpcid": p.get("vpcid"),
                    "zoneid": p.get("zoneid"),
                },
            )
        },
    )
    cloud.job("disassociateIpAddress", remove("ip"))
    cloud.job("enableStaticNat", lambda p: {"success": True})
    cloud.job("disableStaticNat", lambda p: {"success": True})

    def rule(kind: str, key: str) -> Any:
        def fn(p: dict[str, str]) -> Doc:
            doc = {"id": cloud.new_id(kind), **p}
            if "ipaddressid" in p:
                ip = next(d for d in store["ip"] if d["id"] == p["ipaddressid"])
                doc["ipaddress"] = ip["ipaddress"]
            return {key: add(kind, doc)}

        return fn

    for kind, create, key, lst, delete in [
        ("fw", "createFirewallRule", "firewallrule", "listFirewallRules", "deleteFirewallRule"),
        (
            "egress",
            "createEgressFirewallRule",
            "firewallrule",
            "listEgressFirewallRules",
            "deleteEgressFirewallRule",
        ),
        (
            "pf",
            "createPortForwardingRule",
            "portforwardingrule",
            "listPortForwardingRules",
            "deletePortForwardingRule",
        ),
        (
            "ipf",
            "createIpForwardingRule",
            "ipforwardingrule",
            "listIpForwardingRules",
            "deleteIpForwardingRule",
        ),
        ("acl", "createNetworkACL", "networkacl", "listNetworkACLs", "deleteNetworkACL"),
        (
            "acllist",
            "createNetworkACLList",
            "networkacllist",
            "listNetworkACLLists",
            "deleteNetworkACLList",
        ),
        ("vpngw", "createVpnGateway", "vpngateway", "listVpnGateways", "deleteVpnGateway"),
        (
            "cgw",
            "createVpnCustomerGateway",
            "vpncustomergateway",
            "listVpnCustomerGateways",
            "deleteVpnCustomerGateway",
        ),
        (
            "vpnconn",
            "createVpnConnection",
            "vpnconnection",
            "listVpnConnections",
            "deleteVpnConnection",
        ),
        (
            "ag",
            "createAffinityGroup",
            "affinitygroup",
            "listAffinityGroups",
            "deleteAffinityGroup",
        ),
    ]:
        cloud.job(create, rule(kind, key))
        list_key = {"listFirewallRules": "firewallrule", "listEgressFirewallRules": "firewallrule"}
        cloud.listing(lst, list_key.get(lst, key), lister(kind))
        cloud.job(delete, remove(kind))
    cloud.job("replaceNetworkACLList", lambda p: {"success": True})
    cloud.listing(
        "listAffinityGroupTypes", "affinityGroupType", lambda p: [{"type": "host anti-affinity"}]
    )
    cloud.job(
        "updateVMAffinityGroup",
        lambda p: {"virtualmachine": {"id": p["id"], "name": "vm", "state": "Stopped"}},
    )
    cloud.listing(
        "listProjects", "project", lambda p: [{"id": "proj-1", "name": "p", "state": "Active"}]
    )
    return cloud


@pytest.fixture
def cloud(stub: StubServer) -> ScriptedCloud:
    scripted = build_cloud()
    stub.handle(scripted.app())
    return scripted


@pytest.fixture(params=["sync", "async"])
def nd(
    request: pytest.FixtureRequest, stub: StubServer, cloud: ScriptedCloud, portal: Any
) -> Iterator[Any]:
    options = {"url": f"{stub.url}/client/api", "poll_interval": 0.01}
    if request.param == "sync":
        with CloudStackNodeDriver(KEY, SECRET, **options) as driver:
            yield driver
        return
    driver = AsyncCloudStackNodeDriver(KEY, SECRET, **options)
    yield Blocking(driver, portal)
    portal.call(driver.aclose)


def test_advanced_zone_scenario(nd: Any, cloud: ScriptedCloud) -> None:
    """Node on a guest network, public IP, port forwarding rule, rules listed for the node."""
    offering = nd.ex_list_network_offerings()[0]
    location = nd.list_locations()[0]
    network = nd.ex_create_network("guest net", "guest", offering, location, gateway="10.1.1.1")
    assert network.name == "guest" and network.networkofferingid == offering.id
    size = type("S", (), {"id": "so-1"})()
    image = type("I", (), {"id": "tpl-1"})()
    node = nd.create_node("web", size, image, location=location, networks=[network])
    assert cloud.params("deployVirtualMachine")["networkids"] == network.id
    assert node.private_ips == ["10.1.1.5"] and node.public_ips == []

    address = nd.ex_allocate_public_ip(network_id=network.id)
    assert isinstance(address, CloudStackAddress) and str(address) == address.address
    assert "zoneid" not in cloud.params("associateIpAddress")
    assert nd.ex_list_public_ips()[0].id == address.id

    rule = nd.ex_create_port_forwarding_rule(node, address, 22, 2222, "TCP")
    assert isinstance(rule, CloudStackPortForwardingRule)
    sent = cloud.params("createPortForwardingRule")
    assert (sent["privateport"], sent["publicport"], sent["virtualmachineid"]) == (
        "22",
        "2222",
        node.id,
    )
    assert sent["openfirewall"] == "true"
    assert node.public_ips == [address.address]
    listed = nd.ex_list_port_forwarding_rules(virtualmachine_id=node.id)
    assert [(r.id, r.address, r.private_port, r.public_port) for r in listed] == [
        (rule.id, address.address, 22, 2222)
    ]
    assert nd.ex_delete_port_forwarding_rule(node, rule) is True
    assert nd.ex_list_port_forwarding_rules(virtualmachine_id=node.id) == []
    assert nd.ex_release_public_ip(address) is True
    assert nd.ex_delete_network(network) is True
    assert "forced" not in cloud.params("deleteNetwork")  # the anchor sent forced=None


def test_firewall_and_ip_forwarding(nd: Any, cloud: ScriptedCloud) -> None:
    address = nd.ex_allocate_public_ip()
    assert cloud.params("associateIpAddress")["zoneid"] == ZONE["id"]
    fw = nd.ex_create_firewall_rule(address, ["0.0.0.0/0", "10.0.0.0/8"], "tcp", start_port=80)
    assert cloud.params("createFirewallRule")["cidrlist"] == "0.0.0.0/0,10.0.0.0/8"
    assert fw.address == address.address and fw.start_port == 80
    assert [r.id for r in nd.ex_list_firewall_rules()] == [fw.id]
    assert nd.ex_delete_firewall_rule(fw) is True

    egress = nd.ex_create_egress_firewall_rule("net-9", "0.0.0.0/0", "udp", start_port=53)
    assert egress.network_id == "net-9" and nd.ex_list_egress_firewall_rules()[0].id == egress.id
    assert nd.ex_delete_egress_firewall_rule(egress) is True

    node = type("N", (), {"id": "vm-x", "public_ips": []})()
    assert nd.ex_enable_static_nat(node, address) is True
    ipf = nd.ex_create_ip_forwarding_rule(node, address, "tcp", 1000, 2000)
    assert (ipf.start_port, ipf.end_port) == (1000, 2000)
    assert nd.ex_list_ip_forwarding_rules()[0].id == ipf.id
    assert nd.ex_delete_ip_forwarding_rule(node, ipf) is True
    assert nd.ex_disable_static_nat(address) is True


def test_vpcs_acls_routers(nd: Any, cloud: ScriptedCloud) -> None:
    offering = nd.ex_list_vpc_offerings()[0]
    vpc = nd.ex_create_vpc("10.0.0.0/16", "my vpc", "vpc1", offering, ZONE["id"])
    assert vpc.cidr == "10.0.0.0/16" and vpc.vpc_offering_id == offering.id
    assert [v.id for v in nd.ex_list_vpcs()] == [vpc.id]
    assert nd.ex_list_routers(vpc_id=vpc.id)[0].vpc_id == vpc.id
    acllist = nd.ex_create_network_acllist("allow-web", vpc.id, "web")
    assert nd.ex_list_network_acllists()[0].id == acllist.id
    acl = nd.ex_create_network_acl("tcp", acllist.id, "0.0.0.0/0", 80, 80, "Allow", "Ingress")
    assert (acl.acl_id, acl.action, acl.start_port) == (acllist.id, "Allow", 80)
    assert nd.ex_list_network_acl()[0].id == acl.id
    assert nd.ex_replace_network_acllist(acllist.id, "net-1") is True
    assert nd.ex_delete_vpc(vpc) is True


def test_site_to_site_vpn(nd: Any, cloud: ScriptedCloud) -> None:
    vpc = nd.ex_create_vpc("10.0.0.0/16", "v", "v", "vo-1", ZONE["id"])
    gateway = nd.ex_create_vpn_gateway(vpc)
    assert gateway.vpc_id == vpc.id and nd.ex_list_vpn_gateways()[0].id == gateway.id
    customer = nd.ex_create_vpn_customer_gateway(
        ["192.168.0.0/24"], "aes128-sha1", "198.51.100.1", "aes128-sha1", "s3cr3t-psk"
    )
    assert "s3cr3t-psk" not in repr(customer) and customer.ipsec_psk == "s3cr3t-psk"
    assert nd.ex_list_vpn_customer_gateways()[0].id == customer.id
    connection = nd.ex_create_vpn_connection(customer, gateway, passive=True)
    assert connection.vpn_gateway_id == gateway.id and connection.passive
    assert nd.ex_list_vpn_connections()[0].id == connection.id
    assert nd.ex_delete_vpn_connection(connection) is True
    assert nd.ex_delete_vpn_customer_gateway(customer) is True
    assert nd.ex_delete_vpn_gateway(gateway) is True


def test_affinity_groups_and_projects(nd: Any, cloud: ScriptedCloud) -> None:
    (kind,) = nd.ex_list_affinity_group_types()
    group = nd.ex_create_affinity_group("spread", kind)
    assert cloud.params("createAffinityGroup")["type"] == "host anti-affinity"
    with pytest.raises(ValidationError):
        nd.ex_create_affinity_group("spread", kind)
    assert nd.ex_list_affinity_groups()[0].name == "spread"
    node = type("N", (), {"id": "vm-7"})()
    updated = nd.ex_update_node_affinity_group(node, [group])
    assert (
        updated.id == "vm-7"
        and cloud.params("updateVMAffinityGroup")["affinitygroupids"] == group.id
    )
    assert nd.ex_delete_affinity_group(group) is True
    (project,) = nd.ex_list_projects()
    assert project.name == "p"


def test_project_is_passed(nd: Any, cloud: ScriptedCloud) -> None:
    """The anchor dropped ``project`` in create_node; it reaches the API here."""
    project = nd.ex_list_projects()[0]
    size = type("S", (), {"id": "so-1"})()
    image = type("I", (), {"id": "tpl-1"})()
    node = nd.create_node("p-vm", size, image, project=project, ex_start_vm=False)
    sent = cloud.params("deployVirtualMachine")
    assert sent["projectid"] == project.id and sent["startvm"] == "false"
    assert node.extra["project_id"] == project.id
    nd.list_nodes(project=project)
    assert cloud.params("listVirtualMachines")["projectid"] == project.id
