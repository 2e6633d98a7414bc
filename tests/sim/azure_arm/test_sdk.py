"""azure-identity, azure-mgmt-network and azure-mgmt-compute, unchanged, against the simulator
served over HTTPS: the network a VM needs, the VM's life, listings, catalogues, and failures."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
)
from azure.mgmt.compute import models as cm
from azure.mgmt.network import models as nm

from .conftest import AzSim

SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2yV1O8rEc0mG0x8mQ1V0k omnicloud@test"
UBUNTU = {
    "publisher": "Canonical",
    "offer": "0001-com-ubuntu-server-jammy",
    "sku": "22_04-lts-gen2",
    "version": "latest",
}


@pytest.fixture(scope="module")
def network(az: AzSim) -> Iterator[Any]:
    with az.network() as client:
        yield client


@pytest.fixture(scope="module")
def compute(az: AzSim) -> Iterator[Any]:
    with az.compute() as client:
        yield client


@pytest.fixture(scope="module")
def subnet_id(az: AzSim, network: Any) -> str:
    vnet = network.virtual_networks.begin_create_or_update(
        az.state.resource_group,
        "sdk-vnet",
        nm.VirtualNetwork(
            location="eastus",
            address_space=nm.AddressSpace(address_prefixes=["10.10.0.0/16"]),
            subnets=[nm.Subnet(name="default", address_prefix="10.10.1.0/24")],
        ),
    ).result()
    return str(vnet.subnets[0].id)


def _nic(az: AzSim, network: Any, name: str, subnet_id: str, pip_id: str | None = None) -> Any:
    config = nm.NetworkInterfaceIPConfiguration(name="ipconfig1", subnet=nm.Subnet(id=subnet_id))
    if pip_id is not None:
        config.public_ip_address = nm.PublicIPAddress(id=pip_id)
    return network.network_interfaces.begin_create_or_update(
        az.state.resource_group,
        name,
        nm.NetworkInterface(location="eastus", ip_configurations=[config]),
    ).result()


def _vm(nic_id: str, *, size: str = "Standard_B1s", image: dict[str, str] = UBUNTU) -> Any:
    return cm.VirtualMachine(
        location="eastus",
        hardware_profile=cm.HardwareProfile(vm_size=size),
        storage_profile=cm.StorageProfile(
            image_reference=cm.ImageReference(**image),
            os_disk=cm.OSDisk(
                create_option="FromImage",
                managed_disk=cm.ManagedDiskParameters(storage_account_type="Standard_LRS"),
            ),
        ),
        os_profile=cm.OSProfile(
            computer_name="sdkvm",
            admin_username="azureuser",
            custom_data="I2Nsb3VkLWNvbmZpZwo=",
            linux_configuration=cm.LinuxConfiguration(
                disable_password_authentication=True,
                ssh=cm.SshConfiguration(
                    public_keys=[
                        cm.SshPublicKey(
                            path="/home/azureuser/.ssh/authorized_keys", key_data=SSH_KEY
                        )
                    ]
                ),
            ),
        ),
        network_profile=cm.NetworkProfile(
            network_interfaces=[cm.NetworkInterfaceReference(id=nic_id, primary=True)]
        ),
        tags={"purpose": "sdk-test"},
    )


def _power(compute: Any, group: str, name: str) -> list[str]:
    view = compute.virtual_machines.instance_view(group, name)
    return [s.code for s in view.statuses]


def test_network_resources_are_created_as_requested(
    az: AzSim, network: Any, subnet_id: str
) -> None:
    group = az.state.resource_group
    vnet = network.virtual_networks.get(group, "sdk-vnet")
    assert vnet.provisioning_state == "Succeeded"
    assert vnet.address_space.address_prefixes == ["10.10.0.0/16"]
    assert vnet.subnets[0].id.endswith("/virtualNetworks/sdk-vnet/subnets/default")
    pip = network.public_ip_addresses.begin_create_or_update(
        group,
        "sdk-pip",
        nm.PublicIPAddress(
            location="eastus",
            sku=nm.PublicIPAddressSku(name="Standard"),
            public_ip_allocation_method="Static",
        ),
    ).result()
    assert pip.provisioning_state == "Succeeded" and pip.ip_address
    nic = _nic(az, network, "sdk-nic-net", subnet_id, pip.id)
    config = nic.ip_configurations[0]
    assert config.private_ip_address == "10.10.1.4"  # Azure keeps the first four addresses
    assert config.public_ip_address.id == pip.id
    again = _nic(az, network, "sdk-nic-net2", subnet_id)
    assert again.ip_configurations[0].private_ip_address == "10.10.1.5"
    used = network.subnets.get(group, "sdk-vnet", "default").ip_configurations
    assert {c.id.lower() for c in used} == {
        config.id.lower(),
        again.ip_configurations[0].id.lower(),
    }
    assert network.public_ip_addresses.get(group, "sdk-pip").ip_configuration.id == config.id
    tagged = network.public_ip_addresses.update_tags(
        group, "sdk-pip", nm.TagsObject(tags={"a": "b"})
    )
    assert tagged.tags == {"a": "b"} and tagged.ip_address == pip.ip_address
    network.network_interfaces.begin_delete(group, "sdk-nic-net2").result()
    names = {n.name for n in network.network_interfaces.list(group)}
    assert "sdk-nic-net2" not in names and "sdk-nic-net" in names


def test_vm_lifecycle(az: AzSim, network: Any, compute: Any, subnet_id: str) -> None:
    group = az.state.resource_group
    nic = _nic(az, network, "sdk-nic-vm", subnet_id)
    vm = compute.virtual_machines.begin_create_or_update(group, "sdk-vm", _vm(nic.id)).result()
    assert vm.provisioning_state == "Succeeded"
    assert vm.hardware_profile.vm_size == "Standard_B1s"
    assert vm.storage_profile.image_reference.exact_version
    assert vm.os_profile.custom_data is None  # never returned, as on Azure
    assert vm.tags == {"purpose": "sdk-test"}
    disk = compute.disks.get(group, vm.storage_profile.os_disk.name)
    assert disk.managed_by == vm.id and disk.disk_state == "Attached"
    attached = network.network_interfaces.get(group, "sdk-nic-vm")
    assert attached.virtual_machine.id == vm.id and attached.mac_address

    assert _power(compute, group, "sdk-vm") == ["ProvisioningState/succeeded", "PowerState/running"]
    compute.virtual_machines.begin_power_off(group, "sdk-vm").result()
    assert _power(compute, group, "sdk-vm")[1] == "PowerState/stopped"
    compute.virtual_machines.begin_start(group, "sdk-vm").result()
    assert _power(compute, group, "sdk-vm")[1] == "PowerState/running"
    compute.virtual_machines.begin_restart(group, "sdk-vm").result()
    compute.virtual_machines.begin_deallocate(group, "sdk-vm").result()
    expanded = compute.virtual_machines.get(group, "sdk-vm", expand="instanceView")
    assert [s.code for s in expanded.instance_view.statuses][1] == "PowerState/deallocated"

    compute.virtual_machines.begin_delete(group, "sdk-vm").result()
    with pytest.raises(ResourceNotFoundError):
        compute.virtual_machines.get(group, "sdk-vm")
    assert network.network_interfaces.get(group, "sdk-nic-vm").virtual_machine is None
    detached = compute.disks.get(group, vm.storage_profile.os_disk.name)  # deleteOption Detach
    assert detached.managed_by is None and detached.disk_state == "Unattached"


def test_listing_pages_through_next_links(
    az: AzSim, network: Any, compute: Any, subnet_id: str
) -> None:
    group = az.state.resource_group
    names = [f"page-vm-{i}" for i in range(5)]
    pollers = []
    for name in names:
        nic = _nic(az, network, f"{name}-nic", subnet_id)
        pollers.append(compute.virtual_machines.begin_create_or_update(group, name, _vm(nic.id)))
    for poller in pollers:
        poller.result()
    az.config.page_size = 2
    try:
        pages = list(compute.virtual_machines.list_all().by_page())
        listed = [vm.name for page in pages for vm in page]
        in_group = [vm.name for vm in compute.virtual_machines.list(group)]
    finally:
        az.config.page_size = 100
    assert len(pages) >= 3
    assert set(names) <= set(listed) and len(listed) == len(set(listed))
    assert set(names) <= set(in_group)


def test_sizes_and_images(az: AzSim, compute: Any) -> None:
    sizes = {s.name: s for s in compute.virtual_machine_sizes.list("eastus")}
    assert sizes["Standard_B1s"].number_of_cores == 1
    assert sizes["Standard_B1s"].memory_in_mb == 1024
    publishers = {p.name for p in compute.virtual_machine_images.list_publishers("eastus")}
    assert {"Canonical", "Debian", "MicrosoftWindowsServer"} <= publishers
    offers = {o.name for o in compute.virtual_machine_images.list_offers("eastus", "Canonical")}
    assert "ubuntu-24_04-lts" in offers
    skus = {
        s.name for s in compute.virtual_machine_images.list_skus("eastus", "Debian", "debian-12")
    }
    assert "12" in skus
    versions = compute.virtual_machine_images.list(
        "eastus", "Canonical", "ubuntu-24_04-lts", "server"
    )
    latest = versions[-1].name
    image = compute.virtual_machine_images.get(
        "eastus", "Canonical", "ubuntu-24_04-lts", "server", latest
    )
    assert image.os_disk_image.operating_system == "Linux"


def test_wrong_secret_is_refused(az: AzSim) -> None:
    compute = az.compute(az.credential("not-the-secret"))
    with pytest.raises(ClientAuthenticationError) as caught:
        list(compute.virtual_machine_sizes.list("eastus"))
    assert "AADSTS7000215" in str(caught.value)
    assert az.state.client_secret not in str(caught.value)


def test_unknown_image(az: AzSim, network: Any, compute: Any, subnet_id: str) -> None:
    nic = _nic(az, network, "bad-image-nic", subnet_id)
    image = {"publisher": "Canonical", "offer": "no-such-offer", "sku": "1", "version": "latest"}
    with pytest.raises(ResourceNotFoundError) as caught:
        compute.virtual_machines.begin_create_or_update(
            az.state.resource_group, "bad-image", _vm(nic.id, image=image)
        )
    assert caught.value.error.code == "PlatformImageNotFound"
    assert (
        network.network_interfaces.get(az.state.resource_group, "bad-image-nic").virtual_machine
        is None
    )


def test_core_quota(az: AzSim, network: Any, compute: Any, subnet_id: str) -> None:
    nic = _nic(az, network, "quota-nic", subnet_id)
    az.config.core_quota = 4
    try:
        with pytest.raises(HttpResponseError) as caught:
            compute.virtual_machines.begin_create_or_update(
                az.state.resource_group, "too-big", _vm(nic.id, size="Standard_D8s_v3")
            )
    finally:
        az.config.core_quota = 2500
    assert caught.value.status_code == 409
    assert caught.value.error.code == "OperationNotAllowed"
    assert "Total Regional Cores quota" in caught.value.error.message


def test_not_found_and_nic_in_use(az: AzSim, network: Any, compute: Any, subnet_id: str) -> None:
    group = az.state.resource_group
    with pytest.raises(ResourceNotFoundError) as caught:
        compute.virtual_machines.get(group, "never-made")
    assert caught.value.error.code == "ResourceNotFound"
    with pytest.raises(ResourceNotFoundError) as missing_group:
        network.virtual_networks.get("no-such-group", "x")
    assert missing_group.value.error.code == "ResourceGroupNotFound"
    nic = _nic(az, network, "busy-nic", subnet_id)
    compute.virtual_machines.begin_create_or_update(group, "busy-vm", _vm(nic.id)).result()
    with pytest.raises(HttpResponseError) as in_use:
        network.network_interfaces.begin_delete(group, "busy-nic")
    assert in_use.value.status_code == 400 and in_use.value.error.code == "NicInUse"
    compute.virtual_machines.begin_delete(group, "busy-vm").result()
    network.network_interfaces.begin_delete(group, "busy-nic").result()
    with pytest.raises(ResourceNotFoundError):
        network.network_interfaces.get(group, "busy-nic")


def test_async_clients(az: AzSim) -> None:
    from azure.identity.aio import ClientSecretCredential
    from azure.mgmt.network.aio import NetworkManagementClient

    async def scenario() -> list[str]:
        async with (
            ClientSecretCredential(
                az.state.tenant_id,
                az.state.client_id,
                az.state.client_secret,
                authority=az.url,
                disable_instance_discovery=True,
                connection_verify=str(az.cert),
            ) as credential,
            NetworkManagementClient(
                credential,
                az.state.subscription_id,
                base_url=az.url,
                connection_verify=str(az.cert),
                polling_interval=0.01,
            ) as network,
        ):
            poller = await network.public_ip_addresses.begin_create_or_update(
                az.state.resource_group, "async-pip", nm.PublicIPAddress(location="eastus")
            )
            made = await poller.result()
            assert made.provisioning_state == "Succeeded"
            return [p.name async for p in network.public_ip_addresses.list_all()]

    assert "async-pip" in asyncio.run(scenario())
