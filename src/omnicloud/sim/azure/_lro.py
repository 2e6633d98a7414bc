"""Long-running operations as ARM runs them, settled lazily on the state's clock.

:func:`start` records an operation whose *effects* (named functions registered with
:func:`effect`) apply when it comes due; every request first runs :func:`settle_due`. An effect
raising :class:`~._errors.ArmError` fails the operation with that error. :func:`headers` gives
the ``Azure-AsyncOperation``/``Location``/``Retry-After`` headers of the first answer, and
:data:`ROUTES` answer the operation status and result URLs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ._errors import ArmError
from ._request import Reply, Req
from ._state import AzureState, iso
from ._store import Doc

__all__ = ["ROUTES", "apply", "effect", "headers", "settle_due", "start"]

Effect = Callable[[AzureState, Doc], None]
KEEP = 3600.0
"""Seconds a finished operation can still be polled."""
_EFFECTS: dict[str, Effect] = {}


def effect(name: str) -> Callable[[Effect], Effect]:
    """Register an effect under ``name`` (an operation stores only names and arguments)."""

    def register(function: Effect) -> Effect:
        if name in _EFFECTS:
            raise ValueError(f"effect {name!r} registered twice")
        _EFFECTS[name] = function
        return function

    return register


def apply(state: AzureState, step: Doc) -> None:
    """Run one effect now (a module reusing another's clean-up)."""
    _EFFECTS[step["do"]](state, step)


def start(
    req: Req,
    provider: str,
    location: str,
    effects: list[Doc],
    *,
    kind: str = "put",
    failure: Doc | None = None,
) -> Doc:
    """Record an operation finishing ``operation_latency`` seconds from now.

    ``effects`` are ``{"do": name, ...}`` documents applied in order when it comes due;
    ``failure`` (``{"code", "message", "do": [...effects]}``) makes it fail instead, after
    applying its own effects. ``kind`` is ``put``, ``post`` or ``delete``.
    """
    op: Doc = {
        "id": str(uuid.uuid4()),
        "provider": provider,
        "location": location,
        "kind": kind,
        "start": req.now,
        "due": req.now + max(float(req.config.operation_latency), 0.0),
        "done": False,
        "effects": effects,
    }
    if failure is not None:
        op["failure"] = failure
    req.state.store.put_operation(op)
    return op


def headers(req: Req, op: Doc, *, location: bool = False) -> dict[str, str]:
    """``Azure-AsyncOperation`` and ``Retry-After`` (and ``Location`` for POST and DELETE)."""
    version = quote(req.api_version, safe="")
    if op["provider"] == "Microsoft.Resources":
        base = f"{req.origin}/subscriptions/{req.subscription}"
        return {
            "Location": f"{base}/operationresults/{op['id']}?api-version={version}",
            "Retry-After": str(req.config.retry_after),
        }
    base = (
        f"{req.origin}/subscriptions/{req.subscription}/providers/{op['provider']}"
        f"/locations/{op['location']}"
    )
    answer = {
        "Azure-AsyncOperation": f"{base}/operations/{op['id']}?api-version={version}",
        "Retry-After": str(req.config.retry_after),
    }
    if location:
        answer["Location"] = f"{base}/operationResults/{op['id']}?api-version={version}"
    return answer


def settle_due(state: AzureState, now: float) -> None:
    """Finish every operation due at ``now`` (its effects, or its failure); forget those
    finished more than :data:`KEEP` seconds ago."""
    store = state.store
    store.purge_operations(now - KEEP)
    for op in store.due_operations(now):
        failure = op.get("failure")
        try:
            with store.savepoint():
                steps = failure.get("do", []) if failure else op["effects"]
                for step in steps:
                    _EFFECTS[step["do"]](state, step)
        except ArmError as error:
            failure = {"code": error.code, "message": error.message}
        op["done"] = True
        op["end"] = op["due"]
        op["status"] = "Failed" if failure else "Succeeded"
        if failure:
            op["error"] = {"code": failure["code"], "message": failure["message"]}
        store.put_operation(op)


def _operation(req: Req, ident: str) -> Doc:
    op = req.state.store.get_operation(ident)
    if op is None:
        raise ArmError(404, "NotFound", f"The operation '{ident}' was not found.")
    return op


def _status(req: Req) -> Reply:
    op = _operation(req, req.args[-1])
    document: dict[str, Any] = {"name": op["id"], "startTime": iso(op["start"])}
    if not op["done"]:
        document["status"] = "InProgress"
        return Reply(200, document, {"Retry-After": str(req.config.retry_after)})
    document["status"] = op["status"]
    document["endTime"] = iso(op["end"])
    if "error" in op:
        document["error"] = op["error"]
    return Reply(200, document)


def _result(req: Req) -> Reply:
    op = _operation(req, req.args[-1])
    if not op["done"]:
        version = quote(req.api_version, safe="")
        return Reply(
            202,
            None,
            {
                "Location": f"{req.origin}{req.path}?api-version={version}",
                "Retry-After": str(req.config.retry_after),
            },
        )
    if "error" in op:
        raise ArmError(409, op["error"]["code"], op["error"]["message"])
    return Reply(204 if op["kind"] == "delete" else 200)


ROUTES = [
    ("GET", "subscriptions/*/providers/*/locations/*/operations/*", _status),
    ("GET", "subscriptions/*/providers/*/locations/*/operationresults/*", _result),
    ("GET", "subscriptions/*/operationresults/*", _result),
]
