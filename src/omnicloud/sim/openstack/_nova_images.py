"""Nova's image proxy (``GET /images``, ``/images/detail``, ``/images/{id}``, ``DELETE``): the
Glance images a project may boot, in Nova's shape. Nova removed it at microversion 2.36 (404
from then on); clients that send no microversion, Libcloud's OpenStack driver among them, use
it."""

from __future__ import annotations

from typing import Any

from ._errors import ApiError, nova
from ._request import Reply, Req
from ._servers import find_image
from ._store import Doc

__all__ = ["ROUTES"]

_STATUS = {"active": "ACTIVE", "queued": "SAVING", "saving": "SAVING", "deleted": "DELETED"}
_CORE = {"id", "name", "status", "min_ram", "min_disk", "created_at", "updated_at", "size"}


def _gone(req: Req) -> None:
    if req.at_least(2, 36):
        raise nova(404, "The resource could not be found.")


def _view(req: Req, doc: Doc, detail: bool) -> dict[str, Any]:
    links = [
        {"rel": "self", "href": f"{req.service_url}/images/{doc['id']}"},
        {"rel": "bookmark", "href": f"{req.origin}/compute/images/{doc['id']}"},
    ]
    view: dict[str, Any] = {"id": doc["id"], "name": doc["name"], "links": links}
    if not detail:
        return view
    status = str(doc["status"])
    view.update(
        {
            "status": _STATUS.get(status, "ERROR" if status.startswith("error") else "UNKNOWN"),
            "progress": 100 if status == "active" else 25,
            "minRam": doc.get("min_ram") or 0,
            "minDisk": doc.get("min_disk") or 0,
            "created": doc["created_at"],
            "updated": doc["updated_at"],
            "OS-EXT-IMG-SIZE:size": doc.get("size"),
            "metadata": {
                k: str(v)
                for k, v in doc.items()
                if k not in _CORE and not k.startswith("_") and isinstance(v, str | int | bool)
            },
        }
    )
    return view


def _listed(req: Req, detail: bool) -> Reply:
    _gone(req)
    docs = [d for d in req.cloud.all("images") if find_image(req, d["id"]) is not None]
    return Reply(200, {"images": [_view(req, d, detail) for d in docs]})


def _load(req: Req) -> Doc:
    _gone(req)
    doc = find_image(req, req.args[0])
    if doc is None:
        raise nova(404, "Image not found.")
    return doc


def get_image(req: Req) -> Reply:
    """``GET /images/{id}``."""
    return Reply(200, {"image": _view(req, _load(req), True)})


def delete_image(req: Req) -> Reply:
    """``DELETE /images/{id}``: 204 (the caller's own images only)."""
    doc = _load(req)
    if doc["owner"] != req.project and not req.who.is_admin:
        raise _forbidden()
    req.cloud.remove("images", doc["id"])
    return Reply(204)


def _forbidden() -> ApiError:
    return nova(403, "You are not allowed to delete the image.")


ROUTES = [
    ("GET", "images", lambda req: _listed(req, False)),
    ("GET", "images/detail", lambda req: _listed(req, True)),
    ("GET", "images/*", get_image),
    ("DELETE", "images/*", delete_image),
]
