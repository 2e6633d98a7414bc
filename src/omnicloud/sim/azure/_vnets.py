"""``Microsoft.Network/virtualNetworks`` and their ``subnets`` (kept inside the network's
document; a subnet lists the NIC IP configurations using it under ``ipConfigurations``)."""

from __future__ import annotations

import uuid

from . import _lro
from ._addresses import find_subnet, network
from ._common import (
    begin_delete,
    begin_put,
    etag,
    location_of,
    no_resource,
    props,
    ref_id,
    tag_patcher,
    take_tags,
)
from ._errors import bad_request, not_found
from ._request import Reply, Req, check_not_busy, existing, lister, need, resource_id
from ._shapes import SUBNET, VNET
from ._state import AzureState, public
from ._store import Doc

__all__ = ["ROUTES"]

PROVIDER = "Microsoft.Network"
TYPE = "Microsoft.Network/virtualNetworks"
_BASE = "subscriptions/*/resourcegroups/*/providers/microsoft.network/virtualnetworks"


def _vnet_id(req: Req, group: str, name: str) -> str:
    return resource_id(req, group, TYPE, name)


def _subnet(req: Req, vnet: Doc, body: Doc, space: list[object]) -> Doc:
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise bad_request(
            "InvalidRequestFormat", "Cannot parse the request: a subnet needs a name."
        )
    properties = props(body)
    prefix = properties.get("addressPrefix")
    if prefix is None and properties.get("addressPrefixes"):
        prefix = properties["addressPrefixes"][0]
    subnet_id = f"{vnet['id']}/subnets/{name}"
    net = network(prefix, subnet_id)
    if not any(net.subnet_of(network(outer, vnet["id"])) for outer in space):
        raise bad_request(
            "NetcfgInvalidSubnet",
            f"Subnet '{name}' is not valid in virtual network '{vnet['name']}'.",
        )
    subnet: Doc = {
        "name": name,
        "id": subnet_id,
        "etag": vnet["etag"],
        "type": f"{TYPE}/subnets",
        "properties": {
            "provisioningState": "Succeeded",
            "addressPrefix": str(net),
            "delegations": [],
            "privateEndpointNetworkPolicies": "Disabled",
            "privateLinkServiceNetworkPolicies": "Enabled",
        },
    }
    nsg = ref_id(properties.get("networkSecurityGroup"), "networkSecurityGroup")
    if nsg is not None:
        if req.state.store.get(nsg) is None:
            raise no_resource(
                req,
                f"Resource {nsg} referenced by resource {subnet_id} was not "
                "found. Please make sure that the referenced resource exists, "
                "and that both resources are in the same region.",
            )
        subnet["properties"]["networkSecurityGroup"] = {"id": nsg}
    return subnet


def _check_overlaps(vnet: Doc, subnets: list[Doc]) -> None:
    seen: list[tuple[str, object]] = []
    for subnet in subnets:
        net = network(subnet["properties"]["addressPrefix"], subnet["id"])
        for name, other in seen:
            if net.overlaps(other):  # type: ignore[arg-type]
                raise bad_request(
                    "NetcfgSubnetRangesOverlap",
                    f"Subnet '{subnet['name']}' is not valid because its IP address range "
                    f"overlaps with that of an existing subnet '{name}' in virtual network "
                    f"'{vnet['name']}'.",
                )
        seen.append((subnet["name"], net))


def _in_use(subnet: Doc) -> None:
    users = subnet["properties"].get("ipConfigurations", [])
    if users:
        raise bad_request(
            "InUseSubnetCannotBeDeleted",
            f"Subnet {subnet['name']} is in use by {users[0]['id']} and cannot be deleted. In "
            "order to delete the subnet, delete all the resources within the subnet. See "
            "aka.ms/deletesubnet.",
        )


def _keep_usage(old: Doc | None, new: Doc) -> None:
    """Carry a kept subnet's users over; refuse to change the prefix of a used one."""
    if old is None:
        return
    users = old["properties"].get("ipConfigurations")
    if users:
        if old["properties"]["addressPrefix"] != new["properties"]["addressPrefix"]:
            raise bad_request(
                "InUseSubnetCannotBeUpdated",
                f"Subnet {old['name']} is in use and its address prefix cannot be changed.",
            )
        new["properties"]["ipConfigurations"] = users


def _link_nsgs(state: AzureState, before: list[Doc], after: list[Doc]) -> None:
    from ._nsgs import link

    def refs(subnets: list[Doc]) -> set[tuple[str, str]]:
        return {
            (s["properties"]["networkSecurityGroup"]["id"].lower(), s["id"])
            for s in subnets
            if "networkSecurityGroup" in s["properties"]
        }

    old, new = refs(before), refs(after)
    for nsg, subnet in old - new:
        link(state, nsg, "subnets", subnet, add=False)
    for nsg, subnet in new - old:
        link(state, nsg, "subnets", subnet, add=True)


def _put(req: Req) -> Reply:
    _, group_name, name = req.args
    group = req.group(group_name)
    body = req.obj(VNET)
    rid = _vnet_id(req, group["name"], name)
    old = req.state.store.get(rid)
    if old is not None:
        check_not_busy(old, "update")
    properties = props(body)
    space = (properties.get("addressSpace") or {}).get("addressPrefixes") or []
    if not isinstance(space, list) or not space:
        raise bad_request(
            "InvalidRequestFormat",
            "Cannot parse the request: addressSpace.addressPrefixes is required.",
        )
    for prefix in space:
        network(prefix, rid)
    doc: Doc = {
        "id": old["id"] if old else rid,
        "name": old["name"] if old else name,
        "type": TYPE,
        "location": location_of(req, body, old["location"] if old else None),
        "etag": etag(),
        "properties": {
            "addressSpace": {"addressPrefixes": [str(network(p, rid)) for p in space]},
            "subnets": [],
            "virtualNetworkPeerings": [],
            "enableDdosProtection": False,
            "resourceGuid": old["properties"]["resourceGuid"] if old else str(uuid.uuid4()),
        },
        "_ips": old.get("_ips", {}) if old else {},
    }
    take_tags(doc, body)
    subnets = [_subnet(req, doc, s, space) for s in properties.get("subnets") or []]
    _check_overlaps(doc, subnets)
    previous = old["properties"]["subnets"] if old else []
    for subnet in subnets:
        _keep_usage(find_subnet(old, subnet["name"]) if old else None, subnet)
    kept = {s["name"].lower() for s in subnets}
    for gone in previous:
        if gone["name"].lower() not in kept:
            _in_use(gone)
    doc["properties"]["subnets"] = subnets
    _link_nsgs(req.state, previous, subnets)
    return begin_put(
        req, "vnet", group["name"], doc, PROVIDER, created=old is None, transitional="Updating"
    )


def _get_vnet(req: Req, group: str, name: str) -> Doc:
    return need(req, _vnet_id(req, group, name), TYPE, name, group)


def _get(req: Req) -> Reply:
    return Reply(200, public(_get_vnet(req, req.args[1], req.args[2])))


def _delete(req: Req) -> Reply:
    doc = existing(req, TYPE)
    if doc is None:
        return Reply(204)
    for subnet in doc["properties"]["subnets"]:
        _in_use(subnet)
    _link_nsgs(req.state, doc["properties"]["subnets"], [])
    return begin_delete(req, "vnet", doc["_group"], doc, PROVIDER)


# subnets -------------------------------------------------------------------------------------


def _subnet_reply(req: Req, vnet: Doc, subnet: Doc, status: int) -> Reply:
    op = _lro.start(req, PROVIDER, vnet["location"], [])
    return Reply(status, subnet, _lro.headers(req, op))


def _put_subnet(req: Req) -> Reply:
    _, group, vnet_name, name = req.args
    vnet = _get_vnet(req, group, vnet_name)
    check_not_busy(vnet, "update")
    body = dict(req.obj(SUBNET))
    body["name"] = name
    space = vnet["properties"]["addressSpace"]["addressPrefixes"]
    subnet = _subnet(req, vnet, body, space)
    subnets: list[Doc] = list(vnet["properties"]["subnets"])
    old = find_subnet(vnet, name)
    if old is not None:
        subnet["name"], subnet["id"] = old["name"], old["id"]
        _keep_usage(old, subnet)
    others = [s for s in subnets if s["name"].lower() != name.lower()]
    _check_overlaps(vnet, [*others, subnet])
    index = next((i for i, s in enumerate(subnets) if s["name"].lower() == name.lower()), None)
    if index is None:
        subnets.append(subnet)
    else:
        subnets[index] = subnet
    _link_nsgs(req.state, [old] if old else [], [subnet])
    vnet["properties"]["subnets"] = subnets
    req.state.store.save(vnet)
    return _subnet_reply(req, vnet, subnet, 200 if old else 201)


def _get_subnet(req: Req) -> Reply:
    _, group, vnet_name, name = req.args
    vnet = _get_vnet(req, group, vnet_name)
    subnet = find_subnet(vnet, name)
    if subnet is None:
        raise not_found(f"{TYPE}/{vnet['name']}/subnets", name, group)
    return Reply(200, subnet)


def _delete_subnet(req: Req) -> Reply:
    _, group, vnet_name, name = req.args
    vnet = _get_vnet(req, group, vnet_name)
    subnet = find_subnet(vnet, name)
    if subnet is None:
        return Reply(204)
    _in_use(subnet)
    _link_nsgs(req.state, [subnet], [])
    vnet["properties"]["subnets"] = [
        s for s in vnet["properties"]["subnets"] if s["name"].lower() != name.lower()
    ]
    vnet.get("_ips", {}).pop(name.lower(), None)
    req.state.store.save(vnet)
    op = _lro.start(req, PROVIDER, vnet["location"], [], kind="delete")
    return Reply(202, None, _lro.headers(req, op, location=True))


def _list_subnets(req: Req) -> Reply:
    vnet = _get_vnet(req, req.args[1], req.args[2])
    return Reply(200, {"value": vnet["properties"]["subnets"]})


ROUTES = [
    ("PUT", f"{_BASE}/*", _put),
    ("PATCH", f"{_BASE}/*", tag_patcher(TYPE)),
    ("GET", f"{_BASE}/*", _get),
    ("DELETE", f"{_BASE}/*", _delete),
    ("GET", _BASE, lister("vnet", True)),
    ("GET", "subscriptions/*/providers/microsoft.network/virtualnetworks", lister("vnet", False)),
    ("PUT", f"{_BASE}/*/subnets/*", _put_subnet),
    ("GET", f"{_BASE}/*/subnets/*", _get_subnet),
    ("DELETE", f"{_BASE}/*/subnets/*", _delete_subnet),
    ("GET", f"{_BASE}/*/subnets", _list_subnets),
]
