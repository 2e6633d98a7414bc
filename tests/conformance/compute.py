"""The compute conformance suite: what every compute driver does, sync and async.

A provider runs it by declaring a ``compute_driver`` fixture that yields a
:class:`~tests.conformance._twin.Subject` whose ``caps`` is a :class:`ComputeCaps`, and importing
:class:`TestComputeConformance` into its test module (see ``test_cloudstack_compute.py``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from omnicloud.compute import (
    KeyPair,
    Node,
    NodeImage,
    NodeLocation,
    NodeSize,
    NodeState,
    NotSupportedError,
    StorageVolume,
)
from omnicloud.errors import NotFoundError

from ._twin import Subject

__all__ = ["ComputeCaps", "NodeSpec", "TestComputeConformance", "unique"]


@dataclass(frozen=True)
class NodeSpec:
    """What ``create_node`` needs on this provider (picked from its catalogue)."""

    size: NodeSize
    image: NodeImage
    location: NodeLocation | None = None


@dataclass(frozen=True)
class ComputeCaps:
    """What the provider supports; an unsupported operation must raise ``NotSupportedError``.

    ``node_spec(driver)`` picks a small size, an image and a location; ``get_node(driver, id)``
    looks one node up by id (Libcloud has none in its base class: ``ex_get_node`` by default);
    ``attach_needs_stopped_node``: volumes are attached to a stopped node only;
    ``ssh_interface``: where a running node's addresses are (``private_ips`` on a hypervisor
    whose guests sit behind NAT, as libvirt's are).
    """

    node_spec: Callable[[Any], NodeSpec]
    get_node: Callable[[Any, str], Node] = lambda driver, node_id: driver.ex_get_node(node_id)
    reboot: bool = True
    start_stop: bool = True
    volumes: bool = True
    attach_needs_stopped_node: bool = False
    key_pairs: bool = True
    ssh_interface: str = "public_ips"


def unique(prefix: str) -> str:
    """A fresh resource name."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _missing_id() -> str:
    return str(uuid.uuid4())


def _owned(subject: Subject[Any], item: Any) -> None:
    assert item.driver is subject.native, f"{type(item).__name__}.driver is not the driver"


def _wait_for(subject: Subject[ComputeCaps], node: Node, state: NodeState) -> Node:
    """Poll the provider's node lookup until ``node`` is in ``state`` (stop/start may return
    before the transition ends, as on CloudSigma)."""
    deadline = time.monotonic() + 20
    while True:
        current = subject.caps.get_node(subject.driver, node.id)
        if current.state is state:
            return current
        assert time.monotonic() < deadline, f"node {node.id} never became {state}"
        time.sleep(0.02)


def _until_running(subject: Subject[ComputeCaps], node: Node) -> tuple[Node, list[str]]:
    """Wait until ``node`` runs with an address where the provider puts them."""
    ready: list[tuple[Node, list[str]]] = subject.driver.wait_until_running(
        [node], wait_period=0.02, timeout=20, ssh_interface=subject.caps.ssh_interface
    )
    return ready[0]


def _gone(nodes: list[Node], node_id: str) -> bool:
    return all(n.id != node_id or n.state is NodeState.TERMINATED for n in nodes)


class TestComputeConformance:
    """Libcloud's compute contract (``compute_driver`` fixture: a ``Subject[ComputeCaps]``)."""

    @pytest.fixture
    def node(self, compute_driver: Subject[ComputeCaps]) -> Iterator[Node]:
        """A fresh node, destroyed after the test (if the test did not)."""
        d, spec = compute_driver.driver, compute_driver.caps.node_spec(compute_driver.driver)
        made: Node = d.create_node(unique("conf"), spec.size, spec.image, location=spec.location)
        yield made
        if not _gone(d.list_nodes(), made.id):
            d.destroy_node(made)

    def test_locations(self, compute_driver: Subject[ComputeCaps]) -> None:
        locations = compute_driver.driver.list_locations()
        assert locations and all(isinstance(loc, NodeLocation) for loc in locations)
        for location in locations:
            assert location.id and location.name and isinstance(location.country, str)
            _owned(compute_driver, location)

    def test_sizes(self, compute_driver: Subject[ComputeCaps]) -> None:
        sizes = compute_driver.driver.list_sizes()
        assert sizes and all(isinstance(size, NodeSize) for size in sizes)
        for size in sizes:
            assert size.id and size.name
            # a "custom" size (the caller chooses the RAM) may have 0 or None
            assert size.ram is None or (isinstance(size.ram, int) and size.ram >= 0)
            _owned(compute_driver, size)
        assert any(size.ram for size in sizes)

    def test_images_and_lookup(self, compute_driver: Subject[ComputeCaps]) -> None:
        d = compute_driver.driver
        images = d.list_images()
        assert images and all(isinstance(image, NodeImage) for image in images)
        for image in images:
            assert image.id and image.name
            _owned(compute_driver, image)
        found = d.get_image(images[0].id)
        assert (found.id, found.name) == (images[0].id, images[0].name)
        with pytest.raises(NotFoundError):
            d.get_image(_missing_id())

    def test_missing_node_is_not_found(self, compute_driver: Subject[ComputeCaps]) -> None:
        with pytest.raises(NotFoundError):
            compute_driver.caps.get_node(compute_driver.driver, _missing_id())

    def test_node_create_list_destroy(self, compute_driver: Subject[ComputeCaps]) -> None:
        d, spec = compute_driver.driver, compute_driver.caps.node_spec(compute_driver.driver)
        name = unique("conf")
        node = d.create_node(name, spec.size, spec.image, location=spec.location)
        assert isinstance(node, Node) and node.id and node.name == name
        assert isinstance(node.state, NodeState)
        _owned(compute_driver, node)
        listed = [n for n in d.list_nodes() if n.id == node.id]
        assert len(listed) == 1 and listed[0].name == name
        assert all(isinstance(n, Node) and n.driver is compute_driver.native for n in listed)
        assert compute_driver.caps.get_node(d, node.id).name == name
        assert d.destroy_node(node) is True
        assert _gone(d.list_nodes(), node.id)

    def test_reboot_start_stop(self, compute_driver: Subject[ComputeCaps], node: Node) -> None:
        d, caps = compute_driver.driver, compute_driver.caps
        node = _until_running(compute_driver, node)[0]
        if caps.reboot:
            assert d.reboot_node(node) is True
        else:
            with pytest.raises(NotSupportedError):
                d.reboot_node(node)
        if not caps.start_stop:
            with pytest.raises(NotSupportedError):
                d.stop_node(node)
            return
        assert d.stop_node(node) is True
        stopped = _wait_for(compute_driver, node, NodeState.STOPPED)
        assert d.start_node(stopped) is True
        running, _ips = _until_running(compute_driver, node)
        assert running.id == node.id and running.state is NodeState.RUNNING

    def test_node_model_methods_reach_the_driver(
        self, compute_driver: Subject[ComputeCaps], node: Node
    ) -> None:
        d = compute_driver.driver
        node = _until_running(compute_driver, node)[0]
        if compute_driver.caps.reboot:
            assert compute_driver.settle(node.reboot()) is True
        assert compute_driver.settle(node.destroy()) is True
        assert _gone(d.list_nodes(), node.id)

    def test_volume_lifecycle(self, compute_driver: Subject[ComputeCaps], node: Node) -> None:
        d, caps = compute_driver.driver, compute_driver.caps
        spec = caps.node_spec(d)
        if not caps.volumes:
            with pytest.raises(NotSupportedError):
                d.create_volume(1, unique("vol"), location=spec.location)
            return
        name = unique("vol")
        volume = d.create_volume(1, name, location=spec.location)
        assert isinstance(volume, StorageVolume) and volume.id and volume.name == name
        _owned(compute_driver, volume)
        assert [v.name for v in d.list_volumes() if v.id == volume.id] == [name]
        if caps.attach_needs_stopped_node:
            _until_running(compute_driver, node)
            d.stop_node(node)
            node = _wait_for(compute_driver, node, NodeState.STOPPED)
        assert d.attach_volume(node, volume) is True
        assert d.detach_volume(volume) is True
        assert d.destroy_volume(volume) is True
        assert volume.id not in {v.id for v in d.list_volumes()}

    def test_key_pairs(self, compute_driver: Subject[ComputeCaps]) -> None:
        d = compute_driver.driver
        name = unique("kp")
        if not compute_driver.caps.key_pairs:
            with pytest.raises(NotSupportedError):
                d.create_key_pair(name)
            return
        created = d.create_key_pair(name)
        assert isinstance(created, KeyPair) and created.name == name and created.fingerprint
        assert created.private_key and created.private_key not in repr(created)
        _owned(compute_driver, created)
        assert name in {pair.name for pair in d.list_key_pairs()}
        fetched = d.get_key_pair(name)
        assert fetched.fingerprint == created.fingerprint
        # CloudStack forgets a generated private key; CloudSigma keeps it (as Libcloud's does)
        assert fetched.private_key in (None, created.private_key)
        assert d.delete_key_pair(created) is True
        assert name not in {pair.name for pair in d.list_key_pairs()}
        with pytest.raises(NotFoundError):
            d.get_key_pair(name)
