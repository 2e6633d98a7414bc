"""Neutron networks and subnets, the ``/v2.0`` resource list and the extensions."""

from __future__ import annotations

from ._errors import neutron
from ._netmodel import network_doc, subnet_doc
from ._neutron import apply, bad, body_of, check_quota, list_reply, load, touch
from ._request import Reply, Req
from ._state import public
from ._store import Doc

__all__ = ["ROUTES", "find_network"]


def find_network(req: Req, ident: str) -> Doc:
    found = req.cloud.find("networks", ident)
    if found is None or not (
        req.who.is_admin
        or found["project_id"] == req.project
        or found["shared"]
        or found["router:external"]
    ):
        raise neutron(404, "NetworkNotFound", f"Network {ident} could not be found.")
    return found


# networks -------------------------------------------------------------------------------------


def list_networks(req: Req) -> Reply:
    """``GET /v2.0/networks``."""
    return list_reply(req, "networks", "networks")


def get_network(req: Req) -> Reply:
    """``GET /v2.0/networks/{id}``."""
    return Reply(200, {"network": public(find_network(req, req.args[0]))})


def create_network(req: Req) -> Reply:
    """``POST /v2.0/networks``."""
    body = body_of(req, "network")
    check_quota(req, "network")
    external = bool(body.get("router:external", False))
    if (external or body.get("shared")) and not req.who.is_admin:
        raise neutron(
            403,
            "PolicyNotAuthorized",
            "(rule:create_network and rule:create_network:shared) is disallowed by policy",
        )
    project = str(body.get("project_id") or body.get("tenant_id") or req.project)
    doc = network_doc(
        req.cloud,
        project,
        str(body.get("name", "")),
        external=external,
        shared=bool(body.get("shared", False)),
        segment=len(req.cloud.all("networks")) + 100,
    )
    for key in ("admin_state_up", "description", "port_security_enabled", "mtu", "dns_domain"):
        if key in body:
            doc[key] = body[key]
    req.cloud.save("networks", doc)
    return Reply(201, {"network": public(doc)})


def update_network(req: Req) -> Reply:
    """``PUT /v2.0/networks/{id}``."""
    doc = find_network(req, req.args[0])
    apply(
        doc,
        body_of(req, "network"),
        (
            "name",
            "description",
            "admin_state_up",
            "shared",
            "port_security_enabled",
            "mtu",
            "dns_domain",
            "router:external",
            "qos_policy_id",
        ),
    )
    touch(req, doc)
    req.cloud.save("networks", doc)
    return Reply(200, {"network": public(doc)})


def delete_network(req: Req) -> Reply:
    """``DELETE /v2.0/networks/{id}``: 409 while ports other than DHCP's are on it."""
    doc = find_network(req, req.args[0])
    ports = [p for p in req.cloud.all("ports") if p["network_id"] == doc["id"]]
    if any(p["device_owner"] != "network:dhcp" for p in ports):
        raise neutron(
            409,
            "NetworkInUse",
            f"Unable to complete operation on network {doc['id']}. There are one or "
            "more ports still in use on the network.",
        )
    for port in ports:
        req.cloud.remove("ports", port["id"])
    for subnet in req.cloud.all("subnets"):
        if subnet["network_id"] == doc["id"]:
            req.cloud.remove("subnets", subnet["id"])
    req.cloud.remove("networks", doc["id"])
    return Reply(204)


# subnets --------------------------------------------------------------------------------------


def _load_subnet(req: Req) -> Doc:
    return load(req, "subnets", "SubnetNotFound", lambda i: f"Subnet {i} could not be found.")


def list_subnets(req: Req) -> Reply:
    """``GET /v2.0/subnets``."""
    return list_reply(req, "subnets", "subnets")


def get_subnet(req: Req) -> Reply:
    """``GET /v2.0/subnets/{id}``."""
    return Reply(200, {"subnet": public(_load_subnet(req))})


def create_subnet(req: Req) -> Reply:
    """``POST /v2.0/subnets``."""
    body = body_of(req, "subnet")
    for key in ("network_id", "cidr"):
        if key not in body:
            raise bad(f"Invalid input for operation: '{key}' is required.")
    network = find_network(req, str(body["network_id"]))
    check_quota(req, "subnet")
    version = body.get("ip_version", 4)
    if version not in (4, 6):
        raise bad(f"Invalid input for ip_version. Reason: '{version}' is not in [4, 6].")
    doc = subnet_doc(
        req.cloud,
        req.project,
        network,
        str(body.get("name", "")),
        str(body["cidr"]),
        gateway_ip=body.get("gateway_ip", ""),
        pools=body.get("allocation_pools"),
        enable_dhcp=bool(body.get("enable_dhcp", True)),
        dns_nameservers=body.get("dns_nameservers"),
    )
    if doc["ip_version"] != version:
        raise bad(
            f"Invalid input for operation: cidr '{body['cidr']}' does not match "
            f"ip_version '{version}'."
        )
    for key in ("description", "host_routes", "ipv6_ra_mode", "ipv6_address_mode"):
        if key in body:
            doc[key] = body[key]
    network["subnets"].append(doc["id"])
    req.cloud.save("networks", network)
    req.cloud.save("subnets", doc)
    return Reply(201, {"subnet": public(doc)})


def update_subnet(req: Req) -> Reply:
    """``PUT /v2.0/subnets/{id}``."""
    doc = _load_subnet(req)
    apply(
        doc,
        body_of(req, "subnet"),
        (
            "name",
            "description",
            "gateway_ip",
            "enable_dhcp",
            "dns_nameservers",
            "host_routes",
            "allocation_pools",
        ),
    )
    touch(req, doc)
    req.cloud.save("subnets", doc)
    return Reply(200, {"subnet": public(doc)})


def delete_subnet(req: Req) -> Reply:
    """``DELETE /v2.0/subnets/{id}``: 409 while a port has an address on it."""
    doc = _load_subnet(req)
    for port in req.cloud.all("ports"):
        if (
            any(f["subnet_id"] == doc["id"] for f in port["fixed_ips"])
            and port["device_owner"] != "network:dhcp"
        ):
            raise neutron(
                409,
                "SubnetInUse",
                f"Unable to complete operation on subnet {doc['id']}: One or more ports "
                "have an IP allocation from this subnet.",
            )
    network = req.cloud.find("networks", doc["network_id"])
    if network is not None:
        network["subnets"] = [s for s in network["subnets"] if s != doc["id"]]
        req.cloud.save("networks", network)
    req.cloud.remove("subnets", doc["id"])
    return Reply(204)


def resources(req: Req) -> Reply:
    """``GET /v2.0``: the resource collections."""
    names = [
        "networks",
        "subnets",
        "ports",
        "routers",
        "floatingips",
        "security_groups",
        "security_group_rules",
    ]
    return Reply(
        200,
        {
            "resources": [
                {
                    "name": n[:-1],
                    "collection": n,
                    "links": [{"rel": "self", "href": f"{req.service_url}/{n}"}],
                }
                for n in names
            ]
        },
    )


def extensions(req: Req) -> Reply:
    """``GET /v2.0/extensions``."""
    aliases = [
        "router",
        "external-net",
        "security-group",
        "quotas",
        "extra_dhcp_opt",
        "standard-attr-tag",
        "standard-attr-description",
        "standard-attr-revisions",
        "standard-attr-timestamp",
        "port-security",
        "binding",
        "agent",
        "subnet_allocation",
        "network_availability_zone",
        "router_availability_zone",
        "dns-integration",
        "net-mtu",
        "allowed-address-pairs",
        "extraroute",
        "fip-port-details",
        "pagination",
        "sorting",
        "project-id",
    ]
    items = [
        {
            "alias": a,
            "name": a,
            "description": a,
            "links": [],
            "updated": "2013-01-01T00:00:00-00:00",
        }
        for a in aliases
    ]
    return Reply(200, {"extensions": items})


ROUTES = [
    ("GET", "networks", list_networks),
    ("POST", "networks", create_network),
    ("GET", "networks/*", get_network),
    ("PUT", "networks/*", update_network),
    ("DELETE", "networks/*", delete_network),
    ("GET", "subnets", list_subnets),
    ("POST", "subnets", create_subnet),
    ("GET", "subnets/*", get_subnet),
    ("PUT", "subnets/*", update_subnet),
    ("DELETE", "subnets/*", delete_subnet),
    ("GET", "extensions", extensions),
    ("GET", "", resources),
]
"""Under ``/networking/v2.0/``."""
