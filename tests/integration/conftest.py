"""One CloudStack simulator for the client-on-simulator tests, with a fault proxy in front."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import pytest

from omnicloud.cloudstack import AsyncCloudStack, CloudStack
from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
from omnicloud.sim.server import serve_in_thread
from tests.support.fault_proxy import FaultProxy


@dataclass
class LiveSim:
    """The simulator, its knobs, the accounts' keys and a fault proxy in front of it."""

    state: CloudStackState
    config: SimConfig
    endpoint: str
    proxy: FaultProxy

    @property
    def proxied(self) -> str:
        return f"{self.proxy.url}/client/api"


@pytest.fixture(scope="package")
def live_sim() -> Iterator[LiveSim]:
    state = CloudStackState()
    config = SimConfig(job_latency=0.05)
    with serve_in_thread(create_app(state, config=config)) as server:
        proxy = FaultProxy(server.port)
        yield LiveSim(state, config, f"{server.url}/client/api", proxy)
        proxy.stop()


@pytest.fixture
def sim(live_sim: LiveSim) -> Iterator[LiveSim]:
    """The shared simulator with default knobs restored after each test."""
    yield live_sim
    defaults = SimConfig(job_latency=0.05)
    for name in (
        "max_page_size",
        "job_latency",
        "job_latency_by_command",
        "rate_limit",
        "error_rate",
        "reset_rate",
        "slow_seconds",
        "fail_jobs",
        "seed",
        "accept_unencoded_tilde",
        "max_userdata_length",
    ):
        setattr(live_sim.config, name, getattr(defaults, name))
    live_sim.proxy.plan()


Call = Callable[..., Any]


@pytest.fixture
def client_call(mode: str, sim: LiveSim) -> Callable[..., Any]:
    """``client_call(command, account="admin", endpoint=None, options=None, **params)`` through a
    fresh client of either kind (the shared ``mode`` parametrisation: sync, then async)."""

    def run(
        command: str,
        account: str = "admin",
        endpoint: str | None = None,
        options: dict[str, Any] | None = None,
        **params: Any,
    ) -> Any:
        key, secret = sim.state.credentials(account)
        url = endpoint or sim.endpoint
        settings = {"poll_interval": 0.05, **(options or {})}
        if mode == "sync":
            with CloudStack(url, key, secret, **settings) as client:
                return client.call(command, **params)

        async def go() -> Any:
            async with AsyncCloudStack(url, key, secret, **settings) as client:
                return await client.call(command, **params)

        return anyio.run(go)

    return run
