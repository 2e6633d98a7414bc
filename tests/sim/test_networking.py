"""The simulator's networking half over HTTP on 127.0.0.1: networks, VPCs, routers, public IPs,
forwarding/firewall/egress rules, ACLs, load balancers, tags, affinity groups, projects, limits
and VPN, with the real fields, async jobs, conflicts (537) and permission errors (531)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import Sim

_names = itertools.count(1)


def _name(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


def _offering(live: Sim, name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = live.call("listNetworkOfferings", name=name)["networkoffering"]
    return found[0]


ISOLATED = "DefaultIsolatedNetworkOfferingWithSourceNatService"
VPC_TIER = "DefaultIsolatedNetworkOfferingForVpcNetworks"


def _network(live: Sim, who: str = "alice", **params: Any) -> dict[str, Any]:
    args = {
        "name": _name("net"),
        "displaytext": "test network",
        "networkofferingid": _offering(live, ISOLATED)["id"],
        "zoneid": live.zone("Sandbox-Advanced")["id"],
    }
    args.update(params)
    network: dict[str, Any] = live.call("createNetwork", who, **args)["network"]
    return network


def _vm(live: Sim, network: dict[str, Any], who: str = "alice", **params: Any) -> dict[str, Any]:
    return live.deploy(
        who,
        zoneid=live.zone("Sandbox-Advanced")["id"],
        networkids=network["id"],
        name=_name("vm"),
        **params,
    )


def _expunge(live: Sim, vm: dict[str, Any]) -> None:
    live.run("destroyVirtualMachine", "admin", id=vm["id"], expunge="true")


def _fails(live: Sim, command: str, who: str = "alice", **params: Any) -> dict[str, Any]:
    """Submit an async command whose job fails; the failed job."""
    job = live.wait(live.call(command, who, **params)["jobid"], who)
    assert job["jobstatus"] == 2 and job["jobresultcode"] == 530, job
    return job


@pytest.fixture
def scenario(live: Sim) -> Iterator[dict[str, Any]]:
    """Alice's network with a running VM and an associated public IP (torn down afterwards)."""
    network = _network(live)
    vm = _vm(live, network)
    ip = live.run("associateIpAddress", "alice", networkid=network["id"])["ipaddress"]
    yield {"network": network, "vm": vm, "ip": ip}
    _expunge(live, vm)
    live.run("deleteNetwork", "alice", id=network["id"])


def test_offerings(live: Sim) -> None:
    isolated = _offering(live, ISOLATED)
    assert isolated["guestiptype"] == "Isolated" and isolated["forvpc"] is False
    services = {s["name"]: s["provider"][0]["name"] for s in isolated["service"]}
    assert services["SourceNat"] == "VirtualRouter" and "Firewall" in services
    tier = _offering(live, VPC_TIER)
    assert tier["forvpc"] is True and "NetworkACL" in {s["name"] for s in tier["service"]}
    assert isolated["serviceofferingid"] and "ispersistent" in isolated
    vpc_only = live.call("listNetworkOfferings", forvpc="true")["networkoffering"]
    assert [o["name"] for o in vpc_only] == [VPC_TIER]
    with_lb = live.call("listNetworkOfferings", supportedservices="Lb")["networkoffering"]
    assert {o["name"] for o in with_lb} == {ISOLATED, VPC_TIER}
    (vpc_offering,) = live.call("listVPCOfferings")["vpcoffering"]
    assert vpc_offering["name"] == "Default VPC offering" and vpc_offering["isdefault"] is True
    assert "Vpn" in {s["name"] for s in vpc_offering["service"]}


def test_network_lifecycle_router_and_source_nat(live: Sim) -> None:
    network = _network(live, gateway="10.20.0.1", netmask="255.255.255.0")
    assert network["state"] == "Allocated" and network["cidr"] == "10.20.0.0/24"
    assert network["type"] == "Isolated" and network["account"] == "alice"
    assert network["tags"] == [] and network["networkofferingname"] == ISOLATED
    listed = live.call("listNetworks", "alice", id=network["id"])["network"]
    assert listed[0]["state"] == "Allocated"
    assert live.call("listRouters", listall="true", networkid=network["id"]) == {}

    vm = _vm(live, network)
    assert vm["nic"][0]["ipaddress"].startswith("10.20.0.")
    listed = live.call("listNetworks", "alice", id=network["id"])["network"]
    assert listed[0]["state"] == "Implemented"  # the first VM implements it
    (router,) = live.call("listRouters", listall="true", networkid=network["id"])["router"]
    assert router["state"] == "Running" and router["role"] == "VIRTUAL_ROUTER"
    assert router["guestnetworkid"] == network["id"] and router["account"] == "alice"
    (nat,) = live.call("listPublicIpAddresses", "alice", associatednetworkid=network["id"])[
        "publicipaddress"
    ]
    assert nat["issourcenat"] is True and nat["ipaddress"] == router["publicip"]
    assert nat["state"] == "Allocated" and nat["zonename"] == "Sandbox-Advanced"

    # users cannot see or drive routers
    status, body = live.error("listRouters", "alice")
    assert status == 531
    stopped = live.run("stopRouter", id=router["id"])["router"]
    assert stopped["state"] == "Stopped"
    assert live.run("startRouter", id=router["id"])["router"]["state"] == "Running"
    assert live.run("rebootRouter", id=router["id"])["router"]["state"] == "Running"

    updated = live.run("updateNetwork", "alice", id=network["id"], displaytext="renamed")
    assert updated["network"]["displaytext"] == "renamed"
    assert live.run("restartNetwork", "alice", id=network["id"], cleanup="true") == {
        "success": True
    }
    status, body = live.error("disassociateIpAddress", "alice", id=nat["id"])
    assert status == 431 and "source nat" in body["errortext"]

    job = _fails(live, "deleteNetwork", id=network["id"])
    assert job["jobresult"]["errorcode"] == 530
    assert "not all user vms are expunged" in job["jobresult"]["errortext"]
    _expunge(live, vm)
    assert live.run("deleteNetwork", "alice", id=network["id"]) == {"success": True}
    assert live.call("listNetworks", "alice", id=network["id"]) == {}
    assert live.call("listPublicIpAddresses", "alice", id=nat["id"]) == {}
    assert live.call("listRouters", listall="true", id=router["id"]) == {}


def test_create_network_errors(live: Sim) -> None:
    basic = live.zone("Sandbox-Basic")
    status, body = live.error(
        "createNetwork",
        "alice",
        name="x",
        networkofferingid=_offering(live, ISOLATED)["id"],
        zoneid=basic["id"],
    )
    assert status == 431 and "Basic" in body["errortext"]
    status, body = live.error(
        "createNetwork", "alice", name="x", zoneid=live.zone("Sandbox-Advanced")["id"]
    )
    assert status == 431 and "missing parameter networkofferingid" in body["errortext"]
    status, body = live.error(
        "createNetwork",
        "alice",
        name="x",
        networkofferingid=_offering(live, VPC_TIER)["id"],
        zoneid=live.zone("Sandbox-Advanced")["id"],
    )
    assert status == 431 and "VPC" in body["errortext"]
    shared = _offering(live, "DefaultSharedNetworkOffering")
    status, _ = live.error(
        "createNetwork",
        "alice",
        name="x",
        networkofferingid=shared["id"],
        zoneid=live.zone("Sandbox-Advanced")["id"],
    )
    assert status == 431
    admin_shared = live.call(
        "createNetwork",
        name=_name("shared"),
        networkofferingid=shared["id"],
        zoneid=live.zone("Sandbox-Advanced")["id"],
        vlan="300",
        gateway="172.30.0.1",
        netmask="255.255.255.0",
        startip="172.30.0.10",
        endip="172.30.0.200",
    )["network"]
    assert admin_shared["type"] == "Shared" and admin_shared["state"] == "Setup"
    assert admin_shared["vlan"] == "300" and admin_shared["acltype"] == "Domain"
    # a user sees the domain-wide shared network but may not delete it
    assert live.call("listNetworks", "bob", id=admin_shared["id"])["count"] == 1
    status, _ = live.error("deleteNetwork", "bob", id=admin_shared["id"])
    assert status == 531
    assert live.run("deleteNetwork", id=admin_shared["id"]) == {"success": True}


def test_advanced_zone_scenario(live: Sim, scenario: dict[str, Any]) -> None:
    network, vm, ip = scenario["network"], scenario["vm"], scenario["ip"]
    assert ip["issourcenat"] is False and ip["associatednetworkid"] == network["id"]
    assert ip["ipaddress"].startswith(("203.0.113.", "198.51.100."))

    submitted = live.call(
        "createPortForwardingRule",
        "alice",
        ipaddressid=ip["id"],
        privateport=22,
        publicport=2222,
        protocol="tcp",
        virtualmachineid=vm["id"],
        openfirewall="false",
    )
    assert set(submitted) == {"jobid", "id"}
    pending = live.call("listPortForwardingRules", "alice", id=submitted["id"])
    assert pending["portforwardingrule"][0]["state"] in ("Add", "Active")
    job = live.wait(submitted["jobid"], "alice")
    rule = job["jobresult"]["portforwardingrule"]
    assert job["jobinstancetype"] == "FirewallRule" and job["jobinstanceid"] == rule["id"]
    assert rule["state"] == "Active" and rule["protocol"] == "tcp"
    assert (rule["privateport"], rule["privateendport"]) == ("22", "22")
    assert (rule["publicport"], rule["publicendport"]) == ("2222", "2222")
    assert rule["virtualmachinename"] == vm["name"] and rule["ipaddress"] == ip["ipaddress"]
    assert rule["vmguestip"] == vm["nic"][0]["ipaddress"] and rule["tags"] == []

    firewall = live.run(
        "createFirewallRule",
        "alice",
        ipaddressid=ip["id"],
        protocol="tcp",
        startport=2222,
        endport=2222,
        cidrlist="192.0.2.0/24",
    )["firewallrule"]
    assert firewall["cidrlist"] == "192.0.2.0/24" and firewall["startport"] == 2222
    assert firewall["ipaddress"] == ip["ipaddress"] and firewall["state"] == "Active"

    on_vm = live.call("listPortForwardingRules", "alice", virtualmachineid=vm["id"])
    assert [r["id"] for r in on_vm["portforwardingrule"]] == [rule["id"]]
    rules = live.call("listFirewallRules", "alice", ipaddressid=ip["id"])["firewallrule"]
    assert [r["id"] for r in rules] == [firewall["id"]]

    # conflicts: an overlapping forwarding range, the same firewall rule again
    status, body = live.error(
        "createPortForwardingRule",
        "alice",
        ipaddressid=ip["id"],
        privateport=20,
        privateendport=30,
        publicport=2220,
        publicendport=2230,
        protocol="tcp",
        virtualmachineid=vm["id"],
    )
    assert status == 537 and body["errorcode"] == 537
    assert "conflicts with rule" in body["errortext"]
    status, _ = live.error(
        "createFirewallRule",
        "alice",
        ipaddressid=ip["id"],
        protocol="tcp",
        startport=2222,
        cidrlist="192.0.2.0/24",
    )
    assert status == 537
    # udp on the same port is fine
    udp = live.run(
        "createPortForwardingRule",
        "alice",
        ipaddressid=ip["id"],
        privateport=22,
        publicport=2222,
        protocol="udp",
        virtualmachineid=vm["id"],
    )["portforwardingrule"]
    # openfirewall defaults to true: a related firewall rule appears
    opened = live.call("listFirewallRules", "alice", ipaddressid=ip["id"])["firewallrule"]
    assert len(opened) == 2 and {r["protocol"] for r in opened} == {"tcp", "udp"}

    # a load balancer rule on the same address, then the VM assigned to it
    lb_submit = live.call(
        "createLoadBalancerRule",
        "alice",
        name="web",
        publicipid=ip["id"],
        publicport=80,
        privateport=8080,
        algorithm="roundrobin",
        networkid=network["id"],
    )
    listed = live.call("listLoadBalancerRules", "alice", id=lb_submit["id"])["loadbalancerrule"]
    assert listed[0]["name"] == "web"  # visible before the job completes
    balancer = live.wait(lb_submit["jobid"], "alice")["jobresult"]["loadbalancer"]
    assert balancer["state"] == "Active" and balancer["algorithm"] == "roundrobin"
    assert (balancer["publicport"], balancer["privateport"]) == ("80", "8080")
    assert balancer["publicip"] == ip["ipaddress"] and balancer["publicipid"] == ip["id"]
    status, _ = live.error(
        "createLoadBalancerRule",
        "alice",
        name="dup",
        publicipid=ip["id"],
        publicport=80,
        privateport=80,
        algorithm="leastconn",
    )
    assert status == 537
    status, body = live.error(
        "createLoadBalancerRule",
        "alice",
        name="bad",
        publicipid=ip["id"],
        publicport=81,
        privateport=81,
        algorithm="random",
    )
    assert status == 431 and "algorithm" in body["errortext"]
    assert live.run(
        "assignToLoadBalancerRule", "alice", id=balancer["id"], virtualmachineids=vm["id"]
    ) == {"success": True}
    members = live.call("listLoadBalancerRuleInstances", "alice", id=balancer["id"])
    assert [m["id"] for m in members["loadbalancerruleinstance"]] == [vm["id"]]
    assert members["loadbalancerruleinstance"][0]["nic"][0]["ipaddress"]
    by_vm = live.call("listLoadBalancerRules", "alice", virtualmachineid=vm["id"])
    assert by_vm["count"] == 1
    status, _ = live.error(
        "assignToLoadBalancerRule", "alice", id=balancer["id"], virtualmachineids=vm["id"]
    )
    assert status == 431
    updated = live.run("updateLoadBalancerRule", "alice", id=balancer["id"], algorithm="source")
    assert updated["loadbalancer"]["algorithm"] == "source"
    live.run("removeFromLoadBalancerRule", "alice", id=balancer["id"], virtualmachineids=vm["id"])
    assert live.call("listLoadBalancerRuleInstances", "alice", id=balancer["id"]) == {}
    free = live.call("listLoadBalancerRuleInstances", "alice", id=balancer["id"], applied="false")
    assert vm["id"] in {m["id"] for m in free["loadbalancerruleinstance"]}

    # static NAT refuses an address that has forwarding rules
    status, body = live.error(
        "enableStaticNat", "alice", ipaddressid=ip["id"], virtualmachineid=vm["id"]
    )
    assert status == 537 and "PortForwarding" in body["errortext"]

    # permissions: bob can neither see nor use alice's address and rules
    status, _ = live.error(
        "createPortForwardingRule",
        "bob",
        ipaddressid=ip["id"],
        privateport=1,
        publicport=1,
        protocol="tcp",
        virtualmachineid=vm["id"],
    )
    assert status == 531
    assert live.call("listPortForwardingRules", "bob", id=rule["id"]) == {}
    status, _ = live.error("deleteLoadBalancerRule", "bob", id=balancer["id"])
    assert status == 531

    for command, rule_id in (
        ("deletePortForwardingRule", rule["id"]),
        ("deletePortForwardingRule", udp["id"]),
        ("deleteFirewallRule", firewall["id"]),
        ("deleteLoadBalancerRule", balancer["id"]),
    ):
        assert live.run(command, "alice", id=rule_id) == {"success": True}
    assert live.call("listFirewallRules", "alice", ipaddressid=ip["id"]) == {}  # related gone
    assert live.call("listPortForwardingRules", "alice", ipaddressid=ip["id"]) == {}
    assert live.run("disassociateIpAddress", "alice", id=ip["id"]) == {"success": True}


def test_static_nat_and_ip_forwarding(live: Sim, scenario: dict[str, Any]) -> None:
    vm, ip = scenario["vm"], scenario["ip"]
    status, body = live.error(
        "createIpForwardingRule", "alice", ipaddressid=ip["id"], protocol="tcp", startport=22
    )
    assert status == 431 and "static nat" in body["errortext"]
    assert live.call(
        "enableStaticNat", "alice", ipaddressid=ip["id"], virtualmachineid=vm["id"]
    ) == {"success": "true"}
    (nat,) = live.call("listPublicIpAddresses", "alice", isstaticnat="true", id=ip["id"])[
        "publicipaddress"
    ]
    assert nat["virtualmachineid"] == vm["id"] and nat["virtualmachinename"] == vm["name"]
    assert nat["vmipaddress"] == vm["nic"][0]["ipaddress"]
    (shown,) = live.call("listVirtualMachines", "alice", id=vm["id"])["virtualmachine"]
    assert (shown["publicip"], shown["publicipid"]) == (ip["ipaddress"], ip["id"])
    rule = live.run(
        "createIpForwardingRule", "alice", ipaddressid=ip["id"], protocol="tcp", startport=22
    )["ipforwardingrule"]
    assert rule["virtualmachineid"] == vm["id"] and (rule["startport"], rule["endport"]) == (22, 22)
    listed = live.call("listIpForwardingRules", "alice", virtualmachineid=vm["id"])
    assert [r["id"] for r in listed["ipforwardingrule"]] == [rule["id"]]
    status, body = live.error(
        "createPortForwardingRule",
        "alice",
        ipaddressid=ip["id"],
        privateport=22,
        publicport=22,
        protocol="tcp",
        virtualmachineid=vm["id"],
    )
    assert status == 537 and "1 to 1 Nat" in body["errortext"]
    assert live.run("disableStaticNat", "alice", ipaddressid=ip["id"]) == {"success": True}
    assert live.call("listIpForwardingRules", "alice", id=rule["id"]) == {}
    (cleared,) = live.call("listVirtualMachines", "alice", id=vm["id"])["virtualmachine"]
    assert "publicip" not in cleared and "publicipid" not in cleared
    status, _ = live.error("disableStaticNat", "alice", ipaddressid=ip["id"])
    assert status == 431


def test_egress_firewall_rules(live: Sim, scenario: dict[str, Any]) -> None:
    network = scenario["network"]
    rule = live.run(
        "createEgressFirewallRule",
        "alice",
        networkid=network["id"],
        protocol="tcp",
        startport=443,
        endport=443,
        destcidrlist="0.0.0.0/0",
    )["firewallrule"]
    assert rule["networkid"] == network["id"] and rule["cidrlist"] == network["cidr"]
    assert rule["traffictype"] == "Egress" and rule["destcidrlist"] == "0.0.0.0/0"
    icmp = live.run("createEgressFirewallRule", "alice", networkid=network["id"], protocol="icmp")
    assert icmp["firewallrule"]["icmptype"] == -1
    status, _ = live.error(
        "createEgressFirewallRule", "alice", networkid=network["id"], protocol="tcp", startport=443
    )
    assert status == 537
    listed = live.call("listEgressFirewallRules", "alice", networkid=network["id"])
    assert listed["count"] == 2
    assert live.call("listFirewallRules", "alice", networkid=network["id"]) == {}
    status, _ = live.error("deleteFirewallRule", "alice", id=rule["id"])
    assert status == 431  # egress rules go through deleteEgressFirewallRule
    for item in listed["firewallrule"]:
        live.run("deleteEgressFirewallRule", "alice", id=item["id"])
    assert live.call("listEgressFirewallRules", "alice", networkid=network["id"]) == {}


def test_tags_on_network_resources(live: Sim, scenario: dict[str, Any]) -> None:
    network, vm, ip = scenario["network"], scenario["vm"], scenario["ip"]
    rule = live.run(
        "createPortForwardingRule",
        "alice",
        ipaddressid=ip["id"],
        privateport=80,
        publicport=80,
        protocol="tcp",
        virtualmachineid=vm["id"],
    )["portforwardingrule"]
    (firewall,) = live.call("listFirewallRules", "alice", ipaddressid=ip["id"])["firewallrule"]
    balancer = live.run(
        "createLoadBalancerRule",
        "alice",
        name="tagged",
        publicipid=ip["id"],
        publicport=443,
        privateport=443,
        algorithm="leastconn",
        openfirewall="false",
    )["loadbalancer"]
    targets = {
        "Network": (network["id"], "listNetworks", "network"),
        "PublicIpAddress": (ip["id"], "listPublicIpAddresses", "publicipaddress"),
        "PortForwardingRule": (rule["id"], "listPortForwardingRules", "portforwardingrule"),
        "FirewallRule": (firewall["id"], "listFirewallRules", "firewallrule"),
        "LoadBalancer": (balancer["id"], "listLoadBalancerRules", "loadbalancerrule"),
    }
    for resource_type, (resource_id, lister, key) in targets.items():
        live.run(
            "createTags",
            "alice",
            resourceids=resource_id,
            resourcetype=resource_type,
            **{"tags[0].key": "team", "tags[0].value": resource_type},
        )
        (item,) = live.call(lister, "alice", id=resource_id)[key]
        assert item["tags"][0]["resourcetype"] == resource_type
        assert item["tags"][0]["value"] == resource_type
    found = live.call(
        "listNetworks", "alice", **{"tags[0].key": "team", "tags[0].value": "Network"}
    )
    assert [n["id"] for n in found["network"]] == [network["id"]]
    tags = live.call("listTags", "alice", resourcetype="PortForwardingRule", key="team")["tag"]
    assert tags[0]["resourceid"] == rule["id"]
    status, _ = live.error(
        "createTags",
        "bob",
        resourceids=network["id"],
        resourcetype="Network",
        **{"tags[0].key": "x", "tags[0].value": "y"},
    )
    assert status == 531
    live.run(
        "deleteTags",
        "alice",
        resourceids=network["id"],
        resourcetype="Network",
        **{"tags[0].key": "team"},
    )
    assert live.call("listNetworks", "alice", id=network["id"])["network"][0]["tags"] == []


def test_vpc_tiers_acls_and_vpn(live: Sim) -> None:
    zone = live.zone("Sandbox-Advanced")
    (offering,) = live.call("listVPCOfferings")["vpcoffering"]
    status, body = live.error(
        "createVPC",
        "alice",
        name="v",
        cidr="8.8.0.0/16",
        vpcofferingid=offering["id"],
        zoneid=zone["id"],
    )
    assert status == 431 and "private" in body["errortext"]
    submitted = live.call(
        "createVPC",
        "alice",
        name=_name("vpc"),
        displaytext="a vpc",
        cidr="10.50.0.0/16",
        vpcofferingid=offering["id"],
        zoneid=zone["id"],
    )
    assert set(submitted) == {"jobid", "id"}
    vpc = live.wait(submitted["jobid"], "alice")["jobresult"]["vpc"]
    assert vpc["id"] == submitted["id"] and vpc["state"] == "Enabled"
    assert vpc["cidr"] == "10.50.0.0/16" and vpc["network"] == [] and vpc["tags"] == []
    (listed,) = live.call("listVPCs", "alice", id=vpc["id"])["vpc"]
    assert listed["vpcofferingname"] == "Default VPC offering"
    (router,) = live.call("listRouters", listall="true", vpcid=vpc["id"])["router"]
    (nat,) = live.call("listPublicIpAddresses", "alice", vpcid=vpc["id"])["publicipaddress"]
    assert nat["issourcenat"] and router["publicip"] == nat["ipaddress"]

    acl = live.call("createNetworkACLList", "alice", name="web-acl", vpcid=vpc["id"])
    acl_list = live.wait(acl["jobid"], "alice")["jobresult"]["networkacllist"]
    assert acl_list["id"] == acl["id"] and acl_list["vpcid"] == vpc["id"]
    lists = {a["name"] for a in live.call("listNetworkACLLists", "alice")["networkacllist"]}
    assert {"default_allow", "default_deny", "web-acl"} <= lists

    tier_offering = _offering(live, VPC_TIER)
    status, body = live.error(
        "createNetwork",
        "alice",
        name="tier",
        networkofferingid=tier_offering["id"],
        zoneid=zone["id"],
        vpcid=vpc["id"],
    )
    assert status == 431 and "Gateway" in body["errortext"]
    status, body = live.error(
        "createNetwork",
        "alice",
        name="tier",
        networkofferingid=tier_offering["id"],
        zoneid=zone["id"],
        vpcid=vpc["id"],
        gateway="10.60.0.1",
        netmask="255.255.255.0",
    )
    assert status == 431 and "not within vpc" in body["errortext"]
    tier = _network(
        live,
        networkofferingid=tier_offering["id"],
        vpcid=vpc["id"],
        gateway="10.50.1.1",
        netmask="255.255.255.0",
        aclid=acl_list["id"],
    )
    assert tier["vpcid"] == vpc["id"] and tier["aclname"] == "web-acl"
    assert live.call("listVPCs", "alice", id=vpc["id"])["vpc"][0]["network"][0]["id"] == tier["id"]

    item = live.run(
        "createNetworkACL",
        "alice",
        aclid=acl_list["id"],
        protocol="tcp",
        startport=22,
        endport=22,
        cidrlist="10.0.0.0/8",
        action="allow",
        traffictype="ingress",
        number=10,
    )["networkacl"]
    assert (item["number"], item["action"], item["traffictype"]) == (10, "Allow", "Ingress")
    assert item["aclid"] == acl_list["id"] and item["startport"] == "22"
    status, body = live.error(
        "createNetworkACL", "alice", aclid=acl_list["id"], protocol="udp", number=10
    )
    assert status == 431 and "already exists" in body["errortext"]
    auto = live.run("createNetworkACL", "alice", networkid=tier["id"], protocol="icmp")
    assert auto["networkacl"]["number"] == 11 and auto["networkacl"]["icmptype"] == -1
    updated = live.run("updateNetworkACLItem", "alice", id=item["id"], action="deny")
    assert updated["networkacl"]["action"] == "Deny"
    on_tier = live.call("listNetworkACLs", "alice", networkid=tier["id"])
    assert on_tier["count"] == 2
    default_deny = next(
        a
        for a in live.call("listNetworkACLLists", "alice")["networkacllist"]
        if a["name"] == "default_deny"
    )
    status, _ = live.error("deleteNetworkACLList", "alice", id=default_deny["id"])
    assert status == 431
    status, _ = live.error("deleteNetworkACLList", "alice", id=acl_list["id"])
    assert status == 431  # still used by the tier
    assert live.run(
        "replaceNetworkACLList", "alice", aclid=default_deny["id"], networkid=tier["id"]
    ) == {"success": True}
    assert live.call("listNetworks", "alice", id=tier["id"])["network"][0]["aclname"] == (
        "default_deny"
    )
    assert live.run("deleteNetworkACL", "alice", id=item["id"]) == {"success": True}

    # a VPC address is attached to a tier by its first rule
    vm = _vm(live, tier)
    vpc_ip = live.run("associateIpAddress", "alice", vpcid=vpc["id"])["ipaddress"]
    assert vpc_ip["vpcid"] == vpc["id"] and "associatednetworkid" not in vpc_ip
    status, body = live.error(
        "createPortForwardingRule",
        "alice",
        ipaddressid=vpc_ip["id"],
        privateport=22,
        publicport=22,
        protocol="tcp",
        virtualmachineid=vm["id"],
    )
    assert status == 431 and "networkid" in body["errortext"]
    live.run(
        "createPortForwardingRule",
        "alice",
        ipaddressid=vpc_ip["id"],
        privateport=22,
        publicport=22,
        protocol="tcp",
        virtualmachineid=vm["id"],
        networkid=tier["id"],
    )
    assert live.call("listFirewallRules", "alice", ipaddressid=vpc_ip["id"]) == {}  # ACLs instead
    status, _ = live.error("createFirewallRule", "alice", ipaddressid=vpc_ip["id"], protocol="all")
    assert status == 431

    # site-to-site VPN
    gateway = live.run("createVpnGateway", "alice", vpcid=vpc["id"])["vpngateway"]
    assert gateway["publicip"] == nat["ipaddress"] and gateway["vpcid"] == vpc["id"]
    status, _ = live.error("createVpnGateway", "alice", vpcid=vpc["id"])
    assert status == 431
    customer = live.run(
        "createVpnCustomerGateway",
        "alice",
        name="office",
        gateway="192.0.2.10",
        cidrlist="192.168.10.0/24",
        ipsecpsk="secret-psk",
        ikepolicy="aes128-sha1;modp1536",
        esppolicy="aes128-sha1",
    )["vpncustomergateway"]
    assert customer["cidrlist"] == "192.168.10.0/24" and customer["ikelifetime"] == 86400
    connection = live.run(
        "createVpnConnection",
        "alice",
        s2svpngatewayid=gateway["id"],
        s2scustomergatewayid=customer["id"],
    )["vpnconnection"]
    assert connection["state"] == "Connected" and connection["passive"] is False
    assert connection["publicip"] == gateway["publicip"] and connection["gateway"] == "192.0.2.10"
    assert live.call("listVpnConnections", "alice", vpcid=vpc["id"])["count"] == 1
    assert live.run("resetVpnConnection", "alice", id=connection["id"])["vpnconnection"][
        "state"
    ] == ("Connected")
    status, body = live.error("deleteVpnCustomerGateway", "alice", id=customer["id"])
    assert status == 431 and "related VPN connections" in body["errortext"]
    assert live.call("listVpnGateways", "bob") == {}
    status, _ = live.error("deleteVpnConnection", "bob", id=connection["id"])
    assert status == 531
    update = {
        "id": customer["id"],
        "gateway": "192.0.2.10",
        "cidrlist": "192.168.20.0/24",
        "ipsecpsk": "psk2",
        "ikepolicy": "aes256-sha1;modp2048",
        "esppolicy": "aes256-sha1",
    }
    status, _ = live.error("updateVpnCustomerGateway", "alice", **update)
    assert status == 431  # in use by a connection
    live.run("deleteVpnConnection", "alice", id=connection["id"])
    updated_customer = live.run("updateVpnCustomerGateway", "alice", **update)
    assert updated_customer["vpncustomergateway"]["cidrlist"] == "192.168.20.0/24"
    live.run("deleteVpnCustomerGateway", "alice", id=customer["id"])
    live.run("deleteVpnGateway", "alice", id=gateway["id"])
    assert live.call("listVpnCustomerGateways", "alice", id=customer["id"]) == {}

    # the VPC cannot go while it has tiers
    job = _fails(live, "deleteVPC", id=vpc["id"])
    assert job["jobresult"]["errorcode"] == 431
    assert live.run("restartVPC", "alice", id=vpc["id"]) == {"success": True}
    _expunge(live, vm)
    live.run("deleteNetwork", "alice", id=tier["id"])
    assert live.run("deleteVPC", "alice", id=vpc["id"]) == {"success": True}
    assert live.call("listVPCs", "alice", id=vpc["id"]) == {}
    assert live.call("listPublicIpAddresses", "alice", vpcid=vpc["id"]) == {}
    assert live.call("listNetworkACLLists", "alice", vpcid=vpc["id"]) == {}


def test_affinity_groups(live: Sim) -> None:
    types = live.call("listAffinityGroupTypes", "bob")
    assert {"host anti-affinity", "host affinity"} <= {
        t["type"] for t in types["affinityGroupType"]
    }
    submitted = live.call("createAffinityGroup", "bob", name="spread", type="host anti-affinity")
    group = live.wait(submitted["jobid"], "bob")["jobresult"]["affinitygroup"]
    assert group["id"] == submitted["id"] and group["virtualmachineIds"] == []
    assert group["type"] == "host anti-affinity" and group["account"] == "bob"
    status, body = live.error("createAffinityGroup", "bob", name="spread", type="host affinity")
    assert status == 431 and "already exists" in body["errortext"]
    status, _ = live.error("createAffinityGroup", "bob", name="x", type="rack affinity")
    assert status == 431
    vm = live.deploy("bob", affinitygroupnames="spread", name=_name("aff"))
    assert vm["affinitygroup"][0]["id"] == group["id"]
    (listed,) = live.call("listAffinityGroups", "bob", id=group["id"])["affinitygroup"]
    assert listed["virtualmachineIds"] == [vm["id"]]
    by_vm = live.call("listAffinityGroups", "bob", virtualmachineid=vm["id"])
    assert by_vm["count"] == 1
    status, body = live.error("deleteAffinityGroup", "bob", id=group["id"])
    assert status == 536
    status, body = live.error("updateVMAffinityGroup", "bob", id=vm["id"], affinitygroupids="")
    assert status == 431 and "stopped" in body["errortext"]
    other = live.run("createAffinityGroup", "bob", name="together", type="host affinity")
    live.run("stopVirtualMachine", "bob", id=vm["id"])
    moved = live.run(
        "updateVMAffinityGroup", "bob", id=vm["id"], affinitygroupids=other["affinitygroup"]["id"]
    )["virtualmachine"]
    assert [g["name"] for g in moved["affinitygroup"]] == ["together"]
    assert live.call("listAffinityGroups", "alice") == {}
    status, _ = live.error("deleteAffinityGroup", "alice", id=group["id"])
    assert status == 531
    assert live.run("deleteAffinityGroup", "bob", name="spread") == {"success": True}
    _expunge(live, vm)
    live.run("deleteAffinityGroup", "bob", id=other["affinitygroup"]["id"])


def test_projects(live: Sim) -> None:
    submitted = live.call("createProject", "alice", name=_name("proj"), displaytext="Project")
    project = live.wait(submitted["jobid"], "alice")["jobresult"]["project"]
    assert project["id"] == submitted["id"] and project["state"] == "Active"
    assert project["account"] == "alice" and project["owner"] == [{"account": "alice"}]
    assert project["vmtotal"] == 0 and project["vmlimit"] == "20"
    (listed,) = live.call("listProjects", "alice", id=project["id"])["project"]
    assert listed["name"] == project["name"]
    assert live.call("listProjects", "bob", id=project["id"]) == {}

    network = _network(live, projectid=project["id"])
    assert network["projectid"] == project["id"] and network["project"] == project["name"]
    ids = {n["id"] for n in live.call("listNetworks", "alice").get("network", [])}
    assert network["id"] not in ids  # project resources only show with projectid
    scoped = live.call("listNetworks", "alice", projectid=project["id"])["network"]
    assert [n["id"] for n in scoped] == [network["id"]]
    every = live.call("listNetworks", "alice", projectid="-1")["network"]
    assert network["id"] in {n["id"] for n in every}
    status, _ = live.error(
        "createNetwork",
        "bob",
        name="intruder",
        networkofferingid=network["networkofferingid"],
        zoneid=network["zoneid"],
        projectid=project["id"],
    )
    assert status == 531
    assert live.call("listProjects", "alice", id=project["id"])["project"][0]["networktotal"] == 1

    suspended = live.run("suspendProject", "alice", id=project["id"])["project"]
    assert suspended["state"] == "Suspended"
    status, _ = live.error(
        "createAffinityGroup", "alice", name="p", type="host affinity", projectid=project["id"]
    )
    assert status == 431
    live.run("activateProject", "alice", id=project["id"])
    renamed = live.run("updateProject", "alice", id=project["id"], displaytext="Renamed")
    assert renamed["project"]["displaytext"] == "Renamed"

    status, _ = live.error("deleteProject", "alice", id=project["id"])
    assert status == 536  # it still has a network
    assert live.run("deleteProject", "alice", id=project["id"], cleanup="true") == {"success": True}
    assert live.call("listNetworks", "alice", projectid="-1").get("network", []) == [
        n for n in every if n["id"] != network["id"]
    ]


def test_resource_limits_for_networks_ips_and_vpcs(live: Sim) -> None:
    zone = live.zone("Sandbox-Advanced")
    limits = {
        row["resourcetypename"]: row
        for row in live.call("listResourceLimits", "alice")["resourcelimit"]
    }
    assert {"network", "public_ip", "vpc"} <= set(limits)
    network = _network(live)
    vm = _vm(live, network)  # implements it: one source NAT address
    try:
        live.call("updateResourceLimit", account="alice", resourcetype=6, max=0)
        status, body = live.error(
            "createNetwork",
            "alice",
            name="over",
            networkofferingid=network["networkofferingid"],
            zoneid=zone["id"],
        )
        assert status == 532 and body["cserrorcode"] == 4370
        assert body["errortext"] == (
            "Maximum number of resources of type 'network' for account name=alice in domain "
            f"id={network['domainid']} has been exceeded."
        )
        live.call("updateResourceLimit", account="alice", resourcetype=1, max=0)
        status, body = live.error("associateIpAddress", "alice", networkid=network["id"])
        assert status == 532 and "'public_ip'" in body["errortext"]
        live.call("updateResourceLimit", account="alice", resourcetype=7, max=0)
        (offering,) = live.call("listVPCOfferings")["vpcoffering"]
        status, body = live.error(
            "createVPC",
            "alice",
            name="over",
            cidr="10.70.0.0/16",
            vpcofferingid=offering["id"],
            zoneid=zone["id"],
        )
        assert status == 532 and "'vpc'" in body["errortext"]
    finally:
        for number in (1, 6, 7):
            live.call("updateResourceLimit", account="alice", resourcetype=number, max=20)
        _expunge(live, vm)
        live.run("deleteNetwork", "alice", id=network["id"])


def test_associate_errors_and_first_ip_becomes_source_nat(live: Sim) -> None:
    status, body = live.error("associateIpAddress", "alice", zoneid=live.zone()["id"])
    assert status == 431 and "Basic" in body["errortext"]
    status, body = live.error("associateIpAddress", "alice")
    assert status == 431 and "zoneid" in body["errortext"]
    network = _network(live)
    first = live.run("associateIpAddress", "alice", networkid=network["id"])["ipaddress"]
    assert first["issourcenat"] is True  # the network was not implemented yet
    second = live.run("associateIpAddress", "alice", networkid=network["id"])["ipaddress"]
    assert second["issourcenat"] is False
    status, _ = live.error("associateIpAddress", "bob", networkid=network["id"])
    assert status == 531
    live.run("disassociateIpAddress", "alice", id=second["id"])
    assert live.run("deleteNetwork", "alice", id=network["id"]) == {"success": True}
    assert live.call("listPublicIpAddresses", "alice", id=first["id"]) == {}


def test_list_apis_covers_networking(live: Sim) -> None:
    apis = {api["name"]: api for api in live.call("listApis")["api"]}
    expected_async = {
        "createNetwork": False,
        "deleteNetwork": True,
        "createVPC": True,
        "associateIpAddress": True,
        "enableStaticNat": False,
        "createPortForwardingRule": True,
        "createLoadBalancerRule": True,
        "createNetworkACLList": True,
        "createAffinityGroup": True,
        "createProject": True,
        "createVpnConnection": True,
        "listRouters": False,
    }
    for name, is_async in expected_async.items():
        assert apis[name]["isasync"] is is_async, name
    params = {p["name"]: p for p in apis["createPortForwardingRule"]["params"]}
    assert params["ipaddressid"]["required"] is True and params["openfirewall"]["type"] == "boolean"
    user = {api["name"] for api in live.call("listApis", "alice")["api"]}
    assert "createNetwork" in user and "listRouters" not in user and "stopRouter" not in user
