"""The ELBv2 driver beyond the conformance suite, sync and async, on moto: listeners, target
groups and their health checks, algorithms, rules, members with ports, paging, clean-up of a
failed create, validation before any request, boto3 as the oracle, and the registry."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import omnicloud
import omnicloud.aio
import omnicloud.loadbalancer.providers as lb_providers
from omnicloud.errors import NotFoundError, OmnicloudError, ValidationError
from omnicloud.http import HttpConfig
from omnicloud.loadbalancer import Algorithm, Member, State
from omnicloud.loadbalancer.drivers.alb import (
    ApplicationLBDriver,
    AsyncApplicationLBDriver,
    HealthCheck,
)
from omnicloud.loadbalancer.drivers.alb_models import BALANCER, as_list
from omnicloud.loadbalancer.providers import Provider
from tests.aws.conftest import QUICK, Moto, fresh_region
from tests.support.modes import Portal, close_in_mode, open_in_mode

Factory = Callable[..., Any]
AMI = "ami-12c6146b"


@pytest.fixture
def make(mode: str, portal: Portal) -> Iterator[Factory]:
    made: list[Any] = []

    def build(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("http", HttpConfig(retry=QUICK))
        driver = open_in_mode(
            mode, portal, ApplicationLBDriver, AsyncApplicationLBDriver, *args, **kwargs
        )
        made.append(driver)
        return driver

    yield build
    for driver in made:
        close_in_mode(driver, portal)


@pytest.fixture(scope="module")
def region(moto_server: Any) -> tuple[str, list[str]]:
    """A region of this module's own, with three instances of its default VPC."""
    region = fresh_region()
    ec2 = Moto(moto_server.endpoint, moto_server.key, moto_server.secret).boto3("ec2", region)
    made = ec2.run_instances(ImageId=AMI, MinCount=3, MaxCount=3, InstanceType="t3.micro")
    return region, [i["InstanceId"] for i in made["Instances"]]


@pytest.fixture
def elb(make: Factory, moto: Moto, region: tuple[str, list[str]]) -> Any:
    return make(moto.key, moto.secret, region[0], endpoint=moto.endpoint, page_size=2)


def _name(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_create_makes_balancer_listener_and_target_group(
    elb: Any, moto: Moto, region: tuple[str, list[str]]
) -> None:
    first, second, _ = region[1]
    name = _name()
    balancer = elb.create_balancer(
        name, 8080, "HTTP", Algorithm.ROUND_ROBIN, [Member(first, None, None)],
        ex_target_port=9000, ex_tags={"team": "web"},
    )  # fmt: skip
    assert balancer.id.startswith("arn:aws:elasticloadbalancing:") and balancer.port == 8080
    assert balancer.state in (State.PENDING, State.RUNNING)
    assert balancer.extra["type"] == "application" and balancer.extra["vpc"].startswith("vpc-")
    assert len(balancer.extra["subnets"]) >= 2  # the default subnets, one per zone
    group = balancer.extra["target_group"]
    assert group.name == f"{name}-tg" and group.port == 9000 and group.protocol == "HTTP"
    assert group.health_check.path == "/" and group.health_check.protocol == "HTTP"

    oracle = moto.boto3("elbv2", region[0])
    listeners = oracle.describe_listeners(LoadBalancerArn=balancer.id)["Listeners"]
    assert [(x["Port"], x["Protocol"]) for x in listeners] == [(8080, "HTTP")]
    assert listeners[0]["DefaultActions"][0]["TargetGroupArn"] == group.id
    health = oracle.describe_target_health(TargetGroupArn=group.id)["TargetHealthDescriptions"]
    assert [(t["Target"]["Id"], t["Target"]["Port"]) for t in health] == [(first, 9000)]
    assert elb.ex_get_balancer_tags(balancer) == {"team": "web"}

    got = elb.get_balancer(balancer.id)
    assert got.port == 8080 and [x.port for x in got.extra["listeners"]] == [8080]
    assert elb.get_balancer(name).id == balancer.id  # by name too

    attached = elb.balancer_attach_member(balancer, Member(second, None, 9100))
    assert attached.port == 9100 and attached.balancer is balancer
    members = {(m.id, m.port) for m in elb.balancer_list_members(balancer)}
    assert members == {(first, 9000), (second, 9100)}
    assert all(m.extra["target_group"] == group.id for m in elb.balancer_list_members(balancer))
    assert elb.balancer_detach_member(balancer, Member(second, None, None)) is True
    assert elb.balancer_detach_member(balancer, Member(second, None, None)) is False
    assert elb.destroy_balancer(balancer) is True
    groups = oracle.describe_target_groups()["TargetGroups"]
    assert group.id not in {g["TargetGroupArn"] for g in groups}  # its own group went too


def test_network_balancer(elb: Any, region: tuple[str, list[str]]) -> None:
    check = HealthCheck(port="8081", interval=10, healthy_threshold=3, unhealthy_threshold=3)
    balancer = elb.create_balancer(
        _name("n"), 443, "tcp", Algorithm.ROUND_ROBIN, [Member(region[1][0], None, None)],
        ex_health_check=check, ex_scheme="internal",
    )  # fmt: skip
    try:
        assert balancer.extra["type"] == "network" and balancer.extra["scheme"] == "internal"
        group = elb.ex_get_target_group(balancer.extra["target_group"].id)
        assert group.protocol == "TCP" and group.port == 443
        assert (group.health_check.port, group.health_check.interval) == ("8081", 10)
        assert group.health_check.protocol == "TCP"
        assert elb.ex_get_listeners(balancer)[0].protocol == "TCP"
    finally:
        elb.destroy_balancer(balancer)


def test_algorithm_and_health_check_changes(elb: Any) -> None:
    balancer = elb.create_balancer(_name(), 80, "http", Algorithm.LEAST_CONNECTIONS, [])
    try:
        group = balancer.extra["target_group"]
        assert elb.ex_get_algorithm(group) == Algorithm.LEAST_CONNECTIONS
        assert balancer.extra["algorithm"] == Algorithm.LEAST_CONNECTIONS
        elb.ex_set_algorithm(group, Algorithm.RANDOM)
        assert elb.ex_get_algorithm(group) == Algorithm.RANDOM
        assert set(elb.list_supported_algorithms()) == {
            Algorithm.ROUND_ROBIN, Algorithm.LEAST_CONNECTIONS, Algorithm.RANDOM,
        }  # fmt: skip
        elb.ex_modify_health_check(group, HealthCheck(path="/health", interval=15, matcher="204"))
        check = elb.ex_get_target_group(group.id).health_check
        assert (check.path, check.interval, check.matcher) == ("/health", 15, "204")
    finally:
        elb.destroy_balancer(balancer)


def test_listener_rules_and_extra_groups(elb: Any, region: tuple[str, list[str]]) -> None:
    balancer = elb.create_balancer(_name(), 80, "http", Algorithm.ROUND_ROBIN, [])
    vpc = balancer.extra["vpc"]
    api = elb.ex_create_target_group(_name("g"), 8000, "http", vpc, health_check_path="/ping")
    try:
        listener = balancer.extra["listener"]
        rule = elb.ex_create_listener_rule(
            listener, 10, api, condition_field="path-pattern", condition_value="/api/*"
        )
        assert rule.priority == "10" and rule.conditions == {"path-pattern": ["/api/*"]}
        assert rule.target_group_id == api.id and rule.listener_id == listener.id
        rules = elb.ex_get_rules(listener)
        assert {r.is_default for r in rules} == {True, False}
        assert elb.ex_get_rule(rule.id).target_group_id == api.id
        assert elb.ex_get_listener(listener.id).target_group_id == balancer.extra["target_group"].id

        # a member of the second group is a member too, and can be detached from it alone
        elb.balancer_attach_member(balancer, Member(region[1][2], None, None), api)
        listed = {(m.id, m.extra["target_group"]) for m in elb.balancer_list_members(balancer)}
        assert listed == {(region[1][2], api.id)}
        assert elb.balancer_detach_member(balancer, Member(region[1][2], None, None), api)
        assert elb.ex_delete_rule(rule) is True
        assert [r.is_default for r in elb.ex_get_rules(listener)] == [True]
    finally:
        elb.destroy_balancer(balancer)
    # a group the caller made is theirs: destroy_balancer leaves it
    assert elb.ex_get_target_group(api.id).name == api.name
    assert elb.ex_delete_target_group(api) is True
    with pytest.raises(NotFoundError):
        elb.ex_get_target_group(api.id)


def test_listings_page(elb: Any, moto: Moto, region: tuple[str, list[str]]) -> None:
    names = [_name("p") for _ in range(3)]
    made = [elb.create_balancer(n, 80, "http", Algorithm.ROUND_ROBIN, []) for n in names]
    try:
        listed = {b.name: b for b in elb.list_balancers()}  # page_size=2: several pages
        assert set(names) <= set(listed)
        oracle = moto.boto3("elbv2", region[0])
        ours = oracle.describe_load_balancers(Names=names)["LoadBalancers"]
        assert {b["LoadBalancerArn"] for b in ours} == {listed[n].id for n in names}
        assert len(elb.ex_get_target_groups()) >= 3
    finally:
        for balancer in made:
            elb.destroy_balancer(balancer)


def test_missing_things_are_not_found(elb: Any) -> None:
    with pytest.raises(NotFoundError):
        elb.get_balancer("no-such-balancer")
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/0123456789abcdef"
    with pytest.raises(NotFoundError):
        elb.get_balancer(arn)
    with pytest.raises(NotFoundError):
        elb.ex_get_target_group("no-such-group")


def test_failed_create_leaves_nothing(elb: Any, moto: Moto, region: tuple[str, list[str]]) -> None:
    name = _name("f")
    oracle = moto.boto3("elbv2", region[0])
    vpc = moto.boto3("ec2", region[0]).describe_vpcs(
        Filters=[{"Name": "isDefault", "Values": ["true"]}]
    )["Vpcs"][0]["VpcId"]
    # a group already named NAME-tg makes the second step fail, after the balancer exists
    taken = oracle.create_target_group(Name=f"{name}-tg", Protocol="HTTP", Port=1234, VpcId=vpc)
    taken_arn = taken["TargetGroups"][0]["TargetGroupArn"]
    with pytest.raises(OmnicloudError):
        elb.create_balancer(name, 80, "http", Algorithm.ROUND_ROBIN, [])
    balancers = oracle.describe_load_balancers()["LoadBalancers"]
    assert name not in {b["LoadBalancerName"] for b in balancers}  # the balancer was undone
    groups = oracle.describe_target_groups(TargetGroupArns=[taken_arn])["TargetGroups"]
    assert groups[0]["Port"] == 1234  # and the group it did not make is left alone
    oracle.delete_target_group(TargetGroupArn=taken_arn)


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (("ftp", Algorithm.ROUND_ROBIN), {}, "not 'ftp'"),
        (("tcp", Algorithm.LEAST_CONNECTIONS), {}, "takes no algorithm"),
        (("http", Algorithm.PERSISTENT_IP), {}, "does not support"),
        (("https", Algorithm.ROUND_ROBIN), {}, "need ex_ssl_cert_arn"),
        (("tcp", Algorithm.ROUND_ROBIN), {"ex_type": "application"}, "speaks http, https"),
    ],
)
def test_bad_arguments_fail_before_any_request(
    args: tuple[str, Algorithm], options: dict[str, Any], message: str
) -> None:
    # nothing listens on port 9: a request would fail with a transport error instead
    with ApplicationLBDriver(
        "AKID", "s3cr3t-value", "eu-west-1", endpoint="http://127.0.0.1:9"
    ) as d:
        with pytest.raises(ValidationError, match=message):
            d.create_balancer("x", 443, args[0], args[1], [], **options)
        assert "s3cr3t-value" not in repr(d)


def test_registry_names() -> None:
    assert omnicloud.get_driver(Provider.ALB) is ApplicationLBDriver
    assert omnicloud.get_driver(omnicloud.Provider.ALB) is ApplicationLBDriver
    assert omnicloud.get_driver("loadbalancer", "alb") is ApplicationLBDriver
    assert omnicloud.aio.get_driver(Provider.ALB) is AsyncApplicationLBDriver
    assert lb_providers.get_driver("alb") is ApplicationLBDriver
    assert lb_providers.get_async_driver(Provider.ALB) is AsyncApplicationLBDriver
    # classic ELB is another API (2012-06-01), with a driver of its own
    from omnicloud.loadbalancer.drivers.elb import ELBDriver

    assert lb_providers.get_driver(Provider.ELB) is ELBDriver
    assert ApplicationLBDriver.name == "Amazon Application Load Balancing"
    from omnicloud.loadbalancer.drivers import alb

    assert (alb.ALBTargetGroup, alb.ALBListener, alb.ALBRule) == (
        alb.TargetGroup, alb.Listener, alb.Rule,
    )  # fmt: skip


def test_credentials_chain_and_region(monkeypatch: pytest.MonkeyPatch, moto: Moto) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto.key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto.secret)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    with ApplicationLBDriver() as d:
        assert d.region == "ap-south-1"
        assert d.endpoint == "https://elasticloadbalancing.ap-south-1.amazonaws.com/"
    with ApplicationLBDriver(endpoint=moto.endpoint) as d:
        assert isinstance(d.list_balancers(), list)
        assert moto.secret not in repr(d)


def test_balancer_states_are_total() -> None:
    doc = {"LoadBalancerArn": "arn:x", "LoadBalancerName": "n", "State": {"Code": "weird"}}
    assert BALANCER(doc, driver=None).state == State.UNKNOWN
    doc["State"] = {"Code": "active"}
    assert BALANCER(doc, driver=None).state == State.RUNNING
    assert BALANCER({"State": {"Code": "provisioning"}}).state == State.PENDING
    assert as_list("") == [] and as_list({"a": 1}) == [{"a": 1}]
