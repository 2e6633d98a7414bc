"""Cinder v3 volumes under ``/volume/v3/{project_id}``: created ``available`` after the
latency, attached through Nova, extended, deleted."""

from __future__ import annotations

from typing import Any

from ._cinder import links, load_volume, mine, quota_error, volume_view
from ._errors import nova
from ._paging import next_href, page
from ._quota import over
from ._request import Reply, Req
from ._state import iso
from ._volmodel import volume_doc

__all__ = ["ROUTES"]

_DELETABLE = ("available", "error", "error_restoring", "error_extending", "error_managing")


def _list_volumes(req: Req, detail: bool) -> Reply:
    docs = [d for d in req.cloud.all("volumes") if mine(req, d)]
    if req.who.is_admin and req.q("all_tenants") in (None, "0", "false"):
        docs = [d for d in docs if d["_project"] == req.project]
    for key in ("name", "status", "bootable", "availability_zone"):
        value = req.q(key)
        if value is not None:
            docs = [d for d in docs if str(d.get(key)) == value]
    docs.reverse()  # newest first, as Cinder sorts by created_at desc
    chosen, full = page(docs, req, max_limit=req.config.max_limit, bad=lambda m: nova(400, m))
    views = [
        volume_view(req, d)
        if detail
        else {"id": d["id"], "name": d["name"], "links": links(req, "volumes", d["id"])}
        for d in chosen
    ]
    body: dict[str, Any] = {"volumes": views}
    if full:
        path = "volumes/detail" if detail else "volumes"
        body["volumes_links"] = [{"rel": "next", "href": next_href(req, path, chosen[-1])}]
    if req.at_least(3, 34) and req.q("with_count") in ("true", "True"):
        body["count"] = len(docs)
    return Reply(200, body)


def list_volumes(req: Req) -> Reply:
    """``GET /volumes``."""
    return _list_volumes(req, False)


def list_volumes_detail(req: Req) -> Reply:
    """``GET /volumes/detail``."""
    return _list_volumes(req, True)


def get_volume(req: Req) -> Reply:
    """``GET /volumes/{id}``."""
    return Reply(200, {"volume": volume_view(req, load_volume(req))})


def create_volume(req: Req) -> Reply:
    """``POST /volumes``: 202 with a ``creating`` volume."""
    body = req.body.get("volume") if isinstance(req.body, dict) else None
    if not isinstance(body, dict):
        raise nova(400, "Missing required element 'volume' in request body.")
    cloud = req.cloud
    size = body.get("size")
    source = None
    if body.get("snapshot_id"):
        snapshot = cloud.find("snapshots", str(body["snapshot_id"]))
        if snapshot is None or not mine(req, snapshot):
            raise nova(404, f"Snapshot {body['snapshot_id']} could not be found.")
        size = size or snapshot["size"]
    if body.get("source_volid"):
        source = load_volume(req, str(body["source_volid"]))
        size = size or source["size"]
    image_id = body.get("imageRef") or body.get("image_id")
    if image_id:
        image = cloud.find("images", str(image_id))
        if image is None:
            raise nova(400, "Invalid image identifier or unable to access requested image.")
        needed = max(1, -(-int(image.get("size") or 0) // 1024**3), int(image.get("min_disk", 0)))
        size = size or needed
    try:
        size = int(str(size))
    except (TypeError, ValueError):
        raise nova(
            400, f"Invalid input received: 'size' parameter must be an integer: {size}."
        ) from None
    if size < 1:
        raise nova(
            400,
            f"Invalid input for field/attribute size. Value: {size}. {size} is less "
            "than the minimum of 1",
        )
    exceeded = over(cloud, req.config, req.project, {"volumes": 1, "gigabytes": size})
    if exceeded:
        raise quota_error(exceeded)
    zone = body.get("availability_zone") or "nova"
    if zone != "nova":
        raise nova(400, "Invalid input received: Availability zone '" + str(zone) + "' is invalid.")
    doc = volume_doc(
        cloud,
        req.project,
        req.who.user_id,
        size=size,
        name=body.get("name"),
        description=body.get("description"),
        volume_type=body.get("volume_type"),
        image_id=str(image_id) if image_id else None,
        snapshot_id=body.get("snapshot_id"),
        source_volid=body.get("source_volid"),
        metadata={str(k): str(v) for k, v in (body.get("metadata") or {}).items()},
    )
    if source is not None:
        doc["bootable"] = source["bootable"]
    if body.get("multiattach"):
        doc["multiattach"] = True
    cloud.transition(
        doc,
        "creating",
        "available",
        req.config.volume_latency,
        after={"updated_at": iso(cloud.now(), micro=True)},
    )
    cloud.save("volumes", doc)
    return Reply(202, {"volume": volume_view(req, doc)})


def update_volume(req: Req) -> Reply:
    """``PUT /volumes/{id}``: name, description, metadata."""
    doc = load_volume(req)
    body = req.body.get("volume") if isinstance(req.body, dict) else None
    if not isinstance(body, dict):
        raise nova(400, "Missing required element 'volume' in request body.")
    for key in ("name", "description", "metadata"):
        if key in body:
            doc[key] = body[key]
    doc["updated_at"] = iso(req.cloud.now(), micro=True)
    req.cloud.save("volumes", doc)
    return Reply(200, {"volume": volume_view(req, doc)})


def delete_volume(req: Req) -> Reply:
    """``DELETE /volumes/{id}``: 202; 400 unless available/error and without snapshots."""
    doc = load_volume(req)
    cascade = req.q("cascade") in ("true", "True")
    snapshots = [s for s in req.cloud.all("snapshots") if s["volume_id"] == doc["id"]]
    if doc["status"] not in _DELETABLE or doc["attachments"] or (snapshots and not cascade):
        raise nova(
            400,
            "Invalid volume: Volume status must be available or error or "
            "error_restoring or error_extending or error_managing and must not be "
            "migrating, attached, belong to a group, have snapshots, awaiting a transfer, "
            "or be disassociated from snapshots after volume transfer.",
        )
    for snapshot in snapshots:
        req.cloud.remove("snapshots", snapshot["id"])
    req.cloud.retire("volumes", doc, req.config.volume_latency, status="deleting")
    return Reply(202)


def volume_action(req: Req) -> Reply:
    """``POST /volumes/{id}/action``: os-extend, os-set_bootable, os-reset_status,
    os-update_readonly_flag, os-set_image_metadata."""
    doc = load_volume(req)
    if not isinstance(req.body, dict) or len(req.body) != 1:
        raise nova(400, "Malformed request body")
    ((name, body),) = req.body.items()
    if name == "os-extend":
        new_size = body.get("new_size") if isinstance(body, dict) else None
        if not isinstance(new_size, int) or new_size <= doc["size"]:
            raise nova(
                400,
                f"Invalid input received: New size for extend must be greater than "
                f"current size. (current: {doc['size']}, extended: {new_size}).",
            )
        if doc["status"] != "available":
            raise nova(400, "Invalid volume: Volume status must be 'available'.")
        exceeded = over(req.cloud, req.config, req.project, {"gigabytes": new_size - doc["size"]})
        if exceeded:
            raise quota_error(exceeded)
        req.cloud.transition(
            doc, "extending", "available", req.config.volume_latency, after={"size": new_size}
        )
        if "_until" in doc:
            doc["size"] = doc["size"]
    elif name == "os-set_bootable":
        doc["bootable"] = "true" if str((body or {}).get("bootable")).lower() == "true" else "false"
    elif name == "os-reset_status":
        if not req.who.is_admin:
            raise nova(
                403,
                "Policy doesn't allow volume_extension:volume_admin_actions:"
                "reset_status to be performed.",
            )
        for key in ("status", "attach_status", "migration_status"):
            if isinstance(body, dict) and key in body:
                doc[key] = body[key]
    elif name == "os-set_image_metadata":
        metadata = (body or {}).get("metadata") if isinstance(body, dict) else None
        doc.setdefault("volume_image_metadata", {}).update(metadata or {})
        req.cloud.save("volumes", doc)
        return Reply(200, {"metadata": doc["volume_image_metadata"]})
    elif name == "os-update_readonly_flag":
        doc["metadata"]["readonly"] = str((body or {}).get("readonly", False))
    else:
        raise nova(400, f"There is no such action: {name}")
    req.cloud.save("volumes", doc)
    return Reply(202)


ROUTES = [
    ("GET", "volumes", list_volumes),
    ("GET", "volumes/detail", list_volumes_detail),
    ("POST", "volumes", create_volume),
    ("GET", "volumes/*", get_volume),
    ("PUT", "volumes/*", update_volume),
    ("DELETE", "volumes/*", delete_volume),
    ("POST", "volumes/*/action", volume_action),
]
