# ruff: noqa: RUF009  (wire()/context() return dataclasses.field objects, like field())
"""ELBv2 models (Libcloud's ``ALBTargetGroup``, ``ALBListener``, ``ALBRule`` as slotted
dataclasses) and the declared wire fields of balancers, target groups, listeners, rules and
targets. Documents are the plain values of :func:`omnicloud.aws._xml.to_value`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from omnicloud._wire import context, schema, wire
from omnicloud.aws._xml import as_int, as_list
from omnicloud.loadbalancer._base import LoadBalancer, Member, State

__all__ = [
    "BALANCER",
    "STATES",
    "TARGET",
    "HealthCheck",
    "Listener",
    "Rule",
    "TargetGroup",
    "as_list",
    "target_group_of",
]


def _bool(value: Any) -> bool:
    return str(value).lower() == "true"


#: ELBv2 ``State.Code`` as a balancer state (total: anything else is UNKNOWN).
STATES: Mapping[str, State] = {
    "active": State.RUNNING,
    "provisioning": State.PENDING,
    "active_impaired": State.ERROR,
    "failed": State.ERROR,
}


def _state(doc: Any) -> State:
    code = doc.get("Code") if isinstance(doc, dict) else None
    return STATES.get(str(code), State.UNKNOWN)


def _balancer_extra(doc: Any) -> dict[str, Any]:
    zones = as_list(doc.get("AvailabilityZones"))
    return {
        "type": doc.get("Type"),
        "scheme": doc.get("Scheme"),
        "vpc": doc.get("VpcId"),
        "dns_name": doc.get("DNSName"),
        "ip_address_type": doc.get("IpAddressType"),
        "security_groups": as_list(doc.get("SecurityGroups")),
        "subnets": [z.get("SubnetId") for z in zones if isinstance(z, dict)],
        "availability_zones": [z.get("ZoneName") for z in zones if isinstance(z, dict)],
        "created": doc.get("CreatedTime"),
        "canonical_hosted_zone_id": doc.get("CanonicalHostedZoneId"),
    }


#: A ``DescribeLoadBalancers`` member as a :class:`LoadBalancer` (``id`` is the ARN, ``ip`` the
#: DNS name as in Libcloud; ``port`` is filled from the first listener when known).
BALANCER = schema(
    LoadBalancer,
    id=wire("LoadBalancerArn", str, default=""),
    name=wire("LoadBalancerName", str, default=""),
    state=wire("State", _state, default=State.UNKNOWN),
    ip=wire("DNSName"),
    port=context(),
    driver=context(),
    extra=wire("*", _balancer_extra, repr=False),
)


@dataclass(slots=True)
class HealthCheck:
    """How a target group checks its targets (ELBv2's defaults for HTTP)."""

    protocol: str | None = None
    port: str = "traffic-port"
    path: str | None = "/"
    interval: int = 30
    timeout: int = 5
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    matcher: str | None = "200"
    enabled: bool = True

    def params(self, protocol: str) -> dict[str, Any]:
        """The ``CreateTargetGroup``/``ModifyTargetGroup`` parameters."""
        proto = (self.protocol or protocol).upper()
        http = proto in ("HTTP", "HTTPS")
        out: dict[str, Any] = {
            "HealthCheckEnabled": self.enabled,
            "HealthCheckProtocol": proto,
            "HealthCheckPort": self.port,
            "HealthCheckIntervalSeconds": self.interval,
            "HealthCheckTimeoutSeconds": self.timeout,
            "HealthyThresholdCount": self.healthy_threshold,
            "UnhealthyThresholdCount": self.unhealthy_threshold,
        }
        if http:
            out["HealthCheckPath"] = self.path
            if self.matcher:
                out["Matcher"] = {"HttpCode": self.matcher}
        return out


def _health_check(doc: Any) -> HealthCheck:
    matcher = doc.get("Matcher")
    return HealthCheck(
        protocol=doc.get("HealthCheckProtocol"),
        port=doc.get("HealthCheckPort") or "traffic-port",
        path=doc.get("HealthCheckPath") or None,
        interval=as_int(doc.get("HealthCheckIntervalSeconds")) or 30,
        timeout=as_int(doc.get("HealthCheckTimeoutSeconds")) or 5,
        healthy_threshold=as_int(doc.get("HealthyThresholdCount")) or 5,
        unhealthy_threshold=as_int(doc.get("UnhealthyThresholdCount")) or 2,
        matcher=matcher.get("HttpCode") if isinstance(matcher, dict) else None,
        enabled=doc.get("HealthCheckEnabled") in (None, "", "true", True),
    )


@dataclass(slots=True)
class TargetGroup:
    """An ELBv2 target group (Libcloud's ``ALBTargetGroup``; ``id`` is the ARN)."""

    id: str = wire("TargetGroupArn", str, default="")
    name: str = wire("TargetGroupName", str, default="")
    protocol: str | None = wire("Protocol")
    port: int | None = wire("Port", as_int)
    vpc: str | None = wire("VpcId")
    target_type: str | None = wire("TargetType")
    health_check: HealthCheck = wire("*", _health_check, factory=HealthCheck)
    balancer_ids: list[str] = wire("LoadBalancerArns", as_list, factory=list)
    driver: Any = context()

    @property
    def balancers_arns(self) -> list[str]:
        """Libcloud's name for :attr:`balancer_ids`."""
        return self.balancer_ids


def _default_action(doc: Any) -> dict[str, Any]:
    actions = as_list(doc.get("DefaultActions"))
    return actions[0] if actions else {}


def _action_type(doc: Any) -> str | None:
    found = _default_action(doc).get("Type")
    return str(found) if found else None


def _action_group(doc: Any) -> str | None:
    found = _default_action(doc).get("TargetGroupArn")
    return str(found) if found else None


def _certificate(doc: Any) -> str | None:
    certs = as_list(doc.get("Certificates"))
    found = certs[0].get("CertificateArn") if certs else None
    return str(found) if found else None


@dataclass(slots=True)
class Listener:
    """An ELBv2 listener (Libcloud's ``ALBListener``; ``id`` is the ARN)."""

    id: str = wire("ListenerArn", str, default="")
    protocol: str | None = wire("Protocol")
    port: int | None = wire("Port", as_int)
    balancer_id: str | None = wire("LoadBalancerArn")
    action: str | None = wire("*", _action_type, reads=("DefaultActions",))
    target_group_id: str | None = wire("*", _action_group, reads=("DefaultActions",))
    ssl_policy: str | None = wire("SslPolicy")
    ssl_certificate: str | None = wire("*", _certificate, reads=("Certificates",))
    driver: Any = context()


def _conditions(doc: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for condition in as_list(doc.get("Conditions")):
        values = as_list(condition.get("Values")) if isinstance(condition, dict) else []
        out[str(condition.get("Field"))] = [str(v) for v in values]
    return out


def _rule_group(doc: Any) -> str | None:
    actions = as_list(doc.get("Actions"))
    found = actions[0].get("TargetGroupArn") if actions else None
    return str(found) if found else None


@dataclass(slots=True)
class Rule:
    """A listener rule (Libcloud's ``ALBRule``; ``priority`` is ``"default"`` for the default)."""

    id: str = wire("RuleArn", str, default="")
    is_default: bool = wire("IsDefault", _bool, default=False)
    priority: str | None = wire("Priority")
    target_group_id: str | None = wire("*", _rule_group, reads=("Actions",))
    conditions: dict[str, list[str]] = wire("*", _conditions, factory=dict, reads=("Conditions",))
    listener_id: str | None = context()
    driver: Any = context()


def _target_id(doc: Any) -> str:
    target = doc.get("Target") or {}
    return str(target.get("Id", ""))


def _target_port(doc: Any) -> int | None:
    target = doc.get("Target") or {}
    return as_int(target.get("Port"))


def _target_extra(doc: Any, target_group: Any) -> dict[str, Any]:
    health = doc.get("TargetHealth") or {}
    return {
        "health": health.get("State"),
        "reason": health.get("Reason"),
        "target_group": target_group,
        "availability_zone": (doc.get("Target") or {}).get("AvailabilityZone"),
    }


#: A ``DescribeTargetHealth`` member as a :class:`Member` (``id`` is the instance id or IP).
TARGET = schema(
    Member,
    id=wire("*", _target_id, reads=("Target",)),
    ip=context(),
    port=wire("*", _target_port, reads=("Target",)),
    balancer=context(),
    extra=wire("*", _target_extra, using=("target_group",), reads=("Target", "TargetHealth")),
)


def target_group_of(member: Member) -> Any:
    """The target group ARN a listed member came from (None for a new member)."""
    return member.extra.get("target_group") if member.extra else None
