"""Lists as Compute answers them: ``maxResults`` pages, signed ``pageToken`` s, ``filter``,
and aggregated lists keyed by scope (an empty scope carries a ``NO_RESULTS_ON_PAGE`` warning)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from typing import Any

from ._errors import invalid, not_found
from ._filters import compile_filter
from ._request import Reply, Req, render
from ._store import Doc

__all__ = ["aggregated", "global_getter", "global_lister", "listing", "load_global"]


def _max_results(req: Req) -> int:
    raw = req.param("maxResults")
    cap = req.config.max_results
    if raw is None:
        return cap
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"Invalid value for field 'maxResults': '{raw}'.") from None
    if value < 0:
        raise invalid(
            f"Invalid value for field 'maxResults': '{raw}'. Must be greater than or equal to 0."
        )
    return cap if value == 0 else min(value, cap)


def _secret(req: Req) -> bytes:
    return (req.state.store.setting("page_secret") or "").encode()


def _context(req: Req, list_id: str) -> str:
    return hashlib.sha256(f"{list_id}\n{req.param('filter') or ''}".encode()).hexdigest()[:16]


def _token(req: Req, list_id: str, after: list[str]) -> str:
    body = json.dumps({"a": after, "c": _context(req, list_id)}, separators=(",", ":")).encode()
    mac = hmac.new(_secret(req), body, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(body + mac).decode("ascii").rstrip("=")


def _after(req: Req, list_id: str) -> list[str] | None:
    token = req.param("pageToken")
    if not token:
        return None
    problem = invalid("Invalid value for field 'pageToken'. The page token is not valid.")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise problem from None
    body, mac = raw[:-16], raw[-16:]
    expected = hmac.new(_secret(req), body, hashlib.sha256).digest()[:16]
    if len(raw) <= 16 or not hmac.compare_digest(mac, expected):
        raise problem
    data = json.loads(body)
    if data.get("c") != _context(req, list_id):
        raise problem
    after = data.get("a")
    if not isinstance(after, list):
        raise problem
    return [str(part) for part in after]


def _page(
    req: Req, list_id: str, keyed: Iterable[tuple[list[str], Any]]
) -> tuple[list[tuple[list[str], Any]], str | None]:
    """The page of (key, rendered doc) pairs after the token, and the next token (``keyed``:
    stored documents in key order)."""
    predicate = compile_filter(req.param("filter"))
    after = _after(req, list_id)
    limit = _max_results(req)
    chosen: list[tuple[list[str], Any]] = []
    base = req.base
    for key, stored in keyed:
        if after is not None and key <= after:
            continue
        doc = render(stored, base)
        if predicate is not None and not predicate(doc):
            continue
        if len(chosen) == limit:
            return chosen, _token(req, list_id, chosen[-1][0])
        chosen.append((key, doc))
    return chosen, None


def listing(req: Req, kind: str, list_id: str, docs: Iterable[Doc]) -> Reply:
    """A ``{kind}List`` answer of ``docs`` (sorted by name) for ``projects/.../{collection}``."""
    base = req.base
    page, token = _page(req, list_id, (([doc["name"]], doc) for doc in docs))
    answer: dict[str, Any] = {"kind": kind, "id": list_id}
    if page:
        answer["items"] = [doc for _, doc in page]
    if token:
        answer["nextPageToken"] = token
    answer["selfLink"] = base + list_id
    return Reply(answer)


def aggregated(
    req: Req, kind: str, list_id: str, key: str, scopes: list[str], docs: Iterable[tuple[str, Doc]]
) -> Reply:
    """An ``{kind}AggregatedList``: ``items`` maps every scope to ``{key: [...]}`` or a warning."""
    base = req.base
    page, token = _page(req, list_id, (([scope, doc["name"]], doc) for scope, doc in docs))
    items: dict[str, Any] = {}
    for (scope, _), doc in page:
        items.setdefault(scope, {key: []})[key].append(doc)
    answer: dict[str, Any] = {"kind": kind, "id": list_id, "items": {}}
    for scope in scopes:
        answer["items"][scope] = items.get(scope) or {
            "warning": {
                "code": "NO_RESULTS_ON_PAGE",
                "message": f"There are no results for scope '{scope}' on this page.",
                "data": [{"key": "scope", "value": scope}],
            }
        }
    if token:
        answer["nextPageToken"] = token
    answer["selfLink"] = base + list_id
    return Reply(answer)


def load_global(req: Req, kind: str, collection: str) -> Doc:
    """The global ``kind`` named by the path (``projects/{p}/global/{collection}/{name}``), the
    project checked, or Google's 404."""
    project = req.own_project()
    doc = req.state.store.get(kind, "global", req.args[1])
    if doc is None:
        raise not_found(f"projects/{project}/global/{collection}/{req.args[1]}")
    return doc


def global_getter(kind: str, collection: str) -> Callable[[Req], Reply]:
    """A ``GET projects/*/global/{collection}/*`` handler answering one ``kind``."""

    def get(req: Req) -> Reply:
        return Reply(render(load_global(req, kind, collection), req.base))

    return get


def global_lister(kind: str, collection: str) -> Callable[[Req], Reply]:
    """A ``GET projects/*/global/{collection}`` handler: the ``compute#{kind}List``."""

    def list_all(req: Req) -> Reply:
        project = req.own_project()
        docs = req.state.store.all(kind, "global")
        return listing(req, f"compute#{kind}List", f"projects/{project}/global/{collection}", docs)

    return list_all
