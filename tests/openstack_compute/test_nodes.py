"""Servers: paging, the negotiated microversion, states, boot from volume, resize, rebuild,
metadata, tags, images and key pairs."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from omnicloud.compute.drivers.openstack import NODE_STATES, OpenStackNodeDriver, node_state
from omnicloud.compute.types import NodeState, StorageVolumeState
from omnicloud.sim.openstack import SimConfig

from .conftest import OsSim, cirros, start, tiny

NOVA_STATUSES = [
    "ACTIVE", "BUILD", "REBUILD", "SUSPENDED", "PAUSED", "RESIZE", "VERIFY_RESIZE",
    "REVERT_RESIZE", "SHUTOFF", "REBOOT", "HARD_REBOOT", "PASSWORD", "MIGRATING", "ERROR",
    "DELETED", "SOFT_DELETED", "SHELVED", "SHELVED_OFFLOADED", "RESCUE", "UNKNOWN",
]  # fmt: skip


class Recording(httpx.BaseTransport):
    """Sends through a real transport and keeps every request."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.inner.handle_request(request)


@pytest.fixture(scope="module")
def small_pages() -> Iterator[OsSim]:
    """A simulator whose Nova, Glance and Neutron return at most 2 items a page."""
    yield from start(SimConfig(server_latency=0.02, max_limit=2, image_page_size=2))


@pytest.fixture(scope="module")
def old_nova() -> Iterator[OsSim]:
    """A simulator whose Nova stops at microversion 2.30 (no networks needed to boot)."""
    yield from start(SimConfig(server_latency=0.02, max_compute_version="2.30"))


def _driver(sim: OsSim, **overrides: Any) -> OpenStackNodeDriver:
    return OpenStackNodeDriver("admin", sim.state.password, **sim.options(**overrides))


def test_every_nova_status_has_a_state() -> None:
    assert set(NOVA_STATUSES) == set(NODE_STATES)
    for status in NOVA_STATUSES:
        assert isinstance(node_state({"status": status}), NodeState)
    assert node_state({"status": "ACTIVE"}) is NodeState.RUNNING
    assert node_state({"status": "SHUTOFF"}) is NodeState.STOPPED
    assert node_state({"status": "VERIFY_RESIZE"}) is NodeState.RUNNING
    assert node_state({"status": "RESIZE"}) is NodeState.RECONFIGURING
    assert node_state({"status": "HARD_REBOOT"}) is NodeState.REBOOTING
    assert node_state({"status": "SHELVED_OFFLOADED"}) is NodeState.STOPPED
    assert node_state({"status": "SOFT_DELETED"}) is NodeState.TERMINATED
    assert node_state({"status": "ERROR"}) is NodeState.ERROR
    assert node_state({"status": "UNKNOWN"}) is NodeState.UNKNOWN
    assert node_state({"status": "SOMETHING_NEW"}) is NodeState.UNKNOWN
    assert node_state({"status": "ACTIVE", "OS-EXT-STS:task_state": "deleting"}) is (
        NodeState.TERMINATED
    )


def test_listings_follow_the_next_links(small_pages: OsSim) -> None:
    with _driver(small_pages, transport=Recording()) as driver:
        recorder = driver._http.config.transport  # type: ignore[attr-defined]
        made = [driver.create_node(f"page-{i}", tiny(driver), cirros(driver)) for i in range(5)]
        recorder.requests.clear()
        listed = driver.list_nodes()
        assert {n.id for n in made} <= {n.id for n in listed} and len(listed) == 5
        pages = [r for r in recorder.requests if r.url.path.endswith("/servers/detail")]
        assert len(pages) == 3  # 2 + 2 + 1
        assert [r.url.params.get("marker") for r in pages][1:] == [listed[1].id, listed[3].id]
        lazy = driver.iterate_nodes()
        first = next(lazy)
        assert first.id == listed[0].id  # one page fetched, not all of them
        assert len(driver.list_sizes()) > 2  # flavors come 2 a page too
        assert len(driver.list_images()) >= 2
        for node in made:
            driver.destroy_node(node)


def test_the_microversion_is_negotiated_and_sent(os_sim: OsSim, old_nova: OsSim) -> None:
    recorder = Recording()
    with _driver(os_sim, transport=recorder) as driver:
        node = driver.create_node(
            "mv", tiny(driver), cirros(driver), ex_description="described", ex_tags=["a", "b"]
        )
        assert driver.ex_microversion == "2.79"
        nova = [r for r in recorder.requests if "/compute/v2.1/" in str(r.url)]
        assert nova and all(r.headers["OpenStack-API-Version"] == "compute 2.79" for r in nova)
        posted = next(r for r in nova if r.method == "POST" and r.url.path.endswith("/servers"))
        assert b'"networks": "auto"' in posted.content
        assert node.extra["description"] == "described"  # 2.19
        assert sorted(node.extra["tags"]) == ["a", "b"]  # 2.52
        driver.destroy_node(node)
    recorder = Recording()
    with _driver(old_nova, transport=recorder) as driver:
        node = driver.create_node("old", tiny(driver), cirros(driver), ex_tags=["old"])
        assert driver.ex_microversion == "2.30"
        assert driver.ex_get_tags(node) == ["old"]  # 2.26 to 2.51: tags set after creation
        posted = next(
            r for r in recorder.requests if r.method == "POST" and "servers" in str(r.url)
        )
        assert b"networks" not in posted.content  # not needed before 2.37
        assert posted.headers["OpenStack-API-Version"] == "compute 2.30"
        driver.destroy_node(node)
    with _driver(os_sim, ex_microversion="2.1") as driver:
        node = driver.create_node("pinned", tiny(driver), cirros(driver))
        assert node.extra["flavorId"] == tiny(driver).id  # before 2.47: a flavor reference
        driver.destroy_node(node)


def test_create_with_everything(driver: OpenStackNodeDriver) -> None:
    key = driver.create_key_pair("everything-key")
    group = driver.ex_create_security_group("everything-sg", "for one test")
    private = next(n for n in driver.ex_list_networks() if n.name == "private")
    node = driver.create_node(
        "everything",
        tiny(driver),
        cirros(driver),
        location=driver.list_locations()[0],
        ex_keyname=key.name,
        ex_security_groups=[group],
        ex_networks=[private],
        ex_userdata="#!/bin/sh\necho hi\n",
        ex_metadata={"role": "web"},
    )
    assert node.extra["key_name"] == key.name
    assert node.extra["security_groups"] == ["everything-sg"]
    assert node.extra["metadata"] == {"role": "web"}
    assert node.extra["availability_zone"] == "nova"
    raw = driver.ex_get_node(node.id)
    assert raw.private_ips and raw.private_ips[0].startswith("10.")
    stored = driver._http.run(driver._get("compute", f"/servers/{node.id}"))["server"]
    assert base64.b64decode(stored["OS-EXT-SRV-ATTR:user_data"]) == b"#!/bin/sh\necho hi\n"
    driver.destroy_node(node)
    driver.delete_key_pair(key)


def test_wait_until_running_and_addresses(driver: OpenStackNodeDriver) -> None:
    node = driver.create_node("addresses", tiny(driver), cirros(driver))
    assert node.state is NodeState.PENDING
    ((running, ips),) = driver.wait_until_running(
        [node], wait_period=0.02, timeout=20, ssh_interface="private_ips"
    )
    assert running.state is NodeState.RUNNING and ips == running.private_ips
    assert running.public_ips == []
    driver.destroy_node(running)
    gone = [n for n in driver.list_nodes() if n.id == node.id]
    assert all(n.state is NodeState.TERMINATED for n in gone)


def test_boot_from_volume(driver: OpenStackNodeDriver) -> None:
    node = driver.create_node("bfv", tiny(driver), cirros(driver), ex_boot_volume_size=2)
    assert node.image is None and node.extra["imageId"] is None
    (volume_id,) = node.extra["volumes_attached"]
    volume = driver.ex_get_volume(volume_id)
    assert volume.size == 2 and volume.extra["bootable"] is True
    assert volume.extra["server_id"] == node.id and volume.state is StorageVolumeState.INUSE
    driver.destroy_node(node)
    existing = driver.create_volume(1, "boot-me", ex_image_ref=cirros(driver))
    second = driver.create_node("bfv2", tiny(driver), ex_boot_volume=existing)
    assert second.extra["volumes_attached"] == [existing.id]
    driver.destroy_node(second)


def test_resize_confirm_and_revert(driver: OpenStackNodeDriver) -> None:
    small = next(s for s in driver.list_sizes() if s.name == "m1.small")
    node = driver.create_node("resized", tiny(driver), cirros(driver))
    driver.ex_wait_for_state(node, "ACTIVE")
    assert driver.ex_resize(node, small) is True
    waiting = driver.ex_wait_for_state(node, "VERIFY_RESIZE")
    assert waiting.state is NodeState.RUNNING
    assert driver.ex_confirm_resize(node) is True
    done = driver.ex_wait_for_state(node, "ACTIVE")
    assert done.extra["flavor"]["original_name"] == "m1.small"
    driver.ex_resize(node, tiny(driver))
    driver.ex_wait_for_state(node, "VERIFY_RESIZE")
    assert driver.ex_revert_resize(node) is True
    back = driver.ex_wait_for_state(node, "ACTIVE")
    assert back.extra["flavor"]["original_name"] == "m1.small"
    driver.destroy_node(node)


def test_rebuild_reboot_hard_and_image_from_server(driver: OpenStackNodeDriver) -> None:
    ubuntu = next(i for i in driver.list_images() if i.name.startswith("ubuntu"))
    node = driver.create_node("rebuilt", tiny(driver), cirros(driver))
    driver.ex_wait_for_state(node, "ACTIVE")
    assert driver.ex_rebuild(node, ubuntu, ex_metadata={"v": "2"}) is True
    rebuilt = driver.ex_wait_for_state(node, "ACTIVE")
    assert rebuilt.extra["imageId"] == ubuntu.id and rebuilt.extra["metadata"] == {"v": "2"}
    assert driver.reboot_node(rebuilt, ex_hard=True) is True
    assert driver.ex_get_node(node.id).state is NodeState.RUNNING
    image = driver.create_image(rebuilt, "snap-of-rebuilt")
    assert image.name == "snap-of-rebuilt" and image.extra["visibility"] == "private"
    assert driver.get_image(image.id).id == image.id
    assert driver.delete_image(image) is True
    driver.destroy_node(node)


def test_metadata_and_tags(driver: OpenStackNodeDriver) -> None:
    node = driver.create_node("tagged", tiny(driver), cirros(driver))
    assert driver.ex_set_metadata(node, {"a": "1"}) == {"a": "1"}
    assert driver.ex_update_metadata(node, {"b": "2"}) == {"a": "1", "b": "2"}
    assert driver.ex_delete_metadata_item(node, "a") is True
    assert driver.ex_get_metadata(node) == {"b": "2"}
    assert driver.ex_set_tags(node, ["x"]) == ["x"]
    assert driver.ex_add_tag(node, "y") is True
    assert sorted(driver.ex_get_tags(node)) == ["x", "y"]
    assert driver.ex_has_tag(node, "y") and not driver.ex_has_tag(node, "z")
    driver.ex_delete_tag(node, "x")
    assert driver.ex_get_tags(node) == ["y"]
    driver.destroy_node(node)


def test_key_pairs_import_and_lookup(driver: OpenStackNodeDriver) -> None:
    created = driver.create_key_pair("generated")
    assert created.private_key and created.private_key not in repr(created)
    public = created.public_key
    assert public is not None
    driver.delete_key_pair(created)
    imported = driver.import_key_pair_from_string("imported", public)
    assert imported.private_key is None and imported.fingerprint == created.fingerprint
    assert driver.get_key_pair("imported").public_key == public.strip()
    assert "imported" in {k.name for k in driver.list_key_pairs()}
    driver.delete_key_pair(imported)


def test_libcloud_spellings(driver: OpenStackNodeDriver) -> None:
    private = next(n for n in driver.ex_list_networks() if n.name == "private")
    node = driver.create_node(
        "spelled", tiny(driver), cirros(driver), networks=[private], ex_admin_pass="Pa55-word"
    )
    assert node.extra["password"] == "Pa55-word" and "Pa55-word" not in repr(node)
    assert driver.ex_get_node_details(node.id).private_ips == node.private_ips
    driver.ex_wait_for_state(node, "ACTIVE")
    assert driver.ex_soft_reboot_node(node) is True
    ip = driver.ex_create_floating_ip("public")
    assert driver.ex_delete_floating_ip(ip) is True
    volume = driver.create_volume(1, "spelled-volume")
    snapshot = driver.ex_create_snapshot(volume, "spelled-snap")
    assert snapshot.id in {s.id for s in driver.ex_list_snapshots()}
    assert driver.ex_delete_snapshot(snapshot) is True
    driver.destroy_volume(volume)
    driver.destroy_node(node)
