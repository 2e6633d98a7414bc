"""Network, disk and VM rules, in-process on a manual clock: references, addresses, in-use
conflicts, NSG rules, managed disks and snapshots, VM validation, actions and failures."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import Raw

KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 omnicloud@test"
NET = "providers/Microsoft.Network"
COMPUTE = "providers/Microsoft.Compute"


def _ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def _network(raw: Raw) -> str:
    """A vnet with one subnet, settled; the subnet id."""
    vnet = _ok(
        raw.call(
            "PUT",
            f"{raw.rg}/{NET}/virtualNetworks/net",
            {
                "location": "eastus",
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
                    "subnets": [{"name": "a", "properties": {"addressPrefix": "10.1.0.0/29"}}],
                },
            },
        )
    )
    raw.settle()
    return str(vnet["properties"]["subnets"][0]["id"])


def _nic(raw: Raw, name: str, subnet: str, **config: Any) -> Any:
    properties = {"subnet": {"id": subnet}, **config}
    body = {
        "location": "eastus",
        "properties": {"ipConfigurations": [{"name": "ip1", "properties": properties}]},
    }
    return raw.call("PUT", f"{raw.rg}/{NET}/networkInterfaces/{name}", body)


def _vm_body(nic_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "location": "eastus",
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_B2s"},
            "storageProfile": {
                "imageReference": {
                    "publisher": "Debian",
                    "offer": "debian-12",
                    "sku": "12",
                    "version": "latest",
                },
                "osDisk": {"createOption": "FromImage"},
            },
            "osProfile": {
                "computerName": "box",
                "adminUsername": "azureuser",
                "linuxConfiguration": {
                    "disablePasswordAuthentication": True,
                    "ssh": {
                        "publicKeys": [
                            {"path": "/home/azureuser/.ssh/authorized_keys", "keyData": KEY}
                        ]
                    },
                },
            },
            "networkProfile": {"networkInterfaces": [{"id": nic_id}]},
        },
    }
    body["properties"].update(changes)
    return body


def _vm(raw: Raw, name: str, subnet: str, **changes: Any) -> httpx.Response:
    nic = _ok(_nic(raw, f"{name}-nic", subnet))
    return raw.call(
        "PUT", f"{raw.rg}/{COMPUTE}/virtualMachines/{name}", _vm_body(nic["id"], **changes)
    )


def test_private_addresses_and_subnet_capacity(raw: Raw) -> None:
    subnet = _network(raw)  # a /29: .4, .5 and .6 are usable
    addresses = [
        _ok(_nic(raw, f"n{i}", subnet))["properties"]["ipConfigurations"][0]["properties"][
            "privateIPAddress"
        ]
        for i in range(3)
    ]
    assert addresses == ["10.1.0.4", "10.1.0.5", "10.1.0.6"]
    full = _nic(raw, "n3", subnet)
    assert full.status_code == 400 and full.json()["error"]["code"] == "SubnetIsFull"
    raw.call("DELETE", f"{raw.rg}/{NET}/networkInterfaces/n1")
    raw.settle()
    again = _ok(_nic(raw, "n4", subnet))
    assert (
        again["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"] == "10.1.0.5"
    )
    static = _nic(
        raw, "n5", subnet, privateIPAllocationMethod="Static", privateIPAddress="10.1.0.4"
    )
    assert static.json()["error"]["code"] == "PrivateIPAddressInUse"


def test_references_and_in_use_rules(raw: Raw) -> None:
    subnet = _network(raw)
    missing = _nic(raw, "lost", subnet.replace("/subnets/a", "/subnets/zz"))
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "InvalidResourceReference"
    pip = _ok(raw.call("PUT", f"{raw.rg}/{NET}/publicIPAddresses/ip", {"location": "eastus"}))
    assert pip["sku"]["name"] == "Standard" and pip["properties"]["ipAddress"]
    _ok(_nic(raw, "holder", subnet, publicIPAddress={"id": pip["id"]}))
    raw.settle()
    pip_busy = raw.call("DELETE", f"{raw.rg}/{NET}/publicIPAddresses/ip")
    assert pip_busy.json()["error"]["code"] == "PublicIPAddressInUse"
    taken = _nic(raw, "thief", subnet, publicIPAddress={"id": pip["id"]})
    assert taken.status_code == 400
    subnet_busy = raw.call("DELETE", f"{subnet}")
    assert subnet_busy.json()["error"]["code"] == "InUseSubnetCannotBeDeleted"
    vnet_busy = raw.call("DELETE", f"{raw.rg}/{NET}/virtualNetworks/net")
    assert vnet_busy.json()["error"]["code"] == "InUseSubnetCannotBeDeleted"
    dynamic_standard = raw.call(
        "PUT",
        f"{raw.rg}/{NET}/publicIPAddresses/dyn",
        {
            "location": "eastus",
            "sku": {"name": "Standard"},
            "properties": {"publicIPAllocationMethod": "Dynamic"},
        },
    )
    assert dynamic_standard.status_code == 400


def test_subnet_checks(raw: Raw) -> None:
    subnet = _network(raw)
    vnet = subnet.rsplit("/subnets/", 1)[0]
    outside = raw.call(
        "PUT", f"{vnet}/subnets/out", {"properties": {"addressPrefix": "10.2.0.0/24"}}
    )
    assert outside.json()["error"]["code"] == "NetcfgInvalidSubnet"
    overlap = raw.call("PUT", f"{vnet}/subnets/b", {"properties": {"addressPrefix": "10.1.0.0/24"}})
    assert overlap.json()["error"]["code"] == "NetcfgSubnetRangesOverlap"
    added = raw.call("PUT", f"{vnet}/subnets/b", {"properties": {"addressPrefix": "10.1.1.0/24"}})
    assert added.status_code == 201 and "Azure-AsyncOperation" in added.headers
    names = [s["name"] for s in _ok(raw.call("GET", f"{vnet}/subnets"))["value"]]
    assert names == ["a", "b"]
    bad = raw.call("PUT", f"{vnet}/subnets/c", {"properties": {"addressPrefix": "10.1.2.0/33"}})
    assert bad.json()["error"]["code"] == "InvalidAddressPrefixFormat"


def test_network_security_groups(raw: Raw) -> None:
    subnet = _network(raw)
    rule = {
        "name": "ssh",
        "properties": {
            "priority": 100,
            "direction": "Inbound",
            "access": "Allow",
            "protocol": "Tcp",
            "destinationPortRange": "22",
        },
    }
    nsg = _ok(
        raw.call(
            "PUT",
            f"{raw.rg}/{NET}/networkSecurityGroups/web",
            {"location": "eastus", "properties": {"securityRules": [rule]}},
        )
    )
    assert [r["name"] for r in nsg["properties"]["securityRules"]] == ["ssh"]
    assert len(nsg["properties"]["defaultSecurityRules"]) == 6
    bad = raw.call(
        "PUT",
        f"{nsg['id']}/securityRules/low",
        {"properties": {**rule["properties"], "priority": 50}},
    )
    assert bad.json()["error"]["code"] == "SecurityRuleInvalidPriority"
    clash = raw.call("PUT", f"{nsg['id']}/securityRules/http", {"properties": rule["properties"]})
    assert clash.status_code == 400
    http = {**rule["properties"], "priority": 110, "destinationPortRange": "80"}
    assert (
        raw.call("PUT", f"{nsg['id']}/securityRules/http", {"properties": http}).status_code == 201
    )
    assert len(_ok(raw.call("GET", f"{nsg['id']}/securityRules"))["value"]) == 2
    _ok(_nic(raw, "guarded", subnet))
    nic = _ok(
        raw.call(
            "PUT",
            f"{raw.rg}/{NET}/networkInterfaces/guarded",
            {
                "location": "eastus",
                "properties": {
                    "networkSecurityGroup": {"id": nsg["id"]},
                    "ipConfigurations": [{"name": "ip1", "properties": {"subnet": {"id": subnet}}}],
                },
            },
        )
    )
    assert nic["properties"]["networkSecurityGroup"]["id"] == nsg["id"]
    raw.settle()
    used = _ok(raw.call("GET", nsg["id"]))
    assert used["properties"]["networkInterfaces"] == [{"id": nic["id"]}]
    busy = raw.call("DELETE", nsg["id"])
    assert busy.json()["error"]["code"] == "InUseNetworkSecurityGroupCannotBeDeleted"


def test_vm_validation(raw: Raw) -> None:
    subnet = _network(raw)
    nic = _ok(_nic(raw, "v-nic", subnet))
    path = f"{raw.rg}/{COMPUTE}/virtualMachines/v"

    def refused(**changes: Any) -> dict[str, Any]:
        response = raw.call("PUT", path, _vm_body(nic["id"], **changes))
        assert response.status_code >= 400, response.text
        return dict(response.json()["error"])

    assert refused(hardwareProfile={"vmSize": "Standard_Nope"})["target"] == "vmSize"
    linux = {"disablePasswordAuthentication": True, "ssh": {"publicKeys": []}}
    no_auth = refused(
        osProfile={"computerName": "v", "adminUsername": "azureuser", "linuxConfiguration": linux}
    )
    assert "SSH or by user name and password" in no_auth["message"]
    root = refused(osProfile={"computerName": "v", "adminUsername": "root", "adminPassword": "x"})
    assert root["target"] == "adminUsername"
    wrong_path = {"ssh": {"publicKeys": [{"path": "/root/.ssh/authorized_keys", "keyData": KEY}]}}
    assert refused(
        osProfile={
            "computerName": "v",
            "adminUsername": "azureuser",
            "linuxConfiguration": wrong_path,
        }
    )["target"].endswith("path")
    not_b64 = refused(
        osProfile={
            "computerName": "v",
            "adminUsername": "azureuser",
            "customData": "not base64!",
            "adminPassword": "Pa55w.rd1234",
            "linuxConfiguration": {"disablePasswordAuthentication": False},
        }
    )
    assert not_b64["target"] == "customData"
    windows = {
        "imageReference": {
            "publisher": "MicrosoftWindowsServer",
            "offer": "WindowsServer",
            "sku": "2022-datacenter",
            "version": "latest",
        },
        "osDisk": {"createOption": "FromImage"},
    }
    assert (
        refused(
            storageProfile=windows, osProfile={"computerName": "v", "adminUsername": "azureuser"}
        )["target"]
        == "adminPassword"
    )
    lost = refused(networkProfile={"networkInterfaces": [{"id": nic["id"] + "x"}]})
    assert lost["code"] == "NotFound"
    assert raw.call("GET", path).status_code == 404  # nothing was left behind


def test_vm_actions_disks_and_failure(raw: Raw) -> None:
    subnet = _network(raw)
    made = _vm(raw, "app", subnet)
    assert made.status_code == 201
    vm = made.json()
    assert vm["properties"]["provisioningState"] == "Creating"
    assert vm["properties"]["storageProfile"]["imageReference"]["exactVersion"]
    path = vm["id"]
    busy = raw.call("POST", f"{path}/powerOff")
    assert busy.status_code == 409
    raw.settle()
    view = _ok(raw.call("GET", f"{path}/instanceView"))
    assert [s["code"] for s in view["statuses"]] == [
        "ProvisioningState/succeeded",
        "PowerState/running",
    ]
    stop = raw.call("POST", f"{path}/deallocate")
    assert stop.status_code == 202 and "Location" in stop.headers
    codes = [s["code"] for s in _ok(raw.call("GET", f"{path}/instanceView"))["statuses"]]
    assert codes == ["ProvisioningState/updating", "PowerState/deallocating"]
    raw.settle()
    restart = raw.call("POST", f"{path}/restart")
    assert restart.status_code == 409 and restart.json()["error"]["code"] == "OperationNotAllowed"

    disk = _ok(
        raw.call(
            "PUT",
            f"{raw.rg}/{COMPUTE}/disks/data1",
            {
                "location": "eastus",
                "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 64},
            },
        )
    )
    assert disk["properties"]["diskState"] == "Unattached"
    raw.settle()
    body = _ok(raw.call("GET", path))
    body["properties"]["storageProfile"]["dataDisks"] = [
        {"lun": 0, "createOption": "Attach", "managedDisk": {"id": disk["id"]}},
        {"lun": 1, "createOption": "Empty", "diskSizeGB": 8},
    ]
    updated = raw.call("PUT", path, body)
    assert updated.status_code == 200, updated.text
    data = updated.json()["properties"]["storageProfile"]["dataDisks"]
    assert [d["lun"] for d in data] == [0, 1] and data[1]["diskSizeGB"] == 8
    attached = _ok(raw.call("GET", disk["id"]))
    assert attached["managedBy"] == path and attached["properties"]["diskState"] == "Attached"
    assert raw.call("DELETE", disk["id"]).json()["error"]["code"] == "OperationNotAllowed"
    snap = _ok(
        raw.call(
            "PUT",
            f"{raw.rg}/{COMPUTE}/snapshots/s1",
            {
                "location": "eastus",
                "properties": {
                    "creationData": {"createOption": "Copy", "sourceResourceId": disk["id"]}
                },
            },
        )
    )
    assert snap["properties"]["diskSizeGB"] == 64
    raw.settle()
    copy = _ok(
        raw.call(
            "PUT",
            f"{raw.rg}/{COMPUTE}/disks/copy1",
            {
                "location": "eastus",
                "properties": {
                    "creationData": {"createOption": "Copy", "sourceResourceId": snap["id"]}
                },
            },
        )
    )
    assert copy["properties"]["creationData"]["sourceResourceId"] == snap["id"]

    raw.settle()
    deleted = raw.call("DELETE", path)
    assert deleted.status_code == 202
    raw.settle()
    assert raw.call("GET", path).status_code == 404
    freed = _ok(raw.call("GET", disk["id"]))
    assert "managedBy" not in freed and freed["properties"]["diskState"] == "Unattached"
    assert raw.call("DELETE", disk["id"]).status_code == 202
    names = {d["name"] for d in _ok(raw.call("GET", f"{raw.sub}/{COMPUTE}/disks"))["value"]}
    assert "copy1" in names

    raw.config.provision_error_rate = 1.0
    failing = _vm(raw, "unlucky", subnet)
    operation = failing.headers["Azure-AsyncOperation"]
    raw.settle()
    status = raw.http.get(operation, headers={"Authorization": f"Bearer {raw.token}"}).json()
    assert status["status"] == "Failed" and status["error"]["code"] == "AllocationFailed"
    view = _ok(raw.call("GET", f"{failing.json()['id']}/instanceView"))
    assert view["statuses"][0]["code"] == "ProvisioningState/failed/AllocationFailed"


def test_catalogues(raw: Raw) -> None:
    locations = _ok(raw.call("GET", f"{raw.sub}/locations"))["value"]
    assert "eastus" in {loc["name"] for loc in locations}
    sizes = _ok(raw.call("GET", f"{raw.sub}/{COMPUTE}/locations/eastus/vmSizes"))["value"]
    assert {
        "name",
        "numberOfCores",
        "memoryInMB",
        "osDiskSizeInMB",
        "resourceDiskSizeInMB",
        "maxDataDiskCount",
    } <= set(sizes[0])
    nowhere = raw.call("GET", f"{raw.sub}/{COMPUTE}/locations/mars/vmSizes")
    assert nowhere.status_code == 400
    skus = _ok(raw.call("GET", f"{raw.sub}/{COMPUTE}/skus"))["value"]
    assert skus[0]["resourceType"] == "virtualMachines"
    subnet = _network(raw)
    _ok(_vm(raw, "counted", subnet))
    usage = _ok(raw.call("GET", f"{raw.sub}/{COMPUTE}/locations/eastus/usages"))["value"]
    assert usage[0]["name"]["value"] == "cores" and usage[0]["currentValue"] == 2
    assert usage[1]["name"]["value"] == "virtualMachines" and usage[1]["currentValue"] == 1
    raw.settle()
    statuses = _ok(raw.call("GET", f"{raw.sub}/{COMPUTE}/virtualMachines", statusOnly="true"))
    view = statuses["value"][0]["properties"]["instanceView"]
    assert view["statuses"][1]["code"] == "PowerState/running"
    missing = raw.call(
        "GET",
        f"{raw.sub}/{COMPUTE}/locations/eastus/publishers/Nobody/artifacttypes/vmimage/offers",
    )
    assert missing.status_code == 404


def test_deleting_a_group_lets_go_of_other_groups_resources(raw: Raw) -> None:
    subnet = _network(raw)  # in omnicloud-rg
    pip = _ok(raw.call("PUT", f"{raw.rg}/{NET}/publicIPAddresses/shared", {"location": "eastus"}))
    _ok(raw.call("PUT", f"{raw.sub}/resourceGroups/temp", {"location": "eastus"}))
    other = f"{raw.sub}/resourceGroups/temp"
    body = {
        "location": "eastus",
        "properties": {
            "ipConfigurations": [
                {
                    "name": "ip1",
                    "properties": {"subnet": {"id": subnet}, "publicIPAddress": {"id": pip["id"]}},
                }
            ]
        },
    }
    nic = _ok(raw.call("PUT", f"{other}/{NET}/networkInterfaces/visitor", body))
    _ok(raw.call("PUT", f"{other}/{COMPUTE}/virtualMachines/guest", _vm_body(nic["id"])))
    raw.settle()
    _ok(raw.call("DELETE", other))
    raw.settle()
    vnet = _ok(raw.call("GET", subnet.rsplit("/subnets/", 1)[0]))
    assert "ipConfigurations" not in vnet["properties"]["subnets"][0]["properties"]
    assert "ipConfiguration" not in _ok(raw.call("GET", pip["id"]))["properties"]
    assert raw.call("DELETE", pip["id"]).status_code == 202


def test_vm_updates(raw: Raw) -> None:
    subnet = _network(raw)
    vm = _ok(_vm(raw, "grow", subnet))
    raw.settle()
    resized = raw.call(
        "PATCH",
        vm["id"],
        {"properties": {"hardwareProfile": {"vmSize": "Standard_B4ms"}}, "tags": {"size": "big"}},
    )
    assert resized.status_code == 200
    assert resized.json()["properties"]["provisioningState"] == "Updating"
    raw.settle()
    usage = _ok(raw.call("GET", f"{raw.sub}/{COMPUTE}/locations/eastus/usages"))["value"][0]
    assert usage["currentValue"] == 4
    raw.config.core_quota = 6
    too_big = raw.call(
        "PATCH", vm["id"], {"properties": {"hardwareProfile": {"vmSize": "Standard_D8s_v3"}}}
    )
    assert too_big.status_code == 409 and too_big.json()["error"]["code"] == "OperationNotAllowed"
    current = _ok(raw.call("GET", vm["id"]))
    assert current["properties"]["hardwareProfile"]["vmSize"] == "Standard_B4ms"
    assert current["tags"] == {"size": "big"}
    current["properties"]["osProfile"]["adminUsername"] = "someoneelse"
    renamed = raw.call("PUT", vm["id"], current)
    assert renamed.status_code == 409
    assert renamed.json()["error"]["code"] == "PropertyChangeNotAllowed"
