"""A GCE simulator per test module on a free 127.0.0.1 port, and omnicloud drivers (sync, then
async) logged in with the service account key it writes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from omnicloud.compute.drivers.gce import AsyncGCENodeDriver, GCENodeDriver
from omnicloud.sim.server import RunningServer
from tests.support.modes import Portal, close_in_mode, open_in_mode


@dataclass
class GceSim:
    """A running simulator: its server, world and settings."""

    server: RunningServer
    state: Any
    config: Any

    @property
    def key(self) -> dict[str, Any]:
        return dict(self.state.service_account_info(f"{self.server.url}/token"))

    def options(self, **overrides: Any) -> dict[str, Any]:
        options: dict[str, Any] = {
            "datacenter": self.state.zone,
            "endpoint": self.server.url,
            "poll_interval": 0.02,
            "wait_timeout": 20.0,
        }
        options.update(overrides)
        return options


@pytest.fixture(scope="module")
def gce_sim() -> Iterator[GceSim]:
    from omnicloud.sim.gce import GceState, SimConfig, create_app
    from omnicloud.sim.server import serve_in_thread

    state = GceState()
    config = SimConfig(operation_latency=0.02)
    with serve_in_thread(create_app(state, config=config)) as server:
        yield GceSim(server, state, config)
    state.close()


@pytest.fixture
def d(mode: str, portal: Portal, gce_sim: GceSim) -> Iterator[GCENodeDriver]:
    """The driver on the simulator, sync then async (behind a blocking portal)."""
    key = gce_sim.key
    driver = open_in_mode(
        mode, portal, GCENodeDriver, AsyncGCENodeDriver, key["client_email"], key,
        **gce_sim.options(),
    )  # fmt: skip
    yield driver
    close_in_mode(driver, portal)
