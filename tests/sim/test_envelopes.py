"""Envelopes, list shapes, pagination rules, error bodies, permissions (531) and limits (532)."""

from __future__ import annotations

import pytest

from .conftest import Sim


def test_list_shape_count_is_total(sim: Sim) -> None:
    sim.state.bulk_create_vms(7)
    body = sim.call("listVirtualMachines", page=1, pagesize=3)
    assert body["count"] == 7
    assert len(body["virtualmachine"]) == 3
    assert body["virtualmachine"][0]["name"] == "bulk-1"
    last = sim.call("listVirtualMachines", page=3, pagesize=3)
    assert [vm["name"] for vm in last["virtualmachine"]] == ["bulk-7"]


def test_empty_list_is_empty_object(sim: Sim) -> None:
    assert sim.call("listVirtualMachines") == {}
    assert sim.request("listVolumes").json() == {"listvolumesresponse": {}}


def test_page_past_the_end_has_only_count(sim: Sim) -> None:
    sim.state.bulk_create_vms(4)
    assert sim.call("listVirtualMachines", page=5, pagesize=2) == {"count": 4}


def test_page_without_pagesize_is_431(sim: Sim) -> None:
    status, body = sim.error("listZones", page=1)
    assert status == 431
    assert body["errortext"] == '"pagesize" parameter is required when "page" is specified'
    assert body["cserrorcode"] == 4350 and body["errorcode"] == 431 and body["uuidList"] == []


def test_pagesize_without_page_is_431_unless_minus_one(sim: Sim) -> None:
    status, _ = sim.error("listZones", pagesize=10)
    assert status == 431
    assert sim.call("listZones", pagesize=-1)["count"] == 2


def test_pagesize_over_max_is_431(sim: Sim) -> None:
    status, body = sim.error("listZones", page=1, pagesize=501)
    assert status == 431
    assert body["errortext"] == "Page size can't exceed max allowed page size value: 500"
    sim.config.max_page_size = 20
    _, body = sim.error("listZones", page=1, pagesize=21)
    assert body["errortext"].endswith("value: 20")


def test_unpaged_list_returns_first_max_items_but_total_count(sim: Sim) -> None:
    sim.config.max_page_size = 5
    sim.state.bulk_create_vms(12)
    body = sim.call("listVirtualMachines")
    assert body["count"] == 12 and len(body["virtualmachine"]) == 5
    assert len(sim.call("listVirtualMachines", pagesize=-1)["virtualmachine"]) == 12


def test_missing_required_parameter_is_431_with_cloudstack_wording(sim: Sim) -> None:
    response = sim.request("deployVirtualMachine", templateid="x")
    assert response.status_code == 431
    body = response.json()["deployvirtualmachineresponse"]
    assert body["errortext"] == (
        "Unable to execute API command deployvirtualmachine due to missing parameter "
        "serviceofferingid"
    )
    assert response.headers["x-description"] == body["errortext"]


def test_unknown_id_is_431(sim: Sim) -> None:
    status, body = sim.error("startVirtualMachine", id="2c1e0d1b-0000-0000-0000-000000000000")
    assert status == 431
    assert "Invalid parameter id value=2c1e0d1b" in body["errortext"]


def test_bad_integer_is_431(sim: Sim) -> None:
    status, _ = sim.error("listZones", page="abc", pagesize=5)
    assert status == 431


def test_special_response_name_for_restore(sim: Sim) -> None:
    vm = sim.deploy()
    response = sim.request("restoreVirtualMachine", virtualmachineid=vm["id"])
    assert list(response.json()) == ["restorevmresponse"]
    assert "jobid" in response.json()["restorevmresponse"]


def test_async_create_returns_jobid_and_id(sim: Sim) -> None:
    body = sim.call(
        "deployVirtualMachine",
        zoneid=sim.zone()["id"],
        templateid=sim.template()["id"],
        serviceofferingid=sim.offering()["id"],
    )
    assert set(body) == {"jobid", "id"}
    sim.wait(body["jobid"])


def test_xml_when_response_is_not_json(sim: Sim) -> None:
    params = sim.signed(command="listZones", response="xml")
    response = sim.http.get(sim.endpoint, params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=UTF-8"
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?><listzonesresponse')
    assert "<name>Sandbox-Basic</name>" in response.text


def test_dates_use_cloudstack_format(sim: Sim) -> None:
    vm = sim.deploy()
    assert vm["created"].endswith("+0000") and len(vm["created"]) == 24


def test_admin_only_command_is_531_for_users(sim: Sim) -> None:
    status, body = sim.error("listPods", "alice")
    assert status == 531 and body["cserrorcode"] == 4365
    assert sim.call("listPods")["count"] == 2


def test_other_accounts_resource_is_531(sim: Sim) -> None:
    vm = sim.deploy("alice")
    status, body = sim.error("stopVirtualMachine", "bob", id=vm["id"])
    assert status == 531 and body["errorcode"] == 531


def test_users_see_only_their_own_resources(sim: Sim) -> None:
    sim.deploy("alice", name="alice-vm")
    sim.deploy("bob", name="bob-vm")

    def names(who: str, **kw: str) -> list[str]:
        listed = sim.call("listVirtualMachines", who, **kw).get("virtualmachine", [])
        return [vm["name"] for vm in listed]

    assert names("alice") == ["alice-vm"]
    assert names("alice", listall="true") == ["alice-vm"]
    assert names("admin") == []
    assert sorted(names("admin", listall="true")) == ["alice-vm", "bob-vm"]
    assert names("admin", account="bob") == ["bob-vm"]
    status, _ = sim.error("listVirtualMachines", "alice", account="bob")
    assert status == 531


def test_resource_limit_is_532(sim: Sim) -> None:
    sim.call("updateResourceLimit", resourcetype=0, max=1, account="bob")
    sim.deploy("bob")
    status, body = sim.error(
        "deployVirtualMachine",
        "bob",
        zoneid=sim.zone()["id"],
        templateid=sim.template()["id"],
        serviceofferingid=sim.offering()["id"],
    )
    assert status == 532
    assert body["errortext"].startswith(
        "Maximum number of resources of type 'user_vm' for account name=bob"
    )
    limits = sim.call("listResourceLimits", "bob", resourcetype=0)["resourcelimit"]
    assert limits == [
        {
            "account": "bob",
            "domainid": limits[0]["domainid"],
            "domain": "ROOT",
            "resourcetype": "0",
            "resourcetypename": "user_vm",
            "max": 1,
        }
    ]


def test_volume_limit_is_532(sim: Sim) -> None:
    sim.call("updateResourceLimit", resourcetype=2, max=1, account="alice")
    small = sim.call("listDiskOfferings", name="Small")["diskoffering"][0]
    zone = sim.zone()["id"]
    sim.run("createVolume", "alice", name="d0", diskofferingid=small["id"], zoneid=zone)
    status, body = sim.error(
        "createVolume", "alice", name="d1", diskofferingid=small["id"], zoneid=sim.zone()["id"]
    )
    assert status == 532 and "'volume'" in body["errortext"]


def test_list_resource_limits_default(sim: Sim) -> None:
    limits = sim.call("listResourceLimits", "alice")
    assert limits["count"] == 12
    assert {row["resourcetypename"]: row["max"] for row in limits["resourcelimit"]}["user_vm"] == 20
    admin = sim.call("listResourceLimits")["resourcelimit"]
    assert all(row["max"] == -1 for row in admin)


def test_list_apis_describes_declared_commands(sim: Sim) -> None:
    apis = {api["name"]: api for api in sim.call("listApis")["api"]}
    deploy = apis["deployVirtualMachine"]
    assert deploy["isasync"] is True
    params = {p["name"]: p for p in deploy["params"]}
    assert params["zoneid"]["required"] is True and params["zoneid"]["type"] == "uuid"
    assert params["details"]["type"] == "map"
    assert apis["listZones"]["isasync"] is False
    assert "keyword" in {p["name"] for p in apis["listZones"]["params"]}
    user_apis = {api["name"] for api in sim.call("listApis", "alice")["api"]}
    assert "listPods" in apis and "listPods" not in user_apis
    one = sim.call("listApis", name="startVirtualMachine")
    assert one["count"] == 1


@pytest.mark.parametrize(
    ("command", "key"),
    [
        ("listZones", "zone"),
        ("listServiceOfferings", "serviceoffering"),
        ("listDiskOfferings", "diskoffering"),
        ("listOsTypes", "ostype"),
        ("listNetworks", "network"),
        ("listSecurityGroups", "securitygroup"),
        ("listResourceLimits", "resourcelimit"),
    ],
)
def test_item_keys(sim: Sim, command: str, key: str) -> None:
    body = sim.call(command)
    assert body["count"] == len(body[key]) > 0
