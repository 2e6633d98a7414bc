"""The compute driver end to end against the simulator, through the sync and async shells."""

from __future__ import annotations

from typing import Any

import pytest

from omnicloud.cloudsigma import CloudSigmaError, EndpointGoneError, RetiredApiError
from omnicloud.compute import NodeImage, NodeState, StorageVolumeState
from omnicloud.compute.drivers.cloudsigma import (
    NODE_STATES,
    CloudSigmaNodeDriver,
    CloudSigmaNodeSize,
    node_state,
)
from omnicloud.errors import ValidationError

from .conftest import Counting, Sim


def _size(**kwargs: Any) -> CloudSigmaNodeSize:
    values = {"cpu": 2, "cpu_unit": "cores", "ram": 2, "ram_unit": "GB", "disk": 20, **kwargs}
    return CloudSigmaNodeSize.custom("t", **values)


def _image(d: CloudSigmaNodeDriver) -> NodeImage:
    return next(i for i in d.list_images() if i.name == "Debian 12")


def test_sizes_images_and_library(d: CloudSigmaNodeDriver) -> None:
    sizes = d.list_sizes()
    assert isinstance(sizes[0], CloudSigmaNodeSize)
    assert sizes[0].id == "small-1" and sizes[0].cpu_mhz == 2000 and sizes[0].ram == 1024
    images = d.list_images()
    assert images and all(i.extra["image_type"] == "preinst" for i in images)
    library = d.ex_list_library_drives()
    cds = [item for item in library if item.media == "cdrom"]
    assert {"FreeBSD 8.2", "IPCop 2.0"} <= {item.name for item in cds}
    assert all(item.is_installation_cd for item in cds)
    assert d.list_locations()[0].id == "zrh"


def test_create_node_clones_resizes_creates_and_starts(d: CloudSigmaNodeDriver, sim: Sim) -> None:
    size = _size(cpu=5000, cpu_unit="MHz", ram=5600, ram_unit="MB", disk=30)
    node = d.create_node("cs-create", size, _image(d), ex_metadata={"role": "db"})
    assert node.state in (NodeState.STARTING, NodeState.RUNNING)
    assert node.extra["cpu_mhz"] == 5000 and node.extra["mem_bytes"] == 5600 * 2**20
    assert node.extra["meta"] == {"role": "db"}
    assert node.size is not None and node.image is not None
    assert node.size.disk == 30 and node.image.name == "Debian 12"
    boot = node.extra["boot_drive"]
    assert boot["size"] == 30 * 2**30 and boot["meta"]["distribution"] == "Debian"
    assert node.public_ips
    running = d.wait_until_running([node], wait_period=0.02)
    assert running[0][0].state == NodeState.RUNNING
    assert d.destroy_node(node, ex_delete_drives=True) is True
    assert boot["uuid"] not in {v.id for v in d.list_volumes()}


def test_installation_cd_is_attached_not_cloned(d: CloudSigmaNodeDriver) -> None:
    cd = next(i for i in d.ex_list_library_drives() if i.name == "FreeBSD 8.2")
    before = len(d.ex_list_user_drives())
    node = d.create_node("cs-cd", d.list_sizes()[0], cd)
    assert node.extra["drives"][0]["device"] == "ide"
    assert node.image is not None and node.image.id == cd.id
    assert len(d.ex_list_user_drives()) == before
    node = d.ex_wait_for_node(node, "running")
    url = d.ex_open_vnc_tunnel(node)
    assert url.startswith("vnc://") and node.extra["vnc_password"]
    assert d.ex_close_vnc_tunnel(node) is True
    d.destroy_node(node)


def test_vlan_subscription_and_billing(d: CloudSigmaNodeDriver) -> None:
    balance = d.ex_get_balance()
    subscription = d.ex_create_subscription(1, "30 days", "vlan", auto_renew=True)
    assert subscription.resource == "vlan" and subscription.subscribed_object
    assert subscription.start_time is not None and subscription.auto_renew
    after = d.ex_get_balance()
    assert float(after["balance"]) < float(balance.balance) and after.currency == "EUR"
    node = d.create_node(
        "cs-vlan",
        d.list_sizes()[0],
        _image(d),
        ex_vlan=subscription.subscribed_object,
    )
    nics = node.extra["nics"]
    assert len(nics) == 2 and nics[1]["vlan"]["uuid"] == subscription.subscribed_object
    assert any(v["uuid"] == subscription.subscribed_object for v in d.ex_list_vlans())
    subs = d.ex_list_subscriptions(resources=["vlan"])
    assert subscription.id in {s.id for s in subs}
    assert d.ex_toggle_subscription_auto_renew(subscription) is True
    toggled = next(s for s in d.ex_list_subscriptions() if s.id == subscription.id)
    assert toggled.auto_renew is False
    usage = d.ex_get_usage()
    assert usage.usage["vlan"]["subscribed"] >= 1
    pricing = d.ex_get_pricing()
    assert pricing.price("vlan") is not None and "current" in pricing
    d.destroy_node(node, ex_delete_drives=True)


def test_subscription_validation(d: CloudSigmaNodeDriver) -> None:
    with pytest.raises(CloudSigmaError) as info:
        d.ex_create_subscription(1, "forever", "vlan")
    assert info.value.error_point == "period"
    with pytest.raises(ValidationError):
        d.ex_list_subscriptions(status="sometimes")


def test_tags_are_really_added(d: CloudSigmaNodeDriver, mode: str, sim: Sim) -> None:
    sim.state.seed_servers(2, prefix=f"tagged-{mode}")
    nodes = [n for n in d.list_nodes() if n.name.startswith(f"tagged-{mode}")]
    tag = d.ex_create_tag("database-servers", resource_uuids=[nodes[0].id])
    tag = d.ex_tag_resource(nodes[1], tag)
    assert set(tag.resources) == {nodes[0].id, nodes[1].id}
    assert {n.id for n in d.list_nodes(ex_tag=tag)} == {nodes[0].id, nodes[1].id}
    assert d.ex_get_tag(tag.id).name == "database-servers"
    assert tag.id in {t.id for t in d.ex_list_tags()}
    tag = d.ex_untag_resources([nodes[0]], tag)
    assert tag.resources == [nodes[1].id]
    assert d.ex_delete_tag(tag) is True
    for node in nodes:
        d.destroy_node(node, ex_delete_drives=True)


def test_power_edit_clone_and_metadata(d: CloudSigmaNodeDriver, mode: str, sim: Sim) -> None:
    prefix = f"power-{mode}"
    sim.state.seed_servers(1, prefix=prefix)
    node = next(n for n in d.list_nodes() if n.name.startswith(prefix))
    assert node.state == NodeState.STOPPED
    assert d.start_node(node) is True
    with pytest.raises(CloudSigmaError) as info:
        d.ex_start_node(node)
    assert info.value.error_type == "permission" and info.value.status == 403
    node = d.ex_wait_for_node(node, "running")
    assert d.reboot_node(node) is True
    assert d.ex_set_metadata(node, {"owner": "ops"})["owner"] == "ops"
    assert d.ex_get_metadata(node) == {"owner": "ops"}
    assert d.stop_node(node) is True
    node = d.ex_wait_for_node(node, "stopped")
    edited = d.ex_edit_node(node, {"cpu": 3000, "mem": 3 * 2**30, "name": prefix + "-e"})
    assert (edited.extra["cpu_mhz"], edited.name) == (3000, prefix + "-e")
    clone = d.ex_clone_node(node, name=prefix + "-clone", ex_avoid=[node.id])
    # the real API answers a server clone as stopped (its drives are still cloning)
    assert clone.name == prefix + "-clone" and clone.state == NodeState.STOPPED
    clone = d.ex_wait_for_node(clone, "stopped")
    assert clone.extra["drives"][0]["drive"]["uuid"] != node.extra["drives"][0]["drive"]["uuid"]
    for item in (clone, node):
        d.destroy_node(item, ex_delete_drives=True)


def test_drives_create_clone_resize_attach_detach_destroy(
    d: CloudSigmaNodeDriver, mode: str, sim: Sim
) -> None:
    prefix = f"drives-{mode}"
    sim.state.seed_servers(1, prefix=prefix)
    node = next(n for n in d.list_nodes() if n.name.startswith(prefix))
    drive = d.ex_create_drive(prefix + "-data", 2)
    assert (drive.size, drive.status, drive.media) == (2, "unmounted", "disk")
    copy = d.ex_clone_drive(drive, name=prefix + "-copy")
    assert copy.status == "unmounted" and copy.size == 2
    grown = d.ex_resize_drive(copy, 4)
    assert grown.size == 4
    assert d.ex_attach_drive(node, drive) is True
    volume = next(v for v in d.list_volumes() if v.id == drive.id)
    assert volume.state == StorageVolumeState.INUSE
    assert d.detach_volume(volume) is True
    assert d.ex_get_drive(drive.id).status == "unmounted"
    volume = d.create_volume(1, prefix + "-vol")
    assert d.attach_volume(node, volume) is True
    assert d.ex_detach_drive(node, volume) is True
    for item in (drive, copy):
        assert d.ex_destroy_drive(item) is True
    assert d.destroy_volume(volume) is True
    d.destroy_node(node, ex_delete_drives=True)


def test_avoid_and_availability_groups(d: CloudSigmaNodeDriver, mode: str, sim: Sim) -> None:
    prefix = f"avoid-{mode}"
    sim.state.seed_servers(2, prefix=prefix)
    first, second = [n for n in d.list_nodes() if n.name.startswith(prefix)]
    d.start_node(first)
    d.start_node(second, ex_avoid=[first])
    d.ex_wait_for_node(second, "running")
    groups = d.ex_list_servers_availability_groups()
    assert not any(first.id in g and second.id in g for g in groups)
    assert isinstance(d.ex_list_drives_availability_groups(), list)
    for node in (first, second):
        d.destroy_node(node, ex_delete_drives=True)


def test_key_pairs(d: CloudSigmaNodeDriver, mode: str) -> None:
    name = f"key-{mode}"
    material = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHt3bXzcCGeA2EFmiMRpc6v6fYYmB0Xw/1ivR6uGzg8u"
    key = d.import_key_pair_from_string(name, material)
    assert key.fingerprint.count(":") == 15 and key.private_key is None
    assert d.get_key_pair(name).public_key == material
    assert name in {k.name for k in d.list_key_pairs()}
    generated = d.create_key_pair(name + "-gen")
    assert generated.private_key and "PRIVATE KEY" in generated.private_key
    assert "PRIVATE" not in repr(generated)
    for item in (key, generated):
        assert d.delete_key_pair(item) is True


def test_capabilities_and_size_limits(d: CloudSigmaNodeDriver, sim: Sim, knobs: Any) -> None:
    caps = d.ex_list_capabilities()
    assert caps.cpu_mhz == (250, 80000) and caps["servers"]["cpu"]["min"] == 250
    with pytest.raises(ValidationError, match="cores"):
        d.create_node(
            "x",
            CloudSigmaNodeSize.custom(
                "libcloud-style", cpu=5000, cpu_unit="cores", ram=5600, ram_unit="MB", disk=200
            ),
            _image(d),
        )
    with pytest.raises(ValidationError, match="memory"):
        d.create_node("x", _size(ram=512, ram_unit="MB"), _image(d))
    with pytest.raises(ValidationError, match="disk"):
        d.create_node("x", _size(disk=9000), _image(d))
    knobs.capabilities = {"servers": {"mem": {"max": 4 * 2**30}}}
    with pytest.raises(ValidationError, match="this location"):
        d.create_node("x", _size(ram=8), _image(d))


def test_bad_size_is_rejected_before_any_request(sim: Sim) -> None:
    transport = Counting()
    driver = CloudSigmaNodeDriver(*sim.state.credentials, transport=transport, **sim.options)
    with pytest.raises(ValidationError):
        # the image is never looked at: the size fails first
        driver.create_node("x", _size(cpu=100, cpu_unit="GHz"), "any-image")  # type: ignore[arg-type]
    assert transport.paths == []


def test_firewall_policies_endpoint_gone_and_legacy(
    d: CloudSigmaNodeDriver, mode: str, sim: Sim, knobs: Any
) -> None:
    with pytest.raises(EndpointGoneError, match="decommissioned"):
        d.ex_list_firewall_policies()
    knobs.firewall_policies = True
    prefix = f"fw-{mode}"
    sim.state.seed_servers(1, prefix=prefix)
    node = next(n for n in d.list_nodes() if n.name.startswith(prefix))
    policy = d.ex_create_firewall_policy(
        "web",
        [{"action": "accept", "direction": "in", "ip_proto": "tcp", "dst_port": "80"}],
    )
    assert policy.rules[0].dst_port == "80"
    assert policy.id in {p.id for p in d.ex_list_firewall_policies()}
    attached = d.ex_attach_firewall_policy(policy, node)
    assert attached.extra["nics"][0]["firewall_policy"]["uuid"] == policy.id
    assert d.ex_delete_firewall_policy(policy) is True
    d.destroy_node(node, ex_delete_drives=True)


def test_listing_costs_one_request_per_page_not_per_server(sim: Sim) -> None:
    sim.state.seed_servers(45, prefix="paged")
    transport = Counting()
    driver = CloudSigmaNodeDriver(
        *sim.state.credentials, transport=transport, page_size=20, **sim.options
    )
    nodes = driver.list_nodes()
    servers = [p for p in transport.paths if "servers" in p]
    drives = [p for p in transport.paths if "drives" in p]
    pages = -(-len(nodes) // 20)
    assert len(servers) == pages and len(drives) == pages
    assert all(n.image is not None for n in nodes if n.name.startswith("paged"))
    lazy = Counting()
    with CloudSigmaNodeDriver(*sim.state.credentials, transport=lazy, **sim.options) as d:
        assert next(iter(d.iterate_nodes())).id
        assert len(lazy.paths) == 2
    for node in [n for n in nodes if n.name.startswith("paged")]:
        driver.destroy_node(node, ex_delete_drives=True)


def test_state_map_is_total() -> None:
    assert node_state("running") == NodeState.RUNNING
    assert node_state("unavailable") == NodeState.ERROR
    assert node_state("something new") == NodeState.UNKNOWN
    assert node_state(None) == NodeState.UNKNOWN
    assert set(NODE_STATES) >= {"running", "stopped", "starting", "stopping", "paused"}


def test_construction_rules() -> None:
    with pytest.raises(RetiredApiError):
        CloudSigmaNodeDriver("a@b.c", "pw", api_version="1.0")
    with pytest.raises(ValidationError, match="clear text"):
        CloudSigmaNodeDriver("a@b.c", "pw", secure=False)
    with pytest.raises(ValidationError):
        CloudSigmaNodeDriver("a@b.c", "pw", region="lvs")
    driver = CloudSigmaNodeDriver("a@b.c", "pw", host="127.0.0.1", port=9, secure=False)
    assert driver.endpoint == "http://127.0.0.1:9/api/2.0/"
    assert "pw" not in repr(driver)
    assert CloudSigmaNodeDriver("a@b.c", "pw", region="fra").endpoint.startswith("https://fra.")
