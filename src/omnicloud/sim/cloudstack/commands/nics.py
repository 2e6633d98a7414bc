"""NICs of virtual machines: listNics, addNicToVirtualMachine, removeNicFromVirtualMachine."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import allocate_ips, mac_addresses, render
from .._registry import Command, Declaration, Param, command
from .._store import Doc
from .._vmbuild import build_nic

_VM = Param(
    "virtualmachineid",
    "uuid",
    required=True,
    entity="vm",
    description="the ID of the virtual machine",
)


@command(
    "listNics",
    params=(
        _VM,
        Param("nicid", "uuid", description="the ID of the nic to list IPs"),
        Param("networkid", "uuid", description="list nic of the specific vm's network"),
    ),
    list_key="nic",
)
def list_nics(call: Call) -> Listing:
    """List the NICs of a virtual machine."""
    vm = call.need_ref("virtualmachineid")
    nics = [dict(nic) for nic in vm.get("nic", [])]
    if call.has("nicid"):
        nics = [n for n in nics if n["id"] == call.text("nicid")]
    if call.has("networkid"):
        nics = [n for n in nics if n["networkid"] == call.text("networkid")]
    return call.listing(nics)


add = command(
    "addNicToVirtualMachine",
    is_async=True,
    params=(
        _VM,
        Param("networkid", "uuid", required=True, entity="network", description="Network ID"),
        Param("ipaddress", "string", description="IP Address for the new network"),
        Param("macaddress", "string", description="Mac Address for the new network"),
    ),
)


@add
def _add(call: Call) -> Pending:
    """Adds VM to specified network by creating a NIC."""
    vm = call.need_ref("virtualmachineid")
    network = call.need_ref("networkid")
    if network["zoneid"] != vm["zoneid"]:
        raise err.param_error("The network and the VM are not in the same zone")
    if any(nic["networkid"] == network["id"] for nic in vm.get("nic", [])):
        raise err.param_error(
            f"A NIC already exists for VM {vm['instancename']} in network {network['id']}"
        )
    return Pending("VirtualMachine", vm["id"], payload={"vm": vm["id"], "network": network["id"]})


@add.finisher
def _added(call: Call, payload: Doc) -> Doc:
    vm = call.state.store.get("vm", payload["vm"])
    network = call.state.store.get("network", payload["network"])
    if vm is None or network is None:
        raise err.param_error("The VM or the network no longer exists")
    ip = call.text("ipaddress") or allocate_ips(call.state, network)[0]
    mac = call.text("macaddress") or mac_addresses(call.state)[0]
    vm["nic"] = [*vm.get("nic", []), build_nic(network, ip, mac, len(vm.get("nic", [])), vm["id"])]
    call.state.store.save(vm)
    return {"virtualmachine": render(call.state, vm)}


remove = command(
    "removeNicFromVirtualMachine",
    is_async=True,
    params=(_VM, Param("nicid", "uuid", required=True, description="NIC ID")),
)


@remove
def _remove(call: Call) -> Pending:
    """Removes VM from specified network by deleting a NIC."""
    vm = call.need_ref("virtualmachineid")
    nic_id = call.need_text("nicid")
    nic = next((n for n in vm.get("nic", []) if n["id"] == nic_id), None)
    if nic is None:
        raise err.invalid(call.command.name, "nicid", nic_id)
    if nic.get("isdefault"):
        raise err.param_error("Unable to remove nic from VM: it is the default nic of the VM")
    return Pending("VirtualMachine", vm["id"], payload={"vm": vm["id"], "nic": nic_id})


@remove.finisher
def _removed(call: Call, payload: Doc) -> Doc:
    vm = call.state.store.get("vm", payload["vm"])
    if vm is None:
        raise err.param_error("The VM no longer exists")
    vm["nic"] = [n for n in vm.get("nic", []) if n["id"] != payload["nic"]]
    call.state.store.save(vm)
    return {"virtualmachine": render(call.state, vm)}


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    list_nics,
    add,
    remove,
)
