"""VPC networks (global) and their subnetworks (regional)."""

from __future__ import annotations

import ipaddress

from ._catalog import REGIONS, SUBNET_RANGES
from ._errors import ApiError, already_exists, invalid, not_found
from ._listing import aggregated, global_getter, global_lister, listing, load_global
from ._ops import begin_operation
from ._request import Reply, Req, Route, check_name, ref_path, render
from ._state import LINK, fingerprint, rfc3339
from ._store import Doc

__all__ = ["ROUTES", "exhausted", "in_use"]


def in_use(kind: str, path: str, user: str) -> ApiError:
    """400: ``The {kind} resource '...' is already being used by '...'``."""
    user = user[len(LINK) :] if user.startswith(LINK) else user
    return ApiError(
        400,
        "resourceInUseByAnotherResource",
        f"The {kind} resource '{path}' is already being used by '{user}'",
    )


def exhausted(subnet: Doc) -> ApiError:
    """The error when a subnetwork has no free address left."""
    name = subnet["selfLink"][len(LINK) :]
    return ApiError(
        400,
        "ipSpaceExhausted",
        f"IP space of '{name}' is exhausted.",
    )


def _subnet_doc(req: Req, region: str, name: str, network: Doc, cidr: str) -> Doc:
    net = ipaddress.ip_network(cidr)
    path = f"projects/{req.state.project}/regions/{region}/subnetworks/{name}"
    return {
        "kind": "compute#subnetwork",
        "id": req.state.new_id(),
        "creationTimestamp": rfc3339(req.now),
        "name": name,
        "network": network["selfLink"],
        "ipCidrRange": cidr,
        "gatewayAddress": str(net.network_address + 1),
        "region": f"{LINK}projects/{req.state.project}/regions/{region}",
        "selfLink": LINK + path,
        "privateIpGoogleAccess": False,
        "fingerprint": fingerprint(path),
        "purpose": "PRIVATE",
        "stackType": "IPV4_ONLY",
    }


def _load_network(req: Req) -> Doc:
    return load_global(req, "network", "networks")


def _insert_network(req: Req) -> Reply:
    project = req.own_project()
    body = req.json()
    name = check_name(body.get("name"))
    path = f"projects/{project}/global/networks/{name}"
    if req.state.store.get("network", "global", name) is not None:
        raise already_exists(path)
    auto = body.get("autoCreateSubnetworks")
    if not isinstance(auto, bool):
        auto = False
    routing = body.get("routingConfig") or {}
    mtu = body.get("mtu") or 1460
    if not isinstance(routing, dict):
        raise invalid("Invalid value for field 'resource.routingConfig'.")
    if not isinstance(mtu, int) or not 1300 <= mtu <= 8896:
        raise invalid(f"Invalid value for field 'resource.mtu': '{mtu}'.")
    mode = routing.get("routingMode") or "REGIONAL"
    if mode not in ("REGIONAL", "GLOBAL"):
        raise invalid(f"Invalid value for field 'resource.routingConfig.routingMode': '{mode}'.")
    doc: Doc = {
        "kind": "compute#network",
        "id": req.state.new_id(),
        "creationTimestamp": rfc3339(req.now),
        "name": name,
        "selfLink": LINK + path,
        "autoCreateSubnetworks": auto,
        "routingConfig": {"routingMode": mode},
        "mtu": mtu,
        "networkFirewallPolicyEnforcementOrder": "AFTER_CLASSIC_FIREWALL",
    }
    if isinstance(body.get("description"), str):
        doc["description"] = body["description"]
    if auto:
        links = []
        for region in REGIONS:
            prefix = SUBNET_RANGES.get(region, "10.150.0")
            subnet = _subnet_doc(req, region, name, doc, f"{prefix}.0/20")
            req.state.store.put("subnetwork", f"regions/{region}", subnet)
            links.append(subnet["selfLink"])
        doc["subnetworks"] = links
    req.state.store.put("network", "global", doc)
    return begin_operation(req, "global", "insert", path, doc["id"])


def _users_of_network(req: Req, doc: Doc) -> str | None:
    link = doc["selfLink"]
    for firewall in req.state.store.all("firewall", "global"):
        if firewall.get("network") == link:
            return str(firewall["selfLink"])
    for instance in req.state.store.all("instance"):
        for nic in instance.get("networkInterfaces", []):
            if nic.get("network") == link:
                return str(instance["selfLink"])
    if not doc.get("autoCreateSubnetworks"):
        for subnet in req.state.store.all("subnetwork"):
            if subnet["network"] == link:
                return str(subnet["selfLink"])
    return None


def _delete_network(req: Req) -> Reply:
    doc = _load_network(req)
    path = f"projects/{req.state.project}/global/networks/{doc['name']}"
    user = _users_of_network(req, doc)
    if user is not None:
        raise in_use("network", path, user)
    for subnet in req.state.store.all("subnetwork"):
        if subnet["network"] == doc["selfLink"]:
            region = subnet["region"].rsplit("/", 1)[-1]
            req.state.store.delete("subnetwork", f"regions/{region}", subnet["name"])
    req.state.store.delete("network", "global", doc["name"])
    return begin_operation(req, "global", "delete", path, doc["id"])


# subnetworks ------------------------------------------------------------------------------------


def _region(req: Req) -> str:
    req.own_project()
    region = req.args[1]
    if region not in REGIONS:
        raise not_found(f"projects/{req.args[0]}/regions/{region}")
    return region


def _load_subnet(req: Req) -> tuple[str, Doc]:
    region = _region(req)
    doc = req.state.store.get("subnetwork", f"regions/{region}", req.args[2])
    if doc is None:
        raise not_found(f"projects/{req.args[0]}/regions/{region}/subnetworks/{req.args[2]}")
    return region, doc


def _list_subnets(req: Req) -> Reply:
    region = _region(req)
    docs = req.state.store.all("subnetwork", f"regions/{region}")
    path = f"projects/{req.state.project}/regions/{region}/subnetworks"
    return listing(req, "compute#subnetworkList", path, docs)


def _aggregated_subnets(req: Req) -> Reply:
    project = req.own_project()
    scopes = [f"regions/{region}" for region in sorted(REGIONS)]
    docs = (
        (f"regions/{doc['region'].rsplit('/', 1)[-1]}", doc)
        for doc in req.state.store.all("subnetwork")
    )
    path = f"projects/{project}/aggregated/subnetworks"
    return aggregated(req, "compute#subnetworkAggregatedList", path, "subnetworks", scopes, docs)


def _get_subnet(req: Req) -> Reply:
    _, doc = _load_subnet(req)
    return Reply(render(doc, req.base))


def _insert_subnet(req: Req) -> Reply:
    region = _region(req)
    body = req.json()
    name = check_name(body.get("name"))
    scope = f"regions/{region}"
    path = f"projects/{req.state.project}/{scope}/subnetworks/{name}"
    if req.state.store.get("subnetwork", scope, name) is not None:
        raise already_exists(path)
    parts = ref_path(body.get("network"), req.state.project, "resource.network")
    network = None
    if len(parts) == 5 and parts[2:4] == ["global", "networks"]:
        network = req.state.store.get("network", "global", parts[4])
    if network is None:
        raise invalid(
            f"Invalid value for field 'resource.network': '{body.get('network')}'. "
            "The referenced network resource cannot be found."
        )
    if network.get("autoCreateSubnetworks"):
        raise invalid("Invalid value for field 'resource.network'. The network is in auto mode.")
    cidr = body.get("ipCidrRange")
    try:
        net = ipaddress.IPv4Network(str(cidr))
    except ValueError:
        raise invalid(f"Invalid value for field 'resource.ipCidrRange': '{cidr}'.") from None
    if net.prefixlen > 29:
        raise invalid(
            f"Invalid value for field 'resource.ipCidrRange': '{cidr}'. Invalid IPCidrRange."
        )
    for other in req.state.store.all("subnetwork"):
        if other["network"] == network["selfLink"] and net.overlaps(
            ipaddress.ip_network(other["ipCidrRange"])
        ):
            raise invalid(
                f"Invalid IPCidrRange: {cidr} conflicts with existing subnetwork "
                f"'{other['name']}' in region '{other['region'].rsplit('/', 1)[-1]}'."
            )
    doc = _subnet_doc(req, region, name, network, str(net))
    if isinstance(body.get("description"), str):
        doc["description"] = body["description"]
    doc["privateIpGoogleAccess"] = bool(body.get("privateIpGoogleAccess", False))
    req.state.store.put("subnetwork", scope, doc)
    network["subnetworks"] = [*network.get("subnetworks", []), doc["selfLink"]]
    req.state.store.put("network", "global", network)
    return begin_operation(req, scope, "insert", path, doc["id"])


def _delete_subnet(req: Req) -> Reply:
    region, doc = _load_subnet(req)
    scope = f"regions/{region}"
    path = f"projects/{req.state.project}/{scope}/subnetworks/{doc['name']}"
    for instance in req.state.store.all("instance"):
        for nic in instance.get("networkInterfaces", []):
            if nic.get("subnetwork") == doc["selfLink"]:
                raise in_use("subnetwork", path, instance["selfLink"])
    network = req.state.store.get("network", "global", doc["network"].rsplit("/", 1)[-1])
    if network is not None:
        if network.get("autoCreateSubnetworks"):
            raise invalid("Cannot delete a subnetwork of an auto-mode network.")
        network["subnetworks"] = [
            link for link in network.get("subnetworks", []) if link != doc["selfLink"]
        ]
        req.state.store.put("network", "global", network)
    req.state.store.delete("subnetwork", scope, doc["name"])
    return begin_operation(req, scope, "delete", path, doc["id"])


ROUTES: list[Route] = [
    ("GET", "projects/*/global/networks", global_lister("network", "networks")),
    ("POST", "projects/*/global/networks", _insert_network),
    ("GET", "projects/*/global/networks/*", global_getter("network", "networks")),
    ("DELETE", "projects/*/global/networks/*", _delete_network),
    ("GET", "projects/*/regions/*/subnetworks", _list_subnets),
    ("POST", "projects/*/regions/*/subnetworks", _insert_subnet),
    ("GET", "projects/*/regions/*/subnetworks/*", _get_subnet),
    ("DELETE", "projects/*/regions/*/subnetworks/*", _delete_subnet),
    ("GET", "projects/*/aggregated/subnetworks", _aggregated_subnets),
]
