"""The OpenStack simulator for ``bench.bench_openstack``: seeded state file, then a real server.

``python -m bench._openstack_sim seed FILE PASSWORD SERVERS`` builds a state file: the default
DevStack-like world, unlimited instance/core/RAM quotas for the ``demo`` project, a ``bench``
network with a /20 subnet (room for every port the creation runs make), and ``SERVERS`` servers.
One server is created through the API (an in-process server, ``networks: "none"``), the others
are copies of its stored document with fresh ids and names, written straight into the state in
one transaction: creating 5,000 through the API would take minutes, because the simulator
reads every server of the project for each quota check.

``serve(FILE, PASSWORD, latency)`` then runs ``omnicloud sim serve openstack --port 0`` on that
file in a process of its own and reads the auth URL from its banner.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
IMAGE_NAME = "cirros-0.6.2-x86_64-disk"
FLAVOR = "1"  # m1.tiny
NETWORK = "bench"


def seed(path: str, password: str, servers: int) -> dict[str, Any]:
    """Write the benchmark's world to ``path`` (see the module's docstring)."""
    from omnicloud.compute.drivers.openstack import OpenStackNodeDriver
    from omnicloud.sim.openstack import OpenStackState, SimConfig, create_app
    from omnicloud.sim.openstack._quota import set_limits
    from omnicloud.sim.server import serve_in_thread

    state = OpenStackState(path, password=password)
    demo = state.project_named("demo")
    assert demo is not None
    with state.store.transaction():
        set_limits(state, demo["id"], {"instances": -1, "cores": -1, "ram": -1, "port": -1})
    app = create_app(state, config=SimConfig(server_latency=0.0))
    with serve_in_thread(app) as server:
        driver = OpenStackNodeDriver(
            state.username,
            password,
            ex_force_auth_url=f"{server.url}/identity/v3",
            ex_force_auth_version="3.x_password",
            ex_tenant_name="demo",
            ex_domain_name="Default",
            ex_force_service_region="RegionOne",
        )
        with driver:
            network = driver.ex_create_network(NETWORK, cidr="10.20.0.0/20")
            size = next(s for s in driver.list_sizes() if s.id == FLAVOR)
            image = next(i for i in driver.list_images() if i.name == IMAGE_NAME)
            template = driver.create_node("web-00000", size, image, ex_networks="none")
    started = time.perf_counter()
    doc = state.store.get("servers", template.id)
    assert doc is not None
    with state.store.transaction():
        for index in range(1, servers):
            clone = copy.deepcopy(doc)
            clone.update(
                id=state.new_id(),
                name=f"web-{index:05d}",
                _hostname=f"web-{index:05d}",
                _instance_name=f"instance-{secrets.token_hex(4)}",
                _reservation=f"r-{secrets.token_hex(4)}",
            )
            state.store.put("servers", clone)
    copied = time.perf_counter() - started
    state.close()
    return {
        "servers": servers,
        "network": network.id,
        "image": image.id,
        "flavor": size.id,
        "copy_s": copied,
    }


@dataclass
class Sim:
    """A running simulator process."""

    auth_url: str  # http://127.0.0.1:PORT/identity/v3
    user: str
    password: str
    process: subprocess.Popen[str]

    @property
    def origin(self) -> str:
        return self.auth_url.rsplit("/identity", 1)[0]

    def token(self) -> str:
        """A project-scoped token (plain urllib: the parent imports no client library)."""
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": self.user,
                            "domain": {"name": "Default"},
                            "password": self.password,
                        }
                    },
                },
                "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}},
            }
        }
        request = urllib.request.Request(
            f"{self.auth_url}/auth/tokens",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return str(answer.headers["X-Subject-Token"])

    def count_servers(self, prefix: str) -> int:
        """How many of the project's servers have names starting with ``prefix``."""
        token = self.token()
        found = 0
        url = f"{self.origin}/compute/v2.1/servers?name=%5E{prefix}&limit=1000"
        while url:
            request = urllib.request.Request(url, headers={"X-Auth-Token": token})
            with urllib.request.urlopen(request, timeout=300) as answer:
                page = json.loads(answer.read())
            found += len(page["servers"])
            links = [x["href"] for x in page.get("servers_links", []) if x["rel"] == "next"]
            url = links[0] if links else ""
        return found


@contextlib.contextmanager
def serve(path: str, password: str, latency: float) -> Iterator[Sim]:
    """``omnicloud sim serve openstack`` on ``path`` in a process of its own."""
    process = subprocess.Popen(
        [
            str(BIN / "omnicloud"), "sim", "serve", "openstack", "--host", "127.0.0.1",
            "--port", "0", "--state", path, "--password", password, "--latency", str(latency),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        auth_url = user = ""
        for line in process.stdout:
            if line.startswith("Auth URL:"):
                auth_url = line.split(":", 1)[1].strip()
            elif line.startswith("User name:"):
                user = line.split(":", 1)[1].strip()
            elif line.startswith("State:"):
                break
        if not re.match(r"http://127\.0\.0\.1:\d+/identity/v3$", auth_url):
            raise RuntimeError(f"the OpenStack simulator did not start ({auth_url!r})")
        yield Sim(auth_url, user or "admin", password, process)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        print(json.dumps(seed(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
