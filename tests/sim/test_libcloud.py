"""Apache Libcloud's CloudStack driver against the simulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from libcloud.common.types import InvalidCredsError
from libcloud.compute.providers import get_driver
from libcloud.compute.types import NodeState, Provider

from .conftest import Sim, libcloud_size


def _driver(live: Sim, who: str, secret: str | None = None) -> Any:
    key, real_secret = live.keys[who]
    cls = get_driver(Provider.CLOUDSTACK)
    # Libcloud picks https unless secure=False, whatever the URL's scheme says.
    driver = cls(key, secret or real_secret, url=live.endpoint, secure=False)
    driver.connection.poll_interval = 0.02
    return driver


@pytest.fixture
def driver(live: Sim) -> Iterator[Any]:
    yield _driver(live, "bob")


def test_lists(driver: Any) -> None:
    # Libcloud's behaviour on a real cloud with a custom offering (no cpunumber/memory in it)
    with pytest.raises(KeyError, match="cpunumber"):
        driver.list_sizes()
    images = driver.list_images()
    assert {i.name for i in images} >= {"CentOS 7.9", "Windows Server 2019"}
    assert (
        next(i for i in images if i.name == "Debian 12").extra["os"]
        == "Debian GNU/Linux 12 (64-bit)"
    )
    locations = driver.list_locations()
    assert [loc.name for loc in locations] == ["Sandbox-Basic", "Sandbox-Advanced"]
    assert len(driver.ex_list_os_types()) >= 5
    assert {d.name for d in driver.ex_list_disk_offerings()} >= {"Small", "Custom"}
    assert driver.ex_limits()["max_instances"] == 20


def test_create_and_destroy_node(live: Sim, driver: Any) -> None:
    size = libcloud_size(live, driver)
    image = next(i for i in driver.list_images() if i.name == "Ubuntu 22.04")
    key = driver.create_key_pair("lc-key")
    assert key.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    node = driver.create_node(
        name="lc-node",
        size=size,
        image=image,
        ex_keyname="lc-key",
        ex_security_groups=["default"],
        ex_userdata="#!/bin/sh\necho hi\n",
        ex_start_vm=True,
    )
    assert node.state == NodeState.RUNNING
    assert node.extra["password"] and node.extra["key_name"] == "lc-key"
    assert node.public_ips and node.public_ips[0].startswith("198.18.")
    nodes = {n.id: n for n in driver.list_nodes()}
    assert nodes[node.id].name == "lc-node"
    assert nodes[node.id].extra["security_group"] == ["default"]
    assert driver.ex_stop(node) == "Stopped"
    assert driver.ex_start(node) == "Running"
    assert driver.reboot_node(node) is True
    assert driver.destroy_node(node) is True
    after = {n.id: n for n in driver.list_nodes()}
    assert node.id not in after  # users do not see Destroyed VMs
    assert driver.delete_key_pair(key) is True


def test_default_startvm_false_creates_stopped_node(live: Sim, driver: Any) -> None:
    size = libcloud_size(live, driver)
    image = driver.list_images()[0]
    node = driver.create_node(name="lc-stopped", size=size, image=image)
    assert node.state == NodeState.STOPPED
    driver.destroy_node(node)


def test_key_pairs_and_security_groups(driver: Any) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    public = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    imported = driver.import_key_pair_from_string("lc-imported", public)
    assert imported.fingerprint.count(":") == 15
    assert driver.get_key_pair("lc-imported").fingerprint == imported.fingerprint
    assert "lc-imported" in {k.name for k in driver.list_key_pairs()}
    driver.delete_key_pair(imported)

    group = driver.ex_create_security_group("lc-web", description="libcloud")
    assert group["name"] == "lc-web"
    rule = driver.ex_authorize_security_group_ingress("lc-web", "tcp", "0.0.0.0/0", 80, 80)
    assert rule["ingressrule"][0]["startport"] == 80
    listed = {g["name"]: g for g in driver.ex_list_security_groups()}
    assert listed["lc-web"]["ingressrule"][0]["protocol"] == "tcp"
    assert driver.ex_revoke_security_group_ingress(rule["ingressrule"][0]["ruleid"]) is True
    assert driver.ex_delete_security_group("lc-web") == "true"


def test_volumes_and_snapshots(live: Sim, driver: Any) -> None:
    node = driver.create_node(
        name="lc-vol", size=libcloud_size(live, driver), image=driver.list_images()[0]
    )
    volume = driver.create_volume(5, "lc-data")
    assert volume.size == 5 * 1024**3 or volume.size == 5
    assert driver.attach_volume(node, volume) is True
    assert {v.name for v in driver.list_volumes(node=node)} >= {"lc-data"}
    snapshot = driver.create_volume_snapshot(volume)
    assert snapshot.id in {s.id for s in driver.list_snapshots()}
    assert driver.destroy_volume_snapshot(snapshot) is True
    assert driver.detach_volume(volume) is True
    assert driver.destroy_volume(volume) is True
    driver.destroy_node(node)


def test_invalid_credentials(live: Sim) -> None:
    with pytest.raises(InvalidCredsError):
        _driver(live, "bob", secret="wrong").list_nodes()
