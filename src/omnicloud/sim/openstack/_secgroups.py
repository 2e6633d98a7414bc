"""Neutron security groups and rules (each project gets its ``default`` group on first use)."""

from __future__ import annotations

import ipaddress
from typing import Any

from ._errors import neutron
from ._netmodel import default_security_group, rule_doc, security_group_doc
from ._neutron import apply, bad, body_of, check_quota, list_reply, load, touch
from ._request import Reply, Req
from ._state import public
from ._store import Doc

__all__ = ["ROUTES"]

_PROTOCOLS = {
    "tcp": 6,
    "udp": 17,
    "icmp": 1,
    "icmpv6": 58,
    "ipv6-icmp": 58,
    "sctp": 132,
    "gre": 47,
    "esp": 50,
    "ah": 51,
    "any": None,
}


def _missing(ident: str) -> str:
    return f"Security group {ident} does not exist"


def _rules_of(req: Req, group_id: str) -> list[dict[str, Any]]:
    return [
        public(r)
        for r in req.cloud.all("security_group_rules")
        if r["security_group_id"] == group_id
    ]


def _view(req: Req, doc: Doc) -> dict[str, Any]:
    view = public(doc)
    view["security_group_rules"] = _rules_of(req, doc["id"])
    return view


def list_groups(req: Req) -> Reply:
    """``GET /v2.0/security-groups``."""
    default_security_group(req.cloud, req.project)
    return list_reply(req, "security_groups", "security_groups", _view)


def get_group(req: Req) -> Reply:
    """``GET /v2.0/security-groups/{id}``."""
    doc = load(req, "security_groups", "SecurityGroupNotFound", _missing)
    return Reply(200, {"security_group": _view(req, doc)})


def create_group(req: Req) -> Reply:
    """``POST /v2.0/security-groups``: 201 with the two default egress rules."""
    body = body_of(req, "security_group")
    name = body.get("name", "")
    if not isinstance(name, str):
        raise bad("Invalid input for name.")
    if name == "default":
        raise neutron(
            409, "SecurityGroupDefaultAlreadyExists", "Default security group already exists."
        )
    default_security_group(req.cloud, req.project)
    check_quota(req, "security_group")
    check_quota(req, "security_group_rule", 2)
    doc = security_group_doc(req.cloud, req.project, name, str(body.get("description", "")))
    if "stateful" in body:
        doc["stateful"] = bool(body["stateful"])
        req.cloud.save("security_groups", doc)
    return Reply(201, {"security_group": _view(req, doc)})


def update_group(req: Req) -> Reply:
    """``PUT /v2.0/security-groups/{id}``."""
    doc = load(req, "security_groups", "SecurityGroupNotFound", _missing)
    changes = body_of(req, "security_group")
    if doc["name"] == "default" and changes.get("name", "default") != "default":
        raise neutron(
            409, "SecurityGroupCannotUpdateDefault", "Updating default security group not allowed."
        )
    apply(doc, changes, ("name", "description", "stateful"))
    touch(req, doc)
    req.cloud.save("security_groups", doc)
    return Reply(200, {"security_group": _view(req, doc)})


def delete_group(req: Req) -> Reply:
    """``DELETE /v2.0/security-groups/{id}``: 409 for ``default`` or a group in use."""
    doc = load(req, "security_groups", "SecurityGroupNotFound", _missing)
    if doc["name"] == "default" and not req.who.is_admin:
        raise neutron(
            409,
            "SecurityGroupCannotRemoveDefault",
            "Insufficient rights for removing default security group.",
        )
    if any(doc["id"] in p["security_groups"] for p in req.cloud.all("ports")):
        raise neutron(409, "SecurityGroupInUse", f"Security Group {doc['id']} in use.")
    for rule in req.cloud.all("security_group_rules"):
        if rule["security_group_id"] == doc["id"]:
            req.cloud.remove("security_group_rules", rule["id"])
    req.cloud.remove("security_groups", doc["id"])
    return Reply(204)


# rules ----------------------------------------------------------------------------------------


def list_rules(req: Req) -> Reply:
    """``GET /v2.0/security-group-rules``."""
    default_security_group(req.cloud, req.project)
    return list_reply(req, "security_group_rules", "security_group_rules")


def get_rule(req: Req) -> Reply:
    """``GET /v2.0/security-group-rules/{id}``."""
    doc = load(
        req,
        "security_group_rules",
        "SecurityGroupRuleNotFound",
        lambda i: f"Security group rule {i} does not exist",
    )
    return Reply(200, {"security_group_rule": public(doc)})


def _port(value: Any, name: str) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise bad(f"Invalid value for port {value}") from None
    if not 0 <= number <= 65535:
        raise bad(f"Invalid value for port {value}")
    return number


def _protocol(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).lower()
    if text in _PROTOCOLS or (text.isdigit() and 0 <= int(text) <= 255):
        return None if text == "any" else text
    raise neutron(
        400,
        "SecurityGroupRuleInvalidProtocol",
        f"Security group rule protocol {value} not supported. Only protocol values "
        f"{sorted(_PROTOCOLS)} and integer representations [0 to 255] are supported.",
    )


def create_rule(req: Req) -> Reply:
    """``POST /v2.0/security-group-rules``."""
    body = body_of(req, "security_group_rule")
    group_id = str(body.get("security_group_id", ""))
    group = req.cloud.find("security_groups", group_id)
    if group is None or (group["project_id"] != req.project and not req.who.is_admin):
        raise neutron(404, "SecurityGroupNotFound", _missing(group_id))
    direction = body.get("direction")
    if direction not in ("ingress", "egress"):
        raise bad(
            f"Invalid input for direction. Reason: {direction} is not in ['ingress', 'egress']."
        )
    ethertype = body.get("ethertype", "IPv4")
    if ethertype not in ("IPv4", "IPv6"):
        raise bad(f"Invalid input for ethertype. Reason: {ethertype} is not in ['IPv4', 'IPv6'].")
    protocol = _protocol(body.get("protocol"))
    low = _port(body.get("port_range_min"), "port_range_min")
    high = _port(body.get("port_range_max"), "port_range_max")
    if (
        protocol in ("tcp", "udp", "6", "17")
        and low is not None
        and high is not None
        and low > high
    ):
        raise neutron(
            400,
            "SecurityGroupInvalidPortRange",
            "For TCP/UDP protocols, port_range_min must be <= port_range_max",
        )
    if (low is not None or high is not None) and protocol is None:
        raise neutron(
            400,
            "SecurityGroupProtocolRequiredWithPorts",
            "Must also specify protocol if port range is given.",
        )
    prefix = body.get("remote_ip_prefix")
    remote_group = body.get("remote_group_id")
    if prefix is not None and remote_group is not None:
        raise neutron(
            400,
            "SecurityGroupRemoteGroupAndRemoteIpPrefix",
            "Only remote_ip_prefix or remote_group_id may be provided.",
        )
    if prefix is not None:
        try:
            network = ipaddress.ip_network(str(prefix), strict=False)
        except ValueError:
            raise bad(
                f"Invalid input for remote_ip_prefix. Reason: '{prefix}' is not a valid IP subnet."
            ) from None
        if (network.version == 4) != (ethertype == "IPv4"):
            raise neutron(
                400,
                "SecurityGroupRuleParameterConflict",
                f"Conflicting value ethertype {ethertype} for CIDR {prefix}",
            )
        prefix = str(network)
    if remote_group is not None and req.cloud.find("security_groups", str(remote_group)) is None:
        raise neutron(404, "SecurityGroupNotFound", _missing(str(remote_group)))
    check_quota(req, "security_group_rule")
    doc = rule_doc(
        req.cloud,
        group["project_id"],
        group["id"],
        direction=direction,
        ethertype=ethertype,
        protocol=protocol,
        port_range_min=low,
        port_range_max=high if high is not None else low if protocol in ("tcp", "udp") else high,
        remote_ip_prefix=prefix,
        remote_group_id=remote_group,
        description=str(body.get("description", "")),
    )
    same = (
        "direction",
        "ethertype",
        "protocol",
        "port_range_min",
        "port_range_max",
        "remote_ip_prefix",
        "remote_group_id",
    )
    for rule in req.cloud.all("security_group_rules"):
        if rule["security_group_id"] == group["id"] and all(rule[k] == doc[k] for k in same):
            raise neutron(
                409,
                "SecurityGroupRuleExists",
                f"Security group rule already exists. Rule id is {rule['id']}.",
            )
    req.cloud.save("security_group_rules", doc)
    touch(req, group)
    req.cloud.save("security_groups", group)
    return Reply(201, {"security_group_rule": public(doc)})


def delete_rule(req: Req) -> Reply:
    """``DELETE /v2.0/security-group-rules/{id}``."""
    doc = load(
        req,
        "security_group_rules",
        "SecurityGroupRuleNotFound",
        lambda i: f"Security group rule {i} does not exist",
    )
    req.cloud.remove("security_group_rules", doc["id"])
    return Reply(204)


ROUTES = [
    ("GET", "security-groups", list_groups),
    ("POST", "security-groups", create_group),
    ("GET", "security-groups/*", get_group),
    ("PUT", "security-groups/*", update_group),
    ("DELETE", "security-groups/*", delete_group),
    ("GET", "security-group-rules", list_rules),
    ("POST", "security-group-rules", create_rule),
    ("GET", "security-group-rules/*", get_rule),
    ("DELETE", "security-group-rules/*", delete_rule),
]
