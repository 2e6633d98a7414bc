"""deploy_node on the in-process simulator (the built-in ``local`` cloud) fails fast: its node
addresses exist nowhere, so no SSH is tried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omnicloud import connect
from omnicloud.compute.deployment import (
    DeploymentError,
    ScriptDeployment,
    SimulatedAddressError,
    set_ssh_connector,
)


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    driver = connect("local")
    yield driver
    driver.close()


def _deploy(driver: Any, **extra: Any) -> Any:
    size = driver.list_sizes()[0]
    image = driver.list_images()[0]
    return driver.deploy_node(
        name="deploy-sim",
        size=size,
        image=image,
        deploy=ScriptDeployment("true"),
        auth=None,
        ssh_key="~/.ssh/none",
        wait_period=0.05,
        **extra,
    )


def test_local_driver_knows_it_is_simulated(local: Any) -> None:
    assert local.ex_simulated is True


def test_deploy_node_on_the_simulator_fails_fast(local: Any) -> None:
    tried: list[Any] = []
    set_ssh_connector(None)
    with pytest.raises(DeploymentError) as caught:
        _deploy(local)
    error = caught.value.original_error
    assert isinstance(error, SimulatedAddressError)
    address = caught.value.node.public_ips[0]
    assert f"address {address} is a simulated address" in str(caught.value)
    assert "cannot be reached by SSH" in str(caught.value)
    assert tried == []
    local.destroy_node(caught.value.node)


def test_own_connector_still_runs_on_the_simulator(local: Any) -> None:
    class Client:
        def put(self, path: str, contents: str | bytes, mode: int = 0o644) -> str:
            return "/root/" + path

        def run(self, command: str, timeout: float | None = None) -> tuple[str, str, int]:
            return "", "", 0

        def close(self) -> None:
            pass

    hosts: list[str] = []

    def connector(target: Any) -> Client:
        hosts.append(target.host)
        return Client()

    node = _deploy(local, ex_ssh_connector=connector)
    assert hosts == [node.public_ips[0]]
    local.destroy_node(node)


def test_a_real_endpoint_is_not_simulated() -> None:
    from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver

    with CloudStackNodeDriver("k", "s", url="http://127.0.0.1:1/client/api") as driver:
        assert driver.ex_simulated is False


def test_async_local_driver_knows_it_is_simulated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    driver = connect("local", asynchronous=True)
    assert driver.ex_simulated is True
