"""The Azure Resource Manager compute driver (sync and async) passes the compute conformance
suite against the Azure simulator (identity and Resource Manager on one origin)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.compute.drivers.azure_arm import AsyncAzureNodeDriver, AzureNodeDriver
from omnicloud.sim.server import RunningServer, serve_in_thread

from ._twin import MODES, Subject, open_subject
from .compute import ComputeCaps, NodeSpec, TestComputeConformance

__all__ = ["TestComputeConformance"]


def _spec(driver: Any) -> NodeSpec:
    size = min((s for s in driver.list_sizes() if s.ram), key=lambda s: (s.ram, s.name))
    image = next(i for i in driver.list_images() if i.extra["publisher"] == "Canonical")
    location = next(loc for loc in driver.list_locations() if loc.id == driver.region)
    return NodeSpec(size, image, location)


# Azure has SSH public key resources, but Libcloud's key pair calls do not map onto them.
CAPS = ComputeCaps(node_spec=_spec, key_pairs=False)


@pytest.fixture(scope="module")
def azure_sim() -> Iterator[tuple[RunningServer, Any]]:
    """``(server, state)``: an Azure simulator with quick long-running operations."""
    from omnicloud.sim.azure import AzureState, SimConfig, create_app

    state = AzureState()
    config = SimConfig(operation_latency=0.02, retry_after=0)
    with serve_in_thread(create_app(state, config=config)) as server:
        yield server, state
    state.close()


@pytest.fixture(params=MODES)
def compute_driver(
    request: pytest.FixtureRequest, azure_sim: tuple[RunningServer, Any], portal: Any
) -> Iterator[Subject[ComputeCaps]]:
    server, state = azure_sim

    def make(asynchronous: bool) -> Any:
        cls = AsyncAzureNodeDriver if asynchronous else AzureNodeDriver
        return cls(
            state.tenant_id,
            state.subscription_id,
            state.client_id,
            state.client_secret,
            region=state.location,
            ex_resource_group=state.resource_group,
            endpoint=server.url,
            ex_authority=server.url,
            poll_interval=0.02,
            wait_timeout=20.0,
        )

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject
