"""One CloudSigma simulator per session on 127.0.0.1, and sync/async driver runners.

``d`` is parametrised by the shared ``mode`` fixture (``tests/support/modes.py``): the sync
driver, or the async one behind the session's portal, called the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from omnicloud.compute.drivers.cloudsigma import AsyncCloudSigmaNodeDriver, CloudSigmaNodeDriver
from omnicloud.sim.cloudsigma import CloudSigmaState, SimConfig, create_app
from omnicloud.sim.server import RunningServer, serve_in_thread
from tests.support.modes import Portal, close_in_mode, open_in_mode

FAST: dict[str, Any] = {"drive_latency": 0.02, "clone_latency": 0.05, "server_latency": 0.02}


@dataclass
class Sim:
    server: RunningServer
    state: CloudSigmaState
    config: SimConfig

    @property
    def endpoint(self) -> str:
        return f"{self.server.url}/api/2.0/"

    @property
    def options(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "poll_interval": 0.02, "wait_timeout": 20.0}


@pytest.fixture(scope="session")
def sim() -> Iterator[Sim]:
    state = CloudSigmaState()
    config = SimConfig(**FAST)
    server = serve_in_thread(create_app(state, config=config))
    yield Sim(server, state, config)
    server.stop()


@pytest.fixture
def knobs(sim: Sim) -> Iterator[SimConfig]:
    """The simulator's config, restored after the test."""
    saved = dict(vars(sim.config))
    yield sim.config
    for name, value in saved.items():
        setattr(sim.config, name, value)


class Counting(httpx.HTTPTransport):
    """Counts requests by path."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return super().handle_request(request)


class AsyncCounting(httpx.AsyncHTTPTransport):
    """Counts requests by path (async)."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await super().handle_async_request(request)


@dataclass(frozen=True)
class Sent:
    """One request a :class:`Recording` transport saw, with the answer's status."""

    method: str
    host: str
    path: str
    query: dict[str, str]
    status: int


class Recording(httpx.HTTPTransport):
    """Records every request (method, host, path, query) and the status it got (0: none)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Sent] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = super().handle_request(request)
        except httpx.TransportError:
            self.sent.append(_sent(request, 0))
            raise
        self.sent.append(_sent(request, response.status_code))
        return response


class AsyncRecording(httpx.AsyncHTTPTransport):
    """Records every request and its status (async)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Sent] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await super().handle_async_request(request)
        except httpx.TransportError:
            self.sent.append(_sent(request, 0))
            raise
        self.sent.append(_sent(request, response.status_code))
        return response


def _sent(request: httpx.Request, status: int) -> Sent:
    query = dict(request.url.params.multi_items())
    return Sent(request.method, request.url.host, request.url.path, query, status)


@pytest.fixture
def d(mode: str, sim: Sim, portal: Portal) -> Iterator[CloudSigmaNodeDriver]:
    """A sync CloudSigma driver on the simulator, or an async one behind the portal.

    Typed as the sync class: tests call its methods directly (``d.ex_start_node(node)``) and
    mypy checks them against the signatures both shells share.
    """
    driver = open_in_mode(
        mode,
        portal,
        CloudSigmaNodeDriver,
        AsyncCloudSigmaNodeDriver,
        sim.state.username,
        sim.state.password,
        **sim.options,
    )
    yield driver
    close_in_mode(driver, portal)
