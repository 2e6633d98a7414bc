"""Operations: every mutating call answers with a ``compute#operation`` that is RUNNING for
``operation_latency`` seconds and then DONE (with ``error`` when the work failed), and the
``operations`` collections (get, wait, list, delete) of zones, regions and the project."""

from __future__ import annotations

import secrets
from typing import Any

from ._errors import ApiError, not_found
from ._listing import listing
from ._request import Reply, Req, Route, in_global, in_region, in_zone, render
from ._state import rfc3339
from ._store import Doc

__all__ = ["ROUTES", "begin_operation"]


def begin_operation(
    req: Req,
    scope: str,
    operation_type: str,
    target: str,
    target_id: str,
    *,
    error: ApiError | None = None,
) -> Reply:
    """Record a new operation on ``target`` (a ``projects/...`` path, in ``scope``: ``zones/z``,
    ``regions/r`` or ``global``) and answer with it; ``error`` makes it fail (when DONE)."""
    state = req.state
    now = req.now
    seconds = req.config.operation_latency
    stamp = f"{int(now * 1000)}-{secrets.token_hex(7)[:13]}-{secrets.token_hex(4)}"
    name = f"operation-{stamp}-{secrets.token_hex(4)}"
    doc: Doc = {
        "kind": "compute#operation",
        "id": state.new_id(),
        "name": name,
        "operationType": operation_type,
        "targetLink": state.link(target),
        "status": "RUNNING",
        "user": state.client_email,
        "progress": 0,
        "insertTime": rfc3339(now),
        "startTime": rfc3339(now),
        "selfLink": state.link(f"projects/{state.project}/{scope}/operations/{name}"),
        "targetId": target_id,
    }
    if scope.startswith("zones/"):
        doc["zone"] = state.link(f"projects/{state.project}/{scope}")
    elif scope.startswith("regions/"):
        doc["region"] = state.link(f"projects/{state.project}/{scope}")
    finish: dict[str, Any] = {"progress": 100, "endTime": rfc3339(now + max(seconds, 0))}
    if error is not None:
        finish["error"] = error.operation_error()
        finish["httpErrorStatusCode"] = error.status
        finish["httpErrorMessage"] = _HTTP_MESSAGES.get(error.status, "BAD REQUEST")
    if seconds <= 0:
        doc.update(finish)
        doc["status"] = "DONE"
    else:
        doc["_steps"] = [[now + seconds, "DONE", finish]]
    state.schedule("operation", scope, doc)
    return Reply(render(doc, req.base), retry_at=now + seconds if seconds > 0 else None)


_HTTP_MESSAGES = {
    400: "BAD REQUEST",
    403: "FORBIDDEN",
    404: "NOT FOUND",
    409: "CONFLICT",
    412: "PRECONDITION FAILED",
    503: "SERVICE UNAVAILABLE",
}


def _get(req: Req, scope: str) -> Reply:
    name = req.args[-1]
    doc = req.state.store.get("operation", scope, name)
    if doc is None:
        raise not_found(f"projects/{req.args[0]}/{scope}/operations/{name}")
    steps = doc.get("_steps") or []
    return Reply(render(doc, req.base), retry_at=steps[0][0] if steps else None)


def _list(req: Req, scope: str) -> Reply:
    path = f"projects/{req.args[0]}/{scope}/operations"
    return listing(req, "compute#operationList", path, req.state.store.all("operation", scope))


def _delete(req: Req, scope: str) -> Reply:
    name = req.args[-1]
    if not req.state.store.delete("operation", scope, name):
        raise not_found(f"projects/{req.args[0]}/{scope}/operations/{name}")
    return Reply({})


ROUTES: list[Route] = [
    ("GET", "projects/*/zones/*/operations", in_zone(_list)),
    ("GET", "projects/*/zones/*/operations/*", in_zone(_get)),
    ("POST", "projects/*/zones/*/operations/*/wait", in_zone(_get)),
    ("DELETE", "projects/*/zones/*/operations/*", in_zone(_delete)),
    ("GET", "projects/*/regions/*/operations", in_region(_list)),
    ("GET", "projects/*/regions/*/operations/*", in_region(_get)),
    ("POST", "projects/*/regions/*/operations/*/wait", in_region(_get)),
    ("DELETE", "projects/*/regions/*/operations/*", in_region(_delete)),
    ("GET", "projects/*/global/operations", in_global(_list)),
    ("GET", "projects/*/global/operations/*", in_global(_get)),
    ("POST", "projects/*/global/operations/*/wait", in_global(_get)),
    ("DELETE", "projects/*/global/operations/*", in_global(_delete)),
]
