"""Amazon ELBv2 (application and network load balancers), sync and async, on the AWS Query
protocol of :mod:`omnicloud.aws` (API version 2015-12-01).

``get_driver(Provider.ALB)(key, secret, region="eu-west-1")``; without key and secret the AWS
CLI's chain applies (environment, ``profile=``, shared files, credential_process).
``endpoint=`` (or Libcloud's ``host``/``port``/``secure``) points it at moto, ministack or
another ELBv2-compatible service.

An ELBv2 balancer is a composite, as in Libcloud's ``ApplicationLBDriver``: the balancer
(``id`` is its ARN, ``ip`` its DNS name), a listener on ``port``/``protocol`` forwarding to a
target group, and the target group's registered targets as the members (``Member.id`` an EC2
instance id, or an IP address for ``ex_target_type="ip"``). :meth:`create_balancer` makes all
three; :meth:`destroy_balancer` deletes the balancer (with its listeners) and the target group
``create_balancer`` made for it. Protocols ``http``/``https`` make an application load
balancer, ``tcp``/``udp``/``tls``/``tcp_udp`` a network load balancer. Application load
balancers have an algorithm (``round_robin``, ``least_outstanding_requests``,
``weighted_random``); network load balancers hash flows and take none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from omnicloud._collect import collect
from omnicloud._shell import AsyncShell, SyncShell, computed, operation
from omnicloud._wire import bind
from omnicloud.aws import _ec2
from omnicloud.aws import _query as q
from omnicloud.aws._client import query_service
from omnicloud.aws._errors import AwsError, AwsNotFoundError
from omnicloud.aws._regions import given_endpoint
from omnicloud.aws._xml import child, to_value
from omnicloud.aws.credentials import AwsSession, resolve_session
from omnicloud.errors import NotFoundError, ValidationError
from omnicloud.http import HttpConfig, Redactor
from omnicloud.loadbalancer._base import Algorithm, LoadBalancer, LoadBalancerDriverCore, Member

from .alb_models import BALANCER, TARGET, HealthCheck, Listener, Rule, TargetGroup, as_list

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = [
    "ALGORITHMS",
    "ALBListener",
    "ALBRule",
    "ALBTargetGroup",
    "ApplicationLBDriver",
    "ApplicationLBDriverCore",
    "AsyncApplicationLBDriver",
    "HealthCheck",
    "Listener",
    "Rule",
    "TargetGroup",
]

M = TypeVar("M")

#: Libcloud's names for the ELBv2 models.
ALBTargetGroup = TargetGroup
ALBListener = Listener
ALBRule = Rule

SERVICE = "elasticloadbalancing"
VERSION = "2015-12-01"
#: ELBv2 pages with ``Marker``/``PageSize`` in and ``NextMarker`` out.
PAGES = q.Pages(token_param="Marker", token_fields=("NextMarker",), size_param="PageSize")

APPLICATION_PROTOCOLS = ("http", "https")
NETWORK_PROTOCOLS = ("tcp", "udp", "tls", "tcp_udp")
#: Application load balancers' ``load_balancing.algorithm.type`` per omnicloud algorithm.
ALGORITHMS: Mapping[Algorithm, str] = {
    Algorithm.ROUND_ROBIN: "round_robin",
    Algorithm.LEAST_CONNECTIONS: "least_outstanding_requests",
    Algorithm.RANDOM: "weighted_random",
}
_WIRE_ALGORITHMS = {wire: algorithm for algorithm, wire in ALGORITHMS.items()}
_ALGORITHM_KEY = "load_balancing.algorithm.type"


def _arn(value: Any, what: str) -> str:
    found = getattr(value, "id", value)
    if not found or not isinstance(found, str):
        raise ValidationError(f"expected a {what} or its ARN, got {value!r}")
    return found


def _group_name(balancer_name: str) -> str:
    """The target group :meth:`create_balancer` makes (Libcloud's ``NAME-tg``, kept within
    ELBv2's 32 characters)."""
    if len(balancer_name) <= 29:
        return f"{balancer_name}-tg"
    digest = hashlib.sha256(balancer_name.encode()).hexdigest()[:7]
    return f"{balancer_name[:24].rstrip('-')}-{digest}"


def _balancer_type(protocol: str, requested: str | None) -> str:
    kind = requested or ("network" if protocol in NETWORK_PROTOCOLS else "application")
    allowed = APPLICATION_PROTOCOLS if kind == "application" else NETWORK_PROTOCOLS
    if kind not in ("application", "network"):
        raise ValidationError(f"ex_type must be 'application' or 'network', not {kind!r}")
    if protocol not in allowed:
        article = "an" if kind == "application" else "a"
        raise ValidationError(
            f"{article} {kind} load balancer speaks {', '.join(allowed)}, not {protocol!r}"
        )
    return kind


def _items(key: str) -> Callable[[Any], list[Any]]:
    def extract(root: Any) -> list[Any]:
        found = child(q.result_of(root), key)
        return as_list(to_value(found)) if found is not None else []

    return extract


def _members(targets: Sequence[Member], default_port: int | None = None) -> list[dict[str, Any]]:
    out = []
    for member in targets:
        entry: dict[str, Any] = {"Id": _arn(member, "member")}
        port = getattr(member, "port", None) or default_port
        if port:
            entry["Port"] = int(port)
        out.append(entry)
    return out


class ApplicationLBDriverCore(LoadBalancerDriverCore):
    """ELBv2 operations as flows (no I/O); pick the sync or async class to run them.

    ``ApplicationLBDriver(key, secret, region)`` as in Libcloud, ``token=`` for session
    credentials; ``page_size`` is the ``PageSize`` of listings (1 to 400).
    """

    name = "Amazon Application Load Balancing"
    website = "http://aws.amazon.com/elasticloadbalancing/"
    type: str | None = "alb"

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        region: str | None = None,
        token: str | None = None,
        *,
        secure: bool = True,
        host: str | None = None,
        port: int | None = None,
        profile: str | None = None,
        endpoint: str | None = None,
        ec2_endpoint: str | None = None,
        page_size: int = 400,
        http: HttpConfig | None = None,
        session: AwsSession | None = None,
    ) -> None:
        if not 1 <= page_size <= 400:
            raise ValidationError("page_size must be 1 to 400 (ELBv2's PageSize limits)")
        self.session = session or resolve_session(
            key, secret, token, profile=profile, region=region
        )
        endpoint = given_endpoint(endpoint, host, port, secure)
        config = http or HttpConfig()
        self._elb = query_service(
            self.session,
            service=SERVICE,
            version=VERSION,
            endpoint=endpoint,
            config=config,
            ec2=False,
        )
        # default subnets come from EC2; a compatible service (moto) answers both on one URL
        self._ec2 = query_service(
            self.session,
            service=_ec2.SERVICE,
            version=_ec2.VERSION,
            endpoint=ec2_endpoint or endpoint,
            config=config,
            ec2=True,
        )
        self.region = self._elb.region
        self.region_name = self.region
        self.page_size = page_size
        self._open(config, self._elb.redactor)

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:  # pragma: no cover
        raise TypeError("use a sync or async driver class, not the core")

    @property
    def endpoint(self) -> str:
        """The URL actions are sent to."""
        return self._elb.url

    def __repr__(self) -> str:
        origin = self.session.provider.origin
        return f"<{type(self).__name__} {self.region} at {self.endpoint} (credentials: {origin})>"

    # -- flow helpers -------------------------------------------------------------------------
    def _call(self, action: str, params: Mapping[str, Any] | None = None) -> Flow[Any]:
        """Run ``action``; its ``<ActionResult>`` as plain values."""
        root = yield from q.call(self._elb, action, params)
        result = to_value(q.result_of(root))
        return result if isinstance(result, dict) else {}

    def _all(
        self,
        action: str,
        key: str,
        convert: Callable[[Any], M],
        params: Mapping[str, Any] | None = None,
        *,
        paged: bool = True,
    ) -> Flow[list[M]]:
        """Every entry of list ``key`` across pages, converted."""
        flow = q.paginate(
            self._elb,
            action,
            params,
            _items(key),
            page_size=self.page_size if paged else None,
            pages=PAGES,
        )
        found: list[M] = yield from collect(flow, convert)
        return found

    def _default_subnets(self) -> Flow[list[str]]:
        params = {"Filter": [{"Name": "default-for-az", "Value": ["true"]}]}
        root = yield from q.call(self._ec2, "DescribeSubnets", params)
        subnets = as_list(to_value(root).get("subnetSet"))
        return sorted(str(s["subnetId"]) for s in subnets if s.get("subnetId"))

    def _group(self, balancer: LoadBalancer, target_group: Any) -> Flow[TargetGroup]:
        """``target_group`` (given, or the balancer's first) as a :class:`TargetGroup`."""
        if target_group is None:
            target_group = (balancer.extra or {}).get("target_group")
        if isinstance(target_group, TargetGroup):
            return target_group
        if target_group is not None:
            found: TargetGroup = yield from type(self).ex_get_target_group(self, target_group)
            return found
        groups = yield from type(self).ex_get_target_groups(self, balancer)
        if not groups:
            raise NotFoundError(
                f"load balancer {balancer.name!r} forwards to no target group", provider="aws"
            )
        named = [g for g in groups if g.name == _group_name(balancer.name)]
        return (named or groups)[0]

    # -- the Libcloud contract ----------------------------------------------------------------
    @computed
    def list_protocols(self) -> list[str]:
        """``http``/``https`` (application) and ``tcp``/``udp``/``tls``/``tcp_udp`` (network)."""
        return [*APPLICATION_PROTOCOLS, *NETWORK_PROTOCOLS]

    @computed
    def list_supported_algorithms(self) -> list[Algorithm]:
        """The algorithms an application load balancer's target group takes."""
        return list(ALGORITHMS)

    @operation
    def list_balancers(self) -> Flow[list[LoadBalancer]]:
        """Every balancer of the region (``port`` is None here: :meth:`get_balancer` reads
        the listeners)."""
        found = yield from self._all(
            "DescribeLoadBalancers", "LoadBalancers", BALANCER.bind(driver=self)
        )
        return found

    @operation
    def get_balancer(self, balancer_id: str) -> Flow[LoadBalancer]:
        """One balancer by ARN (or by name), with its listeners in ``extra["listeners"]`` and
        the first listener's port as ``port``."""
        key = "LoadBalancerArns" if balancer_id.startswith("arn:") else "Names"
        try:
            found = yield from self._all(
                "DescribeLoadBalancers",
                "LoadBalancers",
                BALANCER.bind(driver=self),
                {key: [balancer_id]},
                paged=False,
            )
        except AwsNotFoundError:
            found = []
        except AwsError as exc:
            if exc.code != "ValidationError":
                raise
            found = []
        if not found:
            raise NotFoundError(f"load balancer {balancer_id} not found", provider="aws")
        balancer = found[0]
        listeners = yield from type(self).ex_get_listeners(self, balancer)
        balancer.extra = {**balancer.extra, "listeners": listeners}
        balancer.port = listeners[0].port if listeners else None
        return balancer

    @operation
    def create_balancer(
        self,
        name: str,
        port: int = 80,
        protocol: str = "http",
        algorithm: Algorithm = Algorithm.ROUND_ROBIN,
        members: Sequence[Member] = (),
        ex_scheme: str | None = None,
        ex_security_groups: Sequence[str] | None = None,
        ex_subnets: Sequence[str] | None = None,
        ex_tags: Mapping[str, str] | None = None,
        ex_ssl_cert_arn: str | None = None,
        *,
        ex_ssl_policy: str | None = None,
        ex_type: str | None = None,
        ex_target_type: str = "instance",
        ex_target_port: int | None = None,
        ex_health_check: HealthCheck | None = None,
        ex_ip_address_type: str | None = None,
    ) -> Flow[LoadBalancer]:
        """Create the balancer, a target group ``NAME-tg`` with ``members`` registered and
        ``ex_health_check``, and a listener on ``port`` forwarding to it.

        ``ex_subnets`` default to the default VPC's default subnets (one per zone);
        ``ex_target_port`` is the members' port (default: ``port``). If a later step fails,
        what was made is deleted again before the error is raised.
        """
        protocol = protocol.lower()
        kind = _balancer_type(protocol, ex_type)
        wire_algorithm: str | None = None
        if kind == "application":
            wire_algorithm = ALGORITHMS.get(Algorithm(algorithm))
            if wire_algorithm is None:
                raise ValidationError(f"ELBv2 does not support the {algorithm} algorithm")
        elif algorithm != Algorithm.ROUND_ROBIN:
            raise ValidationError("a network load balancer hashes flows; it takes no algorithm")
        if protocol in ("https", "tls") and not ex_ssl_cert_arn:
            raise ValidationError(f"{protocol.upper()} listeners need ex_ssl_cert_arn")
        subnets = list(ex_subnets or ())
        if not subnets:
            subnets = yield from self._default_subnets()
        if not subnets:
            raise ValidationError("no default subnets in this region: pass ex_subnets")
        balancer = yield from type(self).ex_create_balancer(
            self,
            name,
            addr_type=ex_ip_address_type or "ipv4",
            scheme=ex_scheme or "internet-facing",
            security_groups=ex_security_groups,
            subnets=subnets,
            tags=ex_tags,
            ex_type=kind,
        )
        group: TargetGroup | None = None
        try:
            group = yield from type(self).ex_create_target_group(
                self,
                _group_name(name),
                ex_target_port or port,
                protocol,
                balancer.extra.get("vpc"),
                target_type=ex_target_type,
                health_check=ex_health_check,
            )
            if wire_algorithm and wire_algorithm != "round_robin":
                yield from type(self).ex_set_algorithm(self, group, algorithm)
            if members:
                yield from type(self).ex_register_targets(self, group, members)
            listener = yield from type(self).ex_create_listener(
                self,
                balancer,
                port,
                protocol,
                group,
                ssl_cert_arn=ex_ssl_cert_arn,
                ssl_policy=ex_ssl_policy,
            )
        except Exception:
            yield from self._undo(balancer, group)
            raise
        balancer.port = port
        balancer.extra = {
            **balancer.extra,
            "listener": listener,
            "listeners": [listener],
            "target_group": group,
            "algorithm": Algorithm(algorithm) if kind == "application" else None,
        }
        return balancer

    def _undo(self, balancer: LoadBalancer, group: TargetGroup | None) -> Flow[None]:
        try:
            yield from self._call("DeleteLoadBalancer", {"LoadBalancerArn": balancer.id})
            if group is not None:
                yield from self._call("DeleteTargetGroup", {"TargetGroupArn": group.id})
        except AwsError:
            pass  # the original error is the one to report

    @operation
    def destroy_balancer(self, balancer: LoadBalancer) -> Flow[bool]:
        """Delete the balancer (its listeners go with it) and the target group
        :meth:`create_balancer` made for it, when no other balancer uses that group."""
        groups = yield from type(self).ex_get_target_groups(self, balancer)
        yield from self._call("DeleteLoadBalancer", {"LoadBalancerArn": balancer.id})
        own = _group_name(balancer.name)
        for group in groups:
            if group.name == own and set(group.balancer_ids) <= {balancer.id}:
                yield from self._call("DeleteTargetGroup", {"TargetGroupArn": group.id})
        return True

    @operation
    def balancer_attach_member(
        self, balancer: LoadBalancer, member: Member, ex_target_group: Any = None
    ) -> Flow[Member]:
        """Register ``member`` (an instance id, or an IP) with the balancer's target group
        (``ex_target_group``, or the one :meth:`create_balancer` made, or the first)."""
        group = yield from self._group(balancer, ex_target_group)
        yield from type(self).ex_register_targets(self, group, [member])
        return Member(
            member.id,
            member.ip,
            member.port or group.port,
            balancer,
            extra={"target_group": group.id},
        )

    @operation
    def balancer_detach_member(
        self, balancer: LoadBalancer, member: Member, ex_target_group: Any = None
    ) -> Flow[bool]:
        """Deregister ``member`` from the balancer's target groups it is in (or from
        ``ex_target_group``); False if it was in none."""
        if ex_target_group is not None:
            groups = [(yield from self._group(balancer, ex_target_group))]
        else:
            groups = yield from type(self).ex_get_target_groups(self, balancer)
        removed = False
        for group in groups:
            current = yield from type(self).ex_get_target_group_members(self, group)
            matches = [
                m for m in current if m.id == member.id and m.extra.get("health") != "draining"
            ]
            if member.port:
                matches = [m for m in matches if m.port == member.port]
            if matches:
                yield from type(self).ex_deregister_targets(self, group, matches)
                removed = True
        return removed

    @operation
    def balancer_list_members(self, balancer: LoadBalancer) -> Flow[list[Member]]:
        """The registered targets of every target group the balancer forwards to (targets
        being deregistered, state ``draining``, are left out); ``extra`` has ``health`` and
        ``target_group``."""
        groups = yield from type(self).ex_get_target_groups(self, balancer)
        out: list[Member] = []
        for group in groups:
            found = yield from type(self).ex_get_target_group_members(self, group, balancer)
            out.extend(m for m in found if m.extra.get("health") != "draining")
        return out

    # -- ELBv2 extras (Libcloud's ApplicationLBDriver names) ------------------------------------
    @operation
    def ex_create_balancer(
        self,
        name: str,
        addr_type: str = "ipv4",
        scheme: str = "internet-facing",
        security_groups: Sequence[str] | None = None,
        subnets: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        ex_type: str = "application",
    ) -> Flow[LoadBalancer]:
        """Only the balancer (no listener, no target group): ``CreateLoadBalancer``."""
        params: dict[str, Any] = {
            "Name": name,
            "Subnets": list(subnets or ()),
            "SecurityGroups": list(security_groups or ()) or None,
            "Scheme": scheme,
            "Type": ex_type,
            "IpAddressType": addr_type,
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()] or None,
        }
        result = yield from self._call("CreateLoadBalancer", params)
        made = as_list(result.get("LoadBalancers"))
        if not made:
            raise NotFoundError(f"CreateLoadBalancer returned no balancer for {name!r}")
        return BALANCER(made[0], driver=self)

    @operation
    def ex_create_target_group(
        self,
        name: str,
        port: int,
        proto: str,
        vpc: str | None,
        health_check_interval: int = 30,
        health_check_path: str = "/",
        health_check_port: str = "traffic-port",
        health_check_proto: str | None = None,
        health_check_timeout: int = 5,
        health_check_matcher: str = "200",
        healthy_threshold: int = 5,
        unhealthy_threshold: int = 2,
        *,
        target_type: str = "instance",
        health_check: HealthCheck | None = None,
    ) -> Flow[TargetGroup]:
        """A target group (Libcloud's arguments; ``health_check=`` replaces the separate
        health check arguments)."""
        check = health_check or HealthCheck(
            protocol=health_check_proto,
            port=health_check_port,
            path=health_check_path,
            interval=health_check_interval,
            timeout=health_check_timeout,
            healthy_threshold=healthy_threshold,
            unhealthy_threshold=unhealthy_threshold,
            matcher=health_check_matcher,
        )
        params: dict[str, Any] = {
            "Name": name,
            "Protocol": proto.upper(),
            "Port": port,
            "VpcId": vpc,
            "TargetType": target_type,
            **check.params(proto),
        }
        if proto.lower() in NETWORK_PROTOCOLS:
            params.pop("Matcher", None)
        result = yield from self._call("CreateTargetGroup", params)
        made = as_list(result.get("TargetGroups"))
        if not made:
            raise NotFoundError(f"CreateTargetGroup returned no group for {name!r}")
        return bind(TargetGroup, driver=self)(made[0])

    @operation
    def ex_modify_health_check(self, target_group: Any, health_check: HealthCheck) -> Flow[bool]:
        """Change a target group's health check (``ModifyTargetGroup``)."""
        arn = _arn(target_group, "target group")
        protocol = health_check.protocol or getattr(target_group, "protocol", None) or "HTTP"
        params = {"TargetGroupArn": arn, **health_check.params(protocol)}
        yield from self._call("ModifyTargetGroup", params)
        return True

    @operation
    def ex_set_algorithm(self, target_group: Any, algorithm: Algorithm) -> Flow[bool]:
        """Set an application target group's ``load_balancing.algorithm.type``."""
        wire_algorithm = ALGORITHMS.get(Algorithm(algorithm))
        if wire_algorithm is None:
            raise ValidationError(f"ELBv2 does not support the {algorithm} algorithm")
        params = {
            "TargetGroupArn": _arn(target_group, "target group"),
            "Attributes": [{"Key": _ALGORITHM_KEY, "Value": wire_algorithm}],
        }
        yield from self._call("ModifyTargetGroupAttributes", params)
        return True

    @operation
    def ex_get_target_group_attributes(self, target_group: Any) -> Flow[dict[str, str]]:
        """A target group's attributes (``deregistration_delay.timeout_seconds``...)."""
        result = yield from self._call(
            "DescribeTargetGroupAttributes",
            {"TargetGroupArn": _arn(target_group, "target group")},
        )
        return {
            str(a.get("Key")): str(a.get("Value", "")) for a in as_list(result.get("Attributes"))
        }

    @operation
    def ex_get_algorithm(self, target_group: Any) -> Flow[Algorithm | None]:
        """The algorithm of an application target group (None for a network one)."""
        attributes = yield from type(self).ex_get_target_group_attributes(self, target_group)
        wire_algorithm = attributes.get(_ALGORITHM_KEY)
        if wire_algorithm is None:
            return None
        return _WIRE_ALGORITHMS.get(wire_algorithm, Algorithm.ROUND_ROBIN)

    @operation
    def ex_register_targets(
        self, target_group: Any, members: Sequence[Member] | None = None
    ) -> Flow[bool]:
        """Register ``members`` (``Member.port`` overrides the group's port); False if none."""
        if not members:
            return False
        params = {
            "TargetGroupArn": _arn(target_group, "target group"),
            "Targets": _members(members),
        }
        yield from self._call("RegisterTargets", params)
        return True

    @operation
    def ex_deregister_targets(self, target_group: Any, members: Sequence[Member]) -> Flow[bool]:
        """Deregister ``members``; False if none were given."""
        if not members:
            return False
        params = {
            "TargetGroupArn": _arn(target_group, "target group"),
            "Targets": _members(members),
        }
        yield from self._call("DeregisterTargets", params)
        return True

    @operation
    def ex_get_target_group_members(
        self, target_group: Any, balancer: LoadBalancer | None = None
    ) -> Flow[list[Member]]:
        """The targets of a group with their health (``DescribeTargetHealth``)."""
        arn = _arn(target_group, "target group")
        result = yield from self._call("DescribeTargetHealth", {"TargetGroupArn": arn})
        convert = TARGET.bind(balancer=balancer, target_group=arn)
        return [convert(doc) for doc in as_list(result.get("TargetHealthDescriptions"))]

    @operation
    def ex_create_listener(
        self,
        balancer: Any,
        port: int,
        proto: str,
        target_group: Any,
        action: str = "forward",
        ssl_cert_arn: str | None = None,
        ssl_policy: str | None = None,
    ) -> Flow[Listener]:
        """A listener on ``port`` whose default action forwards to ``target_group``."""
        secure = proto.lower() in ("https", "tls")
        params: dict[str, Any] = {
            "LoadBalancerArn": _arn(balancer, "load balancer"),
            "Protocol": proto.upper(),
            "Port": port,
            "DefaultActions": [
                {"Type": action, "TargetGroupArn": _arn(target_group, "target group")}
            ],
            "Certificates": [{"CertificateArn": ssl_cert_arn}] if secure else None,
            "SslPolicy": ssl_policy if secure else None,
        }
        result = yield from self._call("CreateListener", params)
        made = as_list(result.get("Listeners"))
        if not made:
            raise NotFoundError("CreateListener returned no listener")
        return bind(Listener, driver=self)(made[0])

    @operation
    def ex_create_listener_rule(
        self,
        listener: Any,
        priority: int,
        target_group: Any,
        action: str = "forward",
        condition_field: str | None = None,
        condition_value: str | None = None,
    ) -> Flow[Rule]:
        """A rule forwarding requests that match ``condition_field`` (``path-pattern``,
        ``host-header``) = ``condition_value`` to ``target_group``."""
        listener_arn = _arn(listener, "listener")
        conditions = (
            [{"Field": condition_field, "Values": [condition_value or ""]}]
            if condition_field
            else []
        )
        params = {
            "ListenerArn": listener_arn,
            "Priority": priority,
            "Actions": [{"Type": action, "TargetGroupArn": _arn(target_group, "target group")}],
            "Conditions": conditions,
        }
        result = yield from self._call("CreateRule", params)
        made = as_list(result.get("Rules"))
        if not made:
            raise NotFoundError("CreateRule returned no rule")
        return bind(Rule, driver=self, listener_id=listener_arn)(made[0])

    @operation
    def ex_get_target_groups(self, balancer: Any = None) -> Flow[list[TargetGroup]]:
        """The target groups of ``balancer`` (all of the region's without one)."""
        params = {"LoadBalancerArn": _arn(balancer, "load balancer")} if balancer else None
        found = yield from self._all(
            "DescribeTargetGroups", "TargetGroups", bind(TargetGroup, driver=self), params
        )
        return found

    @operation
    def ex_get_target_group(self, target_group_id: str) -> Flow[TargetGroup]:
        """One target group by ARN (or name)."""
        key = "TargetGroupArns" if target_group_id.startswith("arn:") else "Names"
        try:
            found = yield from self._all(
                "DescribeTargetGroups",
                "TargetGroups",
                bind(TargetGroup, driver=self),
                {key: [target_group_id]},
                paged=False,
            )
        except AwsNotFoundError:
            found = []
        if not found:
            raise NotFoundError(f"target group {target_group_id} not found", provider="aws")
        return found[0]

    @operation
    def ex_delete_target_group(self, target_group: Any) -> Flow[bool]:
        """Delete a target group no listener forwards to."""
        yield from self._call(
            "DeleteTargetGroup", {"TargetGroupArn": _arn(target_group, "target group")}
        )
        return True

    @operation
    def ex_get_listeners(self, balancer: Any) -> Flow[list[Listener]]:
        """The listeners of ``balancer``."""
        found = yield from self._all(
            "DescribeListeners",
            "Listeners",
            bind(Listener, driver=self),
            {"LoadBalancerArn": _arn(balancer, "load balancer")},
        )
        return found

    @operation
    def ex_get_listener(self, listener_id: str) -> Flow[Listener]:
        """One listener by ARN."""
        try:
            found = yield from self._all(
                "DescribeListeners",
                "Listeners",
                bind(Listener, driver=self),
                {"ListenerArns": [listener_id]},
                paged=False,
            )
        except AwsNotFoundError:
            found = []
        if not found:
            raise NotFoundError(f"listener {listener_id} not found", provider="aws")
        return found[0]

    @operation
    def ex_delete_listener(self, listener: Any) -> Flow[bool]:
        """Delete a listener."""
        yield from self._call("DeleteListener", {"ListenerArn": _arn(listener, "listener")})
        return True

    @operation
    def ex_get_rules(self, listener: Any) -> Flow[list[Rule]]:
        """The rules of ``listener`` (the default rule included)."""
        arn = _arn(listener, "listener")
        found = yield from self._all(
            "DescribeRules",
            "Rules",
            bind(Rule, driver=self, listener_id=arn),
            {"ListenerArn": arn},
        )
        return found

    @operation
    def ex_get_rule(self, rule_id: str) -> Flow[Rule]:
        """One rule by ARN."""
        try:
            found = yield from self._all(
                "DescribeRules",
                "Rules",
                bind(Rule, driver=self),
                {"RuleArns": [rule_id]},
                paged=False,
            )
        except AwsNotFoundError:
            found = []
        if not found:
            raise NotFoundError(f"rule {rule_id} not found", provider="aws")
        return found[0]

    @operation
    def ex_delete_rule(self, rule: Any) -> Flow[bool]:
        """Delete a (non-default) listener rule."""
        yield from self._call("DeleteRule", {"RuleArn": _arn(rule, "rule")})
        return True

    @operation
    def ex_get_balancer_tags(self, balancer: Any) -> Flow[dict[str, str]]:
        """The tags of ``balancer``."""
        result = yield from self._call(
            "DescribeTags", {"ResourceArns": [_arn(balancer, "load balancer")]}
        )
        tags: dict[str, str] = {}
        for description in as_list(result.get("TagDescriptions")):
            for tag in as_list(description.get("Tags")):
                tags[str(tag.get("Key"))] = str(tag.get("Value") or "")
        return tags


class ApplicationLBDriver(SyncShell, ApplicationLBDriverCore):
    """Amazon ELBv2: ``ApplicationLBDriver(key, secret, region)``."""


class AsyncApplicationLBDriver(AsyncShell, ApplicationLBDriverCore):
    """Amazon ELBv2, async: ``async with AsyncApplicationLBDriver(key, secret, region) as d:``."""
