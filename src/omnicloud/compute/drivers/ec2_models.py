# ruff: noqa: RUF009  (wire()/context() return dataclasses.field objects, like field())
"""EC2's own models: security groups with their rules, and elastic IP addresses.

Libcloud's ``EC2SecurityGroup`` and ``ElasticIP`` carry the same attribute names; the rules,
which Libcloud gave as dicts, are a class here (``rule["from_port"]`` still works). Each field
is declared once with :func:`omnicloud._wire.wire`, read from EC2's XML answer as plain values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from omnicloud._wire import context, mapper, wire

from .ec2_convert import tags_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["EC2SecurityGroup", "EC2SecurityGroupRule", "ElasticIP", "entries"]


def entries(value: Any) -> list[Mapping[str, Any]]:
    """The dict entries of an EC2 list element (an empty element reads as ``""``)."""
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return str(value) if value else None


def _port(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _cidrs(value: Any) -> list[str]:
    return [str(r["cidrIp"]) for r in entries(value) if r.get("cidrIp")]


def _cidrs_v6(value: Any) -> list[str]:
    return [str(r["cidrIpv6"]) for r in entries(value) if r.get("cidrIpv6")]


def _pairs(value: Any) -> list[dict[str, str | None]]:
    return [
        {"user_id": g.get("userId"), "group_id": g.get("groupId"), "group_name": g.get("groupName")}
        for g in entries(value)
    ]


def _description(doc: Mapping[str, Any]) -> str | None:
    for ranges in ("ipRanges", "ipv6Ranges", "groups"):
        for entry in entries(doc.get(ranges)):
            if entry.get("description"):
                return str(entry["description"])
    return None


@dataclass(slots=True)
class EC2SecurityGroupRule:
    """One ingress or egress permission: protocol (``tcp``, ``udp``, ``icmp``, ``-1`` for
    all), port range, and who it applies to (CIDR blocks, other groups)."""

    protocol: str = wire("ipProtocol", str, default="")
    from_port: int | None = wire("fromPort", _port)
    to_port: int | None = wire("toPort", _port)
    cidr_ips: list[str] = wire("ipRanges", _cidrs, factory=list)
    ipv6_cidr_ips: list[str] = wire("ipv6Ranges", _cidrs_v6, factory=list)
    group_pairs: list[dict[str, str | None]] = wire("groups", _pairs, factory=list)
    description: str | None = wire("*", _description, reads=("ipRanges", "ipv6Ranges", "groups"))

    def __getitem__(self, key: str) -> Any:
        """Libcloud compatibility: ``rule["from_port"]``."""
        return getattr(self, key)

    def __str__(self) -> str:
        """``tcp 22 from 0.0.0.0/0``: how tables show a rule."""
        protocol = "all" if self.protocol == "-1" else self.protocol
        ports = ""
        if self.from_port is not None and self.protocol in {"tcp", "udp", "6", "17"}:
            same = self.to_port in (None, self.from_port)
            ports = f" {self.from_port}" if same else f" {self.from_port}-{self.to_port}"
        sources = [*self.cidr_ips, *self.ipv6_cidr_ips]
        sources += [str(p.get("group_id") or p.get("group_name")) for p in self.group_pairs]
        return f"{protocol}{ports} {' '.join(sources) or '-'}".strip()


def _rules(value: Any) -> list[EC2SecurityGroupRule]:
    build = mapper(EC2SecurityGroupRule)
    return [build(entry) for entry in entries(value)]


def _group_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "owner_id": doc.get("ownerId"),
        "description": doc.get("groupDescription"),
        "vpc_id": doc.get("vpcId") or None,
        "tags": tags_of(doc),
    }


@dataclass(slots=True)
class EC2SecurityGroup:
    """A security group with its rules (Libcloud's ``EC2SecurityGroup``).

    ``group["group_id"]`` (what Libcloud's ``ex_create_security_group`` returned) is ``id``.
    """

    id: str = wire("groupId", str, default="")
    name: str = wire("groupName", str, default="")
    description: str = wire("groupDescription", str, default="")
    vpc_id: str | None = wire("vpcId", _text)
    ingress_rules: list[EC2SecurityGroupRule] = wire("ipPermissions", _rules, factory=list)
    egress_rules: list[EC2SecurityGroupRule] = wire("ipPermissionsEgress", _rules, factory=list)
    extra: dict[str, Any] = wire("*", _group_extra, factory=dict, repr=False)
    driver: Any = context()

    def __getitem__(self, key: str) -> Any:
        """Libcloud compatibility: ``group["group_id"]``, ``group["name"]``."""
        return getattr(self, {"group_id": "id", "group_name": "name"}.get(key, key))


def _address_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "allocation_id": doc.get("allocationId"),
        "association_id": doc.get("associationId"),
        "network_interface_id": doc.get("networkInterfaceId"),
        "network_interface_owner_id": doc.get("networkInterfaceOwnerId"),
        "private_ip_address": doc.get("privateIpAddress"),
        "network_border_group": doc.get("networkBorderGroup"),
        "public_ipv4_pool": doc.get("publicIpv4Pool"),
        "tags": tags_of(doc),
    }


@dataclass(slots=True)
class ElasticIP:
    """An elastic IP address (Libcloud's ``ElasticIP``): ``domain`` is ``vpc`` (or EC2-Classic's
    ``standard``); VPC ids (``allocation_id``, ``association_id``) are in ``extra``."""

    ip: str = wire("publicIp", str, default="")
    domain: str = wire("domain", str, default="vpc")
    instance_id: str | None = wire("instanceId", _text)
    extra: dict[str, Any] = wire("*", _address_extra, factory=dict, repr=False)
    driver: Any = context()

    @property
    def id(self) -> str:
        """The allocation id where there is one, else the address."""
        return str(self.extra.get("allocation_id") or self.ip)
