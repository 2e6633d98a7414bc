"""The EC2 compute driver (sync and async) passes the compute conformance suite on moto and
ministack."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.compute.drivers.ec2 import AsyncEC2NodeDriver, EC2NodeDriver
from omnicloud.http import HttpConfig
from tests.aws.conftest import EC2_SERVERS, QUICK, fresh_region
from tests.conformance._twin import MODES, Subject, open_subject
from tests.conformance.compute import ComputeCaps, NodeSpec, TestComputeConformance

__all__ = ["TestComputeConformance"]

AMI = "ami-12c6146b"  # one of moto's built-in images


def _spec(driver: Any) -> NodeSpec:
    (size,) = driver.list_sizes(ex_instance_types=["t3.micro"])
    images = driver.list_images(ex_image_ids=[AMI]) or driver.list_images()  # moto / ministack
    return NodeSpec(size, images[0], driver.list_locations()[0])


CAPS = ComputeCaps(node_spec=_spec)


@pytest.fixture(params=[(server, mode) for server in EC2_SERVERS for mode in MODES], ids=str)
def compute_driver(request: pytest.FixtureRequest, portal: Any) -> Iterator[Subject[ComputeCaps]]:
    name, mode = request.param
    server: Any = request.getfixturevalue("moto" if name == "moto" else "ministack_server")
    region = fresh_region() if name == "moto" else "us-east-1"

    def make(asynchronous: bool) -> Any:
        cls = AsyncEC2NodeDriver if asynchronous else EC2NodeDriver
        return cls(
            server.key, server.secret, region=region, endpoint=server.endpoint,
            http=HttpConfig(retry=QUICK),
        )  # fmt: skip

    with open_subject(mode, make, CAPS, portal) as subject:
        yield subject
