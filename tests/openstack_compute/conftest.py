"""An OpenStack simulator per test module on a free 127.0.0.1 port, and omnicloud drivers
logged in with the credentials it prints (admin of project ``demo``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from omnicloud.compute.drivers.openstack import OpenStackNodeDriver
from omnicloud.sim.openstack import OpenStackState, SimConfig, create_app
from omnicloud.sim.server import RunningServer, serve_in_thread


@dataclass
class OsSim:
    """A running simulator: its server, world and settings."""

    server: RunningServer
    state: OpenStackState
    config: SimConfig

    @property
    def identity(self) -> str:
        return f"{self.server.url}/identity"

    def options(self, **overrides: Any) -> dict[str, Any]:
        """Libcloud's keyword arguments for this simulator (Keystone v3)."""
        options: dict[str, Any] = {
            "ex_force_auth_url": f"{self.identity}/v3",
            "ex_force_auth_version": "3.x_password",
            "ex_tenant_name": "demo",
            "ex_domain_name": "Default",
            "ex_force_service_region": "RegionOne",
            "poll_interval": 0.02,
            "wait_timeout": 20.0,
        }
        options.update(overrides)
        return options


def start(config: SimConfig) -> Iterator[OsSim]:
    state = OpenStackState()
    with serve_in_thread(create_app(state, config=config)) as server:
        yield OsSim(server, state, config)
    state.close()


@pytest.fixture(scope="module")
def os_sim() -> Iterator[OsSim]:
    yield from start(SimConfig(server_latency=0.02, volume_latency=0.02, image_latency=0.02))


@pytest.fixture
def make_driver(os_sim: OsSim) -> Iterator[Callable[..., OpenStackNodeDriver]]:
    """``make_driver(**overrides)``: a sync driver, closed after the test."""
    made: list[OpenStackNodeDriver] = []

    def make(**overrides: Any) -> OpenStackNodeDriver:
        driver = OpenStackNodeDriver("admin", os_sim.state.password, **os_sim.options(**overrides))
        made.append(driver)
        return driver

    yield make
    for driver in made:
        driver.close()


@pytest.fixture
def driver(make_driver: Callable[..., OpenStackNodeDriver]) -> OpenStackNodeDriver:
    return make_driver()


def tiny(driver: OpenStackNodeDriver) -> Any:
    return next(s for s in driver.list_sizes() if s.name == "m1.tiny")


def cirros(driver: OpenStackNodeDriver) -> Any:
    return next(i for i in driver.list_images() if i.name.startswith("cirros"))
