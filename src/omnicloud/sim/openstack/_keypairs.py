"""Nova key pairs: create (generated, or an imported public key), list, show, delete."""

from __future__ import annotations

import re
from typing import Any

from ._errors import nova
from ._keys import fingerprint, generate
from ._paging import next_href, page
from ._quota import over
from ._request import Reply, Req
from ._state import iso
from ._store import Doc

__all__ = ["ROUTES"]

_NAME = re.compile(r"^[A-Za-z0-9 _\-.@]{1,255}$")


def _owner(req: Req) -> str:
    user = req.q("user_id")
    if user is not None and req.at_least(2, 10):
        if user != req.who.user_id and not req.who.is_admin:
            raise nova(
                403, "Policy doesn't allow os_compute_api:os-keypairs:index to be performed."
            )
        return user
    return req.who.user_id


def _view(req: Req, doc: Doc, *, full: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": doc["name"],
        "public_key": doc["public_key"],
        "fingerprint": doc["fingerprint"],
    }
    if req.at_least(2, 2):
        view["type"] = doc["type"]
    if full:
        view.update(
            {
                "user_id": doc["user_id"],
                "created_at": doc["created_at"],
                "deleted": False,
                "deleted_at": None,
                "updated_at": None,
                "id": doc["seq"],
            }
        )
    return view


def create_keypair(req: Req) -> Reply:
    """``POST /os-keypairs``: import ``public_key`` or generate one (the private key is in the
    answer, once)."""
    body = req.body.get("keypair") if isinstance(req.body, dict) else None
    if not isinstance(body, dict):
        raise nova(400, "Invalid input for field/attribute keypair.")
    name = body.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise nova(400, "Keypair data is invalid: Keypair name contains unsafe characters")
    kind = body.get("type", "ssh") if req.at_least(2, 2) else "ssh"
    if kind not in ("ssh", "x509"):
        raise nova(400, f"Invalid input for field/attribute type. Value: {kind}.")
    user = req.who.user_id
    if req.at_least(2, 10) and body.get("user_id"):
        user = str(body["user_id"])
    cloud = req.cloud
    ident = f"{user}/{name}"
    if cloud.find("keypairs", ident) is not None:
        raise nova(409, f"Key pair '{name}' already exists.")
    if over(cloud, req.config, req.project, {"key_pairs": 1}):
        raise nova(403, "Quota exceeded, too many key pairs.")
    private = None
    public_key = body.get("public_key")
    if public_key is None:
        private, public_key = generate()
    if not isinstance(public_key, str):
        raise nova(400, "Keypair data is invalid: failed to generate fingerprint")
    printed = fingerprint(public_key)
    if printed is None:
        raise nova(400, "Keypair data is invalid: failed to generate fingerprint")
    seq = int(cloud.store.setting("keypair_seq") or "0") + 1
    cloud.store.set_setting("keypair_seq", str(seq))
    doc = {
        "id": ident,
        "name": name,
        "public_key": public_key.strip(),
        "fingerprint": printed,
        "type": kind,
        "user_id": user,
        "created_at": iso(cloud.now(), micro=True),
        "seq": seq,
        "_project": req.project,
    }
    cloud.save("keypairs", doc)
    view = _view(req, doc, full=False)
    view["user_id"] = user
    if private is not None:
        view["private_key"] = private
    return Reply(201 if req.at_least(2, 2) else 200, {"keypair": view})


def list_keypairs(req: Req) -> Reply:
    """``GET /os-keypairs`` (``limit``/``marker`` by name from 2.35)."""
    user = _owner(req)
    docs = sorted(
        (k for k in req.cloud.all("keypairs") if k["user_id"] == user), key=lambda k: k["name"]
    )
    links: list[dict[str, str]] = []
    if req.at_least(2, 35):
        docs, full = page(
            docs, req, max_limit=req.config.max_limit, bad=lambda m: nova(400, m), key="name"
        )
        if full:
            links = [{"rel": "next", "href": next_href(req, "os-keypairs", docs[-1], key="name")}]
    body: dict[str, Any] = {"keypairs": [{"keypair": _view(req, k, full=False)} for k in docs]}
    if links:
        body["keypairs_links"] = links
    return Reply(200, body)


def _load(req: Req) -> Doc:
    found = req.cloud.find("keypairs", f"{_owner(req)}/{req.args[0]}")
    if found is None:
        raise nova(404, f"Keypair {req.args[0]} not found for user {_owner(req)}")
    return found


def get_keypair(req: Req) -> Reply:
    """``GET /os-keypairs/{name}``."""
    return Reply(200, {"keypair": _view(req, _load(req), full=True)})


def delete_keypair(req: Req) -> Reply:
    """``DELETE /os-keypairs/{name}``: 202 (204 from 2.2)."""
    req.cloud.remove("keypairs", _load(req)["id"])
    return Reply(204 if req.at_least(2, 2) else 202)


ROUTES = [
    ("POST", "os-keypairs", create_keypair),
    ("GET", "os-keypairs", list_keypairs),
    ("GET", "os-keypairs/*", get_keypair),
    ("DELETE", "os-keypairs/*", delete_keypair),
]
