"""One CloudStack simulator per session on 127.0.0.1, and drivers that run sync or async.

``d`` is parametrised by the shared ``mode`` fixture (``tests/support/modes.py``): the sync driver
itself, or the async driver behind a blocking portal, so that one test body exercises both shells
over real HTTP.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from omnicloud.cloudstack import CloudStack
from omnicloud.compute.drivers.cloudstack import AsyncCloudStackNodeDriver, CloudStackNodeDriver
from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
from omnicloud.sim.server import serve_in_thread
from tests.support.modes import Blocking, Portal, close_in_mode, open_in_mode

__all__ = ["Blocking", "CountingTransport", "Sim", "close_driver", "make_driver", "unique", "zone"]

FAST = {"poll_interval": 0.02, "job_timeout": 30.0}


@dataclass
class Sim:
    url: str
    key: str
    secret: str
    state: CloudStackState
    config: SimConfig

    @property
    def endpoint(self) -> str:
        return f"{self.url}/client/api"


@pytest.fixture(scope="session")
def sim() -> Iterator[Sim]:
    state = CloudStackState()
    config = SimConfig(job_latency=0.01)
    with serve_in_thread(create_app(state, config=config)) as server:
        key, secret = state.credentials("admin")
        yield Sim(server.url, key, secret, state, config)


@pytest.fixture
def sync_driver(sim: Sim) -> Iterator[CloudStackNodeDriver]:
    with CloudStackNodeDriver(sim.key, sim.secret, url=sim.endpoint, **FAST) as driver:
        yield driver


@pytest.fixture
def d(mode: str, sim: Sim, portal: Portal) -> Iterator[Any]:
    """The sync driver, or the async one behind the portal, on the session's simulator."""
    driver = make_driver(mode, sim, portal)
    yield driver
    close_driver(driver, portal)


def zone(driver: Any, kind: str) -> Any:
    """The simulator's Basic or Advanced zone."""
    return next(loc for loc in driver.list_locations() if loc.network_type == kind)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def raw(sim: Sim) -> Iterator[CloudStack]:
    """A raw API client on the simulator, for setup the driver has no method for."""
    with CloudStack(sim.endpoint, sim.key, sim.secret, poll_interval=0.02) as client:
        yield client


class CountingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Forwards to the network and records the ``command`` of every request (sync or async)."""

    def __init__(self) -> None:
        self.commands: list[str] = []
        self.sent: list[dict[str, str]] = []
        self._sync = httpx.HTTPTransport()
        self._async = httpx.AsyncHTTPTransport()

    def _count(self, request: httpx.Request) -> None:
        query = parse_qs(request.url.query.decode())
        if not query.get("command") and request.content:
            query = parse_qs(request.content.decode())
        self.commands.append(query.get("command", ["?"])[0])
        self.sent.append({name: values[0] for name, values in query.items()})

    def params(self, command: str) -> dict[str, str]:
        """The parameters of the last ``command`` request."""
        return next(p for p in reversed(self.sent) if p.get("command") == command)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._count(request)
        return self._sync.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._count(request)
        return await self._async.handle_async_request(request)

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._async.aclose()


def make_driver(mode: str, sim: Sim, portal: Portal, cls: Any = None, **options: Any) -> Any:
    """A sync driver, or an async one behind the portal (close it with :func:`close_driver`)."""
    options = {**FAST, "url": sim.endpoint, **options}
    sync_cls = cls or CloudStackNodeDriver
    async_cls = cls or AsyncCloudStackNodeDriver
    return open_in_mode(mode, portal, sync_cls, async_cls, sim.key, sim.secret, **options)


def close_driver(driver: Any, portal: Portal) -> None:
    close_in_mode(driver, portal)


@pytest.fixture
def counted(mode: str, sim: Sim, portal: Portal) -> Iterator[Any]:
    """``(driver, transport)``: a driver on the simulator whose requests are recorded."""
    transport = CountingTransport()
    driver = make_driver(mode, sim, portal, transport=transport)
    yield driver, transport
    close_driver(driver, portal)
