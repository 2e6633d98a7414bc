"""``Microsoft.Compute/disks`` and ``snapshots``: managed disks made empty or copied from a
snapshot or disk, OS disks made for VMs, data disks attached through a VM's
``storageProfile.dataDisks``; ``managedBy`` names the VM holding a disk."""

from __future__ import annotations

import re
import uuid

from ._catalog import Image, Size
from ._common import begin_delete, begin_put, location_of, props, take_tags
from ._errors import ArmError, conflict, invalid_parameter
from ._request import Reply, Req, check_not_busy, existing, getter, lister, need, resource_id
from ._shapes import DISK
from ._state import AzureState, iso, public
from ._store import Doc

__all__ = ["ROUTES", "data_disks", "default_storage", "os_disk", "release_disk"]

PROVIDER = "Microsoft.Compute"
DISKS = "Microsoft.Compute/disks"
SNAPSHOTS = "Microsoft.Compute/snapshots"
_RG = "subscriptions/*/resourcegroups/*/providers/microsoft.compute"
_SKUS = (
    "Standard_LRS",
    "Premium_LRS",
    "StandardSSD_LRS",
    "UltraSSD_LRS",
    "Premium_ZRS",
    "StandardSSD_ZRS",
    "PremiumV2_LRS",
)


def _tier(sku: str) -> str:
    return "Premium" if sku.startswith("Premium") or sku.startswith("Ultra") else "Standard"


def default_storage(size: Size) -> str:
    """Premium_LRS for sizes that take premium storage (an ``s`` in the name), else
    Standard_LRS."""
    return "Premium_LRS" if re.search(r"\d+[a-rt-z]*s", size.name.lower()) else "Standard_LRS"


def _sku(value: object) -> str:
    name = value if isinstance(value, str) else "Standard_LRS"
    for sku in _SKUS:
        if sku.lower() == name.lower():
            return sku
    raise invalid_parameter(f"The value '{name}' of the disk SKU is not valid.", "sku.name")


def _disk(
    req: Req, group: str, name: str, location: str, sku: str, size_gb: int, creation: Doc
) -> Doc:
    return {
        "id": resource_id(req, group, DISKS, name),
        "name": name,
        "type": DISKS,
        "location": location,
        "sku": {"name": sku, "tier": _tier(sku)},
        "properties": {
            "creationData": creation,
            "diskSizeGB": size_gb,
            "diskSizeBytes": size_gb * 1024**3,
            "uniqueId": str(uuid.uuid4()),
            "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
            "networkAccessPolicy": "AllowAll",
            "publicNetworkAccess": "Enabled",
            "timeCreated": iso(req.now),
            "provisioningState": "Succeeded",
            "diskState": "Unattached",
        },
    }


def os_disk(
    req: Req,
    group: str,
    vm_id: str,
    name: str,
    location: str,
    image: Image,
    image_id: str,
    sku: str,
    size_gb: int,
) -> Doc:
    """Create the OS disk of a new VM (attached to it)."""
    doc = _disk(
        req,
        group,
        name,
        location,
        sku,
        size_gb,
        {"createOption": "FromImage", "imageReference": {"id": image_id}},
    )
    doc["managedBy"] = vm_id
    doc["properties"]["diskState"] = "Attached"
    doc["properties"]["osType"] = image.os_type
    doc["properties"]["hyperVGeneration"] = image.generation
    req.state.store.put("disk", group, doc)
    return doc


def release_disk(state: AzureState, disk_id: str, *, delete: bool) -> None:
    """Detach a disk from its VM, or delete it (``deleteOption: Delete``)."""
    if delete:
        state.store.delete(disk_id)
        return
    doc = state.store.get(disk_id)
    if doc is not None:
        doc.pop("managedBy", None)
        doc["properties"]["diskState"] = "Unattached"
        state.store.save(doc)


def data_disks(req: Req, vm: Doc, group: str, size: Size, specs: object) -> list[Doc]:
    """Attach, create and detach data disks so the VM has ``specs``; the VM's new list."""
    if specs is None:
        specs = []
    if not isinstance(specs, list):
        raise invalid_parameter("dataDisks must be a list.", "dataDisks")
    store = req.state.store
    before = {
        d["managedDisk"]["id"].lower(): d
        for d in vm["properties"].get("storageProfile", {}).get("dataDisks", [])
    }
    result: list[Doc] = []
    luns: set[int] = set()
    for spec in specs:
        if not isinstance(spec, dict) or spec.get("toBeDetached"):
            continue
        lun = spec.get("lun")
        if not isinstance(lun, int) or not 0 <= lun <= 63:
            raise invalid_parameter(
                "Required parameter 'dataDisk.lun' is missing or not valid.", "dataDisk.lun"
            )
        if lun in luns:
            raise invalid_parameter(f"A disk at LUN {lun} already exists.", "dataDisks")
        luns.add(lun)
        option = str(spec.get("createOption", "")).lower()
        managed = spec.get("managedDisk") or {}
        sku = _sku(managed.get("storageAccountType", default_storage(size)))
        if option == "empty" and not managed.get("id"):
            size_gb = spec.get("diskSizeGB")
            if not isinstance(size_gb, int) or size_gb < 1:
                raise invalid_parameter(
                    "Required parameter 'dataDisk.diskSizeGB' is missing (null).",
                    "dataDisk.diskSizeGB",
                )
            name = spec.get("name") or f"{vm['name']}_disk{lun + 2}_{uuid.uuid4().hex}"
            disk = _disk(req, group, name, vm["location"], sku, size_gb, {"createOption": "Empty"})
        elif option in ("attach", "empty"):
            disk_id = managed.get("id")
            found = store.get(disk_id) if isinstance(disk_id, str) else None
            if found is None:
                raise ArmError(
                    404,
                    "NotFound",
                    f"Disk {disk_id} was not found.",
                    target="dataDisk.managedDisk.id",
                )
            disk = found
            owner = disk.get("managedBy")
            if owner and owner.lower() != vm["id"].lower():
                raise conflict(
                    "OperationNotAllowed", f"Disk {disk['name']} is attached to VM {owner}."
                )
            if disk["location"] != vm["location"]:
                raise invalid_parameter(
                    f"Disk {disk['id']} is in location {disk['location']}, not {vm['location']}.",
                    "dataDisk.managedDisk.id",
                )
        else:
            raise invalid_parameter(
                f"The value '{spec.get('createOption')}' of parameter 'dataDisk.createOption' "
                "is not valid.",
                "dataDisk.createOption",
            )
        disk["managedBy"] = vm["id"]
        disk["properties"]["diskState"] = "Attached"
        store.put("disk", disk.get("_group", group), disk)
        before.pop(disk["id"].lower(), None)
        result.append(
            {
                "lun": lun,
                "name": disk["name"],
                "createOption": "Attach" if option == "attach" else "Empty",
                "caching": spec.get("caching") or "None",
                "writeAcceleratorEnabled": False,
                "managedDisk": {"storageAccountType": disk["sku"]["name"], "id": disk["id"]},
                "deleteOption": spec.get("deleteOption") or "Detach",
                "diskSizeGB": disk["properties"]["diskSizeGB"],
                "toBeDetached": False,
            }
        )
    if len(result) > size.max_data_disks:
        raise conflict(
            "OperationNotAllowed",
            "The maximum number of data disks allowed to be attached to a VM of this size is "
            f"{size.max_data_disks}.",
        )
    for gone in before.values():
        release_disk(req.state, gone["managedDisk"]["id"], delete=False)
    return result


# the disks API --------------------------------------------------------------------------------


def _creation(req: Req, p: Doc, target: str) -> tuple[Doc, int | None, Doc | None]:
    creation = p.get("creationData") or {}
    option = str(creation.get("createOption", "")).lower()
    if option == "empty":
        return {"createOption": "Empty"}, None, None
    if option == "copy":
        source_id = creation.get("sourceResourceId")
        source = req.state.store.get(source_id) if isinstance(source_id, str) else None
        if source is None or source["_kind"] not in ("disk", "snapshot"):
            raise ArmError(
                404, "NotFound", f"Resource {source_id} is not found.", target="sourceResourceId"
            )
        data = {
            "createOption": "Copy",
            "sourceResourceId": source["id"],
            "sourceUniqueId": source["properties"]["uniqueId"],
        }
        return data, int(source["properties"]["diskSizeGB"]), source
    raise invalid_parameter(
        f"The value '{creation.get('createOption')}' of parameter 'creationData.createOption' "
        f"is not supported for {target} by the simulator (Empty and Copy are).",
        "creationData.createOption",
    )


def _put_disk(req: Req) -> Reply:
    _, group_name, name = req.args
    group = req.group(group_name)
    body = req.obj(DISK)
    rid = resource_id(req, group["name"], DISKS, name)
    old = req.state.store.get(rid)
    p = props(body)
    size = p.get("diskSizeGB")
    if old is not None:
        check_not_busy(old, "update")
        return _update_disk(req, old, body)
    creation, source_size, source = _creation(req, p, "disks")
    if size is None:
        size = source_size
    if not isinstance(size, int) or size < 1:
        raise invalid_parameter("Required parameter 'diskSizeGB' is missing (null).", "diskSizeGB")
    if source_size is not None and size < source_size:
        raise invalid_parameter(
            f"The specified disk size {size} GB is smaller than the size of the source "
            f"{source_size} GB.",
            "diskSizeGB",
        )
    sku = _sku((body.get("sku") or {}).get("name", "Standard_LRS"))
    doc = _disk(req, group["name"], name, location_of(req, body), sku, size, creation)
    if source is not None:
        for field in ("osType", "hyperVGeneration"):
            if field in source["properties"]:
                doc["properties"][field] = source["properties"][field]
    take_tags(doc, body)
    return begin_put(
        req, "disk", group["name"], doc, PROVIDER, created=True, transitional="Updating"
    )


def _update_disk(req: Req, old: Doc, body: Doc) -> Reply:
    p = props(body)
    size = p.get("diskSizeGB")
    if size is not None:
        if not isinstance(size, int) or size < old["properties"]["diskSizeGB"]:
            raise conflict(
                "BadRequest",
                "Disk size reduction is not supported. Current size is "
                f"{old['properties']['diskSizeGB']} GB, requested size is {size} GB.",
            )
        old["properties"]["diskSizeGB"] = size
        old["properties"]["diskSizeBytes"] = size * 1024**3
    if body.get("sku"):
        sku = _sku(body["sku"].get("name"))
        old["sku"] = {"name": sku, "tier": _tier(sku)}
    take_tags(old, body)
    return begin_put(
        req, old["_kind"], old["_group"], old, PROVIDER, created=False, transitional="Updating"
    )


def _patch_disk(req: Req) -> Reply:
    _, group, name = req.args
    doc = need(req, resource_id(req, group, DISKS, name), DISKS, name, group)
    check_not_busy(doc, "update")
    return _update_disk(req, doc, req.obj(DISK))


def _delete_disk(req: Req) -> Reply:
    doc = existing(req, DISKS)
    if doc is None:
        return Reply(204)
    if doc.get("managedBy"):
        raise conflict(
            "OperationNotAllowed", f"Disk {doc['name']} is attached to VM {doc['managedBy']}."
        )
    return begin_delete(req, "disk", doc["_group"], doc, PROVIDER)


def _put_snapshot(req: Req) -> Reply:
    _, group_name, name = req.args
    group = req.group(group_name)
    body = req.obj(DISK)
    rid = resource_id(req, group["name"], SNAPSHOTS, name)
    old = req.state.store.get(rid)
    if old is not None:
        check_not_busy(old, "update")
        take_tags(old, body)
        return begin_put(
            req, "snapshot", old["_group"], old, PROVIDER, created=False, transitional="Updating"
        )
    p = props(body)
    creation, size, source = _creation(req, p, "snapshots")
    if source is None or size is None:
        raise invalid_parameter(
            "A snapshot is made with createOption Copy from a disk.", "creationData.createOption"
        )
    sku = _sku((body.get("sku") or {}).get("name", "Standard_LRS"))
    doc = _disk(req, group["name"], name, location_of(req, body), sku, size, creation)
    doc["id"], doc["type"] = rid, SNAPSHOTS
    doc["properties"].pop("diskState")
    doc["properties"]["incremental"] = bool(p.get("incremental", False))
    for field in ("osType", "hyperVGeneration"):
        if field in source["properties"]:
            doc["properties"][field] = source["properties"][field]
    take_tags(doc, body)
    return begin_put(
        req, "snapshot", group["name"], doc, PROVIDER, created=True, transitional="Updating"
    )


def _get_snapshot(req: Req) -> Reply:
    _, group, name = req.args
    return Reply(
        200, public(need(req, resource_id(req, group, SNAPSHOTS, name), SNAPSHOTS, name, group))
    )


def _delete_snapshot(req: Req) -> Reply:
    doc = existing(req, SNAPSHOTS)
    if doc is None:
        return Reply(204)
    return begin_delete(req, "snapshot", doc["_group"], doc, PROVIDER)


ROUTES = [
    ("PUT", f"{_RG}/disks/*", _put_disk),
    ("PATCH", f"{_RG}/disks/*", _patch_disk),
    ("GET", f"{_RG}/disks/*", getter(DISKS)),
    ("DELETE", f"{_RG}/disks/*", _delete_disk),
    ("GET", f"{_RG}/disks", lister("disk", True)),
    ("GET", "subscriptions/*/providers/microsoft.compute/disks", lister("disk", False)),
    ("PUT", f"{_RG}/snapshots/*", _put_snapshot),
    ("GET", f"{_RG}/snapshots/*", _get_snapshot),
    ("DELETE", f"{_RG}/snapshots/*", _delete_snapshot),
    ("GET", f"{_RG}/snapshots", lister("snapshot", True)),
    ("GET", "subscriptions/*/providers/microsoft.compute/snapshots", lister("snapshot", False)),
]
