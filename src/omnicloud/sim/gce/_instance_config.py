"""More instance changes: setMachineType (TERMINATED only), addAccessConfig /
deleteAccessConfig, setDiskAutoDelete, setDeletionProtection, and the serial port output."""

from __future__ import annotations

from typing import Any

from ._catalog import MACHINE_TYPES
from ._errors import ApiError, invalid
from ._instances import load_instance
from ._nics import nat_ip
from ._ops import begin_operation
from ._request import Reply, Req, Route, ref_path
from ._state import LINK
from ._store import Doc

__all__ = ["ROUTES"]


def _path(req: Req, zone: str, doc: Doc) -> str:
    return f"projects/{req.state.project}/zones/{zone}/instances/{doc['name']}"


def _flag(req: Req, name: str, default: bool) -> bool:
    raw = req.param(name)
    if raw is None or raw == "":
        return default
    if raw.lower() not in ("true", "false"):
        raise invalid(f"Invalid value for field '{name}': '{raw}'.")
    return raw.lower() == "true"


def _nic(req: Req, doc: Doc) -> dict[str, Any]:
    wanted = req.param("networkInterface")
    for nic in doc.get("networkInterfaces", []):
        if nic["name"] == wanted:
            return dict(nic)
    raise invalid(
        f"Invalid value for field 'networkInterface': '{wanted}'. No network interface with "
        "that name."
    )


def _replace_nic(doc: Doc, nic: dict[str, Any]) -> None:
    doc["networkInterfaces"] = [
        nic if other["name"] == nic["name"] else other for other in doc["networkInterfaces"]
    ]


def _set_machine_type(req: Req) -> Reply:
    zone, doc = load_instance(req)
    value = req.json().get("machineType")
    parts = ref_path(value, req.state.project, "resource.machineType")
    if len(parts) != 6 or parts[3] != zone or parts[5] not in MACHINE_TYPES:
        raise invalid(f"Invalid value for field 'resource.machineType': '{value}'.")
    if doc["status"] != "TERMINATED":
        raise ApiError(
            400,
            "resourceNotReady",
            f"The resource '{_path(req, zone, doc)}' is not ready",
        )
    machine = MACHINE_TYPES[parts[5]]
    doc["machineType"] = (
        f"{LINK}projects/{req.state.project}/zones/{zone}/machineTypes/{machine.name}"
    )
    doc["_cpus"] = machine.quota_cpus
    req.state.schedule("instance", f"zones/{zone}", doc)
    return begin_operation(req, f"zones/{zone}", "setMachineType", _path(req, zone, doc), doc["id"])


def _add_access_config(req: Req) -> Reply:
    zone, doc = load_instance(req)
    nic = _nic(req, doc)
    if nic.get("accessConfigs"):
        raise invalid("At most one access config currently supported.")
    body = req.json()
    kind = body.get("type", "ONE_TO_ONE_NAT")
    if kind != "ONE_TO_ONE_NAT":
        raise invalid(f"Invalid value for field 'resource.type': '{kind}'.")
    ip, reserved = nat_ip(req, doc["_region"], body.get("natIP"), "resource.natIP")
    if reserved is not None:
        reserved["status"] = "IN_USE"
        reserved["users"] = [doc["selfLink"]]
        req.state.store.put("address", f"regions/{doc['_region']}", reserved)
    nic["accessConfigs"] = [
        {
            "kind": "compute#accessConfig",
            "type": "ONE_TO_ONE_NAT",
            "name": body.get("name") or "External NAT",
            "natIP": ip,
            "networkTier": body.get("networkTier") or "PREMIUM",
        }
    ]
    _replace_nic(doc, nic)
    req.state.schedule("instance", f"zones/{zone}", doc)
    path = _path(req, zone, doc)
    return begin_operation(req, f"zones/{zone}", "addAccessConfig", path, doc["id"])


def _delete_access_config(req: Req) -> Reply:
    zone, doc = load_instance(req)
    nic = _nic(req, doc)
    wanted = req.param("accessConfig")
    kept = [a for a in nic.get("accessConfigs", []) if a.get("name") != wanted]
    if len(kept) == len(nic.get("accessConfigs", [])):
        raise invalid(
            f"Invalid value for field 'accessConfig': '{wanted}'. No access config with that name."
        )
    for access in nic["accessConfigs"]:
        if access.get("name") == wanted:
            req.state.release_address(doc["_region"], access.get("natIP"), doc["selfLink"])
    nic["accessConfigs"] = kept
    if not kept:
        nic.pop("accessConfigs")
    _replace_nic(doc, nic)
    req.state.schedule("instance", f"zones/{zone}", doc)
    path = _path(req, zone, doc)
    return begin_operation(req, f"zones/{zone}", "deleteAccessConfig", path, doc["id"])


def _set_disk_auto_delete(req: Req) -> Reply:
    zone, doc = load_instance(req)
    device = req.param("deviceName")
    auto_delete = _flag(req, "autoDelete", False)
    if not any(d["deviceName"] == device for d in doc["disks"]):
        raise invalid(
            f"Invalid value for field 'deviceName': '{device}'. No attached disk found with "
            "the given device name."
        )
    doc["disks"] = [
        {**d, "autoDelete": auto_delete} if d["deviceName"] == device else d for d in doc["disks"]
    ]
    req.state.schedule("instance", f"zones/{zone}", doc)
    path = _path(req, zone, doc)
    return begin_operation(req, f"zones/{zone}", "setDiskAutoDelete", path, doc["id"])


def _set_deletion_protection(req: Req) -> Reply:
    zone, doc = load_instance(req)
    doc["deletionProtection"] = _flag(req, "deletionProtection", True)
    req.state.schedule("instance", f"zones/{zone}", doc)
    path = _path(req, zone, doc)
    return begin_operation(req, f"zones/{zone}", "setDeletionProtection", path, doc["id"])


def _serial_port(req: Req) -> Reply:
    zone, doc = load_instance(req)
    port = req.param("port") or "1"
    if port not in ("1", "2", "3", "4"):
        raise invalid(f"Invalid value for field 'port': '{port}'. Must be between 1 and 4.")
    lines = [f"{doc['creationTimestamp']} {doc['name']} booting"]
    if doc["status"] == "RUNNING":
        lines.append(f"{doc.get('lastStartTimestamp', '')} {doc['name']} login: ")
    contents = "\n".join(lines) + "\n" if port == "1" else ""
    raw_start = req.param("start") or "0"
    try:
        start = max(int(raw_start), 0)
    except ValueError:
        raise invalid(f"Invalid value for field 'start': '{raw_start}'.") from None
    data = contents.encode()[start:].decode(errors="replace")
    answer = {
        "kind": "compute#serialPortOutput",
        "contents": data,
        "start": str(start),
        "next": str(len(contents.encode())),
        "selfLink": f"{req.base}{_path(req, zone, doc)}/serialPort",
    }
    return Reply(answer)


ROUTES: list[Route] = [
    ("POST", "projects/*/zones/*/instances/*/setMachineType", _set_machine_type),
    ("POST", "projects/*/zones/*/instances/*/addAccessConfig", _add_access_config),
    ("POST", "projects/*/zones/*/instances/*/deleteAccessConfig", _delete_access_config),
    ("POST", "projects/*/zones/*/instances/*/setDiskAutoDelete", _set_disk_auto_delete),
    ("POST", "projects/*/zones/*/instances/*/setDeletionProtection", _set_deletion_protection),
    ("GET", "projects/*/zones/*/instances/*/serialPort", _serial_port),
]
