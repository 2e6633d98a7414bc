"""Firewall rules (global): insert, get, list, patch, delete."""

from __future__ import annotations

import ipaddress
from typing import Any

from ._errors import already_exists, invalid
from ._listing import global_getter, global_lister, load_global
from ._ops import begin_operation
from ._request import NAME_RE, Reply, Req, Route, check_name, ref_path
from ._state import LINK, rfc3339
from ._store import Doc

__all__ = ["ROUTES"]

_PROTOCOLS = frozenset({"tcp", "udp", "icmp", "esp", "ah", "sctp", "ipip", "all"})
_WITH_PORTS = frozenset({"tcp", "udp", "sctp"})


def _rules(value: Any, field: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise invalid(f"Invalid value for field '{field}'.")
    out = []
    for index, rule in enumerate(value):
        where = f"{field}[{index}]"
        if not isinstance(rule, dict):
            raise invalid(f"Invalid value for field '{where}'.")
        protocol = str(rule.get("IPProtocol", "")).lower()
        if protocol not in _PROTOCOLS and not (protocol.isdigit() and int(protocol) < 256):
            raise invalid(f"Invalid value for field '{where}.IPProtocol': '{protocol}'.")
        entry: dict[str, Any] = {"IPProtocol": protocol}
        ports = rule.get("ports") or []
        if ports:
            if protocol not in _WITH_PORTS:
                raise invalid(
                    f"Invalid value for field '{where}.ports': '{ports[0]}'. Ports may only be "
                    "specified for tcp, udp or sctp."
                )
            for port in ports:
                low, _, high = str(port).partition("-")
                valid = low.isdigit() and (not high or high.isdigit())
                if not valid or not 0 <= int(low) <= int(high or low) <= 65535:
                    raise invalid(f"Invalid value for field '{where}.ports': '{port}'.")
            entry["ports"] = [str(port) for port in ports]
        out.append(entry)
    return out


def _ranges(value: Any, field: str) -> list[str]:
    if not isinstance(value, list):
        raise invalid(f"Invalid value for field '{field}'.")
    for index, item in enumerate(value):
        try:
            ipaddress.ip_network(str(item), strict=False)
        except ValueError:
            raise invalid(f"Invalid value for field '{field}[{index}]': '{item}'.") from None
    return [str(item) for item in value]


def _tags(value: Any, field: str) -> list[str]:
    if not isinstance(value, list):
        raise invalid(f"Invalid value for field '{field}'.")
    for index, tag in enumerate(value):
        if not isinstance(tag, str) or NAME_RE.fullmatch(tag) is None:
            raise invalid(f"Invalid value for field '{field}[{index}]': '{tag}'.")
    return list(value)


def _apply(req: Req, doc: Doc, body: dict[str, Any]) -> None:
    """Set the rule's fields from a body (insert, or the fields a patch carries)."""
    if "network" in body:
        parts = ref_path(body["network"], req.state.project, "resource.network")
        network = None
        if len(parts) == 5 and parts[2:4] == ["global", "networks"]:
            network = req.state.store.get("network", "global", parts[4])
        if network is None:
            raise invalid(
                f"Invalid value for field 'resource.network': '{body['network']}'. "
                "The referenced network resource cannot be found."
            )
        doc["network"] = network["selfLink"]
    if "priority" in body:
        priority = body["priority"]
        if not isinstance(priority, int) or not 0 <= priority <= 65535:
            raise invalid(f"Invalid value for field 'resource.priority': '{priority}'.")
        doc["priority"] = priority
    if "direction" in body:
        if body["direction"] not in ("INGRESS", "EGRESS"):
            raise invalid(f"Invalid value for field 'resource.direction': '{body['direction']}'.")
        doc["direction"] = body["direction"]
    for key in ("allowed", "denied"):
        if key in body:
            doc[key] = _rules(body[key], f"resource.{key}")
    for key in ("sourceRanges", "destinationRanges"):
        if key in body:
            doc[key] = _ranges(body[key], f"resource.{key}")
    for key in ("sourceTags", "targetTags"):
        if key in body:
            doc[key] = _tags(body[key], f"resource.{key}")
    if "description" in body and isinstance(body["description"], str):
        doc["description"] = body["description"]
    if "disabled" in body:
        doc["disabled"] = bool(body["disabled"])
    if bool(doc.get("allowed")) == bool(doc.get("denied")):
        raise invalid(
            "Invalid value for field 'resource': ''. Exactly one of 'allowed' or 'denied' "
            "must be specified."
        )
    if doc["direction"] == "INGRESS" and not doc.get("sourceRanges") and not doc.get("sourceTags"):
        doc["sourceRanges"] = ["0.0.0.0/0"]
    if doc["direction"] == "EGRESS" and not doc.get("destinationRanges"):
        doc["destinationRanges"] = ["0.0.0.0/0"]
    for key in ("allowed", "denied", "sourceRanges", "destinationRanges", "sourceTags"):
        if key in doc and not doc[key]:
            doc.pop(key)


def _load(req: Req) -> Doc:
    return load_global(req, "firewall", "firewalls")


def _path(req: Req, name: str) -> str:
    return f"projects/{req.state.project}/global/firewalls/{name}"


def _insert(req: Req) -> Reply:
    req.own_project()
    body = req.json()
    name = check_name(body.get("name"))
    if req.state.store.get("firewall", "global", name) is not None:
        raise already_exists(_path(req, name))
    doc: Doc = {
        "kind": "compute#firewall",
        "id": req.state.new_id(),
        "creationTimestamp": rfc3339(req.now),
        "name": name,
        "network": f"{LINK}projects/{req.state.project}/global/networks/default",
        "priority": 1000,
        "direction": "INGRESS",
        "logConfig": {"enable": False},
        "disabled": False,
        "selfLink": LINK + _path(req, name),
    }
    _apply(req, doc, body)
    req.state.store.put("firewall", "global", doc)
    return begin_operation(req, "global", "insert", _path(req, name), doc["id"])


def _patch(req: Req) -> Reply:
    doc = _load(req)
    body = dict(req.json())
    body.pop("name", None)
    _apply(req, doc, body)
    req.state.store.put("firewall", "global", doc)
    return begin_operation(req, "global", "patch", _path(req, doc["name"]), doc["id"])


def _delete(req: Req) -> Reply:
    doc = _load(req)
    req.state.store.delete("firewall", "global", doc["name"])
    return begin_operation(req, "global", "delete", _path(req, doc["name"]), doc["id"])


ROUTES: list[Route] = [
    ("GET", "projects/*/global/firewalls", global_lister("firewall", "firewalls")),
    ("POST", "projects/*/global/firewalls", _insert),
    ("GET", "projects/*/global/firewalls/*", global_getter("firewall", "firewalls")),
    ("PATCH", "projects/*/global/firewalls/*", _patch),
    ("DELETE", "projects/*/global/firewalls/*", _delete),
]
