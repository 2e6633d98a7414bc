"""A server's network interfaces (``/servers/{id}/os-interface``): list, show, attach a
network or port, detach."""

from __future__ import annotations

from typing import Any

from ._errors import nova
from ._netmodel import default_security_group, new_port
from ._request import Reply, Req
from ._servermodel import load_server
from ._store import Doc

__all__ = ["ROUTES"]


def _view(req: Req, port: Doc) -> dict[str, Any]:
    view: dict[str, Any] = {
        "port_state": port["status"],
        "fixed_ips": [dict(f) for f in port["fixed_ips"]],
        "port_id": port["id"],
        "net_id": port["network_id"],
        "mac_addr": port["mac_address"],
    }
    if req.at_least(2, 70):
        view["tag"] = port.get("_tag")
    return view


def _ports(req: Req, server: Doc) -> list[Doc]:
    return [p for p in req.cloud.all("ports") if p["device_id"] == server["id"]]


def list_interfaces(req: Req) -> Reply:
    """``GET /servers/{id}/os-interface``."""
    server = load_server(req)
    return Reply(200, {"interfaceAttachments": [_view(req, p) for p in _ports(req, server)]})


def get_interface(req: Req) -> Reply:
    """``GET /servers/{id}/os-interface/{port_id}``."""
    server = load_server(req)
    port = next((p for p in _ports(req, server) if p["id"] == req.args[1]), None)
    if port is None:
        raise nova(404, f"Port {req.args[1]} is not attached")
    return Reply(200, {"interfaceAttachment": _view(req, port)})


def attach_interface(req: Req) -> Reply:
    """``POST /servers/{id}/os-interface`` with ``net_id`` or ``port_id``."""
    server = load_server(req)
    body = req.body.get("interfaceAttachment") if isinstance(req.body, dict) else None
    if not isinstance(body, dict):
        body = {}
    if server["status"] not in ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED"):
        raise nova(
            409,
            f"Cannot 'attach_interface' instance {server['id']} while it is in vm_state "
            f"{server['status'].lower()}",
        )
    cloud = req.cloud
    if body.get("port_id"):
        port = cloud.find("ports", str(body["port_id"]))
        if port is None:
            raise nova(404, f"Port {body['port_id']} could not be found.")
        if port["device_id"]:
            raise nova(409, f"Port {port['id']} is still in use.")
        port.update(device_id=server["id"], device_owner="compute:nova", status="ACTIVE")
    else:
        net_id = body.get("net_id")
        network = cloud.find("networks", str(net_id)) if net_id else None
        if network is None:
            raise nova(404, f"Network {net_id} could not be found.")
        fixed = body.get("fixed_ips")
        port = new_port(
            cloud,
            req.project,
            network,
            device_id=server["id"],
            device_owner="compute:nova",
            security_groups=[default_security_group(cloud, req.project)["id"]],
            fixed_ips=[{"ip_address": f.get("ip_address")} for f in fixed]
            if isinstance(fixed, list)
            else None,
        )
        port["_by_nova"] = True
    if req.at_least(2, 49) and body.get("tag"):
        port["_tag"] = str(body["tag"])
    cloud.save("ports", port)
    return Reply(200, {"interfaceAttachment": _view(req, port)})


def detach_interface(req: Req) -> Reply:
    """``DELETE /servers/{id}/os-interface/{port_id}``: 202; a port Nova made is deleted."""
    server = load_server(req)
    port = next((p for p in _ports(req, server) if p["id"] == req.args[1]), None)
    if port is None:
        raise nova(404, f"Port {req.args[1]} is not attached")
    for fip in req.cloud.all("floatingips"):
        if fip["port_id"] == port["id"]:
            fip.update(port_id=None, fixed_ip_address=None, router_id=None, status="DOWN")
            req.cloud.save("floatingips", fip)
    if port.get("_by_nova"):
        req.cloud.remove("ports", port["id"])
    else:
        port.update(device_id="", device_owner="", status="DOWN")
        req.cloud.save("ports", port)
    return Reply(202)


ROUTES = [
    ("GET", "servers/*/os-interface", list_interfaces),
    ("POST", "servers/*/os-interface", attach_interface),
    ("GET", "servers/*/os-interface/*", get_interface),
    ("DELETE", "servers/*/os-interface/*", detach_interface),
]
