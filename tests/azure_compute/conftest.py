"""An Azure simulator (identity and Resource Manager on one origin) per test module on a free
127.0.0.1 port, and omnicloud drivers signed in with the service principal it holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from omnicloud.compute.drivers.azure_arm import AzureNodeDriver


@dataclass
class AzSim:
    """A running simulator: its server, world and settings."""

    server: Any
    state: Any
    config: Any

    def options(self, **overrides: Any) -> dict[str, Any]:
        """The driver's arguments for this simulator."""
        state = self.state
        options: dict[str, Any] = {
            "tenant_id": state.tenant_id,
            "subscription_id": state.subscription_id,
            "key": state.client_id,
            "secret": state.client_secret,
            "region": state.location,
            "ex_resource_group": state.resource_group,
            "endpoint": self.server.url,
            "ex_authority": self.server.url,
            "poll_interval": 0.02,
            "wait_timeout": 20.0,
        }
        options.update(overrides)
        return options


def start_sim(**settings: Any) -> Iterator[AzSim]:
    from omnicloud.sim import azure as sim
    from omnicloud.sim.server import serve_in_thread

    state = sim.AzureState()
    config = sim.SimConfig(**{"operation_latency": 0.02, "retry_after": 0, **settings})
    with serve_in_thread(sim.create_app(state, config=config)) as server:
        yield AzSim(server, state, config)
    state.close()


@pytest.fixture(scope="module")
def az_sim() -> Iterator[AzSim]:
    yield from start_sim()


@pytest.fixture
def make_driver(az_sim: AzSim) -> Iterator[Callable[..., AzureNodeDriver]]:
    """``make_driver(**overrides)``: a sync driver, closed after the test."""
    made: list[AzureNodeDriver] = []

    def make(**overrides: Any) -> AzureNodeDriver:
        driver = AzureNodeDriver(**az_sim.options(**overrides))
        made.append(driver)
        return driver

    yield make
    for driver in made:
        driver.close()


@pytest.fixture
def driver(make_driver: Callable[..., AzureNodeDriver]) -> AzureNodeDriver:
    return make_driver()
