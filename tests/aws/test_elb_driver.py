"""The classic ELB driver beyond the conformance suite, sync and async, on moto (ministack has
no classic ELB): listeners, policies, health checks, tags, members that are real EC2 instances,
clear errors for missing balancers and duplicate names, clean-up of a failed create, checks
before any request, secrets kept out of reprs and errors, boto3 as the oracle, the registry."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import omnicloud
import omnicloud.aio
import omnicloud.loadbalancer.providers as lb_providers
from omnicloud._shell import operation
from omnicloud.aws._errors import AwsAlreadyExistsError, AwsError
from omnicloud.compute.drivers.ec2 import EC2NodeDriver
from omnicloud.config import Profile
from omnicloud.errors import NotFoundError, ValidationError
from omnicloud.http import HttpConfig
from omnicloud.loadbalancer import Algorithm, LoadBalancer, Member, State
from omnicloud.loadbalancer.drivers import elb as elb_module
from omnicloud.loadbalancer.drivers.alb import ApplicationLBDriver
from omnicloud.loadbalancer.drivers.elb import (
    AsyncELBDriver,
    ELBDriver,
    HealthCheck,
    Listener,
)
from omnicloud.loadbalancer.drivers.elb_models import BALANCER, MEMBER, as_list, listener_of
from omnicloud.loadbalancer.providers import Provider
from tests.aws.conftest import QUICK, Moto, fresh_region
from tests.support.modes import Portal, close_in_mode, open_in_mode

Factory = Callable[..., Any]
AMI = "ami-12c6146b"
Region = tuple[str, str, list[str]]  # region, zone, three instance ids


@pytest.fixture
def make(mode: str, portal: Portal) -> Iterator[Factory]:
    made: list[Any] = []

    def build(
        *args: Any, sync_cls: Any = ELBDriver, async_cls: Any = AsyncELBDriver, **kw: Any
    ) -> Any:
        kw.setdefault("http", HttpConfig(retry=QUICK))
        driver = open_in_mode(mode, portal, sync_cls, async_cls, *args, **kw)
        made.append(driver)
        return driver

    yield build
    for driver in made:
        close_in_mode(driver, portal)


@pytest.fixture(scope="module")
def region(moto_server: Any) -> Region:
    """A region of this module's own, its first zone, and three instances there."""
    region = fresh_region()
    ec2 = Moto(moto_server.endpoint, moto_server.key, moto_server.secret).boto3("ec2", region)
    zone = ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]
    made = ec2.run_instances(
        ImageId=AMI, MinCount=3, MaxCount=3, InstanceType="t3.micro",
        Placement={"AvailabilityZone": zone},
    )  # fmt: skip
    return region, zone, [i["InstanceId"] for i in made["Instances"]]


@pytest.fixture
def elb(make: Factory, moto: Moto, region: Region) -> Any:
    return make(moto.key, moto.secret, region[0], endpoint=moto.endpoint, page_size=2)


def _name(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _create(elb: Any, region: Region, name: str, **options: Any) -> LoadBalancer:
    options.setdefault("ex_members_availability_zones", [region[1]])
    port = options.pop("port", 80)
    protocol = options.pop("protocol", "tcp")
    members = options.pop("members", [])
    balancer: LoadBalancer = elb.create_balancer(
        name, port, protocol, Algorithm.ROUND_ROBIN, members, **options
    )
    return balancer


def test_create_with_listener_members_health_check_and_tags(
    elb: Any, moto: Moto, region: Region
) -> None:
    first = region[2][0]
    name = _name()
    check = HealthCheck("HTTP:9000/health", interval=15, healthy_threshold=3)
    balancer = _create(
        elb, region, name, port=8080, protocol="HTTP", members=[Member(first, None, None)],
        ex_instance_port=9000, ex_tags={"team": "web"}, ex_health_check=check,
    )  # fmt: skip
    try:
        assert (balancer.id, balancer.name, balancer.port) == (name, name, 8080)
        assert balancer.state == State.RUNNING and balancer.ip and name in balancer.ip
        assert balancer.extra["availability_zones"] == [region[1]]
        assert balancer.extra["vpc_id"].startswith("vpc-")
        [listener] = balancer.extra["listeners"]
        assert (listener.port, listener.protocol, listener.instance_port) == (8080, "HTTP", 9000)
        assert balancer.extra["health_check"] == check
        assert balancer.extra["instance_ids"] == [first]

        oracle = moto.boto3("elb", region[0])
        [described] = oracle.describe_load_balancers(LoadBalancerNames=[name])[
            "LoadBalancerDescriptions"
        ]
        assert [(d["Listener"]["LoadBalancerPort"], d["Listener"]["InstancePort"])
                for d in described["ListenerDescriptions"]] == [(8080, 9000)]  # fmt: skip
        assert described["HealthCheck"]["Target"] == "HTTP:9000/health"
        assert described["HealthCheck"]["Interval"] == 15
        assert [i["InstanceId"] for i in described["Instances"]] == [first]
        assert elb.ex_describe_tags(balancer) == {"team": "web"}
        assert elb.get_balancer(name).extra["health_check"].healthy_threshold == 3
    finally:
        assert elb.destroy_balancer(balancer) is True
    assert name not in {
        b["LoadBalancerName"] for b in oracle.describe_load_balancers()["LoadBalancerDescriptions"]
    }


def test_members_are_ec2_instances(elb: Any, moto: Moto, region: Region) -> None:
    first, second, third = region[2]
    balancer = _create(elb, region, _name(), members=[Member(first, None, None)])
    oracle = moto.boto3("elb", region[0])
    try:
        [listed] = elb.balancer_list_members(balancer)
        assert listed.id == first and listed.balancer is balancer
        assert listed.extra["state"] == "InService"  # moto: a running instance is in service

        attached = elb.balancer_attach_member(balancer, Member(second, None, None))
        assert attached.id == second and attached.balancer is balancer
        with EC2NodeDriver(moto.key, moto.secret, region=region[0], endpoint=moto.endpoint) as ec2:
            [node] = ec2.list_nodes(ex_node_ids=[third])
        assert elb.balancer_attach_compute_node(balancer, node).id == third
        # registering an instance twice leaves one member
        elb.balancer_attach_member(balancer, Member(third, None, None))
        assert sorted(m.id for m in elb.balancer_list_members(balancer)) == sorted(region[2])

        assert elb.balancer_detach_member(balancer, Member(first, None, None)) is True
        assert elb.balancer_detach_member(balancer, Member(first, None, None)) is False
        health = oracle.describe_instance_health(LoadBalancerName=balancer.name)
        assert {s["InstanceId"] for s in health["InstanceStates"]} == {second, third}
        again = elb.get_balancer(balancer.id)
        assert {m.id for m in elb.balancer_list_members(again)} == {second, third}
    finally:
        elb.destroy_balancer(balancer)


def test_listeners(elb: Any, moto: Moto, region: Region) -> None:
    balancer = _create(elb, region, _name(), port=80, protocol="tcp")
    try:
        more = [(8081, 9001, "tcp"), Listener(8443, "http", 9443, "http")]
        assert elb.ex_create_balancer_listeners(balancer, more) is True
        assert elb.ex_create_balancer_listeners(balancer, []) is False
        found = {(x.port, x.protocol, x.instance_port) for x in elb.ex_get_listeners(balancer)}
        assert found == {(80, "TCP", 80), (8081, "TCP", 9001), (8443, "HTTP", 9443)}
        # the same balancer port to another instance port is a duplicate listener
        with pytest.raises(AwsAlreadyExistsError) as caught:
            elb.ex_create_balancer_listeners(balancer, [(8081, 7000, "tcp")])
        assert caught.value.code == "DuplicateListener"
        assert elb.ex_delete_balancer_listeners(balancer, [8081]) is True
        oracle = moto.boto3("elb", region[0])
        descriptions = oracle.describe_load_balancers(LoadBalancerNames=[balancer.name])[
            "LoadBalancerDescriptions"
        ][0]["ListenerDescriptions"]
        assert sorted(d["Listener"]["LoadBalancerPort"] for d in descriptions) == [80, 8443]
        assert elb.get_balancer(balancer.name).port == 80
    finally:
        elb.destroy_balancer(balancer)


def test_policies(elb: Any, moto: Moto, region: Region) -> None:
    balancer = _create(elb, region, _name(), port=80, protocol="tcp")
    try:
        assert elb.ex_list_balancer_policies(balancer) == []
        made = elb.ex_create_balancer_policy(
            balancer, "proxy", "ProxyProtocolPolicyType", {"ProxyProtocol": "true"}
        )
        assert made is True
        elb.ex_create_balancer_policy(balancer.name, "other", "ProxyProtocolPolicyType")
        assert elb.ex_list_balancer_policies(balancer) == ["proxy", "other"]
        [proxy] = elb.ex_describe_balancer_policies(balancer, ["proxy"])
        assert (proxy.name, proxy.type_name) == ("proxy", "ProxyProtocolPolicyType")
        assert proxy.attributes == {"ProxyProtocol": "true"}
        assert "proxy" in elb.get_balancer(balancer.id).extra["policies"]

        assert elb.ex_set_balancer_policies_listener(balancer, 80, ["proxy"]) is True
        assert [x.policy_names for x in elb.ex_get_listeners(balancer)] == [["proxy"]]
        oracle = moto.boto3("elb", region[0])
        described = oracle.describe_load_balancers(LoadBalancerNames=[balancer.name])
        listener = described["LoadBalancerDescriptions"][0]["ListenerDescriptions"][0]
        assert listener["PolicyNames"] == ["proxy"]
        assert elb.ex_set_balancer_policies_listener(balancer, 80, []) is True
        assert [x.policy_names for x in elb.ex_get_listeners(balancer)] == [[]]

        elb.ex_set_balancer_policies_backend_server(balancer, 80, ["proxy", "other"])
        assert elb.get_balancer(balancer.id).extra["backend_policies"] == {80: ["proxy", "other"]}

        assert elb.ex_delete_balancer_policy(balancer, "other") is True
        assert elb.ex_list_balancer_policies(balancer) == ["proxy"]
        with pytest.raises(NotFoundError):
            elb.ex_describe_balancer_policies(balancer, ["other"])
    finally:
        elb.destroy_balancer(balancer)


def test_health_check(elb: Any, moto: Moto, region: Region) -> None:
    balancer = _create(elb, region, _name())
    try:
        assert elb.get_balancer(balancer.id).extra["health_check"] is None  # none configured
        wanted = HealthCheck("SSL:443", interval=10, timeout=4, unhealthy_threshold=3)
        stored = elb.ex_configure_health_check(balancer, wanted)
        assert stored == wanted and stored is not wanted  # read back from the answer
        oracle = moto.boto3("elb", region[0])
        check = oracle.describe_load_balancers(LoadBalancerNames=[balancer.name])[
            "LoadBalancerDescriptions"
        ][0]["HealthCheck"]
        assert (check["Target"], check["Interval"], check["Timeout"]) == ("SSL:443", 10, 4)
        assert (check["UnhealthyThreshold"], check["HealthyThreshold"]) == (3, 10)
        assert elb.get_balancer(balancer.id).extra["health_check"] == wanted
    finally:
        elb.destroy_balancer(balancer)


def test_tags_and_listing_pages(elb: Any, region: Region, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(elb_module, "_TAG_BATCH", 2)  # DescribeTags in batches of 2, not 20
    names = [_name("p") for _ in range(3)]
    made = [_create(elb, region, n, ex_tags={"n": n}) for n in names]
    try:
        plain = {b.name: b for b in elb.list_balancers()}  # page_size=2: several pages
        assert set(names) <= set(plain) and "tags" not in plain[names[0]].extra
        tagged = {b.name: b for b in elb.list_balancers(ex_fetch_tags=True)}
        assert all(tagged[n].extra["tags"] == {"n": n} for n in names)
        assert all(b.driver is not None for b in tagged.values())

        assert elb.ex_create_tags(made[0], {"env": "test", "n": "changed"}) is True
        assert elb.ex_create_tags(made[0], {}) is False
        assert elb.ex_describe_tags(made[0]) == {"n": "changed", "env": "test"}
        assert elb.ex_delete_tags(made[0], ["n"]) is True
        assert elb.ex_delete_tags(made[0], []) is False
        assert elb.ex_describe_tags(made[0]) == {"env": "test"}
    finally:
        for balancer in made:
            elb.destroy_balancer(balancer)


def test_missing_balancer_is_a_clear_not_found(elb: Any, moto: Moto) -> None:
    with pytest.raises(NotFoundError) as caught:
        elb.get_balancer("no-such-balancer")
    assert caught.value.code == "LoadBalancerNotFound"
    assert "no-such-balancer" in str(caught.value) and moto.secret not in str(caught.value)
    ghost = LoadBalancer("no-such-balancer", "no-such-balancer", State.RUNNING, None, 80)
    calls: list[Callable[[], Any]] = [
        lambda: elb.balancer_list_members(ghost),
        lambda: elb.balancer_detach_member(ghost, Member("i-0123456789abcdef0", None, None)),
        lambda: elb.ex_get_listeners(ghost),
        lambda: elb.ex_describe_tags(ghost),
        lambda: elb.ex_list_balancer_policies("no-such-balancer"),
    ]
    for call in calls:
        with pytest.raises(NotFoundError, match="LoadBalancerNotFound"):
            call()
    # DeleteLoadBalancer succeeds for a balancer already gone (as on AWS)
    assert elb.destroy_balancer(ghost) is True


def test_a_duplicate_name_is_refused(elb: Any, region: Region) -> None:
    name = _name("d")
    balancer = _create(elb, region, name, port=80)
    try:
        with pytest.raises(AwsAlreadyExistsError) as caught:
            _create(elb, region, name, port=81)
        assert caught.value.code == "DuplicateLoadBalancerName" and name in str(caught.value)
        # the first one is untouched (the failed create does not delete it)
        assert [x.port for x in elb.ex_get_listeners(name)] == [80]
    finally:
        elb.destroy_balancer(balancer)


class _RefusesHealthChecks:
    @operation
    def ex_configure_health_check(self, balancer: Any, health_check: HealthCheck) -> Any:
        yield from ()
        raise AwsError("ConfigureHealthCheck refused", status=400, code="ValidationError")


class _RefusingELB(_RefusesHealthChecks, ELBDriver):
    pass


class _AsyncRefusingELB(_RefusesHealthChecks, AsyncELBDriver):
    pass


def test_a_failed_create_leaves_nothing(make: Factory, moto: Moto, region: Region) -> None:
    refusing = make(
        moto.key, moto.secret, region[0], endpoint=moto.endpoint,
        sync_cls=_RefusingELB, async_cls=_AsyncRefusingELB,
    )  # fmt: skip
    name = _name("f")
    with pytest.raises(AwsError, match="refused"):
        _create(refusing, region, name, ex_health_check=HealthCheck("TCP:80"))
    listed = moto.boto3("elb", region[0]).describe_load_balancers()["LoadBalancerDescriptions"]
    assert name not in {b["LoadBalancerName"] for b in listed}


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (("udp", Algorithm.ROUND_ROBIN), {}, "not 'udp'"),
        (("tcp", Algorithm.LEAST_CONNECTIONS), {}, "takes no algorithm"),
        (("https", Algorithm.ROUND_ROBIN), {}, "need an SSL certificate"),
        (("ssl", Algorithm.ROUND_ROBIN), {}, "need an SSL certificate"),
        (("tcp", Algorithm.ROUND_ROBIN), {"ex_instance_protocol": "ftp"}, "instance protocol"),
        (("tcp", Algorithm.ROUND_ROBIN), {"name": "-edge"}, "name is 1 to 32"),
        (("tcp", Algorithm.ROUND_ROBIN), {"name": "x" * 33}, "name is 1 to 32"),
        (("tcp", Algorithm.ROUND_ROBIN), {"ex_health_check": HealthCheck("HTTP:80")}, "path"),
        (("tcp", Algorithm.ROUND_ROBIN), {"ex_health_check": HealthCheck("UDP:53")}, "target"),
        (("tcp", Algorithm.ROUND_ROBIN), {"ex_health_check": HealthCheck("TCP:80/x")}, "no path"),
        (("tcp", Algorithm.ROUND_ROBIN), {"ex_health_check": HealthCheck("TCP:70000")}, "target"),
        (("tcp", Algorithm.ROUND_ROBIN), {"members": [Member("", None, None)]}, "EC2 instance"),
    ],
)
def test_bad_arguments_fail_before_any_request(
    args: tuple[str, Algorithm], options: dict[str, Any], message: str
) -> None:
    # nothing listens on port 9: a request would fail with a transport error instead
    name = options.pop("name", "web")
    members = options.pop("members", [])
    with ELBDriver("AKID", "s3cr3t-value", "eu-west-1", endpoint="http://127.0.0.1:9") as d:
        with pytest.raises(ValidationError, match=message) as caught:
            d.create_balancer(name, 443, args[0], args[1], members, **options)
        assert "s3cr3t-value" not in repr(d) and "s3cr3t-value" not in str(caught.value)
    with pytest.raises(ValidationError, match="1 to 400"):
        ELBDriver("AKID", "s3cr3t-value", "eu-west-1", page_size=401)


def test_registry_names() -> None:
    assert omnicloud.get_driver(Provider.ELB) is ELBDriver
    assert omnicloud.get_driver(omnicloud.Provider.ELB) is ELBDriver
    assert omnicloud.get_driver("loadbalancer", "elb") is ELBDriver
    assert omnicloud.aio.get_driver(Provider.ELB) is AsyncELBDriver
    assert lb_providers.get_driver("elb") is ELBDriver
    assert lb_providers.get_async_driver(Provider.ELB) is AsyncELBDriver
    assert ELBDriver.name == "Amazon Elastic Load Balancing" and ELBDriver.type == "elb"


def test_an_aws_profile_still_gets_elbv2() -> None:
    profile = Profile("lab", "aws", {"key": "AKID", "secret": "s3cr3t", "region": "eu-west-1"})
    driver = omnicloud.connect(driver_type="loadbalancer", profile=profile)
    try:
        assert type(driver) is ApplicationLBDriver
    finally:
        driver.close()


def test_protocols_algorithms_credentials_chain_and_region(
    monkeypatch: pytest.MonkeyPatch, moto: Moto
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto.key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto.secret)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    with ELBDriver() as d:
        assert d.region == "ap-south-1"
        assert d.endpoint == "https://elasticloadbalancing.ap-south-1.amazonaws.com/"
        assert d.list_protocols() == ["tcp", "ssl", "http", "https"]
        assert d.list_supported_algorithms() == [Algorithm.ROUND_ROBIN]
    with ELBDriver(endpoint=moto.endpoint) as d:
        assert isinstance(d.list_balancers(), list)
        assert moto.secret not in repr(d)


def test_wire_mapping() -> None:
    doc = {
        "LoadBalancerName": "web",
        "DNSName": "web-1.eu-west-1.elb.amazonaws.com",
        "ListenerDescriptions": [
            {
                "Listener": {
                    "Protocol": "HTTPS",
                    "LoadBalancerPort": "443",
                    "InstancePort": "8443",
                    "SSLCertificateId": "arn:cert",
                },
                "PolicyNames": ["a", "b"],
            },
        ],
        "Policies": {
            "AppCookieStickinessPolicies": [{"PolicyName": "app", "CookieName": "c"}],
            "LBCookieStickinessPolicies": "",
            "OtherPolicies": ["x"],
        },
        "BackendServerDescriptions": [{"InstancePort": "8443", "PolicyNames": ["x"]}],
        "Instances": [{"InstanceId": "i-1"}],
        "HealthCheck": {
            "Target": "HTTP:8443/",
            "Interval": "6",
            "Timeout": "5",
            "UnhealthyThreshold": "2",
            "HealthyThreshold": "4",
        },
    }
    balancer = BALANCER(doc, driver="d")
    assert (balancer.id, balancer.ip, balancer.port, balancer.state) == (
        "web", "web-1.eu-west-1.elb.amazonaws.com", 443, State.RUNNING,
    )  # fmt: skip
    assert balancer.driver == "d"
    [listener] = balancer.extra["listeners"]
    assert listener.ssl_certificate_id == "arn:cert" and listener.policy_names == ["a", "b"]
    assert balancer.extra["policies"] == ["app", "x"]
    assert balancer.extra["backend_policies"] == {8443: ["x"]}
    assert balancer.extra["health_check"] == HealthCheck("HTTP:8443/", 6, 5, 2, 4)
    bare = BALANCER({"LoadBalancerName": "b"})
    assert (
        bare.port is None and bare.extra["listeners"] == [] and bare.extra["health_check"] is None
    )
    assert listener_of("") == Listener() and as_list("") == [] and as_list({"a": 1}) == [{"a": 1}]
    member = MEMBER({"InstanceId": "i-1"}, balancer=balancer)
    assert member.extra["state"] == "Unknown" and member.balancer is balancer
    assert Listener(443, "https", None, None, "arn:c").params() == {
        "Protocol": "HTTPS", "LoadBalancerPort": 443, "InstancePort": 443,
        "InstanceProtocol": None, "SSLCertificateId": "arn:c",
    }  # fmt: skip
