"""Nova servers: loading, the status model and the server document at a microversion."""

from __future__ import annotations

import hashlib
from typing import Any

from ._errors import ApiError, nova
from ._flavors import embedded, flavor_ref
from ._request import Req
from ._state import public
from ._store import Doc

__all__ = ["STATES", "conflict", "load_server", "render", "summary"]

# status -> (vm_state, power_state); task_state comes from the transition in progress
STATES: dict[str, tuple[str, int]] = {
    "ACTIVE": ("active", 1),
    "BUILD": ("building", 0),
    "SHUTOFF": ("stopped", 4),
    "REBOOT": ("active", 1),
    "HARD_REBOOT": ("active", 1),
    "RESIZE": ("active", 1),
    "VERIFY_RESIZE": ("resized", 1),
    "REVERT_RESIZE": ("resized", 1),
    "REBUILD": ("active", 0),
    "PAUSED": ("paused", 3),
    "SUSPENDED": ("suspended", 7),
    "ERROR": ("error", 0),
    "DELETED": ("deleted", 0),
    "_gone": ("deleted", 0),
}


def load_server(req: Req, ident: str | None = None) -> Doc:
    """The caller's server (admins see every project's), or Nova's 404."""
    ident = req.args[0] if ident is None else ident
    found = req.cloud.find("servers", ident)
    if found is None or (found["project_id"] != req.project and not req.who.is_admin):
        raise nova(404, f"Instance {ident} could not be found.")
    return found


def vm_state(doc: Doc) -> str:
    """The server's vm_state."""
    return STATES.get(doc["status"], ("active", 1))[0]


def task_state(doc: Doc) -> str | None:
    """The server's task_state (None when nothing is in progress)."""
    return doc.get("_task") if "_until" in doc else None


def conflict(doc: Doc, action: str, allowed: tuple[str, ...]) -> ApiError | None:
    """Nova's 409 when ``action`` is not allowed in the server's state, else None."""
    if doc.get("locked") and action not in ("unlock", "lock"):
        return nova(409, f"Instance {doc['id']} is locked")
    task = task_state(doc)
    if task is not None:
        return nova(
            409,
            f"Cannot '{action}' instance {doc['id']} while it is in task_state {task}",
        )
    if doc["status"] not in allowed:
        return nova(
            409,
            f"Cannot '{action}' instance {doc['id']} while it is in vm_state {vm_state(doc)}",
        )
    return None


def _links(req: Req, ident: str) -> list[dict[str, str]]:
    return [
        {"rel": "self", "href": f"{req.service_url}/servers/{ident}"},
        {"rel": "bookmark", "href": f"{req.origin}/compute/servers/{ident}"},
    ]


def summary(req: Req, doc: Doc) -> dict[str, Any]:
    """A server in ``GET /servers``."""
    return {"id": doc["id"], "name": doc["name"], "links": _links(req, doc["id"])}


def addresses(req: Req, doc: Doc) -> dict[str, list[dict[str, Any]]]:
    """``addresses``: fixed IPs of the server's ports by network name, floating IPs after."""
    cloud = req.cloud
    ports = [p for p in cloud.all("ports") if p["device_id"] == doc["id"]]
    if not ports:
        return {}
    names = {n["id"]: n["name"] for n in cloud.all("networks")}
    floating: dict[str, list[str]] = {}
    for fip in cloud.all("floatingips"):
        if fip["port_id"]:
            floating.setdefault(str(fip["port_id"]), []).append(fip["floating_ip_address"])
    found: dict[str, list[dict[str, Any]]] = {}
    for port in ports:
        entries = found.setdefault(str(names.get(port["network_id"], port["network_id"])), [])
        for fixed in port["fixed_ips"]:
            entries.append(_address(fixed["ip_address"], "fixed", port["mac_address"]))
        for address in floating.get(port["id"], []):
            entries.append(_address(address, "floating", port["mac_address"]))
    return found


def _address(address: str, kind: str, mac: str) -> dict[str, Any]:
    return {
        "version": 6 if ":" in address else 4,
        "addr": address,
        "OS-EXT-IPS:type": kind,
        "OS-EXT-IPS-MAC:mac_addr": mac,
    }


def render(req: Req, doc: Doc) -> dict[str, Any]:
    """A server in ``GET /servers/{id}`` and ``/servers/detail`` at the request's microversion."""
    status = doc["status"]
    vm, power = STATES.get(status, ("active", 1))
    image: Any = ""
    if doc["image_id"]:
        image = {
            "id": doc["image_id"],
            "links": [
                {"rel": "bookmark", "href": f"{req.origin}/compute/images/{doc['image_id']}"}
            ],
        }
    flavor = (
        embedded(req, doc["_flavor"]) if req.at_least(2, 47) else flavor_ref(req, doc["flavor_id"])
    )
    view: dict[str, Any] = {
        "id": doc["id"],
        "name": doc["name"],
        "status": "ACTIVE" if status == "_gone" else status,
        "tenant_id": doc["project_id"],
        "user_id": doc["user_id"],
        "metadata": dict(doc["metadata"]),
        "hostId": hashlib.sha224((doc["project_id"] + doc["_host"]).encode()).hexdigest(),
        "image": image,
        "flavor": flavor,
        "created": doc["created"],
        "updated": doc["updated"],
        "addresses": addresses(req, doc),
        "accessIPv4": doc["accessIPv4"],
        "accessIPv6": doc["accessIPv6"],
        "links": _links(req, doc["id"]),
        "OS-DCF:diskConfig": "MANUAL",
        "progress": 0 if status == "BUILD" else 100 if status == "ACTIVE" else 0,
        "OS-EXT-AZ:availability_zone": doc["availability_zone"],
        "config_drive": "True" if doc["config_drive"] else "",
        "key_name": doc["key_name"],
        "OS-SRV-USG:launched_at": doc["launched_at"],
        "OS-SRV-USG:terminated_at": None,
        "security_groups": [{"name": name} for name in doc["security_groups"]],
        "OS-EXT-STS:task_state": task_state(doc),
        "OS-EXT-STS:vm_state": vm,
        "OS-EXT-STS:power_state": power,
        "os-extended-volumes:volumes_attached": [
            {"id": v["id"], "delete_on_termination": v["delete_on_termination"]}
            if req.at_least(2, 3)
            else {"id": v["id"]}
            for v in doc["volumes"]
        ],
    }
    if status == "ERROR" and doc.get("fault"):
        view["fault"] = doc["fault"]
    if req.who.is_admin:
        view.update(
            {
                "OS-EXT-SRV-ATTR:host": doc["_host"],
                "OS-EXT-SRV-ATTR:hypervisor_hostname": doc["_host"],
                "OS-EXT-SRV-ATTR:instance_name": doc["_instance_name"],
            }
        )
        if req.at_least(2, 3):
            view.update(
                {
                    "OS-EXT-SRV-ATTR:hostname": doc["_hostname"],
                    "OS-EXT-SRV-ATTR:reservation_id": doc["_reservation"],
                    "OS-EXT-SRV-ATTR:launch_index": 0,
                    "OS-EXT-SRV-ATTR:kernel_id": "",
                    "OS-EXT-SRV-ATTR:ramdisk_id": "",
                    "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
                    "OS-EXT-SRV-ATTR:user_data": doc["user_data"],
                }
            )
        if req.at_least(2, 16):
            view["host_status"] = "UP"
    if req.at_least(2, 9):
        view["locked"] = bool(doc.get("locked"))
    if req.at_least(2, 19):
        view["description"] = doc["description"]
    if req.at_least(2, 26):
        view["tags"] = list(doc["tags"])
    if req.at_least(2, 63):
        view["trusted_image_certificates"] = None
    if req.at_least(2, 71):
        view["server_groups"] = []
    if req.at_least(2, 73):
        view["locked_reason"] = doc.get("locked_reason")
    return view


def public_doc(doc: Doc) -> Doc:
    """The stored document without internal fields (for debugging views)."""
    return public(doc)
