"""Malformed bodies are 400s naming what is wrong, never a server error: any JSON value put
anywhere in a valid VM or NIC definition is answered with a status below 500."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Raw, make_raw

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 70000) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Raw, dict[str, Any], dict[str, Any]]]:
    for raw in make_raw(operation_latency=0):
        net = f"{raw.rg}/providers/Microsoft.Network"
        vnet = raw.call(
            "PUT",
            f"{net}/virtualNetworks/fz",
            {
                "location": "eastus",
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [{"name": "s", "properties": {"addressPrefix": "10.0.0.0/24"}}],
                },
            },
        ).json()
        nic_body = {
            "location": "eastus",
            "properties": {
                "ipConfigurations": [
                    {
                        "name": "ip",
                        "properties": {
                            "subnet": {"id": vnet["properties"]["subnets"][0]["id"]},
                            "privateIPAllocationMethod": "Dynamic",
                        },
                    }
                ]
            },
        }
        nic = raw.call("PUT", f"{net}/networkInterfaces/fz-nic", nic_body).json()
        vm_body = {
            "location": "eastus",
            "tags": {"k": "v"},
            "properties": {
                "hardwareProfile": {"vmSize": "Standard_B1s"},
                "storageProfile": {
                    "imageReference": {
                        "publisher": "Debian",
                        "offer": "debian-12",
                        "sku": "12",
                        "version": "latest",
                    },
                    "osDisk": {"createOption": "FromImage", "diskSizeGB": 30},
                    "dataDisks": [{"lun": 0, "createOption": "Empty", "diskSizeGB": 1}],
                },
                "osProfile": {
                    "computerName": "fz",
                    "adminUsername": "azureuser",
                    "adminPassword": "Pa55word!123",
                    "customData": "aGk=",
                    "linuxConfiguration": {"disablePasswordAuthentication": False},
                },
                "networkProfile": {
                    "networkInterfaces": [{"id": nic["id"], "properties": {"primary": True}}]
                },
            },
        }
        yield raw, vm_body, nic_body


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _replace(body: Any, path: tuple[Any, ...], junk: Any) -> Any:
    if not path:
        return junk
    copied = copy.deepcopy(body)
    cursor = copied
    for step in path[:-1]:
        cursor = cursor[step]
    cursor[path[-1]] = junk
    return copied


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), junk=JSON)
def test_any_value_anywhere_is_a_client_error(
    world: tuple[Raw, dict[str, Any], dict[str, Any]], data: st.DataObject, junk: Any
) -> None:
    raw, vm_body, nic_body = world
    kind, body = data.draw(
        st.sampled_from([("virtualMachines", vm_body), ("networkInterfaces", nic_body)])
    )
    path = data.draw(st.sampled_from(list(_paths(body))))
    provider = "Compute" if kind == "virtualMachines" else "Network"
    url = f"{raw.rg}/providers/Microsoft.{provider}/{kind}/fuzzed"
    answer = raw.call("PUT", url, _replace(body, path, junk))
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert set(answer.json()["error"]) >= {"code", "message"}
    else:
        raw.call("DELETE", url)
