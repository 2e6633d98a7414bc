"""Keystone v3 tokens: issue (password, token, application credential), validate, check,
revoke."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from ._catalog import catalog_v3
from ._errors import keystone
from ._keystone import (
    bad,
    caller,
    expires_text,
    fail,
    find_project,
    find_user,
    has_roles,
    obj,
)
from ._request import Reply, Req
from ._state import DOMAIN_ID, Principal
from ._store import Doc

__all__ = ["ROUTES"]


def _app_credential(req: Req, ref: dict[str, Any]) -> Doc:
    secret = ref.get("secret")
    if not isinstance(secret, str):
        raise fail()
    if "id" in ref:
        found = req.cloud.store.get("application_credentials", str(ref["id"]))
    else:
        user = find_user(req, obj(ref.get("user"), "user"))
        found = next(
            (
                c
                for c in req.cloud.store.all("application_credentials")
                if c["name"] == ref.get("name") and c["user_id"] == user["id"]
            ),
            None,
        )
    if found is None:
        raise fail()
    given = hashlib.sha256(secret.encode("utf-8")).hexdigest()
    if not hmac.compare_digest(given, found["_secret"]):
        raise fail()
    expires = found.get("_expires")
    if expires is not None and expires <= req.cloud.now():
        raise fail()
    return found


def _token_body(req: Req, principal: Principal, *, catalog: bool) -> dict[str, Any]:
    store = req.cloud.store
    user = store.get("users", principal.user_id) or {"id": principal.user_id, "name": ""}
    domain = store.get("domains", user.get("domain_id", DOMAIN_ID)) or {}
    domain_ref = {"id": domain.get("id", DOMAIN_ID), "name": domain.get("name", "Default")}
    roles = {r["name"]: r["id"] for r in store.all("roles")}
    token: dict[str, Any] = {
        "methods": list(principal.methods),
        "user": {
            "domain": domain_ref,
            "id": user["id"],
            "name": user["name"],
            "password_expires_at": None,
        },
        "audit_ids": [principal.audit_id],
        "expires_at": expires_text(principal.expires),
        "issued_at": expires_text(principal.issued),
    }
    if principal.project_id is not None:
        project = store.get("projects", principal.project_id) or {"name": ""}
        pdomain = store.get("domains", project.get("domain_id", DOMAIN_ID)) or domain
        token["project"] = {
            "domain": {"id": pdomain.get("id", DOMAIN_ID), "name": pdomain.get("name")},
            "id": principal.project_id,
            "name": project["name"],
        }
        token["is_domain"] = False
        token["roles"] = [{"id": roles.get(name, name), "name": name} for name in principal.roles]
        if catalog:
            token["catalog"] = catalog_v3(req.origin, principal.project_id)
    if principal.app_credential is not None:
        credential = store.get("application_credentials", principal.app_credential) or {}
        token["application_credential"] = {
            "id": principal.app_credential,
            "name": credential.get("name"),
            "restricted": not credential.get("unrestricted", False),
        }
    return {"token": token}


def _scope(req: Req, auth: dict[str, Any], user_id: str) -> str | None:
    scope = auth.get("scope")
    if scope is None or scope == "unscoped":
        user = req.cloud.store.get("users", user_id) or {}
        default = user.get("default_project_id")
        return default if default and has_roles(req, user_id, default) else None
    scope = obj(scope, "scope")
    if "project" in scope:
        project = find_project(req, scope["project"])
        if not has_roles(req, user_id, project["id"]):
            raise fail()
        return str(project["id"])
    if "domain" in scope or "system" in scope:
        return None
    raise bad("Invalid input for field 'scope'.")


def issue(req: Req) -> Reply:
    """``POST /v3/auth/tokens``: 201 with the token in ``X-Subject-Token``."""
    auth = obj((req.body or {}).get("auth") if isinstance(req.body, dict) else None, "auth")
    identity = obj(auth.get("identity"), "identity")
    methods = identity.get("methods")
    if not isinstance(methods, list) or not methods:
        raise bad("Invalid input for field 'identity/methods'.")
    cloud = req.cloud
    ttl = req.config.token_ttl
    if methods[0] == "password":
        user_ref = obj(obj(identity.get("password"), "password").get("user"), "user")
        user = find_user(req, user_ref)
        password = user_ref.get("password")
        if not isinstance(password, str) or not cloud.check_password(user, password):
            raise fail()
        token, principal = cloud.issue_token(
            user["id"], _scope(req, auth, user["id"]), ["password"], ttl
        )
    elif methods[0] == "token":
        ref = obj(identity.get("token"), "token")
        previous = cloud.principal(str(ref.get("id", "")))
        if previous is None:
            raise fail()
        token, principal = cloud.issue_token(
            previous.user_id,
            _scope(req, auth, previous.user_id),
            sorted({*previous.methods, "token"}),
            ttl,
            expires=previous.expires,
            audit_id=previous.audit_id,
        )
    elif methods[0] == "application_credential":
        credential = _app_credential(
            req, obj(identity.get("application_credential"), "application_credential")
        )
        if auth.get("scope") not in (None, "unscoped"):
            raise fail()
        token, principal = cloud.issue_token(
            credential["user_id"],
            credential["project_id"],
            ["application_credential"],
            ttl,
            app_credential=credential["id"],
            expires=credential.get("_expires"),
        )
    else:
        raise fail()
    body = _token_body(req, principal, catalog="nocatalog" not in req.query)
    return Reply(201, body, {"X-Subject-Token": token})


def _subject(req: Req) -> tuple[str, Principal]:
    caller(req)
    token = req.headers.get("x-subject-token", "")
    found = req.cloud.principal(token)
    if found is None:
        raise keystone(404, "Could not find token.")
    return token, found


def validate(req: Req) -> Reply:
    """``GET /v3/auth/tokens``: the subject token's body."""
    token, principal = _subject(req)
    body = _token_body(req, principal, catalog="nocatalog" not in req.query)
    return Reply(200, body, {"X-Subject-Token": token})


def check(req: Req) -> Reply:
    """``HEAD /v3/auth/tokens``."""
    token, _ = _subject(req)
    return Reply(200, None, {"X-Subject-Token": token})


def revoke(req: Req) -> Reply:
    """``DELETE /v3/auth/tokens``."""
    token, _ = _subject(req)
    req.cloud.revoke(token)
    return Reply(204)


ROUTES = [
    ("POST", "auth/tokens", issue),
    ("GET", "auth/tokens", validate),
    ("HEAD", "auth/tokens", check),
    ("DELETE", "auth/tokens", revoke),
]
"""Under ``/identity/v3/``."""
