"""List answers: filtering (CloudSigma's AND/OR rules), ``limit``/``offset`` and ``meta``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..core.paging import Window
from ._errors import invalid
from ._request import Reply, Req
from ._state import public
from ._store import Doc

__all__ = ["filtered", "list_kind", "list_reply", "window"]

_CONTROL = frozenset({"limit", "offset", "format", "fields"})


def _matches(doc: Doc, name: str, wanted: list[str]) -> bool:
    field, _, op = name.partition("__")
    value = doc.get(field)
    if isinstance(value, dict):
        value = value.get("uuid")
    if op == "contains":
        return any(w in str(value or "") for w in wanted)
    if op == "icontains":
        return any(w.lower() in str(value or "").lower() for w in wanted)
    if isinstance(value, list):
        return any(
            w in (str(v.get("uuid") if isinstance(v, dict) else v) for v in value) for w in wanted
        )
    if isinstance(value, bool):
        value = "true" if value else "false"
    return str(value) in wanted


def filtered(docs: Iterable[Doc], req: Req, allowed: Iterable[str]) -> list[Doc]:
    """``docs`` matching the query's filters: parameters ANDed, comma values ORed."""
    names = set(allowed)
    filters = []
    for name, value in req.query.items():
        if name in _CONTROL or name.split("__")[0] not in names:
            continue
        filters.append((name, [part.replace("\\,", ",") for part in value.split(",")]))
    return [doc for doc in docs if all(_matches(doc, n, w) for n, w in filters)]


def window(req: Req) -> tuple[int, int | None, int]:
    """(offset, limit or None for all, limit as reported)."""
    try:
        limit = int(req.query.get("limit", req.config.default_limit))
        offset = int(req.query.get("offset", 0))
    except ValueError:
        raise invalid("limit and offset must be integers", "limit") from None
    if limit < 0 or offset < 0:
        raise invalid("limit and offset must not be negative", "limit")
    return offset, (None if limit == 0 else limit), limit


def list_reply(
    req: Req,
    docs: list[Doc],
    render: Callable[[Doc], Any] = public,
    extra: dict[str, Any] | None = None,
) -> Reply:
    """The ``{"meta": {...}, "objects": [...]}`` answer for one page of ``docs``."""
    offset, limit, shown = window(req)
    page = Window(offset, limit).cut(docs)
    document = {
        "meta": {"limit": shown, "offset": offset, "total_count": len(docs)},
        "objects": [render(doc) for doc in page],
        **(extra or {}),
    }
    return Reply(200, document)


def list_kind(
    req: Req, kind: str, allowed: Iterable[str], render: Callable[[Doc], Any] = public
) -> Reply:
    """A list of stored ``kind`` objects, reading only the requested page when unfiltered."""
    names = set(allowed)
    active = [n for n in req.query if n not in _CONTROL and n.split("__")[0] in names]
    if not active:
        offset, limit, shown = window(req)
        total, docs = req.state.store.page(kind, offset, limit)
        now = req.state.clock.now()
        objects = [render(req.state.settle(kind, doc, now)) for doc in docs]
        meta = {"limit": shown, "offset": offset, "total_count": total}
        return Reply(200, {"meta": meta, "objects": objects})
    if active == ["uuid"]:
        found = (req.state.find(kind, uuid) for uuid in dict.fromkeys(req.uuids("uuid")))
        return list_reply(req, [doc for doc in found if doc is not None], render)
    return list_reply(req, filtered(req.state.all(kind), req, names), render)
