"""Disks, snapshots, static addresses, firewalls, networks and project SSH keys on the GCE
simulator, sync and async."""

from __future__ import annotations

import uuid

import pytest

from omnicloud.compute import StorageVolumeState, VolumeSnapshotState
from omnicloud.compute.drivers.gce import GCEAddress, GCENodeDriver
from omnicloud.compute.drivers.gce_extras import key_fingerprint
from omnicloud.errors import NotFoundError, ValidationError

PUB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@host"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_disk_attach_detach_snapshot_restore(d: GCENodeDriver) -> None:
    node = d.create_node(unique("disk-host"), "e2-micro", "debian-12")
    volume = d.create_volume(10, unique("data"), ex_disk_type="pd-ssd")
    try:
        assert volume.size == 10 and volume.state is StorageVolumeState.AVAILABLE
        assert volume.extra["type"] == "pd-ssd" and volume.extra["zone"] == "us-central1-a"
        assert volume.id in {v.id for v in d.list_volumes()}
        assert volume.id in {v.id for v in d.list_volumes(ex_zone="us-central1-a")}
        assert d.attach_volume(node, volume, device="data") is True
        attached = d.ex_get_volume(volume.name)
        assert attached.state is StorageVolumeState.INUSE
        assert attached.extra["users"] == [node.name]
        devices = {disk["deviceName"] for disk in d.ex_get_node(node.name).extra["disks"]}
        assert "data" in devices
        assert d.detach_volume(volume) is True
        assert d.ex_get_volume(volume.name).extra["users"] == []
        with pytest.raises(ValidationError):
            d.detach_volume(volume)

        snapshot = d.create_volume_snapshot(volume, unique("snap"))
        assert snapshot.state is VolumeSnapshotState.AVAILABLE and snapshot.size == 10
        assert snapshot.extra["source_disk"] == volume.name
        assert [s.id for s in d.list_volume_snapshots(volume)] == [snapshot.id]
        restored = d.create_volume(None, unique("restored"), snapshot=snapshot)
        assert restored.size == 10 and restored.extra["sourceSnapshot"]
        assert d.destroy_volume(restored) is True
        assert d.destroy_volume_snapshot(snapshot) is True
        assert snapshot.id not in {s.id for s in d.ex_list_snapshots()}
    finally:
        d.destroy_node(node)
        d.destroy_volume(volume)
    assert volume.id not in {v.id for v in d.list_volumes()}
    with pytest.raises(NotFoundError):
        d.ex_get_volume(volume.name)


def test_volume_from_image(d: GCENodeDriver) -> None:
    volume = d.create_volume(12, unique("boot"), image="debian-12")
    try:
        assert volume.size == 12 and "debian-12" in str(volume.extra["sourceImage"])
    finally:
        d.destroy_volume(volume)


def test_static_address_for_a_node(d: GCENodeDriver) -> None:
    address = d.ex_create_address(unique("ip"))
    assert isinstance(address, GCEAddress) and address.region == "us-central1"
    assert address.address and address.status == "RESERVED"
    assert address.id in {a.id for a in d.ex_list_addresses()}
    assert address.id in {a.id for a in d.ex_list_addresses("us-central1")}
    node = d.create_node(unique("static"), "e2-micro", "debian-12", external_ip=address)
    try:
        assert node.public_ips == [address.address]
        assert d.ex_get_address(address.name).status == "IN_USE"
    finally:
        d.destroy_node(node)
    assert d.ex_destroy_address(address) is True
    assert address.id not in {a.id for a in d.ex_list_addresses()}


def test_firewalls_and_networks(d: GCENodeDriver) -> None:
    networks = {n.name: n for n in d.ex_list_networks()}
    assert "default" in networks and networks["default"].mode == "auto"
    assert d.ex_get_network("default").id == networks["default"].id
    name = unique("allow-ssh")
    rule = d.ex_create_firewall(
        name,
        [{"IPProtocol": "tcp", "ports": ["22"]}],
        source_ranges=["0.0.0.0/0"],
        target_tags=["ssh"],
    )
    assert rule.network == "default" and rule.allowed == [{"IPProtocol": "tcp", "ports": ["22"]}]
    assert rule.source_ranges == ["0.0.0.0/0"] and rule.target_tags == ["ssh"]
    assert name in {f.name for f in d.ex_list_firewalls()}
    assert d.ex_get_firewall(name).id == rule.id
    assert d.ex_destroy_firewall(rule) is True
    assert name not in {f.name for f in d.ex_list_firewalls()}
    with pytest.raises(NotFoundError):
        d.ex_get_firewall(name)


def test_key_pairs_live_in_project_metadata(d: GCENodeDriver) -> None:
    user = f"u{uuid.uuid4().hex[:6]}"
    pair = d.import_key_pair_from_string(user, PUB)
    assert pair.fingerprint == key_fingerprint(PUB) and pair.name == user
    assert (user, PUB) in {(p.name, p.public_key) for p in d.list_key_pairs()}
    lines = d.ex_get_project()["commonInstanceMetadata"]["items"]
    ssh_keys = next(i["value"] for i in lines if i["key"] == "ssh-keys")
    assert f"{user}:{PUB}" in ssh_keys.splitlines()
    assert d.get_key_pair(user).fingerprint == pair.fingerprint
    assert d.import_key_pair_from_string(user, PUB).name == user  # the same key: kept once
    assert [p.name for p in d.list_key_pairs()].count(user) == 1
    assert d.delete_key_pair(pair) is True
    with pytest.raises(NotFoundError):
        d.get_key_pair(user)
    with pytest.raises(ValidationError):
        d.import_key_pair_from_string(user, "not a key")
    with pytest.raises(ValidationError):
        d.import_key_pair_from_string("Bad User", PUB)
