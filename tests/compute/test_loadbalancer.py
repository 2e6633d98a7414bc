"""The CloudStack load balancer driver end to end against the simulator over HTTP, sync and async:
list/create/destroy balancers, attach/detach/list members, protocols and algorithms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import omnicloud
import omnicloud.aio
from omnicloud.errors import NotFoundError, ValidationError
from omnicloud.loadbalancer import Algorithm, LoadBalancer, Member, State
from tests.support.modes import close_in_mode, open_in_mode

from .conftest import FAST, Blocking, Sim, close_driver, make_driver, unique, zone


@pytest.fixture
def lb(mode: str, sim: Sim, portal: Any) -> Iterator[Any]:
    """The driver classes as users get them from the registry (sync, or async behind the portal)."""
    cls = omnicloud.get_driver(omnicloud.DriverType.LOADBALANCER, omnicloud.Provider.CLOUDSTACK)
    acls = omnicloud.aio.get_driver("loadbalancer", "cloudstack")
    driver = open_in_mode(mode, portal, cls, acls, sim.key, sim.secret, url=sim.endpoint, **FAST)
    yield driver
    close_in_mode(driver, portal)


@pytest.fixture(scope="module")
def backends(sim: Sim, portal: Any) -> Iterator[dict[str, Any]]:
    """A guest network in the advanced zone with two running nodes (made once per module)."""
    compute = make_driver("sync", sim, portal)
    offering = next(
        o
        for o in compute.ex_list_network_offerings()
        if o.name == "DefaultIsolatedNetworkOfferingWithSourceNatService"
    )
    advanced = zone(compute, "Advanced")
    network = compute.ex_create_network(
        "lb", unique("lbnet"), offering, advanced, gateway="10.70.3.1", netmask="255.255.255.0"
    )
    size = compute.list_sizes()[0]
    image = next(i for i in compute.list_images() if i.name.startswith("Ubuntu"))
    nodes = [
        compute.create_node(unique("web"), size, image, location=advanced, networks=[network])
        for _ in range(2)
    ]
    yield {"network": network, "nodes": nodes, "compute": compute}
    for node in nodes:
        compute.destroy_node(node, ex_expunge=True)
    compute.ex_delete_network(network)
    close_driver(compute, portal)


def test_protocols_and_algorithms(lb: Any) -> None:
    assert lb.list_protocols() == ["tcp", "udp"]
    assert lb.list_supported_algorithms() == [
        Algorithm.ROUND_ROBIN,
        Algorithm.LEAST_CONNECTIONS,
        Algorithm.PERSISTENT_IP,
    ]


def test_balancer_lifecycle(lb: Any, backends: dict[str, Any]) -> None:
    network, (web1, web2) = backends["network"], backends["nodes"]
    compute = backends["compute"]
    name = unique("web")
    balancer = lb.create_balancer(
        name=name,
        port=80,
        algorithm=Algorithm.LEAST_CONNECTIONS,
        members=[Member(web1.id, None, None)],
        private_port=8080,
        network_id=network.id,
    )
    assert isinstance(balancer, LoadBalancer)
    assert (balancer.name, balancer.port, balancer.state) == (name, 80, State.RUNNING)
    assert balancer.extra["private_port"] == 8080
    assert balancer.extra["network_id"] == network.id
    assert balancer.extra["algorithm"] is Algorithm.LEAST_CONNECTIONS
    (address,) = compute.ex_list_public_ips(id=balancer.extra["public_ip_id"])
    assert address.address == balancer.ip and address.associated_network_id == network.id

    assert balancer.id in {b.id for b in lb.list_balancers()}
    fetched = lb.get_balancer(balancer.id)
    assert (fetched.ip, fetched.port, fetched.extra["raw"]["algorithm"]) == (
        balancer.ip,
        80,
        "leastconn",
    )
    (only,) = lb.balancer_list_members(balancer)
    assert (only.id, only.ip, only.port) == (web1.id, web1.private_ips[0], 8080)

    member = lb.balancer_attach_member(balancer, Member(web2.id, web2.private_ips[0], None))
    assert (member.id, member.port, member.balancer) == (web2.id, 8080, balancer)
    listed = sorted(lb.balancer_list_members(balancer), key=lambda m: m.id)
    expected = sorted([web1, web2], key=lambda n: n.id)
    assert [(m.id, m.ip, m.port) for m in listed] == [
        (n.id, n.private_ips[0], 8080) for n in expected
    ]
    assert lb.balancer_detach_member(balancer, member) is True
    assert [m.id for m in lb.balancer_list_members(balancer)] == [web1.id]
    attached = lb.balancer_attach_compute_node(balancer, web2)
    assert (attached.id, attached.ip) == (web2.id, web2.private_ips[0])
    assert {m.id for m in lb.balancer_list_members(balancer)} == {web1.id, web2.id}

    assert lb.destroy_balancer(balancer) is True
    with pytest.raises(NotFoundError):
        lb.get_balancer(balancer.id)
    assert balancer.id not in {b.id for b in lb.list_balancers()}
    # its public IP is released with it
    assert compute.ex_list_public_ips(id=balancer.extra["public_ip_id"]) == []


def test_balancer_object_methods(lb: Any, backends: dict[str, Any]) -> None:
    """``LoadBalancer.attach_member`` & co. go through the driver that made the balancer."""
    network, (web1, _web2) = backends["network"], backends["nodes"]
    balancer = lb.create_balancer(
        name=unique("obj"), port=443, algorithm=Algorithm.ROUND_ROBIN, network_id=network.id
    )
    assert balancer.extra["algorithm"] is Algorithm.ROUND_ROBIN
    assert lb.balancer_list_members(balancer) == []
    if isinstance(lb, Blocking):  # the object's methods return coroutines on the async driver
        return_value = lb.portal.call(balancer.attach_member, Member(web1.id, None, None))
        members = lb.portal.call(balancer.list_members)
        assert lb.portal.call(balancer.destroy) is True
    else:
        return_value = balancer.attach_member(Member(web1.id, None, None))
        members = balancer.list_members()
        assert balancer.destroy() is True
    assert return_value.id == web1.id
    assert [m.id for m in members] == [web1.id]
    assert balancer.id not in {b.id for b in lb.list_balancers()}


def test_unsupported_algorithm_is_refused_before_any_request(lb: Any) -> None:
    before = len(lb.list_balancers())
    with pytest.raises(ValidationError, match="shortest_response"):
        lb.create_balancer(name="x", algorithm=Algorithm.SHORTEST_RESPONSE)
    assert len(lb.list_balancers()) == before
