"""``setLabels`` for any labelled resource: the fingerprint must match, then labels change."""

from __future__ import annotations

from ._errors import precondition
from ._labels import check_labels
from ._ops import begin_operation
from ._request import Reply, Req
from ._state import fingerprint
from ._store import Doc

__all__ = ["set_labels"]


def set_labels(req: Req, kind: str, scope: str, doc: Doc, path: str) -> Reply:
    """Apply a ``{labels, labelFingerprint}`` body to ``doc`` (412 on a stale fingerprint)."""
    body = req.json()
    labels = check_labels(body.get("labels"))
    if body.get("labelFingerprint") != doc.get("labelFingerprint"):
        raise precondition("Labels fingerprint either invalid or resource labels have changed")
    doc["labels"] = labels
    doc["labelFingerprint"] = fingerprint(labels)
    req.state.schedule(kind, scope, doc)
    return begin_operation(req, scope, "setLabels", path, doc["id"])
