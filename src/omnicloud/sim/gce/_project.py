"""The project resource: ``GET projects/{p}`` (quotas, common instance metadata) and
``setCommonInstanceMetadata`` (fingerprint checked)."""

from __future__ import annotations

from ._errors import precondition
from ._labels import metadata_doc
from ._ops import begin_operation
from ._request import Reply, Req, Route, render
from ._store import Doc

__all__ = ["ROUTES"]

_GLOBAL_QUOTAS = (
    ("SNAPSHOTS", 5000.0, "snapshot"),
    ("NETWORKS", 15.0, "network"),
    ("FIREWALLS", 200.0, "firewall"),
    ("IMAGES", 2000.0, "image"),
    ("STATIC_ADDRESSES", 8.0, None),
    ("SUBNETWORKS", 275.0, "subnetwork"),
)


def _load(req: Req) -> Doc:
    req.own_project()
    doc = req.state.store.get("project", "global", req.state.project)
    assert doc is not None
    return doc


def _get(req: Req) -> Reply:
    doc = _load(req)
    store = req.state.store
    doc["quotas"] = [
        {
            "metric": metric,
            "limit": limit,
            "usage": float(
                len(store.all(kind)) if kind is not None else len(store.all("address", "global"))
            ),
        }
        for metric, limit, kind in _GLOBAL_QUOTAS
    ]
    return Reply(render(doc, req.base))


def _set_metadata(req: Req) -> Reply:
    doc = _load(req)
    body = req.json()
    current = doc["commonInstanceMetadata"]
    if body.get("fingerprint") != current.get("fingerprint"):
        raise precondition("Supplied fingerprint does not match current metadata fingerprint.")
    doc["commonInstanceMetadata"] = metadata_doc(body, "resource")
    req.state.store.put("project", "global", doc)
    path = f"projects/{req.state.project}"
    return begin_operation(req, "global", "setMetadata", path, doc["id"])


ROUTES: list[Route] = [
    ("GET", "projects/*", _get),
    ("POST", "projects/*/setCommonInstanceMetadata", _set_metadata),
]
