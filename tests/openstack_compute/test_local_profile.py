"""The built-in ``local-openstack`` profile: the OpenStack simulator in-process, no config."""

from __future__ import annotations

import pytest

import omnicloud
from omnicloud.cli import main
from omnicloud.compute import NodeState
from omnicloud.compute.drivers.openstack import OpenStackNodeDriver


def test_local_openstack_needs_no_account_and_no_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with omnicloud.connect("local-openstack") as driver:
        assert isinstance(driver, OpenStackNodeDriver) and driver.ex_simulated
        size = min(driver.list_sizes(), key=lambda s: s.ram)
        image = next(i for i in driver.list_images() if "cirros" in i.name.lower())
        node = driver.create_node("local-web", size, image)
        running = driver.wait_until_running(
            [node], wait_period=0.05, timeout=30, ssh_interface="private_ips"
        )[0][0]
        assert running.state is NodeState.RUNNING
    # state is kept in the user data directory: the CLI sees the same node
    assert main(["--cloud", "local-openstack", "nodes", "list"]) == 0
    out, _err = capsys.readouterr()
    assert "local-web" in out
    with omnicloud.connect("local-openstack") as driver:
        assert driver.destroy_node(driver.ex_get_node(node.id)) is True
