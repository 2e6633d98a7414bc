"""``Microsoft.Network/publicIPAddresses``: Static addresses are assigned at creation, Dynamic
ones while the VM using them is allocated; ``ipConfiguration`` names the NIC using one."""

from __future__ import annotations

import uuid

from ._addresses import allocate_public
from ._common import begin_delete, begin_put, etag, location_of, props, tag_patcher, take_tags
from ._errors import bad_request
from ._request import Reply, Req, check_not_busy, existing, getter, lister, resource_id
from ._shapes import PIP
from ._state import AzureState
from ._store import Doc

__all__ = ["ROUTES", "assign_dynamic", "release_dynamic"]

PROVIDER = "Microsoft.Network"
TYPE = "Microsoft.Network/publicIPAddresses"
_BASE = "subscriptions/*/resourcegroups/*/providers/microsoft.network/publicipaddresses"


def _choice(value: object, allowed: tuple[str, ...], what: str) -> str:
    for option in allowed:
        if isinstance(value, str) and value.lower() == option.lower():
            return option
    raise bad_request(
        "InvalidRequestFormat",
        f"Cannot parse the request: {what} must be one of {', '.join(allowed)}, not {value}.",
    )


def _put(req: Req) -> Reply:
    _, group_name, name = req.args
    group = req.group(group_name)
    body = req.obj(PIP)
    rid = resource_id(req, group["name"], TYPE, name)
    old = req.state.store.get(rid)
    if old is not None:
        check_not_busy(old, "update")
    p = props(body)
    sku = _choice((body.get("sku") or {}).get("name", "Standard"), ("Basic", "Standard"), "sku")
    default_method = "Static" if sku == "Standard" else "Dynamic"
    method = _choice(
        p.get("publicIPAllocationMethod", default_method),
        ("Static", "Dynamic"),
        "publicIPAllocationMethod",
    )
    if sku == "Standard" and method == "Dynamic":
        raise bad_request(
            "StandardSkuPublicIPAddressesCanOnlyUseStaticAllocation",
            f"Standard sku publicIp {rid} must specify publicIPAllocationMethod as Static.",
        )
    location = location_of(req, body, old["location"] if old else None)
    properties: Doc = {
        "resourceGuid": old["properties"]["resourceGuid"] if old else str(uuid.uuid4()),
        "publicIPAddressVersion": p.get("publicIPAddressVersion", "IPv4"),
        "publicIPAllocationMethod": method,
        "idleTimeoutInMinutes": int(p.get("idleTimeoutInMinutes", 4)),
        "ipTags": [],
    }
    if old is not None:
        for field in ("ipConfiguration", "ipAddress"):
            if field in old["properties"]:
                properties[field] = old["properties"][field]
    if method == "Static" and "ipAddress" not in properties:
        properties["ipAddress"] = allocate_public(req.state)
    label = (p.get("dnsSettings") or {}).get("domainNameLabel")
    if label:
        properties["dnsSettings"] = {
            "domainNameLabel": label,
            "fqdn": f"{label}.{location}.cloudapp.azure.com",
        }
    doc: Doc = {
        "id": old["id"] if old else rid,
        "name": old["name"] if old else name,
        "type": TYPE,
        "location": location,
        "etag": etag(),
        "sku": {"name": sku, "tier": "Regional"},
        "properties": properties,
    }
    if body.get("zones"):
        doc["zones"] = list(body["zones"])
    take_tags(doc, body)
    return begin_put(
        req, "pip", group["name"], doc, PROVIDER, created=old is None, transitional="Updating"
    )


def _delete(req: Req) -> Reply:
    doc = existing(req, TYPE)
    if doc is None:
        return Reply(204)
    user = doc["properties"].get("ipConfiguration")
    if user:
        raise bad_request(
            "PublicIPAddressInUse",
            f"Public IP address {doc['id']} can not be deleted since it is still allocated to "
            f"resource {user['id']}. In order to delete the public IP, disassociate/detach the "
            "Public IP address from the resource. To learn how to do this, see "
            "aka.ms/deletepublicip.",
        )
    return begin_delete(req, "pip", doc["_group"], doc, PROVIDER)


def assign_dynamic(state: AzureState, pip_id: str) -> None:
    """Give a Dynamic address its IP (its VM is being allocated)."""
    doc = state.store.get(pip_id)
    if doc is not None and "ipAddress" not in doc["properties"]:
        doc["properties"]["ipAddress"] = allocate_public(state)
        state.store.save(doc)


def release_dynamic(state: AzureState, pip_id: str) -> None:
    """Take a Dynamic address's IP back (its VM was deallocated or let it go)."""
    doc = state.store.get(pip_id)
    if doc is not None and doc["properties"]["publicIPAllocationMethod"] == "Dynamic":
        doc["properties"].pop("ipAddress", None)
        state.store.save(doc)


ROUTES = [
    ("PUT", f"{_BASE}/*", _put),
    ("PATCH", f"{_BASE}/*", tag_patcher(TYPE)),
    ("GET", f"{_BASE}/*", getter(TYPE)),
    ("DELETE", f"{_BASE}/*", _delete),
    ("GET", _BASE, lister("pip", True)),
    ("GET", "subscriptions/*/providers/microsoft.network/publicipaddresses", lister("pip", False)),
]
