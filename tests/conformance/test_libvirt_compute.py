"""The libvirt compute driver (sync and async) passes the compute conformance suite on libvirt's
in-process test hypervisor (``test:///default``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.compute.drivers.libvirt import AsyncLibvirtNodeDriver, LibvirtNodeDriver

from ._twin import MODES, Subject, open_subject
from .compute import ComputeCaps, NodeSpec, TestComputeConformance

__all__ = ["TestComputeConformance"]

URI = "test:///default"


IMAGE = "conformance-image"


def _spec(driver: Any) -> NodeSpec:
    image = next(i for i in driver.list_images() if i.name == IMAGE)
    size = min(driver.list_sizes(), key=lambda s: s.ram)
    return NodeSpec(size, image, driver.list_locations()[0])


@pytest.fixture(scope="module", autouse=True)
def base_image() -> Iterator[None]:
    """A disk image in the test hypervisor's pool (it starts with none). The test hypervisor
    keeps its state while one of its connections is open: this one stays open meanwhile."""
    with LibvirtNodeDriver(URI) as driver:
        if IMAGE not in {i.name for i in driver.list_images()}:
            driver.create_volume(1, IMAGE)
        yield


# The test hypervisor changes disks only in a stopped domain's definition; guests sit behind
# the NAT network "default" (private addresses only); libvirt has no key pairs.
CAPS = ComputeCaps(
    node_spec=_spec, attach_needs_stopped_node=True, key_pairs=False, ssh_interface="private_ips"
)


@pytest.fixture(params=MODES)
def compute_driver(request: pytest.FixtureRequest, portal: Any) -> Iterator[Subject[ComputeCaps]]:
    def make(asynchronous: bool) -> Any:
        return (AsyncLibvirtNodeDriver if asynchronous else LibvirtNodeDriver)(URI)

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject
