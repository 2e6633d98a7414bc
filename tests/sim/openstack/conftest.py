"""One OpenStack simulator per test module on a free 127.0.0.1 port, and an openstacksdk
connection to it (``openstack.connect`` with the printed credentials, nothing else)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import openstack
import pytest

from omnicloud.sim.openstack import OpenStackState, SimConfig, create_app
from omnicloud.sim.server import RunningServer, serve_in_thread


@dataclass
class OsSim:
    """A running simulator: its server, world, settings and admin credentials."""

    server: RunningServer
    state: OpenStackState
    config: SimConfig

    @property
    def auth_url(self) -> str:
        return f"{self.server.url}/identity/v3"

    def connect(self, **overrides: Any) -> Any:
        """An openstacksdk connection as the documented admin of project demo."""
        options: dict[str, Any] = {
            "auth_url": self.auth_url,
            "username": "admin",
            "password": self.state.password,
            "project_name": "demo",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region_name": "RegionOne",
        }
        options.update(overrides)
        return openstack.connect(**options)

    def token(self, project: str = "demo") -> tuple[str, dict[str, Any]]:
        """(token, body) of a password-authenticated, project-scoped token."""
        response = httpx.post(
            f"{self.auth_url}/auth/tokens",
            json={
                "auth": {
                    "identity": {
                        "methods": ["password"],
                        "password": {
                            "user": {
                                "name": "admin",
                                "domain": {"name": "Default"},
                                "password": self.state.password,
                            }
                        },
                    },
                    "scope": {"project": {"name": project, "domain": {"name": "Default"}}},
                }
            },
        )
        assert response.status_code == 201, response.text
        return response.headers["X-Subject-Token"], response.json()


@pytest.fixture(scope="module")
def os_sim() -> Iterator[OsSim]:
    state = OpenStackState()
    config = SimConfig(server_latency=0.05, volume_latency=0.05, image_latency=0.05)
    with serve_in_thread(create_app(state, config=config)) as server:
        yield OsSim(server, state, config)
    state.close()


@pytest.fixture(scope="module")
def conn(os_sim: OsSim) -> Iterator[Any]:
    connection = os_sim.connect()
    yield connection
    connection.close()


@pytest.fixture
def http(os_sim: OsSim) -> Iterator[httpx.Client]:
    """A raw client carrying a demo-scoped token."""
    token, _ = os_sim.token()
    with httpx.Client(base_url=os_sim.server.url, headers={"X-Auth-Token": token}) as client:
        yield client
