"""CloudSigma documents map through wire() schemas to the same public models as before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from omnicloud.compute._models import KeyPair, Node, StorageVolume
from omnicloud.compute._types import NodeState, StorageVolumeState
from omnicloud.compute.drivers import cloudsigma_convert as convert
from omnicloud.compute.drivers.cloudsigma_models import (
    GIB,
    CloudSigmaDrive,
    CloudSigmaFirewallPolicyRule,
)


def test_drive_and_volume_keep_their_types_units_and_fallbacks() -> None:
    doc = {"uuid": 5, "name": 0, "size": GIB + 1, "status": "mounted", "media": ""}
    drive = convert.DRIVE(doc, driver="d")
    assert type(drive) is CloudSigmaDrive
    assert (drive.id, drive.name, drive.media, drive.driver) == ("5", "", "disk", "d")
    assert drive.size == (GIB + 1) / GIB and drive.extra["size_bytes"] == GIB + 1
    volume = convert.VOLUME(doc, driver="d")
    assert type(volume) is StorageVolume
    assert (volume.size, volume.state) == (2, StorageVolumeState.INUSE)
    assert volume.extra["media"] == "disk" and volume.extra["status"] == "mounted"
    with pytest.raises(KeyError):
        convert.DRIVE({"name": "no uuid"}, driver="d")


def test_node_takes_size_image_and_addresses_from_context() -> None:
    server = {
        "uuid": "s1",
        "name": "web",
        "status": "running",
        "cpu": 4000,
        "mem": 2 * GIB,
        "drives": [{"boot_order": 1, "drive": {"uuid": "d1"}}],
        "nics": [{"mac": "m", "ip_v4_conf": {"ip": {"uuid": "1.2.3.4"}}}],
    }
    boot = {"uuid": "d1", "name": "disk", "size": 10 * GIB, "meta": {"distribution": "Ubuntu"}}
    node = convert.NODE(server, driver="d", drives={"d1": boot}, mhz_per_core=2000)
    assert type(node) is Node and node.state is NodeState.RUNNING
    assert node.public_ips == ["1.2.3.4"] and node.private_ips == []
    assert node.image is not None and node.image.name == "Ubuntu"
    assert node.size is not None and node.size.disk == 10
    assert node.extra["cpus"] == 2 and node.extra["boot_drive"] == boot
    bare = convert.NODE({"uuid": "s2"}, driver="d", drives={}, mhz_per_core=2000)
    assert (bare.size, bare.image, bare.state) == (None, None, NodeState.UNKNOWN)


def test_subscription_policy_tag_and_key_pair() -> None:
    sub = convert.SUBSCRIPTION(
        {"uuid": "u", "amount": "bad", "start_time": "2024-01-01T00:00:00Z", "auto_renew": 1},
        driver="d",
    )
    assert (sub.id, sub.amount, sub.auto_renew, sub.end_time) == ("u", 0, True, None)
    assert sub.start_time == datetime(2024, 1, 1, tzinfo=UTC)
    policy = convert.POLICY(
        {"uuid": "p", "rules": [{"action": "drop", "direction": "in", "junk": 1}]}, driver="d"
    )
    assert policy.rules == [CloudSigmaFirewallPolicyRule("drop", "in")]
    tag = convert.TAG({"uuid": "t", "resources": [{"uuid": "a"}, None, "b"]}, driver="d")
    assert tag.resources == ["a", "b"] and tag.extra["meta"] == {}
    key = convert.KEY_PAIR({"name": "k", "private_key": "PRIV"}, driver="d")
    assert type(key) is KeyPair and key.private_key == "PRIV" and "PRIV" not in repr(key)
    assert key.extra == {"uuid": None, "tags": [], "meta": {}, "resource_uri": None}
