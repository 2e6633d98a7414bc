"""Fixtures: one simulator server per session, fresh in-process simulators for isolated tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from omnicloud.cloudstack._signing import expires_after, sign
from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
from omnicloud.sim.server import RunningServer, serve_in_thread
from omnicloud.sim.transport import SyncASGITransport


@dataclass
class Sim:
    """A simulator plus a signing HTTP client for raw requests."""

    state: CloudStackState
    config: SimConfig
    http: httpx.Client
    endpoint: str
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    def signed(self, who: str = "admin", *, v3: bool = True, **params: Any) -> dict[str, str]:
        """The full signed parameter set of a request as user ``who``."""
        key, secret = self.keys[who]
        flat = {name: str(value) for name, value in params.items()}
        flat.setdefault("response", "json")
        flat["apiKey"] = key
        if v3:
            flat["signatureVersion"] = "3"
            flat["expires"] = expires_after(600)
        flat["signature"] = sign(flat, secret)
        return flat

    def request(
        self, command: str, who: str = "admin", *, post: bool = False, **params: Any
    ) -> httpx.Response:
        """Send a signed request and return the raw response."""
        signed = self.signed(who, command=command, **params)
        if post:
            return self.http.post(self.endpoint, data=signed)
        return self.http.get(self.endpoint, params=signed)

    def call(self, command: str, who: str = "admin", **params: Any) -> Any:
        """The unwrapped body of a successful call (asserts HTTP 200)."""
        response = self.request(command, who, **params)
        assert response.status_code == 200, response.text
        (body,) = response.json().values()
        return body

    def error(self, command: str, who: str = "admin", **params: Any) -> tuple[int, dict[str, Any]]:
        """(HTTP status, error body) of a call expected to fail."""
        response = self.request(command, who, **params)
        assert response.status_code != 200, response.text
        (body,) = response.json().values()
        return response.status_code, body

    def wait(self, jobid: str, who: str = "admin", timeout: float = 10.0) -> dict[str, Any]:
        """Poll queryAsyncJobResult until the job is final; the job."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            job: dict[str, Any] = self.call("queryAsyncJobResult", who, jobid=jobid)
            if job["jobstatus"] != 0:
                return job
            assert time.monotonic() < deadline, "job did not finish"
            time.sleep(0.01)

    def run(self, command: str, who: str = "admin", **params: Any) -> dict[str, Any]:
        """Submit an async command and wait for a successful result; the jobresult."""
        submitted = self.call(command, who, **params)
        job = self.wait(submitted["jobid"], who)
        assert job["jobstatus"] == 1, job
        result: dict[str, Any] = job["jobresult"]
        return result

    def zone(self, name: str = "Sandbox-Basic") -> dict[str, Any]:
        zones: list[dict[str, Any]] = self.call("listZones", name=name)["zone"]
        return zones[0]

    def template(self, name: str = "CentOS 7.9") -> dict[str, Any]:
        found: list[dict[str, Any]] = self.call(
            "listTemplates", templatefilter="executable", name=name
        )["template"]
        return found[0]

    def offering(self, name: str = "Small Instance") -> dict[str, Any]:
        found: list[dict[str, Any]] = self.call("listServiceOfferings", name=name)[
            "serviceoffering"
        ]
        return found[0]

    def deploy(self, who: str = "admin", **params: Any) -> dict[str, Any]:
        """Deploy a small CentOS VM in the basic zone (overridable) and wait for it."""
        args = {
            "zoneid": self.zone()["id"],
            "templateid": self.template()["id"],
            "serviceofferingid": self.offering()["id"],
        }
        args.update(params)
        vm: dict[str, Any] = self.run("deployVirtualMachine", who, **args)["virtualmachine"]
        return vm


def libcloud_size(sim: Sim, driver: Any, name: str = "Small Instance") -> Any:
    """A Libcloud ``NodeSize`` for a fixed offering, built as Libcloud's ``list_sizes`` would.

    Libcloud's CloudStack ``list_sizes`` raises KeyError on a cloud with a custom offering (the
    server omits its cpunumber/memory), as the simulator's ``Custom`` offering is.
    """
    from libcloud.compute.base import NodeSize

    offering = sim.offering(name)
    extra = {"cpu": offering["cpunumber"]}
    return NodeSize(offering["id"], offering["name"], offering["memory"], 0, 0, 0, driver, extra)


def _keys(state: CloudStackState) -> dict[str, tuple[str, str]]:
    return {name: state.credentials(name) for name in state.accounts}


@pytest.fixture(scope="session")
def server_state() -> Iterator[CloudStackState]:
    state = CloudStackState()
    yield state
    state.close()


@pytest.fixture(scope="session")
def server_config() -> SimConfig:
    return SimConfig(job_latency=0.02)


@pytest.fixture(scope="session")
def sim_server(server_state: CloudStackState, server_config: SimConfig) -> Iterator[RunningServer]:
    """The session's simulator on a free 127.0.0.1 port."""
    with serve_in_thread(create_app(server_state, config=server_config)) as running:
        yield running


@pytest.fixture(scope="session")
def endpoint(sim_server: RunningServer) -> str:
    return f"{sim_server.url}/client/api"


@pytest.fixture
def live(
    sim_server: RunningServer,
    server_state: CloudStackState,
    server_config: SimConfig,
    endpoint: str,
) -> Iterator[Sim]:
    """The session server over real HTTP; fault knobs are restored after each test."""
    saved = server_config.as_dict()
    with httpx.Client(timeout=10) as http:
        yield Sim(server_state, server_config, http, endpoint, _keys(server_state))
    for name, value in saved.items():
        setattr(server_config, name, set(value) if name == "fail_jobs" else value)


@pytest.fixture
def sim() -> Iterator[Sim]:
    """A fresh in-memory simulator driven in-process (no sockets) with fast jobs."""
    state = CloudStackState()
    config = SimConfig(job_latency=0.0)
    transport = SyncASGITransport(create_app(state, config=config))
    with httpx.Client(transport=transport, base_url="http://sim") as http:
        yield Sim(state, config, http, "http://sim/client/api", _keys(state))
    state.close()
