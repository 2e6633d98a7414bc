"""Resource tags: createTags, deleteTags, listTags (the ``tags`` field of lists reads them too)."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import TAGGABLE, new_id
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc, public
from ._common import async_success

# Networking resource types (ResourceObjectType names) join the compute ones of ``TAGGABLE``.
TAGGABLE.update(
    {
        "publicipaddress": ("publicipaddress", "PublicIpAddress"),
        "portforwardingrule": ("portforwardingrule", "PortForwardingRule"),
        "firewallrule": ("firewallrule", "FirewallRule"),
        "loadbalancer": ("loadbalancerrule", "LoadBalancer"),
        "vpc": ("vpc", "Vpc"),
        "networkacl": ("networkacl", "NetworkACL"),
        "networkacllist": ("networkacllist", "NetworkACLList"),
        "project": ("project", "Project"),
        "vpngateway": ("vpngateway", "VpnGateway"),
        "customergateway": ("vpncustomergateway", "CustomerGateway"),
        "vpnconnection": ("vpnconnection", "VpnConnection"),
        "affinitygroup": ("affinitygroup", "AffinityGroup"),
    }
)


def _resources(call: Call) -> tuple[str, str, list[Doc]]:
    resource_type = call.need_text("resourcetype")
    entry = TAGGABLE.get(resource_type.lower())
    if entry is None:
        raise err.param_error(f"Invalid resource type {resource_type}")
    kind, canonical = entry
    docs = []
    for resource_id in call.items("resourceids"):
        doc = call.state.store.get(kind, resource_id)
        if doc is None:
            raise err.param_error(
                f"Unable to find resource by id {resource_id} and type {canonical}"
            )
        call.check_owner(doc)
        docs.append(doc)
    if not docs:
        raise err.missing(call.command.name, "resourceids")
    return kind, canonical, docs


create = command(
    "createTags",
    is_async=True,
    params=(
        Param(
            "resourceids",
            "list",
            required=True,
            description="list of resources to create the tags for",
        ),
        Param("resourcetype", "string", required=True, description="type of the resource"),
        Param("tags", "map", required=True, description="Map of tags (key/value pairs)"),
        Param("customer", "string", description="identifies client specific tag"),
    ),
)


@create
def _create(call: Call) -> Pending:
    """Creates resource tag(s)."""
    _, canonical, docs = _resources(call)
    pairs = [(t.get("key", ""), t.get("value", "")) for t in call.maps("tags")]
    if any(not key for key, _ in pairs):
        raise err.param_error("Tag key can't be empty")
    for doc in docs:
        _, existing = call.state.store.find("tag", ref=doc["id"])
        taken = {tag["key"] for tag in existing}
        for key, _ in pairs:
            if key in taken:
                raise err.param_error(f"tag {key} already on {canonical} with id {doc['id']}")
    return Pending(
        None, None, payload={"type": canonical, "ids": [d["id"] for d in docs], "tags": pairs}
    )


@create.finisher
def _created(call: Call, payload: Doc) -> Doc:
    kind = TAGGABLE[payload["type"].lower()][0]
    for resource_id in payload["ids"]:
        doc = call.state.store.get(kind, resource_id)
        if doc is None:
            raise err.param_error(f"Unable to find resource by id {resource_id}")
        account = call.state.account(doc.get("_owner") or call.caller.account_id)
        assert account is not None
        for key, value in payload["tags"]:
            call.state.store.put(
                "tag",
                {
                    "id": new_id(),
                    "key": key,
                    "value": value,
                    "resourcetype": payload["type"],
                    "resourceid": resource_id,
                    "account": account["name"],
                    "domainid": account["domainid"],
                    "domain": account["domain"],
                    "customer": call.text("customer"),
                    "_owner": account["id"],
                    "_ref": resource_id,
                },
            )
    return async_success()


delete = command(
    "deleteTags",
    is_async=True,
    params=(
        Param("resourceids", "list", required=True, description="Delete tags for resource id(s)"),
        Param("resourcetype", "string", required=True, description="Delete tag by resource type"),
        Param("tags", "map", description="Delete tags matching key/value pairs"),
    ),
)


@delete
def _delete(call: Call) -> Pending:
    """Deleting resource tag(s)."""
    _, _canonical, docs = _resources(call)
    pairs = [(t.get("key", ""), t.get("value")) for t in call.maps("tags")]
    return Pending(None, None, payload={"ids": [d["id"] for d in docs], "tags": pairs})


@delete.finisher
def _deleted(call: Call, payload: Doc) -> Doc:
    for resource_id in payload["ids"]:
        _, tags = call.state.store.find("tag", ref=resource_id)
        for tag in tags:
            wanted = payload["tags"]
            if not wanted or any(
                tag["key"] == k and (v is None or tag["value"] == v) for k, v in wanted
            ):
                call.state.store.delete(tag["id"])
    return async_success()


@command(
    "listTags",
    params=(
        Param("resourceid", "string", description="list by resource id"),
        Param("resourcetype", "string", description="list by resource type"),
        Param("key", "string", description="list by key"),
        Param("value", "string", description="list by value"),
        Param("customer", "string", description="list by customer name"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="tag",
)
def list_tags(call: Call) -> Listing:
    """List resource tag(s)."""
    fields = {k: call.text(k) for k in ("key", "value", "customer") if call.has(k)}
    where: list[tuple[str, tuple[object, ...]]] = []
    if call.has("resourcetype"):
        where.append(
            ("lower(json_extract(data, '$.resourcetype')) = lower(?)", (call.text("resourcetype"),))
        )
    offset, limit = call.window()
    total, docs = call.state.store.find(
        "tag",
        owners=call.visible_owners(),
        ref=call.text("resourceid"),
        fields=fields,
        where=where,
        offset=offset,
        limit=limit,
    )
    return Listing(total, [{k: v for k, v in public(d).items() if k != "id"} for d in docs])


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    create,
    delete,
    list_tags,
)
