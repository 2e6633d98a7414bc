"""Every CloudStack driver method end to end against the simulator over HTTP, sync and async."""

from __future__ import annotations

import sys
import uuid
import warnings
from pathlib import Path
from typing import Any

import pytest

from omnicloud.compute import NodeState, StorageVolumeState
from omnicloud.compute.deployment import DeploymentError, ScriptDeployment, SSHUnavailableError
from omnicloud.compute.drivers.cloudstack import (
    CloudStackKeyPair,
    CloudStackNode,
    CloudStackSecurityGroup,
    KeyPairDoesNotExistError,
)
from omnicloud.errors import JobTimeoutError, NotFoundError, ValidationError

from .conftest import zone


def _public_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate().public_key()
    raw = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return raw.decode() + " test@omnicloud"


PUBKEY = _public_key()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def catalogue(d: Any) -> dict[str, Any]:
    images = d.list_images()
    return {
        "basic": zone(d, "Basic"),
        "advanced": zone(d, "Advanced"),
        "size": d.list_sizes()[0],
        "image": next(i for i in images if i.name.startswith("Ubuntu")),
        "images": images,
    }


def new_node(d: Any, catalogue: dict[str, Any], **kwargs: Any) -> CloudStackNode:
    node: CloudStackNode = d.create_node(
        unique("vm"),
        catalogue["size"],
        catalogue["image"],
        location=kwargs.pop("location", catalogue["basic"]),
        **kwargs,
    )
    return node


# -- catalogue --------------------------------------------------------------------------------
def test_locations_sizes_images(d: Any, catalogue: dict[str, Any]) -> None:
    locations = d.list_locations()
    assert {loc.network_type for loc in locations} == {"Basic", "Advanced"}
    assert catalogue["basic"].security_groups_enabled is True
    size = catalogue["size"]
    assert size.ram > 0 and size.extra["cpu"] >= 1 and size.price is not None and size.price > 0
    image = catalogue["image"]
    assert image.extra["os"] and image.extra["displaytext"]
    assert d.get_image(image.id) == image
    with pytest.raises(NotFoundError):
        d.get_image(str(uuid.uuid4()))
    assert d.list_images(location=catalogue["basic"])


def test_os_types_isos_limits(d: Any, catalogue: dict[str, Any]) -> None:
    os_types = d.ex_list_os_types()
    assert any("Ubuntu" in os.description for os in os_types)
    iso = d.ex_register_iso(
        unique("iso"),
        "http://example.com/boot.iso",
        location=catalogue["basic"],
        bootable=True,
        ostypeid=os_types[0].id,
    )
    assert iso.bootable and iso.name.startswith("iso-")
    assert any(item.id == iso.id for item in d.ex_list_isos(isofilter="self"))
    with pytest.raises(ValidationError):
        d.ex_register_iso("x", "http://example.com/x.iso", bootable=True)
    limits = d.ex_limits()
    assert limits.max_instances == -1  # root admin
    assert limits["max_volumes"] == limits.max_volumes


# -- nodes ------------------------------------------------------------------------------------
def test_node_lifecycle(d: Any, catalogue: dict[str, Any]) -> None:
    node = new_node(d, catalogue)
    assert node.state is NodeState.RUNNING  # nodes start by default (anchor bug fixed)
    assert node.public_ips and node.extra["zone_id"] == catalogue["basic"].id
    assert node.extra["image_id"] == catalogue["image"].id
    assert node.extra["password"]  # password-enabled template: generated password
    assert node.created_at is not None
    assert node in d.list_nodes()
    assert d.ex_get_node(node.id).name == node.name

    assert d.reboot_node(node) is True
    assert d.stop_node(node) is True
    assert d.ex_get_node(node.id).state is NodeState.STOPPED
    assert d.start_node(node) is True
    assert d.ex_stop(node) == "Stopped"
    assert d.ex_start(node) == "Running"
    ((ready, ips),) = d.wait_until_running([node], wait_period=0.05, timeout=5)
    assert ready.id == node.id and ips == node.public_ips

    assert d.destroy_node(node, ex_expunge=True) is True
    with pytest.raises(NotFoundError):
        d.ex_get_node(node.id)


def test_create_stopped_node_and_wait_times_out(d: Any, catalogue: dict[str, Any]) -> None:
    node = new_node(d, catalogue, ex_start_vm=False)
    assert node.state is NodeState.STOPPED
    with pytest.raises(JobTimeoutError):
        d.wait_until_running([node], wait_period=0.05, timeout=0.3)
    with pytest.raises(ValidationError):
        d.wait_until_running([node], ssh_interface="ipv6")
    d.destroy_node(node)


def test_restore_scale_and_userdata(d: Any, catalogue: dict[str, Any]) -> None:
    node = new_node(d, catalogue, ex_userdata="#cloud-config\n", ex_displayname="Display")
    assert node.extra["displayname"] == "Display"
    other = next(i for i in catalogue["images"] if i.id != catalogue["image"].id)
    assert d.ex_restore(node, other) == other.id
    assert d.ex_get_node(node.id).extra["image_id"] == other.id
    d.stop_node(node)
    bigger = next(s for s in d.list_sizes()[1:] if not s.extra.get("iscustomized"))
    assert d.ex_change_node_size(node, bigger) == bigger.id
    assert d.ex_get_node(node.id).extra["size_id"] == bigger.id
    d.destroy_node(node)


def test_list_nodes_reads_every_page(sim: Any, catalogue: dict[str, Any]) -> None:
    from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver

    sim.state.bulk_create_vms(7, name_prefix=unique("page"))
    with CloudStackNodeDriver(sim.key, sim.secret, url=sim.endpoint, page_size=2) as small:
        assert len(small.list_nodes()) == len(
            CloudStackNodeDriver(sim.key, sim.secret, url=sim.endpoint).list_nodes()
        )
        assert len(small.list_nodes()) >= 7


# -- deploy contract --------------------------------------------------------------------------
def test_deploy_node_with_callable(d: Any, catalogue: dict[str, Any]) -> None:
    seen: list[Any] = []
    node = d.deploy_node(
        name=unique("deploy"),
        size=catalogue["size"],
        image=catalogue["image"],
        deploy=lambda node, ips: seen.append((node.id, ips)),
        location=catalogue["basic"],
        wait_period=0.05,
    )
    assert seen == [(node.id, node.public_ips)]
    d.destroy_node(node)


def test_deploy_node_needs_ssh_for_deployments(
    d: Any, catalogue: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "asyncssh", None)  # SSH support not installed
    with pytest.raises(DeploymentError) as caught:
        d.deploy_node(
            name=unique("deploy"),
            size=catalogue["size"],
            image=catalogue["image"],
            deploy=ScriptDeployment("/bin/date"),
            location=catalogue["basic"],
            wait_period=0.05,
        )
    assert isinstance(caught.value.original_error, SSHUnavailableError)
    assert caught.value.node.state is NodeState.RUNNING  # handed back for clean-up
    d.destroy_node(caught.value.node)


class FakeSSH:
    def __init__(self, log: list[Any]) -> None:
        self.log = log

    def put(self, path: str, contents: str | bytes, mode: int = 0o644) -> str:
        self.log.append(("put", path, contents, mode))
        return f"/root/{path}"

    def run(self, command: str, timeout: float | None = None) -> tuple[str, str, int]:
        self.log.append(("run", command))
        return "Mon Jan  1 00:00:00 UTC 2024\n", "", 0

    def close(self) -> None:
        self.log.append(("close",))


def test_deploy_node_runs_script_through_connector(d: Any, catalogue: dict[str, Any]) -> None:
    log: list[Any] = []
    targets: list[Any] = []

    def connector(target: Any) -> FakeSSH:
        targets.append(target)
        return FakeSSH(log)

    script = ScriptDeployment("#!/bin/sh\n/bin/date\n")
    node = d.deploy_node(
        name=unique("deploy"),
        size=catalogue["size"],
        image=catalogue["image"],
        deploy=script,
        ssh_key="~/.ssh/id_rsa_test",
        location=catalogue["basic"],
        wait_period=0.05,
        ex_ssh_connector=connector,
    )
    assert targets[0].host == node.public_ips[0]
    assert (
        targets[0].key_files[0].endswith(".ssh/id_rsa_test") and "~" not in targets[0].key_files[0]
    )
    assert "password" not in repr(targets[0])
    assert script.stdout and script.exit_status == 0 and log[-1] == ("close",)
    d.destroy_node(node)


# -- volumes and snapshots --------------------------------------------------------------------
def test_volumes_and_snapshots(d: Any, catalogue: dict[str, Any]) -> None:
    node = new_node(d, catalogue)
    offerings = d.ex_list_disk_offerings()
    fixed = next(o for o in offerings if not o.customizable)
    volume = d.create_volume(fixed.size, unique("vol"), location=catalogue["basic"])
    assert volume.size == fixed.size and volume.state is StorageVolumeState.AVAILABLE
    assert d.ex_get_volume(volume.id).name == volume.name
    assert d.attach_volume(node, volume) is True
    attached = {v.id: v for v in d.list_volumes(node=node)}
    assert attached[volume.id].state is StorageVolumeState.INUSE
    assert attached[volume.id].extra["instance_id"] == node.id

    snapshot = d.create_volume_snapshot(volume, name="nightly")
    assert snapshot.volume_id == volume.id
    assert [s.id for s in d.list_volume_snapshots(volume)] == [snapshot.id]
    assert snapshot.id in {s.id for s in d.list_snapshots()}
    restored = d.create_volume(fixed.size, unique("restored"), snapshot=snapshot)
    assert restored.id != volume.id
    template = d.ex_create_snapshot_template(
        snapshot, unique("tpl"), catalogue["image"].extra["ostypeid"]
    )
    assert d.delete_image(template) is True
    assert d.destroy_volume_snapshot(snapshot) is True

    assert d.detach_volume(volume) is True
    assert d.destroy_volume(volume) is True
    assert d.destroy_volume(restored) is True
    assert volume.id not in {v.id for v in d.list_volumes()}
    with pytest.raises(ValidationError):
        d.create_volume(1, "none", ex_volume_type="no-such-offering")
    d.destroy_node(node)


def test_create_and_delete_image(d: Any, catalogue: dict[str, Any]) -> None:
    node = new_node(d, catalogue)
    d.stop_node(node)
    image = d.create_image(d.ex_get_node(node.id), unique("img"), description="from a node")
    assert d.get_image(image.id).name == image.name
    assert d.delete_image(image) is True
    d.destroy_node(node)


# -- key pairs --------------------------------------------------------------------------------
def test_key_pairs(d: Any, tmp_path: Path) -> None:
    created = d.create_key_pair(unique("kp"))
    assert isinstance(created, CloudStackKeyPair)
    assert created.private_key and "PRIVATE KEY" in created.private_key
    assert created.private_key not in repr(created)
    assert d.get_key_pair(created.name).fingerprint == created.fingerprint
    assert d.get_key_pair(created.name).private_key is None

    imported = d.import_key_pair_from_string(unique("imp"), PUBKEY)
    assert imported.fingerprint
    key_file = tmp_path / "id.pub"
    key_file.write_text(PUBKEY + "\n")
    from_file = d.import_key_pair_from_file(unique("file"), str(key_file))
    assert from_file.fingerprint == imported.fingerprint

    names = {pair.name for pair in d.list_key_pairs()}
    assert {created.name, imported.name, from_file.name} <= names
    for pair in (created, imported, from_file):
        assert d.delete_key_pair(pair) is True
    with pytest.raises(KeyPairDoesNotExistError):
        d.get_key_pair(created.name)


def test_deprecated_keypair_names_warn(d: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pair = d.ex_create_keypair(unique("old"))
        assert pair.name in {p.name for p in d.ex_list_keypairs()}
        assert d.ex_delete_keypair(pair.name) is True
    assert sum(issubclass(w.category, DeprecationWarning) for w in caught) == 3


# -- security groups --------------------------------------------------------------------------
def test_security_groups(d: Any) -> None:
    name = unique("sg")
    group = d.ex_create_security_group(name, description="web")
    assert isinstance(group, CloudStackSecurityGroup) and group["name"] == name
    with pytest.raises(ValidationError):
        d.ex_create_security_group(name)
    group = d.ex_authorize_security_group_ingress(
        securitygroupname=name, protocol="tcp", startport="22", cidrlist="0.0.0.0/0"
    )
    (rule,) = group.ingress_rules
    assert (rule.protocol.lower(), rule.start_port, rule.end_port) == ("tcp", 22, 22)
    group = d.ex_authorize_security_group_egress(
        securitygroupname=name, protocol="icmp", cidrlist=["10.0.0.0/8"]
    )
    (out,) = group.egress_rules
    assert (out.icmp_type, out.icmp_code) == (-1, -1)
    with pytest.raises(ValidationError):
        d.ex_authorize_security_group_ingress(name, "udp", "0.0.0.0/0")
    listed = {g.name: g for g in d.ex_list_security_groups()}
    assert listed[name].ingress_rules[0].id == rule.id
    assert d.ex_revoke_security_group_ingress(rule.id) is True
    assert d.ex_revoke_security_group_egress(out.id) is True
    assert d.ex_list_security_groups(securitygroupname=name)[0].ingress_rules == []
    assert d.ex_delete_security_group(name) is True
    assert name not in {g.name for g in d.ex_list_security_groups()}


# -- tags, NICs, networks and lists that exist in the simulator -------------------------------
def test_tags_nics_and_network_lists(d: Any, catalogue: dict[str, Any]) -> None:
    networks = d.ex_list_networks()
    assert networks and all(n.id and n.zoneid for n in networks)
    assert d.ex_list_network_offerings()
    advanced = [n for n in networks if n.zoneid == catalogue["advanced"].id]
    node = new_node(d, catalogue, location=catalogue["advanced"], networks=advanced[:1])
    assert node.private_ips  # guest network address

    assert d.ex_create_tags([node.id], "UserVm", {"role": "web", "env": "test"}) is True
    assert d.ex_get_node(node.id).extra["tags"] == {"role": "web", "env": "test"}
    assert d.ex_delete_tags([node.id], "UserVm", ["env"]) is True
    assert d.ex_get_node(node.id).extra["tags"] == {"role": "web"}

    nics = d.ex_list_nics(node)
    assert len(nics) == 1 and nics[0].is_default and nics[0].network_id == advanced[0].id
    offering = next(
        o for o in d.ex_list_network_offerings() if o.guest_ip_type == "Isolated" and not o.for_vpc
    )
    second = d.ex_create_network("second", unique("nic"), offering, catalogue["advanced"])
    assert d.ex_attach_nic_to_node(node, second) is True
    (extra,) = [n for n in d.ex_list_nics(node) if not n.is_default]
    assert extra.network_id == second.id and extra.ip_address
    assert extra.ip_address in d.ex_get_node(node.id).private_ips
    assert d.ex_detach_nic_from_node(extra, node) is True
    assert [n.network_id for n in d.ex_list_nics(node)] == [advanced[0].id]
    d.destroy_node(node, ex_expunge=True)
    d.ex_delete_network(second)
