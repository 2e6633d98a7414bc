"""A server's metadata, tags (2.26+), addresses and volume attachments."""

from __future__ import annotations

import re
from typing import Any

from ._errors import nova
from ._quota import limits
from ._request import Reply, Req
from ._servermodel import addresses, load_server
from ._store import Doc
from ._volmodel import attach, detach

__all__ = ["ROUTES"]

_TAG = re.compile(r"^[^,/]{1,60}$")


def _metadata_body(req: Req, key: str) -> dict[str, str]:
    body = req.body.get(key) if isinstance(req.body, dict) else None
    if not isinstance(body, dict):
        raise nova(400, f"Invalid input for field/attribute {key}.")
    for name, value in body.items():
        if not isinstance(value, str) or not 1 <= len(name) <= 255 or len(value) > 255:
            raise nova(400, f"Invalid input for field/attribute {name}.")
    return {str(k): str(v) for k, v in body.items()}


def _check_metadata_quota(req: Req, metadata: dict[str, str]) -> None:
    allowed = limits(req.cloud, req.config, req.project)["metadata_items"]
    if 0 <= allowed < len(metadata):
        raise nova(
            403,
            f"Quota exceeded for metadata_items: Requested {len(metadata)}, but "
            f"already used 0 of {allowed} metadata_items",
        )


def get_metadata(req: Req) -> Reply:
    """``GET /servers/{id}/metadata``."""
    return Reply(200, {"metadata": dict(load_server(req)["metadata"])})


def _save_metadata(req: Req, server: Doc, metadata: dict[str, str]) -> Reply:
    _check_metadata_quota(req, metadata)
    server["metadata"] = metadata
    req.cloud.save("servers", server)
    return Reply(200, {"metadata": dict(metadata)})


def update_metadata(req: Req) -> Reply:
    """``POST /servers/{id}/metadata``: merge."""
    server = load_server(req)
    return _save_metadata(req, server, {**server["metadata"], **_metadata_body(req, "metadata")})


def replace_metadata(req: Req) -> Reply:
    """``PUT /servers/{id}/metadata``: replace all."""
    server = load_server(req)
    return _save_metadata(req, server, _metadata_body(req, "metadata"))


def get_item(req: Req) -> Reply:
    """``GET /servers/{id}/metadata/{key}``."""
    server = load_server(req)
    key = req.args[1]
    if key not in server["metadata"]:
        raise nova(404, "Metadata item was not found")
    return Reply(200, {"meta": {key: server["metadata"][key]}})


def set_item(req: Req) -> Reply:
    """``PUT /servers/{id}/metadata/{key}``."""
    server = load_server(req)
    meta = _metadata_body(req, "meta")
    if list(meta) != [req.args[1]]:
        raise nova(400, "Request body and URI mismatch")
    _save_metadata(req, server, {**server["metadata"], **meta})
    return Reply(200, {"meta": meta})


def delete_item(req: Req) -> Reply:
    """``DELETE /servers/{id}/metadata/{key}``."""
    server = load_server(req)
    if req.args[1] not in server["metadata"]:
        raise nova(404, "Metadata item was not found")
    del server["metadata"][req.args[1]]
    req.cloud.save("servers", server)
    return Reply(204)


def _tagged(req: Req) -> Doc:
    if not req.at_least(2, 26):
        raise nova(404, "The resource could not be found.")
    return load_server(req)


def list_tags(req: Req) -> Reply:
    """``GET /servers/{id}/tags``."""
    return Reply(200, {"tags": list(_tagged(req)["tags"])})


def replace_tags(req: Req) -> Reply:
    """``PUT /servers/{id}/tags``."""
    server = _tagged(req)
    tags = req.body.get("tags") if isinstance(req.body, dict) else None
    if not isinstance(tags, list) or not all(isinstance(t, str) and _TAG.match(t) for t in tags):
        raise nova(400, "Invalid input for field/attribute tags.")
    if len(tags) > 50:
        raise nova(400, "The number of tags exceeded the per-server limit 50")
    server["tags"] = list(dict.fromkeys(tags))
    req.cloud.save("servers", server)
    return Reply(200, {"tags": server["tags"]})


def clear_tags(req: Req) -> Reply:
    """``DELETE /servers/{id}/tags``."""
    server = _tagged(req)
    server["tags"] = []
    req.cloud.save("servers", server)
    return Reply(204)


def check_tag(req: Req) -> Reply:
    """``GET /servers/{id}/tags/{tag}``: 204, or 404."""
    server = _tagged(req)
    if req.args[1] not in server["tags"]:
        raise nova(404, f"Tag '{req.args[1]}' could not be found for instance {server['id']}.")
    return Reply(204)


def add_tag(req: Req) -> Reply:
    """``PUT /servers/{id}/tags/{tag}``: 201 (204 when it was there)."""
    server = _tagged(req)
    tag = req.args[1]
    if not _TAG.match(tag):
        raise nova(400, f"Tag '{tag}' is invalid.")
    if tag in server["tags"]:
        return Reply(204)
    if len(server["tags"]) >= 50:
        raise nova(400, "The number of tags exceeded the per-server limit 50")
    server["tags"].append(tag)
    req.cloud.save("servers", server)
    location = f"{req.service_url}/servers/{server['id']}/tags/{tag}"
    return Reply(201, None, {"Location": location})


def delete_tag(req: Req) -> Reply:
    """``DELETE /servers/{id}/tags/{tag}``."""
    server = _tagged(req)
    if req.args[1] not in server["tags"]:
        raise nova(404, f"Tag '{req.args[1]}' could not be found for instance {server['id']}.")
    server["tags"].remove(req.args[1])
    req.cloud.save("servers", server)
    return Reply(204)


def list_ips(req: Req) -> Reply:
    """``GET /servers/{id}/ips``."""
    return Reply(200, {"addresses": addresses(req, load_server(req))})


def _attachment(req: Req, server: Doc, record: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = {
        "device": record["device"],
        "serverId": server["id"],
        "volumeId": record["id"],
    }
    if not req.at_least(2, 89):
        view["id"] = record["id"]
    if req.at_least(2, 70):
        view["tag"] = record["tag"]
    if req.at_least(2, 79):
        view["delete_on_termination"] = record["delete_on_termination"]
    if req.at_least(2, 89):
        view["attachment_id"] = record["attachment_id"]
        view["bdm_uuid"] = record["bdm_uuid"]
    return view


def list_attachments(req: Req) -> Reply:
    """``GET /servers/{id}/os-volume_attachments``."""
    server = load_server(req)
    views = [_attachment(req, server, r) for r in server["volumes"]]
    return Reply(200, {"volumeAttachments": views})


def get_attachment(req: Req) -> Reply:
    """``GET /servers/{id}/os-volume_attachments/{volume_id}``."""
    server = load_server(req)
    record = next((r for r in server["volumes"] if r["id"] == req.args[1]), None)
    if record is None:
        raise nova(404, f"Volume {req.args[1]} is not attached to the instance {server['id']}.")
    return Reply(200, {"volumeAttachment": _attachment(req, server, record)})


def create_attachment(req: Req) -> Reply:
    """``POST /servers/{id}/os-volume_attachments``: attach a volume (it becomes in-use)."""
    server = load_server(req)
    body = req.body.get("volumeAttachment") if isinstance(req.body, dict) else None
    if not isinstance(body, dict) or not isinstance(body.get("volumeId"), str):
        raise nova(
            400,
            "Invalid input for field/attribute volumeAttachment. 'volumeId' is a required property",
        )
    if server["status"] not in ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED") or (
        "_until" in server and server.get("_task")
    ):
        raise nova(
            409,
            f"Cannot 'attach_volume' instance {server['id']} while it is in "
            f"vm_state {server['status'].lower()}",
        )
    volume = req.cloud.find("volumes", body["volumeId"])
    if volume is None or (volume["_project"] != req.project and not req.who.is_admin):
        raise nova(404, f"Volume {body['volumeId']} could not be found.")
    if any(r["id"] == volume["id"] for r in server["volumes"]):
        raise nova(409, f"Volume {volume['id']} is already attached to the instance.")
    record = attach(
        req.cloud,
        req.config,
        server,
        volume,
        device=body.get("device"),
        delete_on_termination=bool(body.get("delete_on_termination", False))
        if req.at_least(2, 79)
        else False,
        tag=body.get("tag") if req.at_least(2, 49) else None,
    )
    req.cloud.save("volumes", volume)
    req.cloud.save("servers", server)
    return Reply(200, {"volumeAttachment": _attachment(req, server, record)})


def delete_attachment(req: Req) -> Reply:
    """``DELETE /servers/{id}/os-volume_attachments/{volume_id}``: 202, the volume detaches."""
    server = load_server(req)
    detach(req.cloud, req.config, server, req.args[1])
    req.cloud.save("servers", server)
    return Reply(202)


ROUTES = [
    ("GET", "servers/*/metadata", get_metadata),
    ("POST", "servers/*/metadata", update_metadata),
    ("PUT", "servers/*/metadata", replace_metadata),
    ("GET", "servers/*/metadata/*", get_item),
    ("PUT", "servers/*/metadata/*", set_item),
    ("DELETE", "servers/*/metadata/*", delete_item),
    ("GET", "servers/*/tags", list_tags),
    ("PUT", "servers/*/tags", replace_tags),
    ("DELETE", "servers/*/tags", clear_tags),
    ("GET", "servers/*/tags/*", check_tag),
    ("PUT", "servers/*/tags/*", add_tag),
    ("DELETE", "servers/*/tags/*", delete_tag),
    ("GET", "servers/*/ips", list_ips),
    ("GET", "servers/*/os-volume_attachments", list_attachments),
    ("POST", "servers/*/os-volume_attachments", create_attachment),
    ("GET", "servers/*/os-volume_attachments/*", get_attachment),
    ("DELETE", "servers/*/os-volume_attachments/*", delete_attachment),
]
