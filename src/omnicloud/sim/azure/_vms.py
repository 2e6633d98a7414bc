"""``Microsoft.Compute/virtualMachines``: create (with its OS disk), update, read, list and
delete; power actions and ``instanceView`` are in :mod:`._vmpower`."""

from __future__ import annotations

import random
import uuid

from . import _lro
from ._catalog import Size
from ._common import location_of, tags_of, take_tags
from ._disks import data_disks, default_storage, os_disk, release_disk
from ._errors import conflict, invalid_parameter
from ._offers import image_version_id
from ._publicips import release_dynamic
from ._request import Reply, Req, existing, need, paged, resource_id
from ._shapes import VM
from ._state import AzureState, iso, public
from ._store import Doc
from ._vmbuild import check_nics, image_of, os_profile, section, size_of
from ._vmpower import check_idle, instance_view, vm_public_ips

__all__ = ["ROUTES"]

PROVIDER = "Microsoft.Compute"
TYPE = "Microsoft.Compute/virtualMachines"
_RG = "subscriptions/*/resourcegroups/*/providers/microsoft.compute/virtualmachines"


def _check_quota(req: Req, location: str, extra: int) -> None:
    limit = int(req.config.core_quota)
    usage = req.state.store.usage("vm", location)[1]
    if usage + extra > limit:
        raise conflict(
            "OperationNotAllowed",
            "Operation could not be completed as it results in exceeding approved Total "
            f"Regional Cores quota. Additional details - Deployment Model: Resource Manager, "
            f"Location: {location}, Current Limit: {limit}, Current Usage: {usage}, Additional "
            f"Required: {extra}, (Minimum) New Limit Required: {usage + extra}. Submit a "
            "request for Quota increase at https://aka.ms/ProdportalCRP by specifying "
            "parameters listed in the 'Details' section for deployment to succeed.",
        )


def _mac() -> str:
    return "00-0D-3A-" + "-".join(f"{random.randrange(256):02X}" for _ in range(3))


def _attach_nics(req: Req, vm_id: str, nics: list[tuple[Doc, Doc]]) -> None:
    for nic, ref in nics:
        nic["properties"]["virtualMachine"] = {"id": vm_id}
        nic["properties"]["primary"] = ref["properties"]["primary"]
        nic["properties"].setdefault("macAddress", _mac())
        req.state.store.save(nic)


def _detach_nic(state: AzureState, nic_id: str) -> None:
    nic = state.store.get(nic_id)
    if nic is not None:
        for field in ("virtualMachine", "macAddress", "primary"):
            nic["properties"].pop(field, None)
        state.store.save(nic)


def _create(req: Req, group: str, name: str, body: Doc) -> Reply:
    rid = resource_id(req, group, TYPE, name)
    location = location_of(req, body)
    p = section(body.get("properties"), "properties")
    size = size_of(section(p.get("hardwareProfile"), "hardwareProfile").get("vmSize"))
    storage = section(p.get("storageProfile"), "storageProfile")
    disk_spec = section(storage.get("osDisk"), "osDisk")
    if str(disk_spec.get("createOption", "FromImage")).lower() != "fromimage":
        raise invalid_parameter(
            "The simulator creates VMs from marketplace images only (osDisk.createOption "
            "FromImage).",
            "osDisk.createOption",
        )
    image, version = image_of(section(storage.get("imageReference"), "imageReference"))
    profile, custom_data = os_profile(section(p.get("osProfile"), "osProfile"), image)
    network = section(p.get("networkProfile"), "networkProfile")
    nics = check_nics(req, rid, location, network.get("networkInterfaces"))
    disk_size = disk_spec.get("diskSizeGB") or image.os_disk_gb
    if not isinstance(disk_size, int) or disk_size < image.os_disk_gb:
        raise invalid_parameter(
            f"The specified disk size {disk_size} GB is smaller than the size of the "
            f"corresponding disk in the VM image: {image.os_disk_gb} GB. This is not allowed. "
            "Please choose equal or greater size or do not specify an explicit size.",
            "osDisk.diskSizeGB",
        )
    _check_quota(req, location, size.cores)
    managed = section(disk_spec.get("managedDisk"), "managedDisk")
    sku = str(managed.get("storageAccountType") or default_storage(size))
    disk_name = disk_spec.get("name") or f"{name}_OsDisk_1_{uuid.uuid4().hex}"
    image_id = image_version_id(req.subscription, location, image, version)
    disk = os_disk(req, group, rid, disk_name, location, image, image_id, sku, disk_size)
    vm: Doc = {
        "id": rid,
        "name": name,
        "type": TYPE,
        "location": location,
        "properties": {
            "vmId": str(uuid.uuid4()),
            "hardwareProfile": {"vmSize": size.name},
            "storageProfile": {
                "imageReference": {
                    "publisher": image.publisher,
                    "offer": image.offer,
                    "sku": image.sku,
                    "version": section(storage.get("imageReference"), "imageReference").get(
                        "version"
                    )
                    or "latest",
                    "exactVersion": version,
                },
                "osDisk": {
                    "osType": image.os_type,
                    "name": disk["name"],
                    "createOption": "FromImage",
                    "caching": disk_spec.get("caching") or "ReadWrite",
                    "managedDisk": {"storageAccountType": disk["sku"]["name"], "id": disk["id"]},
                    "deleteOption": disk_spec.get("deleteOption") or "Detach",
                    "diskSizeGB": disk_size,
                },
                "dataDisks": [],
                "diskControllerType": "SCSI",
            },
            "osProfile": profile,
            "networkProfile": {"networkInterfaces": [ref for _, ref in nics]},
            "provisioningState": "Creating",
            "timeCreated": iso(req.now),
        },
        "_power": "starting",
        "_cores": size.cores,
        "_created": req.now,
        "_generation": image.generation,
    }
    if custom_data is not None:
        vm["_customData"] = custom_data
    for key in (
        "diagnosticsProfile",
        "securityProfile",
        "billingProfile",
        "priority",
        "evictionPolicy",
        "licenseType",
        "userData",
    ):
        if key in p:
            vm["properties"][key] = p[key]
    if body.get("zones"):
        vm["zones"] = list(body["zones"])
    take_tags(vm, body)
    vm["properties"]["storageProfile"]["dataDisks"] = data_disks(
        req, vm, group, size, storage.get("dataDisks")
    )
    _attach_nics(req, rid, nics)
    req.state.store.put("vm", group, vm)
    failure = None
    if req.faults.roll(req.config.provision_error_rate) is not None:
        message = (
            "Allocation failed. We do not have sufficient capacity for the requested VM size in "
            "this region. Read more about improving likelihood of allocation success at "
            "http://aka.ms/allocation-guidance"
        )
        failure = {
            "code": "AllocationFailed",
            "message": message,
            "do": [{"do": "vm.failed", "id": rid, "code": "AllocationFailed", "message": message}],
        }
    op = _lro.start(
        req, PROVIDER, location, [{"do": "vm.power", "id": rid, "to": "running"}], failure=failure
    )
    return Reply(201, _render(req, vm), _lro.headers(req, op))


def _update(req: Req, vm: Doc, body: Doc, *, patch: bool) -> Reply:
    check_idle(vm, "update")
    p = section(body.get("properties"), "properties")
    current = vm["properties"]
    if not patch:
        location = location_of(req, body, vm["location"])
        if location != vm["location"]:
            raise conflict(
                "PropertyChangeNotAllowed", "Changing property 'location' is not allowed."
            )
    storage = section(p.get("storageProfile"), "storageProfile")
    reference = section(storage.get("imageReference"), "imageReference")
    for key in ("publisher", "offer", "sku"):
        if (
            key in reference
            and str(reference[key]).lower()
            != str(current["storageProfile"]["imageReference"][key]).lower()
        ):
            raise conflict(
                "PropertyChangeNotAllowed", "Changing property 'imageReference' is not allowed."
            )
    profile = section(p.get("osProfile"), "osProfile")
    for key in ("computerName", "adminUsername"):
        if key in profile and profile[key] != current["osProfile"][key]:
            raise conflict(
                "PropertyChangeNotAllowed", f"Changing property 'osProfile.{key}' is not allowed."
            )
    size = size_of(
        section(p.get("hardwareProfile"), "hardwareProfile").get(
            "vmSize", current["hardwareProfile"]["vmSize"]
        )
    )
    if size.cores > vm["_cores"]:
        _check_quota(req, vm["location"], size.cores - vm["_cores"])
    current["hardwareProfile"]["vmSize"] = size.name
    vm["_cores"] = size.cores
    if "dataDisks" in storage:  # absent: the disks stay as they are
        current["storageProfile"]["dataDisks"] = data_disks(
            req, vm, vm["_group"], size, storage.get("dataDisks")
        )
    _check_data_disk_limit(size, current["storageProfile"]["dataDisks"])
    network = section(p.get("networkProfile"), "networkProfile")
    if "networkInterfaces" in network:
        _renetwork(req, vm, network["networkInterfaces"])
    for key in ("diagnosticsProfile", "userData"):
        if key in p:
            current[key] = p[key]
    tags = tags_of(body)
    if tags is not None or not patch:
        vm["tags"] = tags or {}
    current["provisioningState"] = "Updating"
    req.state.store.save(vm)
    op = _lro.start(req, PROVIDER, vm["location"], [{"do": "provisioned", "id": vm["id"]}])
    return Reply(200, _render(req, vm), _lro.headers(req, op))


def _check_data_disk_limit(size: Size, disks: list[Doc]) -> None:
    if len(disks) > size.max_data_disks:
        raise conflict(
            "OperationNotAllowed",
            "The maximum number of data disks allowed to be attached to a VM of this size is "
            f"{size.max_data_disks}.",
        )


def _renetwork(req: Req, vm: Doc, raw: object) -> None:
    nics = check_nics(req, vm["id"], vm["location"], raw)
    old = {r["id"].lower() for r in vm["properties"]["networkProfile"]["networkInterfaces"]}
    new = {nic["id"].lower() for nic, _ in nics}
    if old != new and vm.get("_power") != "deallocated":
        raise conflict(
            "OperationNotAllowed",
            f"Virtual machine {vm['name']} must be deallocated to add or remove network "
            "interfaces.",
        )
    for nic_id in old - new:
        _detach_nic(req.state, nic_id)
    _attach_nics(req, vm["id"], nics)
    vm["properties"]["networkProfile"]["networkInterfaces"] = [ref for _, ref in nics]


def _render(req: Req, vm: Doc) -> Doc:
    doc = public(vm)
    expand = (req.q("$expand") or "").lower() == "instanceview"
    if expand or (req.q("statusOnly") or "").lower() == "true":
        doc["properties"] = dict(doc["properties"])
        doc["properties"]["instanceView"] = instance_view(req.state, vm)
    return doc


def _put(req: Req) -> Reply:
    _, group_name, name = req.args
    group = req.group(group_name)
    body = req.obj(VM)
    old = req.state.store.get(resource_id(req, group["name"], TYPE, name))
    if old is not None:
        return _update(req, old, body, patch=False)
    return _create(req, group["name"], name, body)


def _vm(req: Req) -> Doc:
    _, group, name = req.args
    return need(req, resource_id(req, group, TYPE, name), TYPE, name, group)


def _patch(req: Req) -> Reply:
    return _update(req, _vm(req), req.obj(VM), patch=True)


def _get(req: Req) -> Reply:
    return Reply(200, _render(req, _vm(req)))


def _delete(req: Req) -> Reply:
    vm = existing(req, TYPE)
    if vm is None:
        return Reply(204)
    if vm["properties"]["provisioningState"] == "Deleting":
        raise conflict(
            "OperationNotAllowed",
            f"Operation 'delete' is not allowed on VM '{vm['name']}' since the VM "
            "is being deleted.",
        )
    vm["properties"]["provisioningState"] = "Deleting"
    vm["_power"] = "stopping"
    req.state.store.save(vm)
    op = _lro.start(
        req, PROVIDER, vm["location"], [{"do": "vm.remove", "id": vm["id"]}], kind="delete"
    )
    return Reply(202, None, _lro.headers(req, op, location=True))


@_lro.effect("vm.remove")
def _remove(state: AzureState, step: Doc) -> None:
    vm = state.store.get(step["id"])
    if vm is None:
        return
    for pip in vm_public_ips(state, vm):
        release_dynamic(state, pip)
    p = vm["properties"]
    for ref in p["networkProfile"]["networkInterfaces"]:
        _detach_nic(state, ref["id"])
        if ref.get("properties", {}).get("deleteOption") == "Delete":
            from ._nics import unlink_and_delete

            unlink_and_delete(state, ref["id"])
    os_spec = p["storageProfile"]["osDisk"]
    release_disk(state, os_spec["managedDisk"]["id"], delete=os_spec["deleteOption"] == "Delete")
    for disk in p["storageProfile"].get("dataDisks", []):
        release_disk(state, disk["managedDisk"]["id"], delete=disk["deleteOption"] == "Delete")
    state.store.delete(vm["id"])


@_lro.effect("vm.failed")
def _failed(state: AzureState, step: Doc) -> None:
    vm = state.store.get(step["id"])
    if vm is None:
        return
    vm["properties"]["provisioningState"] = "Failed"
    vm["_power"] = "deallocated"
    vm["_changed"] = state.clock.now()
    vm["_failure"] = {"code": step["code"], "message": step["message"]}
    state.store.save(vm)


def _list(req: Req) -> Reply:
    req.group(req.args[1])
    return paged(req, "vm", req.args[1], lambda vm: _render(req, vm))


def _list_all(req: Req) -> Reply:
    return paged(req, "vm", None, lambda vm: _render(req, vm))


def _sizes_for_vm(req: Req) -> Reply:
    from ._catalog import SIZES

    _vm(req)
    return Reply(200, {"value": [size.document() for size in SIZES]})


ROUTES = [
    ("PUT", f"{_RG}/*", _put),
    ("PATCH", f"{_RG}/*", _patch),
    ("GET", f"{_RG}/*", _get),
    ("DELETE", f"{_RG}/*", _delete),
    ("GET", _RG, _list),
    ("GET", "subscriptions/*/providers/microsoft.compute/virtualmachines", _list_all),
    ("GET", f"{_RG}/*/vmsizes", _sizes_for_vm),
]
