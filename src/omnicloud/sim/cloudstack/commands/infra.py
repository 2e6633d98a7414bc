"""Read-only catalogue: zones, pods, service and disk offerings, OS types."""

from __future__ import annotations

from .._call import Call, Listing
from .._registry import Command, Declaration, Param, command
from .._store import public

ZONE_PARAMS = (
    Param("id", "uuid", exists="zone", description="the ID of the zone"),
    Param("ids", "list", description="the IDs of the zones"),
    Param("name", "string", description="the name of the zone"),
    Param("available", "boolean", description="true to list zones open for deployment"),
    Param("networktype", "string", description="Basic or Advanced"),
    Param("showcapacities", "boolean", description="show capacities"),
)


def _filter(call: Call, kind: str, *, keys: tuple[str, ...] = ("name",)) -> Listing:
    """Generic list of an unowned catalogue kind with id/ids/name/keyword filters."""
    fields = {key: call.text(key) for key in keys if call.has(key)}
    ids = [call.need_text("id")] if call.has("id") else (call.items("ids") or None)
    offset, limit = call.window()
    total, docs = call.state.store.find(
        kind, ids=ids, fields=fields, keyword=call.text("keyword"), offset=offset, limit=limit
    )
    return Listing(total, [public(doc) for doc in docs])


@command("listZones", params=ZONE_PARAMS, list_key="zone")
def list_zones(call: Call) -> Listing:
    """Lists zones"""
    return _filter(call, "zone", keys=("name", "networktype"))


@command(
    "listPods",
    admin=True,
    params=(
        Param("id", "uuid", exists="pod", description="list Pods by ID"),
        Param("name", "string", description="list Pods by name"),
        Param("zoneid", "uuid", exists="zone", description="list Pods by Zone ID"),
    ),
    list_key="pod",
)
def list_pods(call: Call) -> Listing:
    """Lists all Pods."""
    return _filter(call, "pod", keys=("name", "zoneid"))


@command(
    "listServiceOfferings",
    params=(
        Param("id", "uuid", exists="serviceoffering", description="ID of the service offering"),
        Param("name", "string", description="name of the service offering"),
        Param("virtualmachineid", "uuid", entity="vm", description="offerings a VM can change to"),
        Param("issystem", "boolean", description="is this a system vm offering"),
        Param("zoneid", "uuid", exists="zone", description="the ID of the zone"),
    ),
    list_key="serviceoffering",
)
def list_service_offerings(call: Call) -> Listing:
    """Lists all available service offerings."""
    if call.flag("issystem"):
        return Listing(0, [])
    listing = _filter(call, "serviceoffering")
    vm = call.ref("virtualmachineid")
    if vm is not None:
        items = [o for o in listing.items if o["id"] != vm["serviceofferingid"]]
        return Listing(listing.total - (len(listing.items) - len(items)), items)
    return listing


@command(
    "listDiskOfferings",
    params=(
        Param("id", "uuid", exists="diskoffering", description="ID of the disk offering"),
        Param("name", "string", description="name of the disk offering"),
        Param("zoneid", "uuid", exists="zone", description="the ID of the zone"),
    ),
    list_key="diskoffering",
)
def list_disk_offerings(call: Call) -> Listing:
    """Lists all available disk offerings."""
    return _filter(call, "diskoffering")


@command(
    "listOsTypes",
    params=(
        Param("id", "uuid", description="list by Os type Id"),
        Param("oscategoryid", "uuid", description="list by Os Category id"),
        Param("description", "string", description="list os by description"),
    ),
    list_key="ostype",
)
def list_os_types(call: Call) -> Listing:
    """Lists all supported OS types for this cloud."""
    return _filter(call, "ostype", keys=("oscategoryid", "description"))


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    list_zones,
    list_pods,
    list_service_offerings,
    list_disk_offerings,
    list_os_types,
)
