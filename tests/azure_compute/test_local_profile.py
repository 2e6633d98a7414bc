"""The built-in ``local-azure`` profile: the Azure simulator in-process, no config."""

from __future__ import annotations

from pathlib import Path

import pytest

import omnicloud
from omnicloud.cli import main
from omnicloud.compute import NodeState
from omnicloud.compute.drivers.azure_arm import AzureNodeDriver


def test_local_azure_needs_no_account_and_no_config(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    with omnicloud.connect("local-azure") as driver:
        assert isinstance(driver, AzureNodeDriver) and driver.ex_simulated
        assert driver.list_nodes() == []
        size = min((s for s in driver.list_sizes() if s.ram), key=lambda s: s.ram)
        image = driver.get_image("Canonical:ubuntu-24_04-lts:server:latest")
        node = driver.create_node("local-web", size, image)
        running = driver.wait_until_running([node], wait_period=0.05, timeout=30)[0][0]
        assert running.state is NodeState.RUNNING and running.public_ips
    assert (tmp_path / "data" / "local-azure.db").exists()
    # state is kept in the data directory: the CLI sees the same node
    assert main(["--cloud", "local-azure", "nodes", "list"]) == 0
    out, _err = capsys.readouterr()
    assert "local-web" in out
    with omnicloud.connect("local-azure") as driver:
        assert driver.destroy_node(driver.ex_get_node(node.id)) is True
        assert driver.list_nodes() == []
