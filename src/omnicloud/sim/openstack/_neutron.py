"""What every Neutron resource shares: visibility, lookups, list filters, ``fields``, sorting,
``limit``/``marker`` paging with ``<resources>_links``, updates, quotas, common errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ._errors import ApiError, neutron
from ._paging import next_href, page
from ._quota import limits, over, set_limits, usage
from ._request import Reply, Req
from ._state import iso, public
from ._store import Doc

__all__ = [
    "bad",
    "body_of",
    "check_quota",
    "list_reply",
    "load",
    "touch",
    "visible",
]

_CONTROL = frozenset(
    {
        "limit",
        "marker",
        "page_reverse",
        "sort_key",
        "sort_dir",
        "fields",
        "tags",
        "tags-any",
        "not-tags",
        "not-tags-any",
        "shared",
        "all_tenants",
    }
)


def bad(message: str) -> ApiError:
    """Neutron's 400."""
    return neutron(400, "HTTPBadRequest", message)


def body_of(req: Req, key: str) -> dict[str, Any]:
    """The ``{key: {...}}`` object of a create or update request."""
    body = req.body.get(key) if isinstance(req.body, dict) else None
    if not isinstance(body, dict):
        raise bad(f"Resource body required: {key}")
    return body


def visible(req: Req, doc: Doc) -> bool:
    """Whether the caller may see ``doc`` (own project, shared/external networks, admins)."""
    return (
        req.who.is_admin
        or doc.get("project_id") == req.project
        or bool(doc.get("shared"))
        or bool(doc.get("router:external"))
    )


def load(req: Req, kind: str, error_type: str, message: Callable[[str], str]) -> Doc:
    """A visible document, or Neutron's 404 ``error_type``."""
    ident = req.args[0]
    found = req.cloud.find(kind, ident)
    if found is None or not visible(req, found):
        raise neutron(404, error_type, message(ident))
    return found


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _matches(doc: Doc, name: str, wanted: list[str]) -> bool:
    if name not in doc:
        return True  # Neutron ignores filters on attributes it does not know
    value = doc[name]
    if isinstance(value, list):
        texts = (
            {_text(v) for v in value}
            | {_text(v.get("ip_address")) for v in value if isinstance(v, dict)}
            | {_text(v.get("subnet_id")) for v in value if isinstance(v, dict)}
        )
        return any(w in texts for w in wanted)
    wanted_lower = [w.lower() if isinstance(value, bool) else w for w in wanted]
    return _text(value) in wanted_lower


def _filtered(req: Req, docs: Iterable[Doc]) -> list[Doc]:
    chosen = [d for d in docs if visible(req, d)]
    for name, wanted in req.query.items():
        if name in _CONTROL:
            continue
        if name == "fixed_ips":
            pairs = [
                dict(part.split("=", 1) for part in w.split("&") if "=" in part) for w in wanted
            ]
            chosen = [
                d
                for d in chosen
                if all(
                    any(all(f.get(k) == v for k, v in pair.items()) for f in d.get("fixed_ips", []))
                    for pair in pairs
                )
            ]
            continue
        chosen = [d for d in chosen if _matches(d, name, wanted)]
    shared = req.q("shared")
    if shared is not None:
        chosen = [d for d in chosen if _text(d.get("shared")) == shared.lower()]
    for name, test in (
        ("tags", lambda want, have: want <= have),
        ("tags-any", lambda want, have: bool(want & have)),
        ("not-tags", lambda want, have: not want <= have),
        ("not-tags-any", lambda want, have: not want & have),
    ):
        value = req.q(name)
        if value:
            want = set(value.split(","))
            chosen = [d for d in chosen if test(want, set(d.get("tags", [])))]
    return chosen


def project_fields(req: Req, view: dict[str, Any]) -> dict[str, Any]:
    """Only the ``fields`` asked for (all when none)."""
    fields = [f for values in req.query.get("fields", []) for f in values.split(",") if f]
    if not fields:
        return view
    return {k: v for k, v in view.items() if k in fields}


def list_reply(
    req: Req, kind: str, key: str, render: Callable[[Req, Doc], dict[str, Any]] | None = None
) -> Reply:
    """``GET /v2.0/<key>``: filtered, sorted, paged, ``fields``-projected documents."""
    docs = _filtered(req, req.cloud.all(kind))
    sort_keys = req.query.get("sort_key", [])
    sort_dirs = req.query.get("sort_dir", [])
    for index in range(len(sort_keys) - 1, -1, -1):
        field = sort_keys[index]
        reverse = (sort_dirs[index] if index < len(sort_dirs) else "asc") == "desc"
        docs.sort(key=_sort_key(field), reverse=reverse)
    paged = "limit" in req.query or "marker" in req.query
    full = False
    if paged:
        docs, full = page(docs, req, max_limit=req.config.max_limit, bad=bad)
    views = [project_fields(req, (render or _plain)(req, d)) for d in docs]
    body: dict[str, Any] = {key: views}
    if paged:
        links = []
        if full:
            links.append({"rel": "next", "href": next_href(req, key, docs[-1])})
        if req.q("marker") is not None and docs:
            previous = next_href(req, key, docs[0]) + "&page_reverse=True"
            links.append({"rel": "previous", "href": previous})
        body[f"{key}_links"] = links
    return Reply(200, body)


def _sort_key(field: str) -> Callable[[Doc], str]:
    return lambda doc: _text(doc.get(field))


def _plain(req: Req, doc: Doc) -> dict[str, Any]:
    return public(doc)


def touch(req: Req, doc: Doc) -> None:
    """Bump ``updated_at`` and ``revision_number``."""
    doc["updated_at"] = iso(req.cloud.now())
    doc["revision_number"] = int(doc.get("revision_number", 0)) + 1


def check_quota(req: Req, resource: str, count: int = 1) -> None:
    """Neutron's 409 OverQuota when ``resource`` is used up."""
    if over(req.cloud, req.config, req.project, {resource: count}):
        raise neutron(409, "OverQuota", f"Quota exceeded for resources: ['{resource}'].")


def apply(doc: Doc, changes: dict[str, Any], allowed: Iterable[str]) -> None:
    """Copy the allowed ``changes`` into ``doc`` (400 for read-only or unknown attributes)."""
    names = set(allowed)
    for name, value in changes.items():
        if name not in names:
            raise bad(
                f"Cannot update read-only attribute {name}"
                if name in doc
                else f"Unrecognized attribute(s) '{name}'"
            )
        doc[name] = value


_NEUTRON_QUOTAS = (
    "network",
    "subnet",
    "port",
    "router",
    "floatingip",
    "security_group",
    "security_group_rule",
)


def get_quota(req: Req, *, details: bool = False) -> Reply:
    """``GET /v2.0/quotas/{project_id}`` (``/details``: with usage)."""
    project = req.args[0]
    if project != req.project and not req.who.is_admin:
        raise neutron(403, "PolicyNotAuthorized", "(rule:get_quota) is disallowed by policy")
    allowed = limits(req.cloud, req.config, project)
    view: dict[str, Any]
    if details:
        used = usage(req.cloud, project)
        view = {
            name: {"limit": allowed[name], "used": used[name], "reserved": 0}
            for name in _NEUTRON_QUOTAS
        }
    else:
        view = {name: allowed[name] for name in _NEUTRON_QUOTAS}
    return Reply(200, {"quota": view})


def update_quota(req: Req) -> Reply:
    """``PUT /v2.0/quotas/{project_id}`` (admin)."""
    if not req.who.is_admin:
        raise neutron(403, "PolicyNotAuthorized", "(rule:update_quota) is disallowed by policy")
    body = body_of(req, "quota")
    changes = {}
    for name, value in body.items():
        if name not in _NEUTRON_QUOTAS:
            raise bad(f"Unrecognized attribute(s) '{name}'")
        if not isinstance(value, int) or value < -1:
            raise bad(f"Invalid input for {name}. Reason: '{value}' is not a valid integer.")
        changes[name] = value
    set_limits(req.cloud, req.args[0], changes)
    return get_quota(req)


QUOTA_ROUTES = [
    ("GET", "quotas/*", get_quota),
    ("GET", "quotas/*/details", lambda req: get_quota(req, details=True)),
    ("PUT", "quotas/*", update_quota),
]
