"""Amazon Elastic Load Balancing, classic (API version 2012-06-01), sync and async, on the AWS
Query protocol of :mod:`omnicloud.aws`.

``get_driver(Provider.ELB)(key, secret, region="eu-west-1")`` as Libcloud's ``ELBDriver``;
without key and secret the AWS CLI's chain applies (environment, ``profile=``, shared files,
credential_process). ``endpoint=`` (or Libcloud's ``host``/``port``/``secure``) points it at moto
or another compatible service.

A classic balancer is named: ``id`` and ``name`` are its name, ``ip`` its DNS name, ``port`` the
first listener's. :meth:`create_balancer` makes one listener from ``port`` to the same port on
the members (``ex_instance_port`` to change it) in the zones ``ex_members_availability_zones``
(Libcloud's ``["a"]``: ``REGION`` + ``a``) or in ``ex_subnets``. Members are EC2 instances
(``Member.id`` the instance id); their health (``InService``, ``OutOfService``, ``Unknown``) is
``Member.extra["state"]``. Classic ELB has no algorithm to choose: only
``Algorithm.ROUND_ROBIN`` (the default) is taken, and nothing is sent for it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar

from omnicloud._collect import collect
from omnicloud._shell import AsyncShell, SyncShell, computed, operation
from omnicloud._wire import from_wire
from omnicloud.aws import _query as q
from omnicloud.aws._client import query_service
from omnicloud.aws._errors import AwsAlreadyExistsError, AwsError
from omnicloud.aws._regions import given_endpoint
from omnicloud.aws._xml import child, to_value
from omnicloud.aws.credentials import AwsSession, resolve_session
from omnicloud.errors import NotFoundError, OmnicloudError, ValidationError
from omnicloud.http import HttpConfig, Redactor
from omnicloud.loadbalancer._base import Algorithm, LoadBalancer, LoadBalancerDriverCore, Member

from .elb_models import BALANCER, MEMBER, HealthCheck, Listener, Policy, as_list, listener_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = [
    "PROTOCOLS",
    "AsyncELBDriver",
    "ELBDriver",
    "ELBDriverCore",
    "HealthCheck",
    "Listener",
    "ListenerSpec",
    "Policy",
]

M = TypeVar("M")

SERVICE = "elasticloadbalancing"
VERSION = "2012-06-01"
#: ``DescribeLoadBalancers`` pages with ``Marker``/``PageSize`` in and ``NextMarker`` out.
PAGES = q.Pages(token_param="Marker", token_fields=("NextMarker",), size_param="PageSize")
PROTOCOLS = ("tcp", "ssl", "http", "https")
_SECURE = ("ssl", "https")
#: Classic ELB's "already exists" codes (the shared table knows the ``...Duplicate`` forms).
_DUPLICATES = frozenset(
    {"DuplicateLoadBalancerName", "DuplicateListener", "DuplicatePolicyName", "DuplicateTagKeys"}
)
#: Actions that leave the same state when repeated: safe to resend after a gateway error.
_IDEMPOTENT = frozenset(
    {
        "DeleteLoadBalancer",
        "RegisterInstancesWithLoadBalancer",
        "DeregisterInstancesFromLoadBalancer",
        "ConfigureHealthCheck",
        "SetLoadBalancerPoliciesOfListener",
        "SetLoadBalancerPoliciesForBackendServer",
        "AddTags",
        "RemoveTags",
    }
)
_TAG_BATCH = 20  # DescribeTags takes up to 20 names
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
_TARGET = re.compile(r"^(TCP|SSL|HTTP|HTTPS):(\d{1,5})(/.*)?$")

#: A listener to add: a :class:`Listener`, or ``(port, instance_port, protocol)`` with an
#: optional fourth item, the SSL certificate's ARN.
ListenerSpec: TypeAlias = Listener | tuple[int, int, str] | tuple[int, int, str, str | None]


def _name_of(balancer: Any) -> str:
    found = getattr(balancer, "id", balancer)
    if not found or not isinstance(found, str):
        raise ValidationError(f"expected a load balancer or its name, got {balancer!r}")
    return found


def _instance_id(member: Any) -> str:
    found = getattr(member, "id", member)
    if not found or not isinstance(found, str):
        raise ValidationError(f"a member is an EC2 instance: expected its id, got {member!r}")
    return found


def _model(balancer: Any) -> LoadBalancer | None:
    return balancer if isinstance(balancer, LoadBalancer) else None


def _check_protocol(protocol: str, what: str = "protocol") -> str:
    lowered = protocol.lower()
    if lowered not in PROTOCOLS:
        raise ValidationError(
            f"classic ELB {what} is one of {', '.join(PROTOCOLS)}, not {protocol!r}"
        )
    return lowered


def _check_target(check: HealthCheck) -> HealthCheck:
    found = _TARGET.match(check.target)
    if not found or not 1 <= int(found[2]) <= 65535:
        raise ValidationError(
            f"health check target is PROTOCOL:PORT[/PATH] (TCP, SSL, HTTP, HTTPS), "
            f"not {check.target!r}"
        )
    if found[1] in ("HTTP", "HTTPS") and not found[3]:
        raise ValidationError(f"an {found[1]} health check target needs a path: {found[0]}/")
    if found[1] in ("TCP", "SSL") and found[3]:
        raise ValidationError(f"a {found[1]} health check target takes no path: {check.target!r}")
    return check


def _listener(spec: ListenerSpec) -> Listener:
    if isinstance(spec, Listener):
        found = spec
    else:
        certificate = spec[3] if len(spec) > 3 else None
        found = Listener(spec[0], spec[2], spec[1], ssl_certificate_id=certificate)
    protocol = _check_protocol(found.protocol or "")
    if found.instance_protocol:
        _check_protocol(found.instance_protocol, "instance protocol")
    if not found.port or not 1 <= found.port <= 65535:
        raise ValidationError(f"a listener needs a balancer port (1 to 65535), got {found.port!r}")
    if protocol in _SECURE and not found.ssl_certificate_id:
        raise ValidationError(f"{protocol.upper()} listeners need an SSL certificate ARN")
    return found


def _items(key: str) -> Callable[[Any], list[Any]]:
    def extract(root: Any) -> list[Any]:
        found = child(q.result_of(root), key)
        return as_list(to_value(found)) if found is not None else []

    return extract


class ELBDriverCore(LoadBalancerDriverCore):
    """Classic ELB operations as flows (no I/O); pick the sync or async class to run them.

    ``ELBDriver(key, secret, region)`` as in Libcloud, ``token=`` for session credentials;
    ``page_size`` is the ``PageSize`` of listings (1 to 400).
    """

    name = "Amazon Elastic Load Balancing"
    website = "http://aws.amazon.com/elasticloadbalancing/"
    type: str | None = "elb"

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
        page_size: int = 400,
        http: HttpConfig | None = None,
        session: AwsSession | None = None,
    ) -> None:
        if not 1 <= page_size <= 400:
            raise ValidationError("page_size must be 1 to 400 (classic ELB's PageSize limits)")
        self.session = session or resolve_session(
            key, secret, token, profile=profile, region=region
        )
        config = http or HttpConfig()
        self._elb = query_service(
            self.session,
            service=SERVICE,
            version=VERSION,
            endpoint=given_endpoint(endpoint, host, port, secure),
            config=config,
            ec2=False,
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
        """Run ``action``; its ``<ActionResult>`` as plain values (a duplicate name is an
        :class:`~omnicloud.aws._errors.AwsAlreadyExistsError`)."""
        try:
            root = yield from q.call(
                self._elb, action, params, idempotent=True if action in _IDEMPOTENT else None
            )
        except AwsError as exc:
            if exc.code not in _DUPLICATES or isinstance(exc, AwsAlreadyExistsError):
                raise
            raise AwsAlreadyExistsError(
                exc.message,
                status=exc.status,
                code=str(exc.code),
                aws_message=exc.aws_message,
                request_id=exc.request_id,
                provider=exc.provider or "aws",
            ) from None
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

    def _describe(self, name: str) -> Flow[Any]:
        """The ``DescribeLoadBalancers`` entry of balancer ``name`` (NotFoundError if none)."""
        try:
            found = yield from self._all(
                "DescribeLoadBalancers",
                "LoadBalancerDescriptions",
                lambda doc: doc,
                {"LoadBalancerNames": [name]},
                paged=False,
            )
        except AwsError as exc:
            if exc.code != "ValidationError":
                raise  # LoadBalancerNotFound is a NotFoundError already
            raise NotFoundError(
                f"load balancer {name!r} not found ({exc.aws_message or 'not a valid name'})",
                status=exc.status,
                code=exc.code,
                provider="aws",
            ) from None
        if not found:
            raise NotFoundError(f"load balancer {name!r} not found", provider="aws")
        return found[0]

    def _tags(self, names: Sequence[str]) -> Flow[dict[str, dict[str, str]]]:
        out: dict[str, dict[str, str]] = {}
        for start in range(0, len(names), _TAG_BATCH):
            batch = list(names[start : start + _TAG_BATCH])
            result = yield from self._call("DescribeTags", {"LoadBalancerNames": batch})
            for description in as_list(result.get("TagDescriptions")):
                tags = out.setdefault(str(description.get("LoadBalancerName")), {})
                for tag in as_list(description.get("Tags")):
                    tags[str(tag.get("Key"))] = str(tag.get("Value") or "")
        return out

    def _zones(self, zones: Sequence[str] | None) -> list[str]:
        return [z if z.startswith(self.region) else f"{self.region}{z}" for z in zones or ("a",)]

    # -- the Libcloud contract ----------------------------------------------------------------
    @computed
    def list_protocols(self) -> list[str]:
        """``tcp``, ``ssl``, ``http`` and ``https``."""
        return list(PROTOCOLS)

    @computed
    def list_supported_algorithms(self) -> list[Algorithm]:
        """Only ``ROUND_ROBIN``: classic ELB has no algorithm to choose."""
        return [Algorithm.ROUND_ROBIN]

    @operation
    def list_balancers(self, ex_fetch_tags: bool = False) -> Flow[list[LoadBalancer]]:
        """Every classic balancer of the region; ``ex_fetch_tags`` adds ``extra["tags"]``
        (one ``DescribeTags`` call per 20 balancers)."""
        found = yield from self._all(
            "DescribeLoadBalancers", "LoadBalancerDescriptions", BALANCER.bind(driver=self)
        )
        if ex_fetch_tags and found:
            tags = yield from self._tags([b.name for b in found])
            for balancer in found:
                balancer.extra = {**balancer.extra, "tags": tags.get(balancer.name, {})}
        return found

    @operation
    def get_balancer(self, balancer_id: str) -> Flow[LoadBalancer]:
        """One balancer by name (its id); NotFoundError (``LoadBalancerNotFound``) if none."""
        doc = yield from self._describe(balancer_id)
        return BALANCER(doc, driver=self)

    @operation
    def create_balancer(
        self,
        name: str,
        port: int = 80,
        protocol: str = "http",
        algorithm: Algorithm = Algorithm.ROUND_ROBIN,
        members: Sequence[Member] = (),
        ex_members_availability_zones: Sequence[str] | None = None,
        *,
        ex_subnets: Sequence[str] | None = None,
        ex_security_groups: Sequence[str] | None = None,
        ex_scheme: str | None = None,
        ex_tags: Mapping[str, str] | None = None,
        ex_instance_port: int | None = None,
        ex_instance_protocol: str | None = None,
        ex_ssl_certificate_id: str | None = None,
        ex_health_check: HealthCheck | None = None,
    ) -> Flow[LoadBalancer]:
        """Create a balancer with a listener on ``port`` (to ``ex_instance_port``, default
        ``port``), ``members`` registered and ``ex_health_check`` configured.

        It lives in ``ex_subnets`` (a VPC) or else in the zones
        ``ex_members_availability_zones`` (``"a"`` or ``"eu-west-1a"``; default ``["a"]``).
        Everything is checked before the first request; if a later step fails, the balancer is
        deleted again before the error is raised.
        """
        if not _NAME.match(name):
            raise ValidationError(
                f"a classic load balancer name is 1 to 32 letters, digits or hyphens, not "
                f"starting or ending with a hyphen: {name!r}"
            )
        if Algorithm(algorithm) != Algorithm.ROUND_ROBIN:
            raise ValidationError(
                f"classic ELB takes no algorithm ({algorithm} asked): use Algorithm.ROUND_ROBIN"
            )
        listener = _listener(
            Listener(
                port,
                protocol,
                ex_instance_port or port,
                ex_instance_protocol,
                ex_ssl_certificate_id,
            )
        )
        if ex_health_check is not None:
            _check_target(ex_health_check)
        instance_ids = [_instance_id(m) for m in members]
        params: dict[str, Any] = {
            "LoadBalancerName": name,
            "Listeners": [listener.params()],
            "Subnets": list(ex_subnets) if ex_subnets else None,
            "AvailabilityZones": None if ex_subnets else self._zones(ex_members_availability_zones),
            "SecurityGroups": list(ex_security_groups) if ex_security_groups else None,
            "Scheme": ex_scheme,
            "Tags": [{"Key": k, "Value": v} for k, v in (ex_tags or {}).items()] or None,
        }
        yield from self._call("CreateLoadBalancer", params)
        try:
            if ex_health_check is not None:
                yield from type(self).ex_configure_health_check(self, name, ex_health_check)
            if instance_ids:
                yield from self._register(name, instance_ids)
            balancer = yield from type(self).get_balancer(self, name)
        except Exception:
            with contextlib.suppress(OmnicloudError):  # the original error is the one to report
                yield from self._call("DeleteLoadBalancer", {"LoadBalancerName": name})
            raise
        return balancer

    def _register(self, name: str, instance_ids: Sequence[str]) -> Flow[None]:
        params = {
            "LoadBalancerName": name,
            "Instances": [{"InstanceId": i} for i in instance_ids],
        }
        yield from self._call("RegisterInstancesWithLoadBalancer", params)

    @operation
    def destroy_balancer(self, balancer: LoadBalancer) -> Flow[bool]:
        """Delete the balancer (AWS answers success for one already gone)."""
        yield from self._call("DeleteLoadBalancer", {"LoadBalancerName": _name_of(balancer)})
        return True

    @operation
    def balancer_attach_member(self, balancer: LoadBalancer, member: Member) -> Flow[Member]:
        """Register the instance ``member.id`` (``RegisterInstancesWithLoadBalancer``)."""
        yield from self._register(_name_of(balancer), [_instance_id(member)])
        return Member(member.id, member.ip, member.port, _model(balancer))

    @operation
    def balancer_detach_member(self, balancer: LoadBalancer, member: Member) -> Flow[bool]:
        """Deregister the instance ``member.id``; False (and no change) if it was not
        registered."""
        name = _name_of(balancer)
        doc = yield from self._describe(name)
        registered = {str(i.get("InstanceId")) for i in as_list(doc.get("Instances"))}
        if member.id not in registered:
            return False
        params = {"LoadBalancerName": name, "Instances": [{"InstanceId": member.id}]}
        yield from self._call("DeregisterInstancesFromLoadBalancer", params)
        return True

    @operation
    def balancer_list_members(self, balancer: LoadBalancer) -> Flow[list[Member]]:
        """The registered instances with their health (``DescribeInstanceHealth``):
        ``extra["state"]`` is ``InService``, ``OutOfService`` or ``Unknown``, with
        ``reason_code`` and ``description``."""
        result = yield from self._call(
            "DescribeInstanceHealth", {"LoadBalancerName": _name_of(balancer)}
        )
        convert = MEMBER.bind(balancer=_model(balancer))
        out: dict[str, Member] = {}
        for doc in as_list(result.get("InstanceStates")):
            member = convert(doc)
            out.setdefault(member.id, member)
        return list(out.values())

    # -- classic ELB extras (Libcloud's ELBDriver names where it has them) --------------------
    @operation
    def ex_get_listeners(self, balancer: Any) -> Flow[list[Listener]]:
        """The listeners of ``balancer`` (a balancer or its name), with their policy names."""
        doc = yield from self._describe(_name_of(balancer))
        return [listener_of(d) for d in as_list(doc.get("ListenerDescriptions"))]

    @operation
    def ex_create_balancer_listeners(
        self, balancer: Any, listeners: Sequence[ListenerSpec]
    ) -> Flow[bool]:
        """Add listeners (``CreateLoadBalancerListeners``); False if none were given."""
        made = [_listener(spec) for spec in listeners]
        if not made:
            return False
        params = {
            "LoadBalancerName": _name_of(balancer),
            "Listeners": [listener.params() for listener in made],
        }
        yield from self._call("CreateLoadBalancerListeners", params)
        return True

    @operation
    def ex_delete_balancer_listeners(self, balancer: Any, ports: Iterable[int]) -> Flow[bool]:
        """Remove the listeners on balancer ``ports``; False if none were given."""
        wanted = [int(p) for p in ports]
        if not wanted:
            return False
        params = {"LoadBalancerName": _name_of(balancer), "LoadBalancerPorts": wanted}
        yield from self._call("DeleteLoadBalancerListeners", params)
        return True

    @operation
    def ex_configure_health_check(
        self, balancer: Any, health_check: HealthCheck
    ) -> Flow[HealthCheck]:
        """Set how the balancer checks its instances (``ConfigureHealthCheck``); the check as
        AWS stored it."""
        _check_target(health_check)
        params = {"LoadBalancerName": _name_of(balancer), "HealthCheck": health_check.params()}
        result = yield from self._call("ConfigureHealthCheck", params)
        stored = result.get("HealthCheck")
        return from_wire(HealthCheck, stored) if isinstance(stored, dict) else health_check

    @operation
    def ex_list_balancer_policies(self, balancer: Any) -> Flow[list[str]]:
        """The names of the balancer's policies."""
        policies = yield from type(self).ex_describe_balancer_policies(self, balancer)
        return [p.name for p in policies]

    @operation
    def ex_describe_balancer_policies(
        self, balancer: Any, policy_names: Sequence[str] | None = None
    ) -> Flow[list[Policy]]:
        """The balancer's policies (or those named) with their types and attributes."""
        params = {
            "LoadBalancerName": _name_of(balancer),
            "PolicyNames": list(policy_names) if policy_names else None,
        }
        result = yield from self._call("DescribeLoadBalancerPolicies", params)
        return [from_wire(Policy, d) for d in as_list(result.get("PolicyDescriptions"))]

    @operation
    def ex_create_balancer_policy(
        self,
        balancer: Any,
        policy_name: str,
        policy_type: str,
        policy_attributes: Mapping[str, str] | None = None,
    ) -> Flow[bool]:
        """Create policy ``policy_name`` of ``policy_type`` (``ProxyProtocolPolicyType``,
        ``SSLNegotiationPolicyType``...) with ``policy_attributes``."""
        params = {
            "LoadBalancerName": _name_of(balancer),
            "PolicyName": policy_name,
            "PolicyTypeName": policy_type,
            "PolicyAttributes": [
                {"AttributeName": k, "AttributeValue": v}
                for k, v in (policy_attributes or {}).items()
            ]
            or None,
        }
        yield from self._call("CreateLoadBalancerPolicy", params)
        return True

    @operation
    def ex_delete_balancer_policy(self, balancer: Any, policy_name: str) -> Flow[bool]:
        """Delete a policy no listener or backend uses."""
        params = {"LoadBalancerName": _name_of(balancer), "PolicyName": policy_name}
        yield from self._call("DeleteLoadBalancerPolicy", params)
        return True

    @operation
    def ex_set_balancer_policies_listener(
        self, balancer: Any, port: int, policies: Sequence[str]
    ) -> Flow[bool]:
        """Replace the policies of the listener on ``port`` (an empty list removes them)."""
        params = {
            "LoadBalancerName": _name_of(balancer),
            "LoadBalancerPort": int(port),
            "PolicyNames": list(policies) or "",  # an empty value clears them
        }
        yield from self._call("SetLoadBalancerPoliciesOfListener", params)
        return True

    @operation
    def ex_set_balancer_policies_backend_server(
        self, balancer: Any, instance_port: int, policies: Sequence[str]
    ) -> Flow[bool]:
        """Replace the policies for the instances' ``instance_port`` (an empty list removes
        them)."""
        params = {
            "LoadBalancerName": _name_of(balancer),
            "InstancePort": int(instance_port),
            "PolicyNames": list(policies) or "",  # an empty value clears them
        }
        yield from self._call("SetLoadBalancerPoliciesForBackendServer", params)
        return True

    @operation
    def ex_describe_tags(self, balancer: Any) -> Flow[dict[str, str]]:
        """The tags of ``balancer``."""
        name = _name_of(balancer)
        tags = yield from self._tags([name])
        return tags.get(name, {})

    @operation
    def ex_create_tags(self, balancer: Any, tags: Mapping[str, str]) -> Flow[bool]:
        """Add (or overwrite) ``tags``; False if none were given."""
        if not tags:
            return False
        params = {
            "LoadBalancerNames": [_name_of(balancer)],
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        }
        yield from self._call("AddTags", params)
        return True

    @operation
    def ex_delete_tags(self, balancer: Any, keys: Iterable[str]) -> Flow[bool]:
        """Remove the tags ``keys`` (a mapping's keys too); False if none were given."""
        wanted = [{"Key": k} for k in keys]
        if not wanted:
            return False
        params = {"LoadBalancerNames": [_name_of(balancer)], "Tags": wanted}
        yield from self._call("RemoveTags", params)
        return True


class ELBDriver(SyncShell, ELBDriverCore):
    """Amazon classic ELB: ``ELBDriver(key, secret, region)``."""


class AsyncELBDriver(AsyncShell, ELBDriverCore):
    """Amazon classic ELB, async: ``async with AsyncELBDriver(key, secret, region) as d:``."""
