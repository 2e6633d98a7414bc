"""Key pairs, (decommissioned) firewall policies, capabilities and locations."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from ._catalog import capabilities, locations
from ._errors import SimError, invalid
from ._listing import filtered, list_reply
from ._request import Reply, Req
from ._state import public, ref

__all__ = ["ROUTES"]


def _fingerprint(public_key: str) -> str:
    parts = public_key.split()
    try:
        blob = base64.b64decode(parts[1] if len(parts) > 1 else parts[0], validate=True)
    except (ValueError, IndexError):
        raise invalid("Not a valid OpenSSH public key", "public_key") from None
    digest = hashlib.md5(blob).hexdigest()  # SSH's MD5 fingerprint format
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def _generate(algorithm: str) -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    key: Any = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if algorithm == "rsa"
        else ed25519.Ed25519PrivateKey.generate()
    )
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    public_key = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    return public_key, private


def _create_keypairs(req: Req) -> Reply:
    created = []
    for fields in req.objects():
        if not fields.get("name"):
            raise invalid("This field is required.", "name")
        public_key = str(fields.get("public_key") or "").strip()
        private_key = fields.get("private_key")
        if not public_key:
            algorithm = str(fields.get("algorithm_type") or "rsa")
            if algorithm not in ("rsa", "ed25519"):
                raise invalid("algorithm_type must be rsa or ed25519", "algorithm_type")
            public_key, private_key = _generate(algorithm)
        doc = req.state.base("keypairs")
        doc.update(
            name=fields["name"],
            public_key=public_key,
            private_key=private_key,
            fingerprint=_fingerprint(public_key),
        )
        req.state.save("keypairs", doc)
        created.append(public(doc))
    return Reply(201, {"objects": created})


def _fw_gate(req: Req) -> None:
    if not req.config.firewall_policies:
        raise SimError(
            404, "notexist", "The requested resource fwpolicies does not exist (decommissioned)"
        )


def _fw(handler: Any) -> Any:
    def gated(req: Req) -> Reply:
        _fw_gate(req)
        result: Reply = handler(req)
        return result

    return gated


_RULE_KEYS = (
    "action",
    "direction",
    "ip_proto",
    "src_ip",
    "src_port",
    "dst_ip",
    "dst_port",
    "comment",
)


def _rules(items: Any) -> list[dict[str, Any]]:
    rules = []
    for item in items or []:
        if item.get("action") not in ("drop", "accept"):
            raise invalid("action must be drop or accept", "rules.action")
        if item.get("direction") not in ("in", "out", "both"):
            raise invalid("direction must be in, out or both", "rules.direction")
        rules.append({key: item.get(key) for key in _RULE_KEYS})
    return rules


def _create_policies(req: Req) -> Reply:
    created = []
    for fields in req.objects():
        if not fields.get("name"):
            raise invalid("This field is required.", "name")
        doc = req.state.base("fwpolicies")
        doc.update(name=fields["name"], rules=_rules(fields.get("rules")), servers=[])
        req.state.save("fwpolicies", doc)
        created.append(public(doc))
    return Reply(201, {"objects": created})


def _policy_view(req: Req, doc: dict[str, Any]) -> dict[str, Any]:
    users = [
        ref("servers", s["uuid"])
        for s in req.state.all("servers")
        if any((n.get("firewall_policy") or {}).get("uuid") == doc["uuid"] for n in s["nics"])
    ]
    return {**public(doc), "servers": users}


def _delete(kind: str) -> Any:
    def handler(req: Req) -> Reply:
        doc = req.state.load(kind, req.args[0])
        req.state.store.delete(kind, doc["uuid"])
        return Reply(204)

    return handler


ROUTES = [
    (
        "GET",
        "keypairs",
        lambda r: list_reply(r, filtered(r.state.all("keypairs"), r, ("name", "uuid"))),
    ),
    ("GET", "keypairs/detail", lambda r: list_reply(r, r.state.all("keypairs"))),
    ("POST", "keypairs", _create_keypairs),
    ("GET", "keypairs/*", lambda r: Reply(200, public(r.state.load("keypairs", r.args[0])))),
    ("DELETE", "keypairs/*", _delete("keypairs")),
    (
        "GET",
        "fwpolicies",
        _fw(lambda r: list_reply(r, r.state.all("fwpolicies"), lambda d: _policy_view(r, d))),
    ),
    (
        "GET",
        "fwpolicies/detail",
        _fw(lambda r: list_reply(r, r.state.all("fwpolicies"), lambda d: _policy_view(r, d))),
    ),
    ("POST", "fwpolicies", _fw(_create_policies)),
    (
        "GET",
        "fwpolicies/*",
        _fw(lambda r: Reply(200, _policy_view(r, r.state.load("fwpolicies", r.args[0])))),
    ),
    ("DELETE", "fwpolicies/*", _fw(_delete("fwpolicies"))),
    ("GET", "capabilities", lambda r: Reply(200, capabilities(r.config.capabilities))),
    (
        "GET",
        "locations",
        lambda r: list_reply(r, [*locations(), *map(dict, r.config.extra_locations)], lambda d: d),
    ),
]
