"""The CloudStack load balancer driver against a scripted CloudStack, sync and async."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import omnicloud
import omnicloud.aio
from omnicloud.errors import NotFoundError, ValidationError
from omnicloud.loadbalancer import Algorithm, LoadBalancer, Member, State
from tests.support.fake_cloudstack import KEY, SECRET
from tests.support.stub_server import StubServer

from .conftest import Blocking
from .fake_network import Doc, ScriptedCloud

VMS = {
    "vm-1": {"id": "vm-1", "name": "web1", "state": "Running", "nic": [{"ipaddress": "10.0.0.11"}]},
    "vm-2": {"id": "vm-2", "name": "web2", "state": "Running", "nic": [{"ipaddress": "10.0.0.12"}]},
}


def lb_cloud() -> ScriptedCloud:
    cloud = ScriptedCloud()
    rules: dict[str, Doc] = {}
    members: dict[str, list[str]] = {}
    cloud.listing("listZones", "zone", lambda p: [{"id": "zone-1", "name": "z"}])
    cloud.job(
        "associateIpAddress",
        lambda p: {"ipaddress": {"id": "ip-1", "ipaddress": "203.0.113.5"}},
    )
    cloud.job("disassociateIpAddress", lambda p: {"success": True})

    def create(p: dict[str, str]) -> Doc:
        rule = {
            "id": cloud.new_id("lb"),
            "name": p["name"],
            "algorithm": p["algorithm"],
            "publicport": p["publicport"],
            "privateport": p["privateport"],
            "publicipid": p["publicipid"],
            "publicip": "203.0.113.5",
            "state": "Active",
        }
        rules[rule["id"]] = rule
        members[rule["id"]] = []
        return {"loadbalancer": rule}

    def assign(p: dict[str, str]) -> Doc:
        members[p["id"]] += p["virtualmachineids"].split(",")
        return {"success": True}

    def remove(p: dict[str, str]) -> Doc:
        members[p["id"]] = [m for m in members[p["id"]] if m not in p["virtualmachineids"]]
        return {"success": True}

    def delete(p: dict[str, str]) -> Doc:
        rules.pop(p["id"])
        return {"success": True}

    cloud.job("createLoadBalancerRule", create)
    cloud.job("assignToLoadBalancerRule", assign)
    cloud.job("removeFromLoadBalancerRule", remove)
    cloud.job("deleteLoadBalancerRule", delete)
    cloud.listing(
        "listLoadBalancerRules",
        "loadbalancerrule",
        lambda p: [r for r in rules.values() if "id" not in p or r["id"] == p["id"]],
    )
    cloud.listing(
        "listLoadBalancerRuleInstances",
        "loadbalancerruleinstance",
        lambda p: [VMS[m] for m in members.get(p["id"], [])],
    )
    return cloud


@pytest.fixture(params=["sync", "async"])
def lb(request: pytest.FixtureRequest, stub: StubServer, portal: Any) -> Iterator[Any]:
    cloud = lb_cloud()
    stub.handle(cloud.app())
    options = {"url": f"{stub.url}/client/api", "poll_interval": 0.01}
    if request.param == "sync":
        cls = omnicloud.get_driver(omnicloud.DriverType.LOADBALANCER, omnicloud.Provider.CLOUDSTACK)
        with cls(KEY, SECRET, **options) as driver:
            driver.cloud = cloud
            yield driver
        return
    acls = omnicloud.aio.get_driver("loadbalancer", "cloudstack")
    driver = acls(KEY, SECRET, **options)
    proxy = Blocking(driver, portal)
    proxy.cloud = cloud  # type: ignore[attr-defined]
    yield proxy
    portal.call(driver.aclose)


def test_balancer_lifecycle(lb: Any) -> None:
    assert "tcp" in lb.list_protocols()
    balancer = lb.create_balancer(
        name="web",
        port=80,
        algorithm=Algorithm.LEAST_CONNECTIONS,
        members=[Member("vm-1", None, 8080)],
        private_port=8080,
    )
    assert isinstance(balancer, LoadBalancer)
    assert (balancer.ip, balancer.port, balancer.state) == ("203.0.113.5", 80, State.RUNNING)
    sent = lb.cloud.params("createLoadBalancerRule")
    assert (sent["algorithm"], sent["privateport"], sent["publicipid"]) == (
        "leastconn",
        "8080",
        "ip-1",
    )
    assert "networkid" not in sent  # the anchor sent networkid=None

    assert [b.id for b in lb.list_balancers()] == [balancer.id]
    assert lb.get_balancer(balancer.id).extra["algorithm"] is Algorithm.LEAST_CONNECTIONS
    member = lb.balancer_attach_member(balancer, Member("vm-2", "10.0.0.12", None))
    assert member.port == 8080
    listed = lb.balancer_list_members(balancer)
    assert [(m.id, m.ip, m.port) for m in listed] == [
        ("vm-1", "10.0.0.11", 8080),
        ("vm-2", "10.0.0.12", 8080),
    ]
    node = type("N", (), {"id": "vm-1", "private_ips": ["10.0.0.11"], "public_ips": []})()
    assert lb.balancer_detach_member(balancer, listed[1]) is True
    assert [m.id for m in lb.balancer_list_members(balancer)] == ["vm-1"]
    assert lb.balancer_attach_compute_node(balancer, node).id == "vm-1"
    assert lb.destroy_balancer(balancer) is True
    assert lb.cloud.params("disassociateIpAddress")["id"] == "ip-1"
    with pytest.raises(NotFoundError):
        lb.get_balancer(balancer.id)
    with pytest.raises(ValidationError):
        lb.create_balancer(name="x", algorithm=Algorithm.SHORTEST_RESPONSE)
