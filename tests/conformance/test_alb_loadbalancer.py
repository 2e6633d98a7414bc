"""The ELBv2 load balancer driver (sync and async) passes the load balancer suite on moto (and
on ministack when the session runs it), as an application load balancer (HTTP) and as a
network load balancer (TCP), with two EC2 instances of the region's default VPC as members."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.http import HttpConfig, RetryPolicy
from omnicloud.loadbalancer import Member
from omnicloud.loadbalancer.drivers.alb import ApplicationLBDriver, AsyncApplicationLBDriver
from tests.aws.conftest import fresh_region
from tests.support.s3servers import SELECTED, S3Server

from ._twin import MODES, Subject, open_subject
from .loadbalancer import LoadBalancerCaps, TestLoadBalancerConformance

__all__ = ["TestLoadBalancerConformance"]

QUICK = RetryPolicy(max_attempts=4, backoff=0.01, backoff_cap=0.05, total_seconds=10)
AMI = "ami-12c6146b"  # one of moto's built-in images
KINDS = {"application": "http", "network": "tcp"}


SERVERS = [name for name in ("moto", "ministack") if name == "moto" or name in SELECTED]
Setup = tuple[S3Server, str, tuple[str, ...]]


@pytest.fixture(scope="module")
def alb_setups() -> dict[str, Setup]:
    """Per server, made once for the module: a region of its own and two instances in its
    default VPC."""
    return {}


def _setup(request: pytest.FixtureRequest, name: str, setups: dict[str, Setup]) -> Setup:
    if name not in setups:
        import boto3

        server: S3Server = request.getfixturevalue(f"{name}_server")
        region = fresh_region()
        ec2 = boto3.client(
            "ec2",
            endpoint_url=server.endpoint,
            region_name=region,
            aws_access_key_id=server.key,
            aws_secret_access_key=server.secret,
        )
        made = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, InstanceType="t3.micro")
        setups[name] = (server, region, tuple(i["InstanceId"] for i in made["Instances"]))
    return setups[name]


@pytest.fixture(
    params=[(server, kind, mode) for server in SERVERS for kind in KINDS for mode in MODES],
    ids=str,
)
def loadbalancer_driver(
    request: pytest.FixtureRequest, alb_setups: dict[str, Setup], portal: Any
) -> Iterator[Subject[LoadBalancerCaps]]:
    name, kind, mode = request.param
    server, region, instances = _setup(request, name, alb_setups)
    caps = LoadBalancerCaps(
        members=tuple(Member(i, None, None) for i in instances),
        protocol=KINDS[kind],
        create_options={"ex_type": kind},
    )

    def make(asynchronous: bool) -> Any:
        cls = AsyncApplicationLBDriver if asynchronous else ApplicationLBDriver
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
