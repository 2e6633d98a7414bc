"""Keystone v3's read-only catalog, projects, users, domains and roles, and application
credentials (create, list, show, delete)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from ._catalog import catalog_v3
from ._errors import keystone
from ._keystone import (
    bad,
    caller,
    has_roles,
    obj,
)
from ._request import Reply, Req
from ._state import Principal, public
from ._store import Doc

__all__ = ["ROUTES"]


def auth_catalog(req: Req) -> Reply:
    """``GET /v3/auth/catalog``."""
    who = caller(req)
    entries = catalog_v3(req.origin, who.project_id) if who.project_id else []
    return Reply(200, {"catalog": entries, "links": {"self": f"{req.service_url}/auth/catalog"}})


def _listing(req: Req, kind: str, key: str, docs: list[Doc]) -> Reply:
    items = []
    for doc in docs:
        item = public(doc)
        item["links"] = {"self": f"{req.service_url}/{key}/{doc['id']}"}
        items.append(item)
    name = req.q("name")
    if name is not None:
        items = [item for item in items if item.get("name") == name]
    return Reply(
        200,
        {key: items, "links": {"self": f"{req.service_url}/{key}", "next": None, "previous": None}},
    )


def auth_projects(req: Req) -> Reply:
    """``GET /v3/auth/projects``: the projects the caller has roles on."""
    who = caller(req)
    docs = [p for p in req.cloud.store.all("projects") if has_roles(req, who.user_id, p["id"])]
    return _listing(req, "projects", "projects", docs)


def _lister(kind: str) -> Any:
    def handler(req: Req) -> Reply:
        caller(req)
        return _listing(req, kind, kind, req.cloud.store.all(kind))

    return handler


def _getter(kind: str, label: str) -> Any:
    def handler(req: Req) -> Reply:
        caller(req)
        found = req.cloud.store.get(kind, req.args[0])
        if found is None:
            raise keystone(404, f"Could not find {label}: {req.args[0]}.")
        item = public(found)
        item["links"] = {"self": f"{req.service_url}/{kind}/{found['id']}"}
        return Reply(200, {label: item})

    return handler


# application credentials -----------------------------------------------------------------------


def _credential_view(req: Req, doc: Doc) -> dict[str, Any]:
    item = public(doc)
    item["links"] = {
        "self": f"{req.service_url}/users/{doc['user_id']}/application_credentials/{doc['id']}"
    }
    return item


def _own(req: Req) -> Principal:
    who = caller(req)
    if req.args[0] != who.user_id:
        raise keystone(403, "You are not authorized to perform the requested action.")
    return who


def create_credential(req: Req) -> Reply:
    """``POST /v3/users/{user_id}/application_credentials``: 201 with the secret (once)."""
    who = _own(req)
    if who.project_id is None:
        raise keystone(400, "Application credentials need a project-scoped token.")
    body = obj((req.body or {}).get("application_credential"), "application_credential")
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise bad("Invalid input for field 'name'.")
    existing = req.cloud.store.all("application_credentials")
    if any(c["name"] == name and c["user_id"] == who.user_id for c in existing):
        raise keystone(409, "Duplicate entry found with name " + name + ".")
    secret = body.get("secret") or secrets.token_urlsafe(48)
    roles = {r["name"]: r["id"] for r in req.cloud.store.all("roles")}
    doc = {
        "id": req.cloud.new_id(hexonly=True),
        "name": name,
        "description": body.get("description"),
        "user_id": who.user_id,
        "project_id": who.project_id,
        "expires_at": body.get("expires_at"),
        "unrestricted": bool(body.get("unrestricted", False)),
        "roles": [{"id": roles.get(r, r), "name": r, "domain_id": None} for r in who.roles],
        "access_rules": [],
        "_secret": hashlib.sha256(str(secret).encode("utf-8")).hexdigest(),
        "_expires": None,
    }
    req.cloud.save("application_credentials", doc)
    item = _credential_view(req, doc)
    item["secret"] = secret
    return Reply(201, {"application_credential": item})


def list_credentials(req: Req) -> Reply:
    """``GET /v3/users/{user_id}/application_credentials``."""
    who = _own(req)
    docs = [
        _credential_view(req, c)
        for c in req.cloud.store.all("application_credentials")
        if c["user_id"] == who.user_id
    ]
    name = req.q("name")
    if name is not None:
        docs = [d for d in docs if d["name"] == name]
    return Reply(200, {"application_credentials": docs, "links": {"next": None}})


def _credential(req: Req) -> Doc:
    who = _own(req)
    found = req.cloud.store.get("application_credentials", req.args[1])
    if found is None or found["user_id"] != who.user_id:
        raise keystone(404, f"Could not find application credential: {req.args[1]}.")
    return found


def get_credential(req: Req) -> Reply:
    """``GET /v3/users/{user_id}/application_credentials/{id}``."""
    return Reply(200, {"application_credential": _credential_view(req, _credential(req))})


def delete_credential(req: Req) -> Reply:
    """``DELETE /v3/users/{user_id}/application_credentials/{id}``."""
    req.cloud.remove("application_credentials", _credential(req)["id"])
    return Reply(204)


ROUTES = [
    ("GET", "auth/catalog", auth_catalog),
    ("GET", "auth/projects", auth_projects),
    ("GET", "projects", _lister("projects")),
    ("GET", "projects/*", _getter("projects", "project")),
    ("GET", "users", _lister("users")),
    ("GET", "users/*", _getter("users", "user")),
    ("GET", "domains", _lister("domains")),
    ("GET", "domains/*", _getter("domains", "domain")),
    ("GET", "roles", _lister("roles")),
    ("POST", "users/*/application_credentials", create_credential),
    ("GET", "users/*/application_credentials", list_credentials),
    ("GET", "users/*/application_credentials/*", get_credential),
    ("DELETE", "users/*/application_credentials/*", delete_credential),
]
"""Under ``/identity/v3/``."""
