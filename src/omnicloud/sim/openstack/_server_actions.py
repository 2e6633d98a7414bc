"""``POST /servers/{id}/action``: reboot, os-start, os-stop, rebuild, resize and its
confirmation or revert, createImage, pause, suspend, lock, console output, security groups."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from ._errors import nova
from ._flavors import find_flavor
from ._images import new_image
from ._request import Reply, Req
from ._servermodel import conflict, load_server, render
from ._servers import find_image
from ._state import iso
from ._store import Doc

__all__ = ["ROUTES"]

Action = Callable[[Req, Doc, Any], Reply]


def _check(doc: Doc, action: str, *allowed: str) -> None:
    error = conflict(doc, action, allowed)
    if error is not None:
        raise error


def _move(req: Req, doc: Doc, status: str, then: str, task: str, **after: Any) -> None:
    doc["updated"] = iso(req.cloud.now())
    req.cloud.transition(doc, status, then, req.config.server_latency, task=task, after=after)


def _reboot(req: Req, doc: Doc, body: Any) -> Reply:
    kind = str((body or {}).get("type", "")).upper() if isinstance(body, dict) else ""
    if kind not in ("SOFT", "HARD"):
        raise nova(400, f"Invalid input for field/attribute type. Value: {kind or None}.")
    if kind == "SOFT":
        _check(doc, "reboot", "ACTIVE")
        _move(req, doc, "REBOOT", "ACTIVE", "reboot_started")
    else:
        _check(doc, "reboot", "ACTIVE", "SHUTOFF", "ERROR", "PAUSED", "SUSPENDED")
        _move(req, doc, "HARD_REBOOT", "ACTIVE", "reboot_started_hard", fault=None)
    return Reply(202)


def _start(req: Req, doc: Doc, body: Any) -> Reply:
    _check(doc, "start", "SHUTOFF")
    _move(req, doc, "SHUTOFF", "ACTIVE", "powering-on")
    return Reply(202)


def _stop(req: Req, doc: Doc, body: Any) -> Reply:
    _check(doc, "stop", "ACTIVE", "ERROR")
    _move(req, doc, doc["status"], "SHUTOFF", "powering-off")
    return Reply(202)


def _rebuild(req: Req, doc: Doc, body: Any) -> Reply:
    if not isinstance(body, dict) or not body.get("imageRef"):
        raise nova(
            400, "Invalid input for field/attribute rebuild. 'imageRef' is a required property"
        )
    _check(doc, "rebuild", "ACTIVE", "SHUTOFF", "ERROR")
    image = find_image(req, str(body["imageRef"]))
    if image is None:
        raise nova(400, f"Image {body['imageRef']} could not be found.")
    doc["image_id"] = image["id"]
    for field in ("name", "accessIPv4", "accessIPv6"):
        if field in body:
            doc[field] = body[field]
    if "metadata" in body:
        doc["metadata"] = {str(k): str(v) for k, v in (body["metadata"] or {}).items()}
    if "description" in body and req.at_least(2, 19):
        doc["description"] = body["description"]
    if "key_name" in body and req.at_least(2, 54):
        doc["key_name"] = body["key_name"]
    final = "SHUTOFF" if doc["status"] == "SHUTOFF" else "ACTIVE"
    _move(req, doc, "REBUILD", final, "rebuild_spawning", fault=None)
    view = render(req, doc)
    view["adminPass"] = body.get("adminPass") or secrets.token_urlsafe(9)
    req.cloud.save("servers", doc)
    return Reply(202, {"server": view}, {"Location": f"{req.service_url}/servers/{doc['id']}"})


def _resize(req: Req, doc: Doc, body: Any) -> Reply:
    ref = body.get("flavorRef") if isinstance(body, dict) else None
    if ref is None:
        raise nova(
            400, "Invalid input for field/attribute resize. 'flavorRef' is a required property"
        )
    _check(doc, "resize", "ACTIVE", "SHUTOFF")
    flavor = find_flavor(req, str(ref))
    if flavor is None:
        raise nova(400, f"Flavor {ref} could not be found.")
    if flavor["id"] == doc["flavor_id"]:
        raise nova(400, "When resizing, instances must change flavor!")
    doc["_old_flavor"] = doc["_flavor"]
    doc["_old_status"] = doc["status"]
    doc["flavor_id"] = flavor["id"]
    doc["_flavor"] = flavor
    _move(req, doc, "RESIZE", "VERIFY_RESIZE", "resize_migrating")
    return Reply(202)


def _confirm(req: Req, doc: Doc, body: Any) -> Reply:
    if doc["status"] != "VERIFY_RESIZE":
        raise nova(
            409,
            f"Cannot 'confirmResize' instance {doc['id']} while it is in vm_state "
            f"{doc['status'].lower()}",
        )
    doc["status"] = doc.pop("_old_status", "ACTIVE")
    doc.pop("_old_flavor", None)
    return Reply(204)


def _revert(req: Req, doc: Doc, body: Any) -> Reply:
    if doc["status"] != "VERIFY_RESIZE":
        raise nova(
            409,
            f"Cannot 'revertResize' instance {doc['id']} while it is in vm_state "
            f"{doc['status'].lower()}",
        )
    old = doc.pop("_old_flavor")
    doc["_flavor"] = old
    doc["flavor_id"] = old["id"]
    _move(req, doc, "REVERT_RESIZE", doc.pop("_old_status", "ACTIVE"), "resize_reverting")
    return Reply(202)


def _create_image(req: Req, doc: Doc, body: Any) -> Reply:
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name:
        raise nova(
            400, "Invalid input for field/attribute createImage. 'name' is a required property"
        )
    _check(doc, "createImage", "ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED")
    metadata = body.get("metadata") or {}
    image = new_image(req.cloud, req.project, name, visibility="private")
    image.update({str(k): str(v) for k, v in metadata.items()})
    image.update(
        {
            "disk_format": "qcow2",
            "container_format": "bare",
            "image_type": "snapshot",
            "instance_uuid": doc["id"],
            "base_image_ref": doc["image_id"],
            "user_id": req.who.user_id,
            "size": 0,
        }
    )
    req.cloud.transition(
        image, "saving", "active", req.config.image_latency, after={"size": 1073741824}
    )
    req.cloud.save("images", image)
    location = f"{req.origin}/image/v2/images/{image['id']}"
    document = {"image_id": image["id"]} if req.at_least(2, 45) else None
    return Reply(202, document, {"Location": location})


def _simple(action: str, allowed: tuple[str, ...], status: str, then: str, task: str) -> Action:
    def run(req: Req, doc: Doc, body: Any) -> Reply:
        _check(doc, action, *allowed)
        _move(req, doc, status, then, task)
        return Reply(202)

    return run


def _lock(req: Req, doc: Doc, body: Any) -> Reply:
    doc["locked"] = True
    if isinstance(body, dict) and req.at_least(2, 73):
        doc["locked_reason"] = body.get("locked_reason")
    return Reply(202)


def _unlock(req: Req, doc: Doc, body: Any) -> Reply:
    doc["locked"] = False
    doc["locked_reason"] = None
    return Reply(202)


def _console(req: Req, doc: Doc, body: Any) -> Reply:
    lines = [
        f"[    0.000000] Linux version 6.1.0 (sim@{doc['_host']})",
        f"{doc['_hostname']} login: ",
    ]
    length = body.get("length") if isinstance(body, dict) else None
    if isinstance(length, int | str) and str(length).lstrip("-").isdigit() and int(length) >= 0:
        lines = lines[-int(length) :] if int(length) else []
    return Reply(200, {"output": "\n".join(lines)})


def _password(req: Req, doc: Doc, body: Any) -> Reply:
    if not isinstance(body, dict) or not isinstance(body.get("adminPass"), str):
        raise nova(400, "Invalid input for field/attribute changePassword.")
    _check(doc, "changePassword", "ACTIVE")
    return Reply(202)


def _security_group(add: bool) -> Action:
    def run(req: Req, doc: Doc, body: Any) -> Reply:
        name = body.get("name") if isinstance(body, dict) else None
        groups = [g for g in req.cloud.all("security_groups") if g["project_id"] == req.project]
        group = next((g for g in groups if name in (g["id"], g["name"])), None)
        if group is None:
            raise nova(404, f"Security group {name} not found for project {req.project}.")
        ports = [p for p in req.cloud.all("ports") if p["device_id"] == doc["id"]]
        if add:
            if group["name"] in doc["security_groups"]:
                raise nova(
                    400,
                    f"Security group {group['name']} is already associated with the "
                    f"instance {doc['id']}",
                )
            doc["security_groups"].append(group["name"])
        else:
            if group["name"] not in doc["security_groups"]:
                raise nova(
                    400,
                    f"Security group {group['name']} not associated with the instance {doc['id']}",
                )
            doc["security_groups"].remove(group["name"])
        for port in ports:
            ids = [i for i in port["security_groups"] if i != group["id"]]
            port["security_groups"] = [*ids, group["id"]] if add else ids
            req.cloud.save("ports", port)
        return Reply(202)

    return run


ACTIONS: dict[str, Action] = {
    "reboot": _reboot,
    "os-start": _start,
    "os-stop": _stop,
    "rebuild": _rebuild,
    "resize": _resize,
    "confirmResize": _confirm,
    "revertResize": _revert,
    "createImage": _create_image,
    "pause": _simple("pause", ("ACTIVE",), "ACTIVE", "PAUSED", "pausing"),
    "unpause": _simple("unpause", ("PAUSED",), "PAUSED", "ACTIVE", "unpausing"),
    "suspend": _simple("suspend", ("ACTIVE", "SHUTOFF"), "ACTIVE", "SUSPENDED", "suspending"),
    "resume": _simple("resume", ("SUSPENDED",), "SUSPENDED", "ACTIVE", "resuming"),
    "lock": _lock,
    "unlock": _unlock,
    "os-getConsoleOutput": _console,
    "changePassword": _password,
    "addSecurityGroup": _security_group(True),
    "removeSecurityGroup": _security_group(False),
}


def server_action(req: Req) -> Reply:
    """``POST /servers/{id}/action`` with one action key."""
    server = load_server(req)
    if not isinstance(req.body, dict) or len(req.body) != 1:
        raise nova(400, "Malformed request body")
    ((name, body),) = req.body.items()
    action = ACTIONS.get(name)
    if action is None:
        raise nova(400, f"There is no such action: {name}")
    reply = action(req, server, body)
    req.cloud.save("servers", server)
    return reply


ROUTES = [("POST", "servers/*/action", server_action)]
