"""Affinity groups: createAffinityGroup, deleteAffinityGroup, listAffinityGroups,
listAffinityGroupTypes, updateVMAffinityGroup (deployVirtualMachine records the groups)."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import new_id, owner_fields, render, render_many
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc
from ._common import async_success, by_name
from ._netdocs import drop_resource, owned_list, owner_and_project, pick_fields, project_fields

TYPES = (
    "host anti-affinity",
    "host affinity",
    "non-strict host anti-affinity",
    "non-strict host affinity",
)
_MEMBER_OF = (
    "EXISTS (SELECT 1 FROM json_each(data, '$.affinitygroup') "
    "WHERE json_extract(value, '$.id') = ?)"
)


def _members(call: Call, group_id: str) -> list[Doc]:
    _, vms = call.state.store.find("vm", where=[(_MEMBER_OF, (group_id,))])
    return [vm for vm in vms if vm["state"] not in ("Expunging",)]


def group_view(call: Call, group: Doc) -> Doc:
    """An affinity group with the ids of its VMs (``virtualmachineIds``, the server's key)."""
    view = render(call.state, group, tagged=False)
    view["virtualmachineIds"] = [vm["id"] for vm in _members(call, group["id"])]
    return view


create = command(
    "createAffinityGroup",
    is_async=True,
    params=(
        Param("name", "string", required=True, description="name of the affinity group"),
        Param("type", "string", required=True, description="Type of the affinity group"),
        Param("description", "string", description="optional description of the affinity group"),
        Param("account", "string", description="an account for the affinity group"),
        Param("domainid", "uuid", description="domainId of the account owning the group"),
        Param("projectid", "uuid", entity="project", description="the project of the group"),
    ),
)


@create
def _create(call: Call) -> Pending:
    """Creates an affinity/anti-affinity group."""
    account, project = owner_and_project(call)
    name = call.need_text("name")
    kind = call.need_text("type")
    if kind not in TYPES:
        raise err.param_error(
            f"Unable to create affinity group, invalid affinity group type {kind}"
        )
    if by_name(call, "affinitygroup", name, account) is not None:
        raise err.param_error(
            f"Unable to create affinity group, a group with name {name} already exists."
        )
    doc: Doc = {
        "id": new_id(),
        "name": name,
        "type": kind,
        "description": call.text("description") or "",
        **owner_fields(account),
        **project_fields(project),
    }
    call.state.store.put("affinitygroup", doc)
    return Pending("AffinityGroup", doc["id"], returns_id=True, payload={"id": doc["id"]})


@create.finisher
def _created(call: Call, payload: Doc) -> Doc:
    group = call.state.store.get("affinitygroup", payload["id"])
    if group is None:
        raise err.param_error(f"Affinity group {payload['id']} no longer exists")
    return {"affinitygroup": group_view(call, group)}


@create.failure
def _create_failed(call: Call, payload: Doc) -> None:
    drop_resource(call.state, payload["id"])


delete = command(
    "deleteAffinityGroup",
    is_async=True,
    params=(
        Param("id", "uuid", entity="affinitygroup", description="The ID of the affinity group"),
        Param("name", "string", description="The name of the affinity group"),
        Param("account", "string", description="the account of the affinity group"),
        Param("domainid", "uuid", description="the domain ID of account owning the group"),
        Param("projectid", "uuid", entity="project", description="the project of the group"),
    ),
)


@delete
def _delete(call: Call) -> Pending:
    """Deletes affinity group."""
    group = call.ref("id")
    if group is None:
        name = call.text("name")
        if not name:
            raise err.param_error("Either the affinity group id or name must be specified")
        account, _ = owner_and_project(call)
        group = by_name(call, "affinitygroup", name, account)
        if group is None:
            raise err.param_error(f"Unable to find affinity group by name {name}")
    running = [vm for vm in _members(call, group["id"]) if vm["state"] == "Running"]
    if running:
        raise err.ApiError(
            err.RESOURCE_IN_USE,
            f"Cannot delete affinity group {group['name']} since it is in use by running VM(s)",
        )
    return Pending("AffinityGroup", group["id"], payload={"id": group["id"]})


@delete.finisher
def _deleted(call: Call, payload: Doc) -> Doc:
    for vm in _members(call, payload["id"]):
        vm["affinitygroup"] = [g for g in vm["affinitygroup"] if g["id"] != payload["id"]]
        call.state.store.save(vm)
    drop_resource(call.state, payload["id"])
    return async_success()


@command(
    "listAffinityGroups",
    params=(
        Param(
            "id",
            "uuid",
            exists="affinitygroup",
            description="list the affinity group by the ID provided",
        ),
        Param("name", "string", description="lists affinity groups by name"),
        Param("type", "string", description="lists affinity groups by type"),
        Param(
            "virtualmachineid",
            "uuid",
            exists="vm",
            description="lists affinity groups by virtual machine",
        ),
        *LIST_OWNER_PARAMS,
    ),
    list_key="affinitygroup",
)
def list_affinity_groups(call: Call) -> Listing:
    """Lists affinity groups."""
    where: list[tuple[str, tuple[object, ...]]] = []
    if call.has("virtualmachineid"):
        vm = call.state.store.get("vm", call.text("virtualmachineid") or "")
        ids = [g["id"] for g in (vm or {}).get("affinitygroup", [])]
        where.append((f"id IN ({','.join('?' * len(ids)) or 'NULL'})", tuple(ids)))
    listing = owned_list(
        call, "affinitygroup", fields=pick_fields(call, ("name", "type")), where=where
    )
    listing.items = [group_view(call, item) for item in listing.items]
    return listing


@command("listAffinityGroupTypes", params=(), list_key="affinityGroupType")
def list_affinity_group_types(call: Call) -> Listing:
    """Lists affinity group types available."""
    return call.listing([{"type": kind} for kind in TYPES])


update_vm = command(
    "updateVMAffinityGroup",
    is_async=True,
    params=(
        Param(
            "id", "uuid", required=True, entity="vm", description="The ID of the virtual machine"
        ),
        Param(
            "affinitygroupids",
            "list",
            entity="affinitygroup",
            description="affinity group IDs (replace the VM's groups; empty removes all)",
        ),
        Param("affinitygroupnames", "list", description="affinity group names"),
    ),
)


@update_vm
def _update_vm(call: Call) -> Pending:
    """Updates the affinity/anti-affinity group associations of a virtual machine. The VM has
    to be stopped and restarted for the new properties to take effect."""
    vm = call.need_ref("id")
    if call.has("affinitygroupids") and call.has("affinitygroupnames"):
        raise err.param_error(
            "affinityGroupNames parameter is mutually exclusive with affinityGroupIds parameter"
        )
    if vm["state"] != "Stopped":
        raise err.param_error(
            f"Unable to update affinity groups of the virtual machine {vm['instancename']} in "
            f"state {vm['state']}; make sure the virtual machine is stopped and not in an error "
            "state before updating."
        )
    groups = list(call.ref_list("affinitygroupids"))
    account = call.state.account(vm["_owner"])
    assert account is not None
    for name in call.items("affinitygroupnames"):
        group = by_name(call, "affinitygroup", name, account)
        if group is None:
            raise err.param_error(f"Unable to find affinity group by name {name}")
        groups.append(group)
    for group in groups:
        if group["_owner"] != vm["_owner"]:
            raise err.denied(
                f"Affinity group {group['name']} and VM {vm['name']} belong to different accounts"
            )
    return Pending(
        "VirtualMachine", vm["id"], payload={"vm": vm["id"], "groups": [g["id"] for g in groups]}
    )


@update_vm.finisher
def _vm_updated(call: Call, payload: Doc) -> Doc:
    vm = call.state.store.get("vm", payload["vm"])
    if vm is None:
        raise err.param_error(f"Virtual machine {payload['vm']} no longer exists")
    groups = [call.state.store.get("affinitygroup", gid) for gid in payload["groups"]]
    vm["affinitygroup"] = [
        {"id": g["id"], "name": g["name"], "type": g["type"], "description": g["description"]}
        for g in groups
        if g is not None
    ]
    call.state.store.save(vm)
    return {"virtualmachine": render_many(call.state, [vm])[0]}


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    create,
    delete,
    list_affinity_groups,
    list_affinity_group_types,
    update_vm,
)
