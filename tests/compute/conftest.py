"""One CloudStack simulator per session on 127.0.0.1, and drivers that run sync or async.

``d`` is parametrised: the sync driver itself, or the async driver behind a blocking portal so
that one test body exercises both shells over real HTTP.
"""

from __future__ import annotations

import functools
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


@pytest.fixture(scope="session")
def portal() -> Iterator[Any]:
    from anyio.from_thread import start_blocking_portal

    with start_blocking_portal() as running:
        yield running


class Blocking:
    """Calls an async driver's coroutine methods through a portal, as if they were sync."""

    def __init__(self, driver: Any, portal: Any) -> None:
        self.driver = driver
        self.portal = portal
        self.mode = "async"

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.driver, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def call(*args: Any, **kwargs: Any) -> Any:
            async def run() -> Any:
                result = attribute(*args, **kwargs)
                if hasattr(result, "__anext__"):
                    return [item async for item in result]
                return await result

            return self.portal.call(run)

        return call


@pytest.fixture
def sync_driver(sim: Sim) -> Iterator[CloudStackNodeDriver]:
    with CloudStackNodeDriver(sim.key, sim.secret, url=sim.endpoint, **FAST) as driver:
        yield driver


@pytest.fixture(params=["sync", "async"])
def d(request: pytest.FixtureRequest, sim: Sim, portal: Any) -> Iterator[Any]:
    if request.param == "sync":
        with CloudStackNodeDriver(sim.key, sim.secret, url=sim.endpoint, **FAST) as driver:
            driver.mode = "sync"  # type: ignore[attr-defined]
            yield driver
        return
    driver = AsyncCloudStackNodeDriver(sim.key, sim.secret, url=sim.endpoint, **FAST)
    yield Blocking(driver, portal)
    portal.call(driver.aclose)


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


def make_driver(mode: str, sim: Sim, portal: Any, cls: Any = None, **options: Any) -> Any:
    """A sync driver, or an async one behind the portal (close it with :func:`close_driver`)."""
    options = {**FAST, **options}
    if mode == "sync":
        return (cls or CloudStackNodeDriver)(sim.key, sim.secret, url=sim.endpoint, **options)
    driver = (cls or AsyncCloudStackNodeDriver)(sim.key, sim.secret, url=sim.endpoint, **options)
    return Blocking(driver, portal)


def close_driver(driver: Any, portal: Any) -> None:
    if isinstance(driver, Blocking):
        portal.call(driver.driver.aclose)
    else:
        driver.close()


@pytest.fixture(params=["sync", "async"])
def counted(request: pytest.FixtureRequest, sim: Sim, portal: Any) -> Iterator[Any]:
    """``(driver, transport)``: a driver on the simulator whose requests are recorded."""
    transport = CountingTransport()
    driver = make_driver(request.param, sim, portal, transport=transport)
    yield driver, transport
    close_driver(driver, portal)
