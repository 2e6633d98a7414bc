"""The Compute Engine driver (sync and async) passes the compute conformance suite against the
GCE simulator (service-account key → token endpoint, zonal operations)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.compute.drivers.gce import AsyncGCENodeDriver, GCENodeDriver
from omnicloud.sim.server import RunningServer, serve_in_thread

from ._twin import MODES, Subject, open_subject
from .compute import ComputeCaps, NodeSpec, TestComputeConformance

__all__ = ["TestComputeConformance"]


def _spec(driver: Any) -> NodeSpec:
    size = next(s for s in driver.list_sizes() if s.name == "e2-micro")
    image = next(i for i in driver.list_images() if i.extra["family"] == "debian-12")
    zone = next(z for z in driver.list_locations() if z.name == "us-central1-a")
    return NodeSpec(size, image, zone)


# A node is looked up by its numeric id across every zone (ex_get_node takes names and ids).
CAPS = ComputeCaps(node_spec=_spec)


@pytest.fixture(scope="module")
def gce_sim() -> Iterator[tuple[RunningServer, Any]]:
    """``(server, state)``: a GCE simulator with quick operations."""
    from omnicloud.sim.gce import GceState, SimConfig, create_app

    state = GceState()
    with serve_in_thread(create_app(state, config=SimConfig(operation_latency=0.02))) as server:
        yield server, state
    state.close()


@pytest.fixture(params=MODES)
def compute_driver(
    request: pytest.FixtureRequest, gce_sim: tuple[RunningServer, Any], portal: Any
) -> Iterator[Subject[ComputeCaps]]:
    server, state = gce_sim
    key = state.service_account_info(f"{server.url}/token")

    def make(asynchronous: bool) -> Any:
        cls = AsyncGCENodeDriver if asynchronous else GCENodeDriver
        return cls(
            key["client_email"],
            key,
            datacenter=state.zone,
            endpoint=server.url,
            poll_interval=0.02,
            wait_timeout=20.0,
        )

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject
