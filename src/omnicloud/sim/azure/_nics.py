"""``Microsoft.Network/networkInterfaces``: IP configurations take a private address from
their subnet and may use a public IP address; ``virtualMachine`` names the VM using the NIC."""

from __future__ import annotations

import uuid

from . import _lro
from ._addresses import allocate_private, find_subnet, release_private, split_subnet
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
from ._errors import bad_request
from ._nsgs import link as link_nsg
from ._request import Reply, Req, check_not_busy, existing, getter, lister, resource_id
from ._shapes import NIC
from ._state import AzureState
from ._store import Doc

__all__ = ["ROUTES", "unlink_and_delete"]

PROVIDER = "Microsoft.Network"
TYPE = "Microsoft.Network/networkInterfaces"
_BASE = "subscriptions/*/resourcegroups/*/providers/microsoft.network/networkinterfaces"
_MISSING = (
    "Resource {ref} referenced by resource {owner} was not found. Please make sure that the "
    "referenced resource exists, and that both resources are in the same region."
)


class _Vnets:
    """Virtual network documents read once per request, saved together."""

    def __init__(self, state: AzureState) -> None:
        self.state = state
        self.docs: dict[str, Doc] = {}

    def get(self, vnet_id: str) -> Doc | None:
        key = vnet_id.lower()
        if key not in self.docs:
            doc = self.state.store.get(vnet_id)
            if doc is None:
                return None
            self.docs[key] = doc
        return self.docs[key]

    def save(self) -> None:
        for doc in self.docs.values():
            self.state.store.save(doc)


def _set_users(vnet: Doc, subnet_name: str, user: str, *, add: bool) -> None:
    for subnet in vnet["properties"]["subnets"]:
        if subnet["name"].lower() == subnet_name.lower():
            users = subnet["properties"].get("ipConfigurations", [])
            if add:
                users.append({"id": user})  # a NIC's configurations are unlinked first
            else:
                wanted = user.lower()
                users = [u for u in users if u["id"].lower() != wanted]
            if users:
                subnet["properties"]["ipConfigurations"] = users
            else:
                subnet["properties"].pop("ipConfigurations", None)


def unlink(state: AzureState, nic: Doc, vnets: _Vnets) -> None:
    """Release what the NIC holds: private addresses, public IPs, subnet and NSG entries."""
    for config in nic["properties"]["ipConfigurations"]:
        p = config["properties"]
        parts = split_subnet(p["subnet"]["id"])
        vnet = vnets.get(parts[0]) if parts else None
        if vnet is not None and parts is not None:
            release_private(vnet, parts[1], p["privateIPAddress"])
            _set_users(vnet, parts[1], config["id"], add=False)
        pip_id = (p.get("publicIPAddress") or {}).get("id")
        if pip_id:
            pip = state.store.get(pip_id)
            if pip is not None:
                pip["properties"].pop("ipConfiguration", None)
                if pip["properties"]["publicIPAllocationMethod"] == "Dynamic":
                    pip["properties"].pop("ipAddress", None)
                state.store.save(pip)
    nsg = (nic["properties"].get("networkSecurityGroup") or {}).get("id")
    if nsg:
        link_nsg(state, nsg, "networkInterfaces", nic["id"], add=False)


def _configs(
    req: Req, nic_id: str, location: str, body: Doc, old: Doc | None, vnets: _Vnets
) -> list[Doc]:
    raw = props(body).get("ipConfigurations")
    if not isinstance(raw, list) or not raw:
        raise bad_request(
            "NetworkInterfaceMustHaveAtLeastOneIpConfiguration"
            if isinstance(raw, list)
            else "InvalidRequestFormat",
            f"Network interface {nic_id} must have at least one IP configuration.",
        )
    previous = {
        c["name"].lower(): c for c in (old["properties"]["ipConfigurations"] if old else [])
    }
    configs: list[Doc] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise bad_request(
                "InvalidRequestFormat",
                "Cannot parse the request: every IP configuration needs a name.",
            )
        config_id = f"{nic_id}/ipConfigurations/{item['name']}"
        p = props(item)
        subnet_id = ref_id(p.get("subnet"), "subnet")
        parts = split_subnet(subnet_id) if subnet_id else None
        vnet = vnets.get(parts[0]) if parts else None
        subnet = find_subnet(vnet, parts[1]) if vnet is not None and parts else None
        if vnet is None or subnet is None or parts is None:
            raise no_resource(req, _MISSING.format(ref=subnet_id, owner=config_id))
        if vnet["location"] != location:
            raise no_resource(req, _MISSING.format(ref=subnet_id, owner=config_id))
        method = (
            "Static"
            if str(p.get("privateIPAllocationMethod", "")).lower() == "static"
            else "Dynamic"
        )
        wanted = p.get("privateIPAddress") if method == "Static" else None
        before = previous.get(item["name"].lower())
        if (
            wanted is None
            and before is not None
            and before["properties"]["subnet"]["id"].lower() == subnet["id"].lower()
        ):
            wanted = before["properties"]["privateIPAddress"]
        address = allocate_private(vnet, subnet, wanted)
        _set_users(vnet, parts[1], config_id, add=True)
        properties: Doc = {
            "provisioningState": "Succeeded",
            "privateIPAddress": address,
            "privateIPAllocationMethod": method,
            "privateIPAddressVersion": "IPv4",
            "subnet": {"id": subnet["id"]},
            "primary": bool(p.get("primary", index == 0)),
        }
        pip_id = ref_id(p.get("publicIPAddress"), "publicIPAddress")
        if pip_id is not None:
            pip = req.state.store.get(pip_id)
            if pip is None or pip["location"] != location:
                raise no_resource(req, _MISSING.format(ref=pip_id, owner=config_id))
            user = pip["properties"].get("ipConfiguration")
            if user and user["id"].lower() != config_id.lower():
                raise bad_request(
                    "PublicIPAddressInUse",
                    f"Resource {pip['id']} is referenced by {user['id']} and cannot be used by "
                    f"{config_id}.",
                )
            pip["properties"]["ipConfiguration"] = {"id": config_id}
            req.state.store.save(pip)
            properties["publicIPAddress"] = {"id": pip["id"]}
        configs.append(
            {
                "name": item["name"],
                "id": config_id,
                "etag": "",
                "type": f"{TYPE}/ipConfigurations",
                "properties": properties,
            }
        )
    return configs


def _put(req: Req) -> Reply:
    _, group_name, name = req.args
    group = req.group(group_name)
    body = req.obj(NIC)
    rid = resource_id(req, group["name"], TYPE, name)
    store = req.state.store
    old = store.get(rid)
    vnets = _Vnets(req.state)
    if old is not None:
        check_not_busy(old, "update")
        unlink(req.state, old, vnets)
    rid = old["id"] if old else rid
    location = location_of(req, body, old["location"] if old else None)
    configs = _configs(req, rid, location, body, old, vnets)
    tag = etag()
    for config in configs:
        config["etag"] = tag
    properties: Doc = {
        "resourceGuid": old["properties"]["resourceGuid"] if old else str(uuid.uuid4()),
        "ipConfigurations": configs,
        "dnsSettings": {"dnsServers": [], "appliedDnsServers": []},
        "enableAcceleratedNetworking": bool(props(body).get("enableAcceleratedNetworking", False)),
        "enableIPForwarding": bool(props(body).get("enableIPForwarding", False)),
        "nicType": "Standard",
        "auxiliaryMode": "None",
    }
    if old is not None:
        for field in ("virtualMachine", "macAddress", "primary"):
            if field in old["properties"]:
                properties[field] = old["properties"][field]
    nsg = ref_id(props(body).get("networkSecurityGroup"), "networkSecurityGroup")
    if nsg is not None:
        if store.get(nsg) is None:
            raise no_resource(req, _MISSING.format(ref=nsg, owner=rid))
        properties["networkSecurityGroup"] = {"id": nsg}
        link_nsg(req.state, nsg, "networkInterfaces", rid, add=True)
    vnets.save()
    doc: Doc = {
        "id": rid,
        "name": old["name"] if old else name,
        "type": TYPE,
        "location": location,
        "etag": tag,
        "kind": "Regular",
        "properties": properties,
    }
    take_tags(doc, body)
    if "virtualMachine" in properties:
        from ._vmpower import allocated

        if allocated(req.state, properties["virtualMachine"]["id"]):
            for config in configs:
                pip = config["properties"].get("publicIPAddress")
                if pip:
                    from ._publicips import assign_dynamic

                    assign_dynamic(req.state, pip["id"])
    return begin_put(
        req, "nic", group["name"], doc, PROVIDER, created=old is None, transitional="Updating"
    )


def _delete(req: Req) -> Reply:
    doc = existing(req, TYPE)
    if doc is None:
        return Reply(204)
    vm = doc["properties"].get("virtualMachine")
    if vm:
        raise bad_request(
            "NicInUse",
            f"Network Interface {doc['id']} is used by existing resource {vm['id']}. In order to "
            "delete the network interface, it must be dissociated from the resource. To learn "
            "more, see aka.ms/deletenic.",
        )
    return begin_delete(
        req, "nic", doc["_group"], doc, PROVIDER, ({"do": "nic.unlink", "id": doc["id"]},)
    )


@_lro.effect("nic.unlink")
def _unlink_effect(state: AzureState, step: Doc) -> None:
    doc = state.store.get(step["id"])
    if doc is not None:
        vnets = _Vnets(state)
        unlink(state, doc, vnets)
        vnets.save()


def unlink_and_delete(state: AzureState, nic_id: str) -> None:
    """Delete a NIC at once with what it holds (its VM's ``deleteOption: Delete``)."""
    _unlink_effect(state, {"id": nic_id})
    state.store.delete(nic_id)


ROUTES = [
    ("PUT", f"{_BASE}/*", _put),
    ("PATCH", f"{_BASE}/*", tag_patcher(TYPE)),
    ("GET", f"{_BASE}/*", getter(TYPE)),
    ("DELETE", f"{_BASE}/*", _delete),
    ("GET", _BASE, lister("nic", True)),
    ("GET", "subscriptions/*/providers/microsoft.network/networkinterfaces", lister("nic", False)),
]
