"""Volume snapshots: create, list, delete."""

from __future__ import annotations

from datetime import UTC, datetime

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import new_id, owner_fields, render, render_many, timestamp
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc
from ._common import async_success, check_limit, tag_filters

create = command(
    "createSnapshot",
    is_async=True,
    params=(
        Param(
            "volumeid",
            "uuid",
            required=True,
            entity="volume",
            description="The ID of the disk volume",
        ),
        Param("name", "string", description="the name of the snapshot"),
        Param("account", "string", description="The account of the snapshot"),
        Param("domainid", "uuid", description="The domain ID of the snapshot"),
        Param("quiescevm", "boolean", description="quiesce vm if true"),
        Param("tags", "map", description="tags for the snapshot"),
    ),
)


@create
def _create(call: Call) -> Pending:
    """Creates an instant snapshot of a volume."""
    volume = call.need_ref("volumeid")
    account = call.state.account(volume["_owner"])
    assert account is not None
    check_limit(call, account, 3)
    stamp = datetime.fromtimestamp(call.now, UTC).strftime("%Y%m%d%H%M%S")
    vm_name = volume.get("vmname", "detached")
    doc: Doc = {
        "id": new_id(),
        "name": call.text("name") or f"{vm_name}_{volume['name']}_{stamp}",
        "volumeid": volume["id"],
        "volumename": volume["name"],
        "volumetype": volume["type"],
        "snapshottype": "MANUAL",
        "intervaltype": "MANUAL",
        "state": "Creating",
        "created": timestamp(call.now),
        "zoneid": volume["zoneid"],
        "virtualsize": volume["size"],
        "physicalsize": volume["size"] // 4,
        "revertable": False,
        "locationtype": "Primary",
        **owner_fields(account),
        "_ref": volume["id"],
    }
    call.state.store.put("snapshot", doc)
    return Pending("Snapshot", doc["id"], returns_id=True, payload={"snapshot": doc["id"]})


@create.finisher
def _created(call: Call, payload: Doc) -> Doc:
    doc = call.state.store.get("snapshot", payload["snapshot"])
    if doc is None:
        raise err.param_error("The snapshot was removed before it was backed up")
    doc["state"] = "BackedUp"
    call.state.store.save(doc)
    return {"snapshot": render(call.state, doc)}


@create.failure
def _create_failed(call: Call, payload: Doc) -> None:
    call.state.store.delete(payload["snapshot"])


@command(
    "listSnapshots",
    params=(
        Param("id", "uuid", exists="snapshot", description="lists snapshot by snapshot ID"),
        Param(
            "ids", "list", exists="snapshot", since="4.9", description="the IDs of the snapshots"
        ),
        Param("name", "string", description="lists snapshot by snapshot name"),
        Param("volumeid", "uuid", exists="volume", description="the ID of the disk volume"),
        Param("snapshottype", "string", description="valid values are MANUAL or RECURRING"),
        Param(
            "intervaltype",
            "string",
            description="valid values are HOURLY, DAILY, WEEKLY, and MONTHLY",
        ),
        Param("zoneid", "uuid", exists="zone", description="list snapshots by zone id"),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="snapshot",
)
def list_snapshots(call: Call) -> Listing:
    """Lists all available snapshots for the account."""
    fields = {
        k: call.text(k) for k in ("name", "snapshottype", "intervaltype", "zoneid") if call.has(k)
    }
    where = tag_filters(call)
    ids = [call.need_text("id")] if call.has("id") else (call.items("ids") or None)
    offset, limit = call.window()
    total, docs = call.state.store.find(
        "snapshot",
        owners=call.visible_owners(),
        ref=call.text("volumeid"),
        ids=ids,
        fields=fields,
        keyword=call.text("keyword"),
        where=where,
        offset=offset,
        limit=limit,
    )
    return Listing(total, render_many(call.state, docs))


delete = command(
    "deleteSnapshot",
    is_async=True,
    params=(
        Param("id", "uuid", required=True, entity="snapshot", description="The ID of the snapshot"),
    ),
)


@delete
def _delete(call: Call) -> Pending:
    """Deletes a snapshot of a disk volume."""
    doc = call.need_ref("id")
    if doc["state"] == "Creating":
        raise err.param_error(f"Can't delete snapshot {doc['id']} while it is being created")
    return Pending("Snapshot", doc["id"], payload={"snapshot": doc["id"]})


@delete.finisher
def _deleted(call: Call, payload: Doc) -> Doc:
    call.state.store.delete(payload["snapshot"])
    _, tags = call.state.store.find("tag", ref=payload["snapshot"])
    for tag in tags:
        call.state.store.delete(tag["id"])
    return async_success()


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    create,
    list_snapshots,
    delete,
)
