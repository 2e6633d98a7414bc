"""``create_node(ex_avoid=...)``: avoid is sent on the clone and the start, and honoured.

A simulator of its own (one per module) so the hosts can be arranged: the server to avoid sits
alone on the least-loaded compute host, its drive alone on the least-loaded storage host. Without
``avoid`` the simulator would put a new server and its drive right there (the control node
proves it); with ``avoid`` it must not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from omnicloud.compute.drivers.cloudsigma import (
    AsyncCloudSigmaNodeDriver,
    CloudSigmaNodeDriver,
    CloudSigmaNodeSize,
)
from omnicloud.sim.cloudsigma import CloudSigmaState, SimConfig, create_app
from omnicloud.sim.server import serve_in_thread

from .conftest import FAST, AsyncRecording, Recording, Sent, Sim


@pytest.fixture(scope="module")
def own() -> Iterator[Sim]:
    state = CloudSigmaState()
    config = SimConfig(**FAST)
    server = serve_in_thread(create_app(state, config=config))
    yield Sim(server, state, config)
    server.stop()


def _arrange(sim: Sim, prefix: str) -> str:
    """Seven running servers; the fourth is alone on its compute and storage hosts."""
    state = sim.state
    for doc in state.all("servers"):
        state.store.delete("servers", doc["uuid"])
    for doc in state.all("drives"):
        state.store.delete("drives", doc["uuid"])
    state.seed_servers(7, prefix=prefix)
    servers = state.all("servers")
    for index, server in enumerate(servers):
        # Compute hosts as the simulator's start would pick them, least loaded first.
        server["_host"] = f"host-{index % 4 + 1}"
        server["status"] = "running"
        state.save("servers", server)
        drive = state.load("drives", server["drives"][0]["drive"]["uuid"])
        drive["_host"] = f"storage-{index % 4 + 1}"
        state.save("drives", drive)
    return str(servers[3]["uuid"])


SIZE = CloudSigmaNodeSize.custom("t", cpu=1, cpu_unit="cores", ram=1, ram_unit="GB", disk=10)


def _create(driver: Any, kind: str, name: str, image: Any, avoid: list[str] | None) -> Any:
    if kind == "sync":
        return driver.create_node(name, SIZE, image, ex_avoid=avoid)

    async def go() -> Any:
        async with driver:
            return await driver.create_node(name, SIZE, image, ex_avoid=avoid)

    return anyio.run(go)


def _driver(sim: Sim, kind: str) -> tuple[Any, Any]:
    transport: Any = Recording() if kind == "sync" else AsyncRecording()
    cls = CloudSigmaNodeDriver if kind == "sync" else AsyncCloudSigmaNodeDriver
    options = {**sim.options, "transport": transport}
    return cls(*sim.state.credentials, **options), transport


def _group(groups: list[list[str]], member: str) -> set[str]:
    return next((set(g) for g in groups if member in g), {member})


def _actions(sent: list[Sent], do: str) -> list[Sent]:
    return [s for s in sent if s.method == "POST" and s.query.get("do") == do]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_create_node_sends_and_honours_avoid(own: Sim, kind: str) -> None:
    target = _arrange(own, f"avoid-{kind}")
    target_drive = own.state.load("servers", target)["drives"][0]["drive"]["uuid"]
    with CloudSigmaNodeDriver(*own.state.credentials, **own.options) as plain:
        image = next(i for i in plain.list_images() if i.name == "Debian 12")

    driver, transport = _driver(own, kind)
    avoiding = _create(driver, kind, f"{kind}-away", image, [target])
    (clone,) = _actions(transport.sent, "clone")
    (start,) = _actions(transport.sent, "start")
    assert clone.path.endswith(f"drives/{image.id}/action/")  # /drives/ or /libdrives/
    assert clone.query == {"do": "clone", "avoid": target}
    assert start.path == f"/api/2.0/servers/{avoiding.id}/action/"
    assert start.query == {"do": "start", "avoid": target}

    driver, transport = _driver(own, kind)
    control = _create(driver, kind, f"{kind}-near", image, None)
    assert all("avoid" not in s.query for s in transport.sent)

    with CloudSigmaNodeDriver(*own.state.credentials, **own.options) as d:
        d.wait_until_running([avoiding, control], wait_period=0.02, timeout=10)
        servers = d.ex_list_servers_availability_groups()
        drives = d.ex_list_drives_availability_groups()
    boot = avoiding.extra["boot_drive"]["uuid"]
    control_boot = control.extra["boot_drive"]["uuid"]
    # The control lands next to the target: avoid is what kept the other node away.
    assert control.id in _group(servers, target)
    assert control_boot in _group(drives, target_drive)
    assert avoiding.id not in _group(servers, target)
    assert boot not in _group(drives, target_drive)
