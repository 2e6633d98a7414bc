"""Async ``deploy_node`` leaves the event loop free while SSH works (a real sshd on 127.0.0.1)."""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import anyio
import pytest

from omnicloud.compute.deployment import DeploymentError, ScriptDeployment, SSHTarget
from omnicloud.compute.drivers.cloudstack import AsyncCloudStackNodeDriver
from omnicloud.deploy import AsyncSSHConnector, SSHAuthenticationError
from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
from omnicloud.sim.server import serve_in_thread
from tests.deploy.conftest import Sshd

SLOW_STEP = 1.0  # seconds the connector blocks before connecting, like a slow SSH handshake


class SlowConnector:
    """Blocks ``SLOW_STEP`` seconds (as a synchronous SSH library does), then logs in to sshd;
    records how many of its calls were in progress at once."""

    def __init__(self, sshd: Sshd) -> None:
        self._sshd = sshd
        self._inner = AsyncSSHConnector(known_hosts=sshd.known_hosts)
        self._lock = threading.Lock()
        self._active = 0
        self.peak = 0
        self.threads: set[int] = set()

    def __call__(self, target: SSHTarget) -> Any:
        with self._lock:
            self._active += 1
            self.peak = max(self.peak, self._active)
            self.threads.add(threading.get_ident())
        try:
            time.sleep(SLOW_STEP)
        finally:
            with self._lock:
                self._active -= 1
        return self._inner(
            dataclasses.replace(
                target, host="127.0.0.1", port=self._sshd.port, username=self._sshd.username
            )
        )


async def _deploy_three(driver: AsyncCloudStackNodeDriver, sshd: Sshd, connector: Any) -> Any:
    size = next(s for s in await driver.list_sizes() if s.ram)
    image = (await driver.list_images())[0]
    location = next(loc for loc in await driver.list_locations() if "Basic" in loc.name)
    scripts = [ScriptDeployment(f"#!/bin/sh\necho deploy {n}\n") for n in range(3)]
    nodes: list[Any] = [None] * 3
    gaps: list[float] = []
    stop = anyio.Event()

    async def heartbeat() -> None:
        last = time.monotonic()
        while not stop.is_set():
            await anyio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    async def deploy(n: int) -> None:
        nodes[n] = await driver.deploy_node(
            name=f"async-deploy-{n}",
            size=size,
            image=image,
            location=location,
            deploy=scripts[n],
            ssh_key=str(sshd.client_key),
            wait_period=0.05,
            ex_ssh_connector=connector,
        )

    async with anyio.create_task_group() as beat:
        beat.start_soon(heartbeat)
        try:
            async with anyio.create_task_group() as group:
                for n in range(3):
                    group.start_soon(deploy, n)
        finally:
            stop.set()
    for node in nodes:
        await driver.destroy_node(node)
    return scripts, gaps


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_concurrent_async_deploys_do_not_block_the_loop(sshd: Sshd, backend: str) -> None:
    state = CloudStackState()
    key, secret = state.credentials("admin")
    connector = SlowConnector(sshd)
    with serve_in_thread(create_app(state, config=SimConfig(job_latency=0.05))) as server:

        async def main() -> Any:
            async with AsyncCloudStackNodeDriver(
                key, secret, url=f"{server.url}/client/api", poll_interval=0.05
            ) as driver:
                return await _deploy_three(driver, sshd, connector)

        scripts, gaps = anyio.run(main, backend=backend)
    assert [s.exit_status for s in scripts] == [0, 0, 0]
    assert sorted(s.stdout for s in scripts) == [f"deploy {n}\n" for n in range(3)]
    # the three blocking SSH steps ran at the same time, off the event loop's thread ...
    assert connector.peak == 3
    assert threading.main_thread().ident not in connector.threads
    # ... and the loop kept ticking meanwhile (a blocked loop shows a gap of SLOW_STEP or more)
    assert max(gaps) < SLOW_STEP / 2


def test_async_deploy_failure_keeps_the_node_and_its_cause() -> None:
    """An SSH failure in the worker thread reaches the flow: retried, then DeploymentError."""
    state = CloudStackState()
    key, secret = state.credentials("admin")
    calls: list[int] = []

    def refusing(target: SSHTarget) -> Any:
        calls.append(threading.get_ident())
        raise SSHAuthenticationError(f"{target.username}@{target.host} refused our credentials")

    with serve_in_thread(create_app(state, config=SimConfig(job_latency=0.05))) as server:

        async def main() -> Any:
            async with AsyncCloudStackNodeDriver(
                key, secret, url=f"{server.url}/client/api", poll_interval=0.05
            ) as driver:
                size = next(s for s in await driver.list_sizes() if s.ram)
                image = (await driver.list_images())[0]
                with pytest.raises(DeploymentError) as caught:
                    await driver.deploy_node(
                        name="async-refused",
                        size=size,
                        image=image,
                        deploy=ScriptDeployment("true"),
                        ssh_key="~/.ssh/none",
                        wait_period=0.05,
                        max_tries=2,
                        ex_ssh_connector=refusing,
                    )
                await driver.destroy_node(caught.value.node)
                return caught.value, threading.get_ident()

        error, loop_thread = anyio.run(main)
    assert isinstance(error.original_error, SSHAuthenticationError)
    assert error.node.name == "async-refused"
    assert len(calls) == 2 and loop_thread not in calls
