"""The OpenStack compute driver (sync and async) passes the compute conformance suite against
the OpenStack simulator (Keystone v3, Nova, Glance, Neutron, Cinder)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.compute.drivers.openstack import AsyncOpenStackNodeDriver, OpenStackNodeDriver
from omnicloud.sim.server import RunningServer, serve_in_thread

from ._twin import MODES, Subject, open_subject
from .compute import ComputeCaps, NodeSpec, TestComputeConformance

__all__ = ["TestComputeConformance"]


def _spec(driver: Any) -> NodeSpec:
    size = next(s for s in driver.list_sizes() if s.name == "m1.tiny")
    image = next(i for i in driver.list_images() if i.name.startswith("cirros"))
    return NodeSpec(size, image, driver.list_locations()[0])


# A new server has a fixed address on the private network only (no floating IP yet).
CAPS = ComputeCaps(node_spec=_spec, ssh_interface="private_ips")


@pytest.fixture(scope="module")
def openstack_sim() -> Iterator[tuple[RunningServer, Any]]:
    """``(server, state)``: an OpenStack simulator with quick transitions."""
    from omnicloud.sim.openstack import OpenStackState, SimConfig, create_app

    state = OpenStackState()
    config = SimConfig(server_latency=0.02, volume_latency=0.02, image_latency=0.02)
    with serve_in_thread(create_app(state, config=config)) as server:
        yield server, state
    state.close()


@pytest.fixture(params=MODES)
def compute_driver(
    request: pytest.FixtureRequest, openstack_sim: tuple[RunningServer, Any], portal: Any
) -> Iterator[Subject[ComputeCaps]]:
    server, state = openstack_sim

    def make(asynchronous: bool) -> Any:
        cls = AsyncOpenStackNodeDriver if asynchronous else OpenStackNodeDriver
        return cls(
            "admin",
            state.password,
            ex_force_auth_url=f"{server.url}/identity/v3",
            ex_force_auth_version="3.x_password",
            ex_tenant_name="demo",
            ex_domain_name="Default",
            ex_force_service_region="RegionOne",
            poll_interval=0.02,
            wait_timeout=20.0,
        )

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject
