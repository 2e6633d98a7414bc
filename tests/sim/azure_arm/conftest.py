"""One Azure simulator per test module, served over HTTPS on a free 127.0.0.1 port, with the
Azure SDK clients pointed at it (nothing but documented constructor arguments), plus an
in-process raw client for protocol details."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from omnicloud.sim.azure import AzureState, SimConfig, create_app, ensure_certificate
from omnicloud.sim.core import ManualClock
from omnicloud.sim.server import RunningServer, serve_in_thread
from omnicloud.sim.transport import SyncASGITransport

FAST = {"operation_latency": 0.02, "retry_after": 0}
"""LROs settle in 20 ms and Retry-After: 0 makes the SDKs poll at their polling_interval."""


@dataclass
class AzSim:
    """A running simulator: server, world, settings and the certificate clients trust."""

    server: RunningServer
    state: AzureState
    config: SimConfig
    cert: Path

    @property
    def url(self) -> str:
        return self.server.url

    def credential(self, secret: str | None = None) -> Any:
        from azure.identity import ClientSecretCredential

        return ClientSecretCredential(
            self.state.tenant_id,
            self.state.client_id,
            self.state.client_secret if secret is None else secret,
            authority=self.url,
            disable_instance_discovery=True,
            connection_verify=str(self.cert),
        )

    def _options(self) -> dict[str, Any]:
        return {
            "base_url": self.url,
            "connection_verify": str(self.cert),
            "polling_interval": 0.01,
        }

    def network(self, credential: Any = None) -> Any:
        from azure.mgmt.network import NetworkManagementClient

        return NetworkManagementClient(
            credential or self.credential(), self.state.subscription_id, **self._options()
        )

    def compute(self, credential: Any = None) -> Any:
        from azure.mgmt.compute import ComputeManagementClient

        return ComputeManagementClient(
            credential or self.credential(), self.state.subscription_id, **self._options()
        )


@pytest.fixture(scope="module")
def cert_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return ensure_certificate(tmp_path_factory.mktemp("azure-tls"))


@pytest.fixture(scope="module")
def az(cert_pair: tuple[Path, Path]) -> Iterator[AzSim]:
    state = AzureState()
    config = SimConfig(**FAST)
    cert, key = cert_pair
    server = serve_in_thread(create_app(state, config=config), ssl_certfile=cert, ssl_keyfile=key)
    with server:
        yield AzSim(server, state, config, cert)
    state.close()


@dataclass
class Raw:
    """An in-process simulator with a raw httpx client holding a valid token."""

    state: AzureState
    config: SimConfig
    http: httpx.Client
    token: str = field(repr=False)

    def settle(self, seconds: float = 1.0) -> None:
        """Move the manual clock on, so pending operations come due."""
        clock = self.state.clock
        assert isinstance(clock, ManualClock)
        clock.advance(seconds)

    @property
    def sub(self) -> str:
        return f"/subscriptions/{self.state.subscription_id}"

    @property
    def rg(self) -> str:
        return f"{self.sub}/resourceGroups/{self.state.resource_group}"

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        version: str | None = "2024-07-01",
        **params: str,
    ) -> httpx.Response:
        query = dict(params)
        if version is not None:
            query["api-version"] = version
        return self.http.request(
            method,
            path,
            params=query,
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
        )


def make_raw(**config: Any) -> Iterator[Raw]:
    """A fresh in-process simulator on a manual clock (for tests that need their own world)."""
    state = AzureState(clock=ManualClock(1_800_000_000.0))
    settings = SimConfig(**{**FAST, **config})
    app = create_app(state, config=settings)
    with httpx.Client(transport=SyncASGITransport(app), base_url="https://sim") as http:
        token, _ = state.issue_token(3600)
        yield Raw(state, settings, http, token)
    state.close()


@pytest.fixture
def raw() -> Iterator[Raw]:
    yield from make_raw()
