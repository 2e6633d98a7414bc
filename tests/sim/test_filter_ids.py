"""Ids used as list filters or as ``hostid`` must name an entity, as ParamProcessWorker checks.

CloudStack looks a uuid parameter up including removed entities (``findByUuidIncludingRemoved``)
and answers 431 when none has it; a removed entity still resolves (the list is then empty).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from omnicloud.sim.cloudstack import CloudStackState

from .conftest import Sim

# (command, parameter, other parameters the command needs)
FILTERS = [
    ("listVirtualMachines", "id", {}),
    ("listVirtualMachines", "zoneid", {}),
    ("listVirtualMachines", "templateid", {}),
    ("listVirtualMachines", "serviceofferingid", {}),
    ("listVirtualMachines", "networkid", {}),
    ("listVirtualMachines", "hostid", {}),
    ("listVirtualMachines", "ids", {}),
    ("listVolumes", "id", {}),
    ("listVolumes", "virtualmachineid", {}),
    ("listVolumes", "zoneid", {}),
    ("listVolumes", "diskofferingid", {}),
    ("listTemplates", "id", {"templatefilter": "executable"}),
    ("listTemplates", "zoneid", {"templatefilter": "executable"}),
    ("listIsos", "id", {}),
    ("listNetworks", "id", {}),
    ("listNetworks", "zoneid", {}),
    ("listNetworks", "vpcid", {}),
    ("listPublicIpAddresses", "id", {}),
    ("listPublicIpAddresses", "zoneid", {}),
    ("listPublicIpAddresses", "associatednetworkid", {}),
    ("listSnapshots", "id", {}),
    ("listSnapshots", "volumeid", {}),
    ("listPortForwardingRules", "id", {}),
    ("listPortForwardingRules", "ipaddressid", {}),
    ("listPortForwardingRules", "networkid", {}),
    ("listPortForwardingRules", "virtualmachineid", {}),
    ("listFirewallRules", "id", {}),
    ("listFirewallRules", "ipaddressid", {}),
    ("listFirewallRules", "networkid", {}),
    ("listEgressFirewallRules", "networkid", {}),
    ("listIpForwardingRules", "ipaddressid", {}),
    ("listLoadBalancerRules", "id", {}),
    ("listLoadBalancerRules", "publicipid", {}),
    ("listLoadBalancerRules", "virtualmachineid", {}),
    ("listLoadBalancerRules", "zoneid", {}),
    ("listLoadBalancerRules", "networkid", {}),
    ("listSecurityGroups", "id", {}),
    ("listSecurityGroups", "virtualmachineid", {}),
    ("listAffinityGroups", "id", {}),
    ("listAffinityGroups", "virtualmachineid", {}),
    ("listServiceOfferings", "id", {}),
    ("listServiceOfferings", "zoneid", {}),
    ("listDiskOfferings", "id", {}),
    ("listNetworkOfferings", "id", {}),
    ("listVPCs", "id", {}),
    ("listVPCs", "zoneid", {}),
    ("listRouters", "hostid", {}),
]


def _invalid(command: str, name: str, value: str) -> str:
    return (
        f"Unable to execute API command {command.lower()} due to invalid value. Invalid "
        f"parameter {name} value={value} due to incorrect long value format, or entity does not "
        "exist or due to incorrect parameter annotation for the field in api cmd class."
    )


@pytest.mark.parametrize(("command", "name", "extra"), FILTERS)
def test_unknown_ids_as_filters_get_431(
    sim: Sim, command: str, name: str, extra: dict[str, str]
) -> None:
    unknown = str(uuid.uuid4())
    status, body = sim.error(command, **{name: unknown}, **extra)
    assert status == 431
    assert body["errortext"] == _invalid(command, name, unknown)


def test_known_ids_still_filter(sim: Sim) -> None:
    vm = sim.deploy()
    zone = sim.zone()
    for name in ("id", "zoneid", "templateid", "serviceofferingid", "hostid"):
        listed = sim.call("listVirtualMachines", **{name: vm[name]})
        assert [v["id"] for v in listed["virtualmachine"]] == [vm["id"]], name
    network = vm["nic"][0]["networkid"]
    assert sim.call("listVirtualMachines", networkid=network)["count"] == 1
    assert sim.call("listVolumes", virtualmachineid=vm["id"])["count"] == 1
    assert sim.call("listVolumes", zoneid=zone["id"])["count"] == 1
    other_zone = sim.zone("Sandbox-Advanced")
    assert sim.call("listVirtualMachines", zoneid=other_zone["id"]) == {}


def test_filters_naming_removed_entities_list_nothing(sim: Sim) -> None:
    vm = sim.deploy()
    (root,) = sim.call("listVolumes", virtualmachineid=vm["id"])["volume"]
    sim.run("destroyVirtualMachine", id=vm["id"], expunge="true")
    assert sim.state.store.get("vm", vm["id"]) is None  # gone from the store
    assert sim.call("listVirtualMachines", id=vm["id"]) == {}
    assert sim.call("listVolumes", virtualmachineid=vm["id"]) == {}
    assert sim.call("listVolumes", id=root["id"]) == {}
    assert sim.call("listPortForwardingRules", virtualmachineid=vm["id"]) == {}
    # the kind matters: a removed VM's id does not name a volume
    status, body = sim.error("listVolumes", id=vm["id"])
    assert status == 431
    assert body["errortext"] == _invalid("listVolumes", "id", vm["id"])


def test_removed_ids_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "cs.db"
    state = CloudStackState(path)
    with state.store.transaction():
        state.store.put("vm", {"id": "0c7a4a58-1a0b-4d6e-9a43-1d2f6f0c9b11", "name": "x"})
    with state.store.transaction():
        state.store.delete("0c7a4a58-1a0b-4d6e-9a43-1d2f6f0c9b11")
    state.close()
    again = CloudStackState(path)
    assert again.store.known("vm", "0c7a4a58-1a0b-4d6e-9a43-1d2f6f0c9b11")
    assert not again.store.known("volume", "0c7a4a58-1a0b-4d6e-9a43-1d2f6f0c9b11")
    again.close()


def test_a_rolled_back_delete_leaves_no_tombstone(sim: Sim) -> None:
    store = sim.state.store
    ident = str(uuid.uuid4())
    with store.transaction():
        store.put("vm", {"id": ident, "name": "x"})
    with pytest.raises(RuntimeError), store.transaction():
        store.delete(ident)
        raise RuntimeError("undo")
    assert store.kind_of(ident) == "vm"
    with store.transaction():
        store.delete(ident)
        store.put("vm", {"id": ident, "name": "again"})  # an id used again is live, not removed
    assert store.known("vm", ident)


def test_filters_need_no_ownership(sim: Sim) -> None:
    vm = sim.deploy()  # the admin's
    assert sim.call("listVirtualMachines", "alice", id=vm["id"]) == {}
    assert sim.call("listVolumes", "alice", virtualmachineid=vm["id"]) == {}


def test_non_uuid_filter_values(sim: Sim) -> None:
    sim.deploy()
    # a pre-3.x parameter takes an internal (numeric) id: the simulator has none to match
    assert sim.call("listVirtualMachines", id="123") == {}
    # ...and anything else is looked up as a uuid
    status, body = sim.error("listVirtualMachines", zoneid="zone-1")
    assert status == 431
    assert body["errortext"] == _invalid("listVirtualMachines", "zoneid", "zone-1")
    # a parameter added since 3.x ignores a value that is not a uuid (the server sets null)
    assert sim.call("listVirtualMachines", ids="not-a-uuid") == {}


def test_hosts_are_known_entities(sim: Sim) -> None:
    vm = sim.deploy()
    host = vm["hostid"]
    unknown = str(uuid.uuid4())
    # a host-like id of an unknown zone, and one past the zone's hosts
    near = host[:24] + "000000000009"
    for value in (unknown, near):
        status, body = sim.error("listVirtualMachines", hostid=value)
        assert status == 431
        assert body["errortext"] == _invalid("listVirtualMachines", "hostid", value)
    args = {
        "zoneid": sim.zone()["id"],
        "templateid": sim.template()["id"],
        "serviceofferingid": sim.offering()["id"],
    }
    status, body = sim.error("deployVirtualMachine", hostid=unknown, **args)
    assert status == 431
    assert body["errortext"] == _invalid("deployVirtualMachine", "hostid", unknown)
    placed = sim.run("deployVirtualMachine", hostid=host, **args)["virtualmachine"]
    assert placed["state"] == "Running"
    sim.run("stopVirtualMachine", id=placed["id"])
    status, body = sim.error("startVirtualMachine", id=placed["id"], hostid=unknown)
    assert status == 431
    assert body["errortext"] == _invalid("startVirtualMachine", "hostid", unknown)


def test_our_driver_reports_unknown_ids_as_not_found(live: Sim) -> None:
    from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver
    from omnicloud.errors import NotFoundError

    key, secret = live.keys["alice"]
    unknown = str(uuid.uuid4())
    with CloudStackNodeDriver(key, secret, url=live.endpoint) as driver:
        for lookup in (driver.ex_get_node, driver.get_image, driver.ex_get_volume):
            with pytest.raises(NotFoundError, match="not found"):
                lookup(unknown)
