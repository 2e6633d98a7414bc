# ruff: noqa: RUF009  (wire()/context() return dataclasses.field objects, like field())
"""Neutron's resources as models: networks, subnets, ports, security groups with their rules,
and floating IPs. Each field is declared once with :func:`omnicloud._wire.wire` (Libcloud's
attribute names where Libcloud had a class: ``OpenStackNetwork``, ``OpenStack_2_SubNet``,
``OpenStack_2_PortInterface``, ``OpenStackSecurityGroup``, ``OpenStack_1_1_FloatingIpAddress``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from omnicloud._wire import context, mapper, wire

__all__ = [
    "OpenStackFloatingIp",
    "OpenStackNetwork",
    "OpenStackPort",
    "OpenStackSecurityGroup",
    "OpenStackSecurityGroupRule",
    "OpenStackSubnet",
]


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _whole(doc: Mapping[str, Any]) -> dict[str, Any]:
    return dict(doc)


@dataclass(slots=True)
class OpenStackNetwork:
    """A Neutron network (``router:external`` networks are floating IP pools)."""

    id: str = wire("id", str, default="")
    name: str = wire("name", str, default="")
    cidr: str | None = context(default=None)
    status: str | None = wire("status", str)
    shared: bool = wire("shared", bool, default=False)
    external: bool = wire("router:external", bool, default=False)
    subnets: list[str] = wire("subnets", _strings, factory=list)
    project_id: str | None = wire("project_id", str)
    extra: dict[str, Any] = wire("*", _whole, factory=dict, repr=False)
    driver: Any = context()


@dataclass(slots=True)
class OpenStackSubnet:
    """A Neutron subnet."""

    id: str = wire("id", str, default="")
    name: str = wire("name", str, default="")
    cidr: str = wire("cidr", str, default="")
    network_id: str = wire("network_id", str, default="")
    ip_version: int = wire("ip_version", int, default=4)
    gateway_ip: str | None = wire("gateway_ip", str)
    enable_dhcp: bool = wire("enable_dhcp", bool, default=True)
    dns_nameservers: list[str] = wire("dns_nameservers", _strings, factory=list)
    extra: dict[str, Any] = wire("*", _whole, factory=dict, repr=False)
    driver: Any = context()


def _fixed_ips(value: Any) -> list[dict[str, str]]:
    return [
        {"ip_address": str(i.get("ip_address")), "subnet_id": str(i.get("subnet_id"))}
        for i in value or []
        if isinstance(i, Mapping)
    ]


@dataclass(slots=True)
class OpenStackPort:
    """A Neutron port (a server's network interface when ``device_id`` names it)."""

    id: str = wire("id", str, default="")
    name: str = wire("name", str, default="")
    network_id: str = wire("network_id", str, default="")
    status: str | None = wire("status", str)
    mac_address: str | None = wire("mac_address", str)
    fixed_ips: list[dict[str, str]] = wire("fixed_ips", _fixed_ips, factory=list)
    device_id: str = wire("device_id", str, default="")
    device_owner: str = wire("device_owner", str, default="")
    security_groups: list[str] = wire("security_groups", _strings, factory=list)
    extra: dict[str, Any] = wire("*", _whole, factory=dict, repr=False)
    driver: Any = context()


@dataclass(slots=True)
class OpenStackSecurityGroupRule:
    """One rule: direction, protocol (None: any), port range, remote prefix or group."""

    id: str = wire("id", str, default="")
    parent_group_id: str = wire("security_group_id", str, default="")
    direction: str = wire("direction", str, default="ingress")
    ethertype: str = wire("ethertype", str, default="IPv4")
    ip_protocol: str | None = wire("protocol", str)
    from_port: int | None = wire("port_range_min", int)
    to_port: int | None = wire("port_range_max", int)
    ip_range: str | None = wire("remote_ip_prefix", str)
    remote_group_id: str | None = wire("remote_group_id", str)
    description: str | None = wire("description", str)
    driver: Any = context()


def _rules(value: Any) -> list[OpenStackSecurityGroupRule]:
    build = mapper(OpenStackSecurityGroupRule)
    return [build(r) for r in value or [] if isinstance(r, Mapping)]


@dataclass(slots=True)
class OpenStackSecurityGroup:
    """A Neutron security group with its rules."""

    id: str = wire("id", str, default="")
    name: str = wire("name", str, default="")
    description: str = wire("description", str, default="")
    tenant_id: str | None = wire("project_id", str)
    rules: list[OpenStackSecurityGroupRule] = wire("security_group_rules", _rules, factory=list)
    extra: dict[str, Any] = wire("*", _whole, factory=dict, repr=False)
    driver: Any = context()


def _device(value: Any) -> str | None:
    found = value.get("device_id") if isinstance(value, Mapping) else None
    return str(found) if found else None


@dataclass(slots=True)
class OpenStackFloatingIp:
    """A Neutron floating IP; ``node_id`` is the server its port belongs to (if any)."""

    id: str = wire("id", str, default="")
    ip_address: str = wire("floating_ip_address", str, default="")
    floating_network_id: str = wire("floating_network_id", str, default="")
    port_id: str | None = wire("port_id", str)
    fixed_ip_address: str | None = wire("fixed_ip_address", str)
    status: str | None = wire("status", str)
    node_id: str | None = wire("port_details", _device)
    extra: dict[str, Any] = wire("*", _whole, factory=dict, repr=False)
    driver: Any = context()

    @property
    def pool(self) -> str:
        """The id of the external network it comes from."""
        return self.floating_network_id
