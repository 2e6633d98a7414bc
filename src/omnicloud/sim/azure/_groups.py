"""Subscriptions, tenants and resource groups (``Microsoft.Resources``)."""

from __future__ import annotations

from . import _lro
from ._common import known_location, tags_of
from ._errors import ArmError, bad_request, group_not_found
from ._request import Reply, Req, paged
from ._shapes import RG
from ._state import AzureState, group_doc, public
from ._store import Doc

__all__ = ["ROUTES"]

_GROUP = "subscriptions/*/resourcegroups/*"
_VALID = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.()")


def _subscription(req: Req) -> Doc:
    return {
        "id": f"/subscriptions/{req.subscription}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": req.subscription,
        "tenantId": req.state.tenant_id,
        "displayName": "omnicloud simulator",
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    }


def _list_subscriptions(req: Req) -> Reply:
    return Reply(200, {"count": {"type": "Total", "value": 1}, "value": [_subscription(req)]})


def _get_subscription(req: Req) -> Reply:
    return Reply(200, _subscription(req))


def _tenants(req: Req) -> Reply:
    tenant = req.state.tenant_id
    return Reply(
        200,
        {
            "value": [
                {
                    "id": f"/tenants/{tenant}",
                    "tenantId": tenant,
                    "tenantCategory": "Home",
                    "displayName": "omnicloud",
                }
            ]
        },
    )


def _group_id(req: Req, name: str) -> str:
    return f"/subscriptions/{req.subscription}/resourceGroups/{name}"


def _put(req: Req) -> Reply:
    name = req.args[1]
    if not name or len(name) > 90 or name.endswith(".") or not set(name) <= _VALID:
        raise bad_request(
            "InvalidResourceGroupName",
            f"The provided resource group name '{name}' has these invalid characters: the "
            "name can have letters, digits, '-', '_', '.', '(' and ')', up to 90, not ending "
            "in '.'.",
        )
    body = req.obj(RG)
    old = req.state.store.get(_group_id(req, name))
    if old is not None:
        req.group(name)  # 409 while deleting
    location = body.get("location")
    if not isinstance(location, str) or not location:
        raise bad_request(
            "LocationRequired", "The location property is required for this definition."
        )
    location = known_location(location, "resource groups")
    if old is not None and old["location"] != location:
        raise bad_request(
            "InvalidResourceGroupLocation",
            f"Invalid resource group location '{location}'. The Resource group already exists "
            f"in location '{old['location']}'.",
        )
    doc = group_doc(req.subscription, old["name"] if old else name, location, tags_of(body))
    req.state.store.put("group", doc["name"], doc)
    return Reply(200 if old else 201, public(doc))


def _get(req: Req) -> Reply:
    doc = req.state.store.get(_group_id(req, req.args[1]))
    if doc is None:
        raise group_not_found(req.args[1])
    return Reply(200, public(doc))


def _head(req: Req) -> Reply:
    found = req.state.store.get(_group_id(req, req.args[1])) is not None
    return Reply(204 if found else 404)


def _delete(req: Req) -> Reply:
    doc = req.group(req.args[1])
    doc["properties"]["provisioningState"] = "Deleting"
    req.state.store.save(doc)
    op = _lro.start(
        req,
        "Microsoft.Resources",
        doc["location"],
        [{"do": "group.remove", "name": doc["name"]}],
        kind="delete",
    )
    return Reply(202, None, _lro.headers(req, op, location=True))


@_lro.effect("group.remove")
def _remove(state: AzureState, step: Doc) -> None:
    """Delete everything in the group, first letting go of what lives elsewhere (addresses in
    other groups' networks, public IPs and disks used by its VMs and NICs)."""
    store = state.store
    for vm in store.listing("vm", step["name"]):
        _lro.apply(state, {"do": "vm.remove", "id": vm["id"]})
    for nic in store.listing("nic", step["name"]):
        _lro.apply(state, {"do": "nic.unlink", "id": nic["id"]})
    store.drop_group(step["name"])


def _list(req: Req) -> Reply:
    return paged(req, "group", None)


def _summary(doc: Doc) -> Doc:
    entry: Doc = {key: doc[key] for key in ("id", "name", "type", "location") if key in doc}
    for key in ("tags", "sku", "kind", "managedBy"):
        if key in doc:
            entry[key] = doc[key]
    return entry


def _resources(req: Req) -> Reply:
    req.group(req.args[1])
    return paged(req, None, req.args[1], _summary, keep=lambda doc: doc["_kind"] != "group")


_PROVIDERS = {
    "Microsoft.Compute": (
        "virtualMachines",
        "disks",
        "snapshots",
        "locations",
        "locations/vmSizes",
        "locations/publishers",
        "locations/operations",
        "locations/usages",
        "skus",
    ),
    "Microsoft.Network": (
        "virtualNetworks",
        "virtualNetworks/subnets",
        "publicIPAddresses",
        "networkInterfaces",
        "networkSecurityGroups",
        "locations/operations",
    ),
    "Microsoft.Resources": ("resourceGroups", "subscriptions", "tenants"),
}


def _provider(req: Req, namespace: str) -> Doc:
    from ._catalog import LOCATIONS

    regions = [display for _, display, *_ in LOCATIONS]
    return {
        "id": f"/subscriptions/{req.subscription}/providers/{namespace}",
        "namespace": namespace,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": [
            {"resourceType": kind, "locations": regions, "apiVersions": [req.api_version]}
            for kind in _PROVIDERS[namespace]
        ],
    }


def _providers(req: Req) -> Reply:
    return Reply(200, {"value": [_provider(req, name) for name in _PROVIDERS]})


def _one_provider(req: Req) -> Reply:
    for name in _PROVIDERS:
        if name.lower() == req.args[1].lower():
            return Reply(200, _provider(req, name))
    raise ArmError(
        404, "InvalidResourceNamespace", f"The resource namespace '{req.args[1]}' is invalid."
    )


ROUTES = [
    ("GET", "subscriptions/*/providers", _providers),
    ("GET", "subscriptions/*/providers/*", _one_provider),
    ("POST", "subscriptions/*/providers/*/register", _one_provider),
    ("GET", "subscriptions", _list_subscriptions),
    ("GET", "subscriptions/*", _get_subscription),
    ("GET", "tenants", _tenants),
    ("PUT", _GROUP, _put),
    ("GET", _GROUP, _get),
    ("HEAD", _GROUP, _head),
    ("DELETE", _GROUP, _delete),
    ("GET", "subscriptions/*/resourcegroups", _list),
    ("GET", f"{_GROUP}/resources", _resources),
]
