"""The built-in ``local-gce`` profile: the Compute Engine simulator in-process, no config (the
data directory is the test's temporary one, see ``tests/conftest.py``)."""

from __future__ import annotations

import pytest

import omnicloud
from omnicloud.cli import main
from omnicloud.compute import NodeState
from omnicloud.compute.drivers.gce import GCENodeDriver


def test_local_gce_needs_no_account_and_no_config(capsys: pytest.CaptureFixture[str]) -> None:
    with omnicloud.connect("local-gce") as driver:
        assert isinstance(driver, GCENodeDriver) and driver.ex_simulated
        assert driver.list_nodes() == []
        node = driver.create_node("local-web", "e2-micro", "debian-12")
        running = driver.wait_until_running([node], wait_period=0.05, timeout=30)[0][0]
        assert running.state is NodeState.RUNNING and running.public_ips
    # state is kept in the user data directory: the CLI sees the same node
    assert main(["--cloud", "local-gce", "nodes", "list"]) == 0
    out, _err = capsys.readouterr()
    assert "local-web" in out
    with omnicloud.connect("local-gce") as driver:
        assert [n.name for n in driver.list_nodes()] == ["local-web"]
        assert driver.destroy_node(driver.ex_get_node("local-web")) is True
        assert driver.list_nodes() == []


async def _async_listing() -> list[str]:
    async with omnicloud.connect("local-gce", asynchronous=True) as driver:
        return [n.name for n in await driver.list_nodes()]


def test_local_gce_async() -> None:
    import anyio

    assert anyio.run(_async_listing) == []


def test_deploy_node_on_the_simulator_fails_fast_with_the_node() -> None:
    from omnicloud.compute import NodeAuthSSHKey
    from omnicloud.compute.deployment import (
        DeploymentError,
        ScriptDeployment,
        SimulatedAddressError,
        set_ssh_connector,
    )

    set_ssh_connector(None)
    with omnicloud.connect("local-gce") as driver:
        with pytest.raises(DeploymentError) as caught:
            driver.deploy_node(
                name="deploy-sim",
                size="e2-micro",
                image="debian-12",
                deploy=ScriptDeployment("true"),
                auth=NodeAuthSSHKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0 me"),
                wait_period=0.05,
            )
        assert isinstance(caught.value.original_error, SimulatedAddressError)
        node = caught.value.node
        assert node.name == "deploy-sim" and node.public_ips
        assert driver.destroy_node(node) is True


def test_importing_the_driver_loads_no_heavy_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, omnicloud.compute.drivers.gce\n"
        "print([m for m in ('httpx', 'cryptography', 'urllib3', 'aiohttp', 'omnicloud.sim')"
        " if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
