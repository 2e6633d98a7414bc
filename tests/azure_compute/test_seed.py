"""Libcloud's Azure Resource Manager example (tenant, subscription, key, secret) with only the
import changed and the endpoints pointed at the simulator; and the async twin."""

from __future__ import annotations

import anyio

from omnicloud.compute import NodeAuthSSHKey, NodeState

from .conftest import AzSim
from .test_nodes import PUBKEY


def test_libcloud_example(az_sim: AzSim) -> None:
    from omnicloud.compute.providers import get_driver
    from omnicloud.compute.types import Provider

    state, url = az_sim.state, az_sim.server.url
    cls = get_driver(Provider.AZURE_ARM)
    driver = cls(
        tenant_id=state.tenant_id,
        subscription_id=state.subscription_id,
        key=state.client_id,
        secret=state.client_secret,
        region="eastus",
        ex_resource_group=state.resource_group,
        endpoint=url,  # the only additions: where the simulator is
        ex_authority=url,
        poll_interval=0.02,
    )
    location = next(loc for loc in driver.list_locations() if loc.id == "eastus")
    size = next(s for s in driver.list_sizes(location) if s.name == "Standard_B1s")
    images = driver.list_images(location, ex_publisher="Canonical", ex_offer="ubuntu-24_04-lts")
    image = images[-1]
    auth = NodeAuthSSHKey(PUBKEY)
    node = driver.create_node(
        name="seed-vm",
        size=size,
        image=image,
        auth=auth,
        ex_resource_group=state.resource_group,
        ex_storage_account="unused",  # Libcloud's VHD storage: managed disks need none
        ex_network="seed-net",
        ex_subnet="default",
        ex_use_managed_disks=True,
        location=location,
    )
    assert node.name == "seed-vm"
    assert [n.name for n in driver.list_nodes() if n.id == node.id] == ["seed-vm"]
    quick = [
        n
        for n in driver.list_nodes(ex_fetch_power_state=False, ex_fetch_nic=False)
        if n.id == node.id
    ]
    assert quick[0].state == "unknown" and quick[0].public_ips == []
    driver.destroy_node(node, ex_destroy_nic=True, ex_destroy_vhd=True)
    # the network did not exist: create_node made it for the VM, destroy_node removed it
    assert "seed-net" not in {n.name for n in driver.ex_list_networks()}
    driver.close()


def test_async_driver(az_sim: AzSim) -> None:
    from omnicloud.compute.drivers.azure_arm import AsyncAzureNodeDriver

    async def scenario() -> None:
        async with AsyncAzureNodeDriver(**az_sim.options()) as driver:
            nodes = [
                await driver.create_node(f"async-{i}", "Standard_B1s", "Debian:debian-12:12:latest")
                for i in range(2)
            ]
            ready = await driver.wait_until_running(nodes, wait_period=0.02, timeout=20)
            assert all(n.state is NodeState.RUNNING for n, _ips in ready)
            listed = [n async for n in driver.iterate_nodes()]
            assert {n.id for n in nodes} <= {n.id for n in listed}
            for node in nodes:
                assert await driver.destroy_node(node) is True

    anyio.run(scenario)
