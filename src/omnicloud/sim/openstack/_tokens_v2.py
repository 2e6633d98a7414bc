"""Keystone v2.0 tokens (``passwordCredentials`` or ``token``, ``tenantName`` or ``tenantId``)
for old clients."""

from __future__ import annotations

from typing import Any

from ._catalog import catalog_v2
from ._keystone import (
    bad,
    expires_text,
    fail,
    find_project,
    has_roles,
    obj,
)
from ._request import Reply, Req
from ._state import DOMAIN_ID, iso

__all__ = ["ROUTES"]


def issue_v2(req: Req) -> Reply:
    """``POST /v2.0/tokens`` (passwordCredentials or token, tenantName or tenantId): 200."""
    auth = obj((req.body or {}).get("auth") if isinstance(req.body, dict) else None, "auth")
    cloud = req.cloud
    if "passwordCredentials" in auth:
        creds = obj(auth["passwordCredentials"], "passwordCredentials")
        user = next(
            (
                u
                for u in cloud.store.all("users")
                if u["name"] == creds.get("username") and u["domain_id"] == DOMAIN_ID
            ),
            None,
        )
        password = creds.get("password")
        if (
            user is None
            or not isinstance(password, str)
            or not cloud.check_password(user, password)
        ):
            raise fail()
        user_id = str(user["id"])
    elif "token" in auth:
        previous = cloud.principal(str(obj(auth["token"], "token").get("id", "")))
        if previous is None:
            raise fail()
        user_id = previous.user_id
    else:
        raise bad("Expecting to find passwordCredentials or token in auth.")
    project_id: str | None = None
    if "tenantId" in auth or "tenantName" in auth:
        ref = (
            {"id": auth["tenantId"]}
            if "tenantId" in auth
            else {"name": auth["tenantName"], "domain": {"id": DOMAIN_ID}}
        )
        project_id = str(find_project(req, ref)["id"])
        if not has_roles(req, user_id, project_id):
            raise fail()
    token, principal = cloud.issue_token(user_id, project_id, ["password"], req.config.token_ttl)
    user_doc = cloud.store.get("users", user_id) or {"name": ""}
    roles = {r["name"]: r["id"] for r in cloud.store.all("roles")}
    access: dict[str, Any] = {
        "token": {
            "id": token,
            "issued_at": expires_text(principal.issued),
            "expires": iso(principal.expires),
            "audit_ids": [principal.audit_id],
        },
        "serviceCatalog": [],
        "user": {
            "id": user_id,
            "name": user_doc["name"],
            "username": user_doc["name"],
            "roles": [{"name": name} for name in principal.roles],
            "roles_links": [],
        },
        "metadata": {
            "is_admin": 0,
            "roles": [roles.get(name, name) for name in principal.roles],
        },
    }
    if project_id is not None:
        project = cloud.store.get("projects", project_id) or {}
        access["token"]["tenant"] = {
            "id": project_id,
            "name": project.get("name"),
            "description": project.get("description"),
            "enabled": True,
        }
        access["serviceCatalog"] = catalog_v2(req.origin, project_id)
    return Reply(200, {"access": access})


ROUTES = [("POST", "tokens", issue_v2)]
"""Under ``/identity/v2.0/``."""
