"""Volumes: create (from an offering or a snapshot), list, attach, detach, resize, delete."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import new_id, owner_fields, render, render_many, timestamp
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc
from ._common import SYNC_SUCCESS, check_limit, tag_filters

GB = 1024**3
MAX_DATA_DISKS = 6

_VOLUME_ID = Param(
    "id", "uuid", required=True, entity="volume", description="the ID of the disk volume"
)


def new_volume(
    call: Call, account: Doc, zone: Doc, name: str, offering: Doc | None, size_gb: int
) -> Doc:
    """A detached DATADISK document (not stored)."""
    doc: Doc = {
        "id": new_id(),
        "name": name,
        "zoneid": zone["id"],
        "zonename": zone["name"],
        "type": "DATADISK",
        "size": size_gb * GB,
        "created": timestamp(call.now),
        "state": "Allocated",
        **owner_fields(account),
        "storagetype": "shared",
        "provisioningtype": "thin",
        "hypervisor": "None",
        "destroyed": False,
        "isextractable": True,
        "displayvolume": True,
        "quiescevm": False,
    }
    if offering is not None:
        doc.update(
            diskofferingid=offering["id"],
            diskofferingname=offering["name"],
            diskofferingdisplaytext=offering["displaytext"],
        )
    return doc


def _load(call: Call, volume_id: str) -> Doc:
    doc = call.state.store.get("volume", volume_id)
    if doc is None:
        raise err.param_error(f"Unable to find volume with ID {volume_id}")
    return doc


create = command(
    "createVolume",
    is_async=True,
    params=(
        Param("name", "string", description="the name of the disk volume"),
        Param(
            "diskofferingid",
            "uuid",
            entity="diskoffering",
            description="the ID of the disk offering",
        ),
        Param("size", "long", description="arbitrary volume size in GB (custom offerings)"),
        Param("zoneid", "uuid", entity="zone", description="the ID of the availability zone"),
        Param(
            "snapshotid",
            "uuid",
            entity="snapshot",
            description="the snapshot ID for the disk volume",
        ),
        Param("virtualmachineid", "uuid", entity="vm", description="attach the volume to this VM"),
        Param("account", "string", description="the account associated with the disk volume"),
        Param("domainid", "uuid", description="the domain ID associated with the disk volume"),
        Param(
            "projectid",
            "uuid",
            entity="project",
            description="the project associated with the volume",
        ),
        Param("displayvolume", "boolean", description="display the volume to the end user"),
    ),
)


@create
def _create(call: Call) -> Pending:
    """Creates a disk volume from a disk offering or a snapshot."""
    account = call.target_account()
    snapshot = call.ref("snapshotid")
    offering = call.ref("diskofferingid")
    if snapshot is None and offering is None:
        raise err.param_error(
            "Either disk Offering Id or snapshot Id must be passed whilst creating volume"
        )
    if snapshot is not None:
        zone = call.state.store.get("zone", snapshot["zoneid"])
        size_gb = int(snapshot.get("virtualsize") or 0) // GB
    else:
        zone = call.ref("zoneid")
        if zone is None:
            raise err.missing(call.command.name, "zoneid")
        assert offering is not None
        if offering.get("iscustomized"):
            size_gb = call.number("size") or 0
            if size_gb <= 0:
                raise err.param_error("This disk offering requires a custom size specified")
        else:
            if call.has("size") and call.number("size") != offering["disksize"]:
                raise err.param_error("This disk offering does not allow custom size")
            size_gb = int(offering["disksize"])
    assert zone is not None
    check_limit(call, account, 2)
    check_limit(call, account, 10, size_gb)
    name = call.text("name") or f"DATA-{call.state.store.next_value('volume')}"
    doc = new_volume(call, account, zone, name, offering, size_gb)
    doc["state"] = "Creating"
    if snapshot is not None:
        doc["snapshotid"] = snapshot["id"]
    call.state.store.put("volume", doc)
    vm = call.ref("virtualmachineid")
    return Pending(
        "Volume",
        doc["id"],
        returns_id=True,
        payload={"volume": doc["id"], "vm": vm["id"] if vm else None},
    )


@create.finisher
def _created(call: Call, payload: Doc) -> Doc:
    volume = _load(call, payload["volume"])
    volume["state"] = "Ready" if volume.get("snapshotid") else "Allocated"
    if payload.get("vm"):
        vm = call.state.store.get("vm", payload["vm"])
        if vm is None:
            raise err.param_error(f"Unable to find VM {payload['vm']}")
        _attach(call, volume, vm, None)
    call.state.store.save(volume)
    return {"volume": render(call.state, volume)}


@create.failure
def _create_failed(call: Call, payload: Doc) -> None:
    call.state.store.delete(payload["volume"])


@command(
    "listVolumes",
    params=(
        Param("id", "uuid", exists="volume", description="the ID of the disk volume"),
        Param("ids", "list", exists="volume", since="4.9", description="the IDs of the volumes"),
        Param("name", "string", description="the name of the disk volume"),
        Param("virtualmachineid", "uuid", exists="vm", description="the ID of the virtual machine"),
        Param("type", "string", description="the type of disk volume (ROOT or DATADISK)"),
        Param("zoneid", "uuid", exists="zone", description="the ID of the availability zone"),
        Param(
            "diskofferingid",
            "uuid",
            exists="diskoffering",
            description="list volumes by disk offering",
        ),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="volume",
)
def list_volumes(call: Call) -> Listing:
    """Lists all volumes."""
    fields = {
        key: call.text(key)
        for key in ("name", "type", "zoneid", "diskofferingid", "projectid")
        if call.has(key)
    }
    where = tag_filters(call)
    ids = [call.need_text("id")] if call.has("id") else (call.items("ids") or None)
    offset, limit = call.window()
    total, docs = call.state.store.find(
        "volume",
        owners=call.visible_owners(),
        ref=call.text("virtualmachineid"),
        ids=ids,
        fields=fields,
        keyword=call.text("keyword"),
        where=where,
        offset=offset,
        limit=limit,
    )
    return Listing(total, render_many(call.state, docs))


def _attach(call: Call, volume: Doc, vm: Doc, device: int | None) -> None:
    _, attached = call.state.store.find("volume", ref=vm["id"])
    used = {int(v.get("deviceid", 0)) for v in attached}
    if sum(1 for v in attached if v["type"] == "DATADISK") >= MAX_DATA_DISKS:
        raise err.param_error(
            f"The specified VM already has the maximum number of data disks ({MAX_DATA_DISKS})"
        )
    if device is None:
        device = next(n for n in range(1, 32) if n not in used and n != 3)
    elif device in used:
        raise err.param_error(f"deviceId {device} is used by another volume of VM {vm['id']}")
    volume.update(
        virtualmachineid=vm["id"],
        vmname=vm["name"],
        vmdisplayname=vm["displayname"],
        vmstate=vm["state"],
        deviceid=device,
        attached=timestamp(call.now),
        state="Ready",
        _ref=vm["id"],
    )


attach = command(
    "attachVolume",
    is_async=True,
    params=(
        _VOLUME_ID,
        Param(
            "virtualmachineid",
            "uuid",
            required=True,
            entity="vm",
            description="the ID of the virtual machine",
        ),
        Param("deviceid", "long", description="the ID of the device to map the volume to"),
    ),
)


@attach
def _attach_submit(call: Call) -> Pending:
    """Attaches a disk volume to a virtual machine."""
    volume = call.need_ref("id")
    vm = call.need_ref("virtualmachineid")
    if volume.get("virtualmachineid"):
        raise err.param_error(f"Volume {volume['id']} is already attached to a VM")
    if volume["type"] != "DATADISK":
        raise err.param_error("Only data volumes can be attached")
    if volume["zoneid"] != vm["zoneid"]:
        raise err.param_error("The volume and the VM are not in the same zone")
    if vm["state"] not in ("Running", "Stopped"):
        raise err.param_error(f"Unable to attach a volume to VM {vm['id']} in state {vm['state']}")
    if volume.get("_owner") != vm.get("_owner"):
        raise err.denied("The volume and the VM belong to different accounts")
    return Pending("Volume", volume["id"], payload={"volume": volume["id"], "vm": vm["id"]})


@attach.finisher
def _attached(call: Call, payload: Doc) -> Doc:
    volume = _load(call, payload["volume"])
    vm = call.state.store.get("vm", payload["vm"])
    if vm is None:
        raise err.param_error(f"Unable to find VM {payload['vm']}")
    if volume.get("virtualmachineid"):
        raise err.param_error(f"Volume {volume['id']} is already attached to a VM")
    _attach(call, volume, vm, call.number("deviceid"))
    call.state.store.save(volume)
    return {"volume": render(call.state, volume)}


detach = command(
    "detachVolume",
    is_async=True,
    params=(
        Param("id", "uuid", entity="volume", description="the ID of the disk volume"),
        Param("virtualmachineid", "uuid", entity="vm", description="the ID of the virtual machine"),
        Param("deviceid", "long", description="the device ID on the virtual machine"),
    ),
)


@detach
def _detach_submit(call: Call) -> Pending:
    """Detaches a disk volume from a virtual machine."""
    volume = call.ref("id")
    if volume is None:
        vm = call.ref("virtualmachineid")
        device = call.number("deviceid")
        if vm is None or device is None:
            raise err.param_error(
                "Please provide either a volume id, or a tuple(device id, instance id)"
            )
        _, found = call.state.store.find("volume", ref=vm["id"], fields={"deviceid": device})
        if not found:
            raise err.param_error(f"Unable to find volume with device id {device} on VM {vm['id']}")
        volume = found[0]
    if not volume.get("virtualmachineid"):
        raise err.param_error("Please specify a volume that is attached to a VM.")
    if volume["type"] == "ROOT":
        raise err.param_error(
            "Please specify a VM that is either Stopped or Running; root volumes can't be detached"
        )
    return Pending("Volume", volume["id"], payload={"volume": volume["id"]})


@detach.finisher
def _detached(call: Call, payload: Doc) -> Doc:
    volume = _load(call, payload["volume"])
    for key in (
        "virtualmachineid",
        "vmname",
        "vmdisplayname",
        "vmstate",
        "deviceid",
        "attached",
        "_ref",
    ):
        volume.pop(key, None)
    call.state.store.save(volume)
    return {"volume": render(call.state, volume)}


resize = command(
    "resizeVolume",
    is_async=True,
    params=(
        _VOLUME_ID,
        Param("size", "long", description="New volume size in GB"),
        Param("diskofferingid", "uuid", entity="diskoffering", description="new disk offering id"),
        Param("shrinkok", "boolean", description="Verify OK to Shrink"),
    ),
)


@resize
def _resize_submit(call: Call) -> Pending:
    """Resizes a volume."""
    volume = call.need_ref("id")
    offering = call.ref("diskofferingid")
    if offering is not None and not offering.get("iscustomized"):
        new_gb = int(offering["disksize"])
    else:
        new_gb = call.number("size") or 0
    if new_gb <= 0:
        raise err.param_error("Please specify a new size or a disk offering with a fixed size")
    old_gb = int(volume["size"]) // GB
    if new_gb < old_gb and not call.flag("shrinkok"):
        raise err.param_error(
            f"Going from existing size of {old_gb} GB to size of {new_gb} GB would shrink "
            "the volume. "
            "Need to sign off by supplying the shrinkok parameter with value of true."
        )
    account = call.state.account(volume["_owner"])
    assert account is not None
    check_limit(call, account, 10, new_gb - old_gb)
    return Pending("Volume", volume["id"], payload={"volume": volume["id"], "size": new_gb})


@resize.finisher
def _resized(call: Call, payload: Doc) -> Doc:
    volume = _load(call, payload["volume"])
    volume["size"] = int(payload["size"]) * GB
    offering = call.ref("diskofferingid")
    if offering is not None:
        volume.update(diskofferingid=offering["id"], diskofferingname=offering["name"])
    call.state.store.save(volume)
    return {"volume": render(call.state, volume)}


@command("deleteVolume", params=(_VOLUME_ID,))
def delete_volume(call: Call) -> Doc:
    """Deletes a detached disk volume."""
    volume = call.need_ref("id")
    if volume.get("virtualmachineid"):
        raise err.param_error("Please specify a volume that is not attached to any VM.")
    call.state.store.delete(volume["id"])
    _, tags = call.state.store.find("tag", ref=volume["id"])
    for tag in tags:
        call.state.store.delete(tag["id"])
    return dict(SYNC_SUCCESS)


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    create,
    list_volumes,
    attach,
    detach,
    resize,
    delete_volume,
)
