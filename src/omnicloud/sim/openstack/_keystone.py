"""What Keystone's handlers share: its one 401, input checks, user/project/domain lookup.

Every failed authentication is Keystone's one 401 ("The request you have made requires
authentication."), whatever was wrong, so a caller learns nothing about which part failed.
"""

from __future__ import annotations

from typing import Any

from ._errors import ApiError, keystone
from ._request import Req
from ._state import Principal, iso
from ._store import Doc

__all__ = [
    "bad",
    "caller",
    "expires_text",
    "fail",
    "find_domain",
    "find_project",
    "find_user",
    "has_roles",
    "obj",
]

_AUTH_FAILED = "The request you have made requires authentication."


def fail() -> ApiError:
    """Keystone's one 401 for any failed authentication."""
    return keystone(401, _AUTH_FAILED)


def bad(message: str) -> ApiError:
    """Keystone's 400."""
    return keystone(400, message)


def obj(value: Any, name: str) -> dict[str, Any]:
    """``value`` when it is a JSON object, else a 400 naming the field (never the value: it may
    be a secret)."""
    if not isinstance(value, dict):
        raise bad(f"Invalid input for field '{name}': it is not of type 'object'.")
    return value


def expires_text(moment: float) -> str:
    """``2026-01-02T03:04:05.000000Z``, as Keystone writes times."""
    return iso(moment, micro=True) + "Z"


def find_domain(req: Req, ref: Any) -> Doc:
    """A domain by ``id`` or ``name``, else the 401."""
    ref = obj(ref, "domain")
    for domain in req.cloud.store.all("domains"):
        if ("id" in ref and domain["id"] == ref["id"]) or (
            "id" not in ref and domain["name"] == ref.get("name")
        ):
            return domain
    raise fail()


def find_user(req: Req, ref: dict[str, Any]) -> Doc:
    """An enabled user by ``id``, or by ``name`` in a ``domain``, else the 401."""
    if "id" in ref:
        found = req.cloud.store.get("users", str(ref["id"]))
    else:
        if "name" not in ref or "domain" not in ref:
            raise bad(
                "Expecting to find domain in user. The server could not comply with the "
                "request since it is either malformed or otherwise incorrect."
            )
        domain = find_domain(req, ref["domain"])
        found = next(
            (
                u
                for u in req.cloud.store.all("users")
                if u["name"] == ref["name"] and u["domain_id"] == domain["id"]
            ),
            None,
        )
    if found is None or not found.get("enabled", True):
        raise fail()
    return found


def find_project(req: Req, ref: Any) -> Doc:
    """A project by ``id``, or by ``name`` in a ``domain``, else the 401."""
    ref = obj(ref, "project")
    if "id" in ref:
        found = req.cloud.store.get("projects", str(ref["id"]))
    else:
        domain = find_domain(req, ref.get("domain"))
        found = next(
            (
                p
                for p in req.cloud.store.all("projects")
                if p["name"] == ref.get("name") and p["domain_id"] == domain["id"]
            ),
            None,
        )
    if found is None:
        raise fail()
    return found


def has_roles(req: Req, user_id: str, project_id: str) -> bool:
    """Whether the user has a role on the project."""
    return bool(req.cloud.store.setting(f"roles:{user_id}:{project_id}"))


def caller(req: Req) -> Principal:
    """The token's principal, else the 401."""
    if req.principal is None:
        raise fail()
    return req.principal
