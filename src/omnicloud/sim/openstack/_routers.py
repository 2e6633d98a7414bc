"""Neutron routers: external gateways and interfaces on subnets."""

from __future__ import annotations

from typing import Any

from ._errors import neutron
from ._netmodel import base, new_port
from ._networks import find_network
from ._neutron import apply, bad, body_of, check_quota, list_reply, load, touch
from ._request import Reply, Req
from ._state import public
from ._store import Doc

__all__ = ["ROUTES"]


def _load_router(req: Req) -> Doc:
    return load(req, "routers", "RouterNotFound", lambda i: f"Router {i} could not be found")


def list_routers(req: Req) -> Reply:
    """``GET /v2.0/routers``."""
    return list_reply(req, "routers", "routers")


def get_router(req: Req) -> Reply:
    """``GET /v2.0/routers/{id}``."""
    return Reply(200, {"router": public(_load_router(req))})


def _gateway(req: Req, router: Doc, info: Any) -> None:
    for port in req.cloud.all("ports"):
        if port["device_id"] == router["id"] and port["device_owner"] == "network:router_gateway":
            req.cloud.remove("ports", port["id"])
    router["external_gateway_info"] = None
    if not info:
        return
    if not isinstance(info, dict) or "network_id" not in info:
        raise bad("Invalid input for external_gateway_info.")
    network = find_network(req, str(info["network_id"]))
    if not network["router:external"]:
        raise bad(f"Bad router request: Network {network['id']} is not an external network.")
    port = new_port(
        req.cloud,
        network["project_id"],
        network,
        device_id=router["id"],
        device_owner="network:router_gateway",
    )
    router["external_gateway_info"] = {
        "network_id": network["id"],
        "enable_snat": bool(info.get("enable_snat", True)),
        "external_fixed_ips": port["fixed_ips"],
    }


def create_router(req: Req) -> Reply:
    """``POST /v2.0/routers``."""
    body = body_of(req, "router")
    check_quota(req, "router")
    doc = base(req.cloud, req.project, str(body.get("name", "")))
    doc.update(
        {
            "admin_state_up": bool(body.get("admin_state_up", True)),
            "status": "ACTIVE",
            "distributed": False,
            "ha": False,
            "flavor_id": None,
            "availability_zone_hints": [],
            "availability_zones": ["nova"],
            "routes": [],
            "external_gateway_info": None,
            "description": str(body.get("description", "")),
        }
    )
    _gateway(req, doc, body.get("external_gateway_info"))
    req.cloud.save("routers", doc)
    return Reply(201, {"router": public(doc)})


def update_router(req: Req) -> Reply:
    """``PUT /v2.0/routers/{id}``."""
    doc = _load_router(req)
    changes = dict(body_of(req, "router"))
    if "external_gateway_info" in changes:
        _gateway(req, doc, changes.pop("external_gateway_info"))
    apply(doc, changes, ("name", "description", "admin_state_up", "routes"))
    touch(req, doc)
    req.cloud.save("routers", doc)
    return Reply(200, {"router": public(doc)})


def delete_router(req: Req) -> Reply:
    """``DELETE /v2.0/routers/{id}``: 409 while it has interfaces."""
    doc = _load_router(req)
    ports = [p for p in req.cloud.all("ports") if p["device_id"] == doc["id"]]
    if any(p["device_owner"] == "network:router_interface" for p in ports):
        raise neutron(409, "RouterInUse", f"Router {doc['id']} still has ports")
    for port in ports:
        req.cloud.remove("ports", port["id"])
    req.cloud.remove("routers", doc["id"])
    return Reply(204)


def add_interface(req: Req) -> Reply:
    """``PUT /v2.0/routers/{id}/add_router_interface`` (``subnet_id`` or ``port_id``)."""
    router = _load_router(req)
    body = req.body if isinstance(req.body, dict) else {}
    if "port_id" in body:
        port = req.cloud.find("ports", str(body["port_id"]))
        if port is None:
            raise neutron(404, "PortNotFound", f"Port {body['port_id']} could not be found.")
        if port["device_id"]:
            raise neutron(409, "PortInUse", f"Port {port['id']} is in use.")
        port.update(
            device_id=router["id"], device_owner="network:router_interface", status="ACTIVE"
        )
        req.cloud.save("ports", port)
    elif "subnet_id" in body:
        subnet = req.cloud.find("subnets", str(body["subnet_id"]))
        if subnet is None:
            raise neutron(404, "SubnetNotFound", f"Subnet {body['subnet_id']} could not be found.")
        for existing in req.cloud.all("ports"):
            if existing["device_id"] == router["id"] and any(
                f["subnet_id"] == subnet["id"] for f in existing["fixed_ips"]
            ):
                raise bad(f"Router already has a port on subnet {subnet['id']}.")
        network = find_network(req, subnet["network_id"])
        port = new_port(
            req.cloud,
            req.project,
            network,
            device_id=router["id"],
            device_owner="network:router_interface",
            fixed_ips=[{"subnet_id": subnet["id"], "ip_address": subnet["gateway_ip"]}],
        )
    else:
        raise bad("Bad router request: Either subnet_id or port_id must be specified.")
    return Reply(
        200,
        {
            "id": router["id"],
            "tenant_id": router["project_id"],
            "project_id": router["project_id"],
            "port_id": port["id"],
            "network_id": port["network_id"],
            "subnet_id": port["fixed_ips"][0]["subnet_id"] if port["fixed_ips"] else None,
            "subnet_ids": [f["subnet_id"] for f in port["fixed_ips"]],
        },
    )


def remove_interface(req: Req) -> Reply:
    """``PUT /v2.0/routers/{id}/remove_router_interface``."""
    router = _load_router(req)
    body = req.body if isinstance(req.body, dict) else {}
    for port in req.cloud.all("ports"):
        if port["device_id"] != router["id"] or port["device_owner"] != "network:router_interface":
            continue
        if port["id"] == body.get("port_id") or any(
            f["subnet_id"] == body.get("subnet_id") for f in port["fixed_ips"]
        ):
            req.cloud.remove("ports", port["id"])
            return Reply(
                200,
                {
                    "id": router["id"],
                    "port_id": port["id"],
                    "subnet_id": port["fixed_ips"][0]["subnet_id"],
                    "tenant_id": router["project_id"],
                    "project_id": router["project_id"],
                },
            )
    raise neutron(
        404,
        "RouterInterfaceNotFoundForSubnet",
        f"Router {router['id']} has no interface on subnet {body.get('subnet_id')}",
    )


ROUTES = [
    ("GET", "routers", list_routers),
    ("POST", "routers", create_router),
    ("GET", "routers/*", get_router),
    ("PUT", "routers/*", update_router),
    ("DELETE", "routers/*", delete_router),
    ("PUT", "routers/*/add_router_interface", add_interface),
    ("PUT", "routers/*/remove_router_interface", remove_interface),
]
