"""Cinder v3 snapshots."""

from __future__ import annotations

from typing import Any

from ._cinder import load_volume, mine, quota_error
from ._errors import nova
from ._paging import next_href, page
from ._quota import over
from ._request import Reply, Req
from ._state import iso, public
from ._store import Doc

__all__ = ["ROUTES"]


def _snapshot_view(req: Req, doc: Doc) -> dict[str, Any]:
    view = public(doc)
    if req.who.is_admin:
        view["os-extended-snapshot-attributes:project_id"] = doc["_project"]
        view["os-extended-snapshot-attributes:progress"] = (
            "100%" if doc["status"] == "available" else "0%"
        )
    return view


def _load_snapshot(req: Req) -> Doc:
    found = req.cloud.find("snapshots", req.args[0])
    if found is None or not mine(req, found):
        raise nova(404, f"Snapshot {req.args[0]} could not be found.")
    return found


def _list_snapshots(req: Req, detail: bool) -> Reply:
    docs = [d for d in req.cloud.all("snapshots") if d["_project"] == req.project]
    for key in ("name", "status", "volume_id"):
        value = req.q(key)
        if value is not None:
            docs = [d for d in docs if str(d.get(key)) == value]
    docs.reverse()
    chosen, full = page(docs, req, max_limit=req.config.max_limit, bad=lambda m: nova(400, m))
    body: dict[str, Any] = {"snapshots": [_snapshot_view(req, d) for d in chosen]}
    if full:
        path = "snapshots/detail" if detail else "snapshots"
        body["snapshots_links"] = [{"rel": "next", "href": next_href(req, path, chosen[-1])}]
    return Reply(200, body)


def list_snapshots(req: Req) -> Reply:
    """``GET /snapshots``."""
    return _list_snapshots(req, False)


def list_snapshots_detail(req: Req) -> Reply:
    """``GET /snapshots/detail``."""
    return _list_snapshots(req, True)


def get_snapshot(req: Req) -> Reply:
    """``GET /snapshots/{id}``."""
    return Reply(200, {"snapshot": _snapshot_view(req, _load_snapshot(req))})


def create_snapshot(req: Req) -> Reply:
    """``POST /snapshots``: 202 with a ``creating`` snapshot (in-use volumes need ``force``)."""
    body = req.body.get("snapshot") if isinstance(req.body, dict) else None
    if not isinstance(body, dict) or "volume_id" not in body:
        raise nova(400, "Missing required element 'snapshot' in request body.")
    volume = load_volume(req, str(body["volume_id"]))
    force = str(body.get("force", False)).lower() == "true"
    if volume["status"] not in ("available", "in-use") or (
        volume["status"] == "in-use" and not force
    ):
        raise nova(
            400,
            "Invalid volume: Volume " + volume["id"] + " status must be available, "
            f"but current status is: {volume['status']}.",
        )
    exceeded = over(
        req.cloud, req.config, req.project, {"snapshots": 1, "gigabytes": volume["size"]}
    )
    if exceeded:
        raise quota_error(exceeded)
    doc = {
        "id": req.cloud.new_id(),
        "name": body.get("name"),
        "description": body.get("description"),
        "volume_id": volume["id"],
        "size": volume["size"],
        "status": "creating",
        "created_at": iso(req.cloud.now(), micro=True),
        "updated_at": None,
        "metadata": {str(k): str(v) for k, v in (body.get("metadata") or {}).items()},
        "user_id": req.who.user_id,
        "group_snapshot_id": None,
        "consumes_quota": True,
        "_project": req.project,
    }
    req.cloud.transition(doc, "creating", "available", req.config.volume_latency)
    req.cloud.save("snapshots", doc)
    return Reply(202, {"snapshot": _snapshot_view(req, doc)})


def delete_snapshot(req: Req) -> Reply:
    """``DELETE /snapshots/{id}``: 202."""
    doc = _load_snapshot(req)
    if doc["status"] not in ("available", "error"):
        raise nova(400, "Invalid snapshot: Volume Snapshot status must be available or error")
    req.cloud.retire("snapshots", doc, req.config.volume_latency, status="deleting")
    return Reply(202)


ROUTES = [
    ("GET", "snapshots", list_snapshots),
    ("GET", "snapshots/detail", list_snapshots_detail),
    ("POST", "snapshots", create_snapshot),
    ("GET", "snapshots/*", get_snapshot),
    ("DELETE", "snapshots/*", delete_snapshot),
]
