"""Neutron ports: create (addresses from the subnets' pools), list, show, update, delete."""

from __future__ import annotations

from typing import Any

from ._errors import neutron
from ._netmodel import default_security_group, new_port
from ._networks import find_network
from ._neutron import apply, bad, body_of, check_quota, list_reply, load, touch
from ._request import Reply, Req
from ._state import public
from ._store import Doc

__all__ = ["ROUTES"]


def _load_port(req: Req) -> Doc:
    return load(req, "ports", "PortNotFound", lambda i: f"Port {i} could not be found.")


def list_ports(req: Req) -> Reply:
    """``GET /v2.0/ports``."""
    return list_reply(req, "ports", "ports")


def get_port(req: Req) -> Reply:
    """``GET /v2.0/ports/{id}``."""
    return Reply(200, {"port": public(_load_port(req))})


def _groups(req: Req, wanted: Any) -> list[str]:
    if not isinstance(wanted, list):
        raise bad("Invalid input for security_groups.")
    ids = []
    for ident in wanted:
        group = req.cloud.find("security_groups", str(ident))
        if group is None or (group["project_id"] != req.project and not req.who.is_admin):
            raise neutron(404, "SecurityGroupNotFound", f"Security group {ident} does not exist")
        ids.append(group["id"])
    return ids


def create_port(req: Req) -> Reply:
    """``POST /v2.0/ports``."""
    body = body_of(req, "port")
    if "network_id" not in body:
        raise bad("Invalid input for operation: 'network_id' is required.")
    network = find_network(req, str(body["network_id"]))
    check_quota(req, "port")
    if "security_groups" in body:
        groups = _groups(req, body["security_groups"])
    else:
        groups = [default_security_group(req.cloud, req.project)["id"]]
    doc = new_port(
        req.cloud,
        req.project,
        network,
        name=str(body.get("name", "")),
        device_id=str(body.get("device_id", "")),
        device_owner=str(body.get("device_owner", "")),
        security_groups=groups,
        fixed_ips=body.get("fixed_ips"),
    )
    for key in (
        "admin_state_up",
        "description",
        "mac_address",
        "allowed_address_pairs",
        "port_security_enabled",
        "binding:vnic_type",
        "dns_name",
    ):
        if key in body:
            doc[key] = body[key]
    req.cloud.save("ports", doc)
    return Reply(201, {"port": public(doc)})


def update_port(req: Req) -> Reply:
    """``PUT /v2.0/ports/{id}``."""
    doc = _load_port(req)
    changes = dict(body_of(req, "port"))
    if "security_groups" in changes:
        changes["security_groups"] = _groups(req, changes["security_groups"])
    apply(
        doc,
        changes,
        (
            "name",
            "description",
            "admin_state_up",
            "security_groups",
            "device_id",
            "device_owner",
            "allowed_address_pairs",
            "port_security_enabled",
            "dns_name",
            "binding:host_id",
            "binding:vnic_type",
            "binding:profile",
            "qos_policy_id",
        ),
    )
    touch(req, doc)
    req.cloud.save("ports", doc)
    return Reply(200, {"port": public(doc)})


def delete_port(req: Req) -> Reply:
    """``DELETE /v2.0/ports/{id}``: its floating IPs are disassociated."""
    doc = _load_port(req)
    if doc["device_owner"] == "network:router_interface":
        raise neutron(
            409,
            "PortInUse",
            f"Port {doc['id']} cannot be deleted directly via the "
            "port API: has device owner network:router_interface.",
        )
    for fip in req.cloud.all("floatingips"):
        if fip["port_id"] == doc["id"]:
            fip.update(port_id=None, fixed_ip_address=None, router_id=None, status="DOWN")
            req.cloud.save("floatingips", fip)
    req.cloud.remove("ports", doc["id"])
    return Reply(204)


ROUTES = [
    ("GET", "ports", list_ports),
    ("POST", "ports", create_port),
    ("GET", "ports/*", get_port),
    ("PUT", "ports/*", update_port),
    ("DELETE", "ports/*", delete_port),
]
