"""The CloudSigma compute driver (sync and async) passes the compute conformance suite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.compute.drivers.cloudsigma import AsyncCloudSigmaNodeDriver, CloudSigmaNodeDriver
from omnicloud.sim.server import RunningServer

from ._twin import MODES, Subject, open_subject
from .compute import ComputeCaps, NodeSpec, TestComputeConformance

__all__ = ["TestComputeConformance"]


def _spec(driver: Any) -> NodeSpec:
    image = next(i for i in driver.list_images() if i.name == "Debian 12")
    return NodeSpec(driver.list_sizes()[0], image, driver.list_locations()[0])


# CloudSigma changes a server's drives only while it is stopped.
CAPS = ComputeCaps(node_spec=_spec, attach_needs_stopped_node=True)


@pytest.fixture(params=MODES)
def compute_driver(
    request: pytest.FixtureRequest, cloudsigma_sim: tuple[RunningServer, Any], portal: Any
) -> Iterator[Subject[ComputeCaps]]:
    server, state = cloudsigma_sim

    def make(asynchronous: bool) -> Any:
        cls = AsyncCloudSigmaNodeDriver if asynchronous else CloudSigmaNodeDriver
        endpoint = f"{server.url}/api/2.0/"
        return cls(
            state.username, state.password, endpoint=endpoint, poll_interval=0.02, wait_timeout=20.0
        )

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject
