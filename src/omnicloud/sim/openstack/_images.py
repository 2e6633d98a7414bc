"""Glance v2 images: list (filters, ``limit``/``marker`` with a ``next`` link), show, create
(``queued``), update (JSON patch), upload and download data, delete, tags."""

from __future__ import annotations

import hashlib
from typing import Any

from ._errors import ApiError, glance
from ._paging import next_href, page
from ._request import Reply, Req
from ._state import Cloud, iso, public
from ._store import Doc

__all__ = ["ROUTES", "new_image"]

_CORE = {
    "id",
    "name",
    "status",
    "visibility",
    "protected",
    "os_hidden",
    "checksum",
    "os_hash_algo",
    "os_hash_value",
    "owner",
    "size",
    "virtual_size",
    "min_ram",
    "min_disk",
    "disk_format",
    "container_format",
    "created_at",
    "updated_at",
    "tags",
    "self",
    "file",
    "schema",
    "locations",
    "direct_url",
}
_READ_ONLY = {
    "id",
    "status",
    "checksum",
    "os_hash_algo",
    "os_hash_value",
    "size",
    "virtual_size",
    "created_at",
    "updated_at",
    "self",
    "file",
    "schema",
    "owner",
}
_DISK_FORMATS = {"ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"}
_CONTAINER_FORMATS = {"ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"}


def new_image(cloud: Cloud, owner: str, name: str | None, *, visibility: str = "shared") -> Doc:
    """A new ``queued`` image document (not stored)."""
    now = iso(cloud.now())
    return {
        "id": cloud.new_id(),
        "name": name,
        "status": "queued",
        "visibility": visibility,
        "protected": False,
        "os_hidden": False,
        "checksum": None,
        "os_hash_algo": None,
        "os_hash_value": None,
        "owner": owner,
        "size": None,
        "virtual_size": None,
        "min_ram": 0,
        "min_disk": 0,
        "disk_format": None,
        "container_format": None,
        "created_at": now,
        "updated_at": now,
        "tags": [],
    }


def _view(doc: Doc) -> dict[str, Any]:
    view = public(doc)
    view["self"] = f"/v2/images/{doc['id']}"
    view["file"] = f"/v2/images/{doc['id']}/file"
    view["schema"] = "/v2/schemas/image"
    return view


def _visible(req: Req, doc: Doc) -> bool:
    if req.who.is_admin or doc["owner"] == req.project:
        return True
    return doc["visibility"] in ("public", "community", "shared") and not (
        doc["visibility"] == "shared" and doc["owner"] != req.project
    )


def _load(req: Req) -> Doc:
    doc = req.cloud.find("images", req.args[0])
    if doc is None or not _visible(req, doc):
        raise glance(404, f"No image found with ID {req.args[0]}")
    return doc


def _owned(req: Req) -> Doc:
    doc = _load(req)
    if doc["owner"] != req.project and not req.who.is_admin:
        raise glance(403, "You are not authorized to complete modify_image action.")
    return doc


def _bad(message: str) -> ApiError:
    return glance(400, message)


def list_images(req: Req) -> Reply:
    """``GET /v2/images``."""
    docs = [d for d in req.cloud.all("images") if _visible(req, d)]
    for key in (
        "name",
        "status",
        "visibility",
        "owner",
        "disk_format",
        "container_format",
        "os_distro",
        "id",
    ):
        value = req.q(key)
        if value is None:
            continue
        if value.startswith("in:"):
            wanted = set(value[3:].split(","))
            docs = [d for d in docs if str(d.get(key)) in wanted]
        else:
            docs = [d for d in docs if str(d.get(key)) == value]
    if req.q("visibility") is None:
        docs = [d for d in docs if d["visibility"] != "community" or d["owner"] == req.project]
    if req.q("os_hidden") not in ("true", "True"):
        docs = [d for d in docs if not d.get("os_hidden")]
    tag = req.q("tag")
    if tag is not None:
        docs = [d for d in docs if tag in d["tags"]]
    sort_dir = req.q("sort_dir") or "desc"
    sort_key = req.q("sort_key") or "created_at"
    docs = list(reversed(docs)) if sort_dir == "desc" else docs
    docs = sorted(docs, key=lambda d: str(d.get(sort_key) or ""), reverse=sort_dir == "desc")
    chosen, full = page(
        docs, req, max_limit=req.config.max_limit, default=req.config.image_page_size, bad=_bad
    )
    body: dict[str, Any] = {
        "images": [_view(d) for d in chosen],
        "first": "/v2/images",
        "schema": "/v2/schemas/images",
    }
    if full:
        href = next_href(req, "images", chosen[-1])
        body["next"] = "/v2/" + href.split("/image/v2/", 1)[1]
    return Reply(200, body)


def get_image(req: Req) -> Reply:
    """``GET /v2/images/{id}``."""
    return Reply(200, _view(_load(req)))


def create_image(req: Req) -> Reply:
    """``POST /v2/images``: 201 with a ``queued`` image."""
    body = req.body
    if not isinstance(body, dict):
        raise _bad("Request body must be a JSON object")
    for key in body:
        if key in _READ_ONLY - {"id"}:
            raise glance(403, f"Attribute '{key}' is read-only.")
    visibility = body.get("visibility", "shared")
    if visibility not in ("public", "private", "shared", "community"):
        raise _bad(f"Invalid value '{visibility}' for parameter 'visibility'")
    if visibility == "public" and not req.who.is_admin:
        raise glance(403, "You are not authorized to complete publicize_image action.")
    for key, allowed in (("disk_format", _DISK_FORMATS), ("container_format", _CONTAINER_FORMATS)):
        if body.get(key) is not None and body[key] not in allowed:
            raise _bad(f"Invalid value '{body[key]}' for parameter '{key}'")
    doc = new_image(req.cloud, req.project, body.get("name"), visibility=visibility)
    if "id" in body:
        if req.cloud.find("images", str(body["id"])) is not None:
            raise glance(409, f"Image with identifier {body['id']} already exists!")
        doc["id"] = str(body["id"])
    for key, value in body.items():
        if key not in ("id", "visibility"):
            doc[key] = value if key in _CORE or not isinstance(value, int | float) else str(value)
    req.cloud.save("images", doc)
    return Reply(201, _view(doc), {"Location": f"{req.service_url}/images/{doc['id']}"})


def patch_image(req: Req) -> Reply:
    """``PATCH /v2/images/{id}`` (``application/openstack-images-v2.1-json-patch``)."""
    doc = _owned(req)
    if not isinstance(req.body, list):
        raise _bad("Request body must be a JSON array of operation objects.")
    for op in req.body:
        if not isinstance(op, dict) or not isinstance(op.get("path"), str):
            raise _bad("Unable to find 'path' in JSON Schema change")
        key = op["path"].lstrip("/")
        if key in _READ_ONLY:
            raise glance(403, f"Attribute '{key}' is read-only.")
        if op.get("op") in ("add", "replace"):
            doc[key] = op.get("value")
        elif op.get("op") == "remove":
            if key not in doc:
                raise glance(409, f"Property {key} does not exist.")
            doc.pop(key, None)
        else:
            raise _bad(f"Invalid operation: {op.get('op')}")
    doc["updated_at"] = iso(req.cloud.now())
    req.cloud.save("images", doc)
    return Reply(200, _view(doc))


def delete_image(req: Req) -> Reply:
    """``DELETE /v2/images/{id}``: 204 (403 when protected)."""
    doc = _owned(req)
    if doc.get("protected"):
        raise glance(403, f"Image {doc['id']} is protected and cannot be deleted.")
    req.cloud.remove("images", doc["id"])
    req.cloud.store.drop_blob(doc["id"])
    return Reply(204)


def upload(req: Req) -> Reply:
    """``PUT /v2/images/{id}/file``: the data; the image becomes ``active``."""
    doc = _owned(req)
    if doc["status"] not in ("queued", "uploading"):
        raise glance(409, f"Image status transition from {doc['status']} to saving is not allowed")
    if not doc.get("disk_format") or not doc.get("container_format"):
        raise _bad("Properties disk_format, container_format must be set prior to saving data.")
    data = req.raw
    req.cloud.store.put_blob(doc["id"], data)
    doc.update(
        status="active",
        size=len(data),
        virtual_size=None,
        checksum=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        os_hash_algo="sha512",
        os_hash_value=hashlib.sha512(data).hexdigest(),
        updated_at=iso(req.cloud.now()),
    )
    req.cloud.save("images", doc)
    return Reply(204)


def download(req: Req) -> Reply:
    """``GET /v2/images/{id}/file``: the data (204 when the image has none)."""
    doc = _load(req)
    data = req.cloud.store.get_blob(doc["id"])
    if data is None:
        return Reply(204)
    headers = {"Content-MD5": doc["checksum"] or ""}
    return Reply(200, None, headers, raw=data, content_type="application/octet-stream")


def _tag(add: bool) -> Any:
    def handler(req: Req) -> Reply:
        doc = _owned(req)
        tag = req.args[1]
        if add and tag not in doc["tags"]:
            doc["tags"].append(tag)
        elif not add:
            if tag not in doc["tags"]:
                raise glance(404, f"Tag {tag} not found")
            doc["tags"].remove(tag)
        req.cloud.save("images", doc)
        return Reply(204)

    return handler


def _schema(req: Req) -> Reply:
    return Reply(200, {"name": "image", "properties": {k: {} for k in sorted(_CORE)}})


ROUTES = [
    ("GET", "images", list_images),
    ("POST", "images", create_image),
    ("GET", "images/*", get_image),
    ("PATCH", "images/*", patch_image),
    ("DELETE", "images/*", delete_image),
    ("PUT", "images/*/file", upload),
    ("GET", "images/*/file", download),
    ("PUT", "images/*/tags/*", _tag(True)),
    ("DELETE", "images/*/tags/*", _tag(False)),
    ("GET", "schemas/image", _schema),
]
