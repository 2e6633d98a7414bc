"""The CloudStack load balancer driver (sync and async) passes the load balancer suite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver
from omnicloud.loadbalancer import Member
from omnicloud.loadbalancer.drivers.cloudstack import AsyncCloudStackLBDriver, CloudStackLBDriver
from omnicloud.sim.server import RunningServer

from ._twin import MODES, Subject, open_subject
from .loadbalancer import LoadBalancerCaps, TestLoadBalancerConformance

__all__ = ["TestLoadBalancerConformance"]


@pytest.fixture(scope="module")
def lb_caps(cloudstack_sim: tuple[RunningServer, Any]) -> Iterator[LoadBalancerCaps]:
    """Two nodes on an isolated network of the advanced zone (CloudStack balances VMs of one
    guest network), made once for the module."""
    server, state = cloudstack_sim
    key, secret = state.credentials("admin")
    url = f"{server.url}/client/api"
    with CloudStackNodeDriver(key, secret, url=url, poll_interval=0.02) as compute:
        offering = next(
            o
            for o in compute.ex_list_network_offerings()
            if o.name == "DefaultIsolatedNetworkOfferingWithSourceNatService"
        )
        zone = next(loc for loc in compute.list_locations() if loc.network_type == "Advanced")
        network = compute.ex_create_network(
            "conformance",
            f"conf-{uuid.uuid4().hex[:8]}",
            offering,
            zone,
            gateway="10.71.3.1",
            netmask="255.255.255.0",
        )
        size = compute.list_sizes()[0]
        image = next(i for i in compute.list_images() if i.name.startswith("Ubuntu"))
        nodes = [
            compute.create_node(f"web-{n}", size, image, location=zone, networks=[network])
            for n in range(2)
        ]
        yield LoadBalancerCaps(
            members=tuple(Member(node.id, None, None) for node in nodes),
            create_options={"network_id": network.id, "private_port": 8080},
        )
        for node in nodes:
            compute.destroy_node(node, ex_expunge=True)
        compute.ex_delete_network(network)


@pytest.fixture(params=MODES)
def loadbalancer_driver(
    request: pytest.FixtureRequest,
    cloudstack_sim: tuple[RunningServer, Any],
    lb_caps: LoadBalancerCaps,
    portal: Any,
) -> Iterator[Subject[LoadBalancerCaps]]:
    server, state = cloudstack_sim
    key, secret = state.credentials("admin")

    def make(asynchronous: bool) -> Any:
        cls = AsyncCloudStackLBDriver if asynchronous else CloudStackLBDriver
        url = f"{server.url}/client/api"
        return cls(key, secret, url=url, poll_interval=0.02, job_timeout=30.0)

    with open_subject(request.param, make, lb_caps, portal) as subject:
        yield subject
