"""The Azure driver end to end on the simulator: virtual machines and their network pieces."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import pytest

from omnicloud.compute import NodeAuthPassword, NodeAuthSSHKey, NodeState
from omnicloud.compute.drivers.azure_arm import (
    AzureError,
    AzureIPAddress,
    AzureNetwork,
    AzureNodeDriver,
    AzureOperationFailedError,
    AzureQuotaError,
)
from omnicloud.errors import NotFoundError, ValidationError

from .conftest import AzSim

PUBKEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxp0y2bJ0b0mZ4pYtIxQz9rPpkq7d2Wl8sJmQ2z6w1X test"


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def _image(driver: AzureNodeDriver) -> str:
    return "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest"


def _size(driver: AzureNodeDriver) -> str:
    return "Standard_B1s"


def test_catalogue(driver: AzureNodeDriver) -> None:
    locations = driver.list_locations()
    assert "eastus" in {loc.id for loc in locations}
    east = next(loc for loc in locations if loc.id == "eastus")
    assert east.name == "East US" and east.driver is driver
    sizes = driver.list_sizes()
    b1s = next(s for s in sizes if s.name == "Standard_B1s")
    assert b1s.ram == 1024 and b1s.extra["numberOfCores"] == 1
    assert "Canonical" in driver.ex_list_publishers()
    offers = driver.ex_list_offers("Canonical")
    assert "0001-com-ubuntu-server-jammy" in offers
    skus = driver.ex_list_skus("Canonical", "0001-com-ubuntu-server-jammy")
    assert "22_04-lts-gen2" in skus
    versions = driver.ex_list_image_versions(
        "Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2"
    )
    assert versions == sorted(versions) and len(versions) == 2
    images = driver.list_images(ex_publisher="Canonical")
    assert all(i.id.count(":") == 3 and i.driver is driver for i in images)
    latest = driver.get_image(_image(driver))
    assert latest.extra["version"] == versions[-1]
    with pytest.raises(NotFoundError):
        driver.get_image("Canonical:no-such-offer:sku:1.0")
    with pytest.raises(NotFoundError):
        driver.get_image("not-a-urn")


def test_node_lifecycle_with_ssh_key(driver: AzureNodeDriver) -> None:
    name = _name("vm")
    node = driver.create_node(
        name,
        driver.list_sizes()[0],
        driver.get_image(_image(driver)),
        auth=NodeAuthSSHKey(PUBKEY),
        ex_tags={"team": "a"},
    )
    assert node.name == name and node.id.endswith(f"/virtualMachines/{name}")
    assert node.extra["tags"]["team"] == "a" and "password" not in node.extra
    ((running, ips),) = driver.wait_until_running([node], wait_period=0.02, timeout=20)
    assert running.state is NodeState.RUNNING and ips == running.public_ips and running.private_ips
    listed = {n.id: n for n in driver.list_nodes()}
    assert listed[node.id].public_ips == running.public_ips
    assert node.id in {
        n.id for n in driver.iterate_nodes(ex_resource_group=driver.ex_resource_group)
    }

    assert driver.stop_node(node) is True
    assert driver.ex_get_node(node.id).extra["power_state"] == "stopped"
    assert driver.ex_get_node(node.id).state is NodeState.STOPPED
    assert driver.start_node(node) is True
    assert driver.stop_node(node, ex_deallocate=True) is True
    deallocated = driver.ex_get_node(name)
    assert (
        deallocated.state is NodeState.STOPPED and deallocated.extra["power_state"] == "deallocated"
    )
    assert driver.start_node(node) is True and driver.reboot_node(node) is True

    nics, ips_before = driver.ex_list_nics(), driver.ex_list_public_ips()
    assert any(n.name == f"{name}-nic" for n in nics)
    assert any(i.name == f"{name}-ip" for i in ips_before)
    assert driver.destroy_node(node) is True
    with pytest.raises(NotFoundError):
        driver.ex_get_node(node.id)
    assert f"{name}-nic" not in {n.name for n in driver.ex_list_nics()}
    assert f"{name}-ip" not in {i.name for i in driver.ex_list_public_ips()}
    assert f"{name}-vnet" not in {n.name for n in driver.ex_list_networks()}
    assert not [v for v in driver.list_volumes() if v.name.startswith(name)]


def test_generated_password_and_existing_network(driver: AzureNodeDriver) -> None:
    net_name = _name("net")
    network = driver.ex_create_network(net_name)
    assert isinstance(network, AzureNetwork) and network.extra["subnets"]
    name = _name("vm")
    node = driver.create_node(
        name,
        _size(driver),
        _image(driver),
        ex_network=net_name,
        ex_public_ip=False,
        ex_nsg=f"{name}-nsg",
    )
    password = node.extra["password"]
    assert len(password) >= 12 and password not in repr(node)
    ready = driver.wait_until_running(
        [node], wait_period=0.02, timeout=20, ssh_interface="private_ips"
    )
    assert ready[0][0].public_ips == []
    assert f"{name}-nsg" in {g.name for g in driver.ex_list_network_security_groups()}
    driver.destroy_node(node)
    # the network was given, so it stays; the security group was made for the VM
    assert net_name in {n.name for n in driver.ex_list_networks()}
    assert f"{name}-nsg" not in {g.name for g in driver.ex_list_network_security_groups()}
    subnets = driver.ex_list_subnets(network)
    assert subnets and subnets[0].name == "default"
    assert driver.ex_delete_network(network) is True


def test_existing_nic_and_password(
    driver: AzureNodeDriver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the HTTP trace too
    first = driver.create_node(
        _name("vm"), _size(driver), _image(driver), auth=NodeAuthPassword("Sup3r-secret-pw!")
    )
    assert "osProfile" in caplog.text and "Sup3r-secret-pw!" not in caplog.text
    assert driver.client.tokens.token is not None
    assert driver.client.tokens.token.value not in caplog.text
    nic = next(n for n in driver.ex_list_nics() if n.id == first.extra["nics"][0])
    driver.destroy_node(first, ex_destroy_nic=False)
    second = driver.create_node(_name("vm"), _size(driver), _image(driver), ex_nic=nic)
    assert second.extra["nics"] == [nic.id]
    driver.destroy_node(second)
    assert nic.id not in {n.id for n in driver.ex_list_nics()}


def test_public_ips_and_security_groups(driver: AzureNodeDriver) -> None:
    ip = driver.ex_create_public_ip(_name("ip"))
    assert isinstance(ip, AzureIPAddress) and ip.address
    assert ip.id in {i.id for i in driver.ex_list_public_ips()}
    assert driver.ex_delete_public_ip(ip) is True
    assert ip.id not in {i.id for i in driver.ex_list_public_ips()}
    rule = {
        "name": "ssh",
        "properties": {
            "protocol": "Tcp",
            "sourcePortRange": "*",
            "destinationPortRange": "22",
            "sourceAddressPrefix": "*",
            "destinationAddressPrefix": "*",
            "access": "Allow",
            "priority": 100,
            "direction": "Inbound",
        },
    }
    group = driver.ex_create_network_security_group(_name("nsg"), ex_rules=[rule])
    assert group.extra["securityRules"][0]["name"] == "ssh"
    assert driver.ex_delete_network_security_group(group.name) is True
    groups = driver.ex_list_resource_groups()
    assert driver.ex_resource_group in {g.name for g in groups}
    extra = driver.ex_create_resource_group(_name("rg"), ex_tags={"env": "test"})
    assert extra.location == "eastus" and extra.extra["tags"] == {"env": "test"}
    driver.create_volume(1, "inside", ex_resource_group=extra.name)
    assert driver.ex_delete_resource_group(extra) is True
    assert extra.name not in {g.name for g in driver.ex_list_resource_groups()}
    assert "inside" not in {v.name for v in driver.list_volumes()}


def test_volumes_and_snapshots(driver: AzureNodeDriver) -> None:
    node = driver.create_node(_name("vm"), _size(driver), _image(driver))
    volume = driver.create_volume(8, _name("disk"))
    assert volume.size == 8 and volume.state == "available"
    assert driver.attach_volume(node, volume) is True
    attached = next(v for v in driver.list_volumes() if v.id == volume.id)
    assert attached.state == "inuse" and attached.extra["managedBy"].lower() == node.id.lower()
    assert driver.ex_get_node(node.id).extra["data_disks"][0]["lun"] == 0
    other = driver.create_volume(4, _name("disk"))
    driver.attach_volume(node, other)
    assert [d["lun"] for d in driver.ex_get_node(node.id).extra["data_disks"]] == [0, 1]
    with pytest.raises(ValidationError):
        driver.attach_volume(node, volume, ex_lun=1)
    assert driver.detach_volume(volume) is True
    assert driver.detach_volume(other) is True
    snapshot = driver.create_volume_snapshot(volume, _name("snap"))
    assert snapshot.extra["source_id"].lower() == volume.id.lower()
    assert [s.id for s in driver.list_volume_snapshots(volume)] == [snapshot.id]
    copy = driver.create_volume(8, _name("copy"), snapshot=snapshot)
    assert copy.size == 8
    assert driver.destroy_volume_snapshot(snapshot) is True
    assert driver.list_volume_snapshots(volume) == []
    for each in (volume, other, copy):
        assert driver.destroy_volume(each) is True
    driver.destroy_node(node)


def test_failed_provisioning_is_an_operation_error(az_sim: AzSim, driver: AzureNodeDriver) -> None:
    az_sim.config.provision_error_rate = 1.0
    try:
        with pytest.raises(AzureOperationFailedError) as caught:
            driver.create_node(_name("vm"), _size(driver), _image(driver))
    finally:
        az_sim.config.provision_error_rate = 0.0
    assert caught.value.code == "AllocationFailed"


def test_quota_refusal_undoes_the_network_pieces(az_sim: AzSim, driver: AzureNodeDriver) -> None:
    name = _name("vm")
    az_sim.config.core_quota = 0
    try:
        with pytest.raises(AzureQuotaError):
            driver.create_node(name, _size(driver), _image(driver), ex_nsg=f"{name}-nsg")
    finally:
        az_sim.config.core_quota = 2500
    assert not [n for n in driver.ex_list_nics() if n.name.startswith(name)]
    assert not [i for i in driver.ex_list_public_ips() if i.name.startswith(name)]
    assert not [n for n in driver.ex_list_networks() if n.name.startswith(name)]
    assert not [g for g in driver.ex_list_network_security_groups() if g.name.startswith(name)]


def test_unknown_size_is_azures_invalid_parameter(driver: AzureNodeDriver) -> None:
    with pytest.raises(AzureError) as caught:
        driver.create_node(_name("vm"), "Standard_Nope", _image(driver))
    assert caught.value.code == "InvalidParameter" and caught.value.status == 400


def test_bad_input_is_refused_before_any_request(
    make_driver: Callable[..., AzureNodeDriver],
) -> None:
    driver = make_driver(ex_resource_group=None)
    with pytest.raises(ValidationError, match="resource group"):
        driver.create_volume(1, "x")
    with pytest.raises(ValidationError):
        driver.create_volume(0, "x", ex_resource_group="rg")
    with pytest.raises(ValidationError, match="image"):
        driver.create_node("x", "Standard_B1s", "ubuntu", ex_resource_group="rg")
    with pytest.raises(NotFoundError):
        driver.ex_get_node(str(uuid.uuid4()), ex_resource_group="rg")


def test_deploy_node_runs_the_deployment_once_running(driver: AzureNodeDriver) -> None:
    seen: list[tuple[str, list[str]]] = []
    node = driver.deploy_node(
        name=_name("vm"),
        size=_size(driver),
        image=_image(driver),
        deploy=lambda made, ips: seen.append((made.id, ips)),
        auth=NodeAuthSSHKey(PUBKEY),
        wait_period=0.02,
        timeout=20,
    )
    assert seen == [(node.id, node.public_ips)] and node.public_ips
    assert node.state is NodeState.RUNNING
    driver.destroy_node(node)
