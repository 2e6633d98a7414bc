"""The classic ELB driver (sync and async) passes the load balancer suite on moto, over TCP and
HTTP listeners, with two EC2 instances of a region of its own as members.

moto only: ministack (1.5.33) answers the ``elasticloadbalancing`` endpoint with ELBv2 alone
(a classic action such as ``RegisterInstancesWithLoadBalancer`` is an ``InvalidAction``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.http import HttpConfig, RetryPolicy
from omnicloud.loadbalancer import Member
from omnicloud.loadbalancer.drivers.elb import AsyncELBDriver, ELBDriver
from tests.aws.conftest import fresh_region
from tests.support.s3servers import S3Server

from ._twin import MODES, Subject, open_subject
from .loadbalancer import LoadBalancerCaps, TestLoadBalancerConformance

__all__ = ["TestLoadBalancerConformance"]

QUICK = RetryPolicy(max_attempts=4, backoff=0.01, backoff_cap=0.05, total_seconds=10)
AMI = "ami-12c6146b"  # one of moto's built-in images
PROTOCOLS = ("tcp", "http")
Setup = tuple[S3Server, str, str, tuple[str, ...]]


@pytest.fixture(scope="module")
def elb_setup(moto_server: S3Server) -> Setup:
    """Made once for the module: a region of its own, its first zone and two instances."""
    import boto3

    region = fresh_region()
    ec2 = boto3.client(
        "ec2",
        endpoint_url=moto_server.endpoint,
        region_name=region,
        aws_access_key_id=moto_server.key,
        aws_secret_access_key=moto_server.secret,
    )
    zone = ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]
    made = ec2.run_instances(
        ImageId=AMI,
        MinCount=2,
        MaxCount=2,
        InstanceType="t3.micro",
        Placement={"AvailabilityZone": zone},
    )
    return moto_server, region, zone, tuple(i["InstanceId"] for i in made["Instances"])


@pytest.fixture(params=[(p, mode) for p in PROTOCOLS for mode in MODES], ids=str)
def loadbalancer_driver(
    request: pytest.FixtureRequest, elb_setup: Setup, portal: Any
) -> Iterator[Subject[LoadBalancerCaps]]:
    protocol, mode = request.param
    server, region, zone, instances = elb_setup
    caps = LoadBalancerCaps(
        members=tuple(Member(i, None, None) for i in instances),
        protocol=protocol,
        create_options={"ex_members_availability_zones": [zone]},
    )

    def make(asynchronous: bool) -> Any:
        cls = AsyncELBDriver if asynchronous else ELBDriver
        return cls(
            server.key,
            server.secret,
            region,
            endpoint=server.endpoint,
            page_size=2,
            http=HttpConfig(retry=QUICK),
        )

    with open_subject(mode, make, caps, portal) as subject:
        yield subject
