"""Neutron floating IPs: allocate from an external network, associate with a port reachable
through a router, disassociate, release."""

from __future__ import annotations

import ipaddress
from typing import Any

from ._errors import neutron
from ._netmodel import allocate_ip, base, ip_in_use
from ._neutron import bad, body_of, check_quota, list_reply, load, touch
from ._request import Reply, Req
from ._state import public
from ._store import Doc

__all__ = ["ROUTES"]


def _missing(ident: str) -> str:
    return f"Floating IP {ident} could not be found"


def _view(req: Req, doc: Doc) -> dict[str, Any]:
    view = public(doc)
    port = req.cloud.find("ports", doc["port_id"]) if doc["port_id"] else None
    view["port_details"] = (
        None
        if port is None
        else {
            "name": port["name"],
            "network_id": port["network_id"],
            "mac_address": port["mac_address"],
            "admin_state_up": port["admin_state_up"],
            "status": port["status"],
            "device_id": port["device_id"],
            "device_owner": port["device_owner"],
        }
    )
    return view


def _associate(req: Req, doc: Doc, port_id: Any, fixed_ip: Any) -> None:
    if port_id is None:
        doc.update(port_id=None, fixed_ip_address=None, router_id=None, status="DOWN")
        return
    port = req.cloud.find("ports", str(port_id))
    if port is None or (port["project_id"] != req.project and not req.who.is_admin):
        raise neutron(404, "PortNotFound", f"Port {port_id} could not be found.")
    addresses = [f for f in port["fixed_ips"] if ":" not in f["ip_address"]]
    if fixed_ip is not None:
        addresses = [f for f in addresses if f["ip_address"] == fixed_ip]
    if not addresses:
        raise bad(
            f"Bad floatingip request: Port {port['id']} does not have fixed ip {fixed_ip}."
            if fixed_ip
            else f"Bad floatingip request: No IPv4 addresses found on port {port['id']}."
        )
    chosen = addresses[0]
    router = _router_for(req, doc["floating_network_id"], chosen["subnet_id"])
    if router is None:
        raise neutron(
            404,
            "ExternalGatewayForFloatingIPNotFound",
            f"External network {doc['floating_network_id']} is not reachable from "
            f"subnet {chosen['subnet_id']}.  Therefore, cannot associate Port "
            f"{port['id']} with a Floating IP.",
        )
    for other in req.cloud.all("floatingips"):
        if (
            other["id"] != doc["id"]
            and other["port_id"] == port["id"]
            and (other["fixed_ip_address"] == chosen["ip_address"])
        ):
            raise neutron(
                409,
                "FloatingIPPortAlreadyAssociated",
                f"Cannot associate floating IP {doc['floating_ip_address']} "
                f"({doc['id']}) with port {port['id']} using fixed IP "
                f"{chosen['ip_address']}, as that fixed IP already has a floating IP "
                f"on external network {doc['floating_network_id']}.",
            )
    doc.update(
        port_id=port["id"],
        fixed_ip_address=chosen["ip_address"],
        router_id=router["id"],
        status="ACTIVE",
    )


def _router_for(req: Req, network_id: str, subnet_id: str) -> Doc | None:
    """A router with a gateway on ``network_id`` and an interface on ``subnet_id``."""
    interfaces = {
        p["device_id"]
        for p in req.cloud.all("ports")
        if p["device_owner"] == "network:router_interface"
        and any(f["subnet_id"] == subnet_id for f in p["fixed_ips"])
    }
    for router in req.cloud.all("routers"):
        gateway = router.get("external_gateway_info") or {}
        if router["id"] in interfaces and gateway.get("network_id") == network_id:
            return router
    return None


def list_fips(req: Req) -> Reply:
    """``GET /v2.0/floatingips``."""
    return list_reply(req, "floatingips", "floatingips", _view)


def get_fip(req: Req) -> Reply:
    """``GET /v2.0/floatingips/{id}``."""
    return Reply(
        200, {"floatingip": _view(req, load(req, "floatingips", "FloatingIPNotFound", _missing))}
    )


def create_fip(req: Req) -> Reply:
    """``POST /v2.0/floatingips``."""
    body = body_of(req, "floatingip")
    network_id = body.get("floating_network_id")
    network = req.cloud.find("networks", str(network_id)) if network_id else None
    if network is None:
        raise neutron(404, "NetworkNotFound", f"Network {network_id} could not be found.")
    if not network["router:external"]:
        raise bad(
            f"Bad floatingip request: Network {network['id']} is not a valid external network."
        )
    check_quota(req, "floatingip")
    subnets = [s for s in req.cloud.all("subnets") if s["network_id"] == network["id"]]
    if not subnets:
        raise bad(f"Bad floatingip request: Network {network['id']} has no subnet.")
    wanted = body.get("floating_ip_address")
    subnet = subnets[0]
    if wanted is not None:
        subnet = next(
            (
                s
                for s in subnets
                if ipaddress.ip_address(str(wanted)) in ipaddress.ip_network(s["cidr"])
            ),
            subnets[0],
        )
        if ip_in_use(req.cloud, subnet, str(wanted)):
            raise neutron(
                409,
                "IpAddressAlreadyAllocated",
                f"IP address {wanted} already allocated in subnet {subnet['id']}",
            )
    address = str(wanted) if wanted is not None else allocate_ip(req.cloud, subnet)
    doc = base(req.cloud, req.project)
    del doc["name"]
    doc.update(
        {
            "floating_ip_address": address,
            "floating_network_id": network["id"],
            "router_id": None,
            "port_id": None,
            "fixed_ip_address": None,
            "status": "DOWN",
            "description": str(body.get("description", "")),
            "dns_domain": "",
            "dns_name": "",
            "qos_policy_id": None,
            "port_forwardings": [],
            "_subnet_id": subnet["id"],
        }
    )
    if body.get("port_id"):
        _associate(req, doc, body["port_id"], body.get("fixed_ip_address"))
    req.cloud.save("floatingips", doc)
    return Reply(201, {"floatingip": _view(req, doc)})


def update_fip(req: Req) -> Reply:
    """``PUT /v2.0/floatingips/{id}``: ``port_id`` associates, ``null`` disassociates."""
    doc = load(req, "floatingips", "FloatingIPNotFound", _missing)
    body = body_of(req, "floatingip")
    if "port_id" in body:
        _associate(req, doc, body["port_id"], body.get("fixed_ip_address"))
    if "description" in body:
        doc["description"] = str(body["description"])
    touch(req, doc)
    req.cloud.save("floatingips", doc)
    return Reply(200, {"floatingip": _view(req, doc)})


def delete_fip(req: Req) -> Reply:
    """``DELETE /v2.0/floatingips/{id}``."""
    doc = load(req, "floatingips", "FloatingIPNotFound", _missing)
    req.cloud.remove("floatingips", doc["id"])
    return Reply(204)


ROUTES = [
    ("GET", "floatingips", list_fips),
    ("POST", "floatingips", create_fip),
    ("GET", "floatingips/*", get_fip),
    ("PUT", "floatingips/*", update_fip),
    ("DELETE", "floatingips/*", delete_fip),
]
