"""A VM's power: ``instanceView``, the start/powerOff/deallocate/restart actions, and the
effects that settle them. The power state lives in the VM document's ``_power``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _lro
from ._errors import ArmError, conflict
from ._publicips import assign_dynamic, release_dynamic
from ._request import Reply, Req, need, resource_id
from ._state import AzureState, iso
from ._store import Doc

__all__ = ["ROUTES", "allocated", "check_idle", "instance_view", "vm_public_ips"]

PROVIDER = "Microsoft.Compute"
TYPE = "Microsoft.Compute/virtualMachines"
_BASE = "subscriptions/*/resourcegroups/*/providers/microsoft.compute/virtualmachines/*"
_DISPLAY = {
    "running": "VM running",
    "stopped": "VM stopped",
    "deallocated": "VM deallocated",
    "starting": "VM starting",
    "stopping": "VM stopping",
    "deallocating": "VM deallocating",
}
_ACTIONS = {  # action -> (transitional power state, final power state)
    "start": ("starting", "running"),
    "poweroff": ("stopping", "stopped"),
    "deallocate": ("deallocating", "deallocated"),
    "restart": ("starting", "running"),
}


def allocated(state: AzureState, vm_id: str) -> bool:
    """Whether the VM holds its hardware (anything but deallocat(ing|ed))."""
    vm = state.store.get(vm_id)
    return vm is not None and vm.get("_power") not in ("deallocated", "deallocating")


def vm_public_ips(state: AzureState, vm: Doc) -> list[str]:
    """The public IP address ids of the VM's NICs."""
    found = []
    for ref in vm["properties"]["networkProfile"]["networkInterfaces"]:
        nic = state.store.get(ref["id"])
        for config in (nic or {}).get("properties", {}).get("ipConfigurations", []):
            pip = config["properties"].get("publicIPAddress")
            if pip:
                found.append(pip["id"])
    return found


def _status(code: str, display: str, when: float | None, level: str = "Info") -> Doc:
    status: Doc = {"code": code, "level": level, "displayStatus": display}
    if when is not None:
        status["time"] = iso(when)
    return status


def instance_view(state: AzureState, vm: Doc) -> Doc:
    """The VM's ``instanceView`` document."""
    p = vm["properties"]
    provisioning = p["provisioningState"]
    changed = vm.get("_changed", vm.get("_created"))
    if provisioning == "Failed":
        failure = vm.get("_failure", {"code": "InternalError", "message": "Failed."})
        first = _status(
            f"ProvisioningState/failed/{failure['code']}", "Provisioning failed", changed, "Error"
        )
        first["message"] = failure["message"]
    elif provisioning == "Succeeded":
        first = _status("ProvisioningState/succeeded", "Provisioning succeeded", changed)
    else:
        first = _status(f"ProvisioningState/{provisioning.lower()}", provisioning, None)
    statuses = [first]
    power = str(vm.get("_power", "starting"))
    statuses.append(_status(f"PowerState/{power}", _DISPLAY.get(power, power), None))
    os_disk = p["storageProfile"]["osDisk"]
    view: dict[str, Any] = {
        "computerName": p.get("osProfile", {}).get("computerName"),
        "hyperVGeneration": vm.get("_generation", "V2"),
        "disks": [
            {
                "name": disk["name"],
                "statuses": [
                    _status("ProvisioningState/succeeded", "Provisioning succeeded", changed)
                ],
            }
            for disk in [os_disk, *p["storageProfile"].get("dataDisks", [])]
        ],
        "statuses": statuses,
    }
    if power == "running" and provisioning == "Succeeded":
        view["vmAgent"] = {
            "vmAgentVersion": "2.12.0.2",
            "statuses": [_status("ProvisioningState/succeeded", "Ready", changed)],
            "extensionHandlers": [],
        }
        view["vmAgent"]["statuses"][0]["message"] = "Guest Agent is running"
    if view["computerName"] is None:
        del view["computerName"]
    return view


def _vm(req: Req) -> Doc:
    _, group, name = req.args[:3]
    return need(req, resource_id(req, group, TYPE, name), TYPE, name, group)


def _instance_view(req: Req) -> Reply:
    vm = _vm(req)
    return Reply(200, instance_view(req.state, vm))


def check_idle(vm: Doc, action: str) -> None:
    """409 while another operation runs on the VM."""
    state = vm["properties"]["provisioningState"]
    if state in ("Creating", "Updating", "Deleting"):
        raise conflict(
            "OperationNotAllowed" if state == "Deleting" else "Conflict",
            f"Operation '{action}' is not allowed on VM '{vm['name']}' since the VM is "
            f"{'being deleted' if state == 'Deleting' else 'busy with another operation'}.",
        )


def _action(req: Req, action: str) -> Reply:
    vm = _vm(req)
    check_idle(vm, action)
    if action == "restart" and vm.get("_power") in ("deallocated", "deallocating"):
        raise ArmError(
            409,
            "OperationNotAllowed",
            f"Operation 'restart' is not allowed on VM '{vm['name']}' since the VM is "
            "deallocated. Start the VM instead.",
        )
    transitional, final = _ACTIONS[action]
    vm["_power"] = transitional
    vm["properties"]["provisioningState"] = "Updating"
    req.state.store.save(vm)
    op = _lro.start(
        req,
        PROVIDER,
        vm["location"],
        [{"do": "vm.power", "id": vm["id"], "to": final}],
        kind="post",
    )
    return Reply(202, None, _lro.headers(req, op, location=True))


@_lro.effect("vm.power")
def _power(state: AzureState, step: Doc) -> None:
    vm = state.store.get(step["id"])
    if vm is None:
        return
    vm["_power"] = step["to"]
    vm["_changed"] = state.clock.now()
    if vm["properties"]["provisioningState"] in ("Creating", "Updating"):
        vm["properties"]["provisioningState"] = "Succeeded"
    state.store.save(vm)
    for pip in vm_public_ips(state, vm):
        if step["to"] == "running":
            assign_dynamic(state, pip)
        elif step["to"] == "deallocated":
            release_dynamic(state, pip)


def _handler(action: str) -> Callable[[Req], Reply]:
    return lambda req: _action(req, action)


ROUTES = [
    ("GET", f"{_BASE}/instanceview", _instance_view),
    *(("POST", f"{_BASE}/{action}", _handler(action)) for action in _ACTIONS),
]
