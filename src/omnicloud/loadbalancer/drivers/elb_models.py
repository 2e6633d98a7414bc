# ruff: noqa: RUF009  (wire()/context() return dataclasses.field objects, like field())
"""Classic ELB models (listeners, health checks, policies as slotted dataclasses) and the
declared wire fields of balancers and instance states. Documents are the plain values of
:func:`omnicloud.aws._xml.to_value` (API version 2012-06-01)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from omnicloud._wire import context, from_wire, schema, wire
from omnicloud.aws._xml import as_int, as_list
from omnicloud.loadbalancer._base import LoadBalancer, Member, State

__all__ = [
    "BALANCER",
    "MEMBER",
    "HealthCheck",
    "Listener",
    "Policy",
    "as_list",
    "listener_of",
]


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value] if isinstance(value, list) else []


@dataclass(slots=True)
class Listener:
    """A listener: ``port`` on the balancer forwarding to ``instance_port`` on the members."""

    port: int | None = wire("LoadBalancerPort", as_int)
    protocol: str | None = wire("Protocol")
    instance_port: int | None = wire("InstancePort", as_int)
    instance_protocol: str | None = wire("InstanceProtocol")
    ssl_certificate_id: str | None = wire("SSLCertificateId")
    policy_names: list[str] = wire("PolicyNames", _names, factory=list)

    def params(self) -> dict[str, Any]:
        """The ``Listeners.member.N`` entry of ``CreateLoadBalancer(Listeners)``."""
        return {
            "Protocol": (self.protocol or "").upper(),
            "LoadBalancerPort": self.port,
            "InstancePort": self.instance_port or self.port,
            "InstanceProtocol": self.instance_protocol.upper() if self.instance_protocol else None,
            "SSLCertificateId": self.ssl_certificate_id,
        }


def listener_of(description: Any) -> Listener:
    """A ``ListenerDescriptions`` entry (``Listener`` and its ``PolicyNames``) as a listener."""
    if not isinstance(description, dict):
        return Listener()
    inner = description.get("Listener")
    flat = {
        **(inner if isinstance(inner, dict) else {}),
        "PolicyNames": description.get("PolicyNames"),
    }
    return from_wire(Listener, flat)


@dataclass(slots=True)
class HealthCheck:
    """How the balancer checks its instances (AWS's defaults but the target).

    ``target`` is ``PROTOCOL:PORT[/PATH]``: ``TCP:80``, ``SSL:443``, ``HTTP:8080/health``.
    """

    target: str = wire("Target", str, default="TCP:80")
    interval: int = wire("Interval", int, default=30)
    timeout: int = wire("Timeout", int, default=5)
    unhealthy_threshold: int = wire("UnhealthyThreshold", int, default=2)
    healthy_threshold: int = wire("HealthyThreshold", int, default=10)

    def params(self) -> dict[str, Any]:
        """The ``HealthCheck`` parameter of ``ConfigureHealthCheck``."""
        return {
            "Target": self.target,
            "Interval": self.interval,
            "Timeout": self.timeout,
            "UnhealthyThreshold": self.unhealthy_threshold,
            "HealthyThreshold": self.healthy_threshold,
        }


def _attributes(value: Any) -> dict[str, str]:
    return {
        str(a.get("AttributeName")): str(a.get("AttributeValue") or "")
        for a in as_list(value)
        if a.get("AttributeName")
    }


@dataclass(slots=True)
class Policy:
    """A policy of a balancer (``DescribeLoadBalancerPolicies``)."""

    name: str = wire("PolicyName", str, default="")
    type_name: str | None = wire("PolicyTypeName")
    attributes: dict[str, str] = wire("PolicyAttributeDescriptions", _attributes, factory=dict)


def _first_port(value: Any) -> int | None:
    listeners = as_list(value)
    return listener_of(listeners[0]).port if listeners else None


def _policy_names(doc: Any) -> list[str]:
    policies = doc.get("Policies")
    if not isinstance(policies, dict):
        return []
    names = [
        str(p.get("PolicyName"))
        for kind in ("AppCookieStickinessPolicies", "LBCookieStickinessPolicies")
        for p in as_list(policies.get(kind))
        if p.get("PolicyName")
    ]
    return names + _names(policies.get("OtherPolicies"))


def _backend_policies(doc: Any) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for backend in as_list(doc.get("BackendServerDescriptions")):
        port = as_int(backend.get("InstancePort"))
        if port is not None:
            out[port] = _names(backend.get("PolicyNames"))
    return out


def _balancer_extra(doc: Any) -> dict[str, Any]:
    check = doc.get("HealthCheck")
    source = doc.get("SourceSecurityGroup")
    return {
        "dns_name": doc.get("DNSName"),
        "listeners": [listener_of(d) for d in as_list(doc.get("ListenerDescriptions"))],
        "policies": _policy_names(doc),
        "backend_policies": _backend_policies(doc),
        "instance_ids": [str(i.get("InstanceId")) for i in as_list(doc.get("Instances"))],
        "health_check": from_wire(HealthCheck, check) if isinstance(check, dict) else None,
        "availability_zones": _names(doc.get("AvailabilityZones")),
        "subnets": _names(doc.get("Subnets")),
        "vpc_id": doc.get("VPCId") or None,
        "security_groups": _names(doc.get("SecurityGroups")),
        "source_security_group": source.get("GroupName") if isinstance(source, dict) else None,
        "scheme": doc.get("Scheme"),
        "created": doc.get("CreatedTime"),
        "canonical_hosted_zone_name": doc.get("CanonicalHostedZoneName"),
        "canonical_hosted_zone_id": doc.get("CanonicalHostedZoneNameID"),
    }


#: A ``DescribeLoadBalancers`` entry as a :class:`LoadBalancer`: ``id`` is the name (as in
#: Libcloud), ``ip`` the DNS name, ``port`` the first listener's. Classic ELB reports no balancer
#: state: one it describes is serving (``State.RUNNING``).
BALANCER = schema(
    LoadBalancer,
    id=wire("LoadBalancerName", str, default=""),
    name=wire("LoadBalancerName", str, default=""),
    state=context(default=State.RUNNING),
    ip=wire("DNSName"),
    port=wire("ListenerDescriptions", _first_port),
    driver=context(),
    extra=wire("*", _balancer_extra, repr=False),
)


def _member_extra(doc: Any) -> Mapping[str, Any]:
    return {
        "state": doc.get("State") or "Unknown",
        "reason_code": doc.get("ReasonCode") or None,
        "description": doc.get("Description") or None,
    }


#: A ``DescribeInstanceHealth`` entry as a :class:`Member` (``id`` the instance id; ``extra``
#: has ``state``: ``InService``, ``OutOfService`` or ``Unknown``).
MEMBER = schema(
    Member,
    id=wire("InstanceId", str, default=""),
    ip=context(),
    port=context(),
    balancer=context(),
    extra=wire("*", _member_extra, reads=("State", "ReasonCode", "Description")),
)
