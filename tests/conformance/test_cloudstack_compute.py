"""The CloudStack compute driver (sync and async) passes the compute conformance suite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.compute.drivers.cloudstack import AsyncCloudStackNodeDriver, CloudStackNodeDriver
from omnicloud.sim.server import RunningServer

from ._twin import MODES, Subject, open_subject
from .compute import ComputeCaps, NodeSpec, TestComputeConformance

__all__ = ["TestComputeConformance"]


def _spec(driver: Any) -> NodeSpec:
    zone = next(loc for loc in driver.list_locations() if loc.network_type == "Basic")
    image = next(i for i in driver.list_images() if i.name.startswith("Ubuntu"))
    return NodeSpec(driver.list_sizes()[0], image, zone)


CAPS = ComputeCaps(node_spec=_spec)


@pytest.fixture(params=MODES)
def compute_driver(
    request: pytest.FixtureRequest, cloudstack_sim: tuple[RunningServer, Any], portal: Any
) -> Iterator[Subject[ComputeCaps]]:
    server, state = cloudstack_sim
    key, secret = state.credentials("admin")

    def make(asynchronous: bool) -> Any:
        cls = AsyncCloudStackNodeDriver if asynchronous else CloudStackNodeDriver
        url = f"{server.url}/client/api"
        return cls(key, secret, url=url, poll_interval=0.02, job_timeout=30.0)

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject
