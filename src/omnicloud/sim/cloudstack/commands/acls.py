"""VPC network ACLs: createNetworkACLList, listNetworkACLLists, deleteNetworkACLList,
replaceNetworkACLList, createNetworkACL, listNetworkACLs, updateNetworkACLItem, deleteNetworkACL.

The system lists ``default_allow`` and ``default_deny`` have no owner and cannot be changed."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import new_id, owner_fields, render
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc
from ._common import async_success
from ._netdocs import (
    drop_resource,
    owned_list,
    parse_cidrs,
    pick_fields,
    port_range,
    project_fields,
)

_PROTOCOLS = ("tcp", "udp", "icmp", "all")


def _is_default(acl: Doc) -> bool:
    return acl.get("_owner") is None


create_list = command(
    "createNetworkACLList",
    is_async=True,
    params=(
        Param("name", "string", required=True, description="name of the network ACL list"),
        Param("description", "string", description="description of the network ACL list"),
        Param(
            "vpcid",
            "uuid",
            required=True,
            entity="vpc",
            description="ID of the VPC associated with this network ACL list",
        ),
        Param("fordisplay", "boolean", description="display the list to the end user"),
    ),
)


@create_list
def _create_list(call: Call) -> Pending:
    """Creates a network ACL for the given VPC."""
    vpc = call.need_ref("vpcid")
    account = call.state.account(vpc["_owner"])
    assert account is not None
    name = call.need_text("name")
    doc: Doc = {
        "id": new_id(),
        "name": name,
        "description": call.text("description") or name,
        "vpcid": vpc["id"],
        "fordisplay": call.flag("fordisplay", True),
        **owner_fields(account),
    }
    if vpc.get("projectid"):
        doc.update(project_fields({"id": vpc["projectid"], "name": vpc.get("project", "")}))
    call.state.store.put("networkacllist", doc)
    return Pending("NetworkAclList", doc["id"], returns_id=True, payload={"id": doc["id"]})


@create_list.finisher
def _list_created(call: Call, payload: Doc) -> Doc:
    doc = call.state.store.get("networkacllist", payload["id"])
    if doc is None:
        raise err.param_error(f"ACL list {payload['id']} no longer exists")
    return {"networkacllist": render(call.state, doc)}


@create_list.failure
def _list_failed(call: Call, payload: Doc) -> None:
    drop_resource(call.state, payload["id"])


@command(
    "listNetworkACLLists",
    params=(
        Param(
            "id",
            "uuid",
            exists="networkacllist",
            description="Lists network ACL with the specified ID",
        ),
        Param("name", "string", description="list network ACLs by specified name"),
        Param("networkid", "uuid", exists="network", description="list network ACLs by network ID"),
        Param("vpcid", "uuid", exists="vpc", description="list network ACLs by VPC ID"),
        Param("fordisplay", "boolean", description="list resources by display flag"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="networkacllist",
)
def list_acl_lists(call: Call) -> Listing:
    """Lists all network ACLs."""
    fields = pick_fields(call, ("name", "vpcid", "fordisplay"))
    where: list[tuple[str, tuple[object, ...]]] = []
    if call.has("networkid"):
        network = call.state.store.get("network", call.text("networkid") or "")
        where.append(("id = ?", ((network or {}).get("aclid", ""),)))
    return owned_list(call, "networkacllist", fields=fields, where=where, shared=True)


_LIST_ID = Param(
    "id", "uuid", required=True, entity="networkacllist", description="the ID of the ACL list"
)

delete_list = command("deleteNetworkACLList", is_async=True, params=(_LIST_ID,))


@delete_list
def _delete_list(call: Call) -> Pending:
    """Deletes a network ACL."""
    acl = call.need_ref("id")
    if _is_default(acl):
        raise err.param_error("Default ACL cannot be removed")
    used = call.state.store.count(
        "network", where="json_extract(data, '$.aclid') = ?", args=(acl["id"],)
    )
    if used:
        raise err.param_error(f"ACL {acl['name']} is still associated with {used} tier(s)")
    return Pending("NetworkAclList", acl["id"], payload={"id": acl["id"]})


@delete_list.finisher
def _list_deleted(call: Call, payload: Doc) -> Doc:
    _, items = call.state.store.find("networkacl", ref=payload["id"])
    for item in items:
        drop_resource(call.state, item["id"])
    drop_resource(call.state, payload["id"])
    return async_success()


replace = command(
    "replaceNetworkACLList",
    is_async=True,
    params=(
        Param(
            "aclid",
            "uuid",
            required=True,
            entity="networkacllist",
            description="the ID of the network ACL",
        ),
        Param("networkid", "uuid", entity="network", description="the ID of the network"),
        Param("gatewayid", "uuid", description="the ID of the private gateway"),
    ),
)


@replace
def _replace(call: Call) -> Pending:
    """Replaces ACL associated with a network or private gateway."""
    acl = call.need_ref("aclid")
    network = call.ref("networkid")
    if network is None:
        if call.has("gatewayid"):
            raise err.param_error("Private gateways are not simulated")
        raise err.param_error("Network ID and private gateway can't be passed at the same time")
    if not network.get("vpcid"):
        raise err.param_error(f"Network {network['id']} is not part of a VPC")
    if not _is_default(acl) and acl.get("vpcid") != network["vpcid"]:
        raise err.param_error("Network and ACL should belong to same VPC")
    return Pending("Network", network["id"], payload={"network": network["id"], "acl": acl["id"]})


@replace.finisher
def _replaced(call: Call, payload: Doc) -> Doc:
    network = call.state.store.get("network", payload["network"])
    acl = call.state.store.get("networkacllist", payload["acl"])
    if network is None or acl is None:
        raise err.param_error("The network or the ACL list no longer exists")
    network.update(aclid=acl["id"], aclname=acl["name"])
    call.state.store.save(network)
    return async_success()


# ACL items ------------------------------------------------------------------------------------


def _item_fields(call: Call, item: Doc) -> None:
    if call.has("protocol"):
        protocol = (call.text("protocol") or "").lower()
        if protocol not in _PROTOCOLS and not protocol.isdigit():
            raise err.param_error(f"Invalid protocol {protocol}")
        item["protocol"] = protocol
    ports = port_range(call, "startport", "endport")
    if ports is not None:
        if item.get("protocol") not in ("tcp", "udp"):
            raise err.param_error("Can specify start/end port only when protocol is TCP or UDP")
        item.update(startport=str(ports[0]), endport=str(ports[1]))
    if item.get("protocol") == "icmp":
        item["icmptype"] = call.number("icmptype", item.get("icmptype", -1))
        item["icmpcode"] = call.number("icmpcode", item.get("icmpcode", -1))
    if call.has("cidrlist") or "cidrlist" not in item:
        item["cidrlist"] = ",".join(parse_cidrs(call))
    if call.has("traffictype"):
        traffic = (call.text("traffictype") or "").capitalize()
        if traffic not in ("Ingress", "Egress"):
            raise err.param_error(f"Invalid traffic type {call.text('traffictype')}")
        item["traffictype"] = traffic
    if call.has("action"):
        action = (call.text("action") or "").capitalize()
        if action not in ("Allow", "Deny"):
            raise err.param_error("Invalid action. Allowed actions are Allow and Deny")
        item["action"] = action
    for key in ("reason",):
        if call.has(key):
            item[key] = call.text(key)
    if call.has("fordisplay"):
        item["fordisplay"] = call.flag("fordisplay")


def _check_number(call: Call, acl: Doc, number: int, item_id: str | None) -> None:
    _, items = call.state.store.find("networkacl", ref=acl["id"], fields={"number": number})
    if any(item["id"] != item_id for item in items):
        raise err.param_error(f"ACL item with number {number} already exists in ACL: {acl['id']}")


_ITEM_PARAMS = (
    Param("cidrlist", "list", description="the CIDR list to allow traffic from/to"),
    Param("startport", "integer", description="the starting port of ACL"),
    Param("endport", "integer", description="the ending port of ACL"),
    Param("icmptype", "integer", description="type of the ICMP message being sent"),
    Param("icmpcode", "integer", description="error code for this ICMP message"),
    Param("traffictype", "string", description="the traffic type for the ACL: Ingress, Egress"),
    Param("action", "string", description="scl entry action, allow or deny"),
    Param("number", "integer", description="the number of the ACL item, its ordering"),
    Param("reason", "string", description="why the rule exists"),
    Param("fordisplay", "boolean", description="display the rule to the end user"),
)

create_item = command(
    "createNetworkACL",
    is_async=True,
    params=(
        Param("protocol", "string", required=True, description="TCP, UDP, ICMP, ALL or a number"),
        Param("aclid", "uuid", entity="networkacllist", description="the network ACL list ID"),
        Param("networkid", "uuid", entity="network", description="the network (VPC tier) ID"),
        *_ITEM_PARAMS,
    ),
)


@create_item
def _create_item(call: Call) -> Pending:
    """Creates a ACL rule in the given network (the network has to belong to VPC)."""
    acl = call.ref("aclid")
    if acl is None:
        network = call.ref("networkid")
        if network is None:
            raise err.param_error("Either aclid or networkid must be specified")
        if not network.get("vpcid"):
            raise err.param_error(f"Network {network['id']} is not part of a VPC")
        acl = call.state.store.get("networkacllist", network.get("aclid", ""))
        assert acl is not None
    if _is_default(acl):
        raise err.param_error("Default ACL cannot be modified")
    call.check_owner(acl)
    item: Doc = {
        "id": new_id(),
        "traffictype": "Ingress",
        "state": "Active",
        "aclid": acl["id"],
        "aclname": acl["name"],
        "action": "Allow",
        "fordisplay": True,
        "reason": "",
        "_owner": acl["_owner"],
        "_ref": acl["id"],
    }
    if acl.get("projectid"):
        item.update(projectid=acl["projectid"], project=acl.get("project", ""))
    _item_fields(call, item)
    number = call.number("number")
    if number is None:
        _, items = call.state.store.find("networkacl", ref=acl["id"])
        number = max((int(i["number"]) for i in items), default=0) + 1
    _check_number(call, acl, number, None)
    item["number"] = number
    call.state.store.put("networkacl", item)
    return Pending("NetworkAcl", item["id"], returns_id=True, payload={"id": item["id"]})


def _item(call: Call, item_id: str) -> Doc:
    item = call.state.store.get("networkacl", item_id)
    if item is None:
        raise err.param_error(f"ACL item {item_id} no longer exists")
    return item


@create_item.finisher
def _item_created(call: Call, payload: Doc) -> Doc:
    return {"networkacl": render(call.state, _item(call, payload["id"]))}


@create_item.failure
def _item_failed(call: Call, payload: Doc) -> None:
    drop_resource(call.state, payload["id"])


@command(
    "listNetworkACLs",
    params=(
        Param(
            "id",
            "uuid",
            exists="networkacl",
            description="Lists network ACL Item with the specified ID",
        ),
        Param(
            "networkid",
            "uuid",
            exists="network",
            description="list network ACL items by network ID",
        ),
        Param("traffictype", "string", description="list network ACL items by traffic type"),
        Param(
            "aclid", "uuid", exists="networkacllist", description="list network ACL items by ACL ID"
        ),
        Param("protocol", "string", description="list network ACL items by protocol"),
        Param("action", "string", description="list network ACL items by action"),
        Param("fordisplay", "boolean", description="list resources by display flag"),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="networkacl",
)
def list_items(call: Call) -> Listing:
    """Lists all network ACL items."""
    fields = pick_fields(call, ("traffictype", "aclid", "protocol", "action", "fordisplay"))
    if call.has("networkid"):
        network = call.state.store.get("network", call.text("networkid") or "")
        fields["aclid"] = (network or {}).get("aclid", "")
    return owned_list(call, "networkacl", fields=fields, shared=True)


_ITEM_ID = Param(
    "id", "uuid", required=True, entity="networkacl", description="the ID of the network ACL item"
)

update_item = command(
    "updateNetworkACLItem",
    is_async=True,
    params=(
        _ITEM_ID,
        Param("protocol", "string", description="TCP, UDP, ICMP, ALL or a number"),
        Param("partialupgrade", "boolean", description="keep fields that are not sent"),
        *_ITEM_PARAMS,
    ),
)


@update_item
def _update_item(call: Call) -> Pending:
    """Updates ACL item with specified ID."""
    item = call.need_ref("id")
    if item.get("_owner") is None:
        raise err.param_error("Default ACL Items cannot be updated")
    probe = dict(item)
    _item_fields(call, probe)
    number = call.number("number")
    if number is not None:
        acl = call.state.store.get("networkacllist", item["aclid"])
        assert acl is not None
        _check_number(call, acl, number, item["id"])
    return Pending("NetworkAcl", item["id"], payload={"id": item["id"]})


@update_item.finisher
def _item_updated(call: Call, payload: Doc) -> Doc:
    item = _item(call, payload["id"])
    _item_fields(call, item)
    if call.has("number"):
        item["number"] = call.number("number")
    call.state.store.save(item)
    return {"networkacl": render(call.state, item)}


delete_item = command("deleteNetworkACL", is_async=True, params=(_ITEM_ID,))


@delete_item
def _delete_item(call: Call) -> Pending:
    """Deletes a network ACL."""
    item = call.need_ref("id")
    if item.get("_owner") is None:
        raise err.param_error("Default ACL Items cannot be deleted")
    return Pending("NetworkAcl", item["id"], payload={"id": item["id"]})


@delete_item.finisher
def _item_deleted(call: Call, payload: Doc) -> Doc:
    drop_resource(call.state, _item(call, payload["id"])["id"])
    return async_success()


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    create_list,
    list_acl_lists,
    delete_list,
    replace,
    create_item,
    list_items,
    update_item,
    delete_item,
)
