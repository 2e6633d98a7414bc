"""One GCE simulator per test module on a free 127.0.0.1 port, google-cloud-compute clients
built from the key file it writes (nothing else), and a raw HTTP client with a bearer token."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.cloud import compute_v1
from google.oauth2 import service_account

from omnicloud.sim.gce import GceState, SimConfig, create_app
from omnicloud.sim.server import RunningServer, serve_in_thread

DEBIAN = "projects/debian-cloud/global/images/family/debian-12"


@dataclass
class GceSim:
    """A running simulator, its world and settings, and the key file it wrote."""

    server: RunningServer
    state: GceState
    config: SimConfig
    key_file: Path

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def project(self) -> str:
        return self.state.project

    @property
    def zone(self) -> str:
        return self.state.zone

    @functools.cached_property
    def credentials(self) -> Any:
        """Credentials read from the key file (once per module, as a program would)."""
        return service_account.Credentials.from_service_account_file(str(self.key_file))

    def client(self, cls: Any) -> Any:
        """A compute_v1 client (``InstancesClient``...) against the simulator."""
        return cls(credentials=self.credentials, client_options={"api_endpoint": self.url})

    def wait(self, operation: Any, scope: str = "zone") -> Any:
        """Wait for an operation until DONE with the matching ``*OperationsClient.wait``."""
        if scope == "zone":
            client = self.client(compute_v1.ZoneOperationsClient)
            where = {"zone": operation.zone.rsplit("/", 1)[-1]}
        elif scope == "region":
            client = self.client(compute_v1.RegionOperationsClient)
            where = {"region": operation.region.rsplit("/", 1)[-1]}
        else:
            client = self.client(compute_v1.GlobalOperationsClient)
            where = {}
        deadline = time.monotonic() + 30
        result = operation
        while result.status != compute_v1.Operation.Status.DONE:
            assert time.monotonic() < deadline, "the operation never finished"
            result = client.wait(project=self.project, operation=operation.name, **where)
        return result

    def instance_body(self, name: str, machine: str = "e2-micro", **extra: Any) -> Any:
        return compute_v1.Instance(
            name=name,
            machine_type=f"zones/{self.zone}/machineTypes/{machine}",
            disks=[
                compute_v1.AttachedDisk(
                    boot=True,
                    auto_delete=True,
                    initialize_params=compute_v1.AttachedDiskInitializeParams(
                        source_image=DEBIAN, disk_size_gb=10
                    ),
                )
            ],
            network_interfaces=[
                compute_v1.NetworkInterface(
                    network="global/networks/default",
                    access_configs=[
                        compute_v1.AccessConfig(name="External NAT", type_="ONE_TO_ONE_NAT")
                    ],
                )
            ],
            **extra,
        )

    def token(self) -> str:
        """An access token from ``POST /token`` (the JWT-bearer grant)."""
        from omnicloud.sim.gce._jwt import sign

        now = int(time.time())
        assertion = sign(
            {
                "iss": self.state.client_email,
                "scope": "https://www.googleapis.com/auth/compute",
                "aud": f"{self.url}/token",
                "iat": now,
                "exp": now + 3600,
            },
            self.state.private_key,
            self.state.private_key_id,
        )
        response = httpx.post(
            f"{self.url}/token",
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": assertion,
            },
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


@pytest.fixture(scope="module")
def gce(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GceSim]:
    state = GceState()
    config = SimConfig(operation_latency=0.02)
    with serve_in_thread(create_app(state, config=config)) as server:
        key_file = state.write_key_file(
            tmp_path_factory.mktemp("gce") / "key.json", f"{server.url}/token"
        )
        yield GceSim(server, state, config, key_file)
    state.close()


@pytest.fixture(scope="module")
def http(gce: GceSim) -> Iterator[httpx.Client]:
    """A raw client carrying an access token, based at ``/compute/v1/projects/{p}/``."""
    base = f"{gce.url}/compute/v1/projects/{gce.project}/"
    headers = {"Authorization": f"Bearer {gce.token()}"}
    with httpx.Client(base_url=base, headers=headers) as client:
        yield client
